#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-basic: one guest with a 20 GiB disk that is the region 10G..30G of the server's disk.
# The guest sees exactly 20 GiB, its data at the start, middle and end of xvda lands at
# region start + offset on /dev/sda, nothing outside the region is touched, reads past the
# end of xvda fail.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=basic START=10G SIZE=20G
S=$(to_bytes $START) Z=$(to_bytes $SIZE) M=$((1 << 20))
require_pvblkback
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
tap_plan 17

cfg=$(guest_cfg $G --disk "$(region_spec xvda $START $SIZE)")
if guest_create $G "$cfg"; then
	tap_ok "xl create with a $SIZE region at $START of $PVTEST_DISK"
else
	tap_bail "guest $G did not start"
fi
d=$(guest_domid $G)
tap_is "$(vbd_driver_module "$d" xvda)" pvblkback "vbd $d/$(vbd_devid xvda) is served by pvblkback" || true
tap_is "$(vbd_attr "$d" xvda region)" "$((S / 512)) $((Z / 512))" "sysfs region is '<start> <sectors>'" || true
tap_is "$(guest_run $G cat /sys/block/xvda/size)" $((Z / 512)) "guest sees exactly 20 GiB (41943040 sectors)" || true

# 1 MiB of pattern at the start, the middle and the very end of the guest's disk.
offs=(0 $((Z / 2)) $((Z - M)))
seeds=(21 22 23)
for i in 0 1 2; do
	tap_run "guest writes and reads back 1 MiB at offset ${offs[i]} of xvda (direct I/O)" \
		guest_run $G "pvpattern write /dev/xvda ${offs[i]} $M ${seeds[i]} &&" \
		"pvpattern verify /dev/xvda ${offs[i]} $M ${seeds[i]}" || true
done
tap_run "guest's last sector holds its data" \
	guest_run $G pvpattern verify /dev/xvda $((Z - 512)) 512 23 || true
tap_run "guest cannot read past the end of xvda" \
	guest_run $G "! pvpattern verify /dev/xvda $Z 4096 23" || true
tap_run "a read across the end of xvda stops at the end" \
	guest_run $G "pvpattern verify /dev/xvda $((Z - 4096)) 8192 23 2>&1 | grep 'short read'" || true

for i in 0 1 2; do
	tap_run "dom0 finds it at region start + ${offs[i]} of $PVTEST_DISK" \
		dom0_verify $((S + offs[i])) $M "${seeds[i]}" "${offs[i]}" || true
done
tap_run "the 64 KiB before the region are untouched" pvpattern zero-check "$PVTEST_DISK" $((S - 65536)) 65536 || true
tap_run "the 64 KiB after the region are untouched" pvpattern zero-check "$PVTEST_DISK" $((S + Z)) 65536 || true

wr=$(vbd_attr "$d" xvda statistics/wr_sect) rerr=$(vbd_attr "$d" xvda statistics/region_err)
if [ "$wr" -ge $((3 * M / 512)) ] && [ "$rerr" -eq 0 ]; then
	tap_ok "statistics: wr_sect $wr >= $((3 * M / 512)), region_err 0"
else
	tap_not_ok "statistics: wr_sect $wr >= $((3 * M / 512)), region_err 0"
fi
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G
