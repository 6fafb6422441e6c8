#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the lab images from Debian packages, of Debian 12 or Debian 13 (PVTEST_DIST):
#   out/images/xen.elf        Xen hypervisor (4.17 or 4.20, gunzipped, for QEMU -kernel)
#   out/images/vmlinuz        dom0 kernel (Debian's 6.1 or 6.12 bzImage)
#   out/images/dom0.cpio.gz   dom0 initramfs: toolstack, modules, guest kernel + initramfs,
#                             our modules, hotplug scripts, scenarios
#   out/images/perf.cpio.gz   perf and its libraries, a layer boot.sh appends to dom0's
#                             initramfs only with PVTEST_BENCH_PERF=1 (it is 30 MB of the host's
#                             linux-perf, cached under $CACHE/lab/<key> by its version)
# The slow parts (downloads, unpacking the kernel package, extracting the guest vmlinux) are
# cached under $CACHE/lab/<key>, the key being a hash of the package versions; the initramfs
# itself is rebuilt on every run because it carries the work tree's current files.
#
# Debian 12 (bookworm, the default): the Xen and kernel packages are downloaded with the
# host's apt and unpacked; every other command and library is the host's own (it is Debian 12
# too). Debian 13 (PVTEST_DIST=trixie): everything comes from a Debian 13 root made once from
# the host's mirror (tools/testing/debian.sh, debian_root), whose kernel headers our modules
# are built against; commands and libraries are resolved inside that root.
#
# Environment: PVBACK_LAB_REBUILD=1 forces the cached part to be rebuilt; PVTEST_DIST.
set -euo pipefail

# shellcheck source=tools/testing/lab/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Bump when the cached layout or its build steps change.
SCHEMA=5
XEN_SERIES=${DEBIAN_XEN[$DIST]}
if [ "$DIST" = bookworm ]; then
	SYSROOT=
	XEN_PKGS=("xen-hypervisor-$XEN_SERIES-amd64" "xen-utils-$XEN_SERIES" xen-utils-common
		xenstore-utils "libxenmisc$XEN_SERIES" libxencall1 libxendevicemodel1 libxenevtchn1
		libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1
		libxentoollog1 libyajl2
		# udevd for the udev hotplug and module autoload scenarios (not started by default)
		udev libsystemd-shared)
else
	SYSROOT=$(lab_sysroot)
	LAB_SYSROOT=$SYSROOT
	# Only the packages whose files the image carries whole; libraries follow the binaries.
	XEN_PKGS=("xen-hypervisor-$XEN_SERIES-amd64" "xen-utils-$XEN_SERIES" xen-utils-common
		xenstore-utils udev)
fi
# dom0: xenfs and the device drivers of the toolstack, the in-tree backends (PVBACK_BACKEND=intree
# and the netback until ours exists), the emulated server hardware (ahci disk, e1000), the bridge,
# and a few block helpers for scenarios (loop, device-mapper, null_blk, brd).
DOM0_MODS=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback
	ahci sd_mod e1000 bridge loop dm-mod dm-flakey dm-delay null_blk brd
	# the device model's taps for an HVM guest's emulated NICs
	tun
	# the dkms scenario mounts an ext4 root (6.1's ext4 wants crc32c; qemu64 has no SSE4.2)
	# from a virtio disk
	ext4 crc32c_generic virtio_pci virtio_blk)
# Guests: the frontends; the grant-alloc and event channel devices for pvhostile's guests;
# an HVM guest's emulated devices: the IDE disk and the NICs of the scenarios' models.
GUEST_MODS=(xen-blkfront xen-netfront xen-gntalloc xen-evtchn
	ata_piix sd_mod e1000 pcnet32 ne2k-pci)

started=$(lab_now)
mkdir -p "$CACHE/debs" "$CACHE/lab" "$OUT/images" "$OUT/build"

