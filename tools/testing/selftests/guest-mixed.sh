#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest-mixed: a guest running the other Debian release's kernel, hence its blkfront and
# netfront (Debian 13's 6.12 against a Debian 12 dom0, Debian 12's 6.1 against a Debian 13
# one; build.sh adds that kernel when this scenario runs). What each frontend negotiated is
# shown and checked against what the backends offer (ring order, queues, indirect segments,
# persistent grants); then verified I/O with many requests in flight, its data at the region's
# place in dom0 and nothing outside it touched, and checked TCP both ways with the peer.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=mixed START=80G SIZE=4G
S=$(to_bytes $START) Z=$(to_bytes $SIZE) M=$((1 << 20))
MAC=$(net_mac 23 1)
IP=$(guest_ip 23)
LEN=$((16 << 20))
OTHER=$PVTEST_LIB/guest/other/vmlinux

# shellcheck disable=SC1091 # PVTEST_GUEST_OTHER_* (build.sh)
. /etc/pvtest/image.conf
[ -f "$OTHER" ] ||
	tap_skip_all "no guest kernel of the other Debian release in the image (selftest.sh adds it for this scenario)"
require_pvblkback
require_net
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
tap_plan 17

cfg=$(PVTEST_GUEST_KERNEL=$OTHER guest_cfg $G --memory 256 --vcpus 2 \
	--disk "$(region_spec xvda $START $SIZE)" --vif "$(net_cfg_vif "$MAC")")
if guest_create $G "$cfg"; then
	tap_ok "xl create of a guest with Debian $PVTEST_GUEST_OTHER_DIST's kernel, a region disk and a vif"
else
	tap_bail "guest $G did not start"
fi
d=$(guest_domid $G)
tap_is "$(guest_run $G uname -r)" "$PVTEST_GUEST_OTHER_KABI" \
	"the guest runs $PVTEST_GUEST_OTHER_KABI, dom0 $(uname -r)" || true

# ---- the disk
fe=/local/domain/$d/device/vbd/$(vbd_devid xvda)
be=/local/domain/0/backend/vbd/$d/$(vbd_devid xvda)
tap_is "$(vbd_driver_module "$d" xvda)/$(pvxs read "$be/state")" pvblkback/4 \
	"vbd served by pvblkback, Connected" || true
tap_diag "blkfront's keys:"$'\n'"$(xenstore-ls -f "$fe" 2>&1)"
tap_diag "pvblkback's keys:"$'\n'"$(xenstore-ls -f "$be" 2>&1)"
# What the frontend chose must be within what the backend offered.
fq=$(pvxs read "$fe/multi-queue-num-queues" 2>/dev/null || echo 1)
bq=$(pvxs read "$be/multi-queue-max-queues" 2>/dev/null || echo 1)
fo=$(pvxs read "$fe/ring-page-order" 2>/dev/null || echo 0)
bo=$(pvxs read "$be/max-ring-page-order" 2>/dev/null || echo 0)
if [ "$fq" -ge 1 ] && [ "$fq" -le "$bq" ] && [ "$fo" -le "$bo" ]; then
	tap_ok "blkfront uses $fq of $bq queues and ring order $fo of $bo"
else
	tap_not_ok "blkfront uses $fq of $bq queues and ring order $fo of $bo"
fi
fp=$(pvxs read "$fe/feature-persistent" 2>/dev/null || echo 0)
bp=$(pvxs read "$be/feature-persistent" 2>/dev/null || echo 0)
pg=$(vbd_attr "$d" xvda persistent_grants || echo '?')
# pvblkback keeps grants mapped only when both sides offered it (sysfs: a count, else "off").
if { [ "$fp/$bp" = 1/1 ] && [ "$pg" != off ] && [ "$pg" != '?' ]; } ||
	{ [ "$fp/$bp" != 1/1 ] && [ "$pg" = off ]; }; then
	tap_ok "persistent grants: frontend $fp, backend $bp, pvblkback keeps: $pg"
else
	tap_not_ok "persistent grants: frontend $fp, backend $bp, but pvblkback keeps: $pg"
fi
tap_is "$(guest_run $G cat /sys/block/xvda/size)" $((Z / 512)) "the guest sees exactly $SIZE" || true
ind=$(guest_run $G cat /sys/block/xvda/queue/max_segments 2>/dev/null || echo '?')
tap_diag "the guest's xvda takes up to $ind segments a request"

# fio with verification: 64 MiB of random writes of 4-256 KiB, 32 in flight, then read and
# checked (multi-segment and indirect requests, as this kernel's blkfront makes them).
tap_run "fio: 64 MiB random writes of 4-256 KiB, 32 in flight, verified" \
	guest_run -t 900 $G "fio --name=mixed --filename=/dev/xvda --direct=1 --ioengine=libaio" \
	"--rw=randwrite --bsrange=4k-256k --iodepth=32 --size=64m --offset=$((8 * M))" \
	"--verify=crc32c --verify_fatal=1 --randrepeat=1 >/tmp/fio.out 2>&1 ||" \
	"{ tail -n 20 /tmp/fio.out; exit 1; }" || true
offs=(0 $((Z - M)))
seeds=(41 42)
for i in 0 1; do
	tap_run "guest writes and reads back 1 MiB at offset ${offs[i]} of xvda" \
		guest_run $G "pvpattern write /dev/xvda ${offs[i]} $M ${seeds[i]} &&" \
		"pvpattern verify /dev/xvda ${offs[i]} $M ${seeds[i]}" || true
done
tap_run "dom0 finds both at region start + offset" \
	eval "dom0_verify $((S + offs[0])) $M ${seeds[0]} ${offs[0]} && dom0_verify $((S + offs[1])) $M ${seeds[1]} ${offs[1]}" ||
	true
tap_run "the 64 KiB on either side of the region are untouched" \
	eval "pvpattern zero-check $PVTEST_DISK $((S - 65536)) 65536 && pvpattern zero-check $PVTEST_DISK $((S + Z)) 65536" ||
	true

# ---- the NIC
vif=$(vif_name "$d" 0)
nfe=/local/domain/$d/device/vif/0
nbe=/local/domain/0/backend/vif/$d/0
tap_is "$(vif_driver_module "$d" 0)/$(pvxs read "$nbe/state")" "$(net_backend_wanted)/4" \
	"vif served by $(net_backend_wanted), Connected" || true
tap_diag "netfront's keys:"$'\n'"$(xenstore-ls -f "$nfe" 2>&1)"
nq=$(pvxs read "$nfe/multi-queue-num-queues" 2>/dev/null || echo 1)
nbq=$(pvxs read "$nbe/multi-queue-max-queues" 2>/dev/null || echo 1)
if [ "$nq" -ge 1 ] && [ "$nq" -le "$nbq" ] && [ -d "/sys/class/net/$vif" ]; then
	tap_ok "netfront uses $nq of $nbq queues; $vif exists"
else
	tap_not_ok "netfront uses $nq of $nbq queues ($vif exists: $([ -d "/sys/class/net/$vif" ] && echo yes || echo no))"
fi
if out=$(guest_net_up $G "$IP" "$MAC"); then
	tap_ok "the guest's $out ($MAC) has $IP and a carrier"
else
	tap_bail "guest network: $out"
fi
tap_run_diag "16 MiB guest -> peer over TCP, every byte checked" net_tcp $G peer 5031 51 $LEN || true
tap_run_diag "16 MiB peer -> guest over TCP, every byte checked" net_tcp peer $G 5032 52 $LEN || true

tap_run "xl destroy, domain and backend devices gone" guest_destroy $G
