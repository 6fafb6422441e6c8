# SPDX-License-Identifier: GPL-2.0
# Debian releases other than the host's, from the host's own Debian mirror, without touching
# the host's apt sources (sourced, not run): the lab's Debian 13 dom0, the builds against
# Debian 13's kernel, fio's source package, the DKMS root.
#
#   debian_sources SUITE        one-line apt sources for SUITE, SUITE-updates, SUITE-security
#   debian_aptconf FILE         the host's apt options that reaching the mirror may need
#   debian_apt SUITE CMD ARG... apt-get/apt-cache with a private configuration for SUITE
#   debian_strap SUITE DIR PKGS BASE [DPKGOPT...]
#                               a minimal root of SUITE with PKGS in DIR (mmdebstrap)
#   debian_root SUITE           the lab's Debian root of SUITE (debootstrapped once, cached)
#   debian_headers ROOT         the newest linux-headers-*-amd64 directory name in ROOT
#   debian_make_modules ROOT TOP NAME ARGS...
#                               pvback's modules built in ROOT from a copy of TOP's sources
#
# Needs CACHE (the cache root) and a die function named debian_die or the default below.
# shellcheck shell=bash

declare -F debian_die >/dev/null || debian_die() {
	echo "debian: error: $*" >&2
	exit 1
}
debian_say() { echo "debian: $*" >&2; }

# The Xen series of each supported dom0 release (Debian's xen-utils-<series> packages).
declare -A DEBIAN_XEN=([bookworm]=4.17 [trixie]=4.20)

