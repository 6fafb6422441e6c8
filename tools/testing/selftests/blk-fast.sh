#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-fast: the fast-path features of pvblkback with the stock xen-blkfront.
#   - indirect requests: the guest's requests grow past 11 segments (44 KiB) to what
#     feature-max-indirect-segments allows, and large I/O lands intact;
#   - multiple queues: a 2-vCPU guest gets two rings, each with its thread and event
#     channel, and both carry I/O;
#   - multi-page rings: a guest asking for 2^2-page rings gets them;
#   - discard: offered when the disk has it, a guest's discard lands on its region only;
#   - persistent grants: not offered by default; offered with a tiny cap, stock blkfront
#     takes them, the ring keeps at most the cap mapped (constant eviction), data intact;
#   - module parameters: caps take effect for vbds created afterwards, bad values are refused.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=fast START=70G SIZE=2G M=$((1 << 20))
S=$(to_bytes $START)
require_pvblkback
# Later scenarios (and make bench) must find pvblkback with its defaults again.
trap 'pvtest_cleanup >/dev/null 2>&1; reload_pvblkback >/dev/null 2>&1' EXIT
tap_plan 33

# reload_pvblkback [PARAM=VALUE...]: pvblkback again, with these parameters.
reload_pvblkback() {
	rmmod pvblkback || return 1
	# shellcheck disable=SC2086 # parameters are words
	insmod "$PVBLKBACK_KO" ${PVBLKBACK_PARAMS:-} "$@"
}

# pvblk_irqs: per-ring event counts of pvblkback's interrupts, one line each.
pvblk_irqs() {
	awk 'NR == 1 { n = NF; next } /pvblkback/ { s = 0; for (i = 2; i <= n + 1; i++) s += $i; print s }' \
		/proc/interrupts
}

# ---- one vCPU, defaults: one ring, indirect requests
cfg=$(guest_cfg $G --disk "$(region_spec xvda $START $SIZE)")
guest_create $G "$cfg" || tap_bail "guest $G did not start"
d=$(guest_domid $G)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
tap_is "$(xenstore-read "$be/feature-max-indirect-segments")" 64 \
	"backend offers 64 indirect segments (the default)" || true
tap_is "$(vbd_attr "$d" xvda max_indirect_segments)" 64 "sysfs max_indirect_segments" || true
# blkfront takes min(its 32, our 64) segments: 128 KiB requests instead of 44 KiB.
tap_is "$(guest_run $G cat /sys/block/xvda/queue/max_hw_sectors_kb)" 128 \
	"guest's requests may carry 128 KiB (32 indirect segments)" || true
w0=$(vbd_attr "$d" xvda statistics/wr_req)
tap_run "guest writes and reads back 8 MiB in 1 MiB blocks" \
	guest_run $G "pvpattern write /dev/xvda $M $((8 * M)) 31 &&" \
	"pvpattern verify /dev/xvda $M $((8 * M)) 31" || true
w1=$(vbd_attr "$d" xvda statistics/wr_req)
# 8 MiB in requests of at most 44 KiB would take 187 or more.
if [ $((w1 - w0)) -gt 0 ] && [ $((w1 - w0)) -lt 187 ]; then
	tap_ok "8 MiB written in $((w1 - w0)) requests (more than 11 segments each)"
else
	tap_not_ok "8 MiB written in $((w1 - w0)) requests (more than 11 segments each)"
fi
tap_run "dom0 finds the data at the region" dom0_verify $((S + M)) $((8 * M)) 31 $M || true
# Persistent grants are not offered by default (max_persistent_grants=0): blkfront, which
# would take them, grants its I/O pages directly and copies nothing.
fe=/local/domain/$d/device/vbd/$(vbd_devid xvda)
tap_is "$(xenstore-read "$be/feature-persistent") $(xenstore-read "$fe/feature-persistent")" \
	"0 1" "backend does not offer feature-persistent (blkfront would take it)" || true
tap_is "$(vbd_attr "$d" xvda persistent_grants)" off "sysfs persistent_grants: off" || true
# Discard: the server's disk has it (QEMU's discard=unmap punches holes), so the guest
# gets it; a discarded range reads zeros on the server, its neighbours keep their data.
tap_is "$(xenstore-read "$be/feature-discard") $(guest_run $G cat /sys/block/xvda/queue/discard_max_bytes | grep -c '^[1-9]')" \
	"1 1" "backend offers discard, the guest's xvda takes discards" || true
