#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lifecycle: attach, detach and destroy in loops, with nothing leaked (the transitions of
# Documentation/security.md). A guest keeps verified disk and network I/O going on its own
# disk and NIC the whole time, while dom0:
#   - attaches and detaches a second disk (a region) to it PVTEST_LIFECYCLE_ROUNDS times,
#     then a second NIC as many times (10; make check-all: 100);
#   - PVTEST_LIFECYCLE_DESTROYS times (3; make check-all: 20) starts a guest without
#     frontends that keeps its disk's ring full of writes and floods its NIC, and destroys
#     it in the middle: its domain goes completely (no grant of it left mapped).
# Then dom0's MemAvailable and unreclaimable slab, the grants of the first guest mapped by
# others, and the backends' threads are back to their baseline; the guest's I/O never
# failed and dom0 finds its data on the disk; no kernel trouble.
# pvtest-timeout: 7200
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${PVTEST_LIFECYCLE_ROUNDS:-10} DESTROYS=${PVTEST_LIFECYCLE_DESTROYS:-3}
G=life X=lifex
G_START=3500M G_SIZE=64M B_START=3600M B_SIZE=16M X_START=3700M X_SIZE=64M
G_MAC=$(net_mac 70 1) G_MAC2=$(net_mac 70 2) X_MAC=$(net_mac 71 1)
G_IP=$(guest_ip 50) X_IP=$(guest_ip 51)
# As hostile: xenstored and the page cache move a little on their own.
MEM_TOL_MIB=32 SLAB_TOL_MIB=8
# The guest's own xen-netfront (Debian 12's 6.1) keeps about 1 MiB per NIC it detaches, the
# same with xen-netback as with pvnetback (Documentation/security.md): G gets room for it,
# else the 100 rounds of make check-all end in its OOM panic.
G_MEM=$((192 + 2 * ROUNDS))

require_pvblkback
require_net
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
net_mark_dirty
tap_plan 11

# ---- the guest, its I/O loop, the baseline
cfg=$(guest_cfg $G --memory $G_MEM --disk "$(region_spec xvda $G_START $G_SIZE)" --vif "$(net_cfg_vif "$G_MAC")")
guest_create $G "$cfg" || tap_bail "guest $G did not start"
gd=$(guest_domid $G)
out=$(guest_net_up $G "$G_IP" "$G_MAC") || tap_bail "$G's network: $out"
GX=/local/domain/$gd/data/pvtest
# Detached from the agent, which stays free for the checks below.
loop_start $G "$gd"
if loop_goes_on $G "$gd"; then
	tap_ok "guest $G does verified disk and network I/O"
else
	tap_bail "$G's I/O loop does not run: $(pvxs read "$GX/nfail" 2>&1)"
fi
k0=$(kern_mark)
avail0=$(meminfo MemAvailable) sunr0=$(meminfo SUnreclaim)
grants0=$(grants_mapped "$gd") || tap_bail "cannot read Xen's grant table dump ('g')"
blk0=$(pvblk_threads | wc -l) net0=$(net_threads | wc -l)
tap_diag "baseline: MemAvailable $((avail0 >> 10)) MiB, SUnreclaim $((sunr0 >> 10)) MiB, $grants0 grants of $G mapped, $blk0 pvblk and $net0 vif threads"

# ---- a second disk, attached and detached ROUNDS times
bad='' t0=$SECONDS
vbe=/local/domain/0/backend/vbd/$gd/$(vbd_devid xvdb)
for ((r = 1; r <= ROUNDS; r++)); do
	if ! timeout -k 10 120 xl block-attach $G "$(region_spec xvdb $B_START $B_SIZE)"; then
		bad="round $r: xl block-attach failed"
		break
	fi
	if ! xs_wait "$vbe/state" 60 4; then
		bad="round $r: the disk did not connect (state $(xenstore-read "$vbe/state" 2>&1))"
		break
	fi
	if ! timeout -k 10 120 xl block-detach $G xvdb || ! xs_wait_gone "$vbe" 60; then
		bad="round $r: xl block-detach failed or left $vbe"
		break
	fi
done
if [ -z "$bad" ]; then
	tap_ok "$ROUNDS attaches and detaches of a disk to $G in $((SECONDS - t0)) s"
else
	tap_not_ok "$ROUNDS attaches and detaches of a disk to $G" "$bad"
fi