# The kernel must match the headers our modules are built against (lab_make_modules).
kheaders=$(lab_kheaders)
KABI=${kheaders#linux-headers-}
KPKG=linux-image-$KABI
# shellcheck disable=SC2016 # dpkg-query's format
KVER=$(lab_sys dpkg-query -W -f='${Version}' "$kheaders" 2>/dev/null) ||
	lab_die "$kheaders is not an installed package"

# Candidate versions of all packages in one apt-cache call (each call costs about a second).
candidates() {
	apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
		/^  Candidate:/ && $2 != "(none)" { print p, $2 }'
}

declare -A VER
VER[$KPKG]=$KVER
if [ -n "$SYSROOT" ]; then
	# What is installed in the root (all of it: its libraries end up in the image).
	# shellcheck disable=SC2016 # dpkg-query's format
	while read -r p v; do VER[$p]=$v; done < <(chroot "$SYSROOT" dpkg-query -W -f='${Package} ${Version}\n')
	for p in "${XEN_PKGS[@]}"; do [ -n "${VER[$p]:-}" ] || lab_die "$p is not installed in $SYSROOT"; done
else
	while read -r p v; do VER[$p]=$v; done < <(candidates "${XEN_PKGS[@]}")
fi
missing=()
for p in "${XEN_PKGS[@]}"; do [ -n "${VER[$p]:-}" ] || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	lab_log "apt-get update (no candidate for ${missing[*]})"
	apt-get update -qq >&2 || true
	while read -r p v; do VER[$p]=$v; done < <(candidates "${XEN_PKGS[@]}")
	for p in "${XEN_PKGS[@]}"; do [ -n "${VER[$p]:-}" ] || lab_die "package $p not found in apt"; done
fi

key=$( {
	echo "schema=$SCHEMA dist=$DIST"
	for p in "${!VER[@]}"; do echo "$p=${VER[$p]}"; done | LC_ALL=C sort
	printf '%s\n' "${DOM0_MODS[@]}" "${GUEST_MODS[@]}"
} | sha256sum | cut -c1-16)
LABC=$CACHE/lab/$key

deb_path() {
	local f
	f=$(find "$CACHE/debs" -maxdepth 1 -name "${1}_${VER[$1]//:/%3a}_*.deb" | head -n1)
	[ -n "$f" ] || return 1
	printf '%s\n' "$f"
}

fetch_debs() {
	local want=() p tmp
	for p in "${!VER[@]}"; do deb_path "$p" >/dev/null || want+=("$p=${VER[$p]}"); done
	[ ${#want[@]} -eq 0 ] && return 0
	lab_log "downloading ${#want[@]} packages"
	# Into a scratch dir first so an interrupted download never poisons the cache.
	tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >&2) || {
		rm -rf "$tmp"
		# The usual cause: the mirror moved on to a new kernel ABI and the installed headers
		# (which pick the kernel) are older; the new headers bring a kernel that exists.
		lab_die "apt-get download failed; if $KPKG=$KVER is gone from the mirror, run" \
			"'apt-get update && apt-get install linux-headers-amd64' and rebuild the modules"
	}
	mv "$tmp"/*.deb "$CACHE/debs/"
	rmdir "$tmp"
}

# mod_closure ABI ROOT NAMES...: print the module files (relative to lib/modules/ABI of
# ROOT) that NAMES need, dependencies included; a name built into the kernel (virtio_pci in
# Debian 13) needs none.
mod_closure() {
	local dir=$2/lib/modules/$1
	shift 2
	awk -v want="$*" '
	BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { x = w[i]; gsub("-", "_", x); need[x] = 1 } }
	{
		k = $1; sub(":$", "", k); m = k; sub(".*/", "", m); sub("[.]ko.*$", "", m); gsub("-", "_", m)
		if (!(m in need)) next
		found[m] = 1
		if (FILENAME ~ /modules[.]builtin$/) next
		print k; for (i = 2; i <= NF; i++) print $i
	}
	END { for (x in need) if (!(x in found)) { print "lab: missing module " x > "/dev/stderr"; bad = 1 }; exit bad }
	' "$dir/modules.dep" "$dir/modules.builtin" | LC_ALL=C sort -u
}

# mod_subset ABI SRC DST NAMES...: copy the modules NAMES need (with dependencies) of kernel
# ABI from root SRC into root DST and index them.
mod_subset() {
	local abi=$1 src=$2 dst=$3 m
	shift 3
	local mods
	mods=$(mod_closure "$abi" "$src" "$@") || lab_die "module closure failed"
	mkdir -p "$dst/lib/modules/$abi"
	for m in $mods; do
		install -D -m 0644 "$src/lib/modules/$abi/$m" "$dst/lib/modules/$abi/$m"
	done
	cp "$src/lib/modules/$abi"/modules.{order,builtin,builtin.modinfo} "$dst/lib/modules/$abi/"
	depmod -b "$dst" "$abi"
}

# Debian's bzImage carries vmlinux as a compressed payload; the setup header says where.
# A plain ELF loads about twice as fast in a PV guest as the xz bzImage (no in-guest unpack).
extract_vmlinux() {
	local bz=$1 out=$2 sects off len start magic
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
	[ "$sects" -eq 0 ] && sects=4
	off=$(od -An -tu4 -j $((0x248)) -N4 "$bz" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$bz" | tr -d ' ')
	start=$(((sects + 1) * 512 + off))
	magic=$(od -An -tx1 -j "$start" -N4 "$bz" | tr -d ' ')
	local unpack
	case $magic in
	fd377a58) unpack='xz -dc' ;;
	1f8b*) unpack='gzip -dc' ;;
	28b52ffd) unpack='zstd -dcq' ;;
	*) return 1 ;;
	esac
	# The payload ends with the le32 uncompressed size, which is no part of the stream.
	dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$start" count=$((len - 4)) status=none |
		$unpack >"$out.elf" || return 1
	[ "$(od -An -tx1 -N4 "$out.elf" | tr -d ' ')" = 7f454c46 ] || return 1
	gzip -6 -n <"$out.elf" >"$out"
	rm -f "$out.elf"
}

