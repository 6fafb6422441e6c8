// SPDX-License-Identifier: GPL-2.0
/* Region arithmetic: overlap, the rw/ro rule, partitions, carving. */
#include "region.h"
#include "size.h"
#include "test.h"

#define E(s, l) ((struct extent){ (s), (l) })

static void check_overlap(struct extent a, struct extent b, bool want, const char *name)
{
	EQ_INT(extent_overlap(&a, &b), want, "overlap: %s", name);
	EQ_INT(extent_overlap(&b, &a), want, "overlap: %s (reversed)", name);
}

static void try_carve(const struct extent *used, size_t n, u64 dev, u64 size, u64 align,
		      int want_ret, u64 want, const char *name)
{
	u64 start = 12345, largest, at;
	int r = carve_first_fit(used, n, dev, size, align, &start, &largest,
				&at);

	if (!OK(r == want_ret && (r || start == want), "carve: %s", name))
		t_diag("ret %d start %llu (want %d, %llu)", r,
		       (unsigned long long)start, want_ret,
		       (unsigned long long)want);
}

static void check_largest(const struct extent *used, size_t n, u64 dev, u64 size, u64 align,
			  u64 want, u64 want_at, const char *name)
{
	u64 start, l, at;
	int r = carve_first_fit(used, n, dev, size, align, &start, &l, &at);

	if (!OK(r == -1 && l == want && at == want_at,
		"carve: %s: no room, largest gap reported", name))
		t_diag("ret %d largest %llu at %llu", r, (unsigned long long)l,
		       (unsigned long long)at);
}

