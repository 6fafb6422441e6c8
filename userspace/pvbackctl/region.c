// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "region.h"
#include "util.h"

bool extent_overlap(const struct extent *a, const struct extent *b)
{
	if (!a->len || !b->len)
		return false;
	/* a.start < b.end && b.start < a.end, without computing ends */
	if (a->start <= b->start)
		return b->start - a->start < a->len;
	return a->start - b->start < b->len;
}

bool claims_collide(const struct extent *a, bool a_ro,
		    const struct extent *b, bool b_ro)
{
	if (a_ro && b_ro)
		return false;
	return extent_overlap(a, b);
}

enum region_err region_check(u64 start, bool has_size, u64 size,
			     u64 dev_size, unsigned int lbs, u64 *len)
{
	if (start >= dev_size)
		return REGION_START_PAST_END;
	if (!has_size)
		size = dev_size - start;
	*len = size;
	if (!size)
		return REGION_EMPTY;
	if (lbs && (start % lbs || size % lbs))
		return REGION_MISALIGNED;
	if (size > dev_size - start)
		return REGION_PAST_END;
	return REGION_OK;
}

int extent_to_disk(u64 part_start, u64 part_len,
		   const struct extent *in, struct extent *out)
{
	if (in->start > part_len || in->len > part_len - in->start)
		return -1;
	if (in->start > UINT64_MAX - part_start)
		return -1;
	if (in->len > UINT64_MAX - (part_start + in->start))
		return -1;
	out->start = part_start + in->start;
	out->len = in->len;
	return 0;
}

bool extent_clip(const struct extent *e, u64 base, u64 len,
		 struct extent *out)
{
	struct extent win = { base, len };
	u64 s, end_e, end_w;

	if (!extent_overlap(e, &win))
		return false;
	/* Ends may exceed 2^64 - 1: cap them, they are only compared. */
	end_e = e->len > UINT64_MAX - e->start ? UINT64_MAX : e->start + e->len;
	end_w = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	s = e->start > base ? e->start : base;
	out->start = s - base;
	out->len = (end_e < end_w ? end_e : end_w) - s;
	return true;
}

static int cmp_extent(const void *a, const void *b)
{
	const struct extent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/* Smallest multiple of align >= v; false on overflow. */
static bool align_up(u64 v, u64 align, u64 *out)
{
	u64 r = v % align;

	if (!r) {
		*out = v;
		return true;
	}
	if (v > UINT64_MAX - (align - r))
		return false;
	*out = v + (align - r);
	return true;
}

/* Try the gap [from, to); update the largest aligned free length seen. */
static bool try_gap(u64 from, u64 to, u64 size, u64 align,
		    u64 *start, u64 *largest, u64 *largest_at)
{
	u64 a;

	if (from >= to || !align_up(from, align, &a) || a >= to)
		return false;
	if (to - a > *largest) {
		*largest = to - a;
		*largest_at = a;
	}
	if (to - a >= size) {
		*start = a;
		return true;
	}
	return false;
}

int carve_first_fit(const struct extent *used, size_t n, u64 dev_len,
		    u64 size, u64 align, u64 *start,
		    u64 *largest, u64 *largest_at)
{
	struct extent *s = xcalloc(n, sizeof(*s));
	u64 cur = 0;
	size_t i, m = 0;
	int ret = -1;

	*largest = 0;
	*largest_at = 0;
	if (!align)
		align = 1;
	for (i = 0; i < n; i++)
		if (used[i].len)
			s[m++] = used[i];
	qsort(s, m, sizeof(*s), cmp_extent);

	if (!size)
		goto out;
	for (i = 0; i < m && cur < dev_len; i++) {
		u64 end;

		if (s[i].start > cur) {
			u64 to = s[i].start < dev_len ? s[i].start : dev_len;

			if (try_gap(cur, to, size, align, start, largest,
				    largest_at)) {
				ret = 0;
				goto out;
			}
		}
		end = s[i].len > UINT64_MAX - s[i].start ? UINT64_MAX :
		      s[i].start + s[i].len;
		if (end > cur)
			cur = end;
	}
	if (cur < dev_len &&
	    try_gap(cur, dev_len, size, align, start, largest, largest_at))
		ret = 0;
out:
	free(s);
	return ret;
}
