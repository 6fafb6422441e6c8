# SPDX-License-Identifier: GPL-2.0
# Shared by the host-side checks of the test tools on fixtures (bench/check.sh, lab/check.sh);
# sourced. ok/not_ok count the checks, fixture_summary prints make check's last line and
# returns the status. AWK is mawk, what the lab's dom0 runs, when the host has it too.
# shellcheck shell=bash disable=SC2034
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $1"; fail=$((fail + 1)); }
fixture_summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
AWK=$(type -P mawk || type -P awk)
