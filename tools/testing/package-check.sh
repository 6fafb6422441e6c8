#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# package-check: the installation and the Debian packages of pvback, on the
# host, without root devices, Xen or QEMU (about half a minute).
#
#   tools/testing/package-check.sh [DEBDIR]
#
# Builds "make deb" into a scratch directory (or takes the .debs in DEBDIR)
# and checks: one version everywhere (VERSION, dkms.conf, the changelog, the
# packages, pvbackctl --version); each package's fields, files, conffiles and
# maintainer scripts; that the DKMS source tree builds both modules and
# nothing else; "make install DESTDIR=" then "make uninstall DESTDIR="
# leaving nothing behind; how modprobe resolves xen-backend:vbd/vif with and
# without userspace/modprobe.d/pvback.conf, in a scratch module tree
# (depmod -b, modprobe -d -C); lintian and shellcheck when installed.
# Prints "ok N - ..." / "not ok N - ..." lines, then "N passed, N failed";
# exit status 1 if anything failed.
set -euo pipefail
export LC_ALL=C

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvback-package-check.XXXXXX")
bgpid=
cleanup() {
	[ -z "$bgpid" ] || kill "$bgpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

n=0
passed=0
failed=0
ok() {
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $1"
}
notok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	local line
	[ -n "${2:-}" ] || return 0
	while IFS= read -r line; do echo "#   $line"; done <<<"$2"
}
skip() {
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n - $1 # SKIP $2"
}
# check DESC FUNC [ARGS...]: FUNC prints what is wrong and returns non-zero.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else notok "$desc" "$out"; fi
}

version=$(cat "$top/VERSION")
arch=$(dpkg --print-architecture)
KDIR=${KDIR:-$(make -s -C "$top" --no-print-directory -f - print-kdir <<'EOF'
include Makefile
print-kdir: ; @echo $(KDIR)
EOF
)}
ctl_makefile=$top/userspace/pvbackctl/Makefile
dkmsdeb=
utilsdeb=

