// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: region arithmetic and the overlap registry.
 */
#include <kunit/test.h>
#include <linux/kdev_t.h>
#include <linux/pvback.h>

#include "../region.h"

#define GIB_SECTORS	BIT_ULL(21)

static void region_check_accepts(struct kunit *test)
{
	struct pvblk_region r = { .start = 10 * GIB_SECTORS,
				  .nr_sectors = 20 * GIB_SECTORS };
	u64 disk = 500 * GIB_SECTORS;

	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 1), 0);
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 8), 0);
	/* Ending exactly at the end of the disk is fine. */
	r.start = disk - r.nr_sectors;
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 1), 0);
	/* The whole disk. */
	r.start = 0;
	r.nr_sectors = disk;
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 1), 0);
}

static void region_check_rejects(struct kunit *test)
{
	u64 disk = 500 * GIB_SECTORS;
	struct pvblk_region r;

	r = (struct pvblk_region){ .start = 0, .nr_sectors = 0 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 1), -EINVAL);
	r = (struct pvblk_region){ .start = disk - 1, .nr_sectors = 2 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 1), -ERANGE);
	r = (struct pvblk_region){ .start = disk, .nr_sectors = 1 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 1), -ERANGE);
	/* start + length wraps around 64 bits. */
	r = (struct pvblk_region){ .start = U64_MAX - 5, .nr_sectors = 10 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, U64_MAX, 1), -ERANGE);
	/* Too large for (start + length) << 9 to fit in 64 bits. */
	r = (struct pvblk_region){ .start = 0, .nr_sectors = U64_MAX >> 8 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, U64_MAX, 1), -ERANGE);
	r = (struct pvblk_region){ .start = PVBLK_REGION_MAX_SECTORS,
				   .nr_sectors = 1 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, U64_MAX, 1), -ERANGE);
	/* 4 KiB logical blocks: start and length must be multiples of 8. */
	r = (struct pvblk_region){ .start = 4, .nr_sectors = 64 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 8), -EINVAL);
	r = (struct pvblk_region){ .start = 8, .nr_sectors = 60 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 8), -EINVAL);
	r = (struct pvblk_region){ .start = 8, .nr_sectors = 64 };
	KUNIT_EXPECT_EQ(test, pvblk_region_check(&r, disk, 0), -EINVAL);
}

static void region_translate(struct kunit *test)
{
	struct pvblk_region r = { .start = 1000, .nr_sectors = 100 };
	u64 phys = 0;

	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, 0, 1, &phys), 0);
	KUNIT_EXPECT_EQ(test, phys, 1000ULL);
	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, 99, 1, &phys), 0);
	KUNIT_EXPECT_EQ(test, phys, 1099ULL);
	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, 92, 8, &phys), 0);
	KUNIT_EXPECT_EQ(test, phys, 1092ULL);

	phys = 7;
	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, 100, 1, &phys),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, 99, 2, &phys),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, U64_MAX, 1, &phys),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, pvblk_region_translate(&r, 1, U64_MAX, &phys),
			-ERANGE);
	KUNIT_EXPECT_EQ(test,
			pvblk_region_translate(&r, U64_MAX - 50, 100, &phys),
			-ERANGE);
	/* A refused translation leaves the output alone. */
	KUNIT_EXPECT_EQ(test, phys, 7ULL);
}

static void region_overlap(struct kunit *test)
{
	struct pvblk_region a = { .start = 100, .nr_sectors = 100 };
	struct pvblk_region b;

	b = (struct pvblk_region){ .start = 200, .nr_sectors = 50 };
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&a, &b));
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&b, &a));
	b = (struct pvblk_region){ .start = 50, .nr_sectors = 50 };
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&a, &b));
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&b, &a));
	b = (struct pvblk_region){ .start = 199, .nr_sectors = 1 };
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&a, &b));
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&b, &a));
	b = (struct pvblk_region){ .start = 50, .nr_sectors = 51 };
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&a, &b));
	b = (struct pvblk_region){ .start = 0, .nr_sectors = 1000 };
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&a, &b));
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&b, &a));
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&a, &a));
	b = (struct pvblk_region){ .start = 150, .nr_sectors = 0 };
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&a, &b));
	/* Near the top of the range nothing may wrap. */
	a = (struct pvblk_region){ .start = U64_MAX - 10, .nr_sectors = 10 };
	b = (struct pvblk_region){ .start = 0, .nr_sectors = 5 };
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&a, &b));
	KUNIT_EXPECT_FALSE(test, pvblk_region_overlap(&b, &a));
	b = (struct pvblk_region){ .start = U64_MAX - 1, .nr_sectors = 1 };
	KUNIT_EXPECT_TRUE(test, pvblk_region_overlap(&a, &b));
}