# install_kernel SRC DST: a guest kernel into an image, as a plain ELF when SRC is the gzip'ed
# one (extract_vmlinux): xl then loads it as is, where inflating 55 MB costs each xl create
# 2-3 s of dom0's time under TCG (2.1 s for zcat in dom0; xl create 3-4 s instead of 6 s).
# dom0's image is compressed as a whole, so the image file barely grows; dom0 holds about
# 45 MB more per kernel in memory.
install_kernel() {
	mkdir -p "$(dirname "$2")"
	if [ "$(od -An -tx1 -N2 "$1" | tr -d ' ')" = 1f8b ]; then
		gzip -dc "$1" >"$2"
	else
		cp "$1" "$2"
	fi
	chmod 0644 "$2"
}

# unpack_pkgs DIR PKG...: the files of installed packages, from the host's debs or the root.
unpack_pkgs() {
	local dir=$1 p
	shift
	mkdir -p "$dir"
	if [ -z "$SYSROOT" ]; then
		for p in "$@"; do dpkg-deb -x "$(deb_path "$p")" "$dir"; done
		return
	fi
	chroot "$SYSROOT" dpkg-query -L "$@" | sed -n 's|^/||p' | LC_ALL=C sort -u |
		(cd "$SYSROOT" && while IFS= read -r p; do
			# (Directories come with their files; excluded paths, docs, are missing.)
			[ -d "$p" ] && [ ! -L "$p" ] && continue
			[ -e "$p" ] || [ -L "$p" ] && printf '%s\0' "$p"
		done | tar --null --no-recursion -T - -cf -) | tar -C "$dir" -xf -
}

build_base() {
	local tmp p xen k
	tmp=$(mktemp -d "$CACHE/lab/.tmp.XXXXXX")
	lab_log "building cache $LABC"
	unpack_pkgs "$tmp/xenroot" "${XEN_PKGS[@]}"
	rm -rf "$tmp/xenroot/usr/share/doc" "$tmp/xenroot/usr/share/man" "$tmp/xenroot/usr/share/lintian" \
		"$tmp/xenroot/boot"/*.efi
	xen=$(find "$tmp/xenroot/boot" -name "xen-$XEN_SERIES-amd64.gz" | head -n1)
	[ -n "$xen" ] || lab_die "no xen.gz in xen-hypervisor package"
	gzip -dc "$xen" >"$tmp/xen.elf"
	rm -rf "$tmp/xenroot/boot"
	# udev: the daemon, udevadm and the module-loading rule only; the lab has no other hardware
	# worth naming, and every rule costs time under TCG.
	# (Debian 12 has them under /lib, Debian 13 under /usr/lib.)
	for p in lib usr/lib; do
		[ -d "$tmp/xenroot/$p/udev/rules.d" ] &&
			find "$tmp/xenroot/$p/udev/rules.d" -type f ! -name 80-drivers.rules -delete
		rm -rf "$tmp/xenroot/$p/udev/hwdb.d" "$tmp/xenroot/$p/systemd/system" \
			"$tmp/xenroot/$p/systemd/network"
	done
	rm -rf "$tmp/xenroot/etc/init.d/udev"

	if [ -z "$SYSROOT" ]; then
		dpkg-deb -x "$(deb_path "$KPKG")" "$tmp/k"
		depmod -b "$tmp/k" "$KABI"
		k=$tmp/k
	else
		k=$SYSROOT
	fi
	cp "$k/boot/vmlinuz-$KABI" "$tmp/vmlinuz"
	if ! extract_vmlinux "$tmp/vmlinuz" "$tmp/guest-vmlinux.gz"; then
		lab_log "cannot extract vmlinux; guests boot the bzImage"
		cp "$tmp/vmlinuz" "$tmp/guest-vmlinux.gz"
	fi
	mod_subset "$KABI" "$k" "$tmp/dom0-mods" "${DOM0_MODS[@]}"
	mod_subset "$KABI" "$k" "$tmp/guest-mods" "${GUEST_MODS[@]}"
	rm -rf "$tmp/k"
	for p in "${!VER[@]}"; do echo "$p=${VER[$p]}"; done | LC_ALL=C sort >"$tmp/versions"
	echo "$KABI" >"$tmp/kabi"
	echo "$DIST" >"$tmp/dist"
	rm -rf "$LABC"
	mv "$tmp" "$LABC"
	# The entries of this release for other versions are of no use now (entries made before
	# they said their release are told apart by their kernel: 6.1 is Debian 12's).
	local d
	for p in "$CACHE"/lab/*/versions; do
		p=${p%/versions}
		[ "$p" != "$LABC" ] || continue
		d=$(cat "$p/dist" 2>/dev/null) ||
			case $(cat "$p/kabi" 2>/dev/null) in 6.1.*) d=bookworm ;; *) d=trixie ;; esac
		if [ "$d" = "$DIST" ]; then rm -rf "$p"; fi
	done
}

