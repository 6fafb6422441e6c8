#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The lab's own tools, on the host (make check's "lab-tools" stage): the judge of a console
# log (selftest.sh --judge) and the kernel-trouble report it and the scenarios share
# (tools/testing/selftests/kern-trouble.awk), on fixtures in testdata/: one console with a
# hung task and an RCU stall, whose report is worked out by hand, and one without trouble
# but with those words quoted in TAP lines and comments.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T=$HERE/testdata
# shellcheck source=tools/testing/fixture-checks.sh
. "$HERE/../fixture-checks.sh"
SKIP='^((not )?ok [0-9]|#|PVTEST-TAP )'

if got=$("$AWK" -f "$HERE/../selftests/kern-trouble.awk" -v skip="$SKIP" "$T/console-trouble.log") &&
	diff -u "$T/console-trouble.expected" - <<<"$got"; then
	ok "kern-trouble.awk: each Call Trace with its headline, Comm and RIP lines, 4 frames"
else
	not_ok "kern-trouble.awk reports the fixture's trouble differently"
fi
got=$("$AWK" -f "$HERE/../selftests/kern-trouble.awk" -v skip="$SKIP" "$T/console-clean.log")
if [ -z "$got" ]; then
	ok "kern-trouble.awk: nothing for words quoted in TAP lines and comments"
else
	not_ok "kern-trouble.awk finds trouble in a clean console: $got"
fi

verdict=$("$HERE/selftest.sh" --judge "$T/console-trouble.log" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && [ "$(tail -n1 <<<"$verdict")" = "1 passed, 2 failed" ]; then
	ok "judge: a not ok and kernel trouble are two failures"
else
	not_ok "judge of the trouble fixture: rc=$rc, $(tail -n1 <<<"$verdict")"
fi
if grep -qF 'lab:     [  165.800000] INFO: task dmsetup:1234 blocked for more than 120 seconds.' <<<"$verdict" &&
	grep -qF 'lab:     [  170.000004] RIP: e030:xen_hypercall_grant_table_op+0xa/0x20' <<<"$verdict"; then
	ok "judge: the verdict names the hung task and where the stalled CPU was"
else
	not_ok "judge: the verdict lacks the reports' headlines"$'\n'"$verdict"
fi
verdict=$("$HERE/selftest.sh" --judge "$T/console-clean.log" 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ "$(tail -n1 <<<"$verdict")" = "2 passed, 0 failed" ]; then
	ok "judge: a clean console passes"
else
	not_ok "judge of the clean fixture: rc=$rc"$'\n'"$verdict"
fi

fixture_summary
