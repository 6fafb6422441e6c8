#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-destroy: xl destroy a guest in the middle of heavy writes; dom0
# survives, the backend goes away promptly and pvblkback unloads.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=destroy
trap 'guest_destroy $G >/dev/null 2>&1 || true' EXIT
require_pvblkback
tap_plan 8

cfg=$(guest_cfg $G --disk "$(region_spec xvda 470G 2G)")
if guest_create $G "$cfg"; then tap_ok "xl create"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
st=$(vbd_sysfs "$d" xvda)/statistics

# Four writers and a reader, detached from the agent so the command returns.
guest_run $G "for i in 1 2 3 4; do
	( while :; do dd if=/dev/urandom of=/dev/xvda bs=1M count=32 seek=\$((i * 256)) oflag=direct; done ) >/dev/null 2>&1 &
done
( while :; do dd if=/dev/xvda of=/dev/null bs=1M count=64 iflag=direct; done ) >/dev/null 2>&1 &
echo started" >/dev/null
w0=$(cat "$st/wr_req")
tap_run "heavy I/O is running" wait_for "[ \$(cat $st/wr_req) -gt $((w0 + 200)) ]" 120 || true

tap_run "xl destroy under I/O" timeout 120 xl destroy $G || true
rm -f "$PVTEST_RUN/domid.$G"
tap_run "the domain and its backend devices are gone" wait_backends_gone "$d" 120 || true
tap_is "$(pvblk_threads_left 0)" 0 "no pvblk thread left" || true
tap_run "dom0 still works (xl info)" xl info || true
tap_run "rmmod pvblkback" rmmod pvblkback || true
tap_run "insmod pvblkback again" blk_backend_load || true
