#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-stall: a guest whose frontend stops taking packets (xl pause: its vCPU stops, so it
# posts no more RX buffers) while the peer floods it with UDP for 20 s (a static neighbour
# entry on the peer: no ARP needed). The queue towards the guest must stay bounded: dom0's
# MemAvailable may drop, and its Slab grow, by less than 64 MiB; the vif must show that it
# drops (tx_dropped/rx_dropped, its qdisc's drops) or that it took the carrier off. With the
# backend's stall timeout set to 5 s (xen-netback: rx_stall_timeout_msecs, read-only, so the
# module is loaded again with it; pvnetback: rx_stall_timeout_ms, written when writable), the
# carrier must go off (carrier_down_count grows). After xl unpause the carrier is on again and
# the guest pings the peer.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=nstall
IP=$(guest_ip 1)
MAC=$(net_mac 22 1)
FLOOD_SECS=20 FLOOD_SIZE=1400
BOUND_MIB=64
STALL_MS=5000
mod=$(net_backend_wanted)
param=rx_stall_timeout_msecs
[ "$mod" = pvnetback ] && param=rx_stall_timeout_ms
pfile=/sys/module/$mod/parameters/$param
old=
restore() {
	[ -z "$old" ] || echo "$old" >"$pfile"
	pvtest_cleanup >/dev/null 2>&1
}
trap restore EXIT
require_net
net_mark_dirty
tap_plan 12

# The stall timeout: written if the parameter is writable, else the module is loaded again
# with it (no guest uses it yet; pvtest_cleanup loads it again without).
stall=1 cur=
[ ! -e "$pfile" ] || read -r cur <"$pfile"
if [ -n "$cur" ] && (echo $STALL_MS >"$pfile") 2>/dev/null; then
	old=$cur
	# Should the restore not run (a timeout), pvtest_cleanup loads the module again.
	echo "$param=$STALL_MS" >"$PVTEST_RUN/net.params"
	tap_is "$(cat "$pfile")" $STALL_MS "$mod $param written: $STALL_MS (was $old)" || true
elif [ -n "$cur" ]; then
	net_backend_load "$param=$STALL_MS" || true
	tap_is "$(cat "$pfile" 2>/dev/null)" $STALL_MS "$mod loaded again with $param=$STALL_MS" || true
else
	stall=0
	tap_skip "stall timeout $STALL_MS ms" "$mod has no parameter $param"
fi

cfg=$(guest_cfg $G --vif "$(net_cfg_vif "$MAC")")
if guest_create $G "$cfg"; then tap_ok "xl create $G"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
vif=$(vif_name "$d" 0)
out=$(guest_net_up $G "$IP" "$MAC") || tap_bail "guest network: $out"
tap_run "the guest pings the peer (and the bridge learns its MAC)" net_ping $G "$PVTEST_PEER_IP" || true
ip -n "$PVTEST_PEER_NS" neigh replace "$IP" lladdr "$MAC" dev "$PVTEST_PEER_IF" nud permanent

# qdisc_drops DEV: packets the root qdisc of DEV dropped.
qdisc_drops() { tc -s qdisc show dev "$1" | awk '/dropped/ { sub(",", "", $7); print $7 + 0; exit }'; }
# counters: the vif's and its qdisc's numbers, "name=value ...".
counters() {
	local c s=''
	for c in tx_packets tx_dropped rx_dropped; do s+="$c=$(net_stat "$vif" $c) "; done
	s+="carrier_down_count=$(net_attr "$vif" carrier_down_count) "
	echo "${s}qdisc_dropped=$(qdisc_drops "$vif") uplink_rx_packets=$(net_stat $PVTEST_UPLINK rx_packets)"
}
# delta BEFORE AFTER NAME: how much counter NAME grew.
delta() {
	local b a
	b=$(sed -n "s/.*\b$3=\([0-9]*\).*/\1/p" <<<"$1")
	a=$(sed -n "s/.*\b$3=\([0-9]*\).*/\1/p" <<<"$2")
	echo $((a - b))
}

