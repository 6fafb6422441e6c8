// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rates.h"
#include "util.h"

const char *const sort_names[SORT_NR] = {
	[SORT_IOPS] = "iops", [SORT_MBPS] = "mbps", [SORT_NAME] = "name",
};

int sort_parse(const char *s)
{
	int i;

	for (i = 0; i < SORT_NR; i++)
		if (!strcmp(s, sort_names[i]))
			return i;
	return -1;
}

static const struct tdev *match(const struct tdev *prev, size_t n,
				const struct tdev *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (prev[i].domid == d->domid && prev[i].vif == d->vif &&
		    prev[i].devid == d->devid)
			return &prev[i];
	return NULL;
}

size_t rates_compute(const struct tdev *prev, size_t nprev,
		     const struct tdev *cur, size_t ncur, double dt,
		     struct trow *rows)
{
	size_t i;
	int k;

	for (i = 0; i < ncur; i++) {
		const struct tdev *d = &cur[i], *p = match(prev, nprev, d);
		struct trow *r = &rows[i];
		double delta[C_NR];

		memset(r, 0, sizeof(*r));
		r->domid = d->domid;
		r->vif = d->vif;
		snprintf(r->vm, sizeof(r->vm), "%s", d->vm);
		snprintf(r->dev, sizeof(r->dev), "%s", d->dev);
		r->fresh = !p || !p->ok || !d->ok || dt <= 0;
		for (k = 0; !r->fresh && k < C_NR; k++) {
			if (d->c[k] < p->c[k])
				r->fresh = true;
			else
				delta[k] = (double)(d->c[k] - p->c[k]);
		}
		if (r->fresh)
			continue;
		r->rops = delta[C_ROPS] / dt;
		r->wops = (delta[C_WOPS] + delta[C_OOPS]) / dt;
		r->rmbps = delta[C_RBYTES] / dt / (1 << 20);
		r->wmbps = delta[C_WBYTES] / dt / (1 << 20);
	}
	return ncur;
}

static enum sort_key cur_key;

static int cmp_name(const struct trow *a, const struct trow *b)
{
	int c = cmp_natural(a->vm, b->vm);

	if (c)
		return c;
	if (a->domid != b->domid)
		return a->domid < b->domid ? -1 : 1;
	if (a->vif != b->vif)
		return a->vif ? 1 : -1;	/* disks first */
	return cmp_natural(a->dev, b->dev);
}

static int cmp_rows(const void *x, const void *y)
{
	const struct trow *a = x, *b = y;
	double va, vb;

	switch (cur_key) {
	case SORT_IOPS:
		va = a->rops + a->wops;
		vb = b->rops + b->wops;
		break;
	case SORT_MBPS:
		va = a->rmbps + a->wmbps;
		vb = b->rmbps + b->wmbps;
		break;
	default:
		return cmp_name(a, b);
	}
	/* no rate known: after the idle ones */
	if (a->fresh)
		va = -1;
	if (b->fresh)
		vb = -1;
	if (va != vb)
		return va > vb ? -1 : 1;	/* busiest first */
	return cmp_name(a, b);
}

void rates_sort(struct trow *rows, size_t n, enum sort_key key)
{
	cur_key = key;
	qsort(rows, n, sizeof(*rows), cmp_rows);
}
