#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the lab's DKMS root: a root filesystem of the lab's Debian release (PVTEST_DIST:
# bookworm or trixie) in an ext4 image, for a scenario that attaches it as a second (virtio)
# disk, chroots into it from dom0, installs the pvback .debs with dpkg and lets DKMS build the
# modules for the lab's kernel.
#
#   dkmsroot.sh        prints the image path ($CACHE/lab/dkmsroot-<suite>-<key>.img) on stdout
#
# The root is mmdebstrap's minbase plus dkms, make, gcc, kmod, linux-headers-<KABI> (the ABI
# of the lab's kernel, lab_kheaders in common.sh, as build.sh boots it)
# and pvback-utils' dependencies (xen-utils-common, libxenstore4, dmsetup); no recommends, no
# kernel image, no docs, man pages, locales or apt lists. The mirror is the host's, the suite the
# lab's (tools/testing/debian.sh: SUITE, SUITE-updates and SUITE-security, component main).
# For Debian 13 it is a copy of the lab's own Debian root (debian_root, which has all of
# those and Xen's packages), less the kernel's modules and /boot: a second mmdebstrap would
# cost 2-3 minutes of a cold run.
# The key is a hash of this script, the KABI and the versions of those packages (apt's
# candidates, or those of the Debian root); a cached image is never modified: attach it
# read-only or with QEMU's snapshot=on.
#
# Needs root (mmdebstrap --mode=root), mmdebstrap and e2fsprogs (mke2fs -d).
# Environment: PVBACK_LAB_REBUILD=1 builds the image again.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SUITE=$DIST
# The file system label, for "findfs LABEL=..." in dom0 (at most 16 bytes).
LABEL=pvback-dkmsroot

started=$(lab_now)
[ "$(id -u)" -eq 0 ] ||
	lab_die "dkmsroot.sh must run as root (mmdebstrap --mode=root makes root-owned files and device nodes)"
for c in mmdebstrap mke2fs e2fsck apt-cache apt-config flock findmnt; do
	command -v "$c" >/dev/null ||
		lab_die "$c missing: run 'make deps' (dkmsroot.sh needs the packages mmdebstrap and e2fsprogs)"
done

