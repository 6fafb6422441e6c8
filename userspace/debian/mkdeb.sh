#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build pvback-dkms_<ver>_all.deb and pvback-utils_<ver>_<arch>.deb
# with dpkg-deb from staging trees, no debhelper.  <ver> is the VERSION file
# at the top (a native package: no Debian revision).
#
#   userspace/debian/mkdeb.sh [OUTDIR]     (default: out/deb at the top)
#
# The trees come from the top Makefile: "make dkms-source" for the module
# sources, "make install-userspace" for the rest (so pvbackctl is built and
# installed by its own Makefile).  SOURCE_DATE_EPOCH (default: the date of
# the changelog entry) sets every mtime, so a rebuild gives the same files.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/out/deb}
version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)

die() {
	echo "mkdeb: error: $*" >&2
	exit 1
}

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION '$version' is not X.Y.Z"
clversion=$(sed -n '1s/^pvback (\([^)]*\)).*/\1/p' "$here/changelog")
[ "$clversion" = "$version" ] ||
	die "userspace/debian/changelog starts at $clversion, VERSION says $version: add an entry"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(date -d "$(sed -n '0,/^ -- .*>  /s/^ -- .*>  //p' "$here/changelog")" +%s)
fi
export SOURCE_DATE_EPOCH

stage=$(mktemp -d "${TMPDIR:-/tmp}/pvback-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
# An output directory inside the repository ignores itself.
case $out/ in "$top"/*) [ -e "$top/out/.gitignore" ] || { mkdir -p "$top/out" && echo '*' >"$top/out/.gitignore"; } ;; esac

# Files every package has: copyright and the (native) changelog.
add_docs() {
	local root=$1 pkg=$2 doc=$1/usr/share/doc/$2

	install -d "$doc"
	install -m 0644 "$here/copyright" "$doc/copyright"
	gzip -9n <"$here/changelog" >"$doc/changelog.gz"
}

# finish ROOT PKG: write DEBIAN/ (control, scripts, conffiles, md5sums),
# normalise modes and mtimes, build the .deb into $out.
finish() {
	local root=$1 pkg=$2 a size deb f

	install -d -m 0755 "$root/DEBIAN"
	find "$root" -type d -exec chmod 0755 {} +
	find "$root" -type f ! -perm -0100 -exec chmod 0644 {} +
	find "$root" -type f -perm -0100 -exec chmod 0755 {} +
	for f in postinst prerm postrm preinst; do
		[ -f "$here/$pkg.$f" ] || continue
		sed "s/@VERSION@/$version/g" "$here/$pkg.$f" >"$root/DEBIAN/$f"
		chmod 0755 "$root/DEBIAN/$f"
	done
	# Everything under /etc is a conffile, as dh_installdeb would have it.
	if [ -d "$root/etc" ]; then
		(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
	fi
	(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | sort |
		grep -v -x -F -f <(sed 's|^/||' DEBIAN/conffiles 2>/dev/null || true) |
		tr '\n' '\0' | xargs -0 -r md5sum) >"$root/DEBIAN/md5sums"
	size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
	a=$arch
	grep -q '^Architecture: all$' "$here/$pkg.control" && a=all
	sed -e "s/@VERSION@/$version/g" -e "s/@ARCH@/$arch/g" -e "s/@INSTALLED_SIZE@/$size/g" \
		"$here/$pkg.control" >"$root/DEBIAN/control"
	chmod 0644 "$root/DEBIAN"/control "$root/DEBIAN"/md5sums
	find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	deb=$out/${pkg}_${version}_$a.deb
	rm -f "$deb"
	dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
	echo "mkdeb: $deb"
}

# strip_elf ROOT: strip the ELF executables in ROOT as dh_strip would.
strip_elf() {
	local f
	while IFS= read -r -d '' f; do
		if head -c4 "$f" | grep -q 'ELF'; then
			strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
		fi
	done < <(find "$1" -type f -perm -0100 -print0)
}

# pvback-dkms: the module sources for DKMS and the modprobe aliases.  The
# aliases live in /lib/modprobe.d, not /etc: dpkg keeps an /etc conffile
# after "apt remove", and aliases left behind would name modules that are
# gone, so that neither backend would load (package-check.sh shows it).
root=$stage/pvback-dkms
make -s -C "$top" dkms-source DESTDIR="$root" >/dev/null
install -D -m 0644 "$top/userspace/modprobe.d/pvback.conf" "$root/lib/modprobe.d/pvback.conf"
add_docs "$root" pvback-dkms
finish "$root" pvback-dkms

# pvback-utils: everything install-userspace installs, docs in the
# package's own doc directory.  pvbackctl is built afresh from a copy of its
# directory (its Makefile finds the uapi headers at ../../include), with
# Debian's hardening flags, so that neither stale objects of the work tree
# nor the developer's flags end up in the package.
root=$stage/pvback-utils
ctl=
if [ -f "$top/userspace/pvbackctl/Makefile" ]; then
	mkdir -p "$stage/src/userspace"
	cp -a "$top/include" "$stage/src/"
	cp -a "$top/userspace/pvbackctl" "$stage/src/userspace/"
	make -s -C "$stage/src/userspace/pvbackctl" clean >/dev/null
	ctl=$stage/src/userspace/pvbackctl
fi
(
	cd "${ctl:-$top}"
	eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
	make -s -C "$top" install-userspace DESTDIR="$root" PREFIX=/usr \
		DOCDIR=/usr/share/doc/pvback-utils MANIFEST="$stage/utils.manifest" \
		${ctl:+PVBACKCTL_DIR="$ctl"} >/dev/null
)
if [ ! -e "$root/usr/sbin/pvbackctl" ]; then
	echo "mkdeb: warning: pvbackctl was not installed (userspace/pvbackctl/Makefile?); pvback-utils has no pvbackctl" >&2
fi
strip_elf "$root"
add_docs "$root" pvback-utils
finish "$root" pvback-utils
