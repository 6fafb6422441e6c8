#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The libFuzzer harnesses of the pure units (Documentation/testing.md,
# "Fuzzing").
#
#   run.sh [--time SECONDS] [NAME...]
#
# NAME: blkif netif_tx netif_misc region (default: all).  Builds them
# (make -C tools/testing/fuzz), replays every input in regressions/NAME/
# (hand-made seeds and the crashes found so far), then fuzzes each one for
# SECONDS (default 20; 0 replays only), from its corpus in
# ~/.cache/pvback/fuzz/NAME/ (PVBACK_CACHE moves ~/.cache/pvback) plus the
# regression inputs; what it finds new is kept there for the next run.  A
# crash leaves its input in out/artifacts/NAME/ and the script says how to
# make it a regression test.  Logs: out/logs/.  One check per replay and
# per fuzz run; the last line is "N passed, N failed"; exit status 1 if
# anything failed.
set -uo pipefail

fuzz=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$fuzz/../../.." && pwd)
all=(blkif netif_tx netif_misc region)
time=20
names=()

usage() {
	echo "usage: $0 [--time SECONDS] [NAME...]   (NAME: ${all[*]})" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--time) [ $# -ge 2 ] || usage; time=$2; shift 2 ;;
	--time=*) time=${1#--time=}; shift ;;
	-*) usage ;;
	*) names+=("$1"); shift ;;
	esac
done
[[ $time =~ ^[0-9]+$ ]] || usage
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
for n in "${names[@]}"; do
	[[ " ${all[*]} " == *" $n "* ]] || { echo "fuzz: no harness '$n'" >&2; usage; }
done

out=$fuzz/out
cache=${PVBACK_CACHE:-$HOME/.cache/pvback}/fuzz
passed=0
failed=0
checks=${#names[@]}
[ "$time" -eq 0 ] || checks=$((2 * checks))

# Largest input worth trying: each harness' layout, with some room.
max_len() {
	case $1 in
	netif_tx) echo 3200 ;;
	netif_misc) echo 1024 ;;
	# a slot, the limits and a full indirect page of 256 descriptors
	blkif) echo 2304 ;;
	*) echo 256 ;;
	esac
}

export UBSAN_OPTIONS=print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}

rel() { echo "${1#"$top"/}"; }

# What went wrong, from a libFuzzer log.
report() {
	grep -E -m6 'invariant broken|==ERROR|runtime error|SUMMARY|deadly signal|timeout after' "$1" |
		sed 's/^/  | /'
	echo "  full log: $(rel "$1")"
}

replay() {
	local n=$1 bin=$out/fuzz_$1 log=$out/logs/$1-replay.log files bad
	mapfile -t files < <(find "$fuzz/regressions/$n" -type f 2>/dev/null | sort)
	if [ ${#files[@]} -eq 0 ]; then
		echo "fuzz: $n: no regression inputs"
		passed=$((passed + 1))
		return
	fi
	if "$bin" -timeout=10 -rss_limit_mb=2048 "${files[@]}" >"$log" 2>&1; then
		echo "fuzz: $n: ${#files[@]} regression inputs replayed: ok"
		passed=$((passed + 1))
		return
	fi
	bad=$(sed -n 's/^Running: //p' "$log" | tail -n1)
	echo "fuzz: $n: FAILED on regression input ${bad:+$(rel "$bad")}"
	report "$log"
	echo "  reproduce: $(rel "$bin") ${bad:+$(rel "$bad")}"
	failed=$((failed + 1))
}

# The regression input of harness $1 with the same bytes as file $2, if any.
known_input() {
	local f
	for f in "$fuzz/regressions/$1"/*; do
		[ -f "$f" ] && cmp -s "$f" "$2" && { echo "$f"; return; }
	done
}

run() {
	local n=$1 bin=$out/fuzz_$1 log=$out/logs/$1-fuzz.log corpus=$cache/$1
	local art=$out/artifacts/$1 rc runs eps crash known
	mkdir -p "$corpus" "$art"
	"$bin" -max_total_time="$time" -max_len="$(max_len "$n")" -timeout=10 \
		-rss_limit_mb=2048 -use_value_profile=1 -print_final_stats=1 \
		-artifact_prefix="$art/" "$corpus" "$fuzz/regressions/$n" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		echo "fuzz: $n: ${time} s, ${runs:-?} runs, ${eps:-?} exec/s," \
			"corpus $(find "$corpus" -type f | wc -l): ok"
		passed=$((passed + 1))
		return
	fi
	echo "fuzz: $n: FAILED (exit status $rc)"
	report "$log"
	if [ -n "$crash" ]; then
		echo "  input saved: $(rel "$crash")"
		echo "  reproduce:   $(rel "$bin") $(rel "$crash")"
		known=$(known_input "$n" "$crash")
		if [ -n "$known" ]; then
			echo "  it is regression input $(rel "$known"): not fixed yet"
		else
			echo "  keep it as a regression test, named for what it shows:"
			echo "    cp $(rel "$crash") $(rel "$fuzz")/regressions/$n/<name>"
		fi
	fi
	failed=$((failed + 1))
}

echo "fuzz: building ${names[*]}"
mkdir -p "$out/logs"
if ! command -v clang >/dev/null || ! make -s -C "$fuzz" "${names[@]}"; then
	echo "fuzz: build failed (clang and libclang-rt-14-dev: make deps)"
	echo "0 passed, $checks failed"
	exit 1
fi
for n in "${names[@]}"; do
	replay "$n"
done
if [ "$time" -gt 0 ]; then
	for n in "${names[@]}"; do
		run "$n"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
