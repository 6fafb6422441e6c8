#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# blk-lease: pvblkback's lease gate on one server. A region disk attached while its "lease"
# key is not "held" is claimed but never served: the frontend waits, no ring is mapped and the
# guest sees no disk; "held" connects it, "lost" stops serving at once; the guest cannot write
# the key. pvback-lease is replaced by a stand-in that writes the keys a server would while it
# waits for another server's lease (the real one, with sanlock on two servers: lease-hosts).
# /sys/module/pvblkback/parameters/claims lists the claim while it lives.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

G=blklease START=47G SIZE=64M
LEASE=/etc/xen/scripts/pvback-lease
CLAIMS=/sys/module/pvblkback/parameters/claims
SECT=$(($(to_bytes $START) / 512))
require_pvblkback
trap 'guest_destroy $G >/dev/null 2>&1; [ ! -e $LEASE.real ] || mv -f $LEASE.real $LEASE' EXIT
tap_plan 14

# The stand-in: a shared disk whose lease another server holds (a VM moving here).
mv $LEASE $LEASE.real
cat >$LEASE <<'EOF'
#!/bin/bash
# Only xvdb (51728) is on the "shared disk"; the guest's boot disk is not.
case $XENBUS_PATH in */51728) ;; *) exit 3 ;; esac
case $1 in
prepare) xenstore-write "$XENBUS_PATH/lease" claiming ;;
acquire) xenstore-write "$XENBUS_PATH/lease" wait ;;
esac
EOF
chmod 0755 $LEASE

k0=$(kern_mark)
cfg=$(guest_cfg $G --disk "$(region_spec xvda 46G 64M)")
guest_create $G "$cfg" || tap_bail "guest $G did not start"
d=$(guest_domid $G)
v=$(vbd_devid xvdb)
be=/local/domain/0/backend/vbd/$d/$v fe=/local/domain/$d/device/vbd/$v
tap_run_diag "xl block-attach of a region whose lease is not held returns" \
	timeout 120 xl block-attach $G "$(region_spec xvdb $START $SIZE)" || tap_bail "no vbd"
tap_is "$(xenstore-read "$be/region-status")/$(xenstore-read "$be/lease")" claimed/wait \
	"the region is claimed, its lease key says wait" || true
tap_is "$(awk -v d="$d" -v s=$SECT '$5 == d && $2 == s && $3 == 131072 { print $4, $6 }' $CLAIMS)" \
	"rw serving" \
	"$CLAIMS lists the claim" || true
tap_run "the frontend is ready (Initialised)" wait_for "[ \"\$(xenstore-read $fe/state)\" = 3 ]" 60 ||
	true
# Nothing to wait for: the gate holds as long as the key says so; a few seconds show it.
psleep 3
tap_is "$(xenstore-read "$be/state")/$(vbd_attr "$d" xvdb nr_rings)" 2/0 \
	"not served: the backend stays in InitWait, no ring mapped" || true
tap_run "the guest sees no xvdb" guest_run $G "[ ! -b /dev/xvdb ]" || true
tap_run "the guest cannot write the lease key" guest_run $G "! pvxs write $be/lease held" || true
tap_is "$(xenstore-read "$be/lease")" wait "  ... it still says wait" || true

xenstore-write "$be/lease" held
tap_run "lease held: the backend connects" wait_for "[ \"\$(xenstore-read $be/state)\" = 4 ]" 60 || true
tap_run "the guest reads and writes xvdb" guest_run $G "for i in \$(seq 300); do [ -b /dev/xvdb ] && break; sleep 0.1; done
	pvpattern write /dev/xvdb 0 1M 71 && pvpattern verify /dev/xvdb 0 1M 71" || true

xenstore-write "$be/lease" lost
tap_run "lease lost: the backend stops serving (Closing or Closed)" \
	wait_for "s=\$(xenstore-read $be/state); [ \"\$s\" = 5 ] || [ \"\$s\" = 6 ]" 60 || true
tap_run "dmesg says the lease is lost" \
	wait_for "kern_since $k0 | grep -q \"vbd $d/$v: the region's lease is lost\"" 30 || true
tap_run "xl block-detach" timeout 120 xl block-detach $G xvdb || true
tap_run "the claim is gone from $CLAIMS" \
	wait_for "! awk -v d=$d -v s=$SECT '\$5 == d && \$2 == s { f = 1 } END { exit !f }' $CLAIMS" 60 || true
