#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lease-hosts: region leases on a disk two servers share (pvback-lease, sanlock). Both join the
# lockspace on the shared server disk; a guest here holds its region's lease, and the second
# server refuses another VM an overlapping region; the guest migrates there and its lease goes
# with it (pvblkback there serves only once it is held); then the second server dies while it
# holds the lease, and this server may give the region to a new domain only once sanlock has
# declared the dead server's lease expired, not before. Documentation/shared-storage.md.
# pvtest-hosts: 2
# pvtest-timeout: 1300
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

M=lhost M_START=100G SIZE=64M
M_MAC=$(net_mac 97 1) M_IP=$(guest_ip 63)
# Another VM on the second server, its region overlapping the second half of M's.
O=lother O_START=$((100 * 1024 + 32))M
LEASE=/etc/xen/scripts/pvback-lease
require_pvblkback
require_net
trap 'on_host2 "pvtest_cleanup; lease_teardown" >/dev/null 2>&1 || true; pvtest_cleanup >/dev/null 2>&1 || true; lease_teardown' EXIT
net_mark_dirty
tap_plan 20

tap_run_diag "the second server answers" wait_for "on_host2 true" 900 ||
	tap_bail "no second server at $PVTEST_HOST2"

lease_setup 1
tap_run_diag "pvback-lease format: the lease area and lockspace on the shared disk, joined here" \
	$LEASE format "$PVTEST_DISK" pvlab || tap_bail "no lockspace"
tap_run_diag "the second server joins the lockspace" on_host2 "lease_setup 2 && $LEASE start" ||
	tap_bail "the second server did not join"

# A lease held here.
k0=$(kern_mark)
loop_guest $M pvh $M_START $SIZE "$M_MAC" "$M_IP"
d0=$(guest_domid $M)
tap_is "$(lease_of "$d0" xvda)" held "vbd $d0's lease key: held" || true
# shellcheck disable=SC2016 # for awk on the second server
tap_run_diag "the second server sees the lease held by host 1" \
	on_host2 "$LEASE status | awk '\$3 == \"rw\" && /host 1\$/ { f = 1 } { print } END { exit !f }'" || true

# Refused across servers: another VM, an overlapping region, on the second server.
out=$(on_host2 "cfg=\$(guest_cfg $O --type pv --disk '$(region_spec xvda "$O_START" $SIZE)') &&
	guest_create $O \"\$cfg\" 300" 2>&1) && rc=0 || rc=$?
tap_diag "$out"
tap_run "the second server refuses $O a region overlapping $M's leased one" [ "$rc" -ne 0 ] || true
tap_run "xl says why: the region overlaps one whose lease the server with host_id 1 holds" \
	grep -q "held by the server with host_id 1" <<<"$out" || true

# The lease moves with the VM.
pulse_start $M 32M 16M
move_to_host2 $M "$d0"
d1=$H2_DOMID
tap_run "the second server's vbd $d1 holds the lease" \
	on_host2 "wait_for '[ \"\$(lease_of $d1 xvda)\" = held ]' 120" || true
# shellcheck disable=SC2016 # for awk here
tap_run_diag "this server sees the lease held by host 2 now" \
	wait_for "$LEASE status | awk '\$3 == \"rw\" && /host 2\$/ { f = 1 } END { exit !f }'" 60 || true
tap_run "$M's I/O goes on on the second server" on_host2 "loop_goes_on $M $d1" || true
tap_run_diag "$M's disk pulse across the migration (max_gap_ms: the disk's absence)" \
	on_host2 "pulse_end $M" || true
tap_diag "$(grep -h pvback-lease /var/log/xen/xen-hotplug.log | tail -n 6)"
tap_diag "$(on_host2 "grep -h pvback-lease /var/log/xen/xen-hotplug.log | tail -n 6")"

# The second server dies holding the lease.
( sleep 300; ps -eo pid,ppid,stat,etime,args | sed 's/^/# ps: /' | head -n 80 >/dev/console ) &
tap_diag "$(date +%T) powering the second server off"
# Not on_host2: its answer may never come (the server dies), so a bounded socat.
printf '%s' "echo PVTEST-HOST2-KILLED >/dev/console; (sleep 3; echo o >/proc/sysrq-trigger) >/dev/null 2>&1 </dev/null &" |
	timeout -k 5 30 socat -t 30 - "TCP:$PVTEST_HOST2:7000,connect-timeout=10" >/dev/null 2>&1 || true
tk=$SECONDS
tap_diag "$(date +%T) told"
tap_run "the second server is gone" wait_for "! host2_alive" 120 || true

# A new domain of the VM here (restarted after its server died): its lease is the dead
# server's until sanlock says that server's lease expired.
cfg=$(guest_cfg $M --type pv --disk "$(region_spec xvda $M_START $SIZE)")
first=''
while :; do
	if guest_create $M "$cfg" 300 >/dev/null 2>&1; then
		break
	fi
	[ -n "$first" ] || first=$(cat "$PVTEST_XL_OUT")
	[ $((SECONDS - tk)) -lt 600 ] || break
	psleep 10
done
took=$((SECONDS - tk))
tap_diag "first attempt: $first"
tap_run "while the dead server's lease lives, the region is refused (the server with host_id 2 holds it)" \
	grep -q "held by the server with host_id 2" <<<"$first" || true
tap_run "accepted once sanlock let the dead server's lease expire ($took s after its death)" \
	eval "xl domid $M && [ $took -ge 40 ]" || true
d2=$(guest_domid $M)
tap_is "$(lease_of "$d2" xvda)" held "the new domain's vbd holds the lease" || true
tap_run "the new domain reads its disk" guest_run $M "dd if=/dev/xvda of=/dev/null bs=1M count=4 iflag=direct" ||
	true
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble here" || true
