// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "blkdev.h"
#include "pvbackctl.h"
#include "running.h"
#include "sysfs.h"
#include "util.h"
#include "xsrc.h"

const char *xenbus_state_name(int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	if (state < 0 || state >= (int)ARRAY_SIZE(names))
		return "-";
	return names[state];
}

static struct rdom *get_dom(struct running *r, unsigned int domid)
{
	size_t i;

	for (i = 0; i < r->ndoms; i++)
		if (r->doms[i].domid == domid)
			return &r->doms[i];
	r->doms = xrealloc(r->doms, (r->ndoms + 1) * sizeof(*r->doms));
	memset(&r->doms[r->ndoms], 0, sizeof(*r->doms));
	r->doms[r->ndoms].domid = domid;
	return &r->doms[r->ndoms++];
}

static int read_state(struct xsrc *xs, const char *dir)
{
	char *v = xs_get(xs, "%s/" XS_STATE, dir);
	unsigned int s;
	int ret = -1;

	if (v && parse_uint(v, &s) && s < 100)
		ret = s;
	free(v);
	return ret;
}

/* Region sectors must be expressible in bytes. */
static bool sectors_ok(const struct rvbd *b)
{
	return b->rstart <= UINT64_MAX >> PVBLK_SECTOR_SHIFT &&
	       b->rsectors <= UINT64_MAX >> PVBLK_SECTOR_SHIFT;
}

static void load_vbd(struct pvctx *ctx, struct xsrc *xs, struct rvbd *b)
{
	char *dir = xasprintf(XS_BACKEND "/vbd/%u/%u", b->domid, b->devid);
	char *pd, *rs, *rn, *path, buf[64];
	struct blkinfo bi;
	u64 rings;

	b->vdev = xs_get(xs, "%s/" XS_DEV, dir);
	b->params = xs_get(xs, "%s/" XS_PARAMS, dir);
	b->script = xs_get(xs, "%s/" XS_SCRIPT, dir);
	b->mode = xs_get(xs, "%s/" PVBLK_XS_MODE, dir);
	b->region_status = xs_get(xs, "%s/" PVBLK_XS_REGION_STATUS, dir);
	b->hotplug_error = xs_get(xs, "%s/" PVBLK_XS_HOTPLUG_ERROR, dir);
	b->state = read_state(xs, dir);
	b->ro = !b->mode || !strchr(b->mode, 'w');

	pd = xs_get(xs, "%s/" PVBLK_XS_PHYSICAL_DEVICE, dir);
	if (pd && parse_majmin_hex(trim(pd), &b->maj, &b->min) &&
	    (b->maj || b->min))
		b->have_dev = true;
	rs = xs_get(xs, "%s/" PVBLK_XS_REGION_START, dir);
	rn = xs_get(xs, "%s/" PVBLK_XS_REGION_SECTORS, dir);
	if (rs && rn && parse_u64(rs, &b->rstart) &&
	    parse_u64(rn, &b->rsectors) && sectors_ok(b))
		b->have_region = true;
	else if (rs || rn)
		b->region_bad = true;

	if (b->have_dev) {
		if (blk_lookup_dev(ctx, b->maj, b->min, &bi) == BLK_OK &&
		    bi.name[0]) {
			blk_display(&bi, b->devpath, sizeof(b->devpath));
		} else {
			path = xs_get(xs, "%s/" PVBLK_XS_REGION_DEVICE,
				      dir);
			snprintf(b->devpath, sizeof(b->devpath), "%s",
				 path ? path : "");
			if (!path)
				snprintf(b->devpath, sizeof(b->devpath),
					 "%x:%x", b->maj, b->min);
			free(path);
		}
	}

	b->nr_rings = -1;
	b->in_sysfs = sys_exists(ctx, SYS_BACKENDS "/vbd-%u-%u", b->domid,
				 b->devid);
	if (!sys_read_u64(ctx, &rings, SYS_BACKENDS "/vbd-%u-%u/"
			  PVBLK_SYSFS_NR_RINGS, b->domid, b->devid) &&
	    rings < 1024)
		b->nr_rings = rings;
	/* no region keys in xenstore: sysfs may still know it */
	if (!b->have_region && !b->region_bad &&
	    !sys_read(ctx, buf, sizeof(buf), SYS_BACKENDS "/vbd-%u-%u/"
		      PVBLK_SYSFS_REGION, b->domid, b->devid)) {
		char *sp = strchr(buf, ' ');

		if (sp) {
			*sp++ = '\0';
			if (parse_u64(buf, &b->rstart) &&
			    parse_u64(sp, &b->rsectors) && sectors_ok(b))
				b->have_region = true;
		}
	}
	free(pd);
	free(rs);
	free(rn);
	free(dir);
}

