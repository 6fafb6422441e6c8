#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make kunit: run the KUnit suites of pvback's *_test.ko modules in a QEMU
# (TCG) kernel built from Debian's linux-source-6.1 (Debian 12), or with
# KUNIT_KERNEL=6.12 from Debian 13's linux-source-6.12 (fetched from the host's
# mirror with a private apt configuration, tools/testing/debian.sh).
#
#   tools/testing/kunit/run.sh [MODULE_DIR...]
#
# MODULE_DIR is a directory with a Kbuild (default: the repository top).  The
# steps: (1) get the test-kernel kit from the cache or build it, (2) build the
# modules with "make M= W=1" from a scratch copy, (3) pack every *_test.ko into
# a busybox initramfs, (4) boot it, (5) check the console.  Documentation:
# Documentation/testing.md, section "KUnit".
#
# Environment:
#   KUNIT_KERNEL=V      6.1 (default) or 6.12: the test kernel's Debian source
#   KUNIT_FILTER=GLOB   load only the test modules with a suite matching GLOB
#   KUNIT_DIRS="D..."   module directories when none are given as arguments
#   KUNIT_TIMEOUT=S     limit of the QEMU run in seconds (default 300)
#   KUNIT_APPEND=ARGS   extra kernel command line (e.g. kasan.fault=panic)
#   KUNIT_JOBS=N        make -j for the kernel build (default 2)
#   KUNIT_KEEP_BUILD=1  keep the kernel build tree next to the kit
#   KUNIT_VERBOSE=1     print the whole console log
#   PVBACK_CACHE=DIR    cache root (default ~/.cache/pvback)
set -eEuo pipefail
export LC_ALL=C PYTHONDONTWRITEBYTECODE=1
trap 'echo "kunit: error: run.sh line $LINENO: \"$BASH_COMMAND\" failed" >&2' ERR

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "${PVBACK_TOP:-$here/../../..}" && pwd)
cache=${PVBACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvback}
kroot=$cache/kunit
fragment=$here/kunit.config
kernel=${KUNIT_KERNEL:-6.1}
srcpkg=linux-source-$kernel
# What differs between the two kernels, in one place:
#   tarball  the source: the host's package (6.1) or fetched from Debian 13 (6.12, below)
#   drop     fragment lines the kernel no longer lets us change (6.12 always builds x86
#            microcode loading, since 6.6)
#   header   our KTAP header for all suites: 6.1 prints a module's suites without one,
#            6.12 prints one per module itself
drop=()
case $kernel in
6.1) tarball=/usr/src/$srcpkg.tar.xz header=1 ;;
6.12) tarball=$kroot/src/$srcpkg.tar.xz header=0 drop=(-e '^# CONFIG_MICROCODE is not set$') ;;
*) echo "kunit: error: KUNIT_KERNEL=$kernel: 6.1 or 6.12" >&2; exit 2 ;;
esac
qboot=/usr/share/qemu/qboot.rom
busybox=/bin/busybox
jobs=${KUNIT_JOBS:-2}
qemu_timeout=${KUNIT_TIMEOUT:-300}
filter=${KUNIT_FILTER:-}
# Bump when the layout of a kit changes, so old kits are not reused.
kit_format=1
# Make variables of the kernel build: instrument only our modules (see
# kunit.config).
kernel_make_vars=(KASAN_SANITIZE=n UBSAN_SANITIZE=n)

say() { printf 'kunit: %s\n' "$*"; }
# The last line is the verdict "make check" sums up, even on an early error.
die() {
	printf 'kunit: error: %s\n' "$*" >&2
	say_logs
	echo "kunit: 0 passed, 1 failed"
	exit 1
}
logs_said=0
say_logs() {
	if [ -n "${rundir:-}" ] && [ -d "$rundir" ] && [ $logs_said = 0 ]; then
		echo "kunit: logs of this run: $rundir"
		logs_said=1
	fi
}
elapsed() { echo $(( $(date +%s) - $1 )); }

t_start=$(date +%s)
# Debian 13's kernel source: the linux-source .deb of trixie from the host's mirror (private
# apt configuration), its tarball kept in the cache with its version beside it.
if [ "$kernel" = 6.1 ]; then
	src_version=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null) ||
		die "$srcpkg is not installed (run 'make deps')"
