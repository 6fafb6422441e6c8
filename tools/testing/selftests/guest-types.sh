#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-types: the guest types other than PV, each with a region disk and network.
#  - PVH: the disk and the vif through pvblkback and pvnetback, as for a PV guest; no view of
#    the region is made (nothing in dom0 opens it but pvblkback).
#  - HVM with its PV drivers (the kernel unplugs the emulated disk and NIC): pvblkback and
#    pvnetback serve them; dom0 has a device-mapper view of exactly the region for the device
#    model, gone with the guest. It stays up while the next one runs.
#  - HVM fully virtualized (xen_emul_unplug=never), the seed's example: the guest writes to
#    its emulated IDE disk and the data lands at the region's place on the server's disk,
#    nothing outside it touched; its emulated NICs of three models (e1000, PCnet, NE2000) each
#    reach the peer and the first HVM guest's PV vif through the bridge. pvbackctl and
#    pvback-region take the view for the region it is. A second HVM guest whose region overlaps is refused and
#    leaves no view behind.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

M=$((1 << 20))
SIZE=4G Z=$(to_bytes 4G)
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_pvblkback
require_net
tap_plan 45

# view_of DOMID VDEV: the device-mapper view pvback-region made for a vbd ("" if none).
view_of() { echo "pvback-$1-$(vbd_devid "$2")"; }
# views: every view in dom0.
views() { dmsetup ls 2>/dev/null | awk '$1 ~ /^pvback-/ { print $1 }'; }

# guest_type NAME: what the guest's kernel says it runs as (PV, PVH or HVM).
guest_type() { guest_run "$1" cat /sys/hypervisor/guest_type; }

# start_guest TYPE N WHAT: start guest $G of TYPE with a $SIZE region at $START as xvda and a
# vif (MAC and address number N), or end the scenario; sets d to its domain id.
start_guest() {
	local cfg
	cfg=$(guest_cfg "$G" --type "$1" --disk "$(region_spec xvda "$START" "$SIZE")" \
		--vif "$(net_cfg_vif "$(net_mac "$2" 1)")")
	guest_create "$G" "$cfg" || tap_bail "$G ($1) did not start"
	tap_ok "$G: xl create of $3"
	d=$(guest_domid "$G")
}

# ---- PVH
G=pvh1 START=40G S=$(to_bytes 40G)
start_guest pvh 40 "a PVH guest with a $SIZE region at $START and a vif"
tap_is "$(guest_type $G)" PVH "$G's kernel runs as a PVH guest" || true
tap_is "$(vbd_driver_module "$d" xvda)/$(vif_driver_module "$d" 0)" pvblkback/pvnetback \
	"its vbd and vif are served by pvblkback and pvnetback" || true
