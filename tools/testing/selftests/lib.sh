# SPDX-License-Identifier: GPL-2.0
# lib.sh - helpers for lab scenarios; they run in dom0 (see Documentation/lab.md).
#
# TAP: all scenarios of one boot share one numbered TAP stream; every line names its scenario
# ("ok 7 - blk-basic: guest sees 20 GiB"). tap_ok/tap_not_ok/tap_skip always return 0; tap_is
# and tap_run return 1 when the check failed (so under set -e a bare failing check ends the
# scenario: add "|| true" where the rest is still meaningful, or "|| tap_bail ..." to say why).
# The runner adds a "not ok" when a scenario exits non-zero or runs fewer checks than planned.
#
# Guests: guest_cfg writes an xl config, guest_create starts it and waits for its agent,
# guest_run runs a command in it through xenstore, guest_destroy removes it.
# shellcheck shell=bash

PVTEST_LIB=${PVTEST_LIB:-/usr/lib/pvtest}
PVTEST_RUN=${PVTEST_RUN:-/run/pvtest}
PVTEST_SCENARIO=${PVTEST_SCENARIO:-$(basename "$0" .sh)}
PVTEST_GUEST_KERNEL=${PVTEST_GUEST_KERNEL:-$PVTEST_LIB/guest/vmlinux}
PVTEST_GUEST_RAMDISK=${PVTEST_GUEST_RAMDISK:-$PVTEST_LIB/guest/initrd}
# The same kernel as a bzImage, for HVM guests (the device model boots it through SeaBIOS).
PVTEST_GUEST_BZIMAGE=${PVTEST_GUEST_BZIMAGE:-$PVTEST_LIB/guest/vmlinuz}
# The type of the guests guest_cfg writes unless told: pv, pvh or hvm (check-all runs the
# scenarios that apply to every type with each; Documentation/lab.md).
PVTEST_GUEST_TYPE=${PVTEST_GUEST_TYPE:-pv}
# The emulated server's big disk (500 GiB, sparse, zero at boot).
PVTEST_DISK=${PVTEST_DISK:-/dev/sda}
# Default limit for one guest command, xl call or condition, in seconds.
PVTEST_CMD_TIMEOUT=${PVTEST_CMD_TIMEOUT:-180}
PVBACK_BACKEND=${PVBACK_BACKEND:-pvback}
mkdir -p "$PVTEST_RUN/vm"

# ---------------------------------------------------------------- TAP

_tap_next() {
	local f=$PVTEST_RUN/tap.n n
	exec 8>>"$PVTEST_RUN/tap.lock"
	flock 8
	n=$(($(cat "$f" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$f"
	exec 8>&-
	echo "$n"
}

# _tap_line STATUS DESC [DIRECTIVE]: one numbered line, also kept for the final summary.
# A check that came a minute or more after the one before (or the scenario's start) says so,
# with dom0's uptime: where a slow run lost its time, next to dom0's kernel messages.
_tap_line() {
	local status=$1 desc=${2//#/%} dir=${3:-} n line now last
	n=$(_tap_next)
	line="$status $n - $PVTEST_SCENARIO: $desc${dir:+ # $dir}"
	printf '%s\n' "$line"
	printf '%s\n' "$line" >>"$PVTEST_RUN/tap.log"
	now=$(date +%s)
	last=$(cat "$PVTEST_RUN/scen.last" 2>/dev/null || echo "$now")
	echo "$now" >"$PVTEST_RUN/scen.last"
	[ $((now - last)) -lt 60 ] ||
		tap_diag "$((now - last)) s since the check before (dom0 up $(cut -d' ' -f1 /proc/uptime) s)"
	case $status in
	ok) [ -n "$dir" ] && echo skip >>"$PVTEST_RUN/scen.results" || echo pass >>"$PVTEST_RUN/scen.results" ;;
	*) echo fail >>"$PVTEST_RUN/scen.results" ;;
	esac
}

tap_diag() {
	local l
	while IFS= read -r l; do printf '# %s\n' "$l"; done <<<"$*"
}

# tap_plan N: the number of checks this scenario will report.
tap_plan() {
	echo "$1" >"$PVTEST_RUN/scen.planned"
	tap_diag "$PVTEST_SCENARIO: $1 checks planned"
}

tap_ok() { _tap_line ok "$1"; }

# tap_not_ok DESC [DIAGNOSTIC...]
tap_not_ok() {
	_tap_line "not ok" "$1"
	shift
	[ $# -eq 0 ] || tap_diag "$*"
	return 0
}

# tap_skip DESC REASON
tap_skip() { _tap_line ok "$1" "SKIP ${2:-}"; }

# tap_is GOT WANT DESC
tap_is() {
	if [ "$1" = "$2" ]; then
		tap_ok "$3"
	else
		tap_not_ok "$3" "got '$1', expected '$2'"
		return 1
	fi
}

# tap_run DESC CMD...: ok when CMD succeeds; its output becomes diagnostics when it fails.
tap_run() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc" "command failed (rc=$rc): $*"$'\n'"$out"
		return 1
	fi
}

# tap_run_diag DESC CMD...: tap_run that shows CMD's output as diagnostics when it succeeds too
# (throughputs, counts).
tap_run_diag() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		tap_ok "$desc"
		[ -z "$out" ] || tap_diag "$out"
	else
		tap_not_ok "$desc" "command failed (rc=$rc): $*"$'\n'"$out"
		return 1
	fi
}

# tap_run_fails DESC CMD...: ok when CMD fails.
tap_run_fails() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc" "command unexpectedly succeeded: $*"$'\n'"$out"
		return 1
	fi
}

# tap_skip_all REASON: the whole scenario does not apply; ends it.
tap_skip_all() {
	_tap_line ok "all checks" "SKIP $1"
	touch "$PVTEST_RUN/scen.skipall"
	exit 0
}

# tap_bail REASON: a failure that makes the rest meaningless; ends the scenario (the runner
# reports the checks that did not run).
tap_bail() {
	_tap_line "not ok" "cannot go on: $1"
	touch "$PVTEST_RUN/scen.bailed"
	exit 0
}

# ---------------------------------------------------------------- waiting
# Every process a PV dom0 starts costs a lot under TCG (each syscall bounces through Xen), so
# the waiting helpers avoid forks: bash's SECONDS for time, a read timeout for sleeping,
# xenstore watches instead of polling xenstore.

# psleep SECONDS: sleep without a process (a read that times out on a private FIFO).
psleep() {
	local fifo=$PVTEST_RUN/.sleep.$BASHPID
	[ -p "$fifo" ] || mkfifo "$fifo"
	read -r -t "$1" <>"$fifo" || true
}

# wait_for CONDITION [TIMEOUT]: poll the shell command CONDITION (eval'ed) until it succeeds;
# polls fast at first, then every second. Returns 1 after TIMEOUT seconds.
wait_for() {
	local cond=$1 tmo=${2:-$PVTEST_CMD_TIMEOUT} end delay=0.1
	end=$((SECONDS + tmo))
	while :; do
		eval "$cond" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		psleep "$delay"
		case $delay in 0.1) delay=0.2 ;; 0.2) delay=0.5 ;; *) delay=1 ;; esac
	done
}

