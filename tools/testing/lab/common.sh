# SPDX-License-Identifier: GPL-2.0
# Shared host-side settings of the lab scripts (sourced, not run).
# shellcheck shell=bash disable=SC2034

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=${PVBACK_TOP:-$(cd "$LAB/../../.." && pwd)}
# Everything expensive (debs, unpacked Xen, kernel pieces) lives here, keyed by versions.
CACHE=${PVBACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvback}
# Per-run products (images, console logs); gitignored.
OUT=${PVBACK_LAB_OUT:-$LAB/out}

lab_log() { printf 'lab: %s\n' "$*" >&2; }
lab_die() {
	printf 'lab: error: %s\n' "$*" >&2
	exit 1
}
debian_die() { lab_die "$@"; }
# shellcheck source=tools/testing/debian.sh
. "$TOP/tools/testing/debian.sh"

# The lab's dom0 release: Debian 13 "trixie" (the default, the current stable: Xen 4.20,
# kernel 6.12; from a root made from the host's mirror) or Debian 12 "bookworm" (Xen 4.17,
# kernel 6.1; its packages are the host's).
DIST=${PVTEST_DIST:-trixie}
case $DIST in
bookworm | trixie) ;;
*) lab_die "PVTEST_DIST=$DIST: the lab boots bookworm (Debian 12) or trixie (Debian 13)" ;;
esac

# The Debian 13 root (tools/testing/debian.sh): built on first use; LAB_SYSROOT once known.
lab_sysroot() { echo "${LAB_SYSROOT:-$(debian_root "$DIST")}"; }

# lab_sys CMD...: run CMD on the lab's release: on the host for bookworm, in its root otherwise.
lab_sys() {
	if [ "$DIST" = bookworm ]; then
		"$@"
	else
		chroot "$(lab_sysroot)" "$@"
	fi
}

# The kernel headers package of the lab's kernel ("linux-headers-<ABI>"): the host's 6.1 ones
# (tools/testing/kheaders.sh), or the newest in the Debian 13 root.
lab_kheaders() {
	local h
	if [ "$DIST" = bookworm ]; then
		h=$("$TOP/tools/testing/kheaders.sh")
		[ -n "$h" ] || lab_die "no /usr/src/linux-headers-6.1.*-amd64: run 'make deps'"
	else
		h=$(debian_headers "$(lab_sysroot)")
		[ -n "$h" ] || lab_die "no kernel headers in the $DIST root"
	fi
	echo "$h"
}

# lab_make_modules LOG: build our modules against the headers of the lab's kernel (build.sh
# boots the kernel of the same headers), output into LOG. For Debian 13, inside its root (its
# compiler; the host's is too old for those headers' tools), from a copy of the sources.
lab_make_modules() {
	if [ "$DIST" = bookworm ]; then
		make -C "$TOP" KDIR="/usr/src/$(lab_kheaders)" modules >"$1" 2>&1
	else
		debian_make_modules "$(lab_sysroot)" "$TOP" pvback-lab >"$1"
	fi
}

# Where lab_make_modules leaves the .ko files.
lab_ko_dir() {
	if [ "$DIST" = bookworm ]; then
		echo "$TOP"
	else
		echo "$(lab_sysroot)/src/pvback-lab"
	fi
}

# Seconds since the epoch with a fraction, for timings.
lab_now() { date +%s.%N; }
lab_since() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.1f", b - a }'; }
