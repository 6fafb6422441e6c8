// SPDX-License-Identifier: GPL-2.0
/* check and carve, end to end. */
#include <stdio.h>

#include "e2e.h"

void e2e_check(void)
{
	char path[4300];
	int r;

	r = RUN(dir_ok, "check");
	EQ_INT(r, 0, "check vm-ok: exit 0");
	HAS(OUT, "OK: 6 definitions, 7 regions checked",
	    "check vm-ok: summary (backup and hidden files skipped)");
	HAS(OUT, "compared with 3 vbds of running VMs",
	    "check vm-ok: running vbds compared (refused one left out)");
	HAS(OUT,
	    "warning: running vbd 5/51712 (broken xvda) was refused: pvback-region: region sda",
	    "check: a refused running vbd is a warning");
	HAS(OUT, "xl block-detach broken xvda", "  ... which says what to do");
	LACKS(OUT, "error", "check vm-ok: no errors (ro+ro overlap, adjacent regions, self)");

	r = RUN(dir_collide, "check");
	EQ_INT(r, 1, "check vm-collide: exit 1");
	HAS(OUT, "7 problems found in 13 definitions (14 regions checked)",
	    "check vm-collide: 7 problems");
	HAS(OUT,
	    "vm-collide/a:2: error: a xvda: region /dev/sda start=150G size=20G (rw) overlaps region /dev/sda start=160G size=20G (rw) of b xvda (",
	    "rw over rw: FILE:LINE, both regions, the other VM");
	HAS(OUT,
	    "vm-collide/b:3); give each writable vbd its own region (pvbackctl carve --size 20G /dev/sda finds a free one)",
	    "  ... the other's FILE:LINE and what to do");
	EQ_INT(count(OUT, "overlaps region /dev/sda start=150G"), 0, "a/b collision reported once");
	HAS(OUT,
	    "vm-collide/c:2: error: c xvda: region /dev/sda start=250G size=10G (ro) overlaps region /dev/sda start=255G size=10G (rw) of d xvda",
	    "ro over rw is an error too");
	HAS(OUT, "a read-only region may not overlap a writable one", "  ... saying why");
	HAS(OUT,
	    "vm-collide/e:3: error: e xvda: region /dev/sdb2 start=1G size=1G (rw) overlaps region /dev/sdb start=51G size=2G (rw) of f xvda",
	    "a partition's region collides on its whole disk");
	HAS(OUT,
	    "vm-collide/g:3: error: g xvda: region /dev/sda start=410G size=5G (rw) overlaps region /dev/sda start=400G size=20G (rw) of runner xvda (running as domain 3, vbd 3/51712)",
	    "collision with a running VM: running as domain N");
	HAS(OUT,
	    "vm-collide/i:2: error: i xvda: region /dev/sda start=450G size=10G (rw) overlaps region /dev/sda start=455G size=10G (rw) of i xvdb (",
	    "two disks of one definition");
	LACKS(OUT, "j xvda", "adjacent after (start == other's end): fine");
	LACKS(OUT, "k xvda", "adjacent before (end == other's start): fine");
	HAS(OUT,
	    "vm-collide/m:3: error: m xvda: region /dev/sda start=125G size=5G (rw) overlaps region /dev/sda start=110G size=20G (rw) of vm1 xvda (running as domain 1, defined at ",
	    "a running VM's definition is compared with the others");
	EQ_INT(count(OUT, "vm1 xvda"), 1,
	       "... but not with its own running vbd (vm1 xvda named once)");
	HAS(OUT,
	    "vm-collide/n:4: error: n xvda: region /dev/mapper/pvback-3-51712 start=1G size=1G (rw) overlaps region /dev/sda start=400G size=20G (rw) of runner xvda (running as domain 3, vbd 3/51712)",
	    "a device-mapper linear device is the window of sda it maps");
	dm_up = false;
	r = RUN(dir_collide, "check");
	LACKS(OUT, "vm-collide/n:",
	      "... seen only through its table (without it, a disk of its own)");
	dm_up = true;

	snprintf(path, sizeof(path), "%s/g", dir_collide);
	r = RUN(dir_collide, "check", path);
	EQ_INT(r, 1, "check FILE: exit 1");
	HAS(OUT, "1 problem found in 1 definition (1 region checked)",
	    "check FILE: only its own problems");
	LACKS(OUT, "a xvda", "check FILE: others' collisions not reported");

	snprintf(path, sizeof(path), "%s/newvm", dir_extra);
	r = RUN(dir_ok, "check", path);
	EQ_INT(r, 1, "check a new file against the VM directory: exit 1");
	HAS(OUT,
	    "extra/newvm:4: error: newvm xvda: region /dev/sda start=130G size=20G (rw) overlaps region /dev/sda start=120G size=20G (rw) of vm2 xvda (",
	    "  ... it collides with a defined VM that is not running");
	HAS(OUT, "vm-ok/vm2:3)", "  ... named by FILE:LINE");

	snprintf(path, sizeof(path), "%s/vm1", dir_ok);
	r = RUN(dir_ok, "check", path, path);
	EQ_INT(r, 0, "check FILE given that is also in the directory: compared once");

	r = RUN(dir_bad, "check");
	EQ_INT(r, 1, "check vm-bad: exit 1");
	HAS(OUT, "vm-bad/syntax1:5: error: expected a value in the list opened at line 3",
	    "syntax error: FILE:LINE, where the list opened");
	HAS(OUT, "vm-bad/syntax2:2: error: unknown escape \\q", "bad escape: FILE:LINE");
	HAS(OUT,
	    "vm-bad/unknownkey:2: error: unknownkey xvda: unknown key 'sise' in target; known keys: start, size",
	    "unknown key");
	HAS(OUT, "vm-bad/twice:2: error: twice xvda: 'size' given twice in target", "repeated key");
	HAS(OUT, "vm-bad/overflow:2: error: overflow xvda: start=16384P is too large",
	    "64-bit overflow");
	HAS(OUT,
	    "vm-bad/notasize:2: error: notasize xvda: size=20Q is not a size; use a number with an optional suffix s, K, M, G, T or P (e.g. size=20G)",
	    "not a size, and what to do");
	HAS(OUT,
	    "vm-bad/misaligned:3: error: misaligned xvda: start and size must be multiples of the 4096-byte logical block size of /dev/sdb",
	    "misaligned on a 4K device");
	HAS(OUT,
	    "vm-bad/pastend:2: error: pastend xvda: region start=490G size=20G ends past the end of /dev/sda (500G); shrink size= or move start=",
	    "past the end");
	HAS(OUT,
	    "vm-bad/startpast:2: error: startpast xvda: start=500G is at or past the end of /dev/sda (500G)",
	    "start at the end");
	HAS(OUT,
	    "vm-bad/nodev:2: error: nodev xvda: /dev/sdz does not exist in dom0; check the device path in target=",
	    "missing device");
	HAS(OUT,
	    "vm-bad/notblock:2: error: notblock xvda: /srv/images/raw.img is not a block device",
	    "not a block device");
	HAS(OUT,
	    "vm-bad/relative:2: error: relative xvda: target device 'sda' must be an absolute path such as /dev/sda",
	    "relative path");
	HAS(OUT, "vm-bad/zero:2: error: zero xvda: size must be larger than 0", "size 0");
	HAS(OUT, "vm-bad/noname: error: no name: add a line name = \"NAME\"", "no name");
	HAS(OUT,
	    "vm-bad/baddisk:3: error: baddisk: disk 'vdev=xvda, access=x, target=/dev/sda': access=x: use r, ro, w or rw",
	    "bad disk spec: the line of the disk string");
	HAS(OUT, "vm-bad/phymissing:2: error: phymissing xvda: /dev/sdy does not exist in dom0",
	    "phy: device missing");
	HAS(OUT, "vm-bad/disknotlist:2: error: disk must be a list", "disk not a list");
	HAS(OUT, "17 problems found in 17 definitions", "check vm-bad: every file has its problem");

	xs_up = false;
	r = RUN(dir_ok, "check");
	EQ_INT(r, 0, "check without xenstore: still checks the definitions");
	HAS(ERR, "pvbackctl: warning: cannot open xenstore", "  ... with a warning on stderr");
	HAS(OUT, "OK: 6 definitions, 7 regions checked", "  ... and the summary");
	r = RUN(dir_collide, "check");
	HAS(OUT, "5 problems found",
	    "without xenstore the collision with a running VM is not seen");
	xs_up = true;

	r = RUN("/nonexistent/dir", "check");
	EQ_INT(r, 1, "check with no VM directory: exit 1");
	HAS(ERR,
	    "pvbackctl: cannot read the VM directory /nonexistent/dir: No such file or directory; give FILES or --vm-dir DIR",
	    "  ... saying what to do");
	r = RUN(dir_ok, "check", "--bogus");
	EQ_INT(r, 2, "check --bogus: usage error");
	HAS(ERR, "unknown option '--bogus'", "  ... named");
}

