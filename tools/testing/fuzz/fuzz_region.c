// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: pvblkback's region arithmetic and claim registry
 * (region.c, built unchanged), against a model in 128-bit arithmetic,
 * where nothing can wrap.
 *
 * Input (little-endian; bytes past the end read as zero):
 *    0  u64   region a start         8  u64  region a length
 *   16  u64   region b start        24  u64  region b length
 *   32  u64   device size           40  u32  logical block size (sectors)
 *   44  u64   guest sector          52  u64  sector count
 *   60  u8    bits 0-1: disk of the new claim (a); bit 2: it is writable;
 *             bit 3: it is on the list too (the function must skip it);
 *             bits 4-5: its VM (0: none, else one of three); bits 6-7:
 *             its domain
 *   61  ...   up to 8 claims on the list: u8 (bits 0-1 disk, bit 2
 *             writable, bits 3-4 VM, bits 5-6 domain, bit 7 released),
 *             u64 start, u64 length
 *
 * Invariants:
 * - check(a, device, lb) is 0 exactly when a is non-empty, lb non-zero,
 *   start and length multiples of lb, the end (128-bit) within the device
 *   and within PVBLK_REGION_MAX_SECTORS, the length too; otherwise -EINVAL
 *   or -ERANGE, whichever the failed condition calls for.
 * - translate(a, sector, count) is 0 exactly when sector + count (128-bit)
 *   is within a's length; then phys = start + sector, and for a checked
 *   region [phys, phys + count) lies inside the region; a refusal leaves
 *   phys alone.
 * - overlap(a, b) is true exactly when both are non-empty and the 128-bit
 *   half-open intervals intersect; it is symmetric.
 * - claim_conflict considers the claims on the list, in order, that are
 *   not the new one, are on the same disk, overlap it and of which one of
 *   the two is writable, but for one that is not released and is the same
 *   VM's from another domain with the very same region and access (a VM
 *   moving); it returns the first of them that is not released, else the
 *   first released one, else NULL.
 */
#include <string.h>
#include <linux/errno.h>

#include "fuzz.h"
#include "region.h"

#define MAX_CLAIMS	8

static bool model_overlap(const struct pvblk_region *a,
			  const struct pvblk_region *b)
{
	__uint128_t a0 = a->start, a1 = a0 + a->nr_sectors;
	__uint128_t b0 = b->start, b1 = b0 + b->nr_sectors;

	if (!a->nr_sectors || !b->nr_sectors)
		return false;
	return (a0 > b0 ? a0 : b0) < (a1 < b1 ? a1 : b1);
}

static void check_check(const struct pvblk_region *r, u64 dev, u32 lb)
{
	__uint128_t end = WIDE(r->start) + r->nr_sectors;
	bool inval, range;
	int ret;

	inval = !r->nr_sectors || !lb || r->start % lb || r->nr_sectors % lb;
	range = r->nr_sectors > PVBLK_REGION_MAX_SECTORS || end > dev ||
		end > PVBLK_REGION_MAX_SECTORS;
	ret = pvblk_region_check(r, dev, lb);
	if (!inval && !range) {
		FUZZ_CHECK(ret == 0, "valid region refused: %d", ret);
		return;
	}
	FUZZ_CHECK((ret == -EINVAL && inval) || (ret == -ERANGE && range),
		   "check gave %d; misaligned or empty %d, out of range %d",
		   ret, inval, range);
}

static void check_translate(const struct pvblk_region *r, bool checked,
			    u64 sector, u64 count)
{
	bool fits = WIDE(sector) + count <= r->nr_sectors;
	u64 phys = 0x5a5a5a5a5a5a5a5aULL;
	int ret;

	ret = pvblk_region_translate(r, sector, count, &phys);
	if (!fits) {
		FUZZ_CHECK(ret == -ERANGE && phys == 0x5a5a5a5a5a5a5a5aULL,
			   "sectors outside the region: %d", ret);
		return;
	}
	FUZZ_CHECK(ret == 0, "sectors inside the region refused: %d", ret);
	FUZZ_CHECK(phys == (u64)(r->start + sector), "phys %llu",
		   (unsigned long long)phys);
	if (checked)
		FUZZ_CHECK(WIDE(phys) == WIDE(r->start) + sector &&
			   WIDE(phys) + count <= WIDE(r->start) + r->nr_sectors,
			   "translated range leaves the region");
}

