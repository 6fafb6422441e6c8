#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-hotplug: xl block-attach / block-detach of a region, 10 times
# (PVTEST_HOTPLUG_ROUNDS), on a running guest, with I/O checked each time;
# afterwards no backend device, thread or mapping is left and pvblkback unloads.
# After a failed round the rest are not run (they would fail on its leftovers).
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=hot
ROUNDS=${PVTEST_HOTPLUG_ROUNDS:-10}
START=$(to_bytes 460G)
trap 'guest_destroy $G >/dev/null 2>&1 || true' EXIT
require_pvblkback
tap_plan $((ROUNDS + 6))

cfg=$(guest_cfg $G --disk "$(region_spec xvda 459G 1G)")
if guest_create $G "$cfg"; then tap_ok "xl create"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
xvdb=$(vbd_devid xvdb)

# round_state: where the vbd's two ends stand, and what the guest said.
round_state() {
	local be=/local/domain/0/backend/vbd/$d/$xvdb fe=/local/domain/$d/device/vbd/$xvdb
	echo "backend state $(xenstore-read "$be/state" 2>&1), frontend state $(xenstore-read "$fe/state" 2>&1)"
	[ -d "$(vbd_sysfs "$d" xvdb)" ] && grep -H . "$(vbd_sysfs "$d" xvdb)"/statistics/* 2>/dev/null
	echo "--- the guest's console, last 15 lines:"
	tail -n 15 "$(guest_console_log $G)" | tr -d '\r'
}

# one_round N: attach, wait for the disk in the guest, I/O, check in dom0,
# detach, wait for the backend to go.
one_round() {
	local n=$1 seed=$((60 + $1)) off=$((($1 % 4) << 20))
	timeout 120 xl block-attach $G "$(region_spec xvdb 460G 64M)" || { echo "block-attach failed"; return 1; }
	guest_run $G "for i in \$(seq 300); do [ -b /dev/xvdb ] && break; sleep 0.1; done
		pvpattern write /dev/xvdb $off 1M $seed && pvpattern verify /dev/xvdb $off 1M $seed" ||
		{ echo "I/O in the guest failed"; round_state; return 1; }
	dom0_verify $((START + off)) 1M $seed "$off" || return 1
	timeout 120 xl block-detach $G xvdb || { echo "block-detach failed"; return 1; }
	wait_for "[ ! -e /sys/bus/xen-backend/devices/vbd-$d-$xvdb ]" 60 ||
		{ echo "backend vbd-$d-$xvdb still there"; return 1; }
	guest_run $G "for i in \$(seq 300); do [ -b /dev/xvdb ] || exit 0; sleep 0.1; done; exit 1" ||
		{ echo "the guest still has xvdb"; return 1; }
	echo "round $n ok"
}
failed=
for n in $(seq "$ROUNDS"); do
	desc="round $n: attach, write+verify 1 MiB, dom0 check, detach"
	if [ -n "$failed" ]; then
		tap_skip "$desc" "round $failed failed"
	elif ! tap_run "$desc" one_round "$n"; then
		failed=$n
	fi
done

tap_run "xl destroy, domain and backend devices gone" guest_destroy $G
tap_is "$(backend_devices | grep -c '^vbd' || true)" 0 "no vbd backend device left" || true
tap_is "$(pvblk_threads_left 0)" 0 "no pvblk thread left" || true
tap_run "rmmod pvblkback" rmmod pvblkback || true
tap_run "insmod pvblkback again" blk_backend_load || true