# ---------------------------------------------------------------- version
t_version_format() {
	[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "VERSION is '$version'"; return 1; }
}
t_dkms_conf_version() {
	local v
	v=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
	[ "$v" = "$version" ] || { echo "dkms.conf PACKAGE_VERSION=$v, VERSION=$version"; return 1; }
}
t_changelog_version() {
	local v
	v=$(dpkg-parsechangelog -l "$top/userspace/debian/changelog" -S Version 2>/dev/null ||
		sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/userspace/debian/changelog")
	[ "$v" = "$version" ] || { echo "changelog $v, VERSION $version"; return 1; }
}
check "VERSION is X.Y.Z ($version)" t_version_format
check "dkms.conf PACKAGE_VERSION matches VERSION" t_dkms_conf_version
check "userspace/debian/changelog's last entry is VERSION" t_changelog_version

# ---------------------------------------------------------------- make deb
if [ $# -ge 1 ]; then
	debdir=$1 build_debs=0
	msg="using the packages in $debdir"
else
	debdir=$tmp/deb build_debs=1
	msg="make deb"
fi
dkmsdeb=$debdir/pvback-dkms_${version}_all.deb
utilsdeb=$debdir/pvback-utils_${version}_$arch.deb
t_make_deb() {
	local f
	if [ "$build_debs" = 1 ]; then
		make -s -C "$top" --no-print-directory deb DEBOUT="$debdir" || return 1
	fi
	for f in "$dkmsdeb" "$utilsdeb"; do
		[ -f "$f" ] || { echo "missing ${f##*/}"; return 1; }
	done
}
check "$msg: ${dkmsdeb##*/} and ${utilsdeb##*/}" t_make_deb
dkmsx=$tmp/x-dkms
utilsx=$tmp/x-utils
srcdir=/usr/src/pvback-$version

# field DEB NAME EXPECTED: one control field, exactly.
field_is() {
	local got
	got=$(dpkg-deb -f "$1" "$2")
	[ "$got" = "$3" ] || echo "$2: '$got', expected '$3'"
}
# The fields every package has.
common_fields() {
	local deb=$1 pkg=$2 a=$3 section=$4 err=
	err+=$(field_is "$deb" Package "$pkg")
	err+=$(field_is "$deb" Version "$version")
	err+=$(field_is "$deb" Architecture "$a")
	err+=$(field_is "$deb" Maintainer "pvback developers <pvback@localhost>")
	err+=$(field_is "$deb" Section "$section")
	err+=$(field_is "$deb" Priority optional)
	[ -n "$(dpkg-deb -f "$deb" Installed-Size)" ] || err+="no Installed-Size"$'\n'
	[ "$(dpkg-deb -f "$deb" Description | wc -l)" -ge 3 ] || err+="Description has no long part"$'\n'
	[ -z "$err" ] || { echo "$err"; return 1; }
}
# has_files ROOT PATH...: each PATH is a regular file in ROOT.
has_files() {
	local root=$1 p err=
	shift
	for p; do [ -f "$root$p" ] || err+="missing $p"$'\n'; done
	[ -z "$err" ] || { echo "$err"; return 1; }
}
# relation_has DEB FIELD TEXT: FIELD lists TEXT as one of its items.
relation_has() {
	dpkg-deb -f "$1" "$2" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -qxF "$3" ||
		{ echo "$2 of ${1##*/} lacks '$3': $(dpkg-deb -f "$1" "$2")"; return 1; }
}
# scripts_ok ROOT SCRIPT...: executable, bash -n, version substituted.
scripts_ok() {
	local root=$1 s err=
	shift
	for s; do
		s=$root/DEBIAN/$s
		[ -x "$s" ] || { err+="${s##*/} missing or not executable"$'\n'; continue; }
		bash -n "$s" 2>&1 || err+="${s##*/}: bash -n failed"$'\n'
		! grep -q '@[A-Z_]*@' "$s" || err+="${s##*/}: unsubstituted @...@"$'\n'
	done
	[ -z "$err" ] || { echo "$err"; return 1; }
}

# The checks of the two packages' contents, when there are packages.
package_checks() {
dpkg-deb -R "$dkmsdeb" "$dkmsx"
dpkg-deb -R "$utilsdeb" "$utilsx"

# ---------------------------------------------------------------- pvback-dkms
check "pvback-dkms: control fields" common_fields "$dkmsdeb" pvback-dkms all kernel
check "pvback-dkms: Depends on dkms (>= 3)" relation_has "$dkmsdeb" Depends "dkms (>= 3)"

t_dkms_files() {
	local o err=
	# Kbuild's objects of the two modules, each from a .c in the tree.
	while read -r o; do
		[ -f "$dkmsx$srcdir/${o%.o}.c" ] || err+="missing $srcdir/${o%.o}.c (Kbuild)"$'\n'
	done < <(sed -n '/^pv[a-z]*back-y/,/^$/p' "$top/Kbuild" | grep -o 'drivers/[^ ]*\.o')
	has_files "$dkmsx" "$srcdir/dkms.conf" "$srcdir/Kbuild" "$srcdir/Makefile" \
		"$srcdir/include/uapi/linux/pvback.h" /lib/modprobe.d/pvback.conf \
		/usr/share/doc/pvback-dkms/copyright /usr/share/doc/pvback-dkms/changelog.gz || err+=$'\n'
	# Sources only: no KUnit tests, no build products, nothing in /etc.
	err+=$(cd "$dkmsx" && find . -path ./DEBIAN -prune -o \( -path '*/tests/*' -o -name '*.o' \
		-o -name '*.ko' -o -name '*.cmd' -o -name '*.mod*' -o -path './etc/*' \) -print |
		sed 's/^/unexpected /')
	[ -z "${err//$'\n'/}" ] || { echo "$err"; return 1; }
}
check "pvback-dkms: sources of every Kbuild object, aliases, docs; no tests or build products" t_dkms_files

t_dkms_conf() {
	local c=$dkmsx$srcdir/dkms.conf err=
	grep -qx "PACKAGE_NAME=\"pvback\"" "$c" || err+="PACKAGE_NAME"$'\n'
	grep -qx "PACKAGE_VERSION=\"$version\"" "$c" || err+="PACKAGE_VERSION is not $version"$'\n'
	grep -qx 'BUILT_MODULE_NAME\[0\]="pvblkback"' "$c" || err+="BUILT_MODULE_NAME[0]"$'\n'
	grep -qx 'BUILT_MODULE_NAME\[1\]="pvnetback"' "$c" || err+="BUILT_MODULE_NAME[1]"$'\n'
	[ "$(grep -c '^DEST_MODULE_LOCATION\[[01]\]="/updates/dkms"$' "$c")" = 2 ] || err+="DEST_MODULE_LOCATION"$'\n'
	grep -qx 'AUTOINSTALL="yes"' "$c" || err+="AUTOINSTALL"$'\n'
	grep -q '^MAKE\[0\]=.*CONFIG_KUNIT= ' "$c" || err+="MAKE[0] without CONFIG_KUNIT="$'\n'
	bash -n "$c" || err+="not shell syntax"$'\n'
	cmp -s "$top/userspace/modprobe.d/pvback.conf" "$dkmsx/lib/modprobe.d/pvback.conf" ||
		err+="lib/modprobe.d/pvback.conf differs from userspace/modprobe.d/pvback.conf"$'\n'
	[ -z "$err" ] || { echo "$err"; return 1; }
}
check "pvback-dkms: dkms.conf (version, both modules, /updates/dkms, autoinstall, no KUnit)" t_dkms_conf

t_dkms_scripts() {
	scripts_ok "$dkmsx" postinst prerm || return 1
	if ! grep -q 'dkms add ' "$dkmsx/DEBIAN/postinst" || ! grep -q 'dkms install ' "$dkmsx/DEBIAN/postinst"; then
		echo "postinst does not dkms add/install"
		return 1
	fi
	grep -q 'dkms remove .*--all' "$dkmsx/DEBIAN/prerm" || { echo "prerm does not dkms remove --all"; return 1; }
	[ ! -e "$dkmsx/DEBIAN/conffiles" ] || { echo "unexpected conffiles"; return 1; }
}
check "pvback-dkms: postinst (dkms add/install), prerm (dkms remove --all), no conffiles" t_dkms_scripts

# The DKMS build, as dkms.conf's MAKE runs it, in the background meanwhile.
dkms_build_log=$tmp/dkms-build.log
if [ -n "$KDIR" ] && [ -d "$KDIR" ]; then
	cp -a "$dkmsx$srcdir" "$tmp/dkms-build"
	make -C "$KDIR" M="$tmp/dkms-build" CONFIG_KUNIT= modules >"$dkms_build_log" 2>&1 &
	bgpid=$!
fi

# ---------------------------------------------------------------- pvback-utils
check "pvback-utils: control fields" common_fields "$utilsdeb" pvback-utils "$arch" admin
t_utils_relations() {
	local d err=
	for d in xen-utils-common "libxenstore4 (>= 4.16.0)" "libc6 (>= 2.34)" dmsetup; do
		err+=$(relation_has "$utilsdeb" Depends "$d")
	done
	err+=$(relation_has "$utilsdeb" Recommends pvback-dkms)
	[ -z "$err" ] || { echo "$err"; return 1; }
}
check "pvback-utils: Depends xen-utils-common, libxenstore4, libc6, dmsetup; Recommends pvback-dkms" t_utils_relations

t_utils_files() {
	local f err='' want=(/usr/share/doc/pvback-utils/copyright /usr/share/doc/pvback-utils/changelog.gz)
	for f in "$top"/userspace/hotplug/*; do
		[ -f "$f" ] || continue
		want+=("/etc/xen/scripts/${f##*/}")
		[ -x "$utilsx/etc/xen/scripts/${f##*/}" ] || err+="/etc/xen/scripts/${f##*/} not executable"$'\n'
	done
	for f in "$top"/userspace/udev/*; do
		[ -f "$f" ] || continue
		case $f in
		*.rules) want+=("/lib/udev/rules.d/${f##*/}") ;;
		*.md | *~) ;;
		*)
			want+=("/usr/lib/pvback/${f##*/}")
			[ -x "$utilsx/usr/lib/pvback/${f##*/}" ] || err+="/usr/lib/pvback/${f##*/} not executable"$'\n'
			;;
		esac
	done
	for f in "$top"/userspace/systemd/*.service; do want+=("/lib/systemd/system/${f##*/}"); done
	for f in "$top"/Documentation/*.md; do want+=("/usr/share/doc/pvback-utils/${f##*/}"); done
	for f in "$top"/userspace/examples/vm/*; do want+=("/usr/share/doc/pvback-utils/examples/${f##*/}"); done
	has_files "$utilsx" "${want[@]}" || err+=$'\n'
	[ ! -e "$utilsx/usr/share/pvback/manifest" ] || err+="ships install's manifest"$'\n'
	[ -z "${err//$'\n'/}" ] || { echo "$err"; return 1; }
}
check "pvback-utils: hotplug scripts (0755), udev rules and helpers, systemd unit, docs, examples" t_utils_files

