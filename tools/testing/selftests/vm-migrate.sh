#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-migrate: xl migrate to this same host of a PVH guest, then of an HVM guest with PV
# drivers, while its disk and network I/O goes on (the verified I/O loop of lifecycle, as in
# vm-save). While the old and the new domain of the VM both exist, the new one holds the very
# region the old one serves, and is served once the old one has let it go (pvblkback lets a
# VM's new domain have exactly its region: Documentation/regions.md). The migrated guest's
# agent answers, the loop goes on, no round failed and dom0 finds the last rounds on the
# disk. In make check-all only: under TCG's nested SVM a guest at times triple-faults while
# Xen tracks its dirty pages (Documentation/lab.md, "Guest types").
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

SIZE=64M
require_pvblkback
require_net
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
net_mark_dirty
tap_plan 19

k0=$(kern_mark)
# migrate_once NAME TYPE START GUEST: one guest of TYPE migrated with its loop running.
migrate_once() {
	local m=$1 type=$2 start=$3 mac ip d0 d1 k1 v
	mac=$(net_mac 92 "$4") ip=$(guest_ip "$((60 + $4))")
	loop_guest "$m" "$type" "$start" $SIZE "$mac" "$ip"
	d0=$(guest_domid "$m")
	# The loop uses the region's first 32 MiB; the pulse, which times the disk's absence, the
	# next 16.
	pulse_start "$m" 32M 16M
	k1=$(kern_mark)
	# -s "": no ssh, the receiving end is the command "xl migrate-receive" on this host.
	tap_run_diag "xl migrate $m ($type) to this host, with its I/O in flight" \
		timeout -k 10 900 xl migrate -s "" "$m" "xl migrate-receive" ||
		tap_bail "xl migrate of $m failed"
	d1=$(guest_moved "$m" "$d0") || tap_bail "no new domain for $m"
	tap_run "the old domain $d0 and its backends are gone" wait_backends_gone "$d0" || true
	v=$(vbd_devid xvda)
	if kern_since "$k1" | grep -q "vbd $d1/$v: region also held by .*domain $d0.*the same VM" &&
		kern_since "$k1" | grep -q "vbd $d1/$v: the VM's other domain let the region go; serving it"; then
		tap_ok "the new domain $d1 got the region while the old one $d0 held it, and was served once that one was gone"
	else
		tap_not_ok "the new domain $d1 got the region while the old one $d0 held it, and was served once that one was gone" \
			"$(kern_since "$k1" | grep -i pvblk | tail -5)"
	fi
	tap_run "the migrated guest's agent answers" guest_run "$m" true || true
	tap_run "$m's I/O goes on after the migration (disk and pings)" loop_goes_on "$m" "$d1" || true
	tap_run_diag "$m's disk pulse across the migration (max_gap_ms: how long its disk was away)" \
		pulse_end "$m" || true
	loop_end "$m" "$d1" "$start"
	guest_destroy "$m" || true
}

migrate_once mpvh pvh 92G 1
# An HVM guest with PV drivers: its emulated disk (unplugged at boot) is the region's view,
# which the device model of each domain opens (Documentation/regions.md).
migrate_once mhvm hvm 93G 2
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble" || true
