#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm-migrate: xl migrate of a PVH guest to this same host while its disk and network I/O goes
# on (the verified I/O loop of lifecycle, as in vm-save). While the old and the new domain of
# the VM both exist, the new one claims the very region the old one holds (pvblkback lets a
# VM's new domain have exactly its region: Documentation/regions.md); then the old one goes.
# The migrated guest's agent answers, the loop goes on, no round failed and dom0 finds the
# last rounds on the disk. In make check-all only: under TCG's nested SVM the guest at times
# triple-faults while Xen tracks its dirty pages (Documentation/lab.md, "Guest types").
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

M=mmig M_START=92G SIZE=64M
M_MAC=$(net_mac 92 1) M_IP=$(guest_ip 61)
require_pvblkback
require_net
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
net_mark_dirty
tap_plan 9

k0=$(kern_mark)
loop_guest $M pvh $M_START $SIZE "$M_MAC" "$M_IP"
d0=$(guest_domid $M)
k1=$(kern_mark)
# -s "": no ssh, the receiving end is the command "xl migrate-receive" on this host.
tap_run_diag "xl migrate $M to this host, with its I/O in flight" \
	timeout -k 10 900 xl migrate -s "" $M "xl migrate-receive" || tap_bail "xl migrate failed"
d1=$(guest_moved $M "$d0") || tap_bail "no new domain for $M"
tap_run "the old domain $d0 and its backends are gone" wait_backends_gone "$d0" || true
v=$(vbd_devid xvda)
if kern_since "$k1" | grep -q "vbd $d1/$v: region also held by .*domain $d0.*the same VM" &&
	kern_since "$k1" | grep -q "vbd $d1/$v: the VM's other domain let the region go; serving it"; then
	tap_ok "the new domain $d1 got the region while the old one $d0 held it, and was served once that one was gone"
else
	tap_not_ok "the new domain $d1 got the region while the old one $d0 held it, and was served once that one was gone" \
		"$(kern_since "$k1" | grep -i pvblk | tail -5)"
fi
tap_run "the migrated guest's agent answers" guest_run $M true || true
tap_run "$M's I/O goes on after the migration (disk and pings)" loop_goes_on $M "$d1" || true
loop_end $M "$d1" $M_START
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble" || true