static void claim_add(struct list_head *list, struct pvblk_claim *c,
		      dev_t disk, u64 start, u64 n, bool rw)
{
	memset(c, 0, sizeof(*c));
	c->disk = disk;
	c->abs.start = start;
	c->abs.nr_sectors = n;
	c->writable = rw;
	c->released = false;
	list_add_tail(&c->node, list);
}

static void claim_conflicts(struct kunit *test)
{
	struct pvblk_claim c[4], n = {};
	LIST_HEAD(claims);

	claim_add(&claims, &c[0], MKDEV(8, 0), 0, 1000, true);
	claim_add(&claims, &c[1], MKDEV(8, 0), 2000, 1000, false);
	claim_add(&claims, &c[2], MKDEV(8, 16), 0, 1000, true);

	/* A free window next to a writable region. */
	n.disk = MKDEV(8, 0);
	n.abs = (struct pvblk_region){ .start = 1000, .nr_sectors = 1000 };
	n.writable = true;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n), NULL);

	/* Writable into a writable one. */
	n.abs.start = 999;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&c[0]);
	/* Read-only into a writable one: still refused. */
	n.writable = false;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&c[0]);
	/* Read-only over a read-only one: shared. */
	n.abs = (struct pvblk_region){ .start = 2500, .nr_sectors = 10 };
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n), NULL);
	/* Writable over a read-only one: refused. */
	n.writable = true;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&c[1]);
	/* Same sectors on another disk: fine. */
	n.disk = MKDEV(8, 32);
	n.abs = (struct pvblk_region){ .start = 0, .nr_sectors = 5000 };
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n), NULL);
	/* A claim never conflicts with itself. */
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &c[0]), NULL);
}

/*
 * A released claim (its vbd removed, its I/O still ending) is reported
 * only when nothing live conflicts, whatever the order of the list.
 */
static void claim_conflicts_released(struct kunit *test)
{
	struct pvblk_claim c[3], n = {};
	LIST_HEAD(claims);

	claim_add(&claims, &c[0], MKDEV(8, 0), 0, 1000, true);
	claim_add(&claims, &c[1], MKDEV(8, 0), 500, 1000, true);
	claim_add(&claims, &c[2], MKDEV(8, 0), 3000, 1000, true);
	c[0].released = true;
	c[2].released = true;
	n.disk = MKDEV(8, 0);
	n.writable = true;

	/* Overlaps released c[0] and live c[1]: the live one wins. */
	n.abs = (struct pvblk_region){ .start = 400, .nr_sectors = 200 };
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&c[1]);
	/* Only released c[2]: reported, for the caller to wait on. */
	n.abs = (struct pvblk_region){ .start = 3500, .nr_sectors = 10 };
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&c[2]);
	KUNIT_EXPECT_TRUE(test, pvblk_claim_conflict(&claims, &n)->released);
	/* Only released c[0] (c[1] starts at 500). */
	n.abs = (struct pvblk_region){ .start = 0, .nr_sectors = 500 };
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&c[0]);
	/* Gone: nothing left in the way. */
	list_del(&c[0].node);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n), NULL);
}

/*
 * A VM moving (restored from a checkpoint, migrated): its new domain may
 * claim exactly what its old one holds, and nothing else.
 */
static void claim_conflicts_moving(struct kunit *test)
{
	const uuid_t vm = UUID_INIT(0x6b1d1c3e, 0x2f4a, 0x4e5b, 0x9c, 0x7d,
				    0x01, 0x23, 0x45, 0x67, 0x89, 0xab);
	const uuid_t other = UUID_INIT(0x6b1d1c3e, 0x2f4a, 0x4e5b, 0x9c, 0x7d,
				       0x01, 0x23, 0x45, 0x67, 0x89, 0xac);
	struct pvblk_claim o, n;
	LIST_HEAD(claims);

	claim_add(&claims, &o, MKDEV(8, 0), 1000, 1000, true);
	o.vm = vm;
	o.has_vm = true;
	o.domid = 3;

	n = o;
	n.domid = 4;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n), NULL);
	KUNIT_EXPECT_TRUE(test, pvblk_claim_handover(&o, &n));
	/* The old domain's vbd removed, its I/O ending: waited for. */
	o.released = true;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	o.released = false;
	/* The same domain twice is a second vbd on the region: refused. */
	n.domid = 3;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	n.domid = 4;
	/* Another VM, or one the toolstack did not name. */
	n.vm = other;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	n.vm = vm;
	n.has_vm = false;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	o.has_vm = false;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	o.has_vm = true;
	n.has_vm = true;
	/* The same VM with a region that differs in any way. */
	n.abs.start = 1008;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	n.abs.start = 1000;
	n.abs.nr_sectors = 1008;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	n.abs.nr_sectors = 1000;
	n.writable = false;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n),
			    (const struct pvblk_claim *)&o);
	n.writable = true;
	n.disk = MKDEV(8, 16);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_conflict(&claims, &n), NULL);
	KUNIT_EXPECT_FALSE(test, pvblk_claim_handover(&o, &n));
}

