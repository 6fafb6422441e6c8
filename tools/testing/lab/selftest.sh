#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run lab scenarios (tools/testing/selftests/NAME.sh) in one boot of Xen + dom0 under QEMU.
#
#   selftest.sh [NAME...]        names separated by spaces or commas; none = all scenarios
#   selftest.sh --judge LOG      judge a console log of an earlier run again (no boot)
#
# Builds our modules (when the tree has a Kbuild file) and the images, boots, streams the
# scenarios' TAP, then judges the console log: it fails on any "not ok", on a missing end
# marker (timeout, crash) and on any Oops/BUG/WARNING/panic/general protection/Call Trace in
# the console (dom0's kernel, its dmesg dump and the guests' consoles, which dom0 prints at
# the end). Ends with "N passed, N failed" (counts of checks; trouble outside the TAP stream
# counts as failed checks too).
# Logs: tools/testing/lab/out/logs/ (out/logs/last names the newest); those of failed runs
# also in ~/.cache/pvback/failed-logs/ (the newest 10).
# Environment: PVBACK_BACKEND=intree (in-tree xen-blkback instead of pvblkback),
# PVTEST_TIMEOUT (whole boot, seconds), PVTEST_SCEN_TIMEOUT (one scenario, seconds),
# PVTEST_NO_MAKE=1 (do not run make), and those of boot.sh.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SEL=$TOP/tools/testing/selftests
started=$(lab_now)