# xs_wait PATH TIMEOUT [VALUE]: wait until xenstore PATH exists (and holds VALUE), by watch.
xs_wait() { pvxs wait -t "$2" "$1" ${3+"$3"}; }

# xs_wait_gone PATH TIMEOUT: wait until xenstore PATH no longer exists.
xs_wait_gone() { pvxs wait-gone -t "$2" "$1"; }

# bg_start ID CMD...: run CMD in the background; bg_result ID gives its output and status.
bg_start() {
	local f=$PVTEST_RUN/bg.$1
	shift
	rm -f "$f.out" "$f.rc"
	{
		local rc=0
		"$@" >"$f.out" 2>&1 || rc=$?
		echo "$rc" >"$f.rc"
	} &
	echo $! >"$f.pid"
}

# bg_result ID [TIMEOUT]: wait for a bg_start command, print its output, return its status
# (124 when it did not end in time). Works in subshells too (it polls for the status file).
bg_result() {
	local f=$PVTEST_RUN/bg.$1 pid rc=124
	if read -r pid <"$f.pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
	if wait_for "[ -f $f.rc ]" "${2:-$PVTEST_CMD_TIMEOUT}"; then read -r rc <"$f.rc"; fi
	cat "$f.out" 2>/dev/null
	return "$rc"
}

# ---------------------------------------------------------------- sizes and regions

# to_bytes NUM[s|K|M|G|T]: the hotplug contract's units (s = 512-byte sectors, powers of 1024).
to_bytes() {
	local v=$1 n
	n=${v%[sKMGT]}
	case $v in
	*s) echo $((n * 512)) ;;
	*K) echo $((n << 10)) ;;
	*M) echo $((n << 20)) ;;
	*G) echo $((n << 30)) ;;
	*T) echo $((n << 40)) ;;
	*) echo $((v)) ;;
	esac
}

# region_spec VDEV START SIZE [ACCESS [TARGET]]: an xl disk spec for our pvback-region script.
region_spec() {
	printf 'vdev=%s, access=%s, script=pvback-region, target=%s,start=%s,size=%s\n' \
		"$1" "${4:-rw}" "${5:-$PVTEST_DISK}" "$2" "$3"
}

# vbd_devid xvdX: the vbd device id of a xvd name (202 << 8 | 16 * index).
vbd_devid() {
	local c=${1#xvd}
	local i
	i=$(($(printf '%d' "'$c") - 97))
	echo $(((202 << 8) | (i << 4)))
}

# vbd_sysfs DOMID VDEV: the backend device's sysfs directory.
vbd_sysfs() { echo "/sys/bus/xen-backend/devices/vbd-$1-$(vbd_devid "$2")"; }

# vbd_attr DOMID VDEV FILE: a sysfs attribute of a vbd backend ("region", "statistics/wr_req").
vbd_attr() {
	local v
	read -r v <"$(vbd_sysfs "$1" "$2")/$3" || return 1
	echo "$v"
}

# meminfo KEY: a /proc/meminfo value in kB.
meminfo() {
	local k v _
	while read -r k v _; do
		[ "$k" = "$1:" ] && echo "$v" && return 0
	done </proc/meminfo
	return 1
}

# kern_mark: a mark for kern_since, the time stamp of dom0's last kernel message (-1 if none).
# A time, not a line count: once the log buffer is full, old lines go as new ones come and
# the count stays put, which would hide every later message.
kern_mark() { dmesg | awk "$KERN_STAMP"' END { if (t == "") print -1; else printf "%.6f\n", t }'; }

# KERN_STAMP: awk that sets t to the time stamp of a kernel log line (kept from the line
# before when it has none).
# shellcheck disable=SC2016 # awk's $0, not the shell's
KERN_STAMP='match($0, /^\[ *[0-9]+\.[0-9]+\]/) { t = substr($0, RSTART + 1, RLENGTH - 2) + 0 }'

# kern_since MARK: the kernel's messages stamped after MARK (a line without a stamp goes with
# the line before it).
kern_since() { dmesg | awk -v m="$1" "$KERN_STAMP"' t > m + 0'; }

# kern_trouble MARK: messages after MARK that mean trouble (oops, BUG, WARNING, lockdep...), the
# same words the host's judge looks for in the whole console, each with the headline of its
# report (which task hung, which CPU stalled...): kern-trouble.awk.
kern_trouble() {
	kern_since "$1" | awk -f "$(dirname "${BASH_SOURCE[0]}")/kern-trouble.awk"
}

# backend_devices [DOMID]: names of xen-backend devices (of one domain).
# shellcheck disable=SC2120 # the argument is optional
backend_devices() {
	local d
	for d in /sys/bus/xen-backend/devices/*; do
		[ -e "$d" ] || continue
		d=${d##*/}
		if [ -z "${1:-}" ] || [[ $d == *-"$1"-* ]]; then echo "$d"; fi
	done
}

# pvblk_threads: the ring threads of pvblkback (pvblk<domid>.<devid>-<ring>; not a kworker
# running pvblkback's workqueue).
pvblk_threads() {
	local f c
	for f in /proc/[0-9]*/comm; do
		c=$(cat "$f" 2>/dev/null) || continue
		[[ $c == pvblk[0-9]*.*-* ]] && echo "$c"
	done
	return 0
}

# pvblk_threads_left N: wait up to 60 s (teardown drains in the background) until N ring
# threads are left; prints how many are.
pvblk_threads_left() {
	wait_for "[ \$(pvblk_threads | wc -l) -le $1 ]" 60 || true
	pvblk_threads | wc -l
}

# dom0_verify OFFSET LEN SEED PATTERN_OFFSET: check guest-written data on the physical disk.
dom0_verify() { pvpattern verify "$PVTEST_DISK" "$1" "$2" "$3" --pattern-offset "$4"; }

# ---------------------------------------------------------------- backends

PVBLKBACK_KO=$PVTEST_LIB/modules/pvblkback.ko
PVNETBACK_KO=$PVTEST_LIB/modules/pvnetback.ko

mod_loaded() { [ -d "/sys/module/$1" ]; }

# blk_backend_wanted: pvblkback or xen_blkback, from PVBACK_BACKEND and what the image has.
blk_backend_wanted() {
	if [ "$PVBACK_BACKEND" != intree ] && [ -f "$PVBLKBACK_KO" ]; then
		echo pvblkback
	else
		echo xen_blkback
	fi
}

# blk_backend_load: make the wanted vbd backend the loaded one (no guest may use a vbd).
blk_backend_load() {
	if [ "$(blk_backend_wanted)" = pvblkback ]; then
		mod_loaded pvblkback && return 0
		if mod_loaded xen_blkback; then rmmod xen_blkback || return 1; fi
		# shellcheck disable=SC2086 # parameters are words
		insmod "$PVBLKBACK_KO" ${PVBLKBACK_PARAMS:-}
	else
		mod_loaded xen_blkback && return 0
		if mod_loaded pvblkback; then rmmod pvblkback || return 1; fi
		modprobe xen-blkback
	fi
}

# net_backend_wanted: pvnetback or xen_netback, from PVBACK_BACKEND and what the image has.
net_backend_wanted() {
	if [ "$PVBACK_BACKEND" != intree ] && [ -f "$PVNETBACK_KO" ]; then
		echo pvnetback
	else
		echo xen_netback
	fi
}

