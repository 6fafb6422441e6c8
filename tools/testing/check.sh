#!/bin/bash
# make check: W=1 + sparse build, checkpatch, KUnit, then the lab
# scenarios under real Xen.  Each stage counts its checks; the last line is
# "N passed, N failed" over all of them.  Exit status 1 if anything failed.
#
#   check.sh          what make check runs (CI, within its 90 minutes)
#   check.sh --all    make check-all: the same, then what does not fit there
#                     (Documentation/testing.md): the benchmark's smoke run, the
#                     rest of the scenarios on Debian 12's dom0, the scenarios
#                     that apply to every guest type with PVH and HVM guests,
#                     the long lifecycle loops (100 attach/detach rounds, 20
#                     destroys) and fuzzing for FUZZ_TIME (300) s per harness
#
# The lab boots two dom0 releases: Debian 13 (Xen 4.20, Linux 6.12), the
# default, runs every scenario (but the benchmark's); Debian 12 (Xen 4.17, Linux 6.1) the core ones
# (CORE below) in make check and the others in make check-all.
set -uo pipefail

all=0
case ${1:-} in
--all) all=1 ;;
'') ;;
*)
	echo "usage: check.sh [--all]" >&2
	exit 2
	;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
logdir=$top/.tmp_check
mkdir -p "$logdir"
passed=0
failed=0

# stage NAME CMD...: run a stage whose output ends with "N passed, N failed";
# a stage that fails without such a line counts as one failure.
stage() {
	local name=$1 log=$logdir/$1.log rc line p f t0=$SECONDS
	shift
	mkdir -p "$logdir"
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		f=$(sed -E 's/.*(^|: )([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
		[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	elif [ "$rc" -eq 0 ]; then
		p=1 f=0
	else
		p=0 f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "=== $name: $p passed, $f failed in $((SECONDS - t0)) s (log: $log)"
}

build() {
	local out
	# From clean, so that every file is compiled and checked again.
	make -C "$top" clean >/dev/null 2>&1
	out=$(make -C "$top" W=1 C=1 2>&1) || { echo "$out"; return 1; }
	echo "$out" | grep -E '^  (CC|LD) \[M\]' | sed 's/^/  /'
	# Warnings are errors here: the tree must stay W=1 and sparse clean.
	if echo "$out" | grep -E 'warning:|error:'; then
		return 1
	fi
	echo "build: modules built with W=1 and sparse, no warnings"
}

stage build build
# Debian 13's 6.12 as well, in a trixie root made once from the host's mirror (about 640 MB,
# 4 minutes cold, under ~/.cache/pvback/kbuild/).
stage build-trixie "$top/tools/testing/kbuild/build.sh" trixie
stage checkpatch "$top/tools/testing/checkpatch.sh"
stage pvbackctl make -s -C "$top/userspace/pvbackctl" check
stage bench-tools "$top/tools/testing/bench/check.sh"
stage lab-tools "$top/tools/testing/lab/check.sh"
stage hotplug "$top/tools/testing/hotplug-check.sh"
# The libFuzzer harnesses, briefly: 20 s each (make fuzz runs them long).
stage fuzz "$top/tools/testing/fuzz/run.sh" --time 20
stage package "$top/tools/testing/package-check.sh"
stage kunit "$top/tools/testing/kunit/run.sh"
# The same suites in a kernel built from Debian 13's source (about 12 minutes once, cached).
stage kunit-6.12 env KUNIT_KERNEL=6.12 "$top/tools/testing/kunit/run.sh"
# Every scenario on Debian 13's dom0 but those in LATER, which check-all runs: the
# benchmarks' smoke runs (make bench and make bench-migrate run them in full), and live
# migration, which the emulated CPU at times breaks (tools/testing/selftests/vm-migrate.sh).
LATER="bench bench-migrate vm-migrate"
# The scenarios that need a second server ("# pvtest-hosts: 2") boot a pair of labs of their
# own, in check-all.
HOSTS2=$(grep -lx '# pvtest-hosts: 2' "$top"/tools/testing/selftests/*.sh | xargs -r -n1 basename |
	sed 's/\.sh$//' | tr '\n' ' ')
main=(lab-smoke)
for f in "$top"/tools/testing/selftests/*.sh; do
	n=$(basename "$f" .sh)
	case " lib lab-smoke $LATER $HOSTS2 " in *" $n "*) continue ;; esac
	main+=("$n")
done
stage selftest env PVTEST_DIST=trixie "$top/tools/testing/lab/selftest.sh" "${main[@]}"
# Debian 12's dom0: booting and the disk, overlap refusal, the network, the hostile guest,
# the packages through DKMS, and a guest with Debian 13's frontends.
CORE="lab-smoke blk-basic blk-overlap net-basic hostile dkms guest-mixed"
stage selftest-bookworm env PVTEST_DIST=bookworm "$top/tools/testing/lab/selftest.sh" "$CORE"
if [ "$all" = 1 ]; then
	rest=()
	for f in "$top"/tools/testing/selftests/*.sh; do
		n=$(basename "$f" .sh)
		case " lib $CORE $HOSTS2 " in *" $n "*) continue ;; esac
		rest+=("$n")
	done
	stage selftest-bookworm-rest env PVTEST_DIST=bookworm \
		"$top/tools/testing/lab/selftest.sh" "${rest[@]}"
	stage selftest-later env PVTEST_DIST=trixie "$top/tools/testing/lab/selftest.sh" "$LATER"
	# Two servers on one disk and one wire (each with 2 vCPUs: the pair runs at half speed),
	# a pair for each scenario: lease-hosts kills its second server.
	# Each run may take its scenario's own timeout plus 15 minutes for booting the pair.
	for n in $HOSTS2; do
		t=$(sed -n 's/^# pvtest-timeout: \([0-9][0-9]*\)$/\1/p' "$top/tools/testing/selftests/$n.sh")
		stage "selftest-hosts2-$n" env PVTEST_DIST=trixie PVTEST_TIMEOUT=$((${t:-600} + 900)) \
			"$top/tools/testing/lab/selftest.sh" "$n"
	done
	# The scenarios that apply to every guest type, again with PVH and with HVM guests. Not
	# blk-hotplug with HVM guests: under TCG's nested SVM they triple-fault within 8-17
	# attach/detach rounds whichever the backend (Documentation/lab.md, "Guest types").
	stage selftest-pvh env PVTEST_DIST=trixie PVTEST_GUEST_TYPE=pvh \
		"$top/tools/testing/lab/selftest.sh" "blk-basic blk-overlap blk-hotplug blk-destroy net-basic"
	stage selftest-hvm env PVTEST_DIST=trixie PVTEST_GUEST_TYPE=hvm \
		"$top/tools/testing/lab/selftest.sh" "blk-basic blk-overlap blk-destroy net-basic"
	stage lifecycle-long env PVTEST_DIST=trixie PVTEST_LIFECYCLE_ROUNDS=100 \
		PVTEST_LIFECYCLE_DESTROYS=20 PVTEST_TIMEOUT=7800 "$top/tools/testing/lab/selftest.sh" lifecycle
	stage fuzz-long "$top/tools/testing/fuzz/run.sh" --time "${FUZZ_TIME:-300}"
fi

echo "=== all stages: $((SECONDS / 60)) min $((SECONDS % 60)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
