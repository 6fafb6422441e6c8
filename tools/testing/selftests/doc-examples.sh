#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# doc-examples: run the examples of Documentation/*.md in dom0 and compare
# their output with what the documentation shows.
#
# An example is a ```console block: a line "# CMD" is run by bash (with
# /etc/xen/scripts on PATH), and the lines up to the next "# " line are the
# expected combined stdout+stderr, compared exactly.
set -u
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

DOCS=${PVTEST_DOCS:-$PVTEST_LIB/doc}
export PATH=/etc/xen/scripts:$PATH

# Emit "CMD<TAB>FILE" records with the expected output in numbered files.
extract() {
	awk -v dir="$1" '
		/^```console/ { inb = 1; next }
		/^```/ { inb = 0; next }
		!inb { next }
		/^# / {
			n++
			out = sprintf("%s/%03d.want", dir, n)
			printf "" > out
			cmd = substr($0, 3)
			printf "%s\t%s\n", out, cmd
			next
		}
		{ print >> out }
	' "$2"
}

work=$(mktemp -d)
docs=("$DOCS"/*.md)
[ -e "${docs[0]}" ] || tap_skip_all "no documentation in $DOCS"

total=0
for d in "${docs[@]}"; do
	mkdir -p "$work/$(basename "$d" .md)"
	extract "$work/$(basename "$d" .md)" "$d" >"$work/$(basename "$d" .md).list"
	total=$((total + $(grep -c . "$work/$(basename "$d" .md).list")))
done
[ "$total" -gt 0 ] || tap_skip_all "no console examples"
tap_plan "$total"

for d in "${docs[@]}"; do
	name=$(basename "$d" .md)
	while IFS=$'\t' read -r want cmd; do
		got=$(bash -c "$cmd" 2>&1)
		if [ "$got" = "$(cat "$want")" ]; then
			tap_ok "$name.md: $cmd"
		else
			tap_not_ok "$name.md: $cmd" "expected:"$'\n'"$(cat "$want")"$'\n'"got:"$'\n'"$got"
		fi
	done <"$work/$name.list"
done
rm -rf "$work"