# net_backend_load [PARAM=VALUE...]: make the wanted vif backend the loaded one (no guest may
# use a vif). With parameters, it is loaded again with them (in addition to PVNETBACK_PARAMS
# for ours); without, it is loaded again if it has parameters from an earlier call.
# shellcheck disable=SC2120 # the parameters are optional
net_backend_load() {
	local want other=pvnetback mark=$PVTEST_RUN/net.params
	want=$(net_backend_wanted)
	[ "$want" = pvnetback ] && other=xen_netback
	if mod_loaded "$other"; then rmmod "$other" || return 1; fi
	if mod_loaded "$want"; then
		[ $# -eq 0 ] && [ ! -f "$mark" ] && return 0
		rmmod "$want" || return 1
	fi
	rm -f "$mark"
	[ $# -eq 0 ] || echo "$*" >"$mark"
	if [ "$want" = pvnetback ]; then
		# shellcheck disable=SC2086 # parameters are words
		insmod "$PVNETBACK_KO" ${PVNETBACK_PARAMS:-} "$@"
	else
		modprobe xen-netback "$@"
	fi
}

# require_pvblkback: skip the scenario in the in-tree mode, fail it when the module is missing.
require_pvblkback() {
	[ "$PVBACK_BACKEND" != intree ] || tap_skip_all "needs pvblkback (PVBACK_BACKEND=intree)"
	[ -f "$PVBLKBACK_KO" ] || tap_bail "pvblkback.ko is not in the image (make modules)"
	mod_loaded pvblkback || blk_backend_load || tap_bail "pvblkback.ko does not load"
	[ -x /etc/xen/scripts/pvback-region ] ||
		tap_bail "/etc/xen/scripts/pvback-region missing (userspace/hotplug/pvback-region)"
}

# vbd_driver_module DOMID VDEV: the module bound to a vbd backend device.
vbd_driver_module() {
	local m
	m=$(readlink -f "$(vbd_sysfs "$1" "$2")/driver/module") || return 1
	echo "${m##*/}"
}

# backends_of DOMID: the modules serving the domain's xvda and first vif, as "VBD/VIF" ("none"
# for one not bound), once both are bound or after 30 s.
backends_of() {
	wait_for "vbd_driver_module $1 xvda && vif_driver_module $1 0" 30 || true
	echo "$(vbd_driver_module "$1" xvda || echo none)/$(vif_driver_module "$1" 0 || echo none)"
}

# ---------------------------------------------------------------- guests

# guest_cfg NAME [--type pv|pvh|hvm] [--memory MB] [--vcpus N] [--extra ARGS] [--disk SPEC]...
#           [--vif SPEC]...
# Writes an xl config for a lab guest and prints its path. The type defaults to
# $PVTEST_GUEST_TYPE. An HVM guest boots the bzImage directly (no disk to boot from: its disks
# are data disks), with no display; its console is hvc0 as for the others. Its disks are also
# emulated IDE disks and its vifs also emulated NICs (e1000 unless "model=" says otherwise)
# until its kernel unplugs them for the frontends ("xen_emul_unplug=never" in --extra keeps
# them).
guest_cfg() {
	local name=$1 type=$PVTEST_GUEST_TYPE mem=192 vcpus=1 extra='' disks=() vifs=() f
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--type) type=$2 ;;
		--memory) mem=$2 ;;
		--vcpus) vcpus=$2 ;;
		--extra) extra=$2 ;;
		--disk) disks+=("'$2'") ;;
		--vif) vifs+=("'$2'") ;;
		*)
			echo "guest_cfg: unknown option $1" >&2
			return 2
			;;
		esac
		shift 2
	done
	f=$PVTEST_RUN/vm/$name.cfg
	{
		echo "name = \"$name\""
		echo "type = \"$type\""
		echo "memory = $mem"
		echo "vcpus = $vcpus"
		# A guest with several vCPUs boots with all of them on one physical CPU, and
		# guest_create lets them run anywhere once its agent answers: while it boots, its
		# kernel patches code (static keys) that its other vCPU runs, and QEMU's TCG, one
		# thread per CPU, then at times runs the old code, an int3, after the patch
		# (Documentation/lab.md, "Rare failures").
		[ "$vcpus" -le 1 ] || echo 'cpus = "0"  # pvtest: unpin when ready'
		case $type in
		pv | pvh) echo "kernel = \"$PVTEST_GUEST_KERNEL\"" ;;
		hvm)
			echo "kernel = \"$PVTEST_GUEST_BZIMAGE\""
			echo 'device_model_version = "qemu-xen"'
			echo 'vnc = 0'
			echo 'sdl = 0'
			echo 'vga = "none"'
			;;
		*)
			echo "guest_cfg: unknown type $type" >&2
			return 2
			;;
		esac
		echo "ramdisk = \"$PVTEST_GUEST_RAMDISK\""
		# rcu_cpu_stall_timeout, watchdog_thresh: as for dom0 (boot.sh), guests wake late at
		# times under TCG.
		echo "extra = \"console=hvc0 loglevel=4 rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60 rdinit=/init $extra\""
		local IFS=,
		echo "disk = [ ${disks[*]} ]"
		echo "vif = [ ${vifs[*]} ]"
		echo 'on_crash = "destroy"'
	} >"$f"
	echo "$f"
}

# guest_domid NAME: the domain id (remembered by guest_create; "xl domid" is slow).
guest_domid() {
	local d
	if [ -f "$PVTEST_RUN/domid.$1" ]; then
		read -r d <"$PVTEST_RUN/domid.$1"
		[ -n "$d" ] && echo "$d" && return 0
	fi
	xl domid "$1" 2>/dev/null
}

guest_console_log() { echo "/var/log/xen/console/guest-$1.log"; }

# guest_console_tail NAME [LINES]: the end of a guest's console, as diagnostics.
guest_console_tail() {
	local f
	f=$(guest_console_log "$1")
	[ -f "$f" ] && tap_diag "--- console of $1 (last ${2:-20} lines):"$'\n'"$(tail -n "${2:-20}" "$f" | tr -d '\r')"
	return 0
}

# dm_log_diag NAME: the end of an HVM guest's device model log, which says why it did not
# start or boot (a missing option ROM only shows there).
dm_log_diag() {
	local f=/var/log/xen/qemu-dm-$1.log
	[ -s "$f" ] || return 0
	tap_diag "device model log of $1:"$'\n'"$(tail -n 20 "$f")"
}