exec 9>"$CACHE/lab/.lock"
flock 9
# What builds killed or failed left behind (nobody else builds while we hold the lock).
rm -rf "$CACHE"/lab/.tmp.*
if [ -n "${PVBACK_LAB_REBUILD:-}" ] || [ ! -f "$LABC/versions" ]; then
	[ -n "$SYSROOT" ] || fetch_debs
	build_base
fi
XENROOT=$LABC/xenroot
XENLIBS=$XENROOT/usr/lib/x86_64-linux-gnu

# ---- per-run part: small and cheap ----

# ldd FILE as the image will run it. Debian 12: the host's ldd, libraries of the unpacked Xen
# packages first. Debian 13: ldd inside the root (FILE there, or in the root's copy XENROOT);
# the libraries it names are the root's (sys_path).
sys_ldd() {
	local f=$1 rel
	if [ -z "$SYSROOT" ]; then
		LD_LIBRARY_PATH=$XENLIBS ldd "$f"
		return
	fi
	case $f in
	"$XENROOT"/* | "$SYSROOT"/*)
		rel=${f#"$XENROOT"}
		rel=${rel#"$SYSROOT"}
		chroot "$SYSROOT" ldd "$rel"
		;;
	*)
		# A file elsewhere (the stage's copy of a Xen tool): looked at from inside the root.
		rel=/tmp/pvback-ldd.$$
		cp "$f" "$SYSROOT$rel"
		chroot "$SYSROOT" ldd "$rel"
		local rc=$?
		rm -f "$SYSROOT$rel"
		return $rc
		;;
	esac
}
sys_path() { printf '%s%s\n' "$SYSROOT" "$1"; }

# Copy the shared libraries binary FILE needs into root STAGE.
add_libs() {
	local stage=$1 file=$2 lib dest out
	out=$(sys_ldd "$file" 2>&1) || {
		grep -q 'not a dynamic executable' <<<"$out" && return 0
		lab_die "ldd $file: $out"
	}
	if grep -q 'not found' <<<"$out"; then lab_die "ldd $file: $out"; fi
	while read -r lib; do
		dest=${lib#"$XENROOT"}
		lib=$(sys_path "$lib")
		[ -e "$stage$dest" ] || install -D -m 0755 "$lib" "$stage$dest"
	done < <(awk '/=>/ { print $3; next } /^\t\// { print $1 }' <<<"$out")
}

# add_bin STAGE SRC [DEST]: a binary and its libraries (DEST defaults to SRC's path).
add_bin() {
	local stage=$1 src=$2 dest=${3:-$2}
	install -D -m 0755 "$src" "$stage$dest"
	add_libs "$stage" "$src"
}

# A command by name (the host's, or the Debian 13 root's) into /usr/bin or /usr/sbin of STAGE;
# OPTIONAL ones may be missing.
add_host_cmd() {
	local stage=$1 name=$2 optional=${3:-} p dir
	# shellcheck disable=SC2016 # for the inner bash
	p=$(lab_sys env PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c 'type -P "$1"' - "$name") || {
		[ -n "$optional" ] && return 0
		lab_die "command $name missing (see tools/testing/deps.sh)"
	}
	case $p in */sbin/*) dir=/usr/sbin ;; *) dir=/usr/bin ;; esac
	[ -e "$stage$dir/$name" ] || add_bin "$stage" "$(sys_path "$p")" "$dir/$name"
}

# Merged-/usr skeleton, like Debian 12, so host library paths copy verbatim.
new_root() {
	local s=$1
	rm -rf "$s"
	mkdir -p "$s"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,run,tmp,etc,root,mnt,var/lib,var/log}
	ln -s usr/bin "$s/bin"
	ln -s usr/sbin "$s/sbin"
	ln -s usr/lib "$s/lib"
	ln -s usr/lib64 "$s/lib64"
	ln -s ../run "$s/var/run"
	ln -s ../run/lock "$s/var/lock"
	chmod 1777 "$s/tmp"
	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$s/etc/passwd"
	printf 'root:x:0:\n' >"$s/etc/group"
}

# busybox fills in every command not otherwise present, except brctl: Debian's busybox
# has no "brctl show", which Xen's vif-bridge runs when it finds a brctl (offline, when
# the vif's bridge key is gone); without one it uses iproute2, as a Debian dom0 without
# bridge-utils does.
add_busybox() {
	local s=$1 a
	install -D -m 0755 /bin/busybox "$s/usr/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" != brctl ] || continue
		[ -e "$s/usr/bin/$a" ] || [ -e "$s/usr/sbin/$a" ] || ln -s busybox "$s/usr/bin/$a"
	done
}

# mkcpio DIR FILE [raw]: a newc archive of DIR, gzip'ed unless "raw".
mkcpio() {
	if [ "${3:-}" = raw ]; then
		(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
	else
		(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 -n >"$2"
	fi
}

# Our static tools, for guests and dom0 alike: pvpattern (data patterns), pvxs (xenstore
# client and guest agent), pvnet (network traffic with checked contents), pvhostile (a
# hostile frontend, for guests).
for t in pvpattern pvxs pvnet pvhostile; do
	if [ ! -x "$OUT/build/$t" ] || [ "$LAB/$t.c" -nt "$OUT/build/$t" ] ||
		[ "$LAB/pvsize.h" -nt "$OUT/build/$t" ] || [ "$LAB/pvxsc.h" -nt "$OUT/build/$t" ]; then
		gcc -O2 -static -pthread -Wall -Wextra -Werror -o "$OUT/build/$t" "$LAB/$t.c"
	fi
done

# Each initramfs is two gzip'ed cpio archives back to back (the kernel unpacks both): a base
# layer of packaged and host binaries, cached per host package set and version of this script,
# and a small layer of the work tree's files (init, scenarios, our modules), built every run.
# Layers other than the base hold plain directories only, never the base's /bin-style symlinks.
# fio for the benchmark, built from Debian's source (its path names its version).
FIO=$("$LAB/fio.sh") || lab_die "no fio for the lab (tools/testing/lab/fio.sh)"
bkey=$( {
	sha256sum <"${BASH_SOURCE[0]}"
	echo "$FIO"
	dpkg-query -W -f='${Package}=${Version}\n'
} | sha256sum | cut -c1-16)
BASE=$LABC/base-$bkey

build_guest_base() {
	local g=$1
	new_root "$g"
	add_host_cmd "$g" bash
	for c in dd timeout; do add_host_cmd "$g" "$c"; done
	install -D -m 0755 "$FIO" "$g/usr/bin/fio"
	add_bin "$g" "$XENROOT/usr/bin/xenstore" /usr/bin/xenstore
	for c in read write exists watch rm list ls chmod; do ln -s xenstore "$g/usr/bin/xenstore-$c"; done
	cp -a "$LABC/guest-mods/lib/modules" "$g/usr/lib/"
	add_busybox "$g"
}

build_dom0_base() {
	local d=$1 f n p c t dir
	new_root "$d"
	tar -C "$XENROOT" -c . | tar -C "$d" -x --keep-directory-symlink
	# Debian's wrapper picks the tools by hypervisor version at run time; point at them directly.
	for f in "$d"/usr/sbin/* "$d"/usr/bin/*; do
		[ -L "$f" ] || continue
		[ "$(readlink "$f")" = ../lib/xen-common/bin/xen-utils-wrapper ] || continue
		n=${f##*/}
		[ -e "$d/usr/lib/xen-$XEN_SERIES/bin/$n" ] || continue
		ln -sfn "../lib/xen-$XEN_SERIES/bin/$n" "$f"
	done
	for f in "$d/usr/lib/xen-$XEN_SERIES/bin"/* "$d"/usr/bin/xenstore "$d"/usr/bin/udevadm \
		"$d"/usr/lib/systemd/systemd-udevd; do
		[ -f "$f" ] && [ ! -L "$f" ] && head -c4 "$f" | grep -q ELF && add_libs "$d" "$f"
	done
	# udevd of systemd 257 (Debian 13) dlopens libkmod to load modules by alias; ldd does not
	# list it (Debian 12's links it).
	f=/usr/lib/x86_64-linux-gnu/libkmod.so.2
	if [ -e "$(sys_path "$f")" ] && [ ! -e "$d$f" ]; then add_bin "$d" "$(sys_path "$f")" "$f"; fi
	# glibc dlopens libgcc_s for unwinding (xl's error paths abort without it); ldd never lists it.
	install -D -m 0644 "$(sys_path /lib/x86_64-linux-gnu/libgcc_s.so.1)" \
		"$d/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"
	while read -r p; do
		case $p in */bin/* | */sbin/*) [ -f "$(sys_path "$p")" ] && add_host_cmd "$d" "${p##*/}" ;; esac
	done < <(lab_sys dpkg -L coreutils)
	for c in bash ip bridge tc losetup flock stat readlink sed awk mawk grep find xargs logger blockdev \
		kmod insmod rmmod modprobe lsmod depmod modinfo ps pgrep pkill setsid cmp diff getopt \
		lsblk dmesg mount umount sync dmsetup \
		socat sanlock; do
		add_host_cmd "$d" "$c"
	done
	for c in strace iperf3 hexdump jq; do add_host_cmd "$d" "$c" optional; done
	install -D -m 0755 "$FIO" "$d/usr/bin/fio"
	add_busybox "$d"
	for t in l/linux v/vt100 v/vt102 v/vt220 x/xterm x/xterm-256color d/dumb; do
		for dir in /lib/terminfo /usr/share/terminfo; do
			dir=$(sys_path "$dir")
			[ -f "$dir/$t" ] && install -D -m 0644 "$dir/$t" "$d/usr/share/terminfo/$t" && break
		done
	done
	cp -a "$LABC/dom0-mods/lib/modules" "$d/usr/lib/"
	install_kernel "$LABC/guest-vmlinux.gz" "$d/usr/lib/pvtest/guest/vmlinux"
	# HVM guests: the device model (qemu-system-xen, where libxl looks for it), the firmware
	# hvmloader gets from libxl (SeaBIOS), the ROMs of the emulated NICs (iPXE's; rtl8139 is
	# the model of a vif without one), QEMU's option ROMs for direct kernel boot (7.2 uses the
	# one without DMA) of the bzImage (the guests' kernel is dom0's), and the keymap that
	# "-vnc none" still reads. hvmloader itself comes with xen-utils.
	add_bin "$d" "$(sys_path /usr/libexec/xen-qemu-system-i386)" /usr/libexec/xen-qemu-system-i386
	# Each where its release keeps it (the ROMs: /usr/lib/ipxe/qemu in Debian 12,
	# /usr/share/qemu in 13), as QEMU's firmware path has both.
	local found
	for f in seabios/bios-256k.bin qemu/linuxboot{,_dma}.bin qemu/kvmvapic.bin qemu/keymaps/en-us \
		{efi,pxe}-{e1000,pcnet,ne2k_pci,rtl8139}.rom; do
		found=''
		for dir in /usr/share /usr/share/qemu /usr/lib/ipxe/qemu; do
			[ -e "$(sys_path "$dir/$f")" ] || continue
			install -D -m 0644 "$(sys_path "$dir/$f")" "$d$dir/$f"
			found=1
			break
		done
		[ -n "$found" ] || lab_die "${f##*/} missing (qemu-system-xen, seabios, ipxe-qemu)"
	done
	install -D -m 0644 "$LABC/vmlinuz" "$d/usr/lib/pvtest/guest/vmlinuz"
}