# The host's Debian mirrors (component main), as one-line sources "deb [signed-by=K] URI S main"
# for S = SUITE, SUITE-updates and SUITE-security, whatever suites the host's own entries name:
# a mirror serving the host's bookworm serves trixie too. One-line and deb822 files are read.
debian_sources() {
	local suite=$1 f files=()
	[ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v suite="$suite" '
	# Debian suites: a codename, maybe with -updates or -security ("bookworm-security").
	function kind(s) {
		if (s ~ /^[a-z]+-security$/) return "-security"
		if (s ~ /^[a-z]+-updates$/) return "-updates"
		if (s ~ /^[a-z]+$/ && s != "nodistro") return ""
		return "x"
	}
	function has_main(comps, n, c, i) {
		n = split(comps, c, " ")
		for (i = 1; i <= n; i++) if (c[i] == "main") return 1
		return 0
	}
	function emit(opts, uri, s, k) {
		k = kind(s)
		if (k == "x") return
		line = "deb " (opts != "" ? "[" opts "] " : "") uri " " suite k " main"
		if (!(line in seen)) { seen[line] = 1; print line }
	}
	function flush(nt, t, nu, u, ns, s, i, j, isdeb) {
		if (!stanza) return
		stanza = 0
		if (tolower(f["enabled"]) == "no" || !has_main(f["components"])) return
		nt = split(f["types"], t, " ")
		for (i = 1; i <= nt; i++) if (t[i] == "deb") isdeb = 1
		if (!isdeb) return
		nu = split(f["uris"], u, " ")
		ns = split(f["suites"], s, " ")
		for (i = 1; i <= nu; i++)
			for (j = 1; j <= ns; j++)
				emit(f["signed-by"] ~ /^\// ? "signed-by=" f["signed-by"] : "", u[i], s[j])
	}
	FNR == 1 { flush(); delete f; deb822 = FILENAME ~ /\.sources$/ }
	/^[ \t]*#/ { next }
	deb822 && /^[ \t]*$/ { flush(); delete f; next }
	deb822 && /^[ \t]/ { next }    # continuation lines (inline keys) are not needed
	deb822 && /^[A-Za-z-]+:/ {
		k = tolower(substr($0, 1, index($0, ":") - 1))
		v = substr($0, index($0, ":") + 1)
		gsub(/^[ \t]+|[ \t]+$/, "", v)
		gsub(/[ \t]+/, " ", v)
		f[k] = v
		stanza = 1
		next
	}
	!deb822 && $1 == "deb" {
		opts = ""
		i = 2
		if ($2 ~ /^\[/) {
			# Options: everything up to the closing bracket.
			while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ }
			opts = opts " " $i
			i++
			gsub(/^ *\[ *| *\] *$/, "", opts)
		}
		uri = $i; s = $(i + 1)
		comps = ""
		for (j = i + 2; j <= NF; j++) comps = comps " " $j
		if (has_main(comps)) emit(opts, uri, s)
	}
	END { flush() }
	' "${files[@]}"
}

# What of the host's apt configuration a private apt or mmdebstrap (which read neither
# apt.conf.d) needs to reach the mirror: proxies, no Valid-Until check for a snapshot mirror.
debian_aptconf() {
	apt-config dump |
		grep -E '^Acquire::(Check-Valid-Until|Check-Date|Retries|ForceIPv4|https?::Proxy)( |::)' \
			>"$1" || true
}

# debian_apt SUITE apt-get|apt-cache ARGS...: apt with a configuration of its own under
# $CACHE/apt/SUITE (binary and source indexes of SUITE from the host's mirrors), updated when
# older than a day. "apt-get source --download-only" and "apt-get download" work there as
# root; the host's apt state is never read or written.
debian_apt() {
	local suite=$1 cmd=$2 d=$CACHE/apt/$1 opts m
	shift 2
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/parts" "$d/prefs"
	opts=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
		-o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/prefs"
		-o "Dir::State=$d" -o "Dir::State::Lists=$d/lists" -o "Dir::State::Status=$d/status"
		-o "Dir::Cache=$d" -o "Dir::Cache::Archives=$d/archives"
		-o "Dir::Etc::Parts=$d/parts" -o "APT::Sandbox::User=root"
		-o "Acquire::Languages=none" -o "APT::Architectures=amd64")
	(
		flock 8
		if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
			: >"$d/status"
			debian_aptconf "$d/parts/host.conf"
			debian_sources "$suite" | while read -r m; do
				echo "$m"
				echo "deb-src${m#deb}"
			done >"$d/sources.list"
			[ -s "$d/sources.list" ] || debian_die "no Debian mirror in the host's apt sources"
			debian_say "apt-get update of $suite (private configuration in $d)"
			apt-get "${opts[@]}" -o "Dir::Etc::main=$d/parts/host.conf" -qq update >&2 ||
				debian_die "apt-get update of $suite failed"
		fi
	) 8>"$d/.lock" || exit 1
	# Under the same lock: two runs at once (make kunit beside make selftest) share apt's
	# cache files.
	flock "$d/.lock" "$cmd" "${opts[@]}" -o "Dir::Etc::main=$d/parts/host.conf" "$@"
}

# The packages of the lab's Debian root of SUITE: the dom0 kernel and its headers (the
# modules' build), Xen and its toolstack, and the commands the lab's dom0 carries.
debian_root_pkgs() {
	local x=${DEBIAN_XEN[$1]:?no Xen series known for Debian $1}
	echo "gcc make sparse kmod libc6-dev linux-headers-amd64 linux-image-amd64 dkms" \
		"xen-hypervisor-$x-amd64 xen-utils-$x udev iproute2 procps dmsetup strace iperf3" \
		"bsdextrautils jq diffutils findutils mawk util-linux zlib1g socat sanlock" \
		"qemu-system-xen seabios ipxe-qemu"
}

# debian_strap SUITE DIR PKGS BASE [DPKGOPT...]: a minbase root of SUITE with PKGS (words) in
# DIR (made anew) from the host's mirror, without recommends, docs, man pages or locales, nor
# apt's lists and cache; BASE.apt.conf and BASE.log are its apt options and log. Needs root.
debian_strap() {
	local suite=$1 dir=$2 pkgs=$3 base=$4 m o mirrors=() dpkgopts=()
	shift 4
	for o in "$@"; do dpkgopts+=(--dpkgopt="$o"); done
	mapfile -t mirrors < <(debian_sources "$suite")
	[ ${#mirrors[@]} -gt 0 ] || debian_die "no Debian mirror in the host's apt sources"
	for m in "${mirrors[@]}"; do debian_say "source: $m"; done
	debian_aptconf "$base.apt.conf"
	rm -rf --one-file-system "$dir"
	mkdir -p "$dir"
	mmdebstrap --mode=root --variant=minbase --format=directory --include="${pkgs// /,}" \
		--aptopt='APT::Install-Recommends "false"' --aptopt='Acquire::Languages "none"' \
		--aptopt="$base.apt.conf" \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='force-unsafe-io' \
		"${dpkgopts[@]}" "$suite" "$dir" "${mirrors[@]}" >"$base.log" 2>&1 || {
		tail -n 30 "$base.log" >&2
		rm -rf --one-file-system "$dir"
		debian_die "mmdebstrap $suite failed (log: $base.log)"
	}
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*
}

# debian_root SUITE: print the directory of a Debian SUITE root (mmdebstrap minbase plus
# debian_root_pkgs) from the host's mirror, $CACHE/debroot/SUITE-<kernel version>. Built once,
# then kept; PVBACK_DEBROOT_REBUILD=1 builds it again (for a newer kernel on the mirror).
# Needs root (mmdebstrap --mode=root) and mmdebstrap.
debian_root() {
	local suite=$1 dir=$CACHE/debroot pkgs cur tmp hdr final
	pkgs=$(debian_root_pkgs "$suite")
	[ "$(id -u)" -eq 0 ] || debian_die "a Debian root needs root (mmdebstrap --mode=root)"
	command -v mmdebstrap >/dev/null || debian_die "mmdebstrap missing: run 'make deps'"
	mkdir -p "$dir"
	(
		flock 9
		cur=$dir/$suite
		if [ -z "${PVBACK_DEBROOT_REBUILD:-}" ] && [ -f "$cur/.pvback-pkgs" ] &&
			[ "$(cat "$cur/.pvback-pkgs")" = "$pkgs" ]; then
			exit 0
		fi
		tmp=$dir/.$suite.tmp
		debian_say "building a Debian $suite root (a few minutes, once): $pkgs"
		# No initramfs for the kernel (the lab boots its own): its postinst hooks stay out.
		debian_strap "$suite" "$tmp" "$pkgs" "$dir/.$suite" 'path-exclude=/etc/kernel/postinst.d/*'
		hdr=$(debian_headers "$tmp")
		[ -n "$hdr" ] || debian_die "the $suite root has no linux-headers-*-amd64"
		echo "$pkgs" >"$tmp/.pvback-pkgs"
		final=$dir/$suite-${hdr#linux-headers-}
		rm -rf --one-file-system "$final"
		mv "$tmp" "$final"
		ln -sfn "$(basename "$final")" "$cur.new" && mv -T "$cur.new" "$cur"
		debian_say "$final ready"
		# The root of earlier versions, for the build only (now this one).
		rm -rf --one-file-system "$CACHE/kbuild"
	) 9>"$dir/.$suite.lock" || exit 1
	readlink -f "$dir/$suite"
}

# debian_headers ROOT: the newest kernel headers directory of ROOT/usr/src, in version order
# ("linux-headers-<ABI>"), nothing when there is none.
debian_headers() {
	find "$1/usr/src" -maxdepth 1 -name 'linux-headers-*-amd64' -printf '%f\n' | sort -V |
		tail -n1
}

# debian_make_modules ROOT TOP NAME MAKEARGS...: build pvback's modules inside ROOT against its
# newest headers, from a copy of TOP's sources (no objects of other builds) in ROOT/src/NAME,
# where the .ko files stay; make's output on stdout, its status returned.
debian_make_modules() {
	local root=$1 top=$2 name=$3 hdr
	shift 3
	hdr=$(debian_headers "$root")
	[ -n "$hdr" ] || debian_die "no kernel headers in $root"
	rm -rf "$root/src/$name" && mkdir -p "$root/src/$name"
	(cd "$top" && find Kbuild drivers include \( -name Kbuild -o -name '*.[ch]' \) -print0 |
		tar --null -T - -cf -) | tar -C "$root/src/$name" -xf -
	chroot "$root" make -C "/usr/src/$hdr" M="/src/$name" CONFIG_KUNIT= "$@" modules 2>&1
}
