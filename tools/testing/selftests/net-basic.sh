#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-basic: one guest with a vif on xenbr0 (Xen's stock vif-bridge script) and whichever vif
# backend is loaded. The vif's netdev exists, is a port of the bridge and is served by the
# expected module; the guest and the outside peer (across the emulated wire) ping each other,
# move 64 MiB each way over TCP with every byte checked, and UDP datagrams each way; the vif's
# counters account for that traffic; xl destroy leaves no netdev or backend device behind.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=nbasic
MAC=$(net_mac 16 1)
IP=$(guest_ip 1)
LEN=$((64 << 20))
UDP_N=200 UDP_SIZE=1400 UDP_MIN=180
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_net
mod=$(net_backend_wanted)
tap_plan 16

cfg=$(guest_cfg $G --vif "$(net_cfg_vif "$MAC")")
if guest_create $G "$cfg"; then
	tap_ok "xl create with vif $MAC on $PVTEST_BRIDGE"
else
	tap_bail "guest $G did not start"
fi
d=$(guest_domid $G)
vif=$(vif_name "$d" 0)
be=/local/domain/0/backend/vif/$d/0
tap_run "dom0 has the netdev $vif" test -d "/sys/class/net/$vif" || true
tap_run "$vif is a port of $PVTEST_BRIDGE" in_bridge "$vif" || true
tap_is "$(vif_driver_module "$d" 0)" "$mod" "vif-$d-0 is served by $mod" || true
tap_is "$(pvxs read "$be/state")/$(pvxs read "$be/hotplug-status")" 4/connected \
	"backend state Connected, hotplug-status connected" || true
tap_diag "frontend and backend keys:"$'\n'"$(xenstore-ls -f "/local/domain/$d/device/vif/0" 2>&1; xenstore-ls -f "$be" 2>&1)"
if out=$(guest_net_up $G "$IP" "$MAC"); then
	tap_ok "the guest's $out ($MAC) has $IP and a carrier"
else
	tap_bail "guest network: $out"
fi

declare -A before
for c in rx_bytes rx_packets tx_bytes tx_packets; do before[$c]=$(net_stat "$vif" $c); done

tap_run "the guest pings the peer $PVTEST_PEER_IP" net_ping $G "$PVTEST_PEER_IP" || true
tap_run "the peer pings the guest" net_ping peer "$IP" || true
tap_run_diag "64 MiB guest -> peer over TCP, every byte checked" net_tcp $G peer 5001 31 $LEN || true
tap_run_diag "64 MiB peer -> guest over TCP, every byte checked" net_tcp peer $G 5002 32 $LEN || true
# UDP has no retransmission: a few datagrams may be lost, none may arrive damaged.
tap_run_diag "UDP guest -> peer: $UDP_N datagrams of $UDP_SIZE bytes, >= $UDP_MIN intact, none damaged" \
	net_udp $G peer 5003 33 $UDP_SIZE $UDP_N $UDP_MIN || true
tap_run_diag "UDP peer -> guest: $UDP_N datagrams of $UDP_SIZE bytes, >= $UDP_MIN intact, none damaged" \
	net_udp peer $G 5004 34 $UDP_SIZE $UDP_N $UDP_MIN || true

# The vif's "rx" is what the guest sent, its "tx" what dom0 handed to the guest. At least the
# payloads, in at least one packet per 64 KiB (GSO) plus one per datagram.
want_b=$((LEN + UDP_MIN * UDP_SIZE)) want_p=$((LEN / 65536 + UDP_MIN))
for dir in rx tx; do
	b=$(($(net_stat "$vif" ${dir}_bytes) - ${before[${dir}_bytes]}))
	p=$(($(net_stat "$vif" ${dir}_packets) - ${before[${dir}_packets]}))
	what="from the guest"
	[ $dir = tx ] && what="to the guest"
	if [ "$b" -ge "$want_b" ] && [ "$p" -ge "$want_p" ]; then
		tap_ok "$vif ${dir}_bytes/${dir}_packets ($what) grew by $b/$p (>= $want_b/$want_p)"
	else
		tap_not_ok "$vif ${dir}_bytes/${dir}_packets ($what) grew by $b/$p (>= $want_b/$want_p)"
	fi
done

tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true
tap_run "$vif is gone from dom0" test ! -e "/sys/class/net/$vif" || true