# The kernel ABI the lab boots, picked as build.sh does.
kheaders=$(lab_kheaders)
KABI=${kheaders#linux-headers-}

PKGS=(dkms make gcc kmod "linux-headers-$KABI" xen-utils-common libxenstore4 dmsetup)

# Versions of PKGS, VER[package]: those installed in the Debian 13 root it is copied from;
# for Debian 12 the host apt's candidates, in one apt-cache call (as build.sh does).
declare -A VER
SRCROOT=
candidates() {
	apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
		/^  Candidate:/ && $2 != "(none)" { print p, $2 }'
}
if [ "$SUITE" != bookworm ]; then
	SRCROOT=$(debian_root "$SUITE") || lab_die "no Debian $SUITE root (tools/testing/debian.sh)"
	# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
	while read -r p v; do VER[$p]=$v; done < <(chroot "$SRCROOT" dpkg-query -W \
		-f='${db:Status-Abbrev} ${Package} ${Version}\n' "${PKGS[@]}" 2>/dev/null |
		awk '$1 == "ii" { print $2, $3 }')
	for p in "${PKGS[@]}"; do
		[ -n "${VER[$p]:-}" ] ||
			lab_die "the Debian $SUITE root $SRCROOT lacks $p (debian_root_pkgs in tools/testing/debian.sh)"
	done
else
	while read -r p v; do VER[$p]=$v; done < <(candidates "${PKGS[@]}")
	missing=()
	for p in "${PKGS[@]}"; do [ -n "${VER[$p]:-}" ] || missing+=("$p"); done
	if [ ${#missing[@]} -gt 0 ]; then
		lab_log "apt-get update (no candidate for ${missing[*]})"
		apt-get update -qq >&2 || true
		while read -r p v; do VER[$p]=$v; done < <(candidates "${PKGS[@]}")
		for p in "${PKGS[@]}"; do
			[ -n "${VER[$p]:-}" ] && continue
			# The usual cause, as in build.sh: the mirror moved on to a new kernel ABI.
			lab_die "package $p not found in apt; if it is linux-headers-$KABI, the mirror moved on:" \
				"'apt-get update && apt-get install linux-headers-amd64' and rebuild the modules"
		done
	fi
fi

key=$( {
	sha256sum <"${BASH_SOURCE[0]}"
	echo "kabi=$KABI"
	for p in "${PKGS[@]}"; do echo "$p=${VER[$p]}"; done
} | sha256sum | cut -c1-16)
IMG=$CACHE/lab/dkmsroot-$SUITE-$key.img

mkdir -p "$CACHE/lab"
exec 9>"$CACHE/lab/.dkmsroot.lock"
flock 9

if [ -f "$IMG" ] && [ -z "${PVBACK_LAB_REBUILD:-}" ]; then
	lab_log "dkmsroot: cached ($KABI)"
	printf '%s\n' "$IMG"
	exit 0
fi

# Unmount whatever an interrupted mmdebstrap left mounted under DIR, then remove DIR.
scrub() {
	local dir=$1 m
	[ -e "$dir" ] || return 0
	while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done < <(findmnt -rn -o TARGET | awk -v d="$dir/" 'index($0 "/", d) == 1' | sort -r)
	rm -rf --one-file-system "$dir"
}

# Leftovers of runs that were killed (we hold the lock: nobody else builds now).
for d in "$CACHE"/lab/.dkmsroot-tmp.*; do
	[ -d "$d" ] && scrub "$d"
done

TMPD=$(mktemp -d "$CACHE/lab/.dkmsroot-tmp.XXXXXX")
trap 'scrub "$TMPD"' EXIT
# The tree lives in a tmpfs of its own (about 450 MiB of memory for a minute): unpacking is
# faster and removing it is an umount, where deleting 25000 files costs seconds to tens of
# seconds on a busy disk.
ROOT=$TMPD/root
mkdir "$ROOT"
mount -t tmpfs -o size=3G,mode=0755 dkmsroot "$ROOT" || lab_die "cannot mount a tmpfs on $ROOT"

# mmdebstrap_root: PKGS into ROOT from the host's mirror.
mmdebstrap_root() {
	local m mm
	mapfile -t MIRRORS < <(debian_sources "$SUITE")
	[ ${#MIRRORS[@]} -gt 0 ] ||
		lab_die "no Debian $SUITE mirror (component main) in /etc/apt/sources.list or /etc/apt/sources.list.d/"
	# mmdebstrap's apt does not read the host's apt.conf.d: hand it what reaching the mirror
	# may take (proxies; no Valid-Until check, for snapshot mirrors).
	debian_aptconf "$TMPD/host-apt.conf"
	lab_log "dkmsroot: building $IMG (mmdebstrap $SUITE minbase, ${PKGS[*]})"
	for m in "${MIRRORS[@]}"; do lab_log "dkmsroot: source: $m"; done
	# The _apt sandbox user cannot reach a cache under /root: apt runs as root. The dpkg path
	# excludes keep docs, man pages and locales out while installing (faster than deleting
	# them); they are taken out of the image's dpkg configuration again below, so that the
	# scenario's dpkg -i installs our packages whole.
	mm=(mmdebstrap --mode=root --variant=minbase --format=directory
		--include="$(
			IFS=,
			echo "${PKGS[*]}"
		)"
		--aptopt='APT::Install-Recommends "false"'
		--aptopt='APT::Install-Suggests "false"'
		--aptopt='APT::Sandbox::User "root"'
		--aptopt='Acquire::Languages "none"'
		--aptopt="$TMPD/host-apt.conf"
		--dpkgopt='path-exclude=/usr/share/doc/*'
		--dpkgopt='path-exclude=/usr/share/man/*'
		--dpkgopt='path-exclude=/usr/share/info/*'
		--dpkgopt='path-exclude=/usr/share/locale/*'
		--dpkgopt='path-exclude=/usr/share/lintian/*'
		--dpkgopt='force-unsafe-io'
		"$SUITE" "$ROOT" "${MIRRORS[@]}")
	if ! "${mm[@]}" >"$TMPD/mmdebstrap.log" 2>&1; then
		tail -n 40 "$TMPD/mmdebstrap.log" >&2
		if grep -E '^E: ' "$TMPD/mmdebstrap.log" | grep -q "linux-headers-$KABI"; then
			lab_log "the mirror may have moved on to a new kernel ABI: 'apt-get update &&" \
				"apt-get install linux-headers-amd64', then rebuild the modules and the lab"
		fi
		lab_die "mmdebstrap failed (the lines above are the end of its log)"
	fi
}

mmstarted=$(lab_now)
if [ -n "$SRCROOT" ]; then
	lab_log "dkmsroot: building $IMG (a copy of $SRCROOT)"
	# Not what DKMS needs: the kernel's modules and image, the hypervisor, the lab's own
	# module builds (src/), apt's lists.
	tar -C "$SRCROOT" --exclude=./boot --exclude='./usr/lib/modules/*/kernel' \
		--exclude='./lib/modules/*/kernel' --exclude=./src --exclude='./usr/lib/xen-*/boot' \
		--exclude=./.pvback-pkgs --exclude='./var/lib/apt/lists/*' -cf - . |
		tar -C "$ROOT" -xpf - || lab_die "cannot copy $SRCROOT"
	lab_log "dkmsroot: copied in $(lab_since "$mmstarted") s"
else
	mmdebstrap_root
	lab_log "dkmsroot: mmdebstrap took $(lab_since "$mmstarted") s"
fi

# What the scenario relies on.
[ -e "$ROOT/lib/modules/$KABI/build/include" ] || lab_die "no headers for $KABI in the root"
[ -x "$ROOT/usr/sbin/dkms" ] || lab_die "no dkms in the root"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
chroot "$ROOT" dpkg-query -W -f='${Version}\n' "linux-headers-$KABI" >/dev/null ||
	lab_die "linux-headers-$KABI is not installed in the root"
# (A copy of the lab's root has systemd, which udev pulls in there.)
[ -n "$SRCROOT" ] || for f in "$ROOT"/boot/vmlinuz-* "$ROOT/lib/systemd/systemd"; do
	[ -e "$f" ] && lab_log "dkmsroot: warning: ${f#"$ROOT"} got into the root"
done

# Slim down: nothing here is used again (no apt runs in the image; it is a throwaway copy).
rm -f "$ROOT/etc/apt/apt.conf.d/99mmdebstrap" "$ROOT/etc/dpkg/dpkg.cfg.d/99mmdebstrap"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/* "$ROOT"/var/cache/debconf/*-old \
	"$ROOT"/var/cache/ldconfig/* "$ROOT"/var/log/* "$ROOT"/tmp/* \
	"$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* \
	"$ROOT"/usr/share/locale/* "$ROOT"/usr/share/lintian/*
# Nothing to reach: the scenario runs without network. mmdebstrap copied the host's name and
# resolver; they are no business of the image.
: >"$ROOT/etc/apt/sources.list"
rm -f "$ROOT"/etc/apt/sources.list.d/* "$ROOT/etc/resolv.conf"
echo dkmsroot >"$ROOT/etc/hostname"
# For the scenario: which kernel and which cache entry this is.
{
	echo "DKMSROOT_KABI=$KABI"
	echo "DKMSROOT_KEY=$key"
	for p in "${PKGS[@]}"; do echo "# $p=${VER[$p]}"; done
} >"$ROOT/etc/pvback-dkmsroot.conf"

# An ext4 image of the tree without mounting anything: size = use + 25% + 512 MiB for the
# scenario (DKMS sources and build tree, our packages), inodes to match; sparse. No journal:
# the image is used once per boot, through a throwaway overlay, and a journal only costs
# writes under TCG.
used_mb=$(du -s -B1M "$ROOT" | cut -f1)
nfiles=$(find "$ROOT" -xdev | wc -l)
size_mb=$(((used_mb * 5 / 4 + 512 + 63) / 64 * 64))
truncate -s "${size_mb}M" "$TMPD/img"
mke2fs -q -F -t ext4 -O ^has_journal -L "$LABEL" -m 0 -N $((nfiles * 3 / 2 + 32768)) \
	-E root_owner=0:0 -d "$ROOT" "$TMPD/img" >&2 || lab_die "mke2fs failed"
e2fsck -fn "$TMPD/img" >"$TMPD/e2fsck.log" 2>&1 || {
	cat "$TMPD/e2fsck.log" >&2
	lab_die "e2fsck finds the new image broken"
}
mv -f "$TMPD/img" "$IMG"
for f in "$CACHE"/lab/dkmsroot-"$SUITE"-*.img "$CACHE"/lab/dkmsroot-[0-9a-f]*.img; do
	[ "$f" = "$IMG" ] || rm -f "$f"
done

lab_log "dkmsroot: $IMG: $(du -h --apparent-size "$IMG" | cut -f1) image," \
	"$(du -h "$IMG" | cut -f1) on disk, $used_mb MiB of files ($nfiles), built in $(lab_since "$started") s"
printf '%s\n' "$IMG"
