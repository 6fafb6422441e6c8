// SPDX-License-Identifier: GPL-2.0
/*
 * The end-to-end harness: the fake world (sysfs, /dev, xenstore) and
 * running the commands in-process.  See e2e.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

#define G21(n) ((u64)(n) << 21)	/* n GiB in sectors */
#define HOTPLUG_ERROR							\
	"pvback-region: region sda start=629145600 sectors=2097152 (rw) "	\
	"overlaps a region; give each writable vbd its own region"

struct world W;
static struct fakexs *XS;
bool xs_up;
char *OUT, *ERR;
char dir_ok[4200], dir_collide[4200], dir_bad[4200], dir_extra[4200];

/* top's clock and key script */
double fake_t;
const int *keys;

static int fake_wait(struct pvctx *ctx, int ms)
{
	u64 t;

	(void)ctx;
	if (keys && *keys) {
		int k = *keys++;

		if (k > 0)
			return k;
	}
	fake_t += ms / 1000.0;
	t = (u64)(fake_t + 0.5);
	/*
	 * vm1's xvda: 100 reads and 50 writes a second, 1 MiB and 0.5 MiB,
	 * and 5 discards of 1 MiB: requests, but no data
	 */
	w_file(&W, VBD1 "/statistics/rd_req", "%llu\n", 1200 + 100 * (unsigned long long)t);
	w_file(&W, VBD1 "/statistics/wr_req", "%llu\n", 340 + 50 * (unsigned long long)t);
	w_file(&W, VBD1 "/statistics/rd_sect", "%llu\n", 9600 + 2048 * (unsigned long long)t);
	w_file(&W, VBD1 "/statistics/wr_sect", "%llu\n", 2720 + 1024 * (unsigned long long)t);
	w_file(&W, VBD1 "/statistics/ds_req", "%llu\n", 4 + 5 * (unsigned long long)t);
	w_file(&W, VBD1 "/statistics/ds_sect", "%llu\n",
	       2097152 + 10240 * (unsigned long long)t);
	/* vif1.0: the guest receives 10 packets a second */
	w_file(&W, "sys/class/net/vif1.0/statistics/tx_packets", "%llu\n",
	       70 + 10 * (unsigned long long)t);
	return -1;
}

/*
 * Device-mapper tables: the file dmtable/MAJ:MIN of the world holds
 * "UMAJ:UMIN SECTOR", as the kernel prints a linear target.
 */
bool dm_up = true;
static int fake_dm_linear(struct pvctx *ctx, unsigned int maj, unsigned int min,
			  unsigned int *umaj, unsigned int *umin, u64 *start)
{
	unsigned long long sect;
	char path[600];
	FILE *f;
	int n;

	(void)ctx;
	snprintf(path, sizeof(path), "%s/dmtable/%u:%u", W.root, maj, min);
	f = fopen(path, "re");
	if (!f)
		return -ENOENT;
	n = fscanf(f, "%u:%u %llu", umaj, umin, &sect);
	fclose(f);
	if (n != 3)
		return -EINVAL;
	*start = sect * 512;
	return 0;
}

static double fake_now(struct pvctx *ctx)
{
	(void)ctx;
	return fake_t;
}

int run_argv(const char *vmdir, bool tty, const char *const *args)
{
	struct pvctx ctx;
	char *argv[32];
	size_t lo, le;
	int argc = 0, r;
	FILE *o, *e;

	free(OUT);
	free(ERR);
	memset(&ctx, 0, sizeof(ctx));
	o = open_memstream(&OUT, &lo);
	e = open_memstream(&ERR, &le);
	ctx.out = o;
	ctx.err = e;
	ctx.vm_dir = vmdir;
	ctx.sysfs = W.sys;
	ctx.devfs = W.dev;
	ctx.dm_linear = dm_up ? fake_dm_linear : NULL;
	if (xs_up)
		ctx.xs = fakexs_src(XS);
	else
		snprintf(ctx.xs_err, sizeof(ctx.xs_err),
			 "cannot open xenstore (No such file or directory)");
	ctx.xs_tried = true;
	ctx.out_tty = tty;
	ctx.wait = fake_wait;
	ctx.now = fake_now;
	argv[argc++] = "pvbackctl";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	r = pvbackctl_main(&ctx, argc, argv);
	fclose(o);
	fclose(e);
	if (getenv("PVBACKCTL_TEST_VERBOSE")) {
		int i;

		printf("# $ pvbackctl");
		for (i = 1; i < argc; i++)
			printf(" %s", argv[i]);
		printf("  (exit %d)\n", r);
		if (*OUT)
			t_diag("%s", OUT);
		if (*ERR)
			t_diag("stderr: %s", ERR);
	}
	return r;
}

