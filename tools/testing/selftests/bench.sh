#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench: the block benchmark of Documentation/performance.md. The same fio workloads, in the
# same boot, on the same regions of the server's disk, through three paths:
#   native  fio in dom0 on the region of /dev/sda (the limit)
#   intree  a guest whose disk is a dm-linear device of the region, served by xen-blkback
#   pvback  a guest whose disk is the region itself, served by pvblkback
# in rounds whose backend order rotates. PVTEST_BENCH_BACKENDS (a comma-separated list of
# those) may add a fourth path, for a same-boot A/B of pvblkback's parameters:
#   pvback-alt  as pvback, with the parameters PVTEST_BENCH_ALT ("max_persistent_grants=1056",
#               space-separated NAME=VALUE of /sys/module/pvblkback/parameters) while it runs.
# Every sample becomes one "# PVBENCH {json}" line on the console; tools/testing/bench/bench.sh
# turns them into the table, JSON file and chart.
# A sample is a window of PVTEST_BENCH_SECS seconds inside a running fio: throughput from the
# sectors the server's disk moved, CPU time of dom0 and the guests from Xen ("xl list"),
# event-channel interrupts of dom0's backend and of the guests' blkfront, the requests the
# disk completed (after the block layer's merging); fio's summary gives the mean latency.
#
# PVTEST_BENCH_PERF=1 adds a profile of dom0 to each window: "perf record -a -e cpu-clock" at
# PERF_HZ on both of its vCPUs with kernel call chains (a PV dom0 has no PMU; the software
# clock event samples wherever dom0 runs, a hypercall's time showing in the hypercall stub),
# whose costliest places (perf-keys.awk) become "# PVPERF round backend workload hz samples
# place" lines, place "*" counting all samples. Profiling costs dom0 CPU time: compare
# throughput from runs without it.
#
# PVTEST_BENCH=full (make bench) runs every workload, PVTEST_BENCH_ROUNDS rounds (3) of
# PVTEST_BENCH_SECS seconds (15) each, of the workloads in PVTEST_BENCH_WORKLOADS (all). Otherwise (make check) a short smoke run shows that the
# harness works: two workloads, one round, three seconds. Nothing here checks a speed: the
# checks are that fio ran and that the expected backend served the guest.
# pvtest-timeout: 5400
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

MODE=${PVTEST_BENCH:-smoke}
if [ "$MODE" = full ]; then
	ROUNDS=${PVTEST_BENCH_ROUNDS:-3} SECS=${PVTEST_BENCH_SECS:-15} SIZE=1G
	WORKLOADS=(rr4k-qd1 rr4k-qd32 rw4k-qd32 sr1m-qd4 sw1m-qd4 mix4k-qd16 agg3-rr4k-qd32
		mq2-rr4k-qd32)
	# A comma-separated subset, for a quick look while tuning.
	[ -z "${PVTEST_BENCH_WORKLOADS:-}" ] || IFS=, read -ra WORKLOADS <<<"$PVTEST_BENCH_WORKLOADS"
else
	ROUNDS=1 SECS=3 SIZE=256M
	WORKLOADS=(rr4k-qd32 agg3-rr4k-qd32)
fi
BACKENDS=(native intree pvback)
[ -z "${PVTEST_BENCH_BACKENDS:-}" ] || IFS=, read -ra BACKENDS <<<"$PVTEST_BENCH_BACKENDS"
for be in "${BACKENDS[@]}"; do
	case $be in native | intree | pvback | pvback-alt) ;;
	*) tap_bail "PVTEST_BENCH_BACKENDS: unknown backend '$be' (native, intree, pvback, pvback-alt)" ;;
	esac
done
read -ra ALT <<<"${PVTEST_BENCH_ALT:-max_persistent_grants=1056}"
for kv in "${ALT[@]}"; do
	[[ $kv =~ ^[a-z_]+=[0-9]+$ ]] || tap_bail "PVTEST_BENCH_ALT: '$kv' is not NAME=NUMBER"
done
PERF_HZ=499
if [ -n "${PVTEST_BENCH_PERF:-}" ]; then
	command -v perf >/dev/null || tap_bail "PVTEST_BENCH_PERF: no perf in dom0 (build.sh's perf layer)"
fi
# One region per guest, 4 GiB apart, far from the other scenarios' regions.
STARTS=(200G 204G 208G)
GUESTS=(bench0 bench1 bench2)
MEM=256

