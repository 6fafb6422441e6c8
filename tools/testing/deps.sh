#!/bin/bash
# Install every host package any pvback target needs (Debian 12, apt-get).
# Idempotent and quiet when everything is already there.
set -euo pipefail

# One package per word; keep sorted by purpose.
PKGS=(
	# module build against Debian's 6.1 kernel
	build-essential linux-headers-amd64 sparse kmod
	# KUnit test kernel built from Debian's source
	linux-source-6.1 flex bison libelf-dev libssl-dev bc cpio dwarves python3
	# the lab: QEMU TCG booting Xen, images assembled from Debian packages
	qemu-system-x86 qemu-system-data qemu-utils busybox-static zstd xz-utils
	dpkg-dev iproute2 util-linux coreutils
	# host binaries copied into the lab's dom0 (with their libraries)
	procps bsdutils diffutils findutils mawk jq dmsetup
	# the two-host scenarios' talk between the servers (lab/dom0/host2-serve), and their
	# region leases on the shared disk (userspace/hotplug/pvback-lease)
	socat sanlock
	# HVM guests in the lab (Debian 12): the device model and its firmware, copied into dom0
	qemu-system-xen seabios ipxe-qemu
	# pvbackctl (libxenstore); package checks (make deb, package-check.sh; systemd-analyze
	# verify of the shipped unit)
	libxen-dev lintian shellcheck systemd
	# libFuzzer harnesses (tools/testing/fuzz): clang and its fuzzer runtime
	clang libclang-rt-14-dev
	# make bench: fio for the guests from Debian's source (lab/fio.sh), the chart
	libaio-dev zlib1g-dev gnuplot-nox
	# PVTEST_BENCH_PERF=1 make bench: perf, copied into dom0 (a layer of its own)
	linux-perf
	# the DKMS root image of the dkms scenario (tools/testing/lab/dkmsroot.sh)
	mmdebstrap e2fsprogs
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
