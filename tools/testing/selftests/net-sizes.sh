#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-sizes: packets from 1 byte to 64 KiB between a guest and the peer, both ways. UDP
# payloads of 1, 100, 1472 (the largest unfragmented at MTU 1500), 1473 (two fragments), 8000
# and 65507 bytes (the largest) arrive intact; pings of 1 to 65000 data bytes are answered;
# TCP works with 1-byte writes (TCP_NODELAY: tiny segments) and 1 MiB writes (GSO). Then a
# jumbo MTU of 9000 on the whole path (guest eth0, the vif, xenbr0, dom0's e1000, the peer's
# e1000): 8972-byte datagrams (the largest unfragmented) cross as single frames, 65507-byte
# ones, big pings and TCP still arrive intact; MTU 1500 again and the path still works.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=nsizes
MAC=$(net_mac 18 1)
IP=$(guest_ip 1)
UDP_SIZES=(1 100 1472 1473 8000 65507)
PING_SIZES=(1 56 1472 1473 8000 32000 65000)
JUMBO=9000
UDP_N=10 UDP_MIN=8
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_net
NJUMBO=9 # checks at MTU 9000
tap_plan $((2 + 2 * ${#UDP_SIZES[@]} + 2 + 4 + 1 + NJUMBO + 3))

cfg=$(guest_cfg $G --vif "$(net_cfg_vif "$MAC")")
if guest_create $G "$cfg"; then tap_ok "xl create with a vif"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
vif=$(vif_name "$d" 0)
if gif=$(guest_net_up $G "$IP" "$MAC"); then
	tap_ok "the guest's $gif has $IP"
else
	tap_bail "guest network: $gif"
fi

port=5400
seed=70
# udp_check DESC NET_UDP-ARGS...: a net_udp check; the receiver's notes (datagrams late or
# twice, which UDP allows) show either way.
udp_check() {
	local desc=$1 out rc=0 note
	shift
	out=$(net_udp "$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$desc"
		if note=$(grep 'note:' <<<"$out"); then tap_diag "$note"; fi
	else
		tap_not_ok "$desc" "command failed (rc=$rc): net_udp $*"$'\n'"$out"
	fi
}

# udp_both SIZE: COUNT datagrams of SIZE bytes each way.
udp_both() {
	port=$((port + 2)) seed=$((seed + 2))
	udp_check "UDP $1 bytes guest -> peer: >= $UDP_MIN of $UDP_N intact, none damaged" \
		$G peer $port $seed "$1" $UDP_N $UDP_MIN
	udp_check "UDP $1 bytes peer -> guest: >= $UDP_MIN of $UDP_N intact, none damaged" \
		peer $G $((port + 1)) $((seed + 1)) "$1" $UDP_N $UDP_MIN
}

# ping_sizes WHO ADDRESS SIZE...: WHO (peer or the guest) pings ADDRESS twice with each size.
ping_sizes() {
	local who=$1 a=$2
	shift 2
	net_ping "$who" "$a" 2 "$@"
}

# ping_both SIZE...: the guest pings the peer and the peer the guest, with each size.
ping_both() { ping_sizes $G "$PVTEST_PEER_IP" "$@" && ping_sizes peer "$IP" "$@"; }

t0=$SECONDS
for s in "${UDP_SIZES[@]}"; do udp_both "$s"; done
tap_diag "UDP sizes: $((SECONDS - t0)) s"
t0=$SECONDS
tap_run "the guest pings the peer with ${PING_SIZES[*]} data bytes" \
	ping_sizes $G "$PVTEST_PEER_IP" "${PING_SIZES[@]}" || true
tap_run "the peer pings the guest with ${PING_SIZES[*]} data bytes" \
	ping_sizes peer "$IP" "${PING_SIZES[@]}" || true
tap_diag "pings: $((SECONDS - t0)) s"
tap_run_diag "TCP guest -> peer, 8 KiB in 1-byte writes (TCP_NODELAY)" \
	net_tcp $G peer 5501 81 8K -w 1 -N || true
tap_run_diag "TCP peer -> guest, 8 KiB in 1-byte writes (TCP_NODELAY)" \
	net_tcp peer $G 5502 82 8K -w 1 -N || true
tap_run_diag "TCP guest -> peer, 16 MiB in 1 MiB writes" net_tcp $G peer 5503 83 16M -w 1M || true
tap_run_diag "TCP peer -> guest, 16 MiB in 1 MiB writes" net_tcp peer $G 5504 84 16M -w 1M || true

# set_mtu_all MTU: the whole path, then wait for the e1000s' links (a new MTU resets them).
net_mark_dirty
set_mtu_all() {
	local m=$1 got
	guest_run $G ip link set dev "$gif" mtu "$m" || return 1
	ip link set dev "$vif" mtu "$m" || return 1
	net_set_mtu "$m" || return 1
	wait_for "[ \"\$(net_attr $PVTEST_UPLINK carrier)\" = 1 ]" 60 || { echo "no carrier on $PVTEST_UPLINK"; return 1; }
	wait_for "peer_run cat /sys/class/net/$PVTEST_PEER_IF/carrier | grep -qx 1" 60 ||
		{ echo "no carrier on the peer's $PVTEST_PEER_IF"; return 1; }
	got="guest:$(guest_run $G cat "/sys/class/net/$gif/mtu") $vif:$(net_attr "$vif" mtu)"
	got+=" $PVTEST_BRIDGE:$(net_attr $PVTEST_BRIDGE mtu) $PVTEST_UPLINK:$(net_attr $PVTEST_UPLINK mtu)"
	got+=" peer:$(peer_run cat /sys/class/net/$PVTEST_PEER_IF/mtu)"
	echo "$got"
	[ "$got" = "guest:$m $vif:$m $PVTEST_BRIDGE:$m $PVTEST_UPLINK:$m peer:$m" ]
}

t0=$SECONDS
if tap_run "MTU $JUMBO on guest $gif, $vif, $PVTEST_BRIDGE, $PVTEST_UPLINK and the peer's $PVTEST_PEER_IF" \
	set_mtu_all $JUMBO; then
	big=$((JUMBO - 28))
	# One frame per datagram now: the vif counts about one packet per datagram, not 7.
	p0=$(net_stat "$vif" rx_packets)
	udp_both $big
	p=$(($(net_stat "$vif" rx_packets) - p0))
	if [ "$p" -le $((2 * UDP_N)) ]; then
		tap_ok "$big-byte datagrams left the guest unfragmented ($vif rx_packets +$p for $UDP_N)"
	else
		tap_not_ok "$big-byte datagrams left the guest unfragmented ($vif rx_packets +$p for $UDP_N)"
	fi
	udp_both 65507
	tap_run "jumbo: the guest pings the peer with $big and 65000 data bytes" \
		ping_sizes $G "$PVTEST_PEER_IP" $big 65000 || true
	tap_run "jumbo: the peer pings the guest with $big and 65000 data bytes" \
		ping_sizes peer "$IP" $big 65000 || true
	tap_run_diag "jumbo: TCP guest -> peer, 16 MiB" net_tcp $G peer 5505 85 16M || true
	tap_run_diag "jumbo: TCP peer -> guest, 16 MiB" net_tcp peer $G 5506 86 16M || true
else
	for t in $(seq $NJUMBO); do tap_skip "jumbo check $t" "MTU $JUMBO could not be set"; done
fi

tap_diag "at MTU $JUMBO: $((SECONDS - t0)) s"
if tap_run "MTU 1500 again on the whole path" set_mtu_all 1500; then
	tap_run "after that, pings of 1473 and 8000 data bytes both ways" ping_both 1473 8000 || true
else
	tap_skip "after that, pings of 1473 and 8000 data bytes both ways" "MTU 1500 could not be set"
fi
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true
