#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ctl: pvbackctl against real VMs. check passes on the shipped definitions and names FILE:LINE
# and the other VM for a definition that collides with one (defined, or running); list shows
# the running VM's vbd (region, mode, state, rings) and vif (bridge, MAC) as sysfs and xenstore
# have them, also as JSON; carve finds a free region, xl block-attach takes it, and the next
# carve moves past it; stats and stats --json count the guest's I/O as sysfs does; top sees a
# guest writing; exit codes follow the conventions.
set -euo pipefail
# shellcheck source=tools/testing/selftests/lib.sh
. "$(dirname "$0")/lib.sh"

VM=vm1 DEF=/etc/xen/vm/vm1
W=$PVTEST_RUN/ctl
require_pvblkback
require_net
command -v pvbackctl >/dev/null || tap_bail "no pvbackctl in the image (userspace/pvbackctl)"
trap 'pvtest_cleanup >/dev/null 2>&1' EXIT
tap_plan 20

# squeeze: collapse runs of blanks, so table rows compare by their cells.
squeeze() { tr -s ' \t' ' ' | sed 's/^ //; s/ $//'; }
# has_row OUTPUT ROW: OUTPUT has a line that starts with ROW (cells compared).
has_row() { squeeze <<<"$1" | grep -qF -- "$2"; }

rm -rf "$W"
mkdir -p "$W/defs" "$W/alone"
cp /etc/xen/vm/vm1 /etc/xen/vm/vm2 "$W/defs/"
# vmx wants 110G..130G of /dev/sda: it collides with vm1 (100G..120G) and vm2 (120G..140G).
cat >"$W/vmx" <<'CFG'
name = "vmx"
type = "pv"
memory = 128
disk = [ 'vdev=xvda, access=rw, script=pvback-region, target=/dev/sda,start=110G,size=20G' ]
CFG

tap_run "pvbackctl --version" bash -c 'pvbackctl --version | grep -Eq "^pvbackctl [0-9]"' || true
out=$(pvbackctl check 2>&1) && rc=0 || rc=$?
tap_diag "$out"
tap_is "$rc: $(tail -n 1 <<<"$out")" "0: OK: 2 definitions, 2 regions checked" \
	"check: the shipped definitions are fine" || true

cp "$W/vmx" "$W/defs/vmx"
out=$(pvbackctl --vm-dir "$W/defs" check 2>&1) && rc=0 || rc=$?
tap_diag "$out"
if [ "$rc" -eq 1 ] && grep -q "defs/vm1:14: error: vm1 xvda: .* overlaps .* of vmx xvda (.*defs/vmx:4)" <<<"$out" &&
	grep -q "defs/vm2:14: error: vm2 xvda: .* overlaps .* of vmx xvda (.*defs/vmx:4)" <<<"$out"; then
	tap_ok "check: vmx colliding with vm1 and vm2: exit 1, each collision at FILE:LINE naming the other VM"
else
	tap_not_ok "check: vmx colliding with vm1 and vm2: exit 1, each collision at FILE:LINE naming the other VM (rc $rc)"
fi
rm "$W/defs/vmx"

if guest_create $VM $DEF; then
	tap_ok "xl create $DEF"
else
	tap_bail "$VM did not start"
fi
d=$(guest_domid $VM)
xs_wait "/local/domain/0/backend/vbd/$d/51712/state" 60 4 || true

out=$(pvbackctl list 2>&1) || true
tap_diag "$out"
tap_run "list: $VM's vbd xvda, /dev/sda at 100G, 20G, rw, Connected, 1 ring, claimed" \
	has_row "$out" "$d $VM xvda /dev/sda 100G 20G rw Connected 1 claimed" || true
tap_run "list: $VM's vif$d.0 on $PVTEST_BRIDGE with 00:16:3e:00:00:01, Connected" \
	has_row "$out" "$d $VM vif$d.0 $PVTEST_BRIDGE 00:16:3e:00:00:01 Connected" || true
tap_run "list: vm2 is defined, not running" has_row "$out" "(not running)" || true
js=$(pvbackctl list --json) || true
tap_is "$(jq -r --arg n $VM '.domains[] | select(.name == $n) |
	"\(.domid) \(.vbds[0].region.start_bytes) \(.vbds[0].region.size_bytes) \(.vifs[0].mac)"' <<<"$js" 2>&1)" \
	"$d $((100 << 30)) $((20 << 30)) 00:16:3e:00:00:01" "list --json: domid, region in bytes, MAC" || true

