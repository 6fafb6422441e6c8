#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pvtest-timeout: 1800
# dkms: the Debian packages, installed the way an administrator does. dom0 mounts a Debian
# root of its own release (tools/testing/lab/dkmsroot.sh: dkms, gcc, the headers of the lab's
# kernel; a second disk, written only in QEMU's snapshot) and runs dpkg -i pvback-dkms and
# pvback-utils in it:
# DKMS builds pvblkback and pvnetback for the running kernel. dom0 loads those modules instead
# of the image's, proves by build ID that they are the ones serving, and runs a VM with a
# region disk and a NIC through them; pvbackctl from pvback-utils lists the VM.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=dkmsvm START=60G SIZE=1G
S=$(to_bytes $START)
MAC=$(net_mac 21 1)
IP=$(guest_ip 21)
R=/mnt/dkmsroot
KVER=$(uname -r)
K=$R/lib/modules/$KVER/updates/dkms

require_pvblkback
require_net
# The root is a virtio disk (boot.sh), whose driver only this scenario loads.
modprobe -a virtio_pci virtio_blk 2>/dev/null || true
wait_for 'findfs LABEL=pvback-dkmsroot' 30 || true
dev=$(findfs LABEL=pvback-dkmsroot 2>/dev/null) ||
	tap_skip_all "no DKMS root disk (selftest.sh attaches one when the dkms scenario is selected)"
ls "$PVTEST_LIB"/debs/pvback-dkms_*.deb "$PVTEST_LIB"/debs/pvback-utils_*.deb >/dev/null 2>&1 ||
	tap_bail "no pvback .debs in the image (make deb)"

undo() {
	pvtest_cleanup
	# The image's own modules again for the scenarios after this one.
	for m in pvblkback pvnetback; do
		if mod_loaded $m; then rmmod $m; fi
	done
	for m in run dev sys proc; do umount "$R/$m"; done
	umount "$R"
	pvtest_cleanup
}
trap 'undo >/dev/null 2>&1' EXIT
tap_plan 11

# build_id_of_loaded MODULE FILE: the loaded module's GNU build ID is the one in FILE.
build_id_matches() {
	local hex
	hex=$(od -An -tx1 -v "/sys/module/$1/notes/.note.gnu.build-id" | tr -d ' \n')
	[ -n "$hex" ] && od -An -tx1 -v "$2" | tr -d ' \n' | grep -q "$hex"
}

# ko NAME: a plain copy of the DKMS-built module NAME (DKMS in Debian 13 installs it
# compressed, NAME.ko.xz), for modinfo, insmod and the build ID; empty when there is none.
ko() {
	local f=$K/$1.ko out=$PVTEST_RUN/dkms-$1.ko
	if [ -f "$f" ]; then
		echo "$f"
	elif [ -f "$f.xz" ] && xzcat "$f.xz" >"$out"; then
		echo "$out"
	elif [ -f "$f.zst" ] && zstdcat "$f.zst" >"$out"; then
		echo "$out"
	elif [ -f "$f.gz" ] && zcat "$f.gz" >"$out"; then
		echo "$out"
	fi
}

install_debs() {
	cp "$PVTEST_LIB"/debs/pvback-*.deb "$R/tmp/"
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive \
		sh -c 'dpkg --force-unsafe-io -i /tmp/pvback-dkms_*.deb /tmp/pvback-utils_*.deb' 2>&1 |
		tail -n 25
	return "${PIPESTATUS[0]}"
}

modprobe -a crc32c_generic ext4 || true
mkdir -p "$R"
if mount -t ext4 "$dev" "$R" && for m in proc sys dev run; do mount --bind "/$m" "$R/$m" || exit 1; done; then
	tap_ok "the Debian root on $dev is mounted at $R, with /proc /sys /dev /run"
else
	tap_bail "cannot mount $dev"
fi
t0=$SECONDS
tap_run_diag "dpkg -i pvback-dkms pvback-utils in it: DKMS builds the modules" install_debs || true
tap_diag "dpkg -i took $((SECONDS - t0))s"
tap_run "dkms status: pvback installed for $KVER" \
	bash -c "chroot $R dkms status pvback | grep -q ', $KVER, x86_64: installed'" || true
BK=$(ko pvblkback) NK=$(ko pvnetback)
tap_diag "DKMS's modules: $(find "$K" -maxdepth 1 -type f -printf '%f ' 2>&1)"
vm=$(modinfo -F vermagic "${BK:-none}" 2>&1 | awk '{ print $1 }')/$(modinfo -F vermagic "${NK:-none}" 2>&1 | awk '{ print $1 }') || true
tap_is "$vm" "$KVER/$KVER" "DKMS built pvblkback and pvnetback for $KVER in updates/dkms" || true

for m in pvblkback pvnetback xen_blkback xen_netback; do
	if mod_loaded $m; then rmmod $m; fi
done
tap_run "insmod the DKMS-built pvblkback and pvnetback" \
	bash -c "insmod $BK && insmod $NK" || true
tap_run "the loaded modules are the DKMS build (GNU build IDs)" \
	bash -c "$(declare -f build_id_matches); build_id_matches pvblkback $BK && build_id_matches pvnetback $NK" || true

cfg=$(guest_cfg $G --disk "$(region_spec xvda $START $SIZE)" --vif "$(net_cfg_vif "$MAC")")
if guest_create $G "$cfg"; then
	tap_ok "xl create with a region disk and a vif"
else
	tap_bail "guest $G did not start"
fi
d=$(guest_domid $G)
tap_is "$(vbd_driver_module "$d" xvda)/$(vif_driver_module "$d" 0)" pvblkback/pvnetback \
	"the vbd and the vif are served by pvblkback and pvnetback" || true
tap_run_diag "the guest's disk and NIC work through the DKMS-built modules" guest_disk_net_ok $G "$d" "$S" 61 "$IP" "$MAC" || true
out=$(chroot "$R" pvbackctl list 2>&1) || true
tap_diag "$out"
tap_run "pvbackctl from pvback-utils lists $G with its region disk" \
	grep -Eq "^ *$d +$G +xvda +/dev/sda +60G +1G +rw +Connected" <<<"$out" || true
tap_run "xl destroy, domain and backend devices gone" guest_destroy $G || true