void test_region(void)
{
	struct extent out;
	u64 len;

	check_overlap(E(0, 10), E(10, 10), false, "adjacent (end == start)");
	check_overlap(E(0, 10), E(9, 10), true, "one byte shared");
	check_overlap(E(0, 10), E(2, 3), true, "contained");
	check_overlap(E(5, 10), E(5, 10), true, "identical");
	check_overlap(E(0, 0), E(0, 10), false, "empty overlaps nothing");
	check_overlap(E(UINT64_MAX - 10, 9), E(UINT64_MAX - 1, 1), false,
		      "adjacent at the top of 2^64");
	check_overlap(E(UINT64_MAX - 10, 11), E(UINT64_MAX, 1), true, "last byte of 2^64");
	check_overlap(E(0, UINT64_MAX), E(UINT64_MAX - 1, 1), true, "huge extent, no wrap");
	check_overlap(E(UINT64_MAX - 5, 100), E(0, 10), false,
		      "an extent running past 2^64 does not wrap to 0");

	OK(claims_collide(&E(0, 10), false, &E(5, 10), false), "rw + rw overlapping collide");
	OK(claims_collide(&E(0, 10), false, &E(5, 10), true), "rw + ro overlapping collide");
	OK(claims_collide(&E(0, 10), true, &E(5, 10), false), "ro + rw overlapping collide");
	OK(!claims_collide(&E(0, 10), true, &E(5, 10), true), "ro + ro may overlap");
	OK(!claims_collide(&E(0, 10), false, &E(10, 10), false), "rw + rw adjacent are fine");

	EQ_INT(region_check(0, false, 0, 1000 * 512, 512, &len), REGION_OK,
	       "no size: rest of the device");
	EQ_U64(len, 1000 * 512, "  ... whose length is the device's");
	EQ_INT(region_check(512, true, 999 * 512, 1000 * 512, 512, &len), REGION_OK,
	       "region ending at the last sector");
	EQ_INT(region_check(512, true, 1000 * 512, 1000 * 512, 512, &len), REGION_PAST_END,
	       "one sector past the end");
	EQ_INT(region_check(1000 * 512, false, 0, 1000 * 512, 512, &len), REGION_START_PAST_END,
	       "start at the end");
	EQ_INT(region_check(0, true, 0, 1000 * 512, 512, &len), REGION_EMPTY, "size 0");
	EQ_INT(region_check(512, true, 4096, 1 << 20, 4096, &len), REGION_MISALIGNED,
	       "start not 4K-aligned on a 4K device");
	EQ_INT(region_check(4096, true, 512, 1 << 20, 4096, &len), REGION_MISALIGNED,
	       "size not 4K-aligned on a 4K device");
	EQ_INT(region_check(4096, true, UINT64_MAX - 4095, 1 << 20, 4096, &len), REGION_PAST_END,
	       "start + size wraps 2^64: past the end");
	EQ_INT(region_check(1 << 19, true, UINT64_MAX - (1 << 19) + 1, 1 << 20, 512, &len),
	       REGION_PAST_END, "start + size == 2^64 exactly");

	OK(!extent_to_disk(1 << 20, 50ULL << 30, &E(1ULL << 30, 1ULL << 30), &out) &&
	   out.start == (1ULL << 30) + (1 << 20) && out.len == 1ULL << 30,
	   "partition at 1M: its 1G is the disk's 1G+1M");
	OK(!extent_to_disk(100, 1000, &E(0, 1000), &out) && out.start == 100,
	   "whole partition");
	OK(extent_to_disk(100, 1000, &E(1, 1000), &out), "one byte past the partition");
	OK(extent_to_disk(100, 1000, &E(1001, 0), &out), "start past the partition");
	OK(extent_to_disk(UINT64_MAX - 10, 1000, &E(20, 10), &out), "disk offset overflow");
	OK(extent_to_disk(0, UINT64_MAX, &E(10, UINT64_MAX), &out), "length overflow");

	OK(extent_clip(&E(5, 10), 10, 100, &out) && out.start == 0 && out.len == 5,
	   "clip: the head sticks out");
	OK(extent_clip(&E(105, 10), 10, 100, &out) && out.start == 95 && out.len == 5,
	   "clip: the tail sticks out");
	OK(!extent_clip(&E(0, 10), 10, 100, &out), "clip: just before the window");
	OK(!extent_clip(&E(110, 10), 10, 100, &out), "clip: just after the window");
	OK(extent_clip(&E(5, UINT64_MAX), 10, 100, &out) && out.len == 100,
	   "clip: an extent past 2^64");

	{
		const u64 M = SZ_M, G = SZ_G;
		struct extent used[] = {
			E(100 * G, 20 * G), E(120 * G, 20 * G), E(300 * G, 1 * G),
		};
		struct extent messy[] = {
			E(10 * M, 5 * M), E(0, 3 * M), E(2 * M, 4 * M),
			E(12 * M, 1 * M),
		};
		struct extent full[] = { E(0, 10 * G) };
		struct extent gaps[] = { E(0, 512), E(M + 512, M - 512) };
		struct extent tail[] = { E(0, 500 * G - 5 * M + 512) };

		try_carve(NULL, 0, 500 * G, 20 * G, M, 0, 0, "empty device: start 0");
		try_carve(used, 3, 500 * G, 100 * G, M, 0, 0, "exact fit before the first region");
		try_carve(used, 3, 500 * G, 100 * G + M, M, 0, 140 * G,
			  "1M too big for the first gap");
		try_carve(used, 3, 500 * G, 160 * G, M, 0, 140 * G, "exact fit between regions");
		try_carve(used, 3, 500 * G, 160 * G + 512, M, 0, 301 * G,
			  "a sector more: the next gap");
		try_carve(used, 3, 500 * G, 199 * G, M, 0, 301 * G, "exact fit at the end");
		try_carve(used, 3, 500 * G, 199 * G + M, M, -1, 0, "no room");
		check_largest(used, 3, 500 * G, 300 * G, M, 199 * G, 301 * G, "300G on 500G");
		try_carve(messy, 4, 20 * M, 4 * M, M, 0, 6 * M, "unsorted, overlapping used list");
		try_carve(messy, 4, 20 * M, 5 * M, M, 0, 15 * M, "skips a gap too small");
		try_carve(full, 1, 10 * G, 512, 512, -1, 0, "full device");
		check_largest(full, 1, 10 * G, 512, 512, 0, 0, "full device");
		try_carve(gaps, 2, 10 * M, M, M, 0, 2 * M,
			  "alignment: the 1M gap at 512 does not hold a 1M-aligned 1M");
		try_carve(gaps, 2, 10 * M, M, 512, 0, 512,
			  "512 alignment: exact fit in the gap at 512");
		try_carve(gaps, 2, 10 * M, M + 512, 512, 0, 2 * M,
			  "512 alignment: a sector more goes to the next gap");
		try_carve(tail, 1, 500 * G, 4 * M, M, 0, 500 * G - 4 * M,
			  "tail gap starting 512 past a 1M boundary: aligned 4M fits exactly");
		try_carve(tail, 1, 500 * G, 5 * M, M, -1, 0,
			  "  ... and its 5M - 512 do not hold 5M");
		try_carve(NULL, 0, 3 * M, 4 * M, M, -1, 0, "bigger than the device");
		try_carve(NULL, 0, 4 * M, 4 * M, M, 0, 0, "exactly the device");
		try_carve(NULL, 0, UINT64_MAX, 1 * G, 3 * G, 0, 0, "huge device");
		{
			struct extent top[] = { E(0, UINT64_MAX - G) };

			try_carve(top, 1, UINT64_MAX, M, 4 * G, -1, 0,
				  "aligning up near 2^64 does not wrap");
		}
	}
}
