// SPDX-License-Identifier: GPL-2.0
/* list, stats and top, end to end. */
#include <string.h>

#include "e2e.h"

void e2e_list(void)
{
	int r;

	r = RUN(dir_ok, "list");
	EQ_INT(r, 0, "list: exit 0");
	check_row(OUT, "DOMID NAME STATE VBDS VIFS DEFINITION", "list: VM table header");
	check_row(OUT, "1 vm1 running 1 1 *", "list: vm1, running, with its definition");
	HAS(OUT, "vm-ok/vm1", "list: vm1's definition file");
	check_row(OUT, "6 nodisk running 0 0 -", "list: a VM without devices");
	LACKS(OUT, "Domain-0", "list: dom0 left out");
	HAS(OUT, "(not running)", "list: defined VMs that are not running");
	check_row(OUT, "1 vm1 xvda /dev/sda 100G 20G rw Connected 1 claimed",
		  "list: vm1's vbd, device, region, mode, state, rings");
	check_row(OUT, "3 runner xvda /dev/sda 400G 20G rw Connected - claimed",
		  "list: an older pvblkback: rings -");
	check_row(OUT, "4 legacy xvda /dev/dm-0 - whole ro Connected - -",
		  "list: a whole device served by xen-blkback");
	check_row(OUT, "5 broken xvda /dev/sda 300G 1G rw Closed - refused", "list: a refused vbd");
	check_row(OUT,
		  "1 vm1 vif1.0 xenbr0 00:16:3e:00:00:01 Connected up /etc/xen/scripts/vif-bridge",
		  "list: vif with bridge, MAC, state, link");
	check_row(OUT, "3 runner vif3.0 xenbr1 00:16:3e:00:00:03 InitWait - -",
		  "list: vif without a netdevice");

	r = RUN(dir_ok, "--json", "list");
	EQ_INT(r, 0, "list --json: exit 0");
	valid_json("list --json");
	HAS(OUT, "\"name\": \"vm1\"", "list --json: names");
	HAS(OUT, "\"start_bytes\": 107374182400", "list --json: region in bytes, as a number");
	HAS(OUT, "\"rings\": 1", "list --json: rings");
	HAS(OUT, "\"rings\": null", "list --json: unknown rings are null");
	HAS(OUT, "\"running\": false", "list --json: defined VMs");
	HAS(OUT, "\"state_name\": \"InitWait\"", "list --json: state names");
	r = RUN(dir_ok, "list", "--json");
	valid_json("list --json (option after the command)");

	xs_up = false;
	r = RUN(dir_ok, "list");
	EQ_INT(r, 1, "list without xenstore: exit 1");
	HAS(ERR, "pvbackctl: list: cannot open xenstore", "  ... saying why");
	xs_up = true;
	r = RUN(dir_ok, "list", "extra");
	EQ_INT(r, 2, "list with an argument: usage error");
}

