#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the lab once: Xen and a PV dom0 of Debian 13 or 12 (the images build.sh made last)
# under QEMU TCG, on emulated server hardware (500 GiB sparse disk on AHCI, two e1000 NICs on
# one QEMU hub with no outside link:
# the uplink, bridged with the guests' vifs, and the one dom0 moves into the network namespace
# "peer" as the outside host of the net scenarios). Needs the images of build.sh.
#
#   boot.sh [--mode selftest|shell] [--tests "NAME..."] [--log FILE] [--timeout SECONDS]
#           [--stream full|tap|none] [--role a|b] [--disk FILE] [--wire listen:PORT|connect:PORT]
#
# --stream: what of the console goes to stdout while running (the log always gets everything).
# Two servers on shared storage (selftest.sh boots them for scenarios that say
# "# pvtest-hosts: 2"): --role b is the second server, which has only an uplink NIC, serves
# the first one's requests (dom0/init) and runs no scenarios; --disk is a server disk the two
# share (made and removed by the caller, not here); --wire links this QEMU's hub to the other
# one's over a TCP socket on 127.0.0.1 (the second server listens, the first connects).
# Shell mode is interactive (serial console on the terminal, ctrl-a x quits).
# Environment: PVBACK_BACKEND, PVBLKBACK_PARAMS, PVNETBACK_PARAMS, PVTEST_SCEN_TIMEOUT,
# PVTEST_GUEST_TYPE (tools/testing/selftests/lib.sh) and
# PVTEST_BENCH* (tools/testing/selftests/bench.sh) are passed to dom0 (PVTEST_BENCH_PERF also
# adds build.sh's perf layer to it); PVTEST_QEMU_ARGS adds QEMU arguments (the NICs' netdevs
# are "net0" and "net1" on hub 0, so "-netdev hubport,id=net2,hubid=0 ..." joins the same wire);
# PVTEST_DOM0_MEM (default 2048) and PVTEST_QEMU_MEM (default 6144) size things in MiB;
# PVTEST_XEN_EXTRA adds words to Xen's command line.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# dom0 tells the NICs apart by these (dom0/init gets them through run.conf).
UPLINK_MAC=52:54:00:00:00:01
PEER_MAC=52:54:00:00:00:02

mode=selftest tests='' log='' tmo='' stream=full role=a disk='' wire=''
while [ $# -gt 0 ]; do
	case $1 in
	--mode) mode=$2 ;;
	--tests) tests=$2 ;;
	--log) log=$2 ;;
	--timeout) tmo=$2 ;;
	--stream) stream=$2 ;;
	--role) role=$2 ;;
	--disk) disk=$2 ;;
	--wire) wire=$2 ;;
	*) lab_die "boot.sh: unknown argument $1" ;;
	esac
	shift 2
done
case $mode in
selftest) tmo=${tmo:-1500} ;;
shell) tmo=${tmo:-14400} ;;
*) lab_die "boot.sh: bad mode $mode" ;;
esac
case $role in
a) ;;
b)
	# The second server's MAC, and no peer NIC; its run files apart from the first one's.
	UPLINK_MAC=52:54:00:00:01:01 PEER_MAC=none
	;;
*) lab_die "boot.sh: bad role $role (a or b)" ;;
esac
case $wire in
'' | listen:[0-9]* | connect:[0-9]*) ;;
*) lab_die "boot.sh: bad --wire $wire (listen:PORT or connect:PORT)" ;;
esac

IMG=$OUT/images
for f in xen.elf vmlinuz dom0.cpio.gz; do
	[ -e "$IMG/$f" ] || lab_die "missing $IMG/$f: run tools/testing/lab/build.sh"
done
RUN=$CACHE/run
[ "$role" = a ] || RUN=$CACHE/run/host-$role
mkdir -p "$RUN" "$OUT/logs"
log=${log:-$OUT/logs/$mode-$(date +%Y%m%d-%H%M%S).log}

# One lab at a time: two TCG guests on 2 cores would starve each other into timeouts.
exec 9>"$RUN/.lock"
flock -n 9 || lab_die "another lab is running (lock $RUN/.lock)"