[ -x /usr/bin/fio ] || tap_bail "no fio in dom0 (tools/testing/lab/fio.sh)"
[ -f "$PVBLKBACK_KO" ] || tap_bail "pvblkback.ko is not in the image (make modules)"
dm_remove() {
	local i
	for i in 0 1 2; do dmsetup remove "pvbench$i" >/dev/null 2>&1 || true; done
}
trap 'pvtest_cleanup >/dev/null 2>&1; dm_remove' EXIT
# Per backend and round: one check per workload; for guests, who served them and that they went.
per=${#WORKLOADS[@]} checks=0
for be in "${BACKENDS[@]}"; do
	if [ "$be" = native ]; then checks=$((checks + per)); else checks=$((checks + per + 2)); fi
done
tap_plan $((ROUNDS * checks))
tap_diag "mode $MODE: $ROUNDS round(s) of ${SECS}s samples, regions of $SIZE, backends ${BACKENDS[*]}"

# fio options of a workload (without the file, offset and size).
wl_args() {
	case $1 in
	rr4k-qd1) echo --rw=randread --bs=4k --iodepth=1 ;;
	rr4k-qd32 | agg3-rr4k-qd32) echo --rw=randread --bs=4k --iodepth=32 ;;
	mq2-rr4k-qd32) echo --rw=randread --bs=4k --iodepth=16 --numjobs=2 ;;
	rw4k-qd32) echo --rw=randwrite --bs=4k --iodepth=32 ;;
	sr1m-qd4) echo --rw=read --bs=1m --iodepth=4 ;;
	sw1m-qd4) echo --rw=write --bs=1m --iodepth=4 ;;
	mix4k-qd16) echo --rw=randrw --rwmixread=70 --bs=4k --iodepth=16 ;;
	esac
}
FIO_COMMON="--direct=1 --ioengine=libaio --time_based --norandommap --randrepeat=0"
FIO_COMMON+=" --group_reporting --output-format=terse --terse-version=3"

# fio_cmd WORKLOAD FILE [OFFSET...]: one job per OFFSET (one job at 0 without), reported as one.
# It runs until stopped with SIGINT (then prints its summary), at most 10 minutes.
fio_cmd() {
	local wl=$1 file=$2 o cmd
	shift 2
	cmd="fio $FIO_COMMON --runtime=600 $(wl_args "$wl") --size=$SIZE"
	[ $# -gt 0 ] || set -- 0
	for o in "$@"; do cmd+=" --name=j$o --filename=$file --offset=$o"; done
	echo "$cmd"
}

# Block size of a workload in bytes.
wl_bs() { case $1 in *1m-*) echo $((1 << 20)) ;; *) echo 4096 ;; esac; }

# Sum of the per-CPU counts of the /proc/interrupts lines matching pat.
# shellcheck disable=SC2016 # awk's variables
IRQ_SUM='NR == 1 { n = NF; next } $0 ~ pat { for (i = 2; i <= n + 1; i++) s += $i } END { print s + 0 }'

# disk_stat: sectors read and written on the server's disk (what every path ends in), then
# the requests it completed (after merging, one per command), from one read of its stat.
disk_stat() {
	local rq rs wq ws _
	read -r rq _ rs _ wq _ ws _ <"/sys/block/${PVTEST_DISK##*/}/stat"
	echo "$((rs + ws)) $((rq + wq))"
}

