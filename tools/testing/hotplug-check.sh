#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The pure parts of pvback-lease on the build host, without sanlock or Xen: lease names,
# the configuration's checks, and what it says where nothing is configured. (Its sanlock
# and xenstore parts run in the lab: blk-lease, lease-hosts.) And its systemd unit.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
LEASE=$top/userspace/hotplug/pvback-lease
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1${2:+: $2}"; }
is() { if [ "$1" = "$2" ]; then ok "$3"; else bad "$3" "got '$1', expected '$2'"; fi; }

export PVBACK_HOTPLUG_LOG=$tmp/log PVBACK_LOCK_DIR=$tmp/run
# shellcheck source=userspace/hotplug/pvback-lease
PVBACK_LEASE_SOURCED=1 . "$LEASE" || exit 1
logger() { :; }

# ---- lease names
n=$(lease_name w 209715200 131072 68667fc4-1461-4d2a-9a3c-0123456789ab)
is "$n" "wc800000+20000.68667fc41461" "lease_name: access, hex start and length, UUID's first 12 digits"
if parse_name "$n"; then
	is "$N_MODE $N_START $N_LEN $N_VM" "w 209715200 131072 68667fc41461" "parse_name reads lease_name back"
else
	bad "parse_name reads lease_name back"
fi
n=$(lease_name r $(((1 << 60) - 1)) $(((1 << 60) - 1)) ffffffff-ffff-ffff-ffff-ffffffffffff)
is "$([ ${#n} -le 47 ] && echo short)" short "the longest name fits sanlock's 47 characters (${#n})"
parse_name "$n" && is "$N_START" $(((1 << 60) - 1)) "parse_name: 15 hex digits" || bad "parse_name: 15 hex digits"
for x in pvback-claims "wffffffffffffffff+1.0123456789ab" "W10+1.0123456789ab" "w10+1.0123456789a" \
	"x10+1.0123456789ab" "w10+1.0123456789ab " "w10-1.0123456789ab" "w+1.0123456789ab"; do
	if parse_name "$x"; then bad "parse_name refuses '$x'"; else ok "parse_name refuses '$x'"; fi
done

# ---- the configuration
conf() { printf '%s\n' "$@" >"$tmp/conf"; }
CONF=$tmp/conf
try() { (read_conf) >"$tmp/out" 2>&1; }
conf "host_id 2" "disk /dev/disk/by-id/wwn-0x5000 vmdisks" "io_timeout 20" "watchdog 0" "# comment" ""
if (read_conf && [ "$HOST_ID $IO_TIMEOUT $WATCHDOG ${DISKS[*]}" = "2 20 0 /dev/disk/by-id/wwn-0x5000 vmdisks" ]); then
	ok "read_conf: host_id, disk, io_timeout, watchdog, comments"
else
	bad "read_conf: host_id, disk, io_timeout, watchdog, comments"
fi
for c in "host_id 0" "host_id 2001" "host_id 007" "host_id x" "io_timeout 08" "io_timeout 0" \
	"watchdog 2" "disk /dev/disk/by-path/pci-0000:00:1f.2-ata-1 ls" "disk sda ls" "disk /dev/sda" \
	"disk /dev/sda bad:name" "frobnicate 1"; do
	case $c in host_id*) conf "$c" ;; *) conf "host_id 1" "$c" ;; esac
	if try; then bad "read_conf refuses '$c'"; else
		grep -q "^pvback-lease: $tmp/conf" "$tmp/out" && ok "read_conf refuses '$c', naming the file" ||
			bad "read_conf refuses '$c', naming the file" "$(cat "$tmp/out")"
	fi
done

# ---- nothing configured
out=$(PVBACK_LEASE_CONF=$tmp/none "$LEASE" status 2>&1) && rc=0 || rc=$?
is "$rc: $out" "1: pvback-lease: no $tmp/none: no disk is shared" "status without a configuration says so"
out=$(PVBACK_LEASE_CONF=$tmp/none "$LEASE" frobnicate 2>&1) && rc=0 || rc=$?
is "$rc" 2 "an unknown command: usage, exit 2"
out=$(PVBACK_LEASE_CONF=$tmp/none XENBUS_PATH=backend/vbd/1/51712 "$LEASE" prepare /dev/null 200000 1000 2>&1) &&
	rc=0 || rc=$?
is "$rc" 3 "prepare of a disk that is not shared: status 3 (no lease needed)"

# ---- the systemd unit: valid for systemd, ordered before xendomains, running the script
unit=$top/userspace/systemd/pvback-lease.service
sed "s|/etc/xen/scripts/pvback-lease|$LEASE|" "$unit" >"$tmp/pvback-lease.service"
if out=$(systemd-analyze verify "$tmp/pvback-lease.service" 2>&1); then
	ok "systemd-analyze verify pvback-lease.service"
else
	bad "systemd-analyze verify pvback-lease.service" "$out"
fi
if grep -qx 'Before=xendomains.service' "$unit" && grep -qx 'ConditionPathExists=/etc/pvback/lease.conf' "$unit" &&
	grep -qx 'ExecStart=/etc/xen/scripts/pvback-lease start' "$unit" &&
	grep -qx 'ExecStop=/etc/xen/scripts/pvback-lease stop' "$unit"; then
	ok "the unit starts pvback-lease before xendomains, stops it after, only when configured"
else
	bad "the unit starts pvback-lease before xendomains, stops it after, only when configured"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