static void load_vif(struct pvctx *ctx, struct xsrc *xs, struct rvif *v)
{
	char *dir = xasprintf(XS_BACKEND "/vif/%u/%u", v->domid, v->devid);

	v->mac = xs_get(xs, "%s/" XS_MAC, dir);
	v->bridge = xs_get(xs, "%s/" XS_BRIDGE, dir);
	v->script = xs_get(xs, "%s/" XS_SCRIPT, dir);
	v->state = read_state(xs, dir);
	snprintf(v->netdev, sizeof(v->netdev), "vif%u.%u", v->domid, v->devid);
	sys_link_base(ctx, v->master, sizeof(v->master),
		      SYS_NET "/%s/master", v->netdev);
	sys_read(ctx, v->operstate, sizeof(v->operstate),
		 SYS_NET "/%s/operstate", v->netdev);
	free(dir);
}

static int cmp_uint_str(const void *a, const void *b)
{
	return cmp_natural(*(char *const *)a, *(char *const *)b);
}

/* Backends of one type: backend/<type>/<domid>/<devid>. */
static void load_backends(struct pvctx *ctx, struct xsrc *xs,
			  struct running *r, const char *type)
{
	unsigned int nd, i, j;
	char **doms = xs_ls(xs, &nd, XS_BACKEND "/%s", type);

	if (doms)
		qsort(doms, nd, sizeof(*doms), cmp_uint_str);
	for (i = 0; i < nd; i++) {
		unsigned int domid, nn, devid;
		char **devs;
		struct rdom *d;

		if (!parse_uint(doms[i], &domid))
			continue;
		devs = xs_ls(xs, &nn, XS_BACKEND "/%s/%u", type, domid);
		if (devs)
			qsort(devs, nn, sizeof(*devs), cmp_uint_str);
		d = get_dom(r, domid);
		for (j = 0; j < nn; j++) {
			if (!parse_uint(devs[j], &devid))
				continue;
			if (!strcmp(type, "vbd")) {
				d->vbds = xrealloc(d->vbds, (d->nvbds + 1) *
						   sizeof(*d->vbds));
				memset(&d->vbds[d->nvbds], 0, sizeof(*d->vbds));
				d->vbds[d->nvbds].domid = domid;
				d->vbds[d->nvbds].devid = devid;
				load_vbd(ctx, xs, &d->vbds[d->nvbds++]);
			} else {
				d->vifs = xrealloc(d->vifs, (d->nvifs + 1) *
						   sizeof(*d->vifs));
				memset(&d->vifs[d->nvifs], 0, sizeof(*d->vifs));
				d->vifs[d->nvifs].domid = domid;
				d->vifs[d->nvifs].devid = devid;
				load_vif(ctx, xs, &d->vifs[d->nvifs++]);
			}
		}
		free(devs);
	}
	free(doms);
}

static int cmp_dom(const void *a, const void *b)
{
	const struct rdom *x = a, *y = b;

	return x->domid < y->domid ? -1 : x->domid > y->domid;
}