# guest_create NAME CFG [TIMEOUT]: xl create, then wait for the guest's agent. The output of xl
# stays in $PVTEST_XL_OUT. Returns xl's status, or 1 when the guest never got ready.
PVTEST_XL_OUT=
guest_create() {
	local name=$1 cfg=$2 tmo=${3:-$PVTEST_CMD_TIMEOUT} rc=0 t0 t1 d
	PVTEST_XL_OUT=$PVTEST_RUN/xl-create-$name.out
	rm -f "$PVTEST_RUN/domid.$name"
	t0=$SECONDS
	timeout -k 10 "$tmo" xl create "$cfg" >"$PVTEST_XL_OUT" 2>&1 || rc=$?
	t1=$SECONDS
	if [ "$rc" -ne 0 ]; then
		tap_diag "xl create $name: rc=$rc after $((t1 - t0))s"$'\n'"$(cat "$PVTEST_XL_OUT")"
		dm_log_diag "$name"
		return "$rc"
	fi
	d=$(xl domid "$name" 2>/dev/null) || {
		tap_diag "xl create $name succeeded but there is no such domain"
		return 1
	}
	echo "$d" >"$PVTEST_RUN/domid.$name"
	# Watched in slices, so that a guest that died while booting (on_crash = destroy) ends
	# the wait within seconds instead of after the whole timeout.
	local end=$((SECONDS + tmo)) why=''
	until xs_wait "/local/domain/$d/data/pvtest/ready" 5 1; do
		if ! xenstore-exists "/local/domain/$d"; then
			why="domain $d died before its agent was ready"
		elif [ "$SECONDS" -ge "$end" ]; then
			why="agent not ready after ${tmo}s"
		fi
		[ -z "$why" ] || break
	done
	if [ -n "$why" ]; then
		tap_diag "guest $name: $why"
		guest_console_tail "$name" 40
		dm_log_diag "$name"
		return 1
	fi
	if grep -q '# pvtest: unpin when ready' "$cfg" && ! xl vcpu-pin "$name" all all; then
		tap_diag "guest $name: xl vcpu-pin $name all all failed"
		return 1
	fi
	# The type the guest's kernel says it runs as is the one asked for (a scenario run with
	# PVTEST_GUEST_TYPE must not pass by running PV guests).
	local want got
	want=$(sed -n 's/^type = "\(.*\)"$/\1/p' "$cfg" 2>/dev/null | tr '[:lower:]' '[:upper:]')
	if [ -n "$want" ]; then
		got=$(guest_run "$name" cat /sys/hypervisor/guest_type 2>&1) || got="? ($got)"
		if [ "$got" != "$want" ]; then
			tap_diag "guest $name runs as $got, not $want"
			return 1
		fi
	fi
	tap_diag "guest $name (domain $d, ${want:-PV}): xl create $((t1 - t0))s, agent ready $((SECONDS - t1))s later"
}

# guest_run [-t SECONDS] NAME CMD...: run CMD (joined by spaces, run by bash) in the guest;
# prints its output (last 1800 bytes), returns its status (124: timeout, 125: no such guest).
# The protocol with the guest's agent is described in tools/testing/lab/pvxs.c.
guest_run() {
	local tmo=$PVTEST_CMD_TIMEOUT name d
	if [ "$1" = -t ]; then
		tmo=$2
		shift 2
	fi
	name=$1
	shift
	d=$(guest_domid "$name") || {
		echo "guest_run: no guest $name" >&2
		return 125
	}
	PVTEST_RUN=$PVTEST_RUN pvxs run -t "$tmo" "$d" "$*" || {
		local rc=$?
		# No answer: what the guest last said (its agent, its kernel) tells a hung
		# command from an agent that never got it.
		[ "$rc" -ne 124 ] || {
			echo "--- the end of $name's console:"
			tail -n 12 "$(guest_console_log "$name")" 2>/dev/null | tr -d '\r'
		} >&2
		return "$rc"
	}
}

# guest_wait_dev NAME DEV [TIMEOUT]: wait in the guest until block device DEV exists
# (or, with "!" before DEV, until it is gone).
guest_wait_dev() {
	local name=$1 neg='' dev tmo
	shift
	if [ "$1" = "!" ]; then
		neg='!'
		shift
	fi
	dev=$1 tmo=${2:-60}
	guest_run -t "$tmo" "$name" \
		"for i in \$(seq $((tmo * 5))); do [ $neg -b $dev ] && exit 0; sleep 0.2; done; exit 1"
}

# wait_backends_gone DOMID [TIMEOUT]: no backend device nor backend xenstore dir left.
wait_backends_gone() {
	xs_wait_gone "/local/domain/0/backend/vbd/$1" "${2:-60}" &&
		xs_wait_gone "/local/domain/0/backend/vif/$1" "${2:-60}" &&
		wait_for "[ -z \"\$(backend_devices $1)\" ]" "${2:-60}"
}

# guest_destroy NAME [TIMEOUT]: xl destroy, then wait until its domain and backends are gone.
guest_destroy() {
	local name=$1 tmo=${2:-60} d
	d=$(guest_domid "$name") || return 0
	timeout -k 10 "$tmo" xl destroy "$name" || return 1
	rm -f "$PVTEST_RUN/domid.$name"
	xs_wait_gone "/local/domain/$d" "$tmo" || return 1
	wait_backends_gone "$d" "$tmo"
}

# guest_moved NAME OLD_DOMID: NAME is another domain now (xl restore, xl migrate): prints and
# remembers its domid, and carries its agent's command counter over (the agent counts on).
guest_moved() {
	local d
	d=$(xl domid "$1" 2>/dev/null) || return 1
	[ "$d" != "$2" ] || return 1
	echo "$d" >"$PVTEST_RUN/domid.$1"
	[ ! -f "$PVTEST_RUN/seq.$2" ] || cp "$PVTEST_RUN/seq.$2" "$PVTEST_RUN/seq.$d"
	echo "$d"
}

# io_loop_script KEYDIR: a guest's loop of verified disk and network I/O until KEYDIR/stop
# exists: round r writes 1 MiB with seed 100 + r at MiB (r % 32) of /dev/xvda and reads it back
# (KEYDIR/written is r), then pings the peer until it answers (KEYDIR/rounds is r); on error
# (the disk, or no answer to 15 pings in 30 s) KEYDIR/nfail says what and the loop ends;
# KEYDIR/done once it stopped. KEYDIR is relative to the guest's xenstore home ("data/pvtest").
# dom0 checks the data with io_loop_verify.
io_loop_script() {
	# shellcheck disable=SC2016 # runs in the guest
	echo 'k='"$1"' r=0
while ! pvxs exists $k/stop; do
	r=$((r + 1)) o=$(((r % 32) * 1048576))
	if ! out=$(pvpattern write /dev/xvda $o 1048576 $((100 + r)) 2>&1 &&
		pvpattern verify /dev/xvda $o 1048576 $((100 + r)) 2>&1); then
		pvxs write $k/nfail "round $r disk: $out"; exit 1
	fi
	pvxs write $k/written $r
	# A lost packet is no error: on a busy wire, or when the VM moved while its ping was out
	# (the answer went to the old host). No answer for 30 s is.
	n=0
	until ping -c 1 -W 2 '"$PVTEST_PEER_IP"' >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt 15 ] || { pvxs write $k/nfail "round $r: no answer to 15 pings in 30 s"; exit 1; }
	done
	pvxs write $k/rounds $r
done
pvxs write $k/done $r
echo "$r rounds"'
}

# io_loop_verify START KEYDIR: dom0 finds the last 32 rounds of an io_loop_script whose
# /dev/xvda is the region at byte START of the disk (KEYDIR absolute); prints the bad ones.
io_loop_verify() {
	local r w bad='' m=$((1 << 20))
	w=$(pvxs read "$2/written" 2>/dev/null || echo 0)
	for ((r = w > 32 ? w - 31 : 1; r <= w; r++)); do
		dom0_verify $(($1 + (r % 32) * m)) $m $((100 + r)) $(((r % 32) * m)) >/dev/null 2>&1 ||
			bad+=" $r"
	done
	echo "${bad:-none}"
}

