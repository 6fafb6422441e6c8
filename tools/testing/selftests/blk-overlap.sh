#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-overlap: a writable region that overlaps a running guest's is
# refused with a message naming the other region and VM; the running guest
# is unaffected; adjacent regions and read-only sharing are allowed.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

trap 'for g in ovl1 ovl2 ro1 ro2; do guest_destroy $g >/dev/null 2>&1 || true; done' EXIT
require_pvblkback
tap_plan 13

cfg=$(guest_cfg ovl1 --disk "$(region_spec xvda 300G 20G)")
if guest_create ovl1 "$cfg"; then
	tap_ok "ovl1: xl create with a 20G region at 300G"
else
	tap_bail "guest ovl1 did not start"
fi
d1=$(guest_domid ovl1)

cfg=$(guest_cfg ovl2 --disk "$(region_spec xvda 310G 20G)")
rc=0
guest_create ovl2 "$cfg" 2>/dev/null || rc=$?
out=$(cat "$PVTEST_XL_OUT")
if [ "$rc" -ne 0 ]; then
	tap_ok "ovl2: xl create with a region overlapping ovl1's fails"
else
	tap_not_ok "ovl2: xl create with a region overlapping ovl1's fails" "$out"
fi
want="overlaps region start=$((300 << 21)) sectors=$((20 << 21)) (rw) of vbd $d1/$(vbd_devid xvda) (domain $d1, ovl1)"
if grep -qF "$want" <<<"$out"; then
	tap_ok "xl prints which region and VM it collides with"
else
	tap_not_ok "xl prints which region and VM it collides with" "want: $want"$'\n'"xl said:"$'\n'"$out"
fi
tap_run "ovl2 is gone, no backend device of it left" \
	wait_for "! xl domid ovl2 && [ -z \"\$(backend_devices | grep -v -- -$d1-)\" ]" 60 || true
tap_run "ovl1 still reads and writes its disk" \
	guest_run ovl1 "pvpattern write /dev/xvda 0 1M 41 && pvpattern verify /dev/xvda 0 1M 41" || true

tap_run_fails "a second vbd of ovl1 overlapping its first is refused" \
	timeout 120 xl block-attach ovl1 "$(region_spec xvdb 319G 2G)" || true
# libxl keeps a refused attach's entries until the operator detaches it.
tap_run "xl block-detach clears the refused vbd" timeout 120 xl block-detach ovl1 xvdb || true
tap_run "an adjacent region (320G) is accepted" \
	timeout 120 xl block-attach ovl1 "$(region_spec xvdb 320G 1G)" || true
tap_run "ovl1 sees the adjacent disk" \
	guest_run ovl1 "for i in \$(seq 100); do [ -b /dev/xvdb ] && exit 0; sleep 0.2; done; exit 1" || true

# Read-only sharing: two guests read the same region that dom0 filled. libxl gives an HVM
# guest's first four disks to the device model too, which takes no read-only disk: there the
# shared one is xvde, a PV disk only.
RO=xvda
[ "$PVTEST_GUEST_TYPE" != hvm ] || RO=xvde
pvpattern write "$PVTEST_DISK" $((400 << 30)) 1M 43 >/dev/null
for g in ro1 ro2; do
	cfg=$(guest_cfg $g --disk "$(region_spec $RO 400G 1G ro)")
	if guest_create $g "$cfg"; then
		tap_ok "$g: read-only region at 400G, shared, accepted"
	else
		tap_not_ok "$g: read-only region at 400G, shared, accepted" "$(cat "$PVTEST_XL_OUT")"
	fi
done
both_read() {
	local g
	for g in ro1 ro2; do
		guest_run $g pvpattern verify /dev/$RO 0 1M 43 --pattern-offset $((400 << 30)) || return 1
	done
}
tap_run "both read the same data" both_read || true
tap_run_fails "a writable region over the shared read-only one is refused" \
	timeout 120 xl block-attach ovl1 "$(region_spec xvdc 400G 1M)" || true