# judge LOG [QEMU_STATUS [TIMEOUT]]: print the verdict and "N passed, N failed"; status 1 on
# failure.
judge() {
	local log=$1 qrc=${2:-0} tmo=${3:-?} clean tap pass skip fail why hits l p ready
	local problems=() details=()
	clean=$(mktemp)
	tr -d '\r' <"$log" >"$clean"

	# The TAP block repeated at the end is authoritative; without it (crash), the live lines.
	if grep -q '^PVTEST-TAP-END' "$clean"; then
		tap=$(sed -n 's/^PVTEST-TAP //p' "$clean" | grep -E '^(not )?ok [0-9]' || true)
	else
		tap=$(grep -E '^(not )?ok [0-9]' "$clean" || true)
	fi
	pass=$(grep -E '^ok [0-9]' <<<"$tap" | grep -vc '# SKIP' || true)
	skip=$(grep -E '^ok [0-9]' <<<"$tap" | grep -c '# SKIP' || true)
	fail=$(grep -cE '^not ok [0-9]' <<<"$tap" || true)

	if ! grep -q '^PVTEST-END' "$clean"; then
		why="no end marker"
		[ "$qrc" -eq 124 ] && why="timed out after ${tmo}s"
		grep -q '^PVTEST-SETUP-FAILED' "$clean" && why=$(grep -m1 '^PVTEST-SETUP-FAILED' "$clean")
		problems+=("run did not complete: $why (QEMU status $qrc)")
	fi
	# Kernel trouble anywhere, TAP lines and comments aside (they may quote such words).
	hits=$(grep -nE '\bOops\b|\bBUG\b|\bWARNING\b|\bpanic\b|Kernel panic|general protection|Call Trace' \
		"$clean" | grep -vE '^[0-9]+:((not )?ok [0-9]|#|PVTEST-TAP )' || true)
	if [ -n "$hits" ]; then
		problems+=("kernel errors in the console log ($(wc -l <<<"$hits") lines), first ones:")
		while IFS= read -r l; do details+=("    $l"); done < <(
			awk -f "$SEL/kern-trouble.awk" -v skip='^((not )?ok [0-9]|#|PVTEST-TAP )' "$clean" |
				head -n 40)
	fi

	echo
	while read -r _ n p f s secs; do
		printf 'lab: %-14s %s %s %s %s\n' "$n" "${p#pass=} ok," "${f#fail=} not ok," \
			"${s#skip=} skipped," "${secs#seconds=} s"
	done < <(grep -E '^PVTEST-SCENARIO-END' "$clean")
	ready=$(grep -m1 -o 'PVTEST-READY at [0-9.]*s' "$clean" | grep -o '[0-9.]*s$' || true)
	echo "lab: dom0 ready (xl works, backends loaded) ${ready:-never} after its kernel started"
	if [ $((fail + ${#problems[@]})) -gt 0 ]; then
		grep -E '^not ok [0-9]' <<<"$tap" | sed 's/^/lab: FAILED: /' || true
		for p in "${problems[@]}"; do echo "lab: FAILED: $p"; done
		for p in "${details[@]}"; do echo "lab: $p"; done
		echo "lab: console log kept: $log"
	else
		echo "lab: console log: $log"
	fi
	rm -f "$clean"

	fail=$((fail + ${#problems[@]}))
	if [ "$skip" -gt 0 ]; then
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	[ "$fail" -eq 0 ]
}

# judge_host2 LOG: the second server's console: it came up, served, ended and had no kernel
# trouble. Prints what is wrong, then a last line "0 passed, N failed" as judge does.
judge_host2() {
	local clean hits problems=()
	clean=$(mktemp)
	tr -d '\r' <"$1" >"$clean"
	grep -q '^PVTEST-HOST2-READY' "$clean" ||
		problems+=("the second server never served: $(grep -m1 '^PVTEST-SETUP-FAILED' "$clean" || echo 'no ready marker')")
	# A scenario may kill it on purpose (lease-hosts), after it said so.
	grep -Eq '^PVTEST-(END|HOST2-KILLED)' "$clean" || problems+=("the second server did not finish")
	hits=$(awk -f "$SEL/kern-trouble.awk" -v skip='^((not )?ok [0-9]|#|PVTEST-TAP )' "$clean" | head -n 40)
	[ -z "$hits" ] || problems+=("kernel errors in the second server's console log:" "$hits")
	rm -f "$clean"
	for p in "${problems[@]}"; do echo "lab: FAILED: $p"; done
	[ ${#problems[@]} -eq 0 ] || echo "lab: second server's console log kept: $1"
	echo "0 passed, ${#problems[@]} failed"
	[ ${#problems[@]} -eq 0 ]
}

if [ "${1:-}" = --judge ]; then
	[ -f "${2:-}" ] || lab_die "usage: selftest.sh --judge LOG"
	judge "$2"
	exit
fi

names=()
for a in "$@"; do
	for n in ${a//,/ }; do names+=("${n%.sh}"); done
done
if [ ${#names[@]} -eq 0 ]; then
	# All of them, the lab's own smoke test first.
	[ -f "$SEL/lab-smoke.sh" ] && names+=(lab-smoke)
	for f in "$SEL"/*.sh; do
		n=$(basename "$f" .sh)
		case $n in lib | lab-smoke) continue ;; esac
		names+=("$n")
	done
fi
for n in "${names[@]}"; do
	[ -f "$SEL/$n.sh" ] || lab_die "no scenario $SEL/$n.sh"
done

if [ -z "${PVTEST_NO_MAKE:-}" ] && [ -f "$TOP/Kbuild" ]; then
	lab_log "make modules"
	mkdir -p "$OUT"
	if ! lab_make_modules "$OUT/make.log"; then
		tail -n 30 "$OUT/make.log" >&2
		lab_die "module build failed (full log: $OUT/make.log)"
	fi
fi
# guest-mixed boots a guest kernel of the other Debian release (build.sh adds it).
for n in "${names[@]}"; do
	[ "$n" = guest-mixed ] && export PVTEST_GUEST_OTHER=1
done
# The dkms scenario installs the packages into a Debian root on a second disk.
for n in "${names[@]}"; do
	[ "$n" = dkms ] || continue
	lab_log "make deb, and the DKMS root image"
	make -s -C "$TOP" deb >"$OUT/deb.log" 2>&1 || {
		tail -n 30 "$OUT/deb.log" >&2
		lab_die "make deb failed (full log: $OUT/deb.log)"
	}
	PVTEST_DKMSROOT_IMG=$("$(dirname "${BASH_SOURCE[0]}")/dkmsroot.sh")
	export PVTEST_DKMSROOT_IMG
done
"$(dirname "${BASH_SOURCE[0]}")/build.sh"
built=$(lab_now)

mkdir -p "$OUT/logs"
log=$OUT/logs/selftest-$(date +%Y%m%d-%H%M%S).log
# Default: 10 min for booting plus 5 a scenario, between 25 and 60 min (a scenario itself is
# stopped after PVTEST_SCEN_TIMEOUT, 10 min, or its own "# pvtest-timeout:", in dom0).
tmo=${PVTEST_TIMEOUT:-$((600 + 300 * ${#names[@]}))}
if [ -z "${PVTEST_TIMEOUT:-}" ]; then
	[ "$tmo" -ge 1500 ] || tmo=1500
	[ "$tmo" -le 3600 ] || tmo=3600
fi
# Scenarios with "# pvtest-hosts: 2" need a second server on the same wire and server disk:
# it boots first (boot.sh --role b) and listens for the first one's QEMU to join its wire.
pair=() b_pid='' b_log='' shared=''
for n in "${names[@]}"; do
	grep -qx '# pvtest-hosts: 2' "$SEL/$n.sh" || continue
	shared=$CACHE/run/shared-disk.raw b_log=${log%.log}-host2.log port=17301
	mkdir -p "$CACHE/run"
	rm -f "$shared"
	truncate -s 500G "$shared"
	lab_log "booting the second server (scenario $n), console log $b_log"
	"$(dirname "${BASH_SOURCE[0]}")/boot.sh" --mode selftest --role b --disk "$shared" \
		--wire "listen:$port" --log "$b_log" --timeout "$((tmo + 300))" --stream none &
	b_pid=$!
	for _ in $(seq 300); do
		ss -Htln "sport = :$port" | grep -q . && break
		kill -0 "$b_pid" 2>/dev/null || lab_die "the second server did not start (log $b_log)"
		sleep 0.2
	done
	pair=(--disk "$shared" --wire "connect:$port")
	export PVTEST_HOSTS=2
	break
done
qrc=0
"$(dirname "${BASH_SOURCE[0]}")/boot.sh" --mode selftest --tests "${names[*]}" --log "$log" \
	--timeout "$tmo" --stream tap "${pair[@]}" || qrc=$?
booted=$(lab_now)

rc=0
judge "$log" "$qrc" "$tmo" >"$OUT/verdict" || rc=$?
if [ -n "$b_pid" ]; then
	# The first server told the second one to finish; it dumps its logs and powers off.
	for _ in $(seq 600); do kill -0 "$b_pid" 2>/dev/null || break; sleep 0.2; done
	# Still running (the first one died before it could tell it): its QEMU ends here.
	if kill -0 "$b_pid" 2>/dev/null; then
		lab_log "the second server did not finish; stopping it"
		pkill -f -- "socket,id=net0,listen=127.0.0.1:$port" 2>/dev/null
	fi
	wait "$b_pid" 2>/dev/null
	rm -f "$shared"
	# Its problems go before the verdict's last line ("N passed, N failed"), and count there.
	if ! judge_host2 "$b_log" >"$OUT/verdict2"; then
		rc=1
		last=$(tail -n 1 "$OUT/verdict")
		{
			head -n -1 "$OUT/verdict"
			head -n -1 "$OUT/verdict2"
			awk -v more="$(tail -n 1 "$OUT/verdict2" | awk '{ print $3 }')" \
				'{ $3 += more; print }' <<<"$last"
		} >"$OUT/verdict.new"
		mv "$OUT/verdict.new" "$OUT/verdict"
	fi
	rm -f "$OUT/verdict2"
	[ "$rc" -eq 0 ] || cp "$b_log" "$CACHE/failed-logs/" 2>/dev/null || true
fi
head -n -1 "$OUT/verdict"
# A failed run's console outlives the tree it ran in (CI runs in a clone that is then
# deleted): the newest 10 are kept in the cache.
if [ "$rc" -ne 0 ] && mkdir -p "$CACHE/failed-logs" && cp "$log" "$CACHE/failed-logs/"; then
	lab_log "console log of this failed run also kept as $CACHE/failed-logs/${log##*/}"
	find "$CACHE/failed-logs" -name 'selftest-*.log' -printf '%T@ %p\n' | sort -rn |
		tail -n +11 | cut -d' ' -f2- | xargs -r rm -f
fi
lab_log "build $(awk -v a="$started" -v b="$built" 'BEGIN { printf "%.0f", b - a }') s, boot and scenarios $(awk -v a="$built" -v b="$booted" 'BEGIN { printf "%.0f", b - a }') s"
# Logs of passing runs are not worth keeping for long.
find "$OUT/logs" -name '*.log' -mtime +7 -delete 2>/dev/null || true
tail -n 1 "$OUT/verdict"
exit "$rc"
