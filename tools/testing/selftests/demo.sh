#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: the VM server of the seed.  Two VMs from the shipped definitions
# in /etc/xen/vm/, each with a 20 GB disk that is its own region of the
# 500 GB physical disk, use their disks; then we show which region each VM
# owns, with its I/O counters.  make demo runs this alone; make selftest
# runs it too, so the shipped definitions stay working.
set -u
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

VMS=(vm1 vm2)
require_pvblkback
tap_plan $((3 * ${#VMS[@]} + 1))

for vm in "${VMS[@]}"; do
	if guest_create "$vm" "/etc/xen/vm/$vm"; then
		tap_ok "xl create /etc/xen/vm/$vm"
	else
		tap_bail "xl create /etc/xen/vm/$vm failed"
	fi
done

# Each VM writes 64 MiB of its own pattern across its disk and reads it back.
seed=100
for vm in "${VMS[@]}"; do
	seed=$((seed + 1))
	tap_diag "$vm: writing and reading back 3 x 64 MiB on its 20 GB disk xvda"
	tap_run "$vm uses its disk (write + verify 3 x 64 MiB)" guest_run "$vm" \
		"for off in 0 10737418240 21407727616; do" \
		"pvpattern write /dev/xvda \$off 67108864 $seed &&" \
		"pvpattern verify /dev/xvda \$off 67108864 $seed || exit 1; done" || true
done

table=$(printf '%-5s %5s %-5s %-9s %11s %11s %8s %8s %9s %9s\n' \
	VM DOMID VDEV DEVICE 'START(GiB)' 'SIZE(GiB)' RD_REQ WR_REQ RD_MiB WR_MiB)
for vm in "${VMS[@]}"; do
	d=$(guest_domid "$vm")
	s=$(vbd_sysfs "$d" xvda)
	read -r start sectors <"$s/region"
	st=$s/statistics
	dev=$(xenstore-read "/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)/physical-device-path")
	table+=$(printf '\n%-5s %5s %-5s %-9s %11s %11s %8s %8s %9s %9s' "$vm" "$d" xvda "$dev" \
		$((start >> 21)) $((sectors >> 21)) "$(cat "$st/rd_req")" "$(cat "$st/wr_req")" \
		$(($(cat "$st/rd_sect") >> 11)) $(($(cat "$st/wr_sect") >> 11)))
	want=$(grep -o 'start=[0-9]*G' "/etc/xen/vm/$vm")
	tap_is "start=$((start >> 21))G sectors=$sectors" "$want sectors=41943040" \
		"$vm owns the region of its definition ($want, 20 GiB)" || true
done
tap_diag "Regions of the 500 GB disk owned by the running VMs:"
tap_diag "$table"
tap_diag "xl list:"$'\n'"$(xl list)"

# The regions really are disjoint windows: each VM's data sits at its own
# region start on the physical disk.
ok=1
seed=100
for vm in "${VMS[@]}"; do
	seed=$((seed + 1))
	d=$(guest_domid "$vm")
	read -r start _ <"$(vbd_sysfs "$d" xvda)/region"
	dom0_verify $((start * 512)) 67108864 "$seed" 0 >/dev/null 2>&1 || ok=0
done
if [ "$ok" = 1 ]; then
	tap_ok "dom0 finds each VM's data at its own region start on /dev/sda"
else
	tap_not_ok "dom0 finds each VM's data at its own region start on /dev/sda"
fi

for vm in "${VMS[@]}"; do guest_destroy "$vm"; done