t_utils_conffiles() {
	local want got
	want=$(cd "$utilsx" && find etc -type f | sed 's|^|/|' | sort)
	got=$(sort "$utilsx/DEBIAN/conffiles" 2>/dev/null || true)
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "files in /etc: $want"$'\n'"conffiles: $got"
		return 1
	fi
}
check "pvback-utils: every file in /etc (the hotplug scripts) is a conffile" t_utils_conffiles

t_utils_scripts() {
	scripts_ok "$utilsx" postinst postrm || return 1
	if ! grep -q 'udevadm control --reload' "$utilsx/DEBIAN/postinst" ||
		! grep -q 'udevadm control --reload' "$utilsx/DEBIAN/postrm"; then
		echo "no udevadm reload"
		return 1
	fi
	if ! grep -q 'systemctl --system daemon-reload' "$utilsx/DEBIAN/postinst" ||
		! grep -q 'systemctl --system daemon-reload' "$utilsx/DEBIAN/postrm"; then
		echo "no systemd daemon-reload"
		return 1
	fi
}
check "pvback-utils: postinst and postrm reload udev and systemd" t_utils_scripts

if [ -f "$ctl_makefile" ]; then
	t_ctl_files() {
		has_files "$utilsx" /usr/sbin/pvbackctl /usr/share/man/man8/pvbackctl.8.gz || return 1
		[ -x "$utilsx/usr/sbin/pvbackctl" ] || { echo "pvbackctl not executable"; return 1; }
	}
	check "pvback-utils: /usr/sbin/pvbackctl and its man page" t_ctl_files
	t_ctl_version() {
		local out
		out=$("$utilsx/usr/sbin/pvbackctl" --version 2>&1) || { echo "$out"; return 1; }
		grep -qw -- "${version//./\\.}" <<<"$out" || { echo "--version says: $out"; return 1; }
	}
	check "pvbackctl --version says $version" t_ctl_version
	t_shlibdeps() {
		local need item name ver ours ourver err=
		command -v dpkg-shlibdeps >/dev/null || { echo "no dpkg-shlibdeps"; return 1; }
		mkdir -p "$tmp/shl/debian"
		printf 'Source: pvback\n\nPackage: pvback-utils\nArchitecture: any\n' >"$tmp/shl/debian/control"
		need=$(cd "$tmp/shl" && dpkg-shlibdeps -O "$utilsx/usr/sbin/pvbackctl" 2>&1) || { echo "$need"; return 1; }
		need=${need#shlibs:Depends=}
		ours=$(dpkg-deb -f "$utilsdeb" Depends)
		while read -r item; do
			[ -n "$item" ] || continue
			name=${item%% *}
			ourver=$(tr ',' '\n' <<<"$ours" | sed -n "s/^ *$name (>= \\(.*\\))\$/\\1/p")
			if ! tr ',' '\n' <<<"$ours" | grep -qE "^ *$name( |\$)"; then
				err+="Depends lacks $item"$'\n'
			elif [[ $item =~ \(\>=\ (.*)\) ]]; then
				ver=${BASH_REMATCH[1]}
				[ -n "$ourver" ] && dpkg --compare-versions "$ourver" ge "$ver" ||
					err+="Depends has $name ${ourver:-unversioned}, pvbackctl needs $item"$'\n'
			fi
		done < <(tr ',' '\n' <<<"$need" | sed 's/^ *//')
		[ -z "$err" ] || { echo "$err"; return 1; }
	}
	check "pvback-utils: hand-written Depends cover dpkg-shlibdeps for pvbackctl" t_shlibdeps
else
	skip "pvback-utils: /usr/sbin/pvbackctl and its man page" "no userspace/pvbackctl/Makefile yet"
	skip "pvbackctl --version says $version" "no userspace/pvbackctl/Makefile yet"
	skip "pvback-utils: hand-written Depends cover dpkg-shlibdeps for pvbackctl" "no userspace/pvbackctl/Makefile yet"
fi

if command -v lintian >/dev/null; then
	# The mandated maintainer address has no dot in its domain.
	t_lintian() {
		local out
		out=$(lintian --suppress-tags bogus-mail-host,bogus-mail-host-in-debian-changelog \
			"$dkmsdeb" "$utilsdeb" 2>&1 | grep -v 'running with root privileges' || true)
		! grep -q '^E:' <<<"$out" || { echo "$out"; return 1; }
		[ -z "$out" ] || echo "$out" >&2
	}
	check "lintian: no errors (but the @localhost address)" t_lintian
else
	skip "lintian: no errors (but the @localhost address)" "lintian not installed"
fi
}
have_debs=0
if [ -f "$dkmsdeb" ] && [ -f "$utilsdeb" ]; then
	have_debs=1
	package_checks
