#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-save: xl save and xl restore of a PV guest while its disk and network I/O goes on. The
# guest runs the verified I/O loop of lifecycle (1 MiB written and read back on its region
# disk, then pings to the peer, round after round) across the save and the restore: the old
# domain and its backends go, the restored domain's vbd claims the region again, its agent
# answers, the loop goes on where it stopped. Then xl save -c, a checkpoint: the guest runs on
# with its backends; destroyed and restored from the checkpoint, it goes on from there. No
# round failed and dom0 finds the last rounds on the disk.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

S=msave S_START=90G SIZE=64M
S_MAC=$(net_mac 90 1) S_IP=$(guest_ip 60)
require_pvblkback
require_net
trap 'pvtest_cleanup >/dev/null 2>&1; rm -f "$PVTEST_RUN/$S.save" "$PVTEST_RUN/$S.ckpt"' EXIT
net_mark_dirty
tap_plan 18

k0=$(kern_mark)
loop_guest $S pv $S_START $SIZE "$S_MAC" "$S_IP"
d0=$(guest_domid $S)
tap_run "xl save $S, with its I/O in flight" timeout -k 10 600 xl save $S "$PVTEST_RUN/$S.save" || tap_bail "xl save failed"
tap_run "$S's domain and backends are gone" wait_backends_gone "$d0" || true
tap_run "xl restore $S" timeout -k 10 600 xl restore "$PVTEST_RUN/$S.save" || tap_bail "xl restore failed"
d1=$(guest_moved $S "$d0") || tap_bail "no new domain for $S"
tap_run "the restored domain $d1 claimed the region again" \
	xs_wait "/local/domain/0/backend/vbd/$d1/$(vbd_devid xvda)/region-status" 60 claimed || true
tap_run "the restored guest's agent answers" guest_run $S true || true
tap_run "$S's I/O goes on after the restore (disk and pings)" loop_goes_on $S "$d1" || true

# A checkpoint: xl save -c saves the guest and lets it run on in its domain (its frontends
# see a cancelled suspend and keep their backends). Then the VM is destroyed and goes back
# to the checkpoint: its agent, like all of it, is where it was then.
seq=$(cat "$PVTEST_RUN/seq.$d1")
r=$(loop_rounds "$d1")
x=/local/domain/$d1/data/pvtest
tap_run "xl save -c $S (a checkpoint), with its I/O in flight" \
	timeout -k 10 600 xl save -c $S "$PVTEST_RUN/$S.ckpt" || tap_bail "xl save -c failed"
tap_is "$(xl domid $S 2>/dev/null)" "$d1" "$S runs on in its domain $d1" || true
tap_run "$S's I/O goes on after the checkpoint" \
	wait_for "[ \"\$(loop_rounds $d1)\" -ge $((r + 2)) ] && ! pvxs exists $x/nfail" 180 || true
tap_run "xl destroy $S, then xl restore of its checkpoint" \
	eval "guest_destroy $S && timeout -k 10 600 xl restore '$PVTEST_RUN/$S.ckpt'" ||
	tap_bail "xl restore of the checkpoint failed"
d2=$(guest_moved $S "$d1") || tap_bail "no new domain for $S"
echo "$seq" >"$PVTEST_RUN/seq.$d2"
tap_run "the domain $d2 of the checkpoint claimed the region again" \
	xs_wait "/local/domain/0/backend/vbd/$d2/$(vbd_devid xvda)/region-status" 60 claimed || true
tap_run "the agent of the checkpoint answers" guest_run $S true || true
tap_run "$S's I/O goes on from the checkpoint (disk and pings)" loop_goes_on $S "$d2" || true
loop_end $S "$d2" $S_START
tap_run "xl destroy $S" guest_destroy $S || true
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble" || true