/*
 * Which claim a moving VM's domain waits for: one served or ending, never
 * one that waits too (three domains of a VM would wait on each other).
 */
static void claim_partner_moving(struct kunit *test)
{
	const uuid_t vm = UUID_INIT(0x6b1d1c3e, 0x2f4a, 0x4e5b, 0x9c, 0x7d,
				    0x01, 0x23, 0x45, 0x67, 0x89, 0xab);
	struct pvblk_claim a, b, c;
	LIST_HEAD(claims);

	claim_add(&claims, &a, MKDEV(8, 0), 1000, 1000, true);
	a.vm = vm;
	a.has_vm = true;
	a.domid = 3;
	a.deferred = false;
	b = a;
	b.domid = 4;
	list_add_tail(&b.node, &claims);
	c = a;
	c.domid = 5;
	list_add_tail(&c.node, &claims);

	/* a serves: b and c wait for it. */
	b.deferred = true;
	c.deferred = true;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &b),
			    (const struct pvblk_claim *)&a);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &c),
			    (const struct pvblk_claim *)&a);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &a), NULL);
	/* An old domain ending its I/O is waited for too. */
	a.released = true;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &b),
			    (const struct pvblk_claim *)&a);
	/* a gone: b may serve (c waits too, so it is no partner) ... */
	list_del(&a.node);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &b), NULL);
	/* ... and once it does, c waits for it. */
	b.deferred = false;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &c),
			    (const struct pvblk_claim *)&b);
	/* Another VM's claim is never a partner. */
	c.vm.b[15] ^= 1;
	KUNIT_EXPECT_PTR_EQ(test, pvblk_claim_partner(&claims, &c), NULL);
}

/* The lease key fails closed: only "held" or a key surely absent serves. */
static void lease_parse(struct kunit *test)
{
	static const char * const pending[] = {
		"", "claiming", "wait", "refused", "HELD", "held ", "heldx",
		"lost\n",
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pvblk_lease_parse(NULL, -ENOENT),
			PVBLK_LEASE_NONE);
	KUNIT_EXPECT_EQ(test, pvblk_lease_parse(NULL, -ENOMEM),
			PVBLK_LEASE_PENDING);
	KUNIT_EXPECT_EQ(test, pvblk_lease_parse(NULL, -EIO),
			PVBLK_LEASE_PENDING);
	KUNIT_EXPECT_EQ(test, pvblk_lease_parse(PVBLK_LEASE_VAL_HELD, 0),
			PVBLK_LEASE_HELD);
	KUNIT_EXPECT_EQ(test, pvblk_lease_parse(PVBLK_LEASE_VAL_LOST, 0),
			PVBLK_LEASE_LOST);
	for (i = 0; i < ARRAY_SIZE(pending); i++)
		KUNIT_EXPECT_EQ_MSG(test, pvblk_lease_parse(pending[i], 0),
				    PVBLK_LEASE_PENDING, "value '%s'",
				    pending[i]);

	KUNIT_EXPECT_TRUE(test, pvblk_lease_serves(PVBLK_LEASE_NONE));
	KUNIT_EXPECT_TRUE(test, pvblk_lease_serves(PVBLK_LEASE_HELD));
	KUNIT_EXPECT_FALSE(test, pvblk_lease_serves(PVBLK_LEASE_PENDING));
	KUNIT_EXPECT_FALSE(test, pvblk_lease_serves(PVBLK_LEASE_LOST));
}

static struct kunit_case pvblk_region_cases[] = {
	KUNIT_CASE(region_check_accepts),
	KUNIT_CASE(region_check_rejects),
	KUNIT_CASE(region_translate),
	KUNIT_CASE(region_overlap),
	KUNIT_CASE(claim_conflicts),
	KUNIT_CASE(claim_conflicts_released),
	KUNIT_CASE(claim_conflicts_moving),
	KUNIT_CASE(claim_partner_moving),
	KUNIT_CASE(lease_parse),
	{}
};

static struct kunit_suite pvblk_region_suite = {
	.name = "pvblkback-region",
	.test_cases = pvblk_region_cases,
};

kunit_test_suite(pvblk_region_suite);
