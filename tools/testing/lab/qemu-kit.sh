#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu-kit.sh SUITE: print the path of a QEMU of Debian SUITE (qemu-system-x86_64) that runs on
# this host, for the lab (boot.sh with PVTEST_QEMU_SUITE=SUITE). The host's own QEMU is Debian
# 12's 7.2; Debian 13's is 10.0, whose TCG emulates nested SVM anew. The kit is a minimal root
# of SUITE with qemu-system-x86 (mmdebstrap from the host's mirror, some 200 MB, 3 minutes
# once) under $CACHE/qemu/SUITE, and a wrapper that runs its binary with the root's own
# dynamic loader, libraries and firmware: nothing is installed on the host.
# PVBACK_QEMU_REBUILD=1 makes it again (for a newer QEMU on the mirror).
set -euo pipefail
# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
debian_die() { lab_die "$*"; }
# shellcheck source=tools/testing/debian.sh
. "$(dirname "${BASH_SOURCE[0]}")/../debian.sh"

suite=${1:?usage: qemu-kit.sh SUITE}
[[ $suite =~ ^[a-z]+$ ]] || lab_die "qemu-kit.sh: bad suite '$suite'"
dir=$CACHE/qemu/$suite
wrap=$dir/qemu-system-x86_64
mkdir -p "$CACHE/qemu"
(
	flock 9
	if [ -z "${PVBACK_QEMU_REBUILD:-}" ] && [ -x "$wrap" ]; then
		exit 0
	fi
	[ "$(id -u)" -eq 0 ] || lab_die "the QEMU kit needs root (mmdebstrap --mode=root)"
	command -v mmdebstrap >/dev/null || lab_die "mmdebstrap missing: run 'make deps'"
	tmp=$CACHE/qemu/.$suite.tmp
	rm -rf --one-file-system "$tmp"
	lab_log "building the QEMU of Debian $suite (once, a few minutes) in $dir"
	debian_strap "$suite" "$tmp/root" qemu-system-x86 "$CACHE/qemu/.$suite"
	# Its loader and library path, not the host's; -L: its firmware and option ROMs (the
	# compiled-in /usr/share/qemu is the host's QEMU's).
	cat >"$tmp/qemu-system-x86_64" <<WRAP
#!/bin/sh
R=$dir/root
exec "\$R/lib64/ld-linux-x86-64.so.2" --library-path "\$R/usr/lib/x86_64-linux-gnu:\$R/lib/x86_64-linux-gnu" \\
	"\$R/usr/bin/qemu-system-x86_64" -L "\$R/usr/share/qemu" "\$@"
WRAP
	chmod 0755 "$tmp/qemu-system-x86_64"
	rm -rf --one-file-system "$dir"
	mv "$tmp" "$dir"
	"$wrap" --version | head -n 1 >"$dir/VERSION" || lab_die "the $suite QEMU does not run here"
	lab_log "$(cat "$dir/VERSION") ready"
) 9>"$CACHE/qemu/.$suite.lock" || exit 1
echo "$wrap"