# grants_mapped DOMID: how many of DOMID's grants other domains (dom0's backends, xenstored,
# xenconsoled) have mapped now: the active entries of its grant table in Xen's 'g' dump.
grants_mapped() {
	xl debug-keys g >/dev/null 2>&1 || return 1
	xl dmesg | awk -v d="$1" '
		/gnttab_usage_print_all \[/ { n = 0; on = 0 }
		/grant-table for remote d[0-9]+ / { on = $0 ~ ("remote d" d " "); next }
		on && /\[0x[0-9a-f]+\]/ { n++ }
		/gnttab_usage_print_all \]/ { last = n; seen = 1 }
		END { if (!seen) exit 1; print last + 0 }'
}

# guest_disk_net_ok NAME DOMID START SEED IP MAC: the guest's xvda, a region at byte START of
# the server's disk, and its eth0 work: the vbd is Connected, 1 MiB written at offset 1 MiB of
# xvda is read back in the guest and found at START + 1 MiB in dom0, eth0 (IP, MAC) pings the
# peer. Prints what failed.
guest_disk_net_ok() {
	local g=$1 d=$2 start=$3 seed=$4 ip=$5 mac=$6 m=$((1 << 20)) out
	xs_wait "/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)/state" 60 4 || {
		echo "vbd not connected"
		return 1
	}
	guest_wait_dev "$g" /dev/xvda 60 || {
		echo "no /dev/xvda in the guest"
		return 1
	}
	guest_run "$g" "pvpattern write /dev/xvda $m $m $seed && pvpattern verify /dev/xvda $m $m $seed" ||
		return 1
	dom0_verify $((start + m)) $m "$seed" $m || return 1
	out=$(guest_net_up "$g" "$ip" "$mac") || {
		echo "guest network: $out"
		return 1
	}
	net_ping "$g" "$PVTEST_PEER_IP"
}

# ---------------------------------------------------------------- VMs that move
# A guest runs io_loop_script across xl save/restore or xl migrate (vm-save, vm-migrate).

# loop_start NAME DOMID: the guest's I/O loop, detached from its agent.
loop_start() {
	local x=/local/domain/$2/data/pvtest
	pvxs rm "$x/stop" "$x/nfail" "$x/rounds" "$x/written" "$x/done" >/dev/null 2>&1 || true
	guest_run "$1" "( $(io_loop_script data/pvtest) ) >/dev/null 2>&1 & echo started" >/dev/null
}

# loop_rounds DOMID: the rounds the loop has reported to this domain (0: none yet).
loop_rounds() { pvxs read "/local/domain/$1/data/pvtest/rounds" 2>/dev/null || echo 0; }

# loop_goes_on NAME DOMID: the loop reports rounds to DOMID, its new domain (the keys are the
# guest's own, under a home that moved with it).
loop_goes_on() {
	# shellcheck disable=SC2016 # evaluated by wait_for
	wait_for "[ \"\$(loop_rounds $2)\" -ge 1 ] || pvxs exists /local/domain/$2/data/pvtest/nfail" 180 &&
		! pvxs exists "/local/domain/$2/data/pvtest/nfail"
}

# loop_end NAME DOMID START: stop the loop; no round failed and dom0 finds the last rounds.
loop_end() {
	local x=/local/domain/$2/data/pvtest
	pvxs write "$x/stop" 1
	wait_for "pvxs exists $x/done || pvxs exists $x/nfail" 180 || true
	if pvxs exists "$x/nfail"; then
		tap_not_ok "$1's I/O never failed" "$(pvxs read "$x/nfail")"
	elif ! pvxs exists "$x/done"; then
		tap_not_ok "$1's I/O loop ended" "no answer to stop"
	else
		tap_ok "$1's I/O never failed: $(pvxs read "$x/done") rounds of verified disk I/O and pings"
	fi
	tap_is "$(io_loop_verify "$(to_bytes "$3")" "$x")" none "dom0 finds $1's last rounds intact on the disk" || true
}

# pulse_start NAME OFFSET LEN: in the guest, pvpattern pulse on xvda (4 KiB writes one at a
# time over LEN at OFFSET, seed 7) in the background until pulse_end. pulse_end NAME: stop it;
# prints its report, whose max_gap_ms is how long the disk was away (while the VM moved).
pulse_start() {
	guest_run "$1" "rm -f /tmp/pulse.out; pvpattern pulse /dev/xvda $2 $3 7 86400 >/tmp/pulse.out 2>&1 &
echo \$! >/tmp/pulse.pid" >/dev/null
}
pulse_end() {
	# shellcheck disable=SC2016 # runs in the guest
	guest_run "$1" 'kill -INT $(cat /tmp/pulse.pid) && i=0 && while [ ! -s /tmp/pulse.out ] &&
[ $((i += 1)) -le 100 ]; do sleep 0.2; done; cat /tmp/pulse.out; [ -s /tmp/pulse.out ]'
}

# loop_guest NAME TYPE START SIZE MAC IP: a guest of TYPE with a region disk (START, SIZE) and
# a vif, running the loop (one check).
loop_guest() {
	local cfg out d
	cfg=$(guest_cfg "$1" --type "$2" --disk "$(region_spec xvda "$3" "$4")" --vif "$(net_cfg_vif "$5")")
	guest_create "$1" "$cfg" || tap_bail "guest $1 did not start"
	d=$(guest_domid "$1")
	out=$(guest_net_up "$1" "$6" "$5") || tap_bail "$1's network: $out"
	loop_start "$1" "$d"
	tap_run "$1 ($2) does verified disk and network I/O" loop_goes_on "$1" "$d" ||
		tap_bail "$1's loop does not run"
}

# ---------------------------------------------------------------- two servers
# Scenarios with "# pvtest-hosts: 2" run beside a second server (lab/boot.sh --role b): the
# same server disk (as a SAN LUN would be) and the same wire, at PVTEST_HOST2; its
# lab/dom0/host2-serve runs commands for this one and receives migrations.
PVTEST_HOST2=${PVTEST_HOST2:-10.0.0.253}

# on_host2 CMD: run shell CMD, with this lib, on the second server; its output and status
# (125: the second server did not answer).
on_host2() {
	local out rc
	# A second server that died fails the command: at once (connect-timeout), or within a
	# minute when it dies while the command runs (keepalive; its answer may take minutes).
	out=$(printf '%s' "$*" | socat -t 3600 - \
		"TCP:$PVTEST_HOST2:7000,connect-timeout=10,keepalive,keepidle=20,keepintvl=10,keepcnt=3" \
		2>&1) || {
		printf 'on_host2: %s\n' "$out" >&2
		return 125
	}
	rc=$(head -n 1 <<<"$out")
	case $rc in
	PVTEST-H2-RC=[0-9]*) ;;
	*)
		printf 'on_host2: no answer: %s\n' "$out" >&2
		return 125
		;;
	esac
	[ "$(wc -l <<<"$out")" -lt 2 ] || tail -n +2 <<<"$out"
	return "${rc#PVTEST-H2-RC=}"
}

# host2_alive: the second server answers within 20 s.
host2_alive() {
	[ "$(printf true | timeout -k 5 20 socat -t 15 - \
		"TCP:$PVTEST_HOST2:7000,connect-timeout=5" 2>/dev/null | head -n 1)" = PVTEST-H2-RC=0 ]
}

