#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: the VM server of the seed.  Two VMs from the shipped definitions
# in /etc/xen/vm/, each with a 20 GB disk that is its own region of the
# 500 GB physical disk and a network card on the bridge xenbr0, use their
# disks and reach the outside peer across the server's physical NIC; then
# we show which region each VM owns, with its I/O counters, and each VM's
# vif with its traffic counters.  make demo runs this alone; make selftest
# runs it too, so the shipped definitions stay working.
set -u
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

VMS=(vm1 vm2)
require_pvblkback
require_net
mod=$(net_backend_wanted)
tap_plan $((6 * ${#VMS[@]} + 3))

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
	# pvback-region's record of the device, for people (Documentation/xenstore-keys.md).
	dev=$(xenstore-read "/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)/region-device" ||
		echo '?')
	table+=$(printf '\n%-5s %5s %-5s %-9s %11s %11s %8s %8s %9s %9s' "$vm" "$d" xvda "$dev" \
		$((start >> 21)) $((sectors >> 21)) "$(cat "$st/rd_req")" "$(cat "$st/wr_req")" \
		$(($(cat "$st/rd_sect") >> 11)) $(($(cat "$st/wr_sect") >> 11)))
	want=$(grep -o 'start=[0-9]*G' "/etc/xen/vm/$vm")
	tap_is "start=$((start >> 21))G sectors=$sectors" "$want sectors=41943040" \
		"$vm owns the region of its definition ($want, 20 GiB)" || true
done
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

# The network: each VM's vif is on the bridge; the VM (guest_ip N: vm1
# 10.0.0.11, vm2 10.0.0.12) reaches the peer, the outside host 10.0.0.1
# behind the server's e1000, and moves 1 MiB each way with it.

# xfer_both VM N: 1 MiB VM -> peer, then 1 MiB peer -> VM.
xfer_both() {
	net_tcp "$1" peer $((5900 + 2 * $2)) $((120 + $2)) 1M &&
		net_tcp peer "$1" $((5901 + 2 * $2)) $((130 + $2)) 1M
}
n=0
for vm in "${VMS[@]}"; do
	n=$((n + 1))
	d=$(guest_domid "$vm")
	v=$(vif_name "$d" 0)
	if in_bridge "$v" && [ "$(vif_driver_module "$d" 0)" = "$mod" ]; then
		tap_ok "$vm's vif $v is on $PVTEST_BRIDGE, served by $mod"
	else
		tap_not_ok "$vm's vif $v is on $PVTEST_BRIDGE, served by $mod" \
			"bridge ports: $(ls "/sys/class/net/$PVTEST_BRIDGE/brif"), driver: $(vif_driver_module "$d" 0)"
	fi
	mac=$(xenstore-read "/local/domain/0/backend/vif/$d/0/mac")
	if out=$(guest_net_up "$vm" "$(guest_ip $n)" "$mac") &&
		out+=$'\n'$(net_ping "$vm" "$PVTEST_PEER_IP"); then
		tap_ok "$vm (eth0 $(guest_ip $n)) pings the peer $PVTEST_PEER_IP"
	else
		tap_not_ok "$vm (eth0 $(guest_ip $n)) pings the peer $PVTEST_PEER_IP" "$out"
	fi
	tap_run "$vm moves 1 MiB to the peer and 1 MiB from it, every byte checked" \
		xfer_both "$vm" $n || true
done

ntable=$(printf '%-5s %-7s %-17s %-6s %-7s %8s %10s %8s %10s\n' \
	VM VIF MAC BRIDGE CARRIER RX_PKTS RX_BYTES TX_PKTS TX_BYTES)
for vm in "${VMS[@]}"; do
	d=$(guest_domid "$vm")
	v=$(vif_name "$d" 0)
	br=$(readlink "/sys/class/net/$v/master")
	ntable+=$(printf '\n%-5s %-7s %-17s %-6s %-7s %8s %10s %8s %10s' "$vm" "$v" \
		"$(xenstore-read "/local/domain/0/backend/vif/$d/0/mac")" "${br##*/}" \
		"$(net_attr "$v" carrier)" "$(net_stat "$v" rx_packets)" "$(net_stat "$v" rx_bytes)" \
		"$(net_stat "$v" tx_packets)" "$(net_stat "$v" tx_bytes)")
done
tap_diag "Regions of the 500 GB disk owned by the running VMs:"
tap_diag "$table"
tap_diag "Network cards of the running VMs (dom0's vifs: rx = from the VM, tx = to the VM):"
tap_diag "$ntable"
tap_diag "xl list:"$'\n'"$(xl list)"

# What the operator sees: pvbackctl over the same VMs.
if out=$(pvbackctl check 2>&1); then
	tap_ok "pvbackctl check: $(tail -n 1 <<<"$out")"
else
	tap_not_ok "pvbackctl check" "$out"
fi
out=$(pvbackctl list 2>&1) || true
tap_diag "pvbackctl list:"$'\n'"$out"
tap_diag "pvbackctl stats:"$'\n'"$(pvbackctl stats 2>&1)"
n=0
for vm in "${VMS[@]}"; do
	d=$(guest_domid "$vm")
	grep -Eq "^ *$d +$vm +xvda +/dev/sda .* rw +Connected" <<<"$out" && n=$((n + 1))
done
if [ "$n" -eq ${#VMS[@]} ]; then
	tap_ok "pvbackctl list shows the ${#VMS[@]} VMs with their connected region disks"
else
	tap_not_ok "pvbackctl list shows the ${#VMS[@]} VMs with their connected region disks" "$out"
fi

for vm in "${VMS[@]}"; do guest_destroy "$vm"; done
