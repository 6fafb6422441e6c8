// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the persistent grant cache on its own.  pgnt.c only stores and
 * hands back the pages of its grants, never touches them, so made-up
 * pointers stand in for them.
 */
#include <kunit/test.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/slab.h>

#include "../pgnt.h"

/* A made-up page, never dereferenced. */
#define PG(i)		((struct page *)(uintptr_t)(0x1000 + (i)))
#define NR_SPARSE	64U

/* The cache lives in test->priv so that exit can free a failed test's. */
static int pgnt_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct pvblk_pgnt_cache),
				   GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

/*
 * Not pvblk_pgnt_free(): a test that stopped early may leave entries
 * cached, and its WARN would only add noise to the real failure.
 */
static void pgnt_test_exit(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = test->priv;

	kvfree(c->ents);
	c->ents = NULL;
}

static struct pvblk_pgnt_cache *cache_new(struct kunit *test,
					  unsigned int max)
{
	struct pvblk_pgnt_cache *c = test->priv;

	KUNIT_ASSERT_EQ(test, pvblk_pgnt_init(c, max), 0);
	return c;
}

static unsigned int nr_idle(struct pvblk_pgnt_cache *c)
{
	return list_count_nodes(&c->idle);
}

/* The normal end of a cache: every entry idle, all evicted, then freed. */
static void cache_drain(struct kunit *test, struct pvblk_pgnt_cache *c)
{
	unsigned int n = c->count, room = max(c->max, 1U);
	grant_handle_t *handles;
	struct page **pages;

	pages = kunit_kcalloc(test, room, sizeof(*pages), GFP_KERNEL);
	handles = kunit_kcalloc(test, room, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, handles);
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, c->max, pages, handles), n);
	KUNIT_EXPECT_EQ(test, c->count, 0U);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&c->root));
	KUNIT_EXPECT_TRUE(test, list_empty(&c->idle));
	pvblk_pgnt_free(c);
}

/*
 * Walk the tree in order: grefs strictly ascending, each node cached.
 * Return: the number of nodes.
 */
static unsigned int tree_walk(struct kunit *test, struct pvblk_pgnt_cache *c)
{
	struct pvblk_pgnt *e, *prev = NULL;
	unsigned int n = 0;
	struct rb_node *node;

	for (node = rb_first(&c->root); node; node = rb_next(node)) {
		e = rb_entry(node, struct pvblk_pgnt, node);
		if (prev)
			KUNIT_EXPECT_GT(test, e->gref, prev->gref);
		KUNIT_EXPECT_TRUE(test, e >= c->ents && e < c->ents + c->max);
		prev = e;
		n++;
	}
	return n;
}

static void pgnt_add_then_get(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 4);
	struct pvblk_pgnt *e;

	e = pvblk_pgnt_add(c, 7, PG(1), 11);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->gref, 7U);
	KUNIT_EXPECT_PTR_EQ(test, e->page, PG(1));
	KUNIT_EXPECT_EQ(test, e->handle, (grant_handle_t)11);
	/* The request that mapped it is its first user. */
	KUNIT_EXPECT_EQ(test, e->users, 1U);
	KUNIT_EXPECT_EQ(test, c->count, 1U);
	KUNIT_EXPECT_EQ(test, nr_idle(c), 0U);
	KUNIT_EXPECT_FALSE(test, c->overflow);

	/* A second request shares it. */
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 7), e);
	KUNIT_EXPECT_EQ(test, e->users, 2U);
	pvblk_pgnt_put(c, e);
	KUNIT_EXPECT_EQ(test, e->users, 1U);
	KUNIT_EXPECT_EQ(test, nr_idle(c), 0U);
	/* Only the last user makes it idle (evictable). */
	pvblk_pgnt_put(c, e);
	KUNIT_EXPECT_EQ(test, e->users, 0U);
	KUNIT_EXPECT_EQ(test, nr_idle(c), 1U);

	/* Found again, taken off the idle list while used. */
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 7), e);
	KUNIT_EXPECT_EQ(test, e->users, 1U);
	KUNIT_EXPECT_EQ(test, nr_idle(c), 0U);
	KUNIT_EXPECT_PTR_EQ(test, e->page, PG(1));
	KUNIT_EXPECT_EQ(test, c->count, 1U);
	pvblk_pgnt_put(c, e);
	cache_drain(test, c);
}

