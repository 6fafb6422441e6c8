#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-hotplug: xl network-attach / network-detach of a vif, 10 times, on a running guest that
# has no other vif. Each time the vif joins xenbr0, the guest's new interface pings the peer
# and moves 1 MiB with it (the direction alternates), then the detach removes the guest's
# interface, the vif netdev and the backend device. Afterwards no vif netdev, backend device
# or backend thread is left, and the vif backend module unloads and loads again.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=nhot
IP=$(guest_ip 1)
ROUNDS=10
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_net
mod=$(net_backend_wanted)
tap_plan $((ROUNDS + 7))

cfg=$(guest_cfg $G)
if guest_create $G "$cfg"; then tap_ok "xl create without a vif"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
# retrans: TCP segments retransmitted so far (/proc/net/snmp), a hint when transfers were slow.
retrans() { awk '/^Tcp:/ && ++n == 2 { print $13 }'; }
peer_re=$(peer_run cat /proc/net/snmp | retrans)

# one_round N: attach a vif with MAC 00:16:3e:00:13:N, traffic, detach, everything gone. The
# guest's part is two commands (each costs time): the new interface up, a ping of the peer
# and its side of the transfer (odd rounds send 1 MiB to the peer, even ones receive it);
# after the detach, the receiver's verdict and the interface gone.
one_round() {
	local n=$1 mac devid vif port=$((5600 + $1)) seed=$((90 + $1)) f=/tmp/pvnet-hot-$1 xfer out
	local t0=$SECONDS
	mac=$(net_mac 19 "$n")
	net_attach $G "$(net_cfg_vif "$mac")" || { echo "network-attach failed"; return 1; }
	devid=$(backend_devices "$d" | sed -n "s/^vif-$d-//p")
	[ "$(wc -w <<<"$devid")" = 1 ] || { echo "vif backend devices of domain $d: '$devid'"; return 1; }
	vif=$(vif_name "$d" "$devid")
	in_bridge "$vif" || { echo "$vif is not in $PVTEST_BRIDGE"; return 1; }
	[ "$(vif_driver_module "$d" "$devid")" = "$mod" ] || { echo "vif-$d-$devid not served by $mod"; return 1; }
	# The peer knows the address with the MAC of the last round.
	ip -n "$PVTEST_PEER_NS" neigh flush to "$IP"
	if [ $((n % 2)) = 1 ]; then
		net_recv_start peer "hot-$n" tcp-recv $port $seed 1M >/dev/null || return 1
		xfer="pvnet -t $PVTEST_NET_TIMEOUT tcp-send $PVTEST_PEER_IP $port $seed 1M"
	else
		xfer="pvnet -t $PVTEST_NET_TIMEOUT -b $f tcp-recv $port $seed 1M >/dev/null"
	fi
	out=$(guest_run -t $((PVTEST_NET_TIMEOUT + 30)) $G "pvtest-net-up $mac $IP/24 60 &&" \
		"ping -c 2 -i 0.2 -w 32 $PVTEST_PEER_IP >/dev/null && $xfer") || {
		echo "in the guest (interface up, ping, transfer): $out"
		[ $((n % 2)) = 0 ] || net_recv_stop peer "hot-$n"
		return 1
	}
	if [ $((n % 2)) = 1 ]; then
		out=$(net_recv_result peer "hot-$n") || { echo "$out"; return 1; }
	else
		out=$(pvnet_on peer -t "$PVTEST_NET_TIMEOUT" tcp-send "$IP" $port $seed 1M) ||
			{ echo "$out"; return 1; }
	fi
	echo "$out"
	net_detach $G "$devid" || { echo "network-detach failed"; return 1; }
	xfer=true
	[ $((n % 2)) = 1 ] || xfer="pvnet -t 30 result $f"
	guest_run $G "$xfer && for i in \$(seq 300); do grep -qx $mac /sys/class/net/*/address || exit 0;" \
		"sleep 0.1; done; echo the guest still has $mac; exit 1" || return 1
	echo "round $n: vif devid $devid ($vif), $((SECONDS - t0)) s"
}
for n in $(seq $ROUNDS); do
	tap_run_diag "round $n: network-attach, ping + 1 MiB with the peer, network-detach" \
		one_round "$n" || true
done

tap_diag "TCP segments retransmitted in the rounds: guest $(guest_run $G cat /proc/net/snmp | retrans)," \
	"peer $(($(peer_run cat /proc/net/snmp | retrans) - peer_re))"
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true
tap_is "$(backend_devices | grep -c '^vif' || true)" 0 "no vif backend device left" || true
tap_is "$(find /sys/class/net -maxdepth 1 -name 'vif*' | wc -l)" 0 "no vif netdev left" || true
# shellcheck disable=SC2016 # evaluated by wait_for
wait_for '[ -z "$(net_threads)" ]' 30 || true
tap_is "$(net_threads | tr '\n' ' ')" "" "no $mod thread left" || true
tap_run "rmmod $mod" rmmod "$mod" || true
tap_run "load $mod again" net_backend_load || true