# Per-run settings ride in a second cpio appended to the initramfs (the kernel unpacks both).
conf=$(mktemp -d)
trap 'rm -rf "$conf"' EXIT
mkdir -p "$conf/etc/pvtest"
{
	printf 'PVTEST_MODE=%q\nPVTEST_ROLE=%s\n' "$mode" "$role"
	printf 'PVTEST_TESTS=%q\n' "$tests"
	printf 'PVTEST_UPLINK_MAC=%s\nPVTEST_PEER_MAC=%s\n' "$UPLINK_MAC" "$PEER_MAC"
	for v in PVBACK_BACKEND PVBLKBACK_PARAMS PVNETBACK_PARAMS PVTEST_SCEN_TIMEOUT PVTEST_CMD_TIMEOUT \
		PVTEST_BENCH PVTEST_BENCH_ROUNDS PVTEST_BENCH_SECS PVTEST_BENCH_TYPES \
		PVTEST_BENCH_WORKLOADS PVTEST_BENCH_BACKENDS PVTEST_BENCH_ALT PVTEST_BENCH_PERF \
		PVTEST_LIFECYCLE_ROUNDS PVTEST_LIFECYCLE_DESTROYS PVTEST_HOTPLUG_ROUNDS PVTEST_XENSTORED_ARGS PVTEST_GUEST_TYPE \
		PVTEST_HOSTS; do
		[ -n "${!v:-}" ] && printf '%s=%q\n' "$v" "${!v}"
	done
} >"$conf/etc/pvtest/run.conf"
(cd "$conf" && find etc | cpio -o -H newc -R 0:0 --quiet) | gzip -n >"$conf/run.cpio.gz"
layers=("$IMG/dom0.cpio.gz" "$conf/run.cpio.gz")
if [ -n "${PVTEST_BENCH_PERF:-}" ]; then
	[ -e "$IMG/perf.cpio.gz" ] || lab_die "no $IMG/perf.cpio.gz: run build.sh with PVTEST_BENCH_PERF=1"
	layers+=("$IMG/perf.cpio.gz")
fi
cat "${layers[@]}" >"$RUN/initrd.gz"

# The server's disk: sparse, so 500 GiB of zeroes cost nothing; fresh every boot. A shared
# one is opened by two QEMUs: no image locking (each dom0 writes only through pvblkback and
# reads with O_DIRECT, and the host's page cache is one for both).
DISK=$RUN/disk.raw locking=''
if [ -n "$disk" ]; then
	[ -f "$disk" ] || lab_die "no shared disk $disk"
	DISK=$disk locking=,file.locking=off
else
	rm -f "$DISK"
	truncate -s 500G "$DISK"
fi

# Multiboot modules are comma-separated in -initrd; a literal comma is written twice.
mb() { printf '%s' "${1//,/,,}"; }
dom0_mem=${PVTEST_DOM0_MEM:-2048}
xen_args="console=com1 com1=115200,8n1 dom0_mem=${dom0_mem}M,max:${dom0_mem}M dom0_max_vcpus=2"
xen_args+=" loglvl=all guest_loglvl=all ${PVTEST_XEN_EXTRA:-}"
# Under TCG, Xen at times wakes an idle vCPU tens of seconds late (Documentation/lab.md, "When
# dom0 wakes late"): RCU's stall warning, due after 21 s, would report those idle CPUs; it
# waits for the longest it can, 300 s. Real trouble still shows: lockdep, BUG, WARNING, the
# hung-task check and every scenario's own time limit. The same late wakeup of an idle CPU
# leaves another one spinning on an IPI to it (a TLB flush): the soft-lockup watchdog, due
# after 20 s, would blame that one; it waits 120 s (watchdog_thresh=60) and then shows every
# CPU's stack, so a real lockup (a thread that never yields) still shows, explained.
stall="rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60 softlockup_all_cpu_backtrace=1"
dom0_args="console=hvc0 earlyprintk=xen loglevel=5 $stall rdinit=/init"

