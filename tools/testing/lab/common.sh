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

# Seconds since the epoch with a fraction, for timings.
lab_now() { date +%s.%N; }
lab_since() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.1f", b - a }'; }