# A definition that collides only with the running VM (nothing else is in its directory).
cp "$W/vmx" "$W/alone/vmx"
out=$(pvbackctl --vm-dir "$W/alone" check 2>&1) && rc=0 || rc=$?
tap_diag "$out"
if [ "$rc" -eq 1 ] && grep -q "alone/vmx:4: error: .*running as domain $d" <<<"$out"; then
	tap_ok "check: vmx against the running $VM: exit 1, 'running as domain $d'"
else
	tap_not_ok "check: vmx against the running $VM: exit 1, 'running as domain $d' (rc $rc)"
fi

# carve: the first free 1G (nothing below vm1's 100G is in use), attach it, carve again.
t1=$(pvbackctl carve --size 1G --target-only /dev/sda 2>&1) || true
tap_is "$t1" "/dev/sda,start=0,size=1G" "carve --size 1G: the start of /dev/sda" || true
spec=$(pvbackctl carve --size 1G --vdev xvdb /dev/sda 2>&1) || true
tap_diag "carve: $spec"
if timeout -k 10 120 xl block-attach $VM "${spec//\'/}" && guest_wait_dev $VM /dev/xvdb 60; then
	tap_ok "xl block-attach $VM with carve's spec: the guest has xvdb"
else
	tap_not_ok "xl block-attach $VM with carve's spec: the guest has xvdb"
fi
t2=$(pvbackctl carve --size 1G --target-only /dev/sda 2>&1) || true
tap_is "$t2" "/dev/sda,start=1G,size=1G" "carve again: past the region xvdb now uses" || true

# stats: the guest's writes, counted as sysfs counts them.
tap_run "guest writes 4 MiB to xvdb" guest_run $VM pvpattern write /dev/xvdb 0 $((4 << 20)) 51 || true
js=$(pvbackctl --json stats $VM) || true
sys=$(vbd_attr "$d" xvdb statistics/wr_req)
tap_is "$(jq -r '.domains[0].vbds[] | select(.vdev == "xvdb") | .counters.wr_req' <<<"$js" 2>&1)" \
	"$sys" "stats --json: xvdb's wr_req is sysfs's ($sys)" || true
lat=$(jq -r '[.domains[0].vbds[] | select(.vdev == "xvdb") | .latency_us.buckets[].count] | add' <<<"$js" 2>&1)
tap_run "stats --json: the latency histogram counts at least those $sys writes ($lat)" \
	test "${lat:-0}" -ge "$sys" || true
out=$(pvbackctl stats $VM 2>&1) || true
tap_diag "$out"
stats_show() {
	grep -A6 'vbd xvdb' <<<"$1" | grep -Eq 'written 4(\.0)?M' &&
		grep -A6 'vbd xvdb' <<<"$1" | grep -q 'latency *p50 <'
}
tap_run "stats: xvdb's written bytes and a latency line with p50/p99" stats_show "$out" || true

# top: a guest writing in the background shows up with writes per second.
guest_run $VM "sh -c 'for i in \$(seq 200); do pvpattern write /dev/xvdb 0 $((1 << 20)) 52 || break; done' >/dev/null 2>&1 &" || true
w0=$(vbd_attr "$d" xvdb statistics/wr_req)
wait_for "[ \$(vbd_attr $d xvdb statistics/wr_req) -gt $((w0 + 16)) ]" 60 ||
	tap_diag "the guest's writer did not start"
out=$(pvbackctl top -b -n 2 -d 2 2>&1) || true
tap_diag "$(tail -n 8 <<<"$out")"
top_writing() {
	awk -v vm=$VM '/pvbackctl top - / { n++ }
		n == 2 && $2 == vm && $3 == "xvdb" && $7 + 0 > 0 { ok = 1 }
		END { exit !ok }' <<<"$1"
}
tap_run "top -b: $VM xvdb writing (w/s > 0) in the second snapshot" top_writing "$out" || true
guest_run $VM "pkill -f 'seq 200'; true" >/dev/null || true

pvbackctl frobnicate >/dev/null 2>&1 && rc=0 || rc=$?
tap_is "$rc" 2 "an unknown command: exit 2" || true
pvbackctl stats nosuch >/dev/null 2>&1 && rc=0 || rc=$?
tap_is "$rc" 1 "stats of a VM that does not run: exit 1" || true

tap_run "xl destroy, domain and backend devices gone" guest_destroy $VM || true