# ---- a second NIC, attached and detached ROUNDS times
bad='' t0=$SECONDS
g_avail() { guest_run $G "awk '/^MemAvailable:/ { print int(\$2 / 1024) }' /proc/meminfo"; }
gm0=$(g_avail) || gm0='?'
nbe=/local/domain/0/backend/vif/$gd/1
for ((r = 1; r <= ROUNDS; r++)); do
	if ! net_attach $G "$(net_cfg_vif "$G_MAC2"),devid=1"; then
		bad="round $r: xl network-attach failed"
		break
	fi
	if ! xs_wait "$nbe/state" 60 4; then
		bad="round $r: the NIC did not connect (state $(xenstore-read "$nbe/state" 2>&1))"
		break
	fi
	if ! out=$(net_detach $G 1); then
		bad="round $r: $out"
		break
	fi
done
if [ -z "$bad" ]; then
	tap_ok "$ROUNDS attaches and detaches of a NIC to $G in $((SECONDS - t0)) s"
	tap_diag "$G's own MemAvailable: $gm0 MiB before the NIC rounds, $(g_avail || echo '?') MiB after (its frontend's, not dom0's)"
else
	tap_not_ok "$ROUNDS attaches and detaches of a NIC to $G" "$bad"
fi

# ---- a guest destroyed with a full ring and a flood in flight, DESTROYS times
bad='' t0=$SECONDS
xcfg=$(guest_cfg $X --extra pvtest.nofront --disk "$(region_spec xvda $X_START $X_SIZE)" \
	--vif "$(net_cfg_vif "$X_MAC")")
ip -n "$PVTEST_PEER_NS" neigh replace "$X_IP" lladdr "$X_MAC" dev "$PVTEST_PEER_IF" nud permanent
for ((r = 1; r <= DESTROYS; r++)); do
	if ! guest_create $X "$xcfg"; then
		bad="round $r: $X did not start"
		break
	fi
	xd=$(guest_domid $X)
	wr0=$(vbd_attr "$xd" xvda statistics/wr_req)
	# One agent command with both floods in it; it never returns (the domain dies).
	bg_start fl guest_run -t 600 $X "pvhostile blk flood $(vbd_devid xvda) secs=0 & pvhostile net flood 0 ip=$X_IP peer=$PVTEST_PEER_IP secs=0; wait"
	if ! wait_for "[ \$(vbd_attr $xd xvda statistics/wr_req) -gt $((wr0 + 100)) ] && [ \$(net_stat $(vif_name "$xd" 0) rx_packets) -gt 0 ]" 120; then
		bad="round $r: $X's floods did not start: $(bg_result fl 1)"
		break
	fi
	timeout -k 10 60 xl destroy $X || bad="round $r: xl destroy failed; "
	rm -f "$PVTEST_RUN/domid.$X"
	# A grant still mapped by a backend keeps a dying domain around ("(null)" in xl list).
	if ! wait_for "! xl list | awk 'NR > 1' | grep -qE '^\\(null\\)|^$X '" 120 ||
		! xs_wait_gone "/local/domain/$xd" 30 || ! wait_backends_gone "$xd" 120; then
		bad+="round $r: domain $xd or its backends are not gone: $(xl list 2>&1 | tail -n +2)"
		break
	fi
	bg_result fl 5 >/dev/null 2>&1 || true
	[ -z "$bad" ] || break
done
if [ -z "$bad" ]; then
	tap_ok "$DESTROYS guests destroyed with a full ring and a flood in flight, each gone completely, in $((SECONDS - t0)) s"
else
	tap_not_ok "$DESTROYS guests destroyed with I/O in flight, each gone completely" "$bad"
fi

# ---- back to the baseline
# Teardown drains in the background: the threads go when their last I/O has ended.
tap_is "$(pvblk_threads_left "$blk0")" "$blk0" "pvblkback's ring threads are back to $blk0" || true
wait_for "[ \$(net_threads | wc -l) -le $net0 ]" 60 || true
tap_is "$(net_threads | wc -l)" "$net0" "the vif backend's threads are back to $net0" || true
tap_is "$(grants_mapped "$gd")" "$grants0" "$G's grants mapped by others are back to $grants0" || true
avail1=$(meminfo MemAvailable) sunr1=$(meminfo SUnreclaim)
if [ $(((avail0 - avail1) >> 10)) -le $MEM_TOL_MIB ] && [ $(((sunr1 - sunr0) >> 10)) -le $SLAB_TOL_MIB ]; then
	tap_ok "dom0 memory is back: MemAvailable $(((avail1 - avail0) >> 10)) MiB (>= -$MEM_TOL_MIB), unreclaimable slab +$(((sunr1 - sunr0) >> 10)) MiB (<= $SLAB_TOL_MIB)"
else
	tap_not_ok "dom0 memory is back to its baseline" \
		"MemAvailable -$(((avail0 - avail1) >> 10)) MiB, SUnreclaim +$(((sunr1 - sunr0) >> 10)) MiB"
fi

# ---- the guest's I/O and the disk
loop_end $G "$gd" $G_START
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble" || true
