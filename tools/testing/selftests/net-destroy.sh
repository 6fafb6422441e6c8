#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-destroy: xl destroy of a guest while TCP transfers with the peer run at full speed in
# both directions. dom0 survives (the host also scans the console for Oops/BUG/WARNING), the
# vif, its backend device and threads go, the bridge still carries traffic, the vif backend
# module unloads and loads again, and a new guest's network then works.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=ndestroy G2=ndestroy2
IP=$(guest_ip 1)
BIG=4G # more than can flow before the destroy
FLOW=$((16 << 20))
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_net
mod=$(net_backend_wanted)
tap_plan 15

cfg=$(guest_cfg $G --vif "$(net_cfg_vif "$(net_mac 20 1)")")
if guest_create $G "$cfg"; then tap_ok "xl create $G"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
vif=$(vif_name "$d" 0)
if out=$(guest_net_up $G "$IP" "$(net_mac 20 1)"); then
	tap_ok "$G's $out has $IP"
else
	tap_bail "guest network: $out"
fi

rx0=$(net_stat "$vif" rx_bytes) tx0=$(net_stat "$vif" tx_bytes)
net_recv_start peer from-guest tcp-recv 5700 101 $BIG || tap_bail "receiver on the peer"
net_recv_start $G from-peer tcp-recv 5701 102 $BIG || tap_bail "receiver in the guest"
guest_run $G "pvnet -t 600 tcp-send $PVTEST_PEER_IP 5700 101 $BIG >/tmp/send.log 2>&1 &" ||
	tap_bail "cannot start the guest's sender"
mkdir -p "$PVTEST_RUN/net"
pvnet -n "$PVTEST_PEER_NS" -t 600 tcp-send "$IP" 5701 102 $BIG >"$PVTEST_RUN/net/destroy-send" 2>&1 &
sender=$!
net_track_pid $sender
# Full flow: both directions have moved FLOW bytes through the vif.
if wait_for "[ \$((\$(net_stat $vif rx_bytes) - $rx0)) -ge $FLOW ] &&
	[ \$((\$(net_stat $vif tx_bytes) - $tx0)) -ge $FLOW ]" 120; then
	tap_ok "transfers running both ways ($vif rx +$((($(net_stat "$vif" rx_bytes) - rx0) >> 20)) MiB, tx +$((($(net_stat "$vif" tx_bytes) - tx0) >> 20)) MiB)"
else
	tap_not_ok "transfers running both ways" "$vif rx +$(($(net_stat "$vif" rx_bytes) - rx0)), tx +$(($(net_stat "$vif" tx_bytes) - tx0)) bytes"$'\n'"$(guest_run $G cat /tmp/send.log)"
fi

t0=$SECONDS
tap_run "xl destroy in full flow: domain and backend devices gone" guest_destroy $G || true
tap_diag "destroy took $((SECONDS - t0)) s"
tap_run "$vif is gone from dom0" test ! -e "/sys/class/net/$vif" || true
# The peer's ends can only time out now: stop them and show how far they got.
_stop_pvnet $sender
wait $sender || true
net_recv_stop peer from-guest
tap_diag "peer's sender: $(cat "$PVTEST_RUN/net/destroy-send")"
tap_diag "peer's receiver: $(net_recv_result peer from-guest 30 || true)"

tap_run "dom0 (10.0.0.254 on $PVTEST_BRIDGE) still reaches the peer" net_ping dom0 "$PVTEST_PEER_IP" || true
# shellcheck disable=SC2016 # evaluated by wait_for
wait_for '[ -z "$(net_threads)" ]' 30 || true
tap_is "$(net_threads | tr '\n' ' ')" "" "no $mod thread left" || true
tap_run "rmmod $mod" rmmod "$mod" || true
tap_run "load $mod again" net_backend_load || true

cfg=$(guest_cfg $G2 --vif "$(net_cfg_vif "$(net_mac 20 2)")")
if guest_create $G2 "$cfg"; then tap_ok "xl create $G2 afterwards"; else tap_bail "guest $G2 did not start"; fi
d=$(guest_domid $G2)
tap_is "$(vif_driver_module "$d" 0)" "$mod" "$G2's vif is served by $mod" || true
if out=$(guest_net_up $G2 "$IP" "$(net_mac 20 2)"); then
	tap_ok "$G2's $out has $IP"
else
	tap_bail "$G2 network: $out"
fi
tap_run "$G2 pings the peer" net_ping $G2 "$PVTEST_PEER_IP" || true
both_ways() { net_tcp $G2 peer 5702 103 4M && net_tcp peer $G2 5703 104 4M; }
tap_run_diag "$G2: 4 MiB each way with the peer, every byte checked" both_ways || true
tap_run "xl destroy $G2" guest_destroy $G2 || true