void e2e_carve(void)
{
	int r;

	r = RUN(dir_ok, "carve", "--size", "20G", "/dev/sda");
	EQ_INT(r, 0, "carve: exit 0");
	EQ_STR(OUT,
	       "'vdev=xvda, access=rw, script=pvback-region, target=/dev/sda,start=0,size=20G'\n",
	       "carve: a disk spec ready to paste");
	RUN(dir_ok, "carve", "--size", "100G", "--target-only", "/dev/sda");
	EQ_STR(OUT, "/dev/sda,start=0,size=100G\n", "carve: exact fit before vm1 (100G)");
	RUN(dir_ok, "carve", "--size", "101G", "--target-only", "/dev/sda");
	EQ_STR(OUT, "/dev/sda,start=201G,size=101G\n",
	       "carve: skips vm1+vm2 (running and defined) and both ro isos");
	RUN(dir_ok, "carve", "--size", "199G", "--target-only", "/dev/sda");
	EQ_STR(OUT, "/dev/sda,start=201G,size=199G\n",
	       "carve: exact fit up to the running VM at 400G");
	r = RUN(dir_ok, "carve", "--size", "200G", "/dev/sda");
	EQ_INT(r, 1, "carve: no room: exit 1");
	HAS(ERR,
	    "pvbackctl: carve: no free 200G on /dev/sda; the largest free 1M-aligned gap is 199G at start=201G",
	    "  ... naming the largest gap (running VM avoided)");
	RUN(dir_ok, "carve", "--size", "512M", "--vdev", "xvdc", "--ro", "/dev/sdb");
	EQ_STR(OUT,
	       "'vdev=xvdc, access=ro, script=pvback-region, target=/dev/sdb,start=101377M,size=512M'\n",
	       "carve on a partitioned disk: after its partitions; --vdev, --ro");
	RUN(dir_ok, "carve", "--size", "1G", "--target-only", "/dev/sdb2");
	EQ_STR(OUT, "/dev/sdb2,start=10G,size=1G\n",
	       "carve on a partition: after data's region on it");
	RUN(dir_ok, "carve", "--size", "1G", "--align", "3G", "--target-only", "/dev/sdb2");
	EQ_STR(OUT, "/dev/sdb2,start=12G,size=1G\n", "carve --align 3G");
	r = RUN(dir_ok, "carve", "--size", "1G", "/dev/vg0/lv0");
	EQ_INT(r, 1, "carve on a device used whole: exit 1");
	HAS(ERR, "no free space on /dev/vg0/lv0", "  ... no free space");
	RUN(dir_collide, "carve", "--size", "1M", "--target-only", "/dev/sdb");
	EQ_STR(OUT, "/dev/sdb,start=0,size=1M\n", "carve: exact fit before the first partition");
	r = RUN(dir_collide, "carve", "--size", "1G", "/dev/sdb");
	EQ_INT(r, 1, "carve: the disk's partitions are avoided");
	HAS(ERR, "the largest free 1M-aligned gap is 1023M at start=101377M",
	    "  ... the gap after them");
	RUN(dir_collide, "carve", "--size", "1G", "--target-only", "/dev/sdb2");
	EQ_STR(OUT, "/dev/sdb2,start=3071M,size=1G\n",
	       "carve on a partition: regions of the disk and of the partition, in its coordinates");
	r = RUN(dir_ok, "carve", "--size", "1000", "/dev/sdb");
	EQ_INT(r, 2, "carve --size not a multiple of the 4K block size: usage error");
	r = RUN(dir_ok, "carve", "/dev/sda");
	EQ_INT(r, 2, "carve without --size: usage error");
	HAS(ERR, "--size is required", "  ... saying so");
	r = RUN(dir_ok, "carve", "--size", "1X", "/dev/sda");
	EQ_INT(r, 2, "carve --size 1X: usage error");
	r = RUN(dir_ok, "carve", "--size", "1G", "/dev/sdz");
	EQ_INT(r, 1, "carve on a missing device: exit 1");
	HAS(ERR, "carve: /dev/sdz does not exist in dom0; check the path", "  ... saying so");
	r = RUN(dir_ok, "carve", "--size", "1G", "--align", "0", "/dev/sda");
	EQ_INT(r, 2, "carve --align 0: usage error");

	xs_up = false;
	RUN(dir_ok, "carve", "--size", "101G", "--target-only", "/dev/sda");
	EQ_STR(OUT, "/dev/sda,start=201G,size=101G\n",
	       "carve without xenstore works on the definitions");
	HAS(ERR,
	    "warning: cannot open xenstore (No such file or directory); running VMs are not avoided",
	    "  ... and warns");
	RUN(dir_ok, "carve", "--size", "200G", "--target-only", "/dev/sda");
	EQ_STR(OUT, "/dev/sda,start=201G,size=200G\n",
	       "  ... so the running VM's region is not avoided");
	xs_up = true;
}
