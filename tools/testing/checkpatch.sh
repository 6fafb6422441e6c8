#!/bin/bash
# Run the kernel's checkpatch.pl --strict on pvback's C sources.
# checkpatch comes from Debian's linux-source-6.1, extracted once into
# ~/.cache/pvback/checkpatch/<version>/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "checkpatch: linux-source-6.1 missing; run make deps" >&2; exit 1; }
ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
cache=${PVBACK_CACHE:-$HOME/.cache/pvback}/checkpatch/$ver
if [ ! -x "$cache/scripts/checkpatch.pl" ]; then
	echo "checkpatch: extracting checkpatch.pl from $tarball (once)"
	rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
	tar -xf "$tarball" -C "$cache.tmp" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi

# checkpatch writes a CamelCase cache into the current directory.
cd "$top"
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' 2>/dev/null ||
	find drivers include tools -name '*.[ch]')
[ ${#files[@]} -gt 0 ] || { echo "checkpatch: no files"; exit 0; }
# FILE_PATH_CHANGES/SPDX: not a patch, files outside the tree.  CAMELCASE:
# the kernel's own Xen names (XenbusStateConnected, ...).
# The compatibility header is the one file that reads LINUX_VERSION_CODE, in
# one macro (which checkpatch also takes for a comparison of two constants).
compat=drivers/xen/pvback/pvback_compat.h
cp_run() {
	"$cache/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
		--ignore "FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE$1" -f "${@:2}" 2>&1 |
		grep -E ': (ERROR|WARNING|CHECK):' || true
}
# The fuzzers' stand-ins for kernel headers re-create the kernel's typedefs (uuid_t).
others=() shims=()
for f in "${files[@]}"; do
	case $f in
	"$compat") ;;
	tools/testing/fuzz/include/*) shims+=("$f") ;;
	*) others+=("$f") ;;
	esac
done
out=$(cp_run '' "${others[@]}")$(cp_run ,LINUX_VERSION_CODE,CONSTANT_COMPARISON $compat)
out+=$(cp_run ,NEW_TYPEDEFS "${shims[@]}")
if [ -n "$out" ]; then
	echo "$out"
	echo "checkpatch: $(echo "$out" | wc -l) problems in ${#files[@]} files"
	exit 1
fi
echo "checkpatch: ${#files[@]} files clean"
