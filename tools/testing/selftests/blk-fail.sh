#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-fail: the backing device fails under a guest's I/O. A region of a device-mapper device
# over the server's disk serves a guest; while the guest writes, the device's table is
# switched to "error", so requests in flight and new ones fail. The guest gets I/O errors,
# pvblkback counts them (io_err), dom0 logs no kernel trouble; once the table is linear
# again the guest's writes and reads work, and the guest goes away cleanly.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=fail DM=pvfail
START=$(to_bytes 460G) SIZE=$(to_bytes 256M) M=$((1 << 20))
TABLE="0 $((SIZE / 512)) linear $PVTEST_DISK $((START / 512))"
cleanup() {
	guest_destroy $G >/dev/null 2>&1 || true
	dmsetup remove $DM >/dev/null 2>&1 || true
	pvtest_cleanup >/dev/null 2>&1
}
trap cleanup EXIT
# dm_switch TABLE: the device's new table, with I/O in flight.
dm_switch() {
	dmsetup suspend --noflush $DM &&
		dmsetup load $DM --table "$1" &&
		dmsetup resume $DM
}
require_pvblkback
command -v dmsetup >/dev/null || tap_bail "no dmsetup in dom0 (tools/testing/lab/build.sh)"
tap_plan 9

# No udevd in dom0: libdevmapper makes /dev/mapper nodes itself.
export DM_DISABLE_UDEV=1
modprobe dm-mod || true
if ! dmsetup create $DM --table "$TABLE" || ! dmsetup mknodes $DM || [ ! -b /dev/mapper/$DM ]; then
	tap_bail "dmsetup create $DM (and its /dev/mapper node)"
fi
k0=$(kern_mark)
cfg=$(guest_cfg $G --disk "$(region_spec xvda 0 64M rw /dev/mapper/$DM)")
guest_create $G "$cfg" || tap_bail "guest $G did not start"
d=$(guest_domid $G)
tap_run "the guest writes and reads back 4 MiB on a region of /dev/mapper/$DM" \
	guest_run $G "pvpattern write /dev/xvda 0 4M 61 && pvpattern verify /dev/xvda 0 4M 61" || true

# Writes in a loop (errors or not) while the device fails underneath.
err0=$(vbd_attr "$d" xvda statistics/io_err) wr0=$(vbd_attr "$d" xvda statistics/wr_req)
# shellcheck disable=SC2016 # runs in the guest
bg_start w guest_run -t 300 $G 'end=$((SECONDS + 20)); f=0
	while [ $SECONDS -lt $end ]; do
		dd if=/dev/zero of=/dev/xvda bs=1M count=8 seek=8 oflag=direct 2>/dev/null || f=$((f + 1))
	done; echo "$f failed writes"'
# shellcheck disable=SC2016 # evaluated by wait_for
wait_for "[ \$(vbd_attr $d xvda statistics/wr_req) -gt $((wr0 + 20)) ]" 60 || true
dm_switch "0 $((SIZE / 512)) error" || tap_bail "cannot switch $DM to the error target"
if wait_for "[ \$(vbd_attr $d xvda statistics/io_err) -gt $err0 ]" 60; then
	tap_ok "requests fail once the device does: io_err $err0 -> $(vbd_attr "$d" xvda statistics/io_err)"
else
	tap_not_ok "requests fail once the device does" "io_err stays $err0"
fi
out=$(bg_result w 120) || true
if [[ $out =~ ^([0-9]+)\ failed\ writes$ ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]; then
	tap_ok "the guest sees its writes fail ($out)"
else
	tap_not_ok "the guest sees its writes fail" "$out"
fi
tap_run_fails "a direct read fails too" guest_run $G "dd if=/dev/xvda of=/dev/null bs=4k count=1 iflag=direct" ||
	true

dm_switch "$TABLE" || tap_bail "cannot switch $DM back to linear"
tap_run "the device works again: the guest writes and reads back 4 MiB" \
	guest_run $G "pvpattern write /dev/xvda 16M 4M 62 && pvpattern verify /dev/xvda 16M 4M 62" || true
tap_run "dom0 finds that data on the disk" dom0_verify $((START + 16 * M)) 4M 62 $((16 * M)) || true
tap_run "xl destroy; domain and backend gone" guest_destroy $G || true
tap_is "$(kern_trouble "$k0")" "" "no kernel trouble in dom0" || true
tap_run "dmsetup remove $DM (nothing holds it any more)" dmsetup remove $DM || true