# migrate_to_host2 NAME: xl migrate NAME to the second server (its port 7001 runs
# "xl migrate-receive"); xl's own messages on stderr.
migrate_to_host2() {
	timeout -k 10 900 xl migrate -s "" "$1" "socat -t 3600 - TCP:$PVTEST_HOST2:7001"
}

# migrate_from_host2 NAME: the second server migrates NAME back here, into a one-time
# "xl migrate-receive" on this server's port 7001.
migrate_from_host2() {
	local l rc=0 ip
	ip=$(ip -4 -o addr show dev "$PVTEST_BRIDGE" | awk '{ sub("/.*", "", $4); print $4; exit }')
	socat -t 3600 TCP-LISTEN:7001,reuseaddr SYSTEM:'exec xl migrate-receive' &
	l=$!
	# (Port 7001 is 1B59; 0A: listening.)
	wait_for "grep -q ':1B59 00000000:0000 0A' /proc/net/tcp" 30 || {
		kill "$l" 2>/dev/null
		return 1
	}
	on_host2 "timeout -k 10 900 xl migrate -s '' $1 'socat -t 3600 - TCP:$ip:7001'" || rc=$?
	# A sender that failed before it connected leaves the receiver waiting.
	[ "$rc" -eq 0 ] || kill "$l" 2>/dev/null
	wait "$l" || [ "$rc" -ne 0 ] || rc=1
	return "$rc"
}

# guest_moved_to_host2 NAME OLD_DOMID: NAME now runs on the second server: prints its domid
# there, where its agent's command counter goes on from this server's.
guest_moved_to_host2() {
	local d seq
	d=$(on_host2 "xl domid $1") || return 1
	seq=$(cat "$PVTEST_RUN/seq.$2" 2>/dev/null) || seq=0
	on_host2 "echo $d >\"\$PVTEST_RUN/domid.$1\" && echo $seq >\"\$PVTEST_RUN/seq.$d\"" || return 1
	rm -f "$PVTEST_RUN/domid.$1"
	echo "$d"
}

# move_to_host2 NAME OLD_DOMID: the live migration of a scenario (two checks): NAME, running
# the pulse, migrates to the second server and its old domain goes; sets H2_DOMID to its domid
# there. Bails out when it did not get there.
move_to_host2() {
	local t0=$SECONDS
	tap_run_diag "xl migrate $1 to the second server, with its I/O in flight" migrate_to_host2 "$1" ||
		tap_bail "xl migrate to the second server failed"
	tap_diag "migration to the second server: $((SECONDS - t0)) s"
	tap_run "the old domain $2 and its backends are gone here" wait_backends_gone "$2" || true
	H2_DOMID=$(guest_moved_to_host2 "$1" "$2") || tap_bail "no domain $1 on the second server"
}

# guest_moved_from_host2 NAME OLD_DOMID: NAME is back from the second server (OLD_DOMID
# there): prints its domid here, with the counter carried back.
guest_moved_from_host2() {
	local d seq
	d=$(xl domid "$1" 2>/dev/null) || return 1
	seq=$(on_host2 "cat \"\$PVTEST_RUN/seq.$2\"") || seq=0
	echo "$d" >"$PVTEST_RUN/domid.$1"
	echo "$seq" >"$PVTEST_RUN/seq.$d"
	on_host2 "rm -f \"\$PVTEST_RUN/domid.$1\"" >/dev/null
	echo "$d"
}

# ---------------------------------------------------------------- a toolstack by hand
# What xl does to add a device, minus running its hotplug script: the backend and frontend
# directories in xenstore, the backend readable by the guest, the frontend owned by it. Used to
# show that udev alone brings devices up.
# xl writes both directories in one transaction. Here the backend comes first, and dom0's
# kernel creates the backend device only once the frontend exists (it checks that when the
# backend's watch fires): writing "online" again afterwards fires the watch once more.

# hand_add_vbd DOMID VDEV TARGET SCRIPT [MODE]
hand_add_vbd() {
	local d=$1 vdev=$2 target=$3 script=$4 mode=${5:-w} id be fe
	id=$(vbd_devid "$vdev")
	be=/local/domain/0/backend/vbd/$d/$id fe=/local/domain/$d/device/vbd/$id
	pvxs write "$be/frontend" "$fe" "$be/frontend-id" "$d" "$be/online" 1 "$be/state" 1 \
		"$be/params" "$target" "$be/script" "$script" "$be/mode" "$mode" "$be/type" phy \
		"$be/dev" "$vdev" "$be/removable" 0 "$be/bootable" 1 || return 1
	xenstore-chmod -r "/local/domain/0/backend/vbd/$d" n0 "r$d" || return 1
	pvxs write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1 \
		"$fe/virtual-device" "$id" "$fe/device-type" disk || return 1
	xenstore-chmod -r "$fe" "n$d" r0 || return 1
	pvxs write "$be/online" 1
}

# hand_add_vif DOMID DEVID MAC SCRIPT
hand_add_vif() {
	local d=$1 id=$2 mac=$3 script=$4 be fe
	be=/local/domain/0/backend/vif/$d/$id fe=/local/domain/$d/device/vif/$id
	pvxs write "$be/frontend" "$fe" "$be/frontend-id" "$d" "$be/online" 1 "$be/state" 1 \
		"$be/script" "$script" "$be/mac" "$mac" "$be/bridge" "$PVTEST_BRIDGE" \
		"$be/handle" "$id" "$be/type" vif || return 1
	xenstore-chmod -r "/local/domain/0/backend/vif/$d" n0 "r$d" || return 1
	pvxs write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 1 "$fe/handle" "$id" \
		"$fe/mac" "$mac" || return 1
	xenstore-chmod -r "$fe" "n$d" r0 || return 1
	pvxs write "$be/online" 1
}

# hand_destroy NAME DOMID: xl destroy, then remove what hand_add_* wrote.
hand_destroy() {
	timeout -k 10 60 xl destroy "$1" || return 1
	rm -f "$PVTEST_RUN/domid.$1"
	pvxs rm "/local/domain/0/backend/vbd/$2" "/local/domain/0/backend/vif/$2" || return 1
	wait_backends_gone "$2" 60
}

