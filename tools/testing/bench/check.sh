#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark's own tools, on the host (make check's "bench-tools" stage): the folding of
# perf's call chains into places (tools/testing/selftests/perf-keys.awk, which runs in the
# lab's dom0) and the report (report.py), on fixtures in testdata/ whose results are worked
# out by hand.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$HERE/testdata
# shellcheck source=tools/testing/fixture-checks.sh
. "$HERE/../fixture-checks.sh"

if got=$("$AWK" -f "$HERE/../selftests/perf-keys.awk" "$T/perf-script.txt" | LC_ALL=C sort) &&
	diff -u "$T/perf-keys.expected" - <<<"$got"; then
	ok "perf-keys.awk: idle, held interrupts, hypercalls by caller, perf, user code, backend paths"
else
	not_ok "perf-keys.awk folds the fixture's samples differently"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if python3 "$HERE/report.py" "$T/samples.jsonl" "$out" --perf "$T/perf.txt" >/dev/null 2>&1; then
	ok "report.py runs on the fixture with a profile"
else
	not_ok "report.py fails on the fixture"
fi
# expect FILE LINE WHY: FILE (of the report) has LINE, worked out by hand from the fixture.
expect() {
	if grep -qxF -- "$2" "$out/$1"; then ok "$3"; else not_ok "$3: no line '$2' in $1"; fi
}
# 4000 I/Os in 10 s each round for in-tree; 5000 and 3000 for pvback (median 4000).
expect table.md '| 4 KiB randread QD1 | IOPS | 400 (400-400) | 400 (300-500) | 1.00 | 1.25 0.75 | - |' \
	"table: medians, min-max, ratio and per-round ratios"
# Costs per I/O: dom0 in-tree 1000 us, pvback 800 and 1000 (median 900); disk requests only
# in pvback's samples (2500 of 5000, 1500 of 3000), so in-tree's, from an older run, is "-".
expect table.md '| 4 KiB randread QD1 | 1000 | 900 | 0.90 | 2000 | 1900 | 1.00 | 1.00 | 0.90 | 0.90 | - | 0.50 |' \
	"table: costs per I/O, disk requests per I/O, '-' for samples without the counter"
# 10000 samples at 500 Hz are 20 s of vCPU: 5000 us over 4000 I/Os; pvback: 4000 and 6667.
expect profile.md '| all samples | 5000.0 | 5333.3 |' "profile: all samples per I/O, median over rounds"
# Busy per round (all - idle), then the median: in-tree 2000, 2000; pvback 2000, 2000.
expect profile.md '| busy (not idle) | 2000.0 | 2000.0 |' "profile: busy time per I/O"
expect profile.md '| in a backend'"'"'s paths | 1000.0 | 1000.0 |' "profile: backend paths per I/O"
# Missing from round 2's top 40: 0 there, so the median of 400 and 0.
expect profile.md '| hypercall < gnttab_map_refs < pvblk_xen_map | 0.0 | 200.0 |' \
	"profile: a place missing from a round counts as 0"
fixture_summary