tap_run "no view of the region for a PVH guest (no physical-device-path, no dm device)" \
	eval "! xenstore-read /local/domain/0/backend/vbd/$d/$(vbd_devid xvda)/physical-device-path &&
		[ -z \"\$(views)\" ]" || true
tap_run "its disk and network work (1 MiB found at region start + 1 MiB, the peer answers)" \
	guest_disk_net_ok $G "$d" "$S" 51 "$(guest_ip 40)" "$(net_mac 40 1)" || true
tap_run "xl destroy of $G, its backends gone" guest_destroy $G || true

# ---- HVM with PV drivers
G=hvm1 START=50G S=$(to_bytes 50G)
start_guest hvm 41 "an HVM guest (direct kernel boot) with a $SIZE region and a vif"
tap_diag "device model: $(pgrep -a -f "xen-qemu-system-i386.*-xen-domid $d " | cut -c1-600)"
tap_is "$(guest_type $G)" HVM "$G's kernel runs as an HVM guest" || true
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
v=$(view_of "$d" xvda)
tap_is "$(xenstore-read "$be/physical-device-path" 2>&1)" "/dev/mapper/$v" \
	"physical-device-path, for the device model, is the view /dev/mapper/$v" || true
tap_is "$(dmsetup table "$v" 2>&1)" "0 $((Z / 512)) linear 8:0 $((S / 512))" \
	"the view is exactly the region: $((Z / 512)) sectors of sda from sector $((S / 512))" || true
tap_run "the guest unplugged its emulated disk: xvda, no sda" \
	guest_run $G "[ -b /dev/xvda ] && [ ! -e /sys/block/sda ]" || true
tap_is "$(vbd_driver_module "$d" xvda)/$(vif_driver_module "$d" 0)" pvblkback/pvnetback \
	"its vbd and vif are served by pvblkback and pvnetback" || true
tap_run "its PV disk and network work (1 MiB found at region start + 1 MiB, the peer answers)" \
	guest_disk_net_ok $G "$d" "$S" 52 "$(guest_ip 41)" "$(net_mac 41 1)" || true
v1=$v

# ---- HVM fully virtualized: emulated IDE disk and NICs
G=hvm2 START=60G S=$(to_bytes 60G)
# Guard patterns on both sides of its region (other scenarios of the run used the disk there).
pvpattern write "$PVTEST_DISK" $((S - 65536)) 65536 71 >/dev/null
pvpattern write "$PVTEST_DISK" $((S + Z)) 65536 72 >/dev/null
models=(e1000 pcnet ne2k_pci) drivers=(e1000 pcnet32 ne2k-pci)
vifs=()
for i in 0 1 2; do
	vifs+=(--vif "$(net_cfg_vif "$(net_mac 42 $((i + 1)))" "type=ioemu,model=${models[i]}")")
done
cfg=$(guest_cfg $G --type hvm --extra xen_emul_unplug=never \
	--disk "$(region_spec xvda $START $SIZE)" "${vifs[@]}")
if guest_create $G "$cfg"; then
	tap_ok "$G: xl create of an HVM guest keeping its emulated devices (xen_emul_unplug=never)"
else
	tap_bail "HVM guest $G did not start"
fi
d=$(guest_domid $G)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
v=$(view_of "$d" xvda)
tap_is "$(guest_run $G cat /sys/block/sda/size)" $((Z / 512)) \
	"the guest's emulated IDE disk sda is exactly the $SIZE region" || true
tap_diag "sda: $(guest_run $G "cat /sys/block/sda/device/vendor /sys/block/sda/device/model; readlink /sys/block/sda" 2>&1 | tr '\n' ' ')"
tap_run "the guest has no PV disk (blkfront stays away)" guest_run $G "[ ! -e /sys/block/xvda ]" || true
tap_is "$(xenstore-read "$be/state")" 2 "the vbd waits for a frontend that never comes (InitWait)" || true

# The seed's example: a file saved on the guest's disk lands at the region's place.
offs=(0 $((Z / 2)) $((Z - M)))
for i in 0 1 2; do
	tap_run "guest writes 1 MiB at offset ${offs[i]} of its IDE disk, flushes, reads it back" \
		guest_run $G "pvpattern write /dev/sda ${offs[i]} $M $((61 + i)) &&" \
		"dd if=/dev/null of=/dev/sda count=0 conv=notrunc,fsync 2>/dev/null &&" \
		"pvpattern verify /dev/sda ${offs[i]} $M $((61 + i))" || true
done
for i in 0 1 2; do
	tap_run "dom0 finds it at region start + ${offs[i]} of $PVTEST_DISK" \
		dom0_verify $((S + offs[i])) $M $((61 + i)) "${offs[i]}" || true
done
tap_run "the 64 KiB before the region keep dom0's guard pattern" \
	pvpattern verify "$PVTEST_DISK" $((S - 65536)) 65536 71 || true
tap_run "the 64 KiB after the region keep dom0's guard pattern" \
	pvpattern verify "$PVTEST_DISK" $((S + Z)) 65536 72 || true
tap_run "the guest cannot read past the end of its IDE disk" \
	guest_run $G "! pvpattern verify /dev/sda $Z 4096 63" || true

# One NIC at a time: with three in one subnet, the guest would answer ARP on any of them.
# shellcheck disable=SC2016 # expanded in the guest
guest_run $G 'for f in /sys/class/net/eth*; do ip link set ${f##*/} down; done' >/dev/null || true
for i in 0 1 2; do
	mac=$(net_mac 42 $((i + 1))) tap=vif$d.$i-emu
	tap_run "the device model's tap $tap for the ${models[i]} NIC is a port of $PVTEST_BRIDGE" \
		in_bridge "$tap" || true
	if out=$(guest_net_up $G "$(guest_ip 42)" "$mac"); then
		drv=$(guest_run $G "basename \$(readlink /sys/class/net/$out/device/driver)")
		tap_is "$drv" "${drivers[i]}" "the guest drives the emulated ${models[i]} NIC with ${drivers[i]}" || true
		tap_run "the peer answers through the ${models[i]} NIC" net_ping $G "$PVTEST_PEER_IP" || true
		tap_run "so does hvm1 through its PV vif" net_ping $G "$(guest_ip 41)" || true
		guest_run $G "ip addr flush dev $out; ip link set $out down" >/dev/null || true
	else
		tap_not_ok "the guest brings up its ${models[i]} NIC" "$out"
		tap_not_ok "the peer answers through the ${models[i]} NIC"
		tap_not_ok "so does hvm1 through its PV vif"
	fi
done

# The view is the region, for the operator's tools too.
vmdir=$PVTEST_RUN/vm-view
mkdir -p "$vmdir"
printf '%s\n' 'name = "onview"' \
	"disk = [ '$(region_spec xvda 1G 1G rw "/dev/mapper/$v")' ]" >"$vmdir/onview"
out=$(pvbackctl --vm-dir "$vmdir" check 2>&1) && rc=0 || rc=$?
want="overlaps region $PVTEST_DISK start=60G size=4G (rw) of $G xvda (running as domain $d"
if [ "$rc" -eq 1 ] && grep -qF "$want" <<<"$out"; then
	tap_ok "pvbackctl check: a region of the view /dev/mapper/$v is $G's region on $PVTEST_DISK"
else
	tap_not_ok "pvbackctl check: a region of the view /dev/mapper/$v is $G's region on $PVTEST_DISK" \
		"rc=$rc, want: $want"$'\n'"$out"
fi
out=$(/etc/xen/scripts/pvback-region check "/dev/mapper/$v,start=0,size=1G" 2>&1) && rc=0 || rc=$?
if [ "$rc" -ne 0 ] && grep -qF "is pvback's view of another VM's region" <<<"$out"; then
	tap_ok "pvback-region refuses the view as a target"
else
	tap_not_ok "pvback-region refuses the view as a target" "rc=$rc: $out"
fi

# An overlapping region for another HVM guest: refused before its device model starts.
cfg=$(guest_cfg hvm3 --type hvm --disk "$(region_spec xvda 62G 4G)")
rc=0
guest_create hvm3 "$cfg" 60 || rc=$?
if [ "$rc" -ne 0 ] && grep -qF "overlaps region start=$((S / 512)) sectors=$((Z / 512)) (rw) of vbd $d/" "$PVTEST_XL_OUT"; then
	tap_ok "hvm3 with a region overlapping hvm2's is refused, naming hvm2's region"
else
	tap_not_ok "hvm3 with a region overlapping hvm2's is refused, naming hvm2's region" \
		"rc=$rc: $(cat "$PVTEST_XL_OUT")"
fi
tap_run "hvm3 is gone and left no view; those of hvm1 and hvm2 remain" \
	wait_for "! xl domid hvm3 >/dev/null 2>&1 && [ \"\$(views | sort | tr '\n' ' ')\" = \"\$(printf '%s\n' $v1 $v | sort | tr '\n' ' ')\" ]" 60 || true
tap_run "xl destroy of $G, its backends gone" guest_destroy $G || true
tap_run "its view and the taps are gone with it" \
	eval "[ \"\$(views)\" = $v1 ] && ! ls -d /sys/class/net/vif$d.* 2>/dev/null" || true
tap_run "xl destroy of hvm1, its backends and view gone" \
	eval "guest_destroy hvm1 && [ -z \"\$(views)\" ]" || true