/* A request naming a grant twice: the second mapping is not cached. */
static void pgnt_duplicate_refused(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 1);
	struct pvblk_pgnt *e;

	e = pvblk_pgnt_add(c, 3, PG(1), 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	/* The cache is full as well: a duplicate is still no overflow. */
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 3, PG(2), 2));
	KUNIT_EXPECT_FALSE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, c->count, 1U);
	KUNIT_EXPECT_EQ(test, e->users, 1U);
	KUNIT_EXPECT_PTR_EQ(test, e->page, PG(1));
	KUNIT_EXPECT_EQ(test, e->handle, (grant_handle_t)1);

	/* Idle, the same. */
	pvblk_pgnt_put(c, e);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 3, PG(3), 3));
	KUNIT_EXPECT_FALSE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, e->users, 0U);
	KUNIT_EXPECT_EQ(test, nr_idle(c), 1U);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 3), e);
	KUNIT_EXPECT_PTR_EQ(test, e->page, PG(1));
	pvblk_pgnt_put(c, e);
	cache_drain(test, c);
}

static void pgnt_bounded(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 4);
	struct pvblk_pgnt *e[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		e[i] = pvblk_pgnt_add(c, 100 + i, PG(i), i);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
	}
	KUNIT_EXPECT_FALSE(test, c->overflow);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 200, PG(9), 9));
	KUNIT_EXPECT_TRUE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, c->count, 4U);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 200));

	/* Idle entries still take room: only eviction frees it. */
	for (i = 0; i < 4; i++)
		pvblk_pgnt_put(c, e[i]);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 201, PG(9), 9));
	KUNIT_EXPECT_EQ(test, c->count, 4U);
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), 4U);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_PTR_EQ(test, e[i]->page, PG(i));
	cache_drain(test, c);
}

static void pgnt_evict_lru(struct kunit *test)
{
	static const unsigned int order[] = { 2, 0, 3, 1 };
	struct pvblk_pgnt_cache *c = cache_new(test, 4);
	grant_handle_t handles[4] = { 99, 99, 99, 99 };
	struct page *pages[4] = {};
	struct pvblk_pgnt *e[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		e[i] = pvblk_pgnt_add(c, i, PG(i), 10 + i);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
	}
	for (i = 0; i < 4; i++)
		pvblk_pgnt_put(c, e[order[i]]);
	/* Idle 2, 0, 3, 1; a hit on 2 makes it the newest: 0, 3, 1, 2. */
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 2), e[2]);
	pvblk_pgnt_put(c, e[2]);

	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 2, pages, handles), 2U);
	KUNIT_EXPECT_PTR_EQ(test, pages[0], PG(0));
	KUNIT_EXPECT_EQ(test, handles[0], (grant_handle_t)10);
	KUNIT_EXPECT_PTR_EQ(test, pages[1], PG(3));
	KUNIT_EXPECT_EQ(test, handles[1], (grant_handle_t)13);
	/* Exactly two written. */
	KUNIT_EXPECT_NULL(test, pages[2]);
	KUNIT_EXPECT_EQ(test, handles[2], (grant_handle_t)99);
	KUNIT_EXPECT_EQ(test, c->count, 2U);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 0));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 3));
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), 2U);

	/* More asked than idle: the rest, oldest first. */
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 4, pages, handles), 2U);
	KUNIT_EXPECT_PTR_EQ(test, pages[0], PG(1));
	KUNIT_EXPECT_EQ(test, handles[0], (grant_handle_t)11);
	KUNIT_EXPECT_PTR_EQ(test, pages[1], PG(2));
	KUNIT_EXPECT_EQ(test, handles[1], (grant_handle_t)12);
	KUNIT_EXPECT_EQ(test, c->count, 0U);
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 4, pages, handles), 0U);
	cache_drain(test, c);
}

static void pgnt_evict_skips_users(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 4);
	struct page *pages[4] = {};
	grant_handle_t handles[4];
	struct pvblk_pgnt *e[6];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		e[i] = pvblk_pgnt_add(c, i, PG(i), i);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
	}
	pvblk_pgnt_put(c, e[1]);
	pvblk_pgnt_put(c, e[3]);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 9, PG(9), 9));
	KUNIT_EXPECT_TRUE(test, c->overflow);

	/* Asked for all: only the two idle ones go. */
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 4, pages, handles), 2U);
	KUNIT_EXPECT_PTR_EQ(test, pages[0], PG(1));
	KUNIT_EXPECT_PTR_EQ(test, pages[1], PG(3));
	KUNIT_EXPECT_FALSE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, c->count, 2U);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 0), e[0]);
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 2), e[2]);
	pvblk_pgnt_put(c, e[0]);
	pvblk_pgnt_put(c, e[2]);
	KUNIT_EXPECT_EQ(test, e[0]->users, 1U);
	KUNIT_EXPECT_EQ(test, e[2]->users, 1U);

	/* Full of grants in use: nothing to evict, the mark cleared. */
	e[4] = pvblk_pgnt_add(c, 4, PG(4), 4);
	e[5] = pvblk_pgnt_add(c, 5, PG(5), 5);
	KUNIT_ASSERT_NOT_NULL(test, e[4]);
	KUNIT_ASSERT_NOT_NULL(test, e[5]);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 6, PG(6), 6));
	KUNIT_EXPECT_TRUE(test, c->overflow);
	pages[0] = NULL;
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 4, pages, handles), 0U);
	KUNIT_EXPECT_NULL(test, pages[0]);
	KUNIT_EXPECT_FALSE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, c->count, 4U);
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), 4U);

	pvblk_pgnt_put(c, e[0]);
	pvblk_pgnt_put(c, e[2]);
	pvblk_pgnt_put(c, e[4]);
	pvblk_pgnt_put(c, e[5]);
	cache_drain(test, c);
}