ds0=$(vbd_attr "$d" xvda statistics/ds_req)
D=$((16 * M))
tap_run "guest writes 2 MiB, then discards the middle 1 MiB" guest_run $G \
	"pvpattern write /dev/xvda $D $((2 * M)) 32 && blkdiscard -o $((D + M / 2)) -l $M /dev/xvda" || true
ds1=$(vbd_attr "$d" xvda statistics/ds_req)
tap_run "dom0: the discarded 1 MiB reads zeros, the 512 KiB on each side keep the data" eval \
	"pvpattern zero-check $PVTEST_DISK $((S + D + M / 2)) $M &&" \
	"dom0_verify $((S + D)) $((M / 2)) 32 $D &&" \
	"dom0_verify $((S + D + 3 * M / 2)) $((M / 2)) 32 $((D + 3 * M / 2))" || true
if [ $((ds1 - ds0)) -gt 0 ]; then
	tap_ok "statistics/ds_req counted the discard ($((ds1 - ds0)))"
else
	tap_not_ok "statistics/ds_req counted the discard" "ds_req $ds0 -> $ds1"
fi
mem=$(vbd_attr "$d" xvda memory_bytes)
if [ "$mem" -gt 0 ] && [ "$mem" -lt $((4 * M)) ]; then
	tap_ok "memory_bytes is $mem (one ring)"
else
	tap_not_ok "memory_bytes is $mem (one ring)"
fi
# Grant copy (copy_segs=11 by default): 32 direct 4 KiB reads, one request each, are
# copied, not mapped, and statistics/copy_req counts them.
c0=$(vbd_attr "$d" xvda statistics/copy_req)
r0=$(vbd_attr "$d" xvda statistics/rd_req)
guest_run $G fio --name=c --filename=/dev/xvda --direct=1 --ioengine=psync --rw=read \
	--bs=4k --size=128k --offset=$((D + 4 * M)) >/dev/null || true
c1=$(vbd_attr "$d" xvda statistics/copy_req)
r1=$(vbd_attr "$d" xvda statistics/rd_req)
if [ $((c1 - c0)) -ge 32 ] && [ $((r1 - r0)) -ge 32 ]; then
	tap_ok "32 reads of 4 KiB went by grant copy (copy_req +$((c1 - c0)), rd_req +$((r1 - r0)))"
else
	tap_not_ok "32 reads of 4 KiB went by grant copy" "copy_req $c0 -> $c1, rd_req $r0 -> $r1"
fi
tap_run "xl destroy $G" guest_destroy $G || true

# ---- two vCPUs: two rings, both used
cfg=$(guest_cfg $G --vcpus 2 --disk "$(region_spec xvda $START $SIZE)")
guest_create $G "$cfg" || tap_bail "2-vCPU guest $G did not start"
d=$(guest_domid $G)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
tap_is "$(xenstore-read "$be/multi-queue-max-queues")" "$(nproc)" \
	"backend offers one queue per dom0 CPU ($(nproc))" || true
tap_is "$(vbd_attr "$d" xvda nr_rings)" 2 "the 2-vCPU guest has two rings" || true
tap_is "$(pvblk_threads | grep -c "^pvblk$d\.")" 2 "one thread per ring" || true
# guest_create booted it on CPU 0 alone (lib.sh, guest_cfg) and then let it run anywhere.
tap_is "$(xl vcpu-list $G | awk 'NR > 1 { print $7 }' | sort -u)" all \
	"its vCPUs may run on every CPU once it has booted" || true
mapfile -t e0 < <(pvblk_irqs)
tap_run "a writer on each vCPU, both verified" guest_run -t 300 $G \
	"fio --name=a --filename=/dev/xvda --direct=1 --ioengine=libaio --rw=write --bs=64k" \
	"--iodepth=4 --size=16m --offset=0 --cpus_allowed=0 --verify=crc32c >/tmp/a 2>&1 & a=\$!; " \
	"fio --name=b --filename=/dev/xvda --direct=1 --ioengine=libaio --rw=write --bs=64k" \
	"--iodepth=4 --size=16m --offset=32m --cpus_allowed=1 --verify=crc32c >/tmp/b 2>&1 & b=\$!; " \
	"wait \$a; ra=\$?; wait \$b; rb=\$?; " \
	"[ \$ra = 0 ] && [ \$rb = 0 ] || { tail -5 /tmp/a /tmp/b; exit 1; }" || true
