#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-ro: a read-only region: the guest reads what dom0 wrote there, its
# writes fail, and the data on the physical disk stays as it was.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=ro
START=$(to_bytes 450G)
trap 'guest_destroy $G >/dev/null 2>&1 || true' EXIT
require_pvblkback
tap_plan 8

pvpattern write "$PVTEST_DISK" "$START" 4M 51 >/dev/null
cfg=$(guest_cfg $G --disk "$(region_spec xvda 450G 1G ro)")
if guest_create $G "$cfg"; then
	tap_ok "xl create with a read-only 1G region at 450G"
else
	tap_bail "guest $G did not start"
fi
d=$(guest_domid $G)
sys=$(vbd_sysfs "$d" xvda)
tap_is "$(cat "$sys/mode")" r "sysfs mode is r" || true
tap_is "$(guest_run $G cat /sys/block/xvda/ro)" 1 "the guest sees a read-only disk" || true
tap_run "the guest reads dom0's data" \
	guest_run $G pvpattern verify /dev/xvda 0 4M 51 --pattern-offset "$START" || true
tap_run_fails "the guest's direct write fails" guest_run $G pvpattern write /dev/xvda 0 4M 52 || true
tap_run_fails "the guest's buffered write + sync fails" \
	guest_run $G "dd if=/dev/zero of=/dev/xvda bs=4k count=16 conv=fsync 2>&1" || true
tap_run "the data on $PVTEST_DISK is unchanged" dom0_verify "$START" 4M 51 "$START" || true
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G