/* A small cache cycles through many grants on its preallocated entries. */
static void pgnt_evict_recycles(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 2);
	grant_handle_t handles[1];
	struct page *pages[1];
	struct pvblk_pgnt *e;
	unsigned int i;

	for (i = 0; i < 100; i++) {
		e = pvblk_pgnt_add(c, i * 7919, PG(i), i);
		if (!e) {
			KUNIT_EXPECT_TRUE(test, c->overflow);
			KUNIT_ASSERT_EQ(test, pvblk_pgnt_evict(c, 1, pages,
							       handles), 1U);
			/* The oldest: the one added two rounds ago. */
			KUNIT_EXPECT_PTR_EQ(test, pages[0], PG(i - 2));
			KUNIT_EXPECT_EQ(test, handles[0],
					(grant_handle_t)(i - 2));
			KUNIT_EXPECT_NULL(test,
					  pvblk_pgnt_get(c, (i - 2) * 7919));
			e = pvblk_pgnt_add(c, i * 7919, PG(i), i);
		}
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_TRUE(test, e >= c->ents && e < c->ents + 2);
		KUNIT_EXPECT_LE(test, c->count, 2U);
		pvblk_pgnt_put(c, e);
	}
	KUNIT_EXPECT_EQ(test, c->count, 2U);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 0));
	e = pvblk_pgnt_get(c, 99 * 7919);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_PTR_EQ(test, e->page, PG(99));
	pvblk_pgnt_put(c, e);
	e = pvblk_pgnt_get(c, 98 * 7919);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_PTR_EQ(test, e->page, PG(98));
	pvblk_pgnt_put(c, e);
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), 2U);
	cache_drain(test, c);
}

static void pgnt_zero_max(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 0);
	grant_handle_t handles[1];
	struct page *pages[1];

	KUNIT_EXPECT_NULL(test, pvblk_pgnt_add(c, 1, PG(1), 1));
	KUNIT_EXPECT_EQ(test, c->count, 0U);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 1));
	/* No room, as documented; evicting finds nothing and clears it. */
	KUNIT_EXPECT_TRUE(test, c->overflow);
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 1, pages, handles), 0U);
	KUNIT_EXPECT_FALSE(test, c->overflow);
	pvblk_pgnt_free(c);
}

static void pgnt_get_absent(struct kunit *test)
{
	struct pvblk_pgnt_cache *c = cache_new(test, 4);
	grant_handle_t handles[1];
	struct page *pages[1];
	struct pvblk_pgnt *e5, *e10;

	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 0));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, U32_MAX));
	e5 = pvblk_pgnt_add(c, 5, PG(5), 5);
	e10 = pvblk_pgnt_add(c, 10, PG(10), 10);
	KUNIT_ASSERT_NOT_NULL(test, e5);
	KUNIT_ASSERT_NOT_NULL(test, e10);
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 0));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 4));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 6));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 9));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 11));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, U32_MAX));
	/* A miss changes no user count. */
	KUNIT_EXPECT_EQ(test, e5->users, 1U);
	KUNIT_EXPECT_EQ(test, e10->users, 1U);

	/* Evicted: absent again. */
	pvblk_pgnt_put(c, e5);
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, 1, pages, handles), 1U);
	KUNIT_EXPECT_PTR_EQ(test, pages[0], PG(5));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 5));
	KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, 10), e10);
	pvblk_pgnt_put(c, e10);
	pvblk_pgnt_put(c, e10);
	cache_drain(test, c);
}