/* Split s[0..len) into blank-separated words; returns how many. */
static int split(const char *s, size_t len, char w[][128], int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len && n < max) {
		size_t k = 0;

		while (i < len && isblank((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		while (i < len && !isblank((unsigned char)s[i]) && k < 127)
			w[n][k++] = s[i++];
		w[n++][k] = '\0';
	}
	return n;
}

bool has_row(const char *text, const char *words)
{
	char want[16][128], got[16][128];
	int nw = split(words, strlen(words), want, 16), ng, i;
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		ng = split(line, len, got, 16);
		for (i = 0; i < nw && ng == nw; i++)
			if (strcmp(want[i], "*") && strcmp(want[i], got[i]))
				break;
		if (ng == nw && i == nw)
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

void check_row(const char *text, const char *words, const char *name)
{
	if (!OK(has_row(text, words), "%s", name))
		t_diag("no row \"%s\" in:\n%s", words, text);
}

int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

void valid_json(const char *what)
{
	char why[128];

	if (!OK(json_valid(OUT, why, sizeof(why)), "%s is valid JSON", what))
		t_diag("%s\n%s", why, OUT);
}

static void build_world(void)
{
	static const char *const stats[] = {
		"rd_req 1200", "wr_req 340", "f_req 12", "rd_sect 9600",
		"wr_sect 2720", "oo_req 3", "region_err 2", "bad_req 1",
		"unsup_req 0", "map_err 0", "io_err 0", "ring_err 0",
	};
	static const char *const legacy[] = {
		"rd_req", "wr_req", "f_req", "rd_sect", "wr_sect", "oo_req", "ds_req",
		"ds_sect",
	};
	char name[128];
	size_t i;

	w_disk(&W, "sda", 8, 0, G21(500), 512);
	w_disk(&W, "sdb", 8, 16, G21(100), 4096);
	w_part(&W, "sdb", "sdb1", 8, 17, 2048, G21(50));
	w_part(&W, "sdb", "sdb2", 8, 18, 2048 + G21(50), G21(49));
	w_disk(&W, "dm-0", 253, 0, G21(10), 512);
	w_node(&W, "/dev/sda", 8, 0);
	w_node(&W, "/dev/sdb", 8, 16);
	w_node(&W, "/dev/sdb1", 8, 17);
	w_node(&W, "/dev/sdb2", 8, 18);
	w_node(&W, "/dev/vg0/lv0", 253, 0);
	/* pvback-region's view of runner's region (sda from 400G, 20G) */
	w_disk(&W, "dm-1", 253, 1, G21(20), 512);
	w_file(&W, "sys/devices/virtual/block/dm-1/dm/name", "pvback-3-51712\n");
	w_file(&W, "dmtable/253:1", "8:0 838860800\n");
	w_node(&W, "/dev/mapper/pvback-3-51712", 253, 1);
	w_link(&W, "devfs/dev/disk/by-id/ata-BIG", "../../sda");
	w_file(&W, "devfs/srv/images/raw.img", "not a device\n");
	w_file(&W, "devfs/srv/images/web.qcow2", "QFI\n");

	/* pvblkback with every attribute */
	w_file(&W, VBD1 "/region", "209715200 41943040\n");
	w_file(&W, VBD1 "/physical_device", "8:0\n");
	w_file(&W, VBD1 "/mode", "w\n");
	w_file(&W, VBD1 "/nr_rings", "1\n");
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		char key[32];
		unsigned long long v;

		if (sscanf(stats[i], "%31s %llu", key, &v) != 2)
			abort();
		snprintf(name, sizeof(name), VBD1 "/statistics/%s", key);
		w_file(&W, name, "%llu\n", v);
	}
	w_file(&W, VBD1 "/statistics/latency_us",
	       "10 500 200 30 5 2 0 0 0 0 0 0 0 0 0 1\n");
	w_file(&W, VBD1 "/statistics/ds_req", "4\n");
	w_file(&W, VBD1 "/statistics/ds_sect", "2097152\n");
	w_file(&W, VBD1 "/statistics/copy_req", "1500\n");
	w_file(&W, VBD1 "/memory_bytes", "2621440\n");
	w_file(&W, VBD1 "/max_indirect_segments", "32\n");
	w_file(&W, VBD1 "/persistent_grants", "352\n");
	/*
	 * an older pvblkback: no latency_us, nr_rings, discard counters,
	 * memory_bytes, max_indirect_segments or persistent_grants
	 */
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		snprintf(name, sizeof(name),
			 "sys/bus/xen-backend/devices/vbd-3-51712/statistics/%.*s",
			 (int)strcspn(stats[i], " "), stats[i]);
		w_file(&W, name, "7\n");
	}
	w_file(&W, "sys/bus/xen-backend/devices/vbd-3-51712/region", "838860800 41943040\n");
	/* the in-tree xen-blkback */
	for (i = 0; i < ARRAY_SIZE(legacy); i++) {
		snprintf(name, sizeof(name),
			 "sys/bus/xen-backend/devices/vbd-4-51712/statistics/%s",
			 legacy[i]);
		w_file(&W, name, "5\n");
	}
	/* vif1.0 in xenbr0 */
	w_file(&W, "sys/class/net/vif1.0/statistics/rx_packets", "50\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/rx_bytes", "6000\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/rx_dropped", "0\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/rx_errors", "0\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/tx_packets", "70\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/tx_bytes", "9000\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/tx_dropped", "1\n");
	w_file(&W, "sys/class/net/vif1.0/statistics/tx_errors", "0\n");
	w_file(&W, "sys/class/net/vif1.0/operstate", "up\n");
	w_link(&W, "sys/class/net/vif1.0/master", "../../../devices/virtual/net/xenbr0");
}

static void add_vbd(unsigned int dom, unsigned int dev, const char *vdev, const char *mode,
		    int state, const char *pdev, const char *start, const char *sectors,
		    const char *status)
{
	const char *b = "/local/domain/0/backend/vbd";
	char st[8];

	snprintf(st, sizeof(st), "%d", state);
	fakexs_set(XS, vdev, "%s/%u/%u/dev", b, dom, dev);
	fakexs_set(XS, mode, "%s/%u/%u/mode", b, dom, dev);
	fakexs_set(XS, st, "%s/%u/%u/state", b, dom, dev);
	if (pdev)
		fakexs_set(XS, pdev, "%s/%u/%u/physical-device", b, dom, dev);
	if (start)
		fakexs_set(XS, start, "%s/%u/%u/region-start", b, dom, dev);
	if (sectors)
		fakexs_set(XS, sectors, "%s/%u/%u/region-sectors", b, dom, dev);
	if (status)
		fakexs_set(XS, status, "%s/%u/%u/region-status", b, dom, dev);
}

static void build_xenstore(void)
{
	const char *v = "/local/domain/0/backend/vif";

	XS = fakexs_new();
	fakexs_set(XS, "Domain-0", "/local/domain/0/name");
	fakexs_set(XS, "vm1", "/local/domain/1/name");
	fakexs_set(XS, "runner", "/local/domain/3/name");
	fakexs_set(XS, "legacy", "/local/domain/4/name");
	fakexs_set(XS, "broken", "/local/domain/5/name");
	fakexs_set(XS, "nodisk", "/local/domain/6/name");
	add_vbd(1, 51712, "xvda", "w", 4, "8:0", "209715200", "41943040", "claimed");
	fakexs_set(XS, "/dev/sda,start=100G,size=20G",
		   "/local/domain/0/backend/vbd/1/51712/params");
	fakexs_set(XS, "/etc/xen/scripts/pvback-region",
		   "/local/domain/0/backend/vbd/1/51712/script");
	add_vbd(3, 51712, "xvda", "w", 4, "8:0", "838860800", "41943040", "claimed");
	add_vbd(4, 51712, "xvda", "r", 4, "fd:0", NULL, NULL, NULL);
	add_vbd(5, 51712, "xvda", "w", 6, "8:0", "629145600", "2097152", "refused");
	fakexs_set(XS, HOTPLUG_ERROR,
		   "/local/domain/0/backend/vbd/5/51712/hotplug-error");
	fakexs_set(XS, "00:16:3e:00:00:01", "%s/1/0/mac", v);
	fakexs_set(XS, "xenbr0", "%s/1/0/bridge", v);
	fakexs_set(XS, "4", "%s/1/0/state", v);
	fakexs_set(XS, "/etc/xen/scripts/vif-bridge", "%s/1/0/script", v);
	fakexs_set(XS, "00:16:3e:00:00:03", "%s/3/0/mac", v);
	fakexs_set(XS, "xenbr1", "%s/3/0/bridge", v);
	fakexs_set(XS, "2", "%s/3/0/state", v);
}

/*
 * A VM moving: vm1's new domain (the same UUID, the same region) is no
 * collision; another VM on that region is.  Last: it adds domains.
 */
static void e2e_moving(void)
{
	const char *u = "/vm/5d0a9e0c-7f1e-4c52-9a4e-2b0c3c1d7e61";
	int r;

	fakexs_set(XS, u, "/local/domain/1/vm");
	fakexs_set(XS, "vm1--incoming", "/local/domain/7/name");
	fakexs_set(XS, u, "/local/domain/7/vm");
	add_vbd(7, 51712, "xvda", "w", 4, "8:0", "209715200", "41943040", "claimed");
	r = RUN(dir_ok, "check");
	EQ_INT(r, 0, "check: vm1 migrating here (its new domain on its region) is fine");
	HAS(OUT, "compared with 4 vbds of running VMs", "  ... the new domain's vbd is compared");
	LACKS(OUT, "error", "  ... and finds nothing");
	r = RUN(dir_ok, "check", "--json");
	EQ_INT(r, 0, "check --json: the same");

	fakexs_set(XS, "thief", "/local/domain/8/name");
	fakexs_set(XS, "/vm/5d0a9e0c-7f1e-4c52-9a4e-2b0c3c1d7e62", "/local/domain/8/vm");
	add_vbd(8, 51712, "xvda", "w", 4, "8:0", "209715200", "41943040", "claimed");
	r = RUN(dir_ok, "check");
	EQ_INT(r, 1, "check: another VM (another UUID) on vm1's region is refused");
	HAS(OUT, "overlaps region /dev/sda start=100G size=20G (rw) of thief xvda",
	    "  ... naming it");
	fakexs_set(XS, u, "/local/domain/8/vm");
	fakexs_set(XS, "41943048", "/local/domain/0/backend/vbd/8/51712/region-sectors");
	r = RUN(dir_ok, "check");
	EQ_INT(r, 1, "check: vm1's UUID with a region of another size is refused too");
	HAS(OUT, "of thief xvda", "  ... naming the domain by its own name");
	fakexs_set(XS, "41943040", "/local/domain/0/backend/vbd/8/51712/region-sectors");
	r = RUN(dir_ok, "check");
	EQ_INT(r, 0, "check: a third domain of vm1 on its region is no collision either");
	fakexs_set(XS, "/vm/5D0A9E0C-7F1E-4C52-9A4E-2B0C3C1D7E61", "/local/domain/8/vm");
	r = RUN(dir_ok, "check");
	EQ_INT(r, 0, "  ... in capitals too");
	fakexs_set(XS, "/vm/not-a-uuid", "/local/domain/7/vm");
	fakexs_set(XS, "/vm/not-a-uuid", "/local/domain/8/vm");
	r = RUN(dir_ok, "check");
	EQ_INT(r, 1, "check: a vm key that is no UUID names no VM (pvblkback refuses that pair)");
}

void test_e2e(const char *srcdir)
{
	char abs[PATH_MAX];

	if (!realpath(srcdir, abs))
		snprintf(abs, sizeof(abs), "%s", srcdir);
	snprintf(dir_ok, sizeof(dir_ok), "%s/tests/fixtures/vm-ok", srcdir);
	snprintf(dir_collide, sizeof(dir_collide), "%s/tests/fixtures/vm-collide", srcdir);
	snprintf(dir_bad, sizeof(dir_bad), "%s/tests/fixtures/vm-bad", srcdir);
	snprintf(dir_extra, sizeof(dir_extra), "%s/tests/fixtures/extra", srcdir);
	if (!OK(!world_create(&W), "fake sysfs and /dev in a temporary directory"))
		return;
	build_world();
	build_xenstore();
	xs_up = true;

	e2e_check();
	e2e_carve();
	e2e_list();
	e2e_stats();
	e2e_top();
	e2e_cli();
	e2e_leases();
	snprintf(dir_ok, sizeof(dir_ok), "%s/tests/fixtures/vm-ok", abs);
	e2e_binary(abs);
	e2e_manpage(srcdir);
	e2e_moving();

	world_destroy(&W);
	fakexs_free(XS);
	free(OUT);
	free(ERR);
	OUT = NULL;
	ERR = NULL;
}
