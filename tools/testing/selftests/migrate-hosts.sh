#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# migrate-hosts: xl migrate of a PVH guest to a second server and back while its disk and
# network I/O goes on (the verified loop of vm-save). The second server (lab/boot.sh --role b)
# shares the server disk, as a SAN LUN would be, and the wire with the peer. On the second
# server pvblkback claims and serves the region the first one let go; the guest's agent
# answers there, its loop goes on (its pings now cross the wire to this server's peer), and
# this server's dom0 finds on the shared disk what the guest wrote there. Then back, and the
# loop's data is checked as in vm-save. In make check-all: the emulated CPU at times breaks a
# guest while Xen tracks its dirty pages (Documentation/lab.md, "Guest types").
# pvtest-hosts: 2
# pvtest-timeout: 1500
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

M=mhost M_START=96G SIZE=64M
M_MAC=$(net_mac 96 1) M_IP=$(guest_ip 62)
require_pvblkback
require_net
trap 'on_host2 pvtest_cleanup >/dev/null 2>&1; pvtest_cleanup >/dev/null 2>&1' EXIT
net_mark_dirty
tap_plan 18

# The second server boots beside this one; under TCG it may come up minutes later.
tap_run_diag "the second server answers" wait_for "on_host2 true" 900 ||
	tap_bail "no second server at $PVTEST_HOST2"
tap_is "$(on_host2 blk_backend_wanted)" "$(blk_backend_wanted)" \
	"the second server's vbd backend is this one's" || true

k0=$(kern_mark)
loop_guest $M pvh $M_START $SIZE "$M_MAC" "$M_IP"
d0=$(guest_domid $M)
v=$(vbd_devid xvda)
# The loop uses the region's first 32 MiB; the pulse, which times the disk's absence, the next 16.
pulse_start $M 32M 16M
move_to_host2 $M "$d0"
d1=$H2_DOMID
tap_is "$(on_host2 "xenstore-read /local/domain/0/backend/vbd/$d1/$v/region-status")" claimed \
	"the second server's vbd $d1/$v claimed the region" || true
tap_run "the guest's agent answers on the second server" on_host2 "guest_run $M true" || true
tap_run "$M's I/O goes on on the second server (disk, and pings across the wire)" \
	on_host2 "loop_goes_on $M $d1" || true
tap_run_diag "$M's disk pulse across the migration (max_gap_ms: how long its disk was away)" \
	on_host2 "pulse_end $M" || true
# What the guest wrote through the second server is on the disk both servers share.
w=$(on_host2 "pvxs read /local/domain/$d1/data/pvtest/written") || w=0
mib=$((1 << 20))
tap_run "this server reads round $w, written through the second server, on the shared disk" \
	dom0_verify $(($(to_bytes $M_START) + (w % 32) * mib)) $mib $((100 + w)) $(((w % 32) * mib)) ||
	true

on_host2 "pulse_start $M 32M 16M" || true
t0=$SECONDS
tap_run_diag "xl migrate $M back from the second server" migrate_from_host2 $M ||
	tap_bail "xl migrate back failed"
tap_diag "migration back: $((SECONDS - t0)) s"
tap_run "the second server's domain $d1 and its backends are gone" \
	on_host2 "wait_backends_gone $d1" || true
d2=$(guest_moved_from_host2 $M "$d1") || tap_bail "no domain $M back here"
tap_run "$M's I/O goes on back here" loop_goes_on $M "$d2" || true
tap_run_diag "$M's disk pulse across the migration back" pulse_end $M || true
loop_end $M "$d2" $M_START
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble here" || true
tap_is "$(on_host2 "kern_trouble -1")" "" "no kernel trouble on the second server" || true