if [ ! -f "$BASE/dom0.cpio.gz" ] || [ ! -f "$BASE/guest.cpio" ]; then
	lab_log "building base layers $BASE"
	rm -rf "$LABC"/base-*
	mkdir -p "$BASE.tmp"
	build_guest_base "$OUT/build/guest-base"
	mkcpio "$OUT/build/guest-base" "$BASE.tmp/guest.cpio" raw
	build_dom0_base "$OUT/build/dom0-base"
	mkcpio "$OUT/build/dom0-base" "$BASE.tmp/dom0.cpio.gz"
	rm -rf "$OUT/build/guest-base" "$OUT/build/dom0-base"
	mv "$BASE.tmp" "$BASE"
fi

# The other Debian release's guest kernel and frontend modules, for the guest-mixed scenario
# (PVTEST_GUEST_OTHER=1; selftest.sh sets it when that scenario runs): Debian 13's 6.12 from
# its root (debian_root) in a Debian 12 lab, Debian 12's 6.1 (the host's headers' kernel
# package) in a Debian 13 lab. Prints the directory ($CACHE/lab/guest-<ABI>: vmlinux.gz,
# mods.cpio with usr/lib/modules/<ABI>, dist, kabi).
other_guest() {
	local odist k kabi dir tmp deb ver
	if [ "$DIST" = bookworm ]; then odist=trixie; else odist=bookworm; fi
	if [ "$odist" = trixie ]; then
		k=$(debian_root trixie)
		kabi=$(debian_headers "$k")
	else
		kabi=$("$TOP/tools/testing/kheaders.sh")
	fi
	[ -n "$kabi" ] || lab_die "no kernel headers of Debian $odist for its guest kernel"
	kabi=${kabi#linux-headers-}
	dir=$CACHE/lab/guest-$kabi
	if [ -f "$dir/mods.cpio" ]; then
		echo "$dir"
		return
	fi
	tmp=$(mktemp -d "$CACHE/lab/.tmp.XXXXXX")
	if [ "$odist" = bookworm ]; then
		# shellcheck disable=SC2016 # dpkg-query's format
		ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kabi")
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "linux-image-${kabi}_${ver//:/%3a}_*.deb" | head -n1)
		if [ -z "$deb" ]; then
			(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
				"linux-image-$kabi=$ver" >&2) || lab_die "apt-get download linux-image-$kabi failed"
			mv "$tmp"/*.deb "$CACHE/debs/"
			deb=$(find "$CACHE/debs" -maxdepth 1 -name "linux-image-${kabi}_*.deb" | head -n1)
		fi
		dpkg-deb -x "$deb" "$tmp/k"
		depmod -b "$tmp/k" "$kabi"
		k=$tmp/k
	fi
	extract_vmlinux "$k/boot/vmlinuz-$kabi" "$tmp/vmlinux.gz" || cp "$k/boot/vmlinuz-$kabi" "$tmp/vmlinux.gz"
	mod_subset "$kabi" "$k" "$tmp/mods" "${GUEST_MODS[@]}"
	# A layer of plain directories (the base has lib -> usr/lib).
	mkdir -p "$tmp/layer/usr/lib"
	mv "$tmp/mods/lib/modules" "$tmp/layer/usr/lib/"
	mkcpio "$tmp/layer" "$tmp/mods.cpio" raw
	rm -rf "$tmp/k" "$tmp/mods" "$tmp/layer"
	echo "$odist" >"$tmp/dist"
	echo "$kabi" >"$tmp/kabi"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "$dir"
}
OTHER=
[ -n "${PVTEST_GUEST_OTHER:-}" ] && OTHER=$(other_guest)

# ---- per-run layers ----
G=$OUT/build/guest-run
rm -rf "$G"
install -D -m 0755 "$LAB/guest/init" "$G/init"
install -D -m 0755 "$LAB/guest/net-up" "$G/usr/bin/pvtest-net-up"
install -D -m 0755 -t "$G/usr/bin" "$OUT/build/pvpattern" "$OUT/build/pvxs" "$OUT/build/pvnet" \
	"$OUT/build/pvhostile"
mkcpio "$G" "$OUT/build/guest-run.cpio" raw

D=$OUT/build/dom0-run
rm -rf "$D"
P=$D/usr/lib/pvtest
mkdir -p "$P/guest" "$P/modules" "$P/selftests" "$D/etc/xen/vm" "$D/etc/xen/scripts" "$D/etc/pvtest"
# Uncompressed: libxenguest would try (and fail) to inflate a multi-member gzip file, and a
# 7 MB cpio needs no unpacking in dom0 or the guest (it is compressed inside dom0's image).
# With the other release's guest kernel, its frontend modules too (a guest loads those of the
# kernel it runs).
cat "$BASE/guest.cpio" "$OUT/build/guest-run.cpio" ${OTHER:+"$OTHER/mods.cpio"} >"$P/guest/initrd"
[ -n "$OTHER" ] && install_kernel "$OTHER/vmlinux.gz" "$P/guest/other/vmlinux"
# The name VM definitions used first.
ln -s initrd "$P/guest/initrd.gz"
install -D -m 0755 -t "$D/usr/bin" "$OUT/build/pvpattern" "$OUT/build/pvxs" "$OUT/build/pvnet" \
	"$OUT/build/pvhostile"
install -m 0755 "$LAB/dom0/init" "$D/init"
install -m 0755 "$LAB/dom0/run-scenarios" "$P/run-scenarios"
install -m 0755 "$LAB/dom0/host2-serve" "$P/host2-serve"
install -m 0644 "$LAB/dom0/profile" "$D/etc/profile"
cp "$TOP"/tools/testing/selftests/*.sh "$TOP"/tools/testing/selftests/*.awk "$P/selftests/"
# The documentation, for the doc-examples scenario (it runs its console examples).
mkdir -p "$P/doc"
for f in "$TOP"/Documentation/*.md; do [ -f "$f" ] && cp "$f" "$P/doc/"; done

# Our modules: every top-level .ko except the KUnit ones.
nko=0
for ko in "$(lab_ko_dir)"/*.ko; do
	[ -f "$ko" ] || continue
	case $ko in *_test.ko) continue ;; esac
	vm=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
	[ "$vm" = "$KABI" ] || lab_log "warning: ${ko##*/} is built for '$vm', the lab runs $KABI"
	install -m 0644 "$ko" "$P/modules/"
	nko=$((nko + 1))
