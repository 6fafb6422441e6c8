#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-multi: three guests at once, each on its own 8 GiB region of the same disk, each writing
# its own pattern at the same time. Every guest reads back only its own data, dom0 finds each
# at its region, the gaps between the regions stay zero: no cross-talk.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

GS=(multi1 multi2 multi3)
STARTS=(40G 50G 60G)
SIZE=8G Z=$(to_bytes 8G) M=$((1 << 20))
offs=(0 $((Z / 2)) $((Z - 4 * M)))
require_pvblkback
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
tap_plan 22

for i in 0 1 2; do
	cfg=$(guest_cfg "${GS[i]}" --disk "$(region_spec xvda "${STARTS[i]}" $SIZE)")
	if guest_create "${GS[i]}" "$cfg"; then
		tap_ok "xl create ${GS[i]} with $SIZE at ${STARTS[i]}"
	else
		tap_bail "guest ${GS[i]} did not start"
	fi
done
for i in 0 1 2; do
	d=$(guest_domid "${GS[i]}")
	tap_is "$(vbd_attr "$d" xvda region) $(guest_run "${GS[i]}" cat /sys/block/xvda/size)" \
		"$(($(to_bytes "${STARTS[i]}") / 512)) $((Z / 512)) $((Z / 512))" \
		"${GS[i]}: region and disk size" || true
done

# All three write at once: 4 MiB at the start, middle and end of each disk, own seed.
writes() {
	local seed=$1 cmd='' o
	for o in "${offs[@]}"; do
		cmd+="pvpattern write /dev/xvda $o $((4 * M)) $seed && pvpattern verify /dev/xvda $o $((4 * M)) $seed && "
	done
	echo "${cmd}true"
}
pids=()
for i in 0 1 2; do
	guest_run -t 300 "${GS[i]}" "$(writes $((70 + i)))" >"$PVTEST_RUN/multi.$i" 2>&1 &
	pids+=($!)
done
for i in 0 1 2; do
	if wait "${pids[i]}"; then
		tap_ok "${GS[i]} writes and verifies its pattern while the others write"
	else
		tap_not_ok "${GS[i]} writes and verifies its pattern while the others write" "$(cat "$PVTEST_RUN/multi.$i")"
	fi
done
for i in 0 1 2; do
	cmd=''
	for o in "${offs[@]}"; do cmd+="pvpattern verify /dev/xvda $o $((4 * M)) $((70 + i)) && "; done
	tap_run "${GS[i]} still reads its own data after all writes" guest_run "${GS[i]}" "${cmd}true" || true
done
for i in 0 1 2; do
	ok=1 out=
	for o in "${offs[@]}"; do
		out+=$(dom0_verify $(($(to_bytes "${STARTS[i]}") + o)) $((4 * M)) $((70 + i)) "$o" 2>&1)$'\n' || ok=0
	done
	if [ $ok = 1 ]; then
		tap_ok "dom0 finds ${GS[i]}'s data at ${STARTS[i]} + offset"
	else
		tap_not_ok "dom0 finds ${GS[i]}'s data at ${STARTS[i]} + offset" "$out"
	fi
done
for i in 0 1 2; do
	e=$(($(to_bytes "${STARTS[i]}") + Z))
	tap_run "the 1 MiB after ${GS[i]}'s region is untouched" pvpattern zero-check "$PVTEST_DISK" $e $M || true
done
for i in 0 1 2; do
	tap_run "xl destroy ${GS[i]}" guest_destroy "${GS[i]}" || true
done
tap_is "$(backend_devices | tr '\n' ' ')" "" "no backend device left" || true