else
	CACHE=$cache
	debian_die() { die "$@"; }
	# shellcheck source=tools/testing/debian.sh
	. "$top/tools/testing/debian.sh"
	src_version=$(debian_apt trixie apt-cache policy "$srcpkg" |
		awk '/^  Candidate:/ && $2 != "(none)" { print $2 }')
	[ -n "$src_version" ] || die "no $srcpkg in Debian trixie (the host's mirror)"
	if [ "$(cat "$tarball.version" 2>/dev/null)" != "$src_version" ]; then
		mkdir -p "$kroot/src"
		dl=$(mktemp -d "$kroot/src/.dl.XXXXXX")
		say "fetching $srcpkg $src_version (Debian trixie)"
		(cd "$dl" && debian_apt trixie apt-get -qq download "$srcpkg=$src_version") ||
			{ rm -rf "$dl"; die "apt-get download $srcpkg=$src_version failed"; }
		dpkg-deb --fsys-tarfile "$dl"/*.deb | tar -C "$dl" -x "./usr/src/$srcpkg.tar.xz" ||
			{ rm -rf "$dl"; die "no /usr/src/$srcpkg.tar.xz in the package"; }
		mv "$dl/usr/src/$srcpkg.tar.xz" "$tarball"
		echo "$src_version" >"$tarball.version"
		rm -rf "$dl"
	fi
fi
for f in "$tarball" "$qboot" "$busybox" "$fragment"; do
	[ -e "$f" ] || die "$f is missing (run 'make deps')"
done
for c in gcc make qemu-system-x86_64 python3 readelf objcopy modinfo gzip \
	flock timeout; do
	command -v "$c" >/dev/null || die "$c is missing (run 'make deps')"
done
readelf -lW "$busybox" | grep 'Requesting program interpreter' >/dev/null &&
	die "$busybox is not static (install busybox-static)"

# Logs of this run; kept when it fails (out/ is gitignored).
outdir=$here/out
stamp=$(date +%Y%m%d-%H%M%S)
rundir=$outdir/run-$stamp-$$
mkdir -p "$rundir"

# The fragment as this kernel takes it.
if [ ${#drop[@]} -gt 0 ]; then
	grep -v "${drop[@]}" "$fragment" >"$rundir/kunit.config"
else
	cp "$fragment" "$rundir/kunit.config"
fi
fragment=$rundir/kunit.config
# Keep the logs of the last 10 runs at most.
find "$outdir" -mindepth 1 -maxdepth 1 -name 'run-*' -printf '%T@ %p\n' |
	sort -rn | sed -e '1,10d' -e 's/^[^ ]* //' | while IFS= read -r d; do
	rm -rf "$d"
done
keep_rundir=1
kit_building=
cleanup() {
	if [ -n "$kit_building" ] && [ "${KUNIT_KEEP_BUILD:-0}" != 1 ]; then
		rm -rf "$kit_building" "$kit.tmp"
	fi
	if [ "$keep_rundir" = 0 ]; then
		rm -rf "$rundir"
	else
		say_logs >&2
	fi
}
trap cleanup EXIT

# --------------------------------------------------------------------------
# 1. The kit: bzImage + what "make M=" needs + gen_init_cpio + kunit.py.

gcc_version=$(gcc --version | sed -n 1p)
key=$({
	echo "kit-format $kit_format"
	echo "$srcpkg $src_version"
	echo "$gcc_version"
	echo "${kernel_make_vars[*]}"
	cat "$fragment"
} | sha256sum | cut -c1-16)
kit=$kroot/$key

# Every CONFIG_ line of the fragment must be in the final .config as written.
check_config() {
	local cfg=$1 line sym now bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qxF -- "$line" "$cfg" && continue ;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$cfg" || continue ;;
		*) continue ;;
		esac
		now=$(grep -E "^(# )?${sym}[= ]" "$cfg" || true)
		echo "kunit: config: '$line' did not survive olddefconfig" \
			"(now: ${now:-not set})" >&2
		bad=1
	done < <(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$fragment" |
		sed -n -e '/^CONFIG_/p' -e '/^# CONFIG_.* is not set$/p')
	return $bad
}

# Run make in the background, print a progress line every 30 s; the number
# of objects of the last kernel build gives a percentage.
make_with_progress() {
	local log=$1 t0 pid n last next rc total pct
	shift
	total=$(cat "$kroot/.objects" 2>/dev/null || echo 0)
	t0=$(date +%s)
	make "$@" >"$log" 2>&1 &
	pid=$!
	next=$((t0 + 30))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ "$(date +%s)" -ge "$next" ]; then
			n=$(grep -cE '^  (CC|AS|LD|AR)' "$log" || true)
			last=$(grep -E '^  (CC|AS|LD|AR)' "$log" | tail -n1 |
				awk '{print $NF}' || true)
			pct=
			[ "$total" -gt 0 ] && pct=" (~$((n * 100 / total))%)"
			say "  ... $(elapsed "$t0") s, $n objects$pct, at ${last:-start}"
			next=$((next + 30))
		fi
	done
	rc=0
	wait "$pid" || rc=$?
	[ $rc -ne 0 ] || grep -cE '^  (CC|AS|LD|AR)' "$log" >"$kroot/.objects" || true
	return $rc
}

# Copy what an external module build needs out of a built kernel tree.
assemble_kit() {
	local b=$1 k=$2 f
	mkdir -p "$k/build/arch/x86" "$k/build/tools/objtool" \
		"$k/build/usr" "$k/tools/testing"
	cp "$b/arch/x86/boot/bzImage" "$k/bzImage"
	for f in Makefile .config System.map; do
		cp "$b/$f" "$k/build/"
	done
	# Without "make modules" the exports are in vmlinux.symvers only.
	cp "$b/vmlinux.symvers" "$k/build/Module.symvers"
	cp -a "$b/include" "$b/scripts" "$k/build/"
	cp -a "$b/arch/x86/include" "$k/build/arch/x86/"
	cp "$b"/arch/x86/Makefile* "$k/build/arch/x86/"
	cp "$b/tools/objtool/objtool" "$k/build/tools/objtool/"
	cp "$b/usr/gen_init_cpio" "$k/build/usr/"
	find "$k/build/scripts" \( -name '*.o' -o -name '.*.cmd' \) -delete
	cp -a "$b/tools/testing/kunit" "$k/tools/testing/"
	rm -rf "$k/tools/testing/kunit/test_data"
	cp "$4" "$k/kernel-build.log"
	{
		echo "key $key"
		echo "source $srcpkg $src_version"
		echo "gcc $gcc_version"
		echo "kernelrelease $(cat "$b/include/config/kernel.release")"
		echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $3 s"
	} >"$k/KIT"
}

build_kit() {
	local lockfd b bsrc t0 log rc
	mkdir -p "$kroot"
	exec {lockfd}>"$kroot/.lock"
	if ! flock -n "$lockfd"; then
		say "another kernel build holds $kroot/.lock; waiting"
		flock "$lockfd"
	fi
	if [ -f "$kit/KIT" ]; then
		exec {lockfd}>&-
		return 0
	fi
	t0=$(date +%s)
	b=$kroot/build-$key
	log=$rundir/kernel-build.log
	rm -rf "$b" "$kit.tmp"
	# A failed build's tree (1-2 GB) goes on exit; its log stays in the run's directory.
	kit_building=$b
	mkdir -p "$b"
	say "no kit $key in $kroot: building the test kernel (~12 min on 2 cores)"
	say "  extracting $tarball"
	tar -C "$b" -xf "$tarball"
	bsrc=$b/$srcpkg
	[ -f "$bsrc/Makefile" ] || die "$tarball has no $srcpkg/Makefile"
	cp "$fragment" "$bsrc/.config"
	make -C "$bsrc" -s olddefconfig >"$log" 2>&1 ||
		{ tail -n 40 "$log"; die "olddefconfig failed"; }
	check_config "$bsrc/.config" ||
		die "config fragment $here/kunit.config did not survive olddefconfig ($srcpkg)"
	cp "$bsrc/.config" "$rundir/kernel.config"
	say "  make -j$jobs bzImage modules_prepare (log: $log)"
	rc=0
	make_with_progress "$log" -C "$bsrc" -j"$jobs" "${kernel_make_vars[@]}" \
		bzImage modules_prepare ||
		rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 40 "$log" >&2
		die "kernel build failed (exit $rc); full log: $log"
	fi
	say "  kernel built in $(elapsed "$t0") s; assembling the kit"
	assemble_kit "$bsrc" "$kit.tmp" "$(elapsed "$t0")" "$log"
	mv "$kit.tmp" "$kit"
	kit_building=
	if [ "${KUNIT_KEEP_BUILD:-0}" = 1 ]; then
		say "  kept the build tree $bsrc"
	else
		rm -rf "$b"
	fi
	say "kit ready: $kit ($(du -sh "$kit" | cut -f1), $(elapsed "$t0") s)"
	exec {lockfd}>&-
}

if [ -f "$kit/KIT" ]; then
	say "kit $key (cached: $kit)"
else
	build_kit
fi
kbuild=$kit/build

# --------------------------------------------------------------------------
# 2. Build the modules (W=1) from a scratch copy: M= writes into the source.

if [ $# -gt 0 ]; then
	dirs=("$@")
elif [ -n "${KUNIT_DIRS:-}" ]; then
	read -r -a dirs <<<"$KUNIT_DIRS"
else
	dirs=("$top")
fi

scratch=$rundir/src
mkdir -p "$scratch/repo"
# The repository's files minus .git, anything gitignored (lab images, out/)
# and build output (an earlier "make modules" leaves *.o and .*.cmd around).
is_output() {
	case ${1##*/} in
	*.o | *.ko | *.mod | *.mod.c | *.a | .*.cmd | *.symvers | modules.order | \
		.*.d | *.dwo | .cache.mk) return 0 ;;
	esac
	case $1 in tools/testing/kunit/out/* | .git/*) return 0 ;; esac
	return 1
}
copy_repo() {
	local f
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$top" ls-files -z --cached --others --exclude-standard
	else
		(cd "$top" && find . -name .git -prune -o -type f -printf '%P\0')
	fi | while IFS= read -r -d '' f; do
		[ -f "$top/$f" ] && ! is_output "$f" && printf '%s\0' "$f"
	done | tar -C "$top" --null -T - -cf - | tar -C "$scratch/repo" -xf -
}
copy_repo

mdirs=()
i=0
for d in "${dirs[@]}"; do
	[ -d "$d" ] || d=$top/$d
	[ -d "$d" ] || die "no such module directory: $d"
	d=$(cd "$d" && pwd)
	case $d/ in
	"$top"/*)
		rel=${d#"$top"}
		m=$scratch/repo$rel ;;
	*)
		i=$((i + 1))
		m=$scratch/ext$i
		cp -a "$d" "$m" ;;
	esac
	[ -f "$m/Kbuild" ] || [ -f "$m/Makefile" ] || die "$d has no Kbuild"
	mdirs+=("$m")
done

# Paths in messages: scratch copy -> repository.
unscratch() {
	sed -e "s#$scratch/repo/#$top/#g" -e "s#$scratch/repo#$top#g" \
		-e "s#$scratch/ext[0-9]*/##g"
}

