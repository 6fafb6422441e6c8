// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl carve: the first free, aligned region of a given size on a
 * device.  Used space is every claim (definitions and running vbds, any
 * mode, valid or not) on the device's disk and, on a whole disk, its
 * partitions: a region must never be carved out of a filesystem.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev.h"
#include "claims.h"
#include "pvbackctl.h"
#include "region.h"
#include "running.h"
#include "size.h"
#include "util.h"
#include "vmdefs.h"

struct used {
	struct extent *e;
	size_t n;
};

static void add_used(struct used *u, u64 start, u64 len)
{
	u->e = xrealloc(u->e, (u->n + 1) * sizeof(*u->e));
	u->e[u->n].start = start;
	u->e[u->n].len = len;
	u->n++;
}

static void add_partition(void *arg, const char *name, u64 start,
			  u64 size)
{
	(void)name;
	add_used(arg, start, size);
}

static int get_size(struct pvctx *ctx, const char *opt, const char *val,
		    u64 *out)
{
	switch (size_parse(val, out)) {
	case SIZE_OK:
		return 0;
	case SIZE_TOO_LARGE:
		errmsg(ctx, "carve: %s %s is too large", opt, val);
		break;
	case SIZE_INVALID:
		errmsg(ctx,
		       "carve: %s %s is not a size; use a number with an optional suffix s, K, M, G, T or P (e.g. %s 20G)",
		       opt, val, opt);
		break;
	}
	return -1;
}

int cmd_carve(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "size", required_argument, NULL, 's' },
		{ "align", required_argument, NULL, 'a' },
		{ "vdev", required_argument, NULL, 'v' },
		{ "ro", no_argument, NULL, 'r' },
		{ "target-only", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vdev = "xvda", *device;
	u64 size = 0, align = SZ_M, start, largest, largest_at;
	bool have_size = false, ro = false, target_only = false;
	struct diag quiet = { .ctx = ctx, .quiet = true };
	struct vmdefs defs = { 0 };
	struct claims cl = { 0 };
	struct used used = { 0 };
	struct running run;
	struct blkinfo bi;
	char *err, a[32], b[32], c[32], al[32];
	int ch, r, ret = EXIT_PROBLEM;
	size_t i;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (get_size(ctx, "--size", optarg, &size))
				return EXIT_USAGE;
			have_size = true;
			continue;
		case 'a':
			if (get_size(ctx, "--align", optarg, &align))
				return EXIT_USAGE;
			continue;
		case 'v':
			vdev = optarg;
			continue;
		case 'r':
			ro = true;
			continue;
		case 't':
			target_only = true;
			continue;
		}
		r = common_opt(ctx, "carve", ch, argv);
		if (r >= 0)
			return r;
		if (r == -1)
			return EXIT_USAGE;
	}
	if (!have_size || optind != argc - 1) {
		errmsg(ctx,
		       "carve: %s; usage: pvbackctl carve --size SIZE [--align SIZE] [--vdev VDEV] [--ro] [--target-only] DEVICE",
		       !have_size ? "--size is required" : "give exactly one DEVICE");
		return EXIT_USAGE;
	}
	if (!size || !align) {
		errmsg(ctx, "carve: %s must be larger than 0",
		       !size ? "--size" : "--align");
		return EXIT_USAGE;
	}
	device = argv[optind];
	if (device[0] != '/') {
		errmsg(ctx, "carve: device '%s' must be an absolute path such as /dev/sda",
		       device);
		return EXIT_USAGE;
	}
	if (blk_lookup_path(ctx, device, &bi, &err) == BLK_NOENT) {
		errmsg(ctx,
		       "carve: %s does not exist in dom0; check the path (lsblk lists the block devices)",
		       device);
		free(err);
		return EXIT_PROBLEM;
	} else if (err) {
		errmsg(ctx, "carve: %s", err);
		free(err);
		return EXIT_PROBLEM;
	}
	if (size % bi.lbs || align % bi.lbs) {
		errmsg(ctx,
		       "carve: --size and --align must be multiples of the %u-byte logical block size of %s",
		       bi.lbs, device);
		return EXIT_USAGE;
	}

	/* what is taken: definitions, running vbds, partitions */
	r = vmdefs_load_dir(ctx->vm_dir, &defs);
	if (r)
		warnmsg(ctx, "cannot read the VM directory %s (%s): its VMs are not avoided",
			ctx->vm_dir, strerror(-r));
	for (i = 0; i < defs.n; i++) {
		quiet.errors = 0;
		claims_add_def(ctx, &defs.v[i], &cl, &quiet);
		if (quiet.errors)
			warnmsg(ctx,
				"%s has problems (pvbackctl check %s); its valid regions are avoided",
				defs.v[i].path, defs.v[i].path);
	}
	if (running_load(ctx, &run) == 0) {
		claims_add_running(ctx, &run, &cl, &quiet);
	} else {
		warnmsg(ctx, "%s; running VMs are not avoided, only the definitions of %s",
			ctx->xs_err, ctx->vm_dir);
		memset(&run, 0, sizeof(run));
	}
	for (i = 0; i < cl.n; i++) {
		struct extent e;

		if (cl.c[i].disk_maj != bi.disk_maj ||
		    cl.c[i].disk_min != bi.disk_min)
			continue;
		/* disk -> device coordinates */
		if (extent_clip(&cl.c[i].ext, bi.part_start, bi.size, &e))
			add_used(&used, e.start, e.len);
	}
	if (!bi.partition)
		blk_partitions(ctx, &bi, add_partition, &used);

	if (carve_first_fit(used.e, used.n, bi.size, size, align, &start,
			    &largest, &largest_at)) {
		size_fmt_exact(size, a, sizeof(a));
		size_fmt_exact(largest, b, sizeof(b));
		size_fmt_exact(largest_at, c, sizeof(c));
		size_fmt_exact(align, al, sizeof(al));
		if (largest)
			errmsg(ctx,
			       "carve: no free %s on %s; the largest free %s-aligned gap is %s at start=%s",
			       a, device, al, b, c);
		else
			errmsg(ctx, "carve: no free space on %s", device);
		goto out;
	}
	size_fmt_exact(start, a, sizeof(a));
	size_fmt_exact(size, b, sizeof(b));
	if (target_only)
		fprintf(ctx->out, "%s,start=%s,size=%s\n", device, a, b);
	else
		fprintf(ctx->out,
			"'vdev=%s, access=%s, script=pvback-region, target=%s,start=%s,size=%s'\n",
			vdev, ro ? "ro" : "rw", device, a, b);
	ret = EXIT_OK;
out:
	free(used.e);
	claims_free(&cl);
	running_free(&run);
	vmdefs_free(&defs);
	return ret;
}
