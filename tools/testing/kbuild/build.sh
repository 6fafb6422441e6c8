#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build pvback's modules with W=1 and sparse against another Debian release's kernel
# headers, in that release's root (tools/testing/debian.sh, debian_root; the same root the
# lab's dom0 of that release is made of): make check's "build-trixie" stage, Debian 13's 6.12
# beside the host's 6.1. Warnings fail the build, as for the host's kernel.
#
#   build.sh SUITE
set -euo pipefail

SUITE=${1:?usage: build.sh SUITE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
CACHE=${PVBACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvback}
debian_die() {
	echo "build-$SUITE: $*"
	exit 1
}
# shellcheck source=tools/testing/debian.sh
. "$top/tools/testing/debian.sh"

root=$(debian_root "$SUITE")
hdr=$(debian_headers "$root")
out=$(debian_make_modules "$root" "$top" pvback W=1 C=1) ||
	{ echo "$out"; debian_die "the build against $hdr failed"; }
echo "$out" | grep -E '^  (CC|LD) \[M\]' | sed 's/^/  /'
if echo "$out" | grep -E 'warning:|error:'; then
	debian_die "warnings against $hdr"
fi
echo "build-$SUITE: modules built against $hdr with W=1 and sparse, no warnings"