# guest_names: all guests (everything but Domain-0).
guest_names() { xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" { print $1 }'; }

# ---------------------------------------------------------------- network
# The lab's wire (see Documentation/lab.md): guest eth0 - vif<domid>.<devid> - bridge xenbr0 -
# eth0 (dom0's uplink e1000) - QEMU hub - eth1 (the second e1000) in the network namespace
# "peer", 10.0.0.1/24, the outside host. Scenario traffic runs between guests and the peer (or
# guests among themselves); dom0 has 10.0.0.254 on xenbr0 for diagnostics only.
# Addresses: guest N gets 10.0.0.(10+N)/24 (guest_ip N), set after boot by guest_net_up through
# guest_run, so VM definitions need nothing of the lab. MACs: 00:16:3e:00:DD:NN (net_mac DD NN),
# DD one per scenario, NN one per vif.
# Traffic with checked contents is pvnet's (tools/testing/lab/pvnet.c): a receiver started with
# net_recv_start ("pvnet -b") is listening when the call returns, so senders never race it.
PVTEST_BRIDGE=xenbr0
PVTEST_UPLINK=eth0
PVTEST_PEER_NS=peer
PVTEST_PEER_IF=eth1
PVTEST_PEER_IP=10.0.0.1
# Limit of one transfer (pvnet -t), seconds.
PVTEST_NET_TIMEOUT=${PVTEST_NET_TIMEOUT:-150}

# guest_ip N: the lab address of guest N (10.0.0.(10+N)).
guest_ip() { echo "10.0.0.$((10 + $1))"; }

# net_mac DD NN: 00:16:3e:00:DD:NN (DD, NN numbers below 256).
net_mac() { printf '00:16:3e:00:%02x:%02x\n' "$1" "$2"; }

# net_cfg_vif MAC [MORE]: an xl vif spec on the lab's bridge (MORE: e.g. "rate=8Mb/s@20ms").
net_cfg_vif() { echo "bridge=$PVTEST_BRIDGE,mac=$1${2:+,$2}"; }

# net_attach NAME SPEC: xl network-attach of a vif spec (its keys are separate arguments there).
net_attach() {
	local keys
	IFS=, read -ra keys <<<"$2"
	timeout -k 10 "$PVTEST_CMD_TIMEOUT" xl network-attach "$1" "${keys[@]}"
}

# net_detach NAME DEVID: xl network-detach, then wait until the backend device, its netdev
# and its xenstore directory are gone.
net_detach() {
	local d
	d=$(guest_domid "$1") || return 1
	timeout -k 10 "$PVTEST_CMD_TIMEOUT" xl network-detach "$1" "$2" || return 1
	wait_for "[ ! -e $(vif_sysfs "$d" "$2") ] && [ ! -e /sys/class/net/$(vif_name "$d" "$2") ]" 60 ||
		{ echo "vif-$d-$2 or its netdev is still there"; return 1; }
	xs_wait_gone "/local/domain/0/backend/vif/$d/$2" 30 ||
		{ echo "backend/vif/$d/$2 is still in xenstore"; return 1; }
}

# vif_name DOMID DEVID: the backend's netdev in dom0.
vif_name() { echo "vif$1.$2"; }

# vif_sysfs DOMID DEVID: the backend device's sysfs directory.
vif_sysfs() { echo "/sys/bus/xen-backend/devices/vif-$1-$2"; }

# vif_driver_module DOMID DEVID: the module bound to a vif backend device.
vif_driver_module() {
	local m
	m=$(readlink -f "$(vif_sysfs "$1" "$2")/driver/module") || return 1
	echo "${m##*/}"
}

# net_stat NETDEV COUNTER: a counter of /sys/class/net/NETDEV/statistics (dom0's namespace).
net_stat() {
	local v
	read -r v <"/sys/class/net/$1/statistics/$2" || return 1
	echo "$v"
}

# net_attr NETDEV FILE: /sys/class/net/NETDEV/FILE (carrier, operstate, mtu, address).
net_attr() {
	local v
	read -r v <"/sys/class/net/$1/$2" 2>/dev/null || return 1
	echo "$v"
}

# in_bridge NETDEV: NETDEV is a port of xenbr0.
in_bridge() { [ -e "/sys/class/net/$PVTEST_BRIDGE/brif/$1" ]; }

# net_threads: kernel threads of the vif backend: pvnetback's names contain "pvnet",
# xen-netback's start with the vif's name ("vif5.0-q0-guest-rx", "vif5.0-q0-dealloc").
net_threads() {
	local f c a pat='vif[0-9]*'
	[ "$(net_backend_wanted)" = pvnetback ] && pat='*pvnet*'
	for f in /proc/[0-9]*; do
		read -r c <"$f/comm" 2>/dev/null || continue
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $c == $pat ]] || continue
		# Kernel threads have an empty command line.
		a=
		read -r -d '' a <"$f/cmdline" 2>/dev/null
		[ -z "$a" ] && echo "$c"
	done
	return 0
}

# require_net: the vif backend, the bridge and the peer are there; ends the scenario otherwise.
require_net() {
	net_backend_load || tap_bail "vif backend $(net_backend_wanted) does not load"
	[ -d "/sys/class/net/$PVTEST_BRIDGE/bridge" ] || tap_bail "no bridge $PVTEST_BRIDGE"
	[ -e "/run/netns/$PVTEST_PEER_NS" ] ||
		tap_bail "no network namespace $PVTEST_PEER_NS (the second e1000 is missing?)"
	[ -x /etc/xen/scripts/vif-bridge ] || tap_bail "no /etc/xen/scripts/vif-bridge"
	wait_for "[ \"\$(net_attr $PVTEST_UPLINK carrier)\" = 1 ]" 60 ||
		tap_bail "$PVTEST_UPLINK has no carrier"
	wait_for "peer_run cat /sys/class/net/$PVTEST_PEER_IF/carrier | grep -qx 1" 60 ||
		tap_bail "the peer's $PVTEST_PEER_IF has no carrier"
}

# peer_run CMD...: run CMD in the peer's network namespace (its own /sys/class/net too).
peer_run() { ip netns exec "$PVTEST_PEER_NS" "$@"; }

# net_ip WHO: the address of "peer" or of a guest (as given to guest_net_up).
net_ip() {
	local a
	if [ "$1" = peer ]; then
		echo "$PVTEST_PEER_IP"
	else
		read -r a <"$PVTEST_RUN/ip.$1" || return 1
		echo "${a%/*}"
	fi
}

# guest_net_up NAME ADDRESS [MAC [SECS]]: in guest NAME, give the interface with MAC (default:
# its first eth*) ADDRESS/24, set it up and wait for its carrier; prints the interface's name.
# The guest-side work is tools/testing/lab/guest/net-up.
guest_net_up() {
	local name=$1 ip=$2 mac=${3:--} tmo=${4:-60} out
	out=$(guest_run -t $((tmo + 30)) "$name" pvtest-net-up "$mac" "$ip/24" "$tmo") || {
		echo "$out"
		return 1
	}
	echo "$ip" >"$PVTEST_RUN/ip.$name"
	# The peer may remember the address with the MAC of an earlier guest.
	ip -n "$PVTEST_PEER_NS" neigh flush to "$ip" >/dev/null 2>&1
	echo "$out"
}

