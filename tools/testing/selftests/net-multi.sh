#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# net-multi: three guests at once on xenbr0. Each pings the peer and the two others, then all
# nine TCP transfers run at the same time, 8 MiB each with every byte checked: every guest to
# the peer, the peer to every guest, and each guest to the next one (over the bridge only).
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

GS=(nm1 nm2 nm3)
N=${#GS[@]}
LEN=$((8 << 20))
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
require_net
mod=$(net_backend_wanted)
tap_plan $((6 * N + 2))

# Guest i (0-based) is GS[i], address guest_ip i+1, MAC net_mac 17 i+1.
mac() { net_mac 17 $(($1 + 1)); }
next() { echo $((($1 + 1) % N)); }

for i in "${!GS[@]}"; do
	cfg=$(guest_cfg "${GS[i]}" --vif "$(net_cfg_vif "$(mac "$i")")")
	bg_start "create-$i" guest_create "${GS[i]}" "$cfg"
done
for i in "${!GS[@]}"; do
	if out=$(bg_result "create-$i"); then
		tap_ok "xl create ${GS[i]} (started together with the others)"
		echo "$out" # guest_create's diagnostics
	else
		tap_bail "${GS[i]} did not start: $out"
	fi
done

bad=
for g in "${GS[@]}"; do
	d=$(guest_domid "$g")
	v=$(vif_name "$d" 0)
	in_bridge "$v" && [ "$(vif_driver_module "$d" 0)" = "$mod" ] || bad+=" $v"
done
if [ -z "$bad" ]; then
	tap_ok "every guest's vif is a port of $PVTEST_BRIDGE, served by $mod"
else
	tap_not_ok "every guest's vif is a port of $PVTEST_BRIDGE, served by $mod" "not so:$bad"
fi

for i in "${!GS[@]}"; do bg_start "up-$i" guest_net_up "${GS[i]}" "$(guest_ip $((i + 1)))" "$(mac "$i")"; done
for i in "${!GS[@]}"; do
	if out=$(bg_result "up-$i"); then
		tap_ok "${GS[i]}: $out has $(guest_ip $((i + 1)))"
	else
		tap_bail "${GS[i]}: network: $out"
	fi
done

# ping_all G ADDRESS...: G pings each address.
ping_all() {
	local g=$1 a rc=0
	shift
	for a in "$@"; do net_ping "$g" "$a" || rc=1; done
	return "$rc"
}
for i in "${!GS[@]}"; do
	j=$(next "$i")
	k=$(next "$j")
	bg_start "ping-$i" ping_all "${GS[i]}" "$PVTEST_PEER_IP" "$(guest_ip $((j + 1)))" "$(guest_ip $((k + 1)))"
done
for i in "${!GS[@]}"; do
	tap_run "${GS[i]} pings the peer and the two other guests" bg_result "ping-$i" || true
done

# All receivers first (each listens when started), then all senders at once.
for i in "${!GS[@]}"; do
	{ net_recv_start peer "from-$i" tcp-recv $((5100 + i)) $((40 + i)) $LEN &&
		net_recv_start "${GS[i]}" from-peer tcp-recv 5200 $((50 + i)) $LEN &&
		net_recv_start "${GS[i]}" from-guest tcp-recv 5300 $((60 + i)) $LEN; } ||
		tap_bail "cannot start the receivers for ${GS[i]}"
done
t0=$SECONDS
for i in "${!GS[@]}"; do
	j=$(next "$i")
	bg_start "send-peer-$i" pvnet_on peer -t "$PVTEST_NET_TIMEOUT" \
		tcp-send "$(guest_ip $((i + 1)))" 5200 $((50 + i)) $LEN
	# Both of a guest's senders in one command (its agent runs one command at a time).
	bg_start "send-$i" guest_run -t $((PVTEST_NET_TIMEOUT + 30)) "${GS[i]}" \
		"pvnet -t $PVTEST_NET_TIMEOUT tcp-send $PVTEST_PEER_IP $((5100 + i)) $((40 + i)) $LEN & a=\$!;" \
		"pvnet -t $PVTEST_NET_TIMEOUT tcp-send $(guest_ip $((j + 1))) 5300 $((60 + j)) $LEN & b=\$!;" \
		"wait \$a && wait \$b"
done
for i in "${!GS[@]}"; do
	bg_result "send-peer-$i" >/dev/null || true
	bg_result "send-$i" $((PVTEST_NET_TIMEOUT + 60)) >/dev/null || true
done
tap_diag "the 9 transfers of 8 MiB took $((SECONDS - t0)) s together"

# flow DESC WHO RECEIVER SENDER-ID: the receiver's verdict, with the sender's report on failure.
flow() {
	local out rc=0
	out=$(net_recv_result "$2" "$3") || rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "receiver: $out"$'\n'"sender: $(bg_result "$4" 1)"
	fi
}
for i in "${!GS[@]}"; do
	j=$(next "$i")
	h=$(((i + N - 1) % N))
	flow "${GS[i]} -> peer: 8 MiB, every byte checked" peer "from-$i" "send-$i"
	flow "peer -> ${GS[i]}: 8 MiB, every byte checked" "${GS[i]}" from-peer "send-peer-$i"
	flow "${GS[h]} -> ${GS[i]} over the bridge: 8 MiB, every byte checked" "${GS[i]}" from-guest "send-$h"
done

ok=1
vifs=()
for g in "${GS[@]}"; do vifs+=("$(vif_name "$(guest_domid "$g")" 0)"); done
for g in "${GS[@]}"; do guest_destroy "$g" || ok=0; done
for v in "${vifs[@]}"; do [ ! -e "/sys/class/net/$v" ] || ok=0; done
if [ "$ok" = 1 ]; then
	tap_ok "xl destroy of all three: domains, backends and ${vifs[*]} gone"
else
	tap_not_ok "xl destroy of all three: domains, backends and ${vifs[*]} gone" \
		"left: $(backend_devices) $(ls /sys/class/net)"
fi