void e2e_stats(void)
{
	char *p;
	int r;

	r = RUN(dir_ok, "stats", "vm1");
	EQ_INT(r, 0, "stats vm1: exit 0");
	HAS(OUT, "vm1 (domain 1)\n", "stats: the VM");
	HAS(OUT, "  vbd xvda (51712)  /dev/sda start=100G size=20G rw\n",
	    "stats: the vbd and its region");
	HAS(OUT, "    requests    read 1200  write 340  flush 12  discard 4\n", "stats: requests");
	HAS(OUT, "    bytes       read 4.7M  written 1.3M  discarded 1G\n",
	    "stats: bytes from sectors");
	HAS(OUT, "    rejected    out-of-region 2  malformed 1  unsupported 0  grant-map 0\n",
	    "stats: rejected requests");
	HAS(OUT,
	    "    latency     p50 <128us  p99 <1.02ms  | <64us:10 <128us:500 <256us:200 <512us:30 <1.02ms:5 <2.05ms:2 >=1.05s:1\n",
	    "stats: latency p50/p99 and the non-empty buckets");
	HAS(OUT, "    memory      2.5M (rings 1, indirect segments 32, persistent grants 352)\n",
	    "stats: dom0 memory, rings, indirect segments and persistent grants");
	OK(strstr(OUT, "    latency ") && strstr(OUT, "    memory ") &&
	   strstr(OUT, "    latency ") < strstr(OUT, "    memory "),
	   "stats: memory after latency (the lab's ctl.sh reads 6 lines after the vbd)");
	HAS(OUT, "    memory      2.5M (rings 1, indirect segments 32, persistent grants 352)\n"
	    "    grant copy  1500 requests\n", "stats: requests by grant copy, after memory");
	HAS(OUT, "from guest (dom0 rx)  packets 50  bytes 5.9K  dropped 0  errors 0",
	    "stats: vif, the guest's view");
	HAS(OUT, "to guest (dom0 tx)    packets 70  bytes 8.8K  dropped 1  errors 0",
	    "stats: vif, other way");
	LACKS(OUT, "runner", "stats VM: only that VM");

	r = RUN(dir_ok, "stats", "4");
	EQ_INT(r, 0, "stats by domid");
	HAS(OUT, "legacy (domain 4)", "stats 4 is legacy");
	HAS(OUT, "    requests    read 5  write 5  flush 5  discard 5\n",
	    "stats: xen-blkback's counters");
	HAS(OUT, "    bytes       read 2.5K  written 2.5K  discarded 2.5K\n",
	    "stats: xen-blkback's discarded bytes");
	HAS(OUT, "    rejected    out-of-region -  malformed -  unsupported -  grant-map -\n",
	    "stats: counters it lacks are -");
	HAS(OUT, "    latency     -\n", "stats: no histogram: -");
	HAS(OUT, "    memory      - (rings -, indirect segments -, persistent grants -)\n",
	    "stats: no memory_bytes, nr_rings, max_indirect_segments, persistent_grants: -");

	r = RUN(dir_ok, "stats");
	EQ_INT(r, 0, "stats (all)");
	HAS(OUT, "runner (domain 3)", "stats: all VMs with devices");
	p = strstr(OUT, "runner (domain 3)");
	HAS(p ? p : "", "    requests    read 7  write 7  flush 7  discard -\n",
	    "stats: an older pvblkback: discard -");
	HAS(p ? p : "", "    bytes       read 3.5K  written 3.5K  discarded -\n",
	    "stats: an older pvblkback: discarded -");
	HAS(p ? p : "", "    grant copy  - requests\n", "stats: an older pvblkback: grant copy -");
	HAS(OUT, "    no counters:", "stats: a vif without a netdevice");
	LACKS(OUT, "nodisk", "stats: VMs without devices left out");

	r = RUN(dir_ok, "--json", "stats");
	valid_json("stats --json");
	HAS(OUT, "\"rd_req\": 1200", "stats --json: counters as numbers");
	HAS(OUT, "\"region_err\": null", "stats --json: missing counters are null");
	HAS(OUT, "\"read_bytes\": 4915200", "stats --json: bytes");
	HAS(OUT, "\"ds_req\": 4", "stats --json: discard requests");
	HAS(OUT, "\"ds_sect\": 2097152", "stats --json: discarded sectors");
	HAS(OUT, "\"ds_sect\": null", "stats --json: no discard counters is null");
	HAS(OUT, "\"copy_req\": 1500", "stats --json: requests by grant copy");
	HAS(OUT, "\"copy_req\": null", "stats --json: no copy_req is null");
	HAS(OUT, "\"discard_bytes\": 1073741824", "stats --json: discarded bytes");
	HAS(OUT, "\"discard_bytes\": null", "stats --json: unknown discarded bytes are null");
	HAS(OUT, "\"memory_bytes\": 2621440", "stats --json: memory_bytes");
	HAS(OUT, "\"memory_bytes\": null", "stats --json: no memory_bytes is null");
	HAS(OUT, "\"rings\": 1", "stats --json: rings");
	HAS(OUT, "\"rings\": null", "stats --json: unknown rings are null");
	HAS(OUT, "\"max_indirect_segments\": 32", "stats --json: max_indirect_segments");
	HAS(OUT, "\"max_indirect_segments\": null",
	    "stats --json: no max_indirect_segments is null");
	HAS(OUT, "\"persistent_grants\": 352", "stats --json: persistent_grants as a number");
	HAS(OUT, "\"persistent_grants\": null", "stats --json: no persistent_grants is null");
	LACKS(OUT, "\"off\"", "stats --json: no \"off\" while sysfs has numbers");
	HAS(OUT, "\"p99_lt_us\": 1024", "stats --json: p99 bound");
	HAS(OUT, "\"ge_us\": 1048576", "stats --json: last bucket");
	HAS(OUT, "\"latency_us\": null", "stats --json: no histogram is null");

	/* the frontend did not agree to feature-persistent (or not connected) */
	w_file(&W, VBD1 "/persistent_grants", "off\n");
	r = RUN(dir_ok, "stats", "vm1");
	EQ_INT(r, 0, "stats vm1, persistent grants off: exit 0");
	HAS(OUT, "    memory      2.5M (rings 1, indirect segments 32, persistent grants off)\n",
	    "stats: persistent grants off");
	r = RUN(dir_ok, "--json", "stats", "vm1");
	valid_json("stats --json, persistent grants off");
	HAS(OUT, "\"persistent_grants\": \"off\"",
	    "stats --json: persistent_grants \"off\" is a string");
	HAS(OUT, "\"max_indirect_segments\": 32", "  ... the other attributes still numbers");
	/* neither a number nor off: unknown */
	w_file(&W, VBD1 "/persistent_grants", "12x\n");
	r = RUN(dir_ok, "stats", "vm1");
	HAS(OUT, "indirect segments 32, persistent grants -)\n",
	    "stats: persistent_grants neither a number nor off: -");
	r = RUN(dir_ok, "--json", "stats", "vm1");
	HAS(OUT, "\"persistent_grants\": null", "stats --json: ... null");
	/* "off" is only a value of persistent_grants */
	w_file(&W, VBD1 "/max_indirect_segments", "off\n");
	r = RUN(dir_ok, "--json", "stats", "vm1");
	HAS(OUT, "\"max_indirect_segments\": null",
	    "stats --json: off in another attribute is unknown (null)");
	w_file(&W, VBD1 "/max_indirect_segments", "32\n");
	w_file(&W, VBD1 "/persistent_grants", "352\n");

	r = RUN(dir_ok, "stats", "nosuch");
	EQ_INT(r, 1, "stats of an unknown VM: exit 1");
	HAS(ERR, "pvbackctl: stats: no running VM 'nosuch'; see pvbackctl list", "  ... saying so");
	r = RUN(dir_ok, "stats", "a", "b");
	EQ_INT(r, 2, "stats with two VMs: usage error");
}