done
[ "$nko" -gt 0 ] || lab_log "note: no *.ko in $(lab_ko_dir) (run 'make'); the image has no pvback modules"

# udev rules and their helper where the packages put them (udevd runs only when a scenario
# starts it).
for f in "$TOP"/userspace/udev/*; do
	[ -f "$f" ] || continue
	case $f in
	*.rules) install -D -m 0644 "$f" "$D/usr/lib/udev/rules.d/${f##*/}" ;;
	*) install -D -m 0755 "$f" "$D/usr/lib/pvback/${f##*/}" ;;
	esac
done

# pvbackctl, built on the host against Debian's libxenstore (the base layer has the library).
if [ -f "$TOP/userspace/pvbackctl/Makefile" ]; then
	make -s -C "$TOP/userspace/pvbackctl" PVBACK_VERSION="$(cat "$TOP/VERSION")" >&2 ||
		lab_die "pvbackctl does not build (make -C userspace/pvbackctl)"
	install -D -m 0755 "$TOP/userspace/pvbackctl/pvbackctl" "$D/usr/sbin/pvbackctl"
fi

# The packages, when "make deb" made them (selftest.sh does for the dkms scenario).
for f in "$TOP"/out/deb/pvback-*.deb; do
	[ -f "$f" ] && install -D -m 0644 "$f" "$P/debs/${f##*/}"
