#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# udev-hotplug: the hotplug path without xl's scripts, and module autoload.
# pvback is installed the way `make install` does it (modules under updates/, modprobe.d alias,
# udev rules); no backend module is loaded and udevd runs in dom0. A guest gets a disk and a NIC
# written into xenstore the way a toolstack does it, without running their scripts (xl, 4.17
# and 4.20 alike, always runs them itself): udev loads pvblkback and pvnetback by alias and
# runs pvback-region and vif-bridge through pvback-udev, and the guest's disk and NIC work.
# Then xl creates a guest with the same devices while udev runs: both run the scripts, the work
# is done once, no error. Removing modprobe.d/pvback.conf gives both device types back to the
# in-tree backends. On the way, pvnetback's parameters are checked at load time and through
# /sys/module.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=udevhp START=40G SIZE=1G
S=$(to_bytes $START)
MAC=$(net_mac 20 1)
IP=$(guest_ip 20)
KVER=$(uname -r)
UPD=/lib/modules/$KVER/updates/pvback
CONF=/etc/modprobe.d/pvback.conf
HPLOG=/var/log/xen/xen-hotplug.log

require_pvblkback
require_net
[ -x /usr/lib/systemd/systemd-udevd ] || tap_bail "no systemd-udevd in the image"
[ -f "$PVTEST_LIB/modprobe.d/pvback.conf" ] || tap_bail "no userspace/modprobe.d/pvback.conf in the image"
[ -f /usr/lib/udev/rules.d/85-pvback.rules ] || tap_bail "no userspace/udev/85-pvback.rules in the image"

undo() {
	pvtest_cleanup
	udevadm control --exit 2>/dev/null || pkill -x systemd-udevd
	rm -rf "$UPD" "$CONF"
	depmod -a
	pvtest_cleanup
}
trap 'undo >/dev/null 2>&1' EXIT
tap_plan 25

# resolve ALIAS: the modules modprobe would load for ALIAS, on one line.
resolve() { modprobe -R "$1" 2>/dev/null | sort | xargs; }

# ---- install, as make install does
mkdir -p "$UPD"
cp "$PVBLKBACK_KO" "$PVNETBACK_KO" "$UPD/"
depmod -a
tap_is "$(resolve xen-backend:vbd)/$(resolve xen-backend:vif)" "xen_blkback/xen_netback" \
	"modules installed but no modprobe.d: the aliases still mean the in-tree backends" || true
mkdir -p "${CONF%/*}"
cp "$PVTEST_LIB/modprobe.d/pvback.conf" "$CONF"
tap_is "$(resolve xen-backend:vbd)/$(resolve xen-backend:vif)" "pvblkback/pvnetback" \
	"with $CONF: xen-backend:vbd -> pvblkback, xen-backend:vif -> pvnetback" || true

# Module parameters: checked when loading (and when written later), visible under /sys/module.
for m in pvblkback pvnetback xen_blkback xen_netback; do
	if mod_loaded $m; then rmmod $m; fi
done
param_refused() {
	! modprobe pvnetback rx_queue_kb=1 2>/dev/null && ! mod_loaded pvnetback &&
		dmesg | tail -n 5 | grep -q 'pvnetback: rx_queue_kb=1: must be a number from 64 to 65536'
}
tap_run "modprobe pvnetback rx_queue_kb=1 fails, and dmesg says the range" param_refused || true
param_set() {
	local f=/sys/module/pvnetback/parameters/rx_queue_kb
	modprobe pvnetback rx_queue_kb=1024 && [ "$(cat $f)" = 1024 ] &&
		! echo 70000 >$f 2>/dev/null && [ "$(cat $f)" = 1024 ] &&
		dmesg | tail -n 5 | grep -q 'pvnetback: rx_queue_kb=70000: must be a number from 64 to 65536$'
}
tap_run "rx_queue_kb=1024 is set and shown in /sys/module; writing 70000 there is refused" param_set || true
if mod_loaded pvnetback; then rmmod pvnetback; fi
tap_run "no backend module is loaded" \
	bash -c '! lsmod | grep -Eq "^(pvblkback|pvnetback|xen_blkback|xen_netback) "' || true

mkdir -p /run/udev
/usr/lib/systemd/systemd-udevd --daemon --resolve-names=never >/dev/null 2>&1 ||
	tap_bail "systemd-udevd does not start"
tap_run "udevd runs with 85-pvback.rules" wait_for 'udevadm control --ping' 30 || true

: >"$HPLOG"