buildlog=$rundir/modules-build.log
: >"$buildlog"
for m in "${mdirs[@]}"; do
	say "building $(echo "$m" | unscratch) (W=1)"
	rc=0
	# __FILE__ (in KUnit and WARN messages) relative to the module tree.
	make -C "$kbuild" M="$m" W=1 -j"$jobs" \
		KCFLAGS="${KCFLAGS:-} -fmacro-prefix-map=$m/=" \
		modules >>"$buildlog" 2>&1 ||
		rc=$?
	if [ $rc -ne 0 ]; then
		unscratch <"$buildlog" | grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving)' |
			tail -n 40 >&2
		die "module build failed; full log: $buildlog"
	fi
done

# Warnings: the compiler's in our files are fatal, and so are modpost's.
ours=$(grep -E "^$scratch/[^:]*:[0-9]+:([0-9]+:)? (warning|error):|^WARNING: modpost:" \
	"$buildlog" || true)
other=$(grep -E '(^|: )warning:' "$buildlog" | grep -vF "$scratch/" || true)
if [ -n "$other" ]; then
	say "note: warnings outside our files (not fatal):"
	printf '    %s\n' "${other//$'\n'/$'\n'    }"
fi
if [ -n "$ours" ]; then
	grep -E -A2 "^$scratch/[^:]*:[0-9]+:([0-9]+:)? (warning|error):|^WARNING: modpost:" \
		"$buildlog" | unscratch >&2
	die "$(echo "$ours" | wc -l) warning(s) in the W=1 build; full log: $buildlog"
