#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian root for building pvback against another Debian release's kernel: Debian 13's
# 6.12 on a Debian 12 host (whose toolchain is too old for those headers' tools). It is
# mmdebstrap's minbase of SUITE plus gcc, make, sparse, kmod and linux-headers-amd64, from
# the host's own Debian mirror: the URIs of the host's apt sources, the suite changed (the
# host's sources are never touched).
#
#   root.sh SUITE      prints the root's directory, $CACHE/kbuild/SUITE-<headers version>
#
# Built once, then kept: PVBACK_KBUILD_REBUILD=1 builds it again (a newer kernel on the
# mirror). Needs root (mmdebstrap --mode=root) and mmdebstrap (make deps).
set -euo pipefail

SUITE=${1:?usage: root.sh SUITE}
CACHE=${PVBACK_CACHE:-$HOME/.cache/pvback}
DIR=$CACHE/kbuild
PKGS=gcc,make,sparse,kmod,libc6-dev,linux-headers-amd64

say() { echo "kbuild-root: $*" >&2; }
die() {
	say "$*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap --mode=root makes root-owned files)"
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run 'make deps'"
mkdir -p "$DIR"
exec 9>"$DIR/.$SUITE.lock"
flock 9

cur=$DIR/$SUITE
if [ -z "${PVBACK_KBUILD_REBUILD:-}" ] && [ -L "$cur" ] && [ -d "$cur/usr/src" ]; then
	readlink -f "$cur"
	exit 0
fi

# The host's Debian mirrors, as "URI RELEASE" (apt's own parse of its sources).
mirrors=()
# shellcheck disable=SC2016 # $(REPO_URI) is apt's format, not the shell's
while read -r uri rel; do
	case $rel in
	*-security) mirrors+=("deb $uri $SUITE-security main") ;;
	*-updates) mirrors+=("deb $uri $SUITE-updates main") ;;
	*-*) ;;
	*) mirrors+=("deb $uri $SUITE main") ;;
	esac
done < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' |
	sort -u)
[ ${#mirrors[@]} -gt 0 ] || die "no Debian mirror in the host's apt sources"

tmp=$DIR/.$SUITE.tmp
rm -rf --one-file-system "$tmp"
trap 'rm -rf --one-file-system "$tmp"' EXIT
say "building a $SUITE root with $PKGS (a few minutes, once)"
for m in "${mirrors[@]}"; do say "source: $m"; done
# mmdebstrap's apt does not read the host's apt.conf.d: pass on what reaching the mirror may
# take (a proxy, no Valid-Until check for a snapshot mirror).
apt-config dump |
	grep -E '^Acquire::(Check-Valid-Until|Check-Date|Retries|ForceIPv4|https?::Proxy)( |::)' \
		>"$DIR/.$SUITE.apt.conf" || true
mmdebstrap --mode=root --variant=minbase --format=directory --include="$PKGS" \
	--aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Languages "none"' \
	--aptopt="$DIR/.$SUITE.apt.conf" \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"$SUITE" "$tmp" "${mirrors[@]}" >&2 || die "mmdebstrap $SUITE failed"
hdr=$(find "$tmp/usr/src" -maxdepth 1 -name 'linux-headers-*-amd64' -printf '%f\n' | sort -V |
	tail -n1)
[ -n "$hdr" ] || die "the $SUITE root has no linux-headers-*-amd64"
final=$DIR/$SUITE-${hdr#linux-headers-}
rm -rf --one-file-system "$final"
mv "$tmp" "$final"
ln -sfn "$(basename "$final")" "$cur"
say "$final ready"
echo "$final"
