/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Region arithmetic on byte extents, overflow safe everywhere (no
 * start + len is ever computed unchecked).  No I/O: every number is given.
 */
#ifndef PVBACKCTL_REGION_H
#define PVBACKCTL_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

/* [start, start + len), bytes.  len 0 is empty and overlaps nothing. */
struct extent {
	u64 start;
	u64 len;
};

bool extent_overlap(const struct extent *a, const struct extent *b);

/*
 * The kernel's rule: two claims on the same disk collide when they overlap
 * and at least one of them is writable.
 */
bool claims_collide(const struct extent *a, bool a_ro,
		    const struct extent *b, bool b_ro);

enum region_err {
	REGION_OK = 0,
	REGION_START_PAST_END,	/* start >= device size */
	REGION_EMPTY,		/* size 0 */
	REGION_MISALIGNED,	/* start or size not a multiple of lbs */
	REGION_PAST_END,	/* start + size > device size */
};

/*
 * Check a region given as a target against its device, in the order the
 * pvback-region script checks it.  A missing size (has_size false) means
 * up to the end of the device; *len returns the effective length.
 */
enum region_err region_check(u64 start, bool has_size, u64 size,
			     u64 dev_size, unsigned int lbs,
			     u64 *len);

/*
 * Translate an extent of a partition that starts at part_start (bytes on
 * its disk) and is part_len long to the whole disk.  Fails (-1) if the
 * extent does not lie inside the partition or the sum would overflow.
 */
int extent_to_disk(u64 part_start, u64 part_len,
		   const struct extent *in, struct extent *out);

/*
 * The part of e inside [base, base + len), relative to base.  Returns false
 * when they do not meet.
 */
bool extent_clip(const struct extent *e, u64 base, u64 len,
		 struct extent *out);

/*
 * First fit: the lowest start, a multiple of align, such that
 * [start, start + size) lies in [0, dev_len) and meets none of used[0..n).
 * Returns 0 and sets *start, or -1 when nothing fits; then *largest is the
 * largest aligned free length anywhere (what could be carved) and
 * *largest_at its start.  used may be unsorted and overlap itself.
 */
int carve_first_fit(const struct extent *used, size_t n, u64 dev_len,
		    u64 size, u64 align, u64 *start,
		    u64 *largest, u64 *largest_at);

#endif