done

# The module autoload configuration, where scenarios find it (not active by default).
for f in "$TOP"/userspace/modprobe.d/*.conf; do
	[ -f "$f" ] && install -D -m 0644 "$f" "$P/modprobe.d/${f##*/}"
done

# Our hotplug scripts next to Xen's (they source block-common.sh from the same directory).
for f in "$TOP"/userspace/hotplug/*; do
	[ -f "$f" ] || continue
	install -m 0755 "$f" "$D/etc/xen/scripts/${f##*/}"
done
# The VM server's definitions are the shipped examples; the lab's own guest (a whole-disk vbd,
# which would collide with every region) lives apart, in /etc/xen/lab.
for f in "$TOP"/userspace/examples/vm/*; do [ -f "$f" ] && install -D -m 0644 "$f" "$D/etc/xen/vm/${f##*/}"; done
for f in "$LAB"/vm/*; do [ -f "$f" ] && install -D -m 0644 "$f" "$D/etc/xen/lab/${f##*/}"; done
{
	echo "PVTEST_DIST=$DIST"
	echo "PVTEST_KABI=$KABI"
	echo "PVTEST_XEN_SERIES=$XEN_SERIES"
	if [ -n "$OTHER" ]; then
		echo "PVTEST_GUEST_OTHER_DIST=$(cat "$OTHER/dist")"
		echo "PVTEST_GUEST_OTHER_KABI=$(cat "$OTHER/kabi")"
	fi
} >"$D/etc/pvtest/image.conf"
cp "$LABC/versions" "$D/etc/pvtest/versions"
mkcpio "$D" "$OUT/build/dom0-run.cpio.gz"