# ---- udev alone: a guest without devices, then a disk and a NIC added the way a toolstack
# does, but nobody runs their scripts
cfg0=$(guest_cfg $G)
if guest_create $G "$cfg0"; then
	tap_ok "xl create without devices: no backend module is needed yet"
else
	tap_bail "guest $G did not start"
fi
d=$(guest_domid $G)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
vbe=/local/domain/0/backend/vif/$d/0
tap_run "backend entries for a region disk and a vif, written without running any script" \
	bash -c ". $PVTEST_LIB/selftests/lib.sh &&
		hand_add_vbd $d xvda /dev/sda,start=$START,size=$SIZE /etc/xen/scripts/pvback-region &&
		hand_add_vif $d 0 $MAC /etc/xen/scripts/vif-bridge" || true
if ! tap_run "udev loaded pvblkback and pvnetback by alias" \
	wait_for 'mod_loaded pvblkback && mod_loaded pvnetback' 120; then
	tap_diag "backend devices: $(echo /sys/bus/xen-backend/devices/*)"
	tap_diag "$(lsmod | grep -E 'back|xen' 2>&1)"
	tap_diag "$(udevadm info -q property -p "/bus/xen-backend/devices/vif-$d-0" 2>&1)"
	tap_diag "$(modprobe -n -v xen-backend:vif 2>&1)"
	tap_diag "$(dmesg | tail -n 25)"
fi
tap_run "and neither in-tree backend" bash -c '! lsmod | grep -Eq "^xen_(blk|net)back "' || true
tap_run "pvback-region ran from udev: the region is claimed" xs_wait "$be/region-status" 60 claimed || true
tap_run "vif-bridge ran from udev: hotplug-status connected" xs_wait "$vbe/hotplug-status" 60 connected || true
tap_run "vif$d.0 is a port of $PVTEST_BRIDGE" wait_for "in_bridge vif$d.0" 30 || true
tap_run_diag "the guest's disk and NIC work" guest_disk_net_ok $G "$d" "$S" 41 "$IP" "$MAC" || guest_console_tail $G 40
tap_run "the hotplug log shows pvback-udev running both scripts" \
	bash -c "grep -q 'pvback-udev.*running pvback-region add' $HPLOG && grep -q 'pvback-udev.*running vif-bridge online' $HPLOG" || true
tap_diag "hotplug log:"$'\n'"$(tail -n 8 "$HPLOG")"
# xl destroy removes only the devices xl made; the hand-made backend entries go the same way.
tap_run "xl destroy, hand-made backend entries removed, backend devices gone" \
	hand_destroy $G "$d" || true
tap_run "vif$d.0 is gone" test ! -e "/sys/class/net/vif$d.0" || true

# ---- xl and udev both: the scripts run once more, harmlessly
: >"$HPLOG"
cfg=$(guest_cfg $G --disk "$(region_spec xvda $START $SIZE)" --vif "$(net_cfg_vif "$MAC")")
if guest_create $G "$cfg"; then
	tap_ok "xl create with a region disk and a vif while udev runs: both run the scripts"
else
	tap_bail "guest $G did not start with xl and udev both running scripts"
fi
d=$(guest_domid $G)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
vbe=/local/domain/0/backend/vif/$d/0
tap_run_diag "the guest's disk and NIC work" guest_disk_net_ok $G "$d" "$S" 41 "$IP" "$MAC" || true
tap_is "$(pvxs read "$be/hotplug-error" 2>/dev/null)$(pvxs read "$vbe/hotplug-error" 2>/dev/null)" "" \
	"no hotplug-error on the vbd or the vif" || true
tap_run "the later run of pvback-region found the work done" \
	grep -Eq 'already done by the toolstack|already set; waiting' "$HPLOG" || true
tap_is "$(grep -c 'pvback-region.*add: claimed' "$HPLOG")" 1 "pvback-region claimed the region once" || true
tap_diag "hotplug log:"$'\n'"$(tail -n 12 "$HPLOG")"
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true

# ---- revert: without pvback.conf the aliases go back to the in-tree modules
rm -f "$CONF"
rmmod pvblkback pvnetback
tap_is "$(resolve xen-backend:vbd)/$(resolve xen-backend:vif)" "xen_blkback/xen_netback" \
	"$CONF removed: the aliases mean the in-tree backends again" || true
tap_run "modprobe xen-backend:vbd now loads xen-blkback" \
	bash -c 'modprobe xen-backend:vbd && modprobe xen-backend:vif && lsmod | grep -q "^xen_blkback " && ! lsmod | grep -q "^pvblkback "' || true
