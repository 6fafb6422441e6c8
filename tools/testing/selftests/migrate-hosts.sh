#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# migrate-hosts: xl migrate of a PVH guest, then of an HVM guest with PV drivers, to a second
# server and back while its disk and network I/O goes on (the verified loop of vm-save). The
# second server (lab/boot.sh --role b) shares the server disk, as a SAN LUN would be, and the
# wire with the peer. On the second server pvblkback claims and serves the region the first
# one let go (for the HVM guest, with the device model's view of it made there); the guest's
# agent answers, its loop goes on (its pings now cross the wire to this server's peer), and
# this server's dom0 finds on the shared disk what the guest wrote there. Then back, and the
# loop's data is checked as in vm-save. In make check-all: the emulated CPU at times breaks a
# guest while Xen tracks its dirty pages (Documentation/lab.md, "Guest types").
# pvtest-hosts: 2
# pvtest-timeout: 2700
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

SIZE=64M
require_pvblkback
require_net
trap 'on_host2 pvtest_cleanup >/dev/null 2>&1; pvtest_cleanup >/dev/null 2>&1' EXIT
net_mark_dirty
tap_plan 34

# The second server boots beside this one; under TCG it may come up minutes later.
tap_run_diag "the second server answers" wait_for "on_host2 true" 900 ||
	tap_bail "no second server at $PVTEST_HOST2"
tap_is "$(on_host2 blk_backend_wanted)" "$(blk_backend_wanted)" \
	"the second server's vbd backend is this one's" || true

k0=$(kern_mark)
# there_and_back NAME TYPE START N IP: a guest of TYPE with its loop running migrates to the
# second server and back (15 checks).
there_and_back() {
	local m=$1 type=$2 start=$3 mac ip d0 d1 d2 v w t0 mib=$((1 << 20)) view
	mac=$(net_mac 96 "$4") ip=$(guest_ip "$5")
	loop_guest "$m" "$type" "$start" $SIZE "$mac" "$ip"
	d0=$(guest_domid "$m")
	v=$(vbd_devid xvda)
	# The loop uses the region's first 32 MiB; the pulse, which times the disk's absence, the
	# next 16.
	pulse_start "$m" 32M 16M
	move_to_host2 "$m" "$d0"
	d1=$H2_DOMID
	tap_is "$(on_host2 "xenstore-read /local/domain/0/backend/vbd/$d1/$v/region-status")" claimed \
		"the second server's vbd $d1/$v claimed $m's region" || true
	if [ "$type" = hvm ]; then
		# The device model there opens the region through a view made there.
		view=/dev/mapper/pvback-$d1-$v
		tap_run "the second server made the device model's view $view of the region" \
			on_host2 "[ -b $view ] && [ \$(blockdev --getsz $view) -eq $(($(to_bytes $SIZE) / 512)) ]" ||
			true
	else
		tap_run "no view of the PVH guest's region on the second server" \
			on_host2 "[ ! -e /dev/mapper/pvback-$d1-$v ]" || true
	fi
	tap_run "$m's agent answers on the second server" on_host2 "guest_run $m true" || true
	tap_run "$m's I/O goes on on the second server (disk, and pings across the wire)" \
		on_host2 "loop_goes_on $m $d1" || true
	tap_run_diag "$m's disk pulse across the migration (max_gap_ms: how long its disk was away)" \
		on_host2 "pulse_end $m" || true
	# What the guest wrote through the second server is on the disk both servers share.
	w=$(on_host2 "pvxs read /local/domain/$d1/data/pvtest/written") || w=0
	tap_run "this server reads $m's round $w, written through the second server, on the shared disk" \
		dom0_verify $(($(to_bytes "$start") + (w % 32) * mib)) $mib $((100 + w)) $(((w % 32) * mib)) ||
		true

	on_host2 "pulse_start $m 32M 16M" || true
	t0=$SECONDS
	tap_run_diag "xl migrate $m back from the second server" migrate_from_host2 "$m" ||
		tap_bail "xl migrate back failed"
	tap_diag "migration back: $((SECONDS - t0)) s"
	# The view goes in the hotplug script's remove, which runs after the backends have gone.
	tap_run "the second server's domain $d1, its backends and any view are gone" \
		on_host2 "wait_backends_gone $d1 && wait_for '[ ! -e /dev/mapper/pvback-$d1-$v ]' 60" || true
	d2=$(guest_moved_from_host2 "$m" "$d1") || tap_bail "no domain $m back here"
	tap_run "$m's I/O goes on back here" loop_goes_on "$m" "$d2" || true
	tap_run_diag "$m's disk pulse across the migration back" pulse_end "$m" || true
	loop_end "$m" "$d2" "$start"
	guest_destroy "$m" || true
}

there_and_back mhost pvh 96G 1 62
there_and_back mhvm hvm 97G 2 65
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble here" || true
tap_is "$(on_host2 "kern_trouble -1")" "" "no kernel trouble on the second server" || true