cat "$BASE/dom0.cpio.gz" "$OUT/build/dom0-run.cpio.gz" >"$OUT/images/dom0.cpio.gz.tmp"
mv "$OUT/images/dom0.cpio.gz.tmp" "$OUT/images/dom0.cpio.gz"
# perf for the profiles of "PVTEST_BENCH_PERF=1 make bench", kept out of every other boot.
if [ -n "${PVTEST_BENCH_PERF:-}" ]; then
	pv=$(dpkg-query -W -f='${Version}' linux-perf 2>/dev/null) ||
		lab_die "PVTEST_BENCH_PERF needs the host's linux-perf: run 'make deps'"
	PERFC=$LABC/perf-$pv.cpio.gz
	if [ ! -f "$PERFC" ]; then
		lab_log "building the perf layer (linux-perf $pv)"
		S=$OUT/build/perf
		rm -rf "$S"
		# Libraries land under usr/ through merged-/usr links that stay out of the layer.
		mkdir -p "$S/usr/lib" "$S/usr/lib64" "$S/usr/bin"
		for l in lib lib64 bin; do ln -s "usr/$l" "$S/$l"; done
		add_bin "$S" "$(PATH=/usr/bin:/usr/sbin type -P perf)" /usr/bin/perf
		rm "$S/lib" "$S/lib64" "$S/bin"
		mkcpio "$S" "$PERFC.tmp"
		rm -rf "$S"
		mv "$PERFC.tmp" "$PERFC"
	fi
	ln -sfn "$PERFC" "$OUT/images/perf.cpio.gz"
fi
ln -sfn "$LABC/xen.elf" "$OUT/images/xen.elf"
ln -sfn "$LABC/vmlinuz" "$OUT/images/vmlinuz"
lab_log "images ready in $OUT/images (Debian $DIST, Xen $XEN_SERIES, kernel $KABI, $(du -h "$OUT/images/dom0.cpio.gz" | cut -f1) dom0 initramfs, $nko pvback module(s), $(lab_since "$started") s)"