# snap NAME...: time, disk sectors and requests, dom0's block-backend interrupts, CPU seconds of
# dom0 and of guests NAME... together (Xen's accounting, "xl list"), as one line.
snap() {
	local cpu
	cpu=$(xl list | awk -v names=" $* " '$1 == "Domain-0" { d = $6 }
		index(names, " " $1 " ") { g += $6 } END { printf "%s %.1f\n", d, g }')
	echo "$EPOCHREALTIME $(disk_stat) $(awk -v pat='pvblkback|blkif-backend' "$IRQ_SUM" /proc/interrupts) $cpu"
}

# The guest's side of a sample: fio in the background; once dom0 writes bench/t0 and bench/t1
# (it does when the disk is busy), the count of blkif interrupts of the moment goes to
# bench/i0 and bench/i1; then fio is stopped and prints its summary.
# shellcheck disable=SC2016 # expanded in the guest
guest_script() {
	echo 'B=data/pvtest/bench; pvxs rm $B >/dev/null 2>&1;' \
		"$1 >/tmp/fio.out 2>&1 & p=\$!;" \
		'pvxs write $B/started 1;' \
		"pvxs wait -t 600 \$B/t0 >/dev/null; pvxs write \$B/i0 \$(awk -v pat=blkif '$IRQ_SUM' /proc/interrupts);" \
		"pvxs wait -t 600 \$B/t1 >/dev/null; pvxs write \$B/i1 \$(awk -v pat=blkif '$IRQ_SUM' /proc/interrupts);" \
		'kill -INT $p; wait $p; cat /tmp/fio.out'
}

# measure ROUND BACKEND WORKLOAD DOMIDS NAMES: the window of one sample, while fio runs
# (started by the caller): wait for the disk to get busy, snap, SECS seconds, snap; mark both
# ends for the guests DOMIDS (space-separated, may be empty). Prints the two snaps.
measure() {
	local rc=0
	perf_start
	measure_window "$@" || rc=1
	perf_stop
	return $rc
}

measure_window() {
	local ids=$4 names=$5 s0 d
	read -r s0 _ < <(disk_stat)
	wait_for "[ \$(disk_stat | cut -d' ' -f1) -gt $s0 ]" 120 || return 1
	for d in $ids; do xs_wait "/local/domain/$d/data/pvtest/bench/started" 120 || return 1; done
	psleep 1
	# shellcheck disable=SC2086 # names are words
	snap $names
	# The profile leaves out the snaps' own cost ("xl list" takes a while under TCG).
	perf_ctl enable || return 1
	for d in $ids; do pvxs write "/local/domain/$d/data/pvtest/bench/t0" 1; done
	psleep "$SECS"
	for d in $ids; do pvxs write "/local/domain/$d/data/pvtest/bench/t1" 1; done
	perf_ctl disable || return 1
	# shellcheck disable=SC2086
	snap $names
}

# With PVTEST_BENCH_PERF, perf runs through each sample, but records only in its window:
# perf_start starts it with its events off (its start takes seconds of dom0 under TCG),
# perf_ctl turns them on and off through its control FIFO (perf acknowledges once done),
# perf_stop ends it and leaves the profile in $PVTEST_RUN/perf.data.
# The shell holds both FIFOs open read-write, so that neither side ever blocks in open().
PERF_PID='' PERF_CTL='' PERF_ACK=''
perf_start() {
	local f=$PVTEST_RUN/perf
	[ -n "${PVTEST_BENCH_PERF:-}" ] || return 0
	rm -f "$f.data" "$f.ctl" "$f.ack"
	mkfifo "$f.ctl" "$f.ack"
	exec {PERF_CTL}<>"$f.ctl" {PERF_ACK}<>"$f.ack"
	perf record -a -g --kernel-callchains -m 512 -q -e cpu-clock -F "$PERF_HZ" -D -1 -o "$f.data" \
		--control "fifo:$f.ctl,$f.ack" >"$f.err" 2>&1 &
	PERF_PID=$!
}

perf_ctl() {
	local ack
	[ -n "$PERF_PID" ] || return 0
	echo "$1" >&"$PERF_CTL"
	read -r -t 120 -u "$PERF_ACK" ack && [ "$ack" = ack ] && return 0
	tap_diag "perf did not acknowledge '$1': $(head -c 300 "$PVTEST_RUN/perf.err")" >&2
	return 1
}

perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	local rc=0
	kill -INT "$PERF_PID" 2>/dev/null || true
	# 130: stopped by the SIGINT, its normal end here.
	wait "$PERF_PID" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 130 ] || tap_diag "perf record: status $rc: $(head -c 300 "$PVTEST_RUN/perf.err")" >&2
	exec {PERF_CTL}>&- {PERF_ACK}>&-
	PERF_PID=
}


# profile ROUND BACKEND WORKLOAD: the window's costliest places (PVTEST_BENCH_PERF) as PVPERF
# lines.
profile() {
	local data=$PVTEST_RUN/perf.data
	[ -s "$data" ] || return 0
	# The two totals first, then the 40 costliest places.
	perf script -i "$data" -F comm,ip,sym 2>/dev/null | awk -f "$(dirname "$0")/perf-keys.awk" |
		{ read -r t && echo "$t" && read -r t && echo "$t" && sort -rn | awk 'NR <= 40'; } |
		sed "s/^/# PVPERF $1 $2 $3 $PERF_HZ /"
	rm -f "$data"
}