else
	notok "package contents, lintian, DKMS build" "no packages to check"
fi

# ---------------------------------------------------------------- install/uninstall
dest=$tmp/dest
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h" 2>/dev/null || true)
t_install() {
	local out f err=
	out=$(make -s -C "$top" --no-print-directory install DESTDIR="$dest" 2>&1) || { echo "$out"; return 1; }
	local want=("/lib/modules/$kver/updates/pvback/pvblkback.ko" "/lib/modules/$kver/updates/pvback/pvnetback.ko"
		/etc/modprobe.d/pvback.conf /usr/share/pvback/manifest)
	for f in "$top"/userspace/hotplug/*; do want+=("/etc/xen/scripts/${f##*/}"); done
	for f in "$top"/userspace/udev/*.rules; do [ -f "$f" ] && want+=("/lib/udev/rules.d/${f##*/}"); done
	for f in "$top"/userspace/systemd/*.service; do want+=("/lib/systemd/system/${f##*/}"); done
	for f in "$top"/Documentation/*.md; do want+=("/usr/share/doc/pvback/${f##*/}"); done
	for f in "$top"/userspace/examples/vm/*; do want+=("/usr/share/doc/pvback/examples/${f##*/}"); done
	[ ! -f "$ctl_makefile" ] || want+=(/usr/sbin/pvbackctl /usr/share/man/man8/pvbackctl.8.gz)
	has_files "$dest" "${want[@]}" || err+=$'\n'
	for f in "$top"/userspace/hotplug/*; do
		[ -x "$dest/etc/xen/scripts/${f##*/}" ] || err+="/etc/xen/scripts/${f##*/} not executable"$'\n'
	done
	err+=$(find "$dest" -name '*_test.ko' | sed 's/^/unexpected /')
	# The manifest lists all that install put down (pvbackctl's Makefile has its own uninstall).
	err+=$(cd "$dest" && find . -type f ! -path ./usr/share/pvback/manifest \
		! -path ./usr/sbin/pvbackctl ! -path ./usr/share/man/man8/pvbackctl.8.gz | sed 's|^\.||' |
		sort | comm -23 - <(sort usr/share/pvback/manifest) | sed 's/^/not in the manifest: /')
	[ -z "${err//$'\n'/}" ] || { echo "$err"; return 1; }
}
t_uninstall() {
	local out left
	out=$(make -s -C "$top" --no-print-directory uninstall DESTDIR="$dest" 2>&1) || { echo "$out"; return 1; }
	left=$(cd "$dest" && find . ! -type d -o -type d -name '*pvback*')
	[ -z "$left" ] || { echo "left behind:"$'\n'"$left"; return 1; }
}
if [ -n "$kver" ]; then
	check "make install DESTDIR=: modules (no *_test.ko), aliases, hotplug, udev, systemd, docs, examples, manifest" t_install
	check "make uninstall DESTDIR=: nothing left behind" t_uninstall