serial=stdio
[ "$mode" = shell ] && serial=mon:stdio
# shellcheck disable=SC2206
extra=(${PVTEST_QEMU_ARGS:-})
# Debian 13's QEMU (qemu-kit.sh), a TCG three years newer than the host's Debian 12
# one; PVTEST_QEMU_SUITE=host for the host's (lab.md, "Guest types").
qsuite=${PVTEST_QEMU_SUITE:-trixie} qbin='qemu-system-x86_64'
if [ "$qsuite" != host ]; then
	qbin=$("$(dirname "${BASH_SOURCE[0]}")/qemu-kit.sh" "$qsuite") || lab_die "no QEMU of Debian $qsuite"
fi
lab_log "QEMU: $("$qbin" --version | head -n 1)"
# shellcheck disable=SC2054 # commas inside QEMU option values
# +svm,+npt: AMD-V with nested paging, which Xen needs for HVM and PVH guests (Debian builds
# it without shadow paging); PV guests and dom0 do not use them.
qemu=("$qbin" -accel tcg -cpu qemu64,+svm,+npt -m "${PVTEST_QEMU_MEM:-6144}" -smp 2
	-nodefaults -no-user-config -display none -monitor none -no-reboot -serial "$serial"
	-kernel "$(readlink -f "$IMG/xen.elf")" -append "$xen_args"
	-initrd "$(mb "$(readlink -f "$IMG/vmlinuz")") $dom0_args,$(mb "$RUN/initrd.gz")"
	-drive "if=none,id=disk0,file=$DISK,format=raw,cache=unsafe,discard=unmap$locking"
	-device ahci,id=ahci0 -device ide-hd,drive=disk0,bus=ahci0.0)
# shellcheck disable=SC2054 # commas inside QEMU option values
if [ "$role" = a ]; then
	qemu+=(-netdev hubport,id=net0,hubid=0 -device "e1000,netdev=net0,mac=$UPLINK_MAC"
		-netdev hubport,id=net1,hubid=0 -device "e1000,netdev=net1,mac=$PEER_MAC")
	# The other server's uplink joins this wire (the peer's and this uplink's hub).
	[ -z "$wire" ] || qemu+=(-netdev "socket,id=wire,${wire%%:*}=127.0.0.1:${wire#*:}"
		-netdev hubport,id=net2,hubid=0,netdev=wire)
else
	[ -n "$wire" ] || lab_die "boot.sh: --role b needs --wire"
	qemu+=(-netdev "socket,id=net0,${wire%%:*}=127.0.0.1:${wire#*:}"
		-device "e1000,netdev=net0,mac=$UPLINK_MAC")
fi
qemu+=("${extra[@]}")
# The dkms scenario's Debian root (tools/testing/lab/dkmsroot.sh), on virtio so that it is
# /dev/vda and the server's disk stays /dev/sda whatever the probe order (a second AHCI disk
# sometimes came up as sda); the cached image is never written (snapshot=on).
# shellcheck disable=SC2054 # commas inside QEMU option values
if [ -n "${PVTEST_DKMSROOT_IMG:-}" ]; then
	qemu+=(-drive "if=none,id=disk1,file=$PVTEST_DKMSROOT_IMG,format=raw,snapshot=on"
		-device virtio-blk-pci,drive=disk1)
fi

lab_log "booting ($mode${tests:+: $tests}), console log $log, timeout ${tmo}s"
rc=0
if [ "$mode" = shell ]; then
	# --foreground: QEMU must own the terminal to read keys.
	timeout --foreground -k 10 "$tmo" "${qemu[@]}" | tee "$log" || rc=${PIPESTATUS[0]}
else
	filter() {
		case $stream in
		full) sed -u 's/\r$//' ;;
		tap) sed -u 's/\r$//' | grep --line-buffered -E '^(ok |not ok |#|pvtest:|PVTEST-(READY|SETUP|SCENARIO|END))|Kernel panic|\(XEN\) .*(Panic|PANIC|BUG|crashed)' ;;
		*) cat >/dev/null ;;
		esac
	}
	timeout -k 10 "$tmo" "${qemu[@]}" </dev/null 2>&1 | tee "$log" | filter || rc=${PIPESTATUS[0]}
fi
[ -n "$disk" ] || rm -f "$DISK"
[ "$rc" -eq 124 ] && lab_log "QEMU timed out after ${tmo}s"
[ "$role" = b ] || echo "$log" >"$OUT/logs/last"
exit "$rc"