# sample ROUND BACKEND WORKLOAD NOTE FIO_OUTPUT SNAP0 SNAP1 EVG: one PVBENCH line, and the check
# that the window saw I/O. Throughput and costs come from the window: the disk's sectors, Xen's
# CPU accounting, interrupt counts (EVG: the guests' blkif interrupts in the window); fio's own
# summary gives the mean latency.
sample() {
	local r=$1 be=$2 wl=$3 t0 s0 e0 c0 g0 q0 t1 s1 e1 c1 g1 q1 ios lat secs
	read -r t0 s0 q0 e0 c0 g0 <<<"$6"
	read -r t1 s1 q1 e1 c1 g1 <<<"$7"
	ios=$(((s1 - s0) * 512 / $(wl_bs "$wl")))
	lat=$(grep '^3;' <<<"$5" | awk -F';' '{ n = $8 + $49; if (n) { l += ($8 * $40 + $49 * $81) / n; k++ } }
		END { printf "%.1f\n", k ? l / k : 0 }')
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	printf '# PVBENCH {"round":%d,"backend":"%s",%s"workload":"%s","secs":%s,"ios":%d,"bytes":%d,"lat_us":%s,"dom0_cpu":%s,"guest_cpu":%s,"ev_to_backend":%d,"ev_to_guest":%d,"disk_reqs":%d}\n' \
		"$r" "$be" "$([ "$be" != pvback-alt ] || printf '"params":"%s",' "${ALT[*]}")" \
		"$wl" "$secs" "$ios" $(((s1 - s0) * 512)) "$lat" \
		"$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')" \
		"$(awk -v a="$g0" -v b="$g1" 'BEGIN { printf "%.1f", b - a }')" \
		$((e1 - e0)) "$8" $((q1 - q0))
	if [ "$ios" -gt 0 ] && [ "$lat" != 0.0 ]; then
		tap_ok "round $r $be $wl: $ios I/Os in ${secs}s${4:+ ($4)}"
	else
		tap_not_ok "round $r $be $wl: no I/O measured" "$5"
	fi
}

run_native() {
	local r=$1 wl out offs=() i p w
	for i in 0 1 2; do offs+=("$(to_bytes "${STARTS[i]}")"); done
	for wl in "${WORKLOADS[@]}"; do
		local o=("${offs[0]}")
		case $wl in agg3-*) o=("${offs[@]}") ;; esac
		# exec: $! is fio itself, which SIGINT stops.
		eval "exec $(fio_cmd "$wl" "$PVTEST_DISK" "${o[@]}")" >"$PVTEST_RUN/fio.out" 2>&1 &
		p=$!
		w=$(measure "$r" native "$wl" "" "") || w=
		kill -INT "$p" 2>/dev/null || true
		wait "$p" || true
		out=$(cat "$PVTEST_RUN/fio.out")
		sample "$r" native "$wl" "" "$out" "$(head -n1 <<<"$w")" "$(tail -n1 <<<"$w")" 0
		profile "$r" native "$wl"
	done
}

# disk_spec BACKEND I: guest I's disk for the in-tree backend (dm-linear) or pvblkback (region).
disk_spec() {
	if [ "$1" = intree ]; then
		echo "phy:/dev/mapper/pvbench$2,xvda,w"
	else
		region_spec xvda "${STARTS[$2]}" "$SIZE"
	fi
}

# start_guests BACKEND [--vcpus N] I...: create guests I... on their regions.
start_guests() {
	local be=$1 vcpus=1 i cfg
	shift
	if [ "$1" = --vcpus ]; then
		vcpus=$2
		shift 2
	fi
	for i in "$@"; do
		cfg=$(guest_cfg "${GUESTS[i]}" --memory $MEM --vcpus "$vcpus" --disk "$(disk_spec "$be" "$i")")
		guest_create "${GUESTS[i]}" "$cfg" || return 1
		guest_wait_dev "${GUESTS[i]}" /dev/xvda || return 1
	done
}

stop_guests() {
	local i
	for i in "$@"; do guest_destroy "${GUESTS[i]}" || return 1; done
}

# guest_sample ROUND BACKEND WORKLOAD I...: the workload in guests I... at once.
guest_sample() {
	local r=$1 be=$2 wl=$3 i d ids='' names='' out='' w ev=0 a b
	shift 3
	for i in "$@"; do
		d=$(guest_domid "${GUESTS[i]}")
		ids+=" $d" names+=" ${GUESTS[i]}"
		bg_start "fio$i" guest_run -t $((SECS + 300)) "${GUESTS[i]}" \
			"$(guest_script "$(fio_cmd "$wl" /dev/xvda)")"
	done
	w=$(measure "$r" "$be" "$wl" "$ids" "$names") || w=
	[ -n "$w" ] || for d in $ids; do pvxs write "/local/domain/$d/data/pvtest/bench/t1" 1; done
	for i in "$@"; do out+=$(bg_result "fio$i" $((SECS + 360)))$'\n' || true; done
	for d in $ids; do
		a=$(pvxs read "/local/domain/$d/data/pvtest/bench/i0" 2>/dev/null) || a=0
		b=$(pvxs read "/local/domain/$d/data/pvtest/bench/i1" 2>/dev/null) || b=0
		ev=$((ev + b - a))
	done
	sample "$r" "$be" "$wl" "$# guest(s)" "$out" "$(head -n1 <<<"$w")" "$(tail -n1 <<<"$w")" "$ev"
	profile "$r" "$be" "$wl"
}