void e2e_top(void)
{
	static const int script[] = { -1, 's', 's', 'q', 0 };
	char *p;
	int r;

	fake_t = 0;
	keys = NULL;
	r = RUN(dir_ok, "top", "-b", "-n", "2", "-d", "1");
	EQ_INT(r, 0, "top -b -n 2 -d 1: exit 0");
	EQ_INT(count(OUT, "pvbackctl top - "), 2, "top: two snapshots");
	check_row(OUT, "DOMID NAME DEVICE rMB/s wMB/s r/s w/s", "top: header");
	check_row(OUT, "1 vm1 xvda 1.00 0.50 100.0 55.0",
		  "top: vbd MB/s and requests/s from deltas, discards in w/s but not in MB/s");
	check_row(OUT, "1 vm1 vif1.0 0.00 0.00 10.0 0.0", "top: vif packets/s, the guest's view");
	check_row(OUT, "3 runner xvda 0.00 0.00 0.0 0.0", "top: idle vbd");
	check_row(OUT, "3 runner vif3.0 - - - -", "top: no counters: -");
	HAS(OUT, "w = from it (writes, flushes and discards, packets it sends)",
	    "top: what w counts");
	p = strstr(OUT, "DOMID");
	OK(p && strstr(p, "100.0") && strstr(p, "10.0") && strstr(p, "legacy") &&
	   strstr(p, "100.0") < strstr(p, "10.0") &&
	   strstr(p, "10.0") < strstr(p, "legacy") &&
	   strstr(p, "legacy") < strstr(p, "broken"),
	   "top: sorted by iops, devices without counters last");
	LACKS(OUT, "\033", "top -b: no escapes");

	fake_t = 0;
	r = RUN(dir_ok, "top", "-b", "-n", "1", "-d", "1", "-s", "name");
	p = strstr(OUT, "DOMID");
	OK(p && strstr(p, "legacy") < strstr(p, "runner") &&
	   strstr(p, "runner") < strstr(p, "vm1"), "top -s name");

	fake_t = 0;
	keys = script;
	r = run_argv(dir_ok, true, (const char *const[]){ "top", "-d", "1", NULL });
	keys = NULL;
	EQ_INT(r, 0, "top interactive: q quits");
	HAS(OUT, "\033[H\033[2J", "top interactive: clears the screen");
	HAS(OUT, "sort mbps", "top interactive: s cycles to mbps");
	HAS(OUT, "sort name", "  ... then name");
	HAS(OUT, "keys: s sort", "top interactive: key help");
	OK(strlen(OUT) > 6 && !strcmp(OUT + strlen(OUT) - 6, "\033[?25h"),
	   "top interactive: cursor shown again at the end");

	r = RUN(dir_ok, "top", "-d", "0.01");
	EQ_INT(r, 2, "top -d below 0.1: usage error");
	r = RUN(dir_ok, "top", "-s", "cpu");
	EQ_INT(r, 2, "top -s cpu: usage error");
	r = RUN(dir_ok, "top", "-n", "0");
	EQ_INT(r, 2, "top -n 0: usage error");
	r = RUN(dir_ok, "top", "-d");
	EQ_INT(r, 2, "top -d without a value: usage error");
	HAS(ERR, "needs a value", "  ... saying so");
	xs_up = false;
	r = RUN(dir_ok, "top", "-b", "-n", "1");
	EQ_INT(r, 1, "top without xenstore: exit 1");
	xs_up = true;
}
