// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "blkdev.h"
#include "claims.h"
#include "pvbackctl.h"
#include "running.h"
#include "size.h"
#include "util.h"
#include "vmdefs.h"

static void vdiag(struct diag *d, const char *kind, const char *file, int line,
		  const char *fmt, va_list ap)
{
	FILE *f = d->ctx->out;

	if (d->quiet)
		return;
	if (file && line > 0)
		fprintf(f, "%s:%d: %s: ", file, line, kind);
	else if (file)
		fprintf(f, "%s: %s: ", file, kind);
	else
		fprintf(f, "%s: ", kind);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void diag_error(struct diag *d, const char *file, int line,
		const char *fmt, ...)
{
	va_list ap;

	d->errors++;
	va_start(ap, fmt);
	vdiag(d, "error", file, line, fmt, ap);
	va_end(ap);
}

void diag_warn(struct diag *d, const char *file, int line,
	       const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	va_start(ap, fmt);
	vdiag(d, "warning", file, line, fmt, ap);
	va_end(ap);
}

static struct claim *new_claim(struct claims *cl)
{
	cl->c = xrealloc(cl->c, (cl->n + 1) * sizeof(*cl->c));
	memset(&cl->c[cl->n], 0, sizeof(*cl->c));
	return &cl->c[cl->n++];
}

/*
 * Place [start, start + len) of the device bi on its whole disk.  A region
 * reaching past the end of its device is cut there (it was reported).
 */
static bool place(const struct blkinfo *bi, u64 start, u64 len,
		  struct claim *c)
{
	struct extent e = { start, len }, in;

	c->disk_maj = bi->disk_maj;
	c->disk_min = bi->disk_min;
	if (!extent_clip(&e, 0, bi->size, &in))
		return false;
	return extent_to_disk(bi->part_start, bi->size, &in, &c->ext) == 0;
}

static const char *vm_of(const struct vmdef *def)
{
	const char *slash;

	if (def->name)
		return def->name;
	slash = strrchr(def->path, '/');
	return slash ? slash + 1 : def->path;
}

/* The region disk d of def: parse, look up, check, claim. */
static void region_disk(struct pvctx *ctx, const struct vmdef *def,
			const struct vmdisk *d, const char *who,
			struct claims *cl, struct diag *dg)
{
	char *err, a[32], b[32], c[32];
	struct blkinfo bi;
	struct target t;
	enum region_err re;
	struct claim *cm;
	u64 len = 0;
	bool valid = true;

	if (target_parse(d->ds.target, &t, &err)) {
		diag_error(dg, def->path, d->line, "%s: %s", who, err);
		free(err);
		return;
	}
	if (blk_lookup_path(ctx, t.device, &bi, &err) != BLK_OK) {
		diag_error(dg, def->path, d->line, "%s: %s", who, err);
		free(err);
		target_free(&t);
		return;
	}
	re = region_check(t.start, t.has_size, t.size, bi.size, bi.lbs, &len);
	size_fmt_exact(t.start, a, sizeof(a));
	size_fmt_exact(len, b, sizeof(b));
	size_fmt_exact(bi.size, c, sizeof(c));
	switch (re) {
	case REGION_OK:
		break;
	case REGION_START_PAST_END:
		diag_error(dg, def->path, d->line,
			   "%s: start=%s is at or past the end of %s (%s); move start=",
			   who, a, t.device, c);
		valid = false;
		break;
	case REGION_EMPTY:
		diag_error(dg, def->path, d->line,
			   "%s: size must be larger than 0", who);
		valid = false;
		break;
	case REGION_MISALIGNED:
		diag_error(dg, def->path, d->line,
			   "%s: start and size must be multiples of the %u-byte logical block size of %s (start=%s size=%s); align them to 1M",
			   who, bi.lbs, t.device, a, b);
		valid = false;
		break;
	case REGION_PAST_END:
		diag_error(dg, def->path, d->line,
			   "%s: region start=%s size=%s ends past the end of %s (%s); shrink size= or move start=",
			   who, a, b, t.device, c);
		valid = false;
		break;
	}
	cm = new_claim(cl);
	if (!place(&bi, t.start, len, cm)) {
		cl->n--;
		target_free(&t);
		return;
	}
	snprintf(cm->device, sizeof(cm->device), "%s", t.device);
	cm->start = t.start;
	cm->len = len;
	cm->whole = false;
	cm->valid = valid;
	target_free(&t);
	cm->ro = d->ds.ro;
	cm->vm = vm_of(def);
	cm->vdev = d->ds.vdev;
	cm->file = def->path;
	cm->line = d->line;
	cm->domid = -1;
}

/* A raw disk that may be a whole block device. */
static void whole_disk(struct pvctx *ctx, const struct vmdef *def,
		       const struct vmdisk *d, const char *who, bool explicit,
		       struct claims *cl, struct diag *dg, int *regions)
{
	struct blkinfo bi;
	struct claim *cm;
	enum blk_err e;
	char *err;

	e = blk_lookup_path(ctx, d->ds.target, &bi, &err);
	if (e == BLK_NOTBLK) {
		free(err);	/* a file: xl attaches it some other way */
		return;
	}
	(*regions)++;
	if (e != BLK_OK) {
		if (e == BLK_NOENT && !explicit) {
			/* xl would fail too, but say what it is */
			free(err);
			err = xasprintf("%s does not exist in dom0; check the disk's target",
					d->ds.target);
		}
		diag_error(dg, def->path, d->line, "%s: %s", who, err);
		free(err);
		return;
	}
	cm = new_claim(cl);
	place(&bi, 0, bi.size, cm);
	snprintf(cm->device, sizeof(cm->device), "%s", d->ds.target);
	cm->start = 0;
	cm->len = bi.size;
	cm->whole = true;
	cm->valid = true;
	cm->ro = d->ds.ro;
	cm->vm = vm_of(def);
	cm->vdev = d->ds.vdev;
	cm->file = def->path;
	cm->line = d->line;
	cm->domid = -1;
}

int claims_add_def(struct pvctx *ctx, const struct vmdef *def,
		   struct claims *cl, struct diag *dg)
{
	int regions = 0;
	size_t i;

	if (def->err) {
		diag_error(dg, def->path, def->err_line, "%s", def->err);
		return 0;
	}
	if (!def->name)
		diag_error(dg, def->path, 0,
			   "no name: add a line name = \"NAME\" (xl needs it)");
	if (def->disk_err)
		diag_error(dg, def->path, def->disk_line, "%s", def->disk_err);
	for (i = 0; i < def->ndisks; i++) {
		const struct vmdisk *d = &def->disks[i];
		char who[160];

		snprintf(who, sizeof(who), "%s %s", vm_of(def),
			 d->ds.vdev ? d->ds.vdev : "disk");
		if (d->err) {
			diag_error(dg, def->path, d->line,
				   "%s: disk '%s': %s", vm_of(def), d->spec,
				   d->err);
			continue;
		}
		switch (diskspec_kind(&d->ds)) {
		case DISK_REGION:
			regions++;
			region_disk(ctx, def, d, who, cl, dg);
			break;
		case DISK_WHOLE:
			whole_disk(ctx, def, d, who, true, cl, dg, &regions);
			break;
		case DISK_MAYBE_WHOLE:
			whole_disk(ctx, def, d, who, false, cl, dg, &regions);
			break;
		case DISK_OTHER:
			break;
		}
	}
	return regions;
}

static void running_vbd(struct pvctx *ctx, const struct rdom *dom,
			const struct rvbd *b, struct claims *cl,
			struct diag *dg)
{
	struct blkinfo bi;
	struct claim *cm;
	u64 start, len;

	if (!b->have_dev || streq(b->region_status, PVBLK_REGION_REFUSED))
		return;
	if (b->region_bad) {
		diag_warn(dg, NULL, 0,
			  "running vbd %u/%u (%s %s) has an invalid region in xenstore; pvblkback refuses it: xl block-detach %s %s",
			  b->domid, b->devid, rdom_name(dom),
			  b->vdev ? b->vdev : "?", rdom_name(dom),
			  b->vdev ? b->vdev : "VDEV");
		return;
	}
	if (blk_lookup_dev(ctx, b->maj, b->min, &bi) != BLK_OK) {
		diag_warn(dg, NULL, 0,
			  "running vbd %u/%u (%s): device %x:%x not found in %s" SYS_BLOCK_DEVT
			  "; compared as a disk of its own",
			  b->domid, b->devid, rdom_name(dom), b->maj, b->min, ctx->sysfs);
		memset(&bi, 0, sizeof(bi));
		bi.maj = b->maj;
		bi.min = b->min;
		bi.disk_maj = b->maj;
		bi.disk_min = b->min;
		bi.size = UINT64_MAX;
	}
	if (b->have_region) {
		if (b->rstart > UINT64_MAX >> PVBLK_SECTOR_SHIFT ||
		    b->rsectors > UINT64_MAX >> PVBLK_SECTOR_SHIFT)
			return;
		start = b->rstart << PVBLK_SECTOR_SHIFT;
		len = b->rsectors << PVBLK_SECTOR_SHIFT;
	} else {
		start = 0;
		len = bi.size;
	}
	cm = new_claim(cl);
	if (!place(&bi, start, len, cm)) {
		cl->n--;
		return;
	}
	snprintf(cm->device, sizeof(cm->device), "%s", b->devpath);
	cm->start = start;
	cm->len = len;
	cm->whole = !b->have_region;
	cm->valid = true;
	cm->ro = b->ro;
	cm->vm = dom->vm;
	cm->name = dom->name;
	cm->uuid = dom->uuid;
	cm->vdev = b->vdev;
	cm->domid = dom->domid;
	cm->devid = b->devid;
}

void claims_add_running(struct pvctx *ctx, const struct running *r,
			struct claims *cl, struct diag *dg)
{
	size_t i, j;

	for (i = 0; i < r->ndoms; i++)
		for (j = 0; j < r->doms[i].nvbds; j++)
			running_vbd(ctx, &r->doms[i], &r->doms[i].vbds[j], cl,
				    dg);
}

void claims_free(struct claims *cl)
{
	free(cl->c);
	cl->c = NULL;
	cl->n = 0;
}

void claim_who(const struct claim *c, char *buf, size_t len)
{
	const char *who = c->name ? c->name : c->vm;

	if (who)
		snprintf(buf, len, "%s %s", who, c->vdev ? c->vdev : "disk");
	else
		snprintf(buf, len, "domain %d %s", c->domid,
			 c->vdev ? c->vdev : "disk");
}

void claim_what(const struct claim *c, char *buf, size_t len)
{
	char a[32], b[32];

	if (c->whole) {
		snprintf(buf, len, "%s (whole device, %s)", c->device,
			 c->ro ? "ro" : "rw");
		return;
	}
	size_fmt_exact(c->start, a, sizeof(a));
	size_fmt_exact(c->len, b, sizeof(b));
	snprintf(buf, len, "%s start=%s size=%s (%s)", c->device, a, b,
		 c->ro ? "ro" : "rw");
}
