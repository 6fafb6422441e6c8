#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build pvback's modules with W=1 and sparse against another Debian release's kernel
# headers, in that release's root (root.sh): make check's "build-trixie" stage, Debian 13's
# 6.12 beside the host's 6.1. Warnings fail the build, as for the host's kernel.
#
#   build.sh SUITE
set -euo pipefail

SUITE=${1:?usage: build.sh SUITE}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)

root=$("$here/root.sh" "$SUITE")
hdr=$(find "$root/usr/src" -maxdepth 1 -name 'linux-headers-*-amd64' -printf '%f\n' | sort -V |
	tail -n1)
[ -n "$hdr" ] || { echo "build-$SUITE: no kernel headers in $root"; exit 1; }
# Sources only: the host build's objects and .cmd files stay out.
src=$root/src/pvback
rm -rf "$src" && mkdir -p "$src"
(cd "$top" && find Kbuild drivers include \( -name Kbuild -o -name '*.[ch]' \) -print0 |
	tar --null -T - -cf -) | tar -C "$src" -xf -
out=$(chroot "$root" make -C "/usr/src/$hdr" M=/src/pvback W=1 C=1 CONFIG_KUNIT= modules 2>&1) ||
	{ echo "$out"; echo "build-$SUITE: the build against $hdr failed"; exit 1; }
echo "$out" | grep -E '^  (CC|LD) \[M\]' | sed 's/^/  /'
if echo "$out" | grep -E 'warning:|error:'; then
	echo "build-$SUITE: warnings against $hdr"
	exit 1
fi
echo "build-$SUITE: modules built against $hdr with W=1 and sparse, no warnings"
