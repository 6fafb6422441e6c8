#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-migrate: what a live migration costs a VM, through the in-tree backends (xen-blkback
# on a dm-linear device of the region, xen-netback) and through pvback (pvblkback on the
# region itself, pvnetback), in the same boot, rounds alternating. The VM: a PVH guest, then an
# HVM guest with PV drivers (PVTEST_BENCH_TYPES), with a 64 MiB region disk and a vif. While xl
# migrate runs, the guest writes its disk 4 KiB at a time (pvpattern pulse) and sends a UDP
# datagram to the peer every 10 ms (pvnet). To this same host; with PVTEST_MIG_HOSTS=2
# (bench-migrate-hosts) to the second server and back, each way a sample. Per migration:
#   total_s        xl migrate from start to end
#   disk_gap_ms    the longest time between two of the guest's completed writes
#   net_gap_ms     the longest time the peer heard nothing from the guest
# as "# PVMIGRATE {json}" lines, then the medians per guest type, backend and way. A benchmark,
# not a test: the checks are that each migration worked, the expected backends served the guest
# before and after, and its disk pulse went on; no time fails. PVTEST_BENCH_ROUNDS rounds (1;
# make bench-migrate: 3).
# pvtest-timeout: 3600
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${PVTEST_BENCH_ROUNDS:-1}
HOSTS=${PVTEST_MIG_HOSTS:-1}
read -ra TYPES <<<"${PVTEST_BENCH_TYPES:-pvh hvm}"
BACKENDS=(intree pvback)
# The modules that serve a guest's disk and NIC through each, as backends_of says them.
declare -A WANT=([intree]=xen_blkback/xen_netback [pvback]=pvblkback/pvnetback)
# The servers the VM moves between: this one (a), and with two hosts the second one (b).
SERVERS=(a)
[ "$HOSTS" = 1 ] || SERVERS=(a b)
M=bmig START=94G SIZE=64M
MAC=$(net_mac 94 1) IP=$(guest_ip 64)
DM=pvbenchmig
require_pvblkback
require_net
[ -f "$PVNETBACK_KO" ] || tap_skip_all "pvnetback.ko is not in the image"
# The in-tree backend gets the region as a dm-linear device, as an administrator would give
# it: on each server, as the same name.
s=$(($(to_bytes $START) / 512)) n=$(($(to_bytes $SIZE) / 512))
mkdm="DM_DISABLE_UDEV=1 dmsetup create $DM --table '0 $n linear $PVTEST_DISK $s' && dmsetup mknodes"

# at a|b CMD: shell CMD, with lib.sh, on this server (a) or the second one (b).
at() {
	if [ "$1" = a ]; then
		eval "$2"
	else
		on_host2 "$2"
	fi
}