/*
 * The UUID in a domain's "vm" key ("/vm/<uuid>"), lower case, or NULL when
 * there is none or it is not one: read as pvblkback reads it (uuid_parse():
 * 36 characters, dashes at 8, 13, 18 and 23, hex digits in any case).
 */
static char *vm_uuid(struct xsrc *xs, unsigned int domid)
{
	char *path = xs_get(xs, XS_DOMAINS "/%u/vm", domid);
	char *uuid = NULL;
	const char *u;
	int i;

	if (!path)
		return NULL;
	u = strrchr(path, '/');
	u = u ? u + 1 : path;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !isxdigit((unsigned char)u[i]))
			break;
	}
	if (i == 36) {
		uuid = xstrdup(u);
		uuid[36] = '\0';
		for (i = 0; i < 36; i++)
			uuid[i] = tolower((unsigned char)uuid[i]);
	}
	free(path);
	return uuid;
}

/* Domains sorted by domid: the first of each UUID names the VM. */
static void set_vm_names(struct running *r)
{
	size_t i, j;

	for (i = 0; i < r->ndoms; i++) {
		struct rdom *d = &r->doms[i];

		d->vm = d->name;
		if (!d->uuid)
			continue;
		for (j = 0; j < i; j++) {
			if (r->doms[j].uuid && streq(r->doms[j].uuid, d->uuid)) {
				d->vm = r->doms[j].name;
				break;
			}
		}
	}
}

int running_load(struct pvctx *ctx, struct running *r)
{
	struct xsrc *xs = ctx_xs(ctx);
	unsigned int n, i, domid;
	char **doms;

	memset(r, 0, sizeof(*r));
	if (!xs)
		return -1;
	doms = xs_ls(xs, &n, XS_DOMAINS);
	for (i = 0; i < n; i++) {
		/* dom0 is listed only when it has backends of its own */
		if (parse_uint(doms[i], &domid) && domid != 0)
			get_dom(r, domid);
	}
	free(doms);
	load_backends(ctx, xs, r, "vbd");
	load_backends(ctx, xs, r, "vif");
	for (i = 0; i < r->ndoms; i++) {
		r->doms[i].name = xs_get(xs, XS_DOMAINS "/%u/name",
					 r->doms[i].domid);
		r->doms[i].uuid = vm_uuid(xs, r->doms[i].domid);
	}
	qsort(r->doms, r->ndoms, sizeof(*r->doms), cmp_dom);
	set_vm_names(r);
	return 0;
}

void running_free(struct running *r)
{
	size_t i, j;

	for (i = 0; i < r->ndoms; i++) {
		struct rdom *d = &r->doms[i];

		for (j = 0; j < d->nvbds; j++) {
			struct rvbd *b = &d->vbds[j];

			free(b->vdev);
			free(b->params);
			free(b->script);
			free(b->mode);
			free(b->region_status);
			free(b->hotplug_error);
		}
		for (j = 0; j < d->nvifs; j++) {
			free(d->vifs[j].mac);
			free(d->vifs[j].bridge);
			free(d->vifs[j].script);
		}
		free(d->vbds);
		free(d->vifs);
		free(d->name);
		free(d->uuid);
	}
	free(r->doms);
	memset(r, 0, sizeof(*r));
}

const struct rdom *running_find(const struct running *r, const char *vm)
{
	unsigned int domid;
	size_t i;

	for (i = 0; i < r->ndoms; i++)
		if (streq(r->doms[i].name, vm))
			return &r->doms[i];
	if (parse_uint(vm, &domid))
		for (i = 0; i < r->ndoms; i++)
			if (r->doms[i].domid == domid)
				return &r->doms[i];
	return NULL;
}

const char *rdom_name(const struct rdom *d)
{
	static char buf[32];

	if (d->name)
		return d->name;
	snprintf(buf, sizeof(buf), "(domain %u)", d->domid);
	return buf;
}