/* Grant references anywhere in u32, extremes included, stay findable. */
static void pgnt_sparse_grefs(struct kunit *test)
{
	static const u32 fixed[] = {
		0, 1, U32_MAX, 0x80000000, 0x7fffffff, 2, U32_MAX - 1, 1000,
		123456789,
	};
	struct pvblk_pgnt_cache *c = cache_new(test, NR_SPARSE);
	grant_handle_t *handles;
	struct pvblk_pgnt **e;
	struct page **pages;
	unsigned int i, k;
	u32 *g;

	g = kunit_kcalloc(test, NR_SPARSE, sizeof(*g), GFP_KERNEL);
	e = kunit_kcalloc(test, NR_SPARSE, sizeof(*e), GFP_KERNEL);
	pages = kunit_kcalloc(test, NR_SPARSE, sizeof(*pages), GFP_KERNEL);
	handles = kunit_kcalloc(test, NR_SPARSE, sizeof(*handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	KUNIT_ASSERT_NOT_NULL(test, handles);
	/* Golden-ratio multiples: distinct, spread over all of u32. */
	for (i = 0; i < NR_SPARSE; i++)
		g[i] = i < ARRAY_SIZE(fixed) ? fixed[i] : i * 0x9e3779b9U;

	/* Inserted in a scrambled order (37 is prime to 64). */
	for (i = 0; i < NR_SPARSE; i++) {
		k = (i * 37) % NR_SPARSE;
		e[k] = pvblk_pgnt_add(c, g[k], PG(k), k);
		KUNIT_ASSERT_NOT_NULL_MSG(test, e[k], "gref %#x", g[k]);
	}
	KUNIT_EXPECT_EQ(test, c->count, NR_SPARSE);
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), NR_SPARSE);
	for (i = 0; i < NR_SPARSE; i++) {
		KUNIT_EXPECT_PTR_EQ_MSG(test, pvblk_pgnt_get(c, g[i]), e[i],
					"gref %#x", g[i]);
		KUNIT_EXPECT_EQ(test, e[i]->gref, g[i]);
		KUNIT_EXPECT_PTR_EQ(test, e[i]->page, PG(i));
		KUNIT_EXPECT_EQ(test, e[i]->handle, (grant_handle_t)i);
		pvblk_pgnt_put(c, e[i]);
	}
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 3));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 999));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, 0x80000001));
	KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, U32_MAX - 2));

	/* Idle in index order; the older half goes, the tree stays sound. */
	for (i = 0; i < NR_SPARSE; i++)
		pvblk_pgnt_put(c, e[i]);
	KUNIT_EXPECT_EQ(test, pvblk_pgnt_evict(c, NR_SPARSE / 2, pages,
					       handles), NR_SPARSE / 2);
	for (i = 0; i < NR_SPARSE / 2; i++) {
		KUNIT_EXPECT_PTR_EQ(test, pages[i], PG(i));
		KUNIT_EXPECT_NULL(test, pvblk_pgnt_get(c, g[i]));
	}
	for (i = NR_SPARSE / 2; i < NR_SPARSE; i++) {
		KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, g[i]), e[i]);
		pvblk_pgnt_put(c, e[i]);
	}
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), NR_SPARSE / 2);

	/* Back in, on the entries just freed. */
	for (i = 0; i < NR_SPARSE / 2; i++) {
		e[i] = pvblk_pgnt_add(c, g[i], PG(i), i);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
	}
	KUNIT_EXPECT_EQ(test, tree_walk(test, c), NR_SPARSE);
	for (i = 0; i < NR_SPARSE; i++) {
		KUNIT_EXPECT_PTR_EQ(test, pvblk_pgnt_get(c, g[i]), e[i]);
		pvblk_pgnt_put(c, e[i]);
	}
	for (i = 0; i < NR_SPARSE / 2; i++)
		pvblk_pgnt_put(c, e[i]);
	cache_drain(test, c);
}

static struct kunit_case pvblk_pgnt_cases[] = {
	KUNIT_CASE(pgnt_add_then_get),
	KUNIT_CASE(pgnt_duplicate_refused),
	KUNIT_CASE(pgnt_bounded),
	KUNIT_CASE(pgnt_evict_lru),
	KUNIT_CASE(pgnt_evict_skips_users),
	KUNIT_CASE(pgnt_evict_recycles),
	KUNIT_CASE(pgnt_zero_max),
	KUNIT_CASE(pgnt_get_absent),
	KUNIT_CASE(pgnt_sparse_grefs),
	{}
};

static struct kunit_suite pvblk_pgnt_suite = {
	.name = "pvblkback-pgnt",
	.init = pgnt_test_init,
	.exit = pgnt_test_exit,
	.test_cases = pvblk_pgnt_cases,
};

kunit_test_suite(pvblk_pgnt_suite);