else
	skip "make install DESTDIR=" "no kernel headers (KDIR='$KDIR')"
	skip "make uninstall DESTDIR=" "no kernel headers (KDIR='$KDIR')"
fi

# ---------------------------------------------------------------- modprobe
# A scratch module tree: stand-ins for the in-tree xen-blkback/xen-netback
# (just their .modinfo: name and alias, as in Debian's modules) and our two
# modules as built (or stand-ins when there are none).
mroot=$tmp/modroot
mk=6.1.0-0-pvbackcheck
mdir=$mroot/lib/modules/$mk
fake_module() {
	local out=$1 name=$2 alias=$3
	printf 'static const char m[] __attribute__((section(".modinfo"), used)) =\n\t"name=%s\\0%slicense=GPL\\0vermagic=%s\\0";\n' \
		"$name" "${alias:+alias=$alias\\0}" "$mk" >"$out.c"
	cc -c -o "$out" "$out.c"
}
t_modtree() {
	mkdir -p "$mdir/kernel/drivers/block/xen-blkback" "$mdir/kernel/drivers/net/xen-netback" "$mdir/updates/pvback"
	fake_module "$mdir/kernel/drivers/block/xen-blkback/xen-blkback.ko" xen_blkback xen-backend:vbd
	fake_module "$mdir/kernel/drivers/net/xen-netback/xen-netback.ko" xen_netback xen-backend:vif
	local m
	for m in pvblkback pvnetback; do
		if [ -f "$top/$m.ko" ]; then
			cp "$top/$m.ko" "$mdir/updates/pvback/"
		else
			fake_module "$mdir/updates/pvback/$m.ko" "$m" ""
		fi
	done
	: >"$mdir/modules.order"
	: >"$mdir/modules.builtin"
	: >"$mdir/modules.builtin.modinfo"
	depmod -b "$mroot" "$mk"
	mkdir -p "$tmp/conf-none" "$tmp/conf-pvback" "$tmp/conf-etc"
	cp "$top/userspace/modprobe.d/pvback.conf" "$tmp/conf-pvback/"
	: >"$tmp/conf-etc/pvback.conf"
}
# resolve CONFDIR... -- NAME: the modules modprobe would load for NAME.
resolve() {
	local args=()
	while [ "$1" != -- ]; do
		args+=(-C "$1")
		shift
	done
	modprobe --show-depends -d "$mroot" -S "$mk" "${args[@]}" "$2" 2>/dev/null |
		sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p' | sort | tr '\n' ' ' | sed 's/ $//'
}
# expect MODULES CONFDIR... -- NAME
expect() {
	local expected=$1 got
	shift
	got=$(resolve "$@")
	[ "$got" = "$expected" ] || { echo "modprobe ${*: -1} -> '$got', expected '$expected'"; return 1; }
}
t_without() {
	local vbd vif
	vbd=$(resolve "$tmp/conf-none" -- xen-backend:vbd)
	vif=$(resolve "$tmp/conf-none" -- xen-backend:vif)
	# Ours may declare the alias too (then modprobe tries both); the
	# in-tree module must be among them.
	if [[ " $vbd " != *" xen-blkback "* ]] || [[ " $vif " != *" xen-netback "* ]]; then
		echo "without pvback.conf: vbd -> '$vbd', vif -> '$vif'"
		return 1
	fi
}
t_with() {
	expect pvblkback "$tmp/conf-pvback" -- xen-backend:vbd && expect pvnetback "$tmp/conf-pvback" -- xen-backend:vif
}
t_byname() {
	expect xen-blkback "$tmp/conf-pvback" -- xen-blkback && expect xen-netback "$tmp/conf-pvback" -- xen-netback
}
t_missing() {
	mv "$mdir/updates/pvback/pvblkback.ko" "$tmp/"
	depmod -b "$mroot" "$mk"
	local rc=0
	expect "" "$tmp/conf-pvback" -- xen-backend:vbd || rc=1
	mv "$tmp/pvblkback.ko" "$mdir/updates/pvback/"
	depmod -b "$mroot" "$mk"
	return $rc
}
t_override() {
	local got
	got=$(resolve "$tmp/conf-etc" "$tmp/conf-pvback" -- xen-backend:vbd)
	[[ " $got " == *" xen-blkback "* ]] || { echo "empty /etc file + /lib file: vbd -> '$got'"; return 1; }
}
if command -v modprobe >/dev/null && command -v depmod >/dev/null && command -v cc >/dev/null &&
	out=$(t_modtree 2>&1); then
	check "modprobe, without pvback.conf: xen-backend:vbd/vif resolve to xen-blkback/xen-netback" t_without
	check "modprobe, with pvback.conf: xen-backend:vbd/vif resolve to pvblkback/pvnetback only" t_with
	check "modprobe, with pvback.conf: xen-blkback/xen-netback by name still load (the way back)" t_byname
	check "modprobe, with pvback.conf but no pvblkback: nothing, not xen-blkback (why the aliases go with the modules)" t_missing
	check "modprobe: an empty /etc/modprobe.d/pvback.conf overrides /lib/modprobe.d/pvback.conf" t_override