fi

# --------------------------------------------------------------------------
# 3. Test modules, their suites, and the initramfs.

# Number of suites: .kunit_test_suites holds one 8-byte pointer per suite.
suite_count() {
	local size
	size=$(readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \.kunit_test_suites  *[A-Z_]*  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
	echo $(( ${size:+0x$size} + 0 )) | awk '{ print int($1 / 8) }'
}

# Suite names: follow each relocation of .kunit_test_suites to the suite
# struct, whose first member is char name[256].
suite_names() {
	local ko=$1 tmp sym addend sec off ndx val
	tmp=$(mktemp -d "$rundir/elf.XXXXXX")
	readelf -rW "$ko" | awk '
		/^Relocation section/ { on = ($3 == "'"'"'.rela.kunit_test_suites'"'"'") ; next }
		on && NF >= 7 && $3 ~ /^R_X86_64_64$/ { print $5, $7 }' |
	while read -r sym addend; do
		addend=$((0x$addend))
		if [[ $sym == .* ]]; then
			sec=$sym
			off=$addend
		else
			read -r ndx val < <(readelf -sW "$ko" |
				awk -v s="$sym" '$8 == s && !n++ { print $7, $2 }')
			sec=$(readelf -SW "$ko" | sed -n "s/^ *\[ *$ndx\] \([^ ]*\) .*/\1/p")
			off=$((0x$val + addend))
		fi
		[ -f "$tmp/$sec" ] ||
			objcopy -O binary --only-section="$sec" "$ko" "$tmp/$sec"
		# (no early-exiting reader: this runs under pipefail)
		dd if="$tmp/$sec" iflag=skip_bytes,count_bytes skip="$off" \
			count=256 status=none | tr '\0' '\n' | sed -n 1p
	done
	rm -rf "$tmp"
}

declare -A ko_path=()
test_ko=()
while IFS= read -r ko; do
	name=$(basename "$ko" .ko)
	name=${name//-/_}
	[ -z "${ko_path[$name]:-}" ] || die "two modules named $name"
	ko_path[$name]=$ko
	case $name in *_test) test_ko+=("$name") ;; esac
done < <(find "${mdirs[@]}" -name '*.ko' | sort -u)
[ ${#test_ko[@]} -gt 0 ] ||
	die "no *_test.ko was built (does the Kbuild have obj-\$(if \$(CONFIG_KUNIT),m) += xxx_test.o?)"

# Load order: a test module's dependencies among our modules come first.
load=()
declare -A queued=()
queue_module() {
	local name=$1 dep
	[ -z "${queued[$name]:-}" ] || return 0
	queued[$name]=1
	for dep in $(modinfo -F depends "${ko_path[$name]}" | tr ',' ' '); do
		dep=${dep//-/_}
		[ -n "${ko_path[$dep]:-}" ] && queue_module "$dep"
	done
	load+=("$name")
}

nsuites=0
expected=()
for name in "${test_ko[@]}"; do
	n=$(suite_count "${ko_path[$name]}")
	mapfile -t names < <(suite_names "${ko_path[$name]}")
	[ "$n" -gt 0 ] || die "$name.ko has no KUnit suite"
	[ ${#names[@]} -eq "$n" ] ||
		die "$name.ko: $n suites but ${#names[@]} names found"
	if [ -n "$filter" ]; then
		match=0
		for s in "${names[@]}"; do
			# shellcheck disable=SC2053
			[[ $s == $filter ]] && match=1
		done
		[ $match = 1 ] || continue
	fi
	say "  $name.ko: $n suite(s): ${names[*]}"
	nsuites=$((nsuites + n))
	expected+=("${names[@]}")
	queue_module "$name"
done
[ $nsuites -gt 0 ] || die "no suite matches KUNIT_FILTER='$filter'"

ird=$rundir/initramfs
mkdir -p "$ird"
{
	cat <<-'EOF'
	#!/bin/sh
	# generated by tools/testing/kunit/run.sh
	b=/bin/busybox
	$b mount -t devtmpfs devtmpfs /dev
	$b mount -t proc proc /proc
	$b mount -t sysfs sysfs /sys
	$b mount -t debugfs debugfs /sys/kernel/debug
	k() { echo "$*" >/dev/kmsg; }
	k "pvback-kunit: start"
	EOF
	if [ "$header" = 1 ]; then
		echo 'k "KTAP version 1"'
		echo "k \"1..$nsuites\""
	fi
	for name in "${load[@]}"; do
		echo "\$b insmod /lib/pvback/$name.ko ||"
		echo "	k \"pvback-kunit: insmod $name failed: \$?\""
	done
	cat <<-'EOF'
	k "pvback-kunit: done"
	$b reboot -f
	EOF
} >"$ird/init"
{
	echo 'dir /dev 0755 0 0'
	echo 'nod /dev/console 0600 0 0 c 5 1'
	echo 'dir /proc 0755 0 0'
	echo 'dir /sys 0755 0 0'
	echo 'dir /bin 0755 0 0'
	echo "file /bin/busybox $busybox 0755 0 0"
	echo 'slink /bin/sh busybox 0777 0 0'
	echo 'dir /lib 0755 0 0'
	echo 'dir /lib/pvback 0755 0 0'
	for name in "${load[@]}"; do
		echo "file /lib/pvback/$name.ko ${ko_path[$name]} 0644 0 0"
	done
	echo "file /init $ird/init 0755 0 0"
} >"$ird/list"
"$kbuild/usr/gen_init_cpio" "$ird/list" | gzip -1 >"$rundir/ird.gz"

# --------------------------------------------------------------------------
# 4. Boot.

console=$rundir/console.log
cmdline="console=ttyS0 panic=-1 printk.devkmsg=on rdinit=/init oops=panic"
# Only our suites (all named pv*): 6.1 filters built-in suites by this glob, 6.12 module
# suites too.
cmdline+=" kunit.filter_glob=pv* kasan_multi_shot"
cmdline+=" ${KUNIT_APPEND:-}"
say "booting ${#load[@]} module(s), $nsuites suite(s) (QEMU TCG, limit ${qemu_timeout}s)"
t0=$(date +%s)
qrc=0
timeout -k 10 "$qemu_timeout" qemu-system-x86_64 -accel tcg -nodefaults \
	-m 1024 -smp 1 -kernel "$kit/bzImage" -initrd "$rundir/ird.gz" \
	-append "$cmdline" -no-reboot -nographic -serial stdio -bios "$qboot" \
	</dev/null >"$console" 2>&1 || qrc=$?
t_boot=$(elapsed "$t0")
tr -d '\r' <"$console" >"$console.tmp" && mv "$console.tmp" "$console"
[ "${KUNIT_VERBOSE:-0}" = 1 ] && cat "$console"

# --------------------------------------------------------------------------
# 5. Verdict: kunit.py's parse plus our own checks.

problems=()
problem() { problems+=("$*"); }

if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	problem "timeout: QEMU still running after ${qemu_timeout}s (KUNIT_TIMEOUT)"
elif [ $qrc -ne 0 ]; then
	problem "QEMU exited with $qrc"
fi

# KTAP from our header on, timestamps stripped.
ktap=$rundir/ktap.log
sed -n '/pvback-kunit: start$/,$p' "$console" |
	sed -e 's/^\[ *[0-9]*\.[0-9]*\] //' | sed -e '1d' >"$ktap"
grep -q . "$ktap" || problem "the initramfs never started (no 'pvback-kunit: start')"
grep -q '^pvback-kunit: done$' "$ktap" ||
	problem "the run did not finish (no 'pvback-kunit: done')"
while IFS= read -r l; do problem "$l"; done < <(grep '^pvback-kunit: insmod' "$ktap" || true)

# Kernel reports anywhere in the log, boot included.
core_re='Kernel panic|BUG:|Oops:|WARNING:|general protection|UBSAN:|KASAN:|'
core_re+='INFO: possible|INFO: trying to register non-static key|'
core_re+='DEBUG_LOCKS_WARN_ON|detected stall|blocked for more than|'
core_re+='list_add corruption|list_del corruption|ODEBUG:'
bad_re="$core_re|Call Trace:"
first_bad=$(grep -nE -m1 "$bad_re" "$console" | cut -d: -f1 || true)
# Those before our /init started are listed here; those after it are
# attributed to test cases below.
boot=$rundir/boot.log
sed -e '/pvback-kunit: start$/,$d' "$console" >"$boot"
while IFS= read -r l; do
	problem "kernel report during boot: $l"
done < <(grep -E "$core_re" "$boot" | sed 's/^\[ *[0-9]*\.[0-9]*\] //' |
	awk '!seen[$0]++ && n++ < 10' || true)
if ! grep -qE "$core_re" "$boot" && grep -q 'Call Trace:' "$boot"; then
	problem "kernel report during boot: a stack dump (Call Trace:)"
fi

# kunit.py parse (its output is the per-test report).
parsed=$rundir/kunit-parse.txt
prc=0
python3 -B "$kit/tools/testing/kunit/kunit.py" parse "$ktap" >"$parsed" 2>&1 || prc=$?
unscratch <"$parsed"
[ $prc -eq 0 ] || problem "kunit.py parse reports failure (exit $prc)"

# Our own count: suites at column 0, test cases indented by 4 spaces.  A
# kernel report (KASAN, lockdep, WARN...) fails the test case whose result
# follows it, even when KUnit itself says ok.
results=$rundir/results.txt
awk -v bad="$bad_re" '
	$0 ~ bad { if (pend == "") pend = $0; next }
	/^    # Subtest: / { suite = substr($0, 16); ncase = 0; open = 1; next }
	/^    (not )?ok [0-9]+ / {
		name = ($1 == "ok") ? $3 : $4
		ncase++
		if (pend != "")
			printf "report in %s.%s: %s\n", suite, name, pend
		if ($1 == "not" || pend != "")
			fail++
		else if ($0 ~ / # SKIP/)
			skip++
		else
			pass++
		pend = ""
		next
	}
	/^(not )?ok [0-9]+ / {
		name = ($1 == "ok") ? $3 : $4
		if (pend != "") {
			printf "report in %s (outside its test cases): %s\n", name, pend
			sfail = 1
		}
		ok = ($1 == "ok" && fail == 0 && !sfail)
		printf "suite %s %s %d %d %d\n", ok ? "PASS" : "FAIL",
			name, pass, fail, skip
		tp += pass; tf += fail; ts += skip
		pass = fail = skip = sfail = open = 0
		pend = ""
		next
	}
	END {
		if (pend != "") {
			printf "report in %s, test case #%d, which has no result: %s\n",
				suite, ncase + 1, pend
			fail++
		} else if (open)
			printf "open %s, test case #%d\n", suite, ncase + 1
		printf "total %d %d %d\n", tp + pass, tf + fail, ts + skip
	}' "$ktap" >"$results"

say "results ($t_boot s in QEMU):"
nseen=0
declare -A seen=()
while read -r kind st name p f s; do
	[ "$kind" = suite ] || continue
	nseen=$((nseen + 1))
	seen[$name]=1
	printf 'kunit:   %s %-40s %d passed, %d failed, %d skipped\n' \
		"$st" "$name" "$p" "$f" "$s"
	[ "$st" = PASS ] || problem "suite $name failed"
done <"$results"
while IFS= read -r l; do
	problem "kernel report ${l#report }"
done < <(grep '^report ' "$results" || true)
while IFS= read -r l; do
	problem "the run stopped in ${l#open }"
done < <(grep '^open ' "$results" || true)
read -r _ passed failed skipped < <(grep '^total' "$results")
for s in "${expected[@]}"; do
	[ -n "${seen[$s]:-}" ] || problem "suite $s: no result (missing)"
done
[ "$nseen" -ge "$nsuites" ] ||
	problem "$nseen suite result(s) for $nsuites announced"
[ "$nseen" -le "$nsuites" ] ||
	problem "$nseen suite results for $nsuites announced (a module loaded twice?)"
[ "$skipped" -eq 0 ] || say "$skipped test(s) skipped"

if [ ${#problems[@]} -gt 0 ]; then
	if [ -n "$first_bad" ]; then
		echo "kunit: first kernel report (console.log line $first_bad):"
		sed -n "${first_bad},$((first_bad + 40))p" "$console" |
			sed -e 's/^\[ *[0-9]*\.[0-9]*\] //' -e 's/^/  | /' | unscratch
	fi
	for p in "${problems[@]}"; do echo "kunit: FAIL: $p"; done | unscratch
	echo "kunit: console log: $console"
	say_logs
	if [ "$failed" -eq 0 ]; then
		echo "kunit: no test case failed, but the run did: counting it as 1 failure"
		failed=1
	fi
	echo "kunit: $passed passed, $failed failed"
	exit 1
fi

keep_rundir=0
cp "$console" "$outdir/last-pass-console.log"
say "done in $(elapsed "$t_start") s (console log: $outdir/last-pass-console.log)"
echo "kunit: $passed passed, $failed failed"