trap 'for h in "${SERVERS[@]}"; do at $h "pvtest_cleanup; dmsetup remove $DM" >/dev/null 2>&1; done' EXIT
net_mark_dirty
# Per guest: its backends, then per migration three checks.
tap_plan $((ROUNDS * ${#TYPES[@]} * ${#BACKENDS[@]} * (1 + 3 * HOSTS)))

if [ "$HOSTS" = 2 ]; then
	wait_for "on_host2 true" 900 || tap_bail "no second server at $PVTEST_HOST2"
	# What a scenario before this one may have left there (its guests, their backends).
	on_host2 pvtest_cleanup >/dev/null 2>&1 || true
fi
for h in "${SERVERS[@]}"; do
	at "$h" "$mkdm" || tap_bail "cannot create the dm-linear device of the region on server $h"
done

# migrate_once R TYPE BE FROM D0: the guest, on server FROM as domain D0, migrates (to this host
# again, or to the other server) with its pulse and datagrams running (three checks). Prints a
# sample line and sets MIG_DOMID and MIG_AT to where it is now.
migrate_once() {
	local r=$1 type=$2 be=$3 from=$4 d0=$5 to way t0 t1 d1 mods pulse net dg ng
	to=$from
	if [ "$HOSTS" = 2 ]; then
		to=b
		[ "$from" = a ] || to=a
	fi
	way=$from-$to
	at "$from" "pulse_start $M 0 16M"
	# The guest sends 10 ms apart, detached from its agent, until told to stop; the peer
	# reports the longest silence.
	net_recv_start peer mig -t 700 -i 600 -m 1 udp-recv 7400 1 64 60000 >/dev/null ||
		tap_bail "round $r: the peer's receiver did not start"
	at "$from" "guest_run $M 'pvnet -t 640 -g 10000 udp-send $PVTEST_PEER_IP 7400 1 64 60000 >/tmp/gap.out 2>&1 &
echo \$! >/tmp/gap.pid' >/dev/null"
	t0=$EPOCHREALTIME
	case $way in
	a-a) tap_run_diag "round $r: xl migrate $M ($type, $be) to this host" \
		timeout -k 10 900 xl migrate -s "" $M "xl migrate-receive" ;;
	a-b) tap_run_diag "round $r: xl migrate $M ($type, $be) to the second server" \
		migrate_to_host2 $M ;;
	b-a) tap_run_diag "round $r: xl migrate $M ($type, $be) back from the second server" \
		migrate_from_host2 $M ;;
	esac || tap_bail "round $r: xl migrate ($way) on $be failed"
	t1=$EPOCHREALTIME
	case $way in
	a-a) d1=$(guest_moved $M "$d0") ;;
	a-b) d1=$(guest_moved_to_host2 $M "$d0") ;;
	b-a) d1=$(guest_moved_from_host2 $M "$d0") ;;
	esac || tap_bail "round $r: no new domain for $M"
	mods=$(at "$to" "backends_of $d1")
	tap_is "$mods" "${WANT[$be]}" "round $r: $be serves the migrated $M's disk and NIC ($way)" || true
	# The sender runs on in the guest's new domain: stop it, then the receiver.
	at "$to" "guest_run $M 'kill \$(cat /tmp/gap.pid)' >/dev/null" || true
	net_recv_stop peer mig
	net=$(net_recv_result peer mig 60) || true
	pulse=$(at "$to" "pulse_end $M") || true
	tap_run "round $r: $M's disk pulse went on across the migration ($way)" \
		grep -q 'pulse /dev/xvda writes=' <<<"$pulse" || true
	dg=$(grep -o 'max_gap_ms=[0-9.]*' <<<"$pulse" | cut -d= -f2) || dg=
	ng=$(grep -o 'max_gap_ms=[0-9.]*' <<<"$net" | cut -d= -f2) || ng=
	printf '# PVMIGRATE {"round": %d, "type": "%s", "backend": "%s", "way": "%s", "total_s": %.2f, "disk_gap_ms": %s, "net_gap_ms": %s}\n' \
		"$r" "$type" "$be" "$way" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"${dg:-null}" "${ng:-null}" | tee -a "$PVTEST_RUN/migrate.samples"
	MIG_DOMID=$d1 MIG_AT=$to
}

# guest_round R TYPE BE: one VM of TYPE through BE, migrated HOSTS times (1 + 3 * HOSTS checks).
guest_round() {
	local r=$1 type=$2 be=$3 disk cfg d mods h i out
	# Here for the rest of the scenario too (guest_create, the cleanup).
	PVBACK_BACKEND=$be
	for h in "${SERVERS[@]}"; do
		out=$(at "$h" "PVBACK_BACKEND=$be; blk_backend_load && net_backend_load" 2>&1) ||
			tap_bail "cannot load the $be backends on server $h: $out"
	done
	if [ "$be" = intree ]; then
		disk="phy:/dev/mapper/$DM,xvda,w"
	else
		disk=$(region_spec xvda $START $SIZE)
	fi
	cfg=$(guest_cfg $M --type "$type" --disk "$disk" --vif "$(net_cfg_vif "$MAC")")
	guest_create $M "$cfg" || tap_bail "round $r: $M ($type) on $be did not start"
	guest_net_up $M "$IP" "$MAC" >/dev/null || tap_bail "round $r: $M's network on $be"
	d=$(guest_domid $M)
	mods=$(backends_of "$d")
	tap_is "$mods" "${WANT[$be]}" "round $r: $be serves $M's ($type) disk and NIC" || true
	MIG_DOMID=$d MIG_AT=a
	for ((i = 0; i < HOSTS; i++)); do
		migrate_once "$r" "$type" "$be" "$MIG_AT" "$MIG_DOMID"
	done
	guest_destroy $M || tap_bail "round $r: $M on $be did not go away"
}

: >"$PVTEST_RUN/migrate.samples"
for r in $(seq 1 "$ROUNDS"); do
	for type in "${TYPES[@]}"; do
		for k in "${!BACKENDS[@]}"; do
			guest_round "$r" "$type" "${BACKENDS[$(((r - 1 + k) % ${#BACKENDS[@]}))]}"
		done
	done
done

# Medians per guest type, backend and way (of the rounds that measured something).
sed -n "s/^# PVMIGRATE //p" "$PVTEST_RUN/migrate.samples" | jq -rs --arg n "$ROUNDS" '
	def med: map(select(. != null)) | sort | if length == 0 then null
		else .[(length - 1) / 2 | floor] end;
	group_by([.type, .way, .backend])[] |
	"\(.[0].type) \(.[0].way) \(.[0].backend): median of \(length): total \(map(.total_s) | med) s, disk gap \(map(.disk_gap_ms) | med) ms, network gap \(map(.net_gap_ms) | med) ms"' |
	while read -r line; do tap_diag "$line"; done