else
	notok "modprobe: scratch module tree (depmod -b)" "${out:-modprobe, depmod or cc missing}"
fi

# ---------------------------------------------------------------- DKMS build
t_dkms_build() {
	local kos
	[ "$1" -eq 0 ] || { tail -n 20 "$dkms_build_log"; return 1; }
	kos=$(cd "$tmp/dkms-build" && find . -name '*.ko' | sort | tr '\n' ' ')
	[ "$kos" = "./pvblkback.ko ./pvnetback.ko " ] || { echo "built: $kos"; return 1; }
}
if [ "$have_debs" = 0 ]; then
	: # counted with the package contents above
elif [ -n "$bgpid" ]; then
	rc=0
	wait "$bgpid" || rc=$?
	bgpid=
	check "the DKMS source tree builds pvblkback.ko and pvnetback.ko only (make M= CONFIG_KUNIT=)" t_dkms_build "$rc"
else
	skip "the DKMS source tree builds" "no kernel headers (KDIR='$KDIR')"
fi

# ---------------------------------------------------------------- shellcheck
if command -v shellcheck >/dev/null; then
	t_shellcheck() {
		shellcheck -s bash "$top/tools/testing/package-check.sh" "$top/userspace/debian/mkdeb.sh" \
			"$top"/userspace/debian/*.postinst "$top"/userspace/debian/*.prerm "$top"/userspace/debian/*.postrm
	}
	check "shellcheck: package-check.sh, mkdeb.sh, maintainer scripts" t_shellcheck
else
	skip "shellcheck: package-check.sh, mkdeb.sh, maintainer scripts" "shellcheck not installed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
