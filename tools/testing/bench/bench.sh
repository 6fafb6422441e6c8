#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the block benchmark of Documentation/performance.md in one lab boot, then its
# report (table, JSON samples, chart) in tools/testing/lab/out/bench/<date>/.
#
#   bench.sh                 boot the lab, run tools/testing/selftests/bench.sh in full mode
#   bench.sh --report LOG    only the report, from the console log of an earlier run
#
# Environment: PVTEST_BENCH_ROUNDS (3), PVTEST_BENCH_SECS (15), PVTEST_BENCH_WORKLOADS (all;
# a comma-separated subset such as rr4k-qd1,rr4k-qd32), PVTEST_BENCH_PERF=1 (profile dom0 with
# perf in every window: profile.md), and those of selftest.sh.
# A benchmark is no test: a slow result never fails; a broken harness (fio did not run, a
# guest did not start) does.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lab/common.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

rc=0
if [ "${1:-}" = --report ]; then
	log=${2:?usage: bench.sh --report LOG}
else
	export PVTEST_BENCH=full
	# About 12 minutes a round under TCG, plus the boot.
	export PVTEST_TIMEOUT=${PVTEST_TIMEOUT:-$((900 + 1200 * ${PVTEST_BENCH_ROUNDS:-3}))}
	"$TOP/tools/testing/lab/selftest.sh" bench || rc=$?
	log=$(cat "$OUT/logs/last")
fi

dir=$OUT/bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$dir"
tr -d '\r' <"$log" | sed -n 's/^# PVBENCH //p' >"$dir/samples.jsonl"
[ -s "$dir/samples.jsonl" ] || lab_die "no PVBENCH samples in $log"
{
	echo "commit $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)"
	grep -m1 -o 'PVTEST-READY at [0-9.]*s' "$log" || true
	echo "log $log"
} >"$dir/run.txt"
# The profiles of PVTEST_BENCH_PERF=1, if any.
tr -d '\r' <"$log" | sed -n 's/^# PVPERF //p' >"$dir/perf.txt"
perf=()
if [ -s "$dir/perf.txt" ]; then perf=(--perf "$dir/perf.txt"); else rm -f "$dir/perf.txt"; fi
python3 "$HERE/report.py" "$dir/samples.jsonl" "$dir" "${perf[@]}" \
	--title "pvblkback vs xen-blkback ($(git -C "$TOP" describe --always --dirty 2>/dev/null || echo tree))"
lab_log "report in $dir (table.md, samples.json, chart.png${perf:+, profile.md})"
exit "$rc"
