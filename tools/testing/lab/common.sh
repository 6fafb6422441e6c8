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

# lab_make_modules LOG: build our modules against the headers of the lab's kernel (build.sh
# boots the kernel of the same headers: tools/testing/kheaders.sh), output into LOG.
lab_make_modules() {
	local h
	h=$("$TOP/tools/testing/kheaders.sh")
	[ -n "$h" ] || lab_die "no /usr/src/linux-headers-6.1.*-amd64: run 'make deps'"
	make -C "$TOP" KDIR="/usr/src/$h" modules >"$1" 2>&1
}

# Seconds since the epoch with a fraction, for timings.
lab_now() { date +%s.%N; }
lab_since() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.1f", b - a }'; }
