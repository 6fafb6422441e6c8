#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of a small static fio for the lab's guests and dom0, built from Debian's fio
# source package (the version the host's apt would install), cached under $CACHE/fio/<version>.
# Debian's fio binary links 60-odd libraries (Ceph, Gluster, RDMA, PMEM: 80 MB), too much for
# a guest's initramfs; this build has the same engines minus those (libaio, io_uring and psync
# included) and is static, so that one binary runs on Debian 12 and 13 alike (Debian 13
# renamed libaio's library).
# The source comes with "apt-get source" through a private apt configuration of the host's
# mirror and release (tools/testing/debian.sh): the host's sources need no deb-src line.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SCHEMA=3

ver=$(apt-cache policy fio 2>/dev/null | awk '/^  Candidate:/ { print $2 }')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then lab_die "no fio package in apt (apt-get update?)"; fi
dir=$CACHE/fio/$ver-$SCHEMA
if [ -x "$dir/fio" ]; then
	echo "$dir/fio"
	exit 0
fi

started=$(lab_now)
mkdir -p "$CACHE/fio"
exec 8>"$CACHE/fio/.lock"
flock 8
[ -x "$dir/fio" ] && echo "$dir/fio" && exit 0
tmp=$(mktemp -d "$CACHE/fio/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || lab_die "no VERSION_CODENAME in /etc/os-release"
lab_log "fetching fio $ver source ($suite)"
(cd "$tmp" && debian_apt "$suite" apt-get -qq source --download-only "fio=$ver" >&2) ||
	lab_die "apt-get source fio=$ver failed"
dsc=$(find "$tmp" -maxdepth 1 -name 'fio_*.dsc' | head -n1)
[ -n "$dsc" ] || lab_die "apt-get source fio=$ver brought no .dsc"
(cd "$tmp" && dpkg-source --no-check -x "$dsc" src >/dev/null) || lab_die "dpkg-source -x $dsc failed"

lab_log "building fio $ver"
(
	cd "$tmp/src"
	# The lab's CPU is QEMU's qemu64: baseline x86-64, never the build host's (-march=native
	# gave AVX-512 code and SIGILL in the guests).
	./configure --build-static --disable-native --disable-optimizations \
		--extra-cflags="-O2 -march=x86-64 -mtune=generic" \
		--disable-rdma --disable-rados --disable-rbd --disable-gfapi --disable-pmem \
		--disable-http --disable-numa --disable-libzbc --disable-dfs --disable-xnvme \
		--disable-libnfs --disable-tcmalloc >"$tmp/configure.log" 2>&1 || exit 1
	# configure prints its usage and exits 0 on an unknown option; make would then run it
	# again with the defaults.
	if grep -q 'Bad option' "$tmp/configure.log" || [ ! -f config-host.mak ] ||
		grep -q '^CONFIG_BUILD_NATIVE' config-host.mak; then
		exit 1
	fi
	make -j"$(nproc)" fio >"$tmp/make.log" 2>&1 || exit 1
) || {
	tail -n 20 "$tmp"/*.log >&2
	lab_die "building fio failed"
}
grep -q '^CONFIG_LIBAIO=y' "$tmp/src/config-host.mak" || lab_die "fio built without libaio (libaio-dev?)"
readelf -lW "$tmp/src/fio" | grep -q 'program interpreter' && lab_die "fio is not static"
strip "$tmp/src/fio"
mkdir -p "$dir"
install -m 0755 "$tmp/src/fio" "$dir/fio"
lab_log "fio $ver built in $(lab_since "$started") s"
echo "$dir/fio"