mapfile -t e1 < <(pvblk_irqs)
if [ ${#e0[@]} -eq 2 ] && [ ${#e1[@]} -eq 2 ] && [ $((e1[0] - e0[0])) -gt 0 ] &&
	[ $((e1[1] - e0[1])) -gt 0 ]; then
	tap_ok "both rings' event channels fired ($((e1[0] - e0[0])) and $((e1[1] - e0[1])))"
else
	tap_not_ok "both rings' event channels fired" "before: ${e0[*]}, after: ${e1[*]}"
fi
tap_run "xl destroy the 2-vCPU $G" guest_destroy $G || true

# ---- a multi-page ring, asked for by the guest
cfg=$(guest_cfg $G --extra xen_blkfront.max_ring_page_order=2 \
	--disk "$(region_spec xvda $START $SIZE)")
guest_create $G "$cfg" || tap_bail "guest $G with 4-page rings did not start"
d=$(guest_domid $G)
tap_is "$(xenstore-read "/local/domain/$d/device/vbd/$(vbd_devid xvda)/ring-page-order")" 2 \
	"the guest asked for 2^2-page rings" || true
tap_run "I/O through the 4-page ring, verified in dom0" eval \
	"guest_run $G pvpattern write /dev/xvda 0 $((2 * M)) 33 && dom0_verify $S $((2 * M)) 33 0" || true
tap_run "xl destroy $G" guest_destroy $G || true

# ---- module parameters
tap_run_fails "insmod refuses max_ring_page_order=9" reload_pvblkback max_ring_page_order=9 || true
# shellcheck disable=SC2086 # parameters are words
mod_loaded pvblkback || insmod "$PVBLKBACK_KO" ${PVBLKBACK_PARAMS:-}
tap_run_fails "insmod refuses max_persistent_grants=99999" \
	reload_pvblkback max_persistent_grants=99999 || true
# shellcheck disable=SC2086 # parameters are words
mod_loaded pvblkback || insmod "$PVBLKBACK_KO" ${PVBLKBACK_PARAMS:-}
tap_run_fails "insmod refuses copy_segs=12 (grant copy is for direct requests only)" \
	reload_pvblkback copy_segs=12 || true
# shellcheck disable=SC2086 # parameters are words
mod_loaded pvblkback || insmod "$PVBLKBACK_KO" ${PVBLKBACK_PARAMS:-}
# 16 persistent grants: offered, and far below blkfront's working set, so nearly every
# round overflows the cache and evicts; the data must not care.
tap_run "reload with max_queues=1 max_indirect_segments=0 max_persistent_grants=16" \
	reload_pvblkback max_queues=1 max_indirect_segments=0 max_persistent_grants=16 || true
cfg=$(guest_cfg $G --vcpus 2 --disk "$(region_spec xvda $START $SIZE)")
guest_create $G "$cfg" || tap_bail "guest $G did not start with the capped module"
d=$(guest_domid $G)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
tap_is "$(vbd_attr "$d" xvda nr_rings) $(guest_run $G cat /sys/block/xvda/queue/max_hw_sectors_kb)" \
	"1 44" "capped: one ring, no indirect requests (44 KiB)" || true
tap_run "capped: 4 MiB written by the guest, verified by the guest and in dom0" eval \
	"guest_run $G 'pvpattern write /dev/xvda 0 $((4 * M)) 34 && pvpattern verify /dev/xvda 0 $((4 * M)) 34' &&" \
	"dom0_verify $S $((4 * M)) 34 0" || true
pg=$(vbd_attr "$d" xvda persistent_grants)
if [[ $pg =~ ^[0-9]+$ ]] && [ "$pg" -gt 0 ] && [ "$pg" -le 16 ]; then
	tap_ok "capped: the ring keeps $pg persistent grants (at most 16)"
else
	tap_not_ok "capped: the ring keeps at most 16 persistent grants" "persistent_grants: $pg"
fi
tap_is "$(vbd_attr "$d" xvda statistics/copy_req)" 0 \
	"capped: with persistent grants nothing goes by grant copy (copy_req 0)" || true
guest_destroy $G || true