# net_ping WHO ADDRESS [COUNT [SIZE...]]: WHO (peer, dom0 or a guest) pings ADDRESS COUNT times
# (default 3) with each SIZE (default 56) data bytes, all in one command; every request must
# be answered. Prints ping's output.
net_ping() {
	local who=$1 a=$2 c=${3:-3} sizes s cmd='' out n
	shift 2
	[ $# -eq 0 ] || shift
	sizes=("${@:-56}")
	for s in "${sizes[@]}"; do cmd+="ping -c $c -s $s -i 0.2 -w $((c + 30)) $a; "; done
	if [ "$who" = peer ]; then
		out=$(peer_run bash -c "$cmd" 2>&1) || true
	elif [ "$who" = dom0 ]; then
		out=$(bash -c "$cmd" 2>&1) || true
	else
		out=$(guest_run "$who" "$cmd" 2>&1) || true
	fi
	echo "$out"
	n=$(grep -c "^$c packets transmitted, $c packets received" <<<"$out") || true
	[ "$n" -eq "${#sizes[@]}" ]
}

# pvnet_on WHO ARGS...: pvnet ARGS in the peer's namespace (WHO = peer) or in guest WHO.
pvnet_on() {
	local who=$1
	shift
	if [ "$who" = peer ]; then
		pvnet -n "$PVTEST_PEER_NS" "$@"
	else
		guest_run -t $((PVTEST_NET_TIMEOUT + 30)) "$who" pvnet "$@"
	fi
}

# Where a background receiver NAME on WHO leaves its result.
_net_file() {
	if [ "$1" = peer ]; then
		mkdir -p "$PVTEST_RUN/net"
		echo "$PVTEST_RUN/net/$2"
	else
		echo "/tmp/pvnet-$2"
	fi
}

# net_track_pid PID: a pvnet process of dom0 that pvtest_cleanup stops if still running.
net_track_pid() { echo "$1" >>"$PVTEST_RUN/net.pids"; }

# net_recv_start WHO NAME [PVNET-OPTIONS] tcp-recv|udp-recv ARGS...: start a pvnet receiver
# on WHO (peer or a guest) in the background; it listens when this returns. Its result, by
# NAME, comes from net_recv_result.
net_recv_start() {
	local who=$1 name=$2 pid
	shift 2
	pid=$(pvnet_on "$who" -t "$PVTEST_NET_TIMEOUT" -b "$(_net_file "$who" "$name")" "$@") || {
		echo "cannot start receiver $name on $who: $pid"
		return 1
	}
	echo "$pid" >"$PVTEST_RUN/net.pid.$who.$name"
	[ "$who" = peer ] && net_track_pid "$pid"
	return 0
}

# net_recv_result WHO NAME [SECS]: wait for the receiver's end, print its report, return its
# status.
net_recv_result() {
	pvnet_on "$1" -t "${3:-$PVTEST_NET_TIMEOUT}" result "$(_net_file "$1" "$2")"
}

# net_recv_stop WHO NAME: stop a receiver that will get nothing more (it reports what it has).
net_recv_stop() {
	local pid
	read -r pid <"$PVTEST_RUN/net.pid.$1.$2" || return 0
	if [ "$1" = peer ]; then
		_stop_pvnet "$pid"
	else
		guest_run "$1" kill "$pid" >/dev/null 2>&1 || true
	fi
}

# _stop_pvnet PID: SIGTERM to a dom0 process if it is a pvnet.
_stop_pvnet() {
	local c
	read -r c <"/proc/$1/comm" 2>/dev/null || return 0
	[ "$c" = pvnet ] && kill "$1" 2>/dev/null
	return 0
}

# net_tcp FROM TO PORT SEED LEN [TCP-SEND-OPTIONS]: LEN bytes of pattern SEED from FROM to TO
# (peer or guest names) over TCP, every byte checked by the receiver. Prints both reports.
net_tcp() {
	local from=$1 to=$2 port=$3 seed=$4 len=$5 ip
	shift 5
	ip=$(net_ip "$to") || { echo "no address for $to"; return 1; }
	net_recv_start "$to" "tcp-$port" tcp-recv "$port" "$seed" "$len" >/dev/null || return 1
	if ! pvnet_on "$from" -t "$PVTEST_NET_TIMEOUT" "$@" tcp-send "$ip" "$port" "$seed" "$len"; then
		net_recv_stop "$to" "tcp-$port"
		net_recv_result "$to" "tcp-$port" 30
		return 1
	fi
	net_recv_result "$to" "tcp-$port"
}

# net_udp FROM TO PORT SEED SIZE COUNT [MIN]: COUNT datagrams of SIZE bytes from FROM to TO;
# at least MIN (default COUNT) must arrive and none damaged. Prints both reports.
net_udp() {
	local from=$1 to=$2 port=$3 seed=$4 size=$5 count=$6 ip
	ip=$(net_ip "$to") || { echo "no address for $to"; return 1; }
	net_recv_start "$to" "udp-$port" -m "${7:-$count}" udp-recv "$port" "$seed" "$size" "$count" \
		>/dev/null || return 1
	if ! pvnet_on "$from" -t "$PVTEST_NET_TIMEOUT" udp-send "$ip" "$port" "$seed" "$size" "$count"; then
		net_recv_stop "$to" "udp-$port"
		net_recv_result "$to" "udp-$port" 30
		return 1
	fi
	net_recv_result "$to" "udp-$port"
}

# net_mark_dirty: this scenario changes MTUs or the peer's neighbours; pvtest_cleanup puts
# them back (net_restore).
net_mark_dirty() { touch "$PVTEST_RUN/net.dirty"; }

# net_set_mtu MTU: the MTU of the wire's dom0 and peer ends (uplink, bridge, peer NIC).
net_set_mtu() {
	ip link set dev "$PVTEST_UPLINK" mtu "$1" &&
		ip link set dev "$PVTEST_BRIDGE" mtu "$1" &&
		ip -n "$PVTEST_PEER_NS" link set dev "$PVTEST_PEER_IF" mtu "$1"
}

# net_restore: stop leftover pvnet processes of dom0; with net_mark_dirty, MTUs 1500 again and
# the peer's static neighbours gone.
net_restore() {
	local p rc=0
	if [ -f "$PVTEST_RUN/net.pids" ]; then
		while read -r p; do _stop_pvnet "$p"; done <"$PVTEST_RUN/net.pids"
		rm -f "$PVTEST_RUN/net.pids"
	fi
	rm -f "$PVTEST_RUN"/net.pid.*
	[ -f "$PVTEST_RUN/net.dirty" ] || return 0
	net_set_mtu 1500 || rc=1
	ip -n "$PVTEST_PEER_NS" neigh flush nud permanent || rc=1
	rm -f "$PVTEST_RUN/net.dirty"
	return "$rc"
}

# pvtest_cleanup: destroy every guest and restore the wanted backends (with their default
# parameters) and the network; used between scenarios (and as an EXIT trap by scenarios that
# must not leave anything behind).
pvtest_cleanup() {
	local g rc=0
	for g in $(guest_names); do guest_destroy "$g" || rc=1; done
	# shellcheck disable=SC2016 # evaluated by wait_for
	wait_for '[ -z "$(backend_devices)" ]' 60 || rc=1
	net_restore || rc=1
	blk_backend_load || rc=1
	net_backend_load || rc=1
	return "$rc"
}

# ---------------------------------------------------------------- region leases
# lease_setup HOST_ID: this server's pvback-lease configuration: the server disk, shared by the
# two servers, with lockspace "pvlab" (no watchdog in the lab: nothing may reset it).
lease_setup() {
	mkdir -p /etc/pvback
	printf 'host_id %s\ndisk %s pvlab\nio_timeout 10\nwatchdog 0\n' "$1" "$PVTEST_DISK" \
		>/etc/pvback/lease.conf
}

# lease_teardown: leave the lockspace and drop the configuration (later scenarios' regions
# on the server disk need no lease).
lease_teardown() {
	/etc/xen/scripts/pvback-lease stop >/dev/null 2>&1
	rm -f /etc/pvback/lease.conf
}

# lease_of DOMID VDEV: the vbd's lease key (held, wait, claiming, refused, lost; empty: none).
lease_of() { xenstore-read "/local/domain/0/backend/vbd/$1/$(vbd_devid "$2")/lease" 2>/dev/null; }