/* VM number 0 is none; the others get UUIDs that differ in one byte. */
static void set_vm(struct pvblk_claim *c, unsigned int vm, unsigned int domid)
{
	memset(&c->vm, 0xa5, sizeof(c->vm));
	c->vm.b[15] = vm;
	c->has_vm = vm;
	c->domid = domid;
}

static bool model_moving(const struct pvblk_claim *o,
			 const struct pvblk_claim *c)
{
	return o->has_vm && c->has_vm && o->vm.b[15] == c->vm.b[15] &&
	       o->domid != c->domid && o->abs.start == c->abs.start &&
	       o->abs.nr_sectors == c->abs.nr_sectors &&
	       o->writable == c->writable;
}

static void check_claims(struct fuzz_in *in, const struct pvblk_region *a)
{
	struct pvblk_claim claims[MAX_CLAIMS + 1] = {};
	const struct pvblk_claim *got, *want = NULL, *first_released = NULL;
	struct pvblk_claim *c = &claims[MAX_CLAIMS];
	unsigned int i, nr = 0;
	struct list_head list;
	u8 f;

	INIT_LIST_HEAD(&list);
	f = fuzz_u8(in);
	c->disk = f & 3;
	c->abs = *a;
	c->writable = f & 4;
	set_vm(c, (f >> 4) & 3, f >> 6);
	while (in->left && nr < MAX_CLAIMS) {
		struct pvblk_claim *o = &claims[nr++];
		u8 g = fuzz_u8(in);

		o->disk = g & 3;
		o->writable = g & 4;
		o->abs.start = fuzz_u64(in);
		o->abs.nr_sectors = fuzz_u64(in);
		set_vm(o, (g >> 3) & 3, (g >> 5) & 3);
		o->released = g & 0x80;
		list_add_tail(&o->node, &list);
		/* Half-way down the list, the new claim itself, if asked. */
		if (nr == MAX_CLAIMS / 2 && (f & 8))
			list_add_tail(&c->node, &list);
	}
	for (i = 0; i < nr && !want; i++) {
		const struct pvblk_claim *o = &claims[i];

		if (o->disk != c->disk || !(o->writable || c->writable) ||
		    !model_overlap(&o->abs, &c->abs))
			continue;
		if (o->released)
			first_released = first_released ?: o;
		else if (!model_moving(o, c))
			want = o;
	}
	if (!want)
		want = first_released;
	got = pvblk_claim_conflict(&list, c);
	FUZZ_CHECK(got == want, "conflict with claim %ld, expected %ld",
		   got ? (long)(got - claims) : -1L,
		   want ? (long)(want - claims) : -1L);
}

/* The lease key: only "held" or a surely absent key serves (fails closed). */
static void check_lease(struct fuzz_in *in)
{
	char val[8] = { 0 };
	enum pvblk_lease l;
	int err = -(int)(fuzz_u8(in) % 16);

	fuzz_copy(in, val, sizeof(val) - 1);
	l = pvblk_lease_parse(val, 0);
	FUZZ_CHECK(l == (!strcmp(val, "held") ? PVBLK_LEASE_HELD :
			 !strcmp(val, "lost") ? PVBLK_LEASE_LOST :
			 PVBLK_LEASE_PENDING), "lease '%s' -> %d", val, l);
	FUZZ_CHECK(pvblk_lease_serves(l) == (l == PVBLK_LEASE_HELD),
		   "lease '%s' serves", val);
	l = pvblk_lease_parse(NULL, err);
	FUZZ_CHECK(pvblk_lease_serves(l) == (err == -ENOENT),
		   "unreadable lease key (%d) serves", err);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct pvblk_region a, b;
	u64 dev, sector, count;
	bool ov;
	u32 lb;

	a.start = fuzz_u64(&in);
	a.nr_sectors = fuzz_u64(&in);
	b.start = fuzz_u64(&in);
	b.nr_sectors = fuzz_u64(&in);
	dev = fuzz_u64(&in);
	lb = fuzz_u32(&in);
	sector = fuzz_u64(&in);
	count = fuzz_u64(&in);

	check_check(&a, dev, lb);
	check_translate(&a, !pvblk_region_check(&a, dev, lb), sector, count);
	ov = pvblk_region_overlap(&a, &b);
	FUZZ_CHECK(ov == model_overlap(&a, &b), "overlap %d", ov);
	FUZZ_CHECK(ov == pvblk_region_overlap(&b, &a), "overlap not symmetric");
	check_claims(&in, &a);
	check_lease(&in);
	return 0;
}