avail0=$(meminfo MemAvailable) slab0=$(meminfo Slab)
c0=$(counters)
tap_run "xl pause $G" xl pause $G || tap_bail "cannot pause $G"
mkdir -p "$PVTEST_RUN/net"
pvnet -n "$PVTEST_PEER_NS" udp-flood "$IP" 9 $FLOOD_SIZE $FLOOD_SECS >"$PVTEST_RUN/net/flood" 2>&1 &
flood=$!
net_track_pid $flood
# Sample while the flood lasts (a measurement, not a synchronisation).
avail_min=$avail0 slab_max=$slab0 off_at=
t0=$SECONDS
while kill -0 $flood 2>/dev/null; do
	a=$(meminfo MemAvailable) s=$(meminfo Slab)
	[ "$a" -ge "$avail_min" ] || avail_min=$a
	[ "$s" -le "$slab_max" ] || slab_max=$s
	[ -n "$off_at" ] || [ "$(net_attr "$vif" carrier)" != 0 ] || off_at=$((SECONDS - t0))
	psleep 1
done
wait $flood || true
c1=$(counters)
tap_diag "flood: $(cat "$PVTEST_RUN/net/flood")"
tap_diag "before: $c0"$'\n'"after:  $c1"
tap_diag "MemAvailable $((avail0 >> 10)) MiB, lowest $((avail_min >> 10)) MiB; Slab $((slab0 >> 10)) MiB, highest $((slab_max >> 10)) MiB"

up=$(delta "$c0" "$c1" uplink_rx_packets)
if [ "$up" -ge 1000 ]; then
	tap_ok "the flood reached dom0 ($PVTEST_UPLINK rx_packets +$up)"
else
	tap_not_ok "the flood reached dom0 ($PVTEST_UPLINK rx_packets +$up)"
fi
desc="dom0 memory stays bounded: MemAvailable -$(((avail0 - avail_min) >> 10)) MiB, Slab +$(((slab_max - slab0) >> 10)) MiB (< $BOUND_MIB each)"
if [ $(((avail0 - avail_min) >> 10)) -lt $BOUND_MIB ] && [ $(((slab_max - slab0) >> 10)) -lt $BOUND_MIB ]; then
	tap_ok "$desc"
else
	tap_not_ok "$desc"
fi
drops=$(($(delta "$c0" "$c1" tx_dropped) + $(delta "$c0" "$c1" rx_dropped) + $(delta "$c0" "$c1" qdisc_dropped)))
downs=$(delta "$c0" "$c1" carrier_down_count)
desc="the vif drops for the stalled guest (tx_dropped+rx_dropped+qdisc +$drops) or takes its carrier off"
desc+=" (carrier_down_count +$downs)"
if [ "$drops" -gt 0 ] || [ "$downs" -gt 0 ]; then tap_ok "$desc"; else tap_not_ok "$desc"; fi
tap_diag "packets handed to the paused guest: $(delta "$c0" "$c1" tx_packets)"
# xen-netback turns it on again as soon as its queue is empty (the drain timeout empties it),
# so a sample may miss it: carrier_down_count counts every time it went off.
if [ "$stall" = 1 ]; then
	desc="the carrier of $vif went off during the stall (carrier_down_count +$downs"
	desc+="${off_at:+, seen off after $off_at s}; stall timeout $STALL_MS ms)"
	if [ "$downs" -gt 0 ]; then tap_ok "$desc"; else tap_not_ok "$desc"; fi
else
	tap_skip "carrier of $vif went off during the stall" "no stall timeout parameter"
fi

tap_run "xl unpause $G" xl unpause $G || true
tap_run "$vif has its carrier again" wait_for "[ \"\$(net_attr $vif carrier)\" = 1 ]" 60 || true
tap_run "the guest pings the peer again" net_ping $G "$PVTEST_PEER_IP" || true
tap_diag "MemAvailable now $(($(meminfo MemAvailable) >> 10)) MiB, Slab $(($(meminfo Slab) >> 10)) MiB"
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true