# params_set NAME=VALUE...: pvblkback's parameters, for the devices created from now on.
params_set() {
	local kv
	for kv in "$@"; do
		echo "${kv#*=}" >"/sys/module/pvblkback/parameters/${kv%%=*}" ||
			tap_bail "cannot set pvblkback's parameter $kv"
	done
}

# params_get NAME=VALUE...: NAME=(the value now) for each.
params_get() {
	local kv
	for kv in "$@"; do echo "${kv%%=*}=$(cat "/sys/module/pvblkback/parameters/${kv%%=*}")"; done
}

run_guests() {
	local r=$1 be=$2 wl mod want=pvblkback saved=()
	[ "$be" = intree ] && want=xen_blkback
	# shellcheck disable=SC2034 # read by blk_backend_load
	PVBACK_BACKEND=${be%-alt}
	blk_backend_load || tap_bail "cannot load the $be backend"
	if [ "$be" = pvback-alt ]; then
		mapfile -t saved < <(params_get "${ALT[@]}")
		params_set "${ALT[@]}"
	fi
	# For the record: a benchmark of pvblkback is one of its parameters too.
	[ "$want" != pvblkback ] || tap_diag "$be: pvblkback parameters: $(cd /sys/module/pvblkback/parameters &&
		for f in *; do printf '%s=%s ' "$f" "$(cat "$f")"; done)"
	start_guests "$be" 0 || tap_bail "round $r: guest on $be did not start"
	mod=$(vbd_driver_module "$(guest_domid bench0)" xvda) || true
	tap_is "$mod" "$want" "round $r: $be serves bench0's disk" || true
	for wl in "${WORKLOADS[@]}"; do
		case $wl in
		agg3-*)
			start_guests "$be" 1 2 || tap_bail "round $r: guests on $be did not start"
			guest_sample "$r" "$be" "$wl" 0 1 2
			stop_guests 1 2 || tap_bail "round $r: guests on $be did not go away"
			;;
		mq2-*) ;;
		*) guest_sample "$r" "$be" "$wl" 0 ;;
		esac
	done
	[ "$want" != pvblkback ] || tap_diag "$be: persistent grants kept by bench0's ring(s):" \
		"$(vbd_attr "$(guest_domid bench0)" xvda persistent_grants || echo '?')"
	stop_guests 0 || tap_bail "round $r: bench0 on $be did not go away"
	for wl in "${WORKLOADS[@]}"; do
		case $wl in mq2-*)
			start_guests "$be" --vcpus 2 0 || tap_bail "round $r: 2-vCPU guest on $be did not start"
			guest_sample "$r" "$be" "$wl" 0
			stop_guests 0 || tap_bail "round $r: bench0 on $be did not go away"
			;;
		esac
	done
	[ ${#saved[@]} -eq 0 ] || params_set "${saved[@]}"
	tap_ok "round $r: $be guests came and went"
}

# The regions hold data (a sparse disk reads holes faster than data), and the in-tree backend
# gets each as a dm-linear device: what an administrator would give it.
for i in 0 1 2; do
	s=$(($(to_bytes "${STARTS[i]}") / 512)) n=$(($(to_bytes "$SIZE") / 512))
	dd if=/dev/zero of="$PVTEST_DISK" bs=1M seek=$((s / 2048)) count=$((n / 2048)) oflag=direct \
		status=none || tap_bail "cannot fill region $i"
	DM_DISABLE_UDEV=1 dmsetup create "pvbench$i" --table "0 $n linear $PVTEST_DISK $s" ||
		tap_bail "cannot create the dm-linear device of region $i"
done
dmsetup mknodes

for r in $(seq 1 "$ROUNDS"); do
	# Rotate the order so that no backend always runs first (or after the same one).
	for k in "${!BACKENDS[@]}"; do
		be=${BACKENDS[$(((r - 1 + k) % ${#BACKENDS[@]}))]}
		if [ "$be" = native ]; then run_native "$r"; else run_guests "$r" "$be"; fi
	done
done
