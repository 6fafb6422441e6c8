#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-rate: the vif's "rate" limit (xl: rate=RATE/s@INTERVAL; libxl writes the backend key
# rate = "BYTES,USECS", the credit per interval) caps what the guest sends. First the
# unlimited guest -> peer TCP throughput of this boot is measured; the limit is then the
# largest of 8/4/2 Mbit/s that the machine exceeds eightfold (TCG's speed swings 2-4x, and a
# guest that stalls for longer than the backend's burst allowance loses that credit), and with
# a vif of that limit a transfer of ~12 s must run at the limit +-10%, counted in frame bytes
# as the limit is (the receiver's payload rate times the vif's rx bytes per payload byte).
# The interval is 40 ms: the credit per interval stays under 64 KiB, so xen-netback's burst
# cap (128 KiB) never cuts the credit left over from an interval (at most one GSO packet,
# 64 KiB), and it is a whole number of jiffies at HZ 100, 250 and 1000 (xen-netback rounds the
# interval up to jiffies: xl's default 50 ms is 52 ms at HZ 250, 4% slow).
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=nrate
IP=$(guest_ip 1)
MAC1=$(net_mac 21 1) MAC2=$(net_mac 21 2)
INTERVAL_MS=40
SECS=12
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_net
tap_plan 7

cfg=$(guest_cfg $G --vif "$(net_cfg_vif "$MAC1")")
if guest_create $G "$cfg"; then tap_ok "xl create with an unlimited vif"; else tap_bail "guest $G did not start"; fi
d=$(guest_domid $G)
out=$(guest_net_up $G "$IP" "$MAC1") || tap_bail "guest network: $out"

# mbit REPORT: the receiver's Mbit/s (pvnet's "tcp-recv: ok ... mbit=X"), as an integer.
mbit() { sed -n 's/^tcp-recv: ok .* mbit=\([0-9]*\).*/\1/p' <<<"$1"; }

if out=$(net_tcp $G peer 5800 111 32M); then
	unl=$(mbit "$out")
	tap_ok "unlimited: 32 MiB guest -> peer at $unl Mbit/s"
else
	tap_bail "unlimited transfer failed: $out"
fi
limit=
for r in 8 4 2; do
	if [ $((8 * r)) -le "$unl" ]; then
		limit=$r
		break
	fi
done
if [ -z "$limit" ]; then
	tap_diag "unlimited throughput $unl Mbit/s is below 8 x 2 Mbit/s: no limit can be told apart"
	for c in detach attach key transfer destroy; do tap_skip "rate check: $c" "machine too slow ($unl Mbit/s)"; done
	exit 0
fi
tap_diag "unlimited $unl Mbit/s: testing a limit of $limit Mbit/s"

tap_run "network-detach of the unlimited vif" net_detach $G 0 || true
vspec=$(net_cfg_vif "$MAC2" "rate=${limit}Mb/s@${INTERVAL_MS}ms")
tap_run "network-attach '$vspec'" net_attach $G "$vspec" || tap_bail "no vif with a rate limit"
devid=$(backend_devices "$d" | sed -n "s/^vif-$d-//p")
# Mbit/s are 10^6 bits: per interval limit * 10^6 / 8 * INTERVAL_MS / 1000 bytes.
want_bytes=$((limit * 125 * INTERVAL_MS)) want_us=$((INTERVAL_MS * 1000))
key=$(pvxs read "/local/domain/0/backend/vif/$d/$devid/rate" || true)
tap_is "$key" "$want_bytes,$want_us" "backend key rate of vif-$d-$devid is bytes,usecs per interval" || true
[[ $key =~ ^[1-9][0-9]*,[1-9][0-9]*$ ]] || tap_bail "no usable rate key: '$key'"
out=$(guest_net_up $G "$IP" "$MAC2") || tap_bail "guest network: $out"

# What the key says, in bytes per second, decides; SECS seconds' worth of it is sent.
bps=$((${key%,*} * 1000000 / ${key#*,}))
len=$((bps * SECS))
vif=$(vif_name "$d" "$devid")
rx0=$(net_stat "$vif" rx_bytes)
if out=$(net_tcp $G peer 5801 112 $len); then
	rx=$(($(net_stat "$vif" rx_bytes) - rx0))
	# The payload rate the receiver saw, times frame bytes per payload byte, in kbit/s.
	k=$(sed -n 's/^tcp-recv: ok .* mbit=\([0-9.]*\).*/\1/p' <<<"$out" |
		awk -v rx="$rx" -v len="$len" '{ printf "%d", $1 * 1000 * rx / len }')
	lim=$((bps * 8 / 1000))
	desc="limited: $((len >> 20)) MiB guest -> peer at $((k / 1000)).$((k % 1000 / 100)) Mbit/s in frames"
	desc+=", limit $((lim / 1000)) Mbit/s +-10%"
	if [ "${k:-0}" -ge $((lim * 9 / 10)) ] && [ "${k:-0}" -le $((lim * 11 / 10)) ]; then
		tap_ok "$desc"
		tap_diag "$out"$'\n'"$vif rx_bytes +$rx for $len bytes of payload"
	else
		tap_not_ok "$desc" "$out"$'\n'"$vif rx_bytes +$rx for $len bytes of payload"
	fi
else
	tap_not_ok "limited transfer of $len bytes" "$out"
fi
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true
