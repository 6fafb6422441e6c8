#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench-migrate: what a live migration to this host costs a VM, through the in-tree backends
# (xen-blkback on a dm-linear device of the region, xen-netback) and through pvback
# (pvblkback on the region itself, pvnetback), in the same boot, rounds alternating. The VM: a
# PVH guest with a 64 MiB region disk and a vif. While xl migrate runs, the guest writes its
# disk 4 KiB at a time (pvpattern pulse) and sends a UDP datagram to the peer every 10 ms
# (pvnet). Per migration:
#   total_s        xl migrate from start to end
#   disk_gap_ms    the longest time between two of the guest's completed writes
#   net_gap_ms     the longest time the peer heard nothing from the guest
# as "# PVMIGRATE {json}" lines, then the medians per backend. A benchmark, not a test: the
# checks are that each migration worked, the expected backends served the guest before and
# after, and its disk pulse went on; no time fails. PVTEST_BENCH_ROUNDS rounds (1; make
# bench-migrate: 3).
# pvtest-timeout: 3600
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${PVTEST_BENCH_ROUNDS:-1}
BACKENDS=(intree pvback)
M=bmig START=94G SIZE=64M
MAC=$(net_mac 94 1) IP=$(guest_ip 64)
DM=pvbenchmig
require_pvblkback
require_net
[ -f "$PVNETBACK_KO" ] || tap_skip_all "pvnetback.ko is not in the image"
trap 'pvtest_cleanup >/dev/null 2>&1; dmsetup remove $DM >/dev/null 2>&1' EXIT
net_mark_dirty
tap_plan $((ROUNDS * ${#BACKENDS[@]} * 4))

# The in-tree backend gets the region as a dm-linear device, as an administrator would give it.
s=$(($(to_bytes $START) / 512)) n=$(($(to_bytes $SIZE) / 512))
DM_DISABLE_UDEV=1 dmsetup create $DM --table "0 $n linear $PVTEST_DISK $s" ||
	tap_bail "cannot create the dm-linear device of the region"
dmsetup mknodes

# served_by DOMID: the modules bound to the domain's vbd and vif ("none" for an unbound one),
# once both are bound or after 30 s.
served_by() {
	wait_for "vbd_driver_module $1 xvda && vif_driver_module $1 0" 30 || true
	echo "$(vbd_driver_module "$1" xvda || echo none)/$(vif_driver_module "$1" 0 || echo none)"
}

# migrate_round ROUND BACKEND: one VM through BACKEND, migrated once (four checks).
migrate_round() {
	local r=$1 be=$2 disk cfg d0 d1 t0 t1 mods want=pvblkback/pvnetback pulse net dg ng
	[ "$be" = intree ] && want=xen_blkback/xen_netback
	PVBACK_BACKEND=$be
	{ blk_backend_load && net_backend_load; } || tap_bail "cannot load the $be backends"
	if [ "$be" = intree ]; then
		disk="phy:/dev/mapper/$DM,xvda,w"
	else
		disk=$(region_spec xvda $START $SIZE)
	fi
	cfg=$(guest_cfg $M --type pvh --disk "$disk" --vif "$(net_cfg_vif "$MAC")")
	guest_create $M "$cfg" || tap_bail "round $r: $M on $be did not start"
	guest_net_up $M "$IP" "$MAC" >/dev/null || tap_bail "round $r: $M's network on $be"
	d0=$(guest_domid $M)
	mods=$(served_by "$d0")
	tap_is "$mods" "$want" "round $r: $be serves $M's disk and NIC" || true

	pulse_start $M 0 16M
	# The guest sends 10 ms apart, detached from its agent, until told to stop; the peer
	# reports the longest silence.
	net_recv_start peer mig -t 700 -i 600 -m 1 udp-recv 7400 1 64 60000 >/dev/null ||
		tap_bail "round $r: the peer's receiver did not start"
	guest_run $M "pvnet -t 640 -g 10000 udp-send $PVTEST_PEER_IP 7400 1 64 60000 >/tmp/gap.out 2>&1 &
echo \$! >/tmp/gap.pid" >/dev/null
	t0=$EPOCHREALTIME
	tap_run_diag "round $r: xl migrate $M ($be) to this host" \
		timeout -k 10 900 xl migrate -s "" $M "xl migrate-receive" ||
		tap_bail "round $r: xl migrate on $be failed"
	t1=$EPOCHREALTIME
	d1=$(guest_moved $M "$d0") || tap_bail "round $r: no new domain for $M"
	mods=$(served_by "$d1")
	tap_is "$mods" "$want" "round $r: $be serves the migrated $M's disk and NIC" || true
	# The sender runs on in the guest's new domain: stop it, then the receiver.
	guest_run $M "kill \$(cat /tmp/gap.pid)" >/dev/null || true
	net_recv_stop peer mig
	net=$(net_recv_result peer mig 60) || true
	pulse=$(pulse_end $M) || true
	tap_run "round $r: $M's disk pulse went on across the migration" \
		grep -q 'pulse /dev/xvda writes=' <<<"$pulse" || true
	dg=$(grep -o 'max_gap_ms=[0-9.]*' <<<"$pulse" | cut -d= -f2) || dg=
	ng=$(grep -o 'max_gap_ms=[0-9.]*' <<<"$net" | cut -d= -f2) || ng=
	printf '# PVMIGRATE {"round": %d, "backend": "%s", "total_s": %.2f, "disk_gap_ms": %s, "net_gap_ms": %s}\n' \
		"$r" "$be" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "${dg:-null}" "${ng:-null}" |
		tee -a "$PVTEST_RUN/migrate.samples"
	guest_destroy $M || tap_bail "round $r: $M on $be did not go away"
}

: >"$PVTEST_RUN/migrate.samples"
for r in $(seq 1 "$ROUNDS"); do
	for k in "${!BACKENDS[@]}"; do
		migrate_round "$r" "${BACKENDS[$(((r - 1 + k) % ${#BACKENDS[@]}))]}"
	done
done

# Medians per backend (of the rounds that measured something).
for be in "${BACKENDS[@]}"; do
	tap_diag "$be: median of $ROUNDS: $(sed -n "s/^# PVMIGRATE //p" "$PVTEST_RUN/migrate.samples" |
		jq -rs --arg be "$be" '
		def med: map(select(. != null)) | sort | if length == 0 then null
			else .[(length - 1) / 2 | floor] end;
		map(select(.backend == $be)) |
		"total \(map(.total_s) | med) s, disk gap \(map(.disk_gap_ms) | med) ms, network gap \(map(.net_gap_ms) | med) ms"')"
done
