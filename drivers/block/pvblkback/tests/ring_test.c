// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the ring engine driven through fake grant, event and I/O ops.
 * The test plays the frontend: it writes requests into a shared ring held
 * in ordinary memory and reads the responses back.
 */
#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "../../../xen/pvback/pvback_compat.h"
#include "../io.h"
#include "../ring.h"
#include "wire.h"

#define FAKE_GRANTS	16		/* grefs 0..15 are valid */
#define DISK_SECTORS	4096		/* 2 MiB fake disk */
#define MAX_HELD	64

struct fake {
	struct pvblk_ring ring;
	struct pvblk_limits lim;
	struct pvblk_stats stats;
	struct page *sring;
	struct page *grants[FAKE_GRANTS];
	u8 *disk;
	int live_maps;			/* mapped, not yet unmapped */
	int gmaps[FAKE_GRANTS];		/* live mappings per grant */
	int indirect_reads;
	int map_calls;
	int mapped_segs;		/* segments fake_map mapped, ever */
	int unmap_calls;
	int atomic_unmaps;		/* fake_unmap_atomic calls that did */
	bool refuse_atomic;		/* fake_unmap_atomic says "not now" */
	int copy_calls;			/* fake_copy calls */
	int atomic_copies;		/* fake_copy_atomic calls that did */
	bool refuse_copy_atomic;	/* fake_copy_atomic says "not now" */
	unsigned long ro_grants;	/* copies into these grants fail */
	struct pvblk_ring_ops ops;	/* fake_ops and more, for some tests */
	bool scribble;			/* change indirect pages once read */
	int notifies;
	int notifies_locked;		/* of them, with ring->lock held */
	bool hold;			/* keep submitted requests */
	struct pvblk_pending *held[MAX_HELD];
	unsigned int nr_held;
	int io_error;			/* complete with this */
	struct pvback_bdev ram;	/* real I/O when ram.bdev is set */
	u32 rsp_seen;			/* frontend's response consumer */
};

static struct fake *ring_fake(struct pvblk_ring *ring)
{
	return ring->priv;
}

static void fake_map(struct pvblk_ring *ring, struct pvblk_pending **reqs,
		     unsigned int n)
{
	struct fake *f = ring_fake(ring);
	unsigned int r, i, k, segs = 0;

	f->map_calls++;
	for (r = 0; r < n; r++) {
		struct pvblk_pending *p = reqs[r];

		segs += p->req.nr_segs;
		p->nr_mapped = 0;
		for (i = 0; i < p->req.nr_segs; i++)
			if (!p->pg[i] && p->req.seg[i].gref >= FAKE_GRANTS)
				break;
		if (i < p->req.nr_segs)
			continue;
		/* Only what the persistent grants do not cover. */
		for (i = 0, k = 0; i < p->req.nr_segs; i++) {
			if (p->pg[i])
				continue;
			p->pages[i] = f->grants[p->req.seg[i].gref];
			p->handles[i] = p->req.seg[i].gref;
			f->gmaps[p->req.seg[i].gref]++;
			k++;
		}
		p->nr_mapped = k;
		f->live_maps += k;
		f->mapped_segs += k;
	}
	/* The engine never hands over more than the scratch holds. */
	WARN_ON(n > PVBLK_BATCH || segs > ring->batch_segs);
}

static int fake_read_indirect(struct pvblk_ring *ring, u32 gref, void *buf,
			      size_t len)
{
	struct fake *f = ring_fake(ring);

	if (gref >= FAKE_GRANTS || len > PAGE_SIZE)
		return -EFAULT;
	memcpy(buf, page_address(f->grants[gref]), len);
	f->indirect_reads++;
	/* A frontend rewriting its descriptors after we copied them. */
	if (f->scribble)
		memset(page_address(f->grants[gref]), 0xff, len);
	return 0;
}

static void fake_unmap_pages(struct fake *f, struct page **pages,
			     grant_handle_t *handles, unsigned int n)
{
	unsigned int i;

	/*
	 * Each one is a live mapping fake_map made of that very grant: a
	 * grant unmapped twice (cached and private) shows up here.
	 */
	for (i = 0; i < n; i++)
		WARN_ON(handles[i] >= FAKE_GRANTS ||
			pages[i] != f->grants[handles[i]] ||
			--f->gmaps[handles[i]] < 0);
	f->live_maps -= n;
}

static void fake_unmap(struct pvblk_ring *ring, struct page **pages,
		       grant_handle_t *handles, unsigned int n)
{
	struct fake *f = ring_fake(ring);

	f->unmap_calls++;
	WARN_ON(n > ring->batch_segs);
	fake_unmap_pages(f, pages, handles, n);
}

static bool fake_unmap_atomic(struct pvblk_ring *ring, struct page **pages,
			      grant_handle_t *handles, unsigned int n)
{
	struct fake *f = ring_fake(ring);

	WARN_ON(n > PVBLK_MAX_DIRECT_SEGS || !n);
	if (f->refuse_atomic)
		return false;
	f->atomic_unmaps++;
	fake_unmap_pages(f, pages, handles, n);
	return true;
}

/* One segment of a copied request; false where Xen would fail it. */
static bool fake_copy_seg(struct fake *f, struct pvblk_pending *p,
			  unsigned int i, bool to_guest)
{
	const struct pvblk_seg *s = &p->req.seg[i];
	size_t off = s->first_sect << 9, len = (s->last_sect - s->first_sect + 1) << 9;
	u8 *local = page_address(p->pages[i]) + off, *guest;

	/* Never a guest's page: the engine gave it a bounce page. */
	WARN_ON(s->gref < FAKE_GRANTS && p->pages[i] == f->grants[s->gref]);
	if (s->gref >= FAKE_GRANTS || (to_guest && test_bit(s->gref, &f->ro_grants)))
		return false;
	guest = page_address(f->grants[s->gref]) + off;
	if (to_guest)
		memcpy(guest, local, len);
	else
		memcpy(local, guest, len);
	return true;
}

static void fake_copy_reqs(struct pvblk_ring *ring, struct pvblk_pending **reqs,
			   unsigned int n, bool to_guest)
{
	struct fake *f = ring_fake(ring);
	unsigned int r, i;

	WARN_ON(!n || n > PVBLK_BATCH);
	for (r = 0; r < n; r++) {
		struct pvblk_pending *p = reqs[r];

		WARN_ON(!p->copy || p->req.nr_segs > ring->lim->copy_segs);
		/* Out for reads, in for writes, never both. */
		WARN_ON(to_guest != (p->io.kind == PVBLK_IO_READ));
		p->copy_failed = false;
		for (i = 0; i < p->req.nr_segs; i++)
			if (!fake_copy_seg(f, p, i, to_guest))
				p->copy_failed = true;
	}
}

static void fake_copy(struct pvblk_ring *ring, struct pvblk_pending **reqs,
		      unsigned int n, bool to_guest)
{
	ring_fake(ring)->copy_calls++;
	fake_copy_reqs(ring, reqs, n, to_guest);
}

static bool fake_copy_atomic(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	struct fake *f = ring_fake(ring);

	if (f->refuse_copy_atomic)
		return false;
	f->atomic_copies++;
	fake_copy_reqs(ring, &p, 1, true);
	return true;
}

static void fake_do_io(struct fake *f, struct pvblk_pending *p)
{
	u64 off = p->io.phys << 9;
	unsigned int i;

	if (p->io.kind == PVBLK_IO_DISCARD) {
		memset(f->disk + off, 0, p->io.nr_sectors << 9);
		return;
	}

	for (i = 0; i < p->req.nr_segs; i++) {
		const struct pvblk_seg *s = &p->req.seg[i];
		u8 *mem = page_address(p->pages[i]) + (s->first_sect << 9);
		size_t len = (s->last_sect - s->first_sect + 1) << 9;

		if (p->io.kind == PVBLK_IO_READ)
			memcpy(mem, f->disk + off, len);
		else
			memcpy(f->disk + off, mem, len);
		off += len;
	}
}

static void fake_submit(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	struct fake *f = ring_fake(ring);

	if (f->ram.bdev) {
		pvblk_io_submit(f->ram.bdev, p);
		return;
	}
	/* The engine validated the request: it must lie on the disk. */
	WARN_ON((p->io.phys + p->io.nr_sectors) > DISK_SECTORS);
	if (f->hold && f->nr_held < MAX_HELD) {
		f->held[f->nr_held++] = p;
		return;
	}
	fake_do_io(f, p);
	pvblk_ring_complete(p, f->io_error);
}

static void fake_notify(struct pvblk_ring *ring)
{
	ring_fake(ring)->notifies++;
	ring_fake(ring)->notifies_locked += lockdep_is_held(&ring->lock);
}

static const struct pvblk_ring_ops fake_ops = {
	.map = fake_map,
	.read_indirect = fake_read_indirect,
	.unmap = fake_unmap,
	.copy = fake_copy,
	.copy_atomic = fake_copy_atomic,
	.submit = fake_submit,
	.notify = fake_notify,
};

static struct fake *fake_init(struct kunit *test, enum pvblk_abi abi,
			      bool persistent, unsigned int max_pgrants,
			      unsigned int copy_segs)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->sring = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, f->sring);
	for (i = 0; i < FAKE_GRANTS; i++) {
		f->grants[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, f->grants[i]);
	}
	/* As a frontend initialises its ring: events wanted from index 1. */
	((struct pvback_sring_hdr *)page_address(f->sring))->req_event = 1;
	((struct pvback_sring_hdr *)page_address(f->sring))->rsp_event = 1;
	f->disk = vzalloc(DISK_SECTORS << 9);
	KUNIT_ASSERT_NOT_NULL(test, f->disk);

	/* The vbd: sectors 1024..2047 of the fake disk. */
	f->lim.region.start = 1024;
	f->lim.region.nr_sectors = 1024;
	f->lim.lb_sectors = 1;
	f->lim.flush = true;
	f->lim.max_indirect_segs = 14;
	f->lim.max_pgrants = max_pgrants;
	f->lim.answer_inline = true;
	f->lim.copy_segs = copy_segs;
	f->ring.persistent = persistent;
	f->ring.ops = &fake_ops;
	f->ring.priv = f;
	f->ring.lim = &f->lim;
	f->ring.stats = &f->stats;
	f->ring.name = "vbd test";
	KUNIT_ASSERT_EQ(test, pvblk_ring_init(&f->ring,
					      page_address(f->sring),
					      PAGE_SIZE, abi), 0);
	test->priv = f;
	return f;
}

static struct fake *fake_setup(struct kunit *test, enum pvblk_abi abi)
{
	return fake_init(test, abi, false, 0, 0);
}

/* A ring keeping up to @max_pgrants persistent grants. */
static struct fake *fake_setup_pg(struct kunit *test, enum pvblk_abi abi,
				  unsigned int max_pgrants)
{
	return fake_init(test, abi, true, max_pgrants, 0);
}

/* A ring serving requests of up to @copy_segs segments by grant copy. */
static struct fake *fake_setup_copy(struct kunit *test, unsigned int copy_segs)
{
	return fake_init(test, PVBLK_ABI_NATIVE, false, 0, copy_segs);
}

static void fake_exit(struct kunit *test)
{
	struct fake *f = test->priv;
	unsigned int i;

	if (!f)
		return;
	pvback_bdev_close(&f->ram);
	if (f->ring.pool) {
		/* Every bounce page is back once nothing is in flight. */
		if (!f->ring.inflight) {
			pvblk_ring_drain(&f->ring);
			KUNIT_EXPECT_EQ(test, f->ring.bounce_free,
					f->ring.nr_bounce);
		}
		pvblk_ring_free(&f->ring);
	}
	/* Every mapping the engine made was undone, cached ones included. */
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	vfree(f->disk);
	for (i = 0; i < FAKE_GRANTS; i++)
		if (f->grants[i])
			__free_page(f->grants[i]);
	if (f->sring)
		__free_page(f->sring);
}

static struct pvback_sring_hdr *hdr(struct fake *f)
{
	return page_address(f->sring);
}

/* Frontend: queue one request and publish it. */
static void fe_push(struct fake *f, u8 op, u8 nr, u64 id, u64 sector,
		    const struct fe_seg *segs, unsigned int nsegs)
{
	struct pvback_sring_hdr *h = hdr(f);

	fe_put_req(f->ring.abi, pvback_ring_slot(&f->ring.br, h->req_prod),
		   op, nr, id, sector, segs, nsegs);
	h->req_prod++;
}

/*
 * Frontend: an indirect request whose descriptors are in grant page
 * @ind; with @nsegs descriptors written there and @nr claimed.
 */
static void fe_push_indirect(struct fake *f, u8 op, u16 nr, u64 id,
			     u64 sector, u32 ind, const struct fe_seg *segs,
			     unsigned int nsegs)
{
	u32 grefs[PVBLK_MAX_INDIRECT_PAGES] = { ind };
	struct pvback_sring_hdr *h = hdr(f);
	unsigned int i;
	u8 *page;

	if (ind < FAKE_GRANTS) {
		page = page_address(f->grants[ind]);
		for (i = 0; i < nsegs; i++) {
			memcpy(page + 8 * i, &segs[i].gref, 4);
			page[8 * i + 4] = segs[i].first;
			page[8 * i + 5] = segs[i].last;
		}
	}
	fe_put_indirect(f->ring.abi,
			pvback_ring_slot(&f->ring.br, h->req_prod), op, nr, id,
			sector, grefs);
	h->req_prod++;
}

/* Frontend: take the next response; false if there is none. */
static bool fe_pop(struct fake *f, u64 *id, s16 *status)
{
	const void *slot;

	if (f->rsp_seen == hdr(f)->rsp_prod)
		return false;
	slot = pvback_ring_slot(&f->ring.br, f->rsp_seen++);
	*id = fe_rsp_id(slot);
	*status = fe_rsp_status(slot);
	return true;
}

static unsigned int process(struct fake *f)
{
	unsigned int consumed;

	pvblk_ring_process(&f->ring, &consumed);
	return consumed;
}

static u64 stat(struct fake *f, enum pvblk_stat i)
{
	return atomic64_read(&f->stats.v[i]);
}

static u64 lat_total(struct fake *f)
{
	u64 n = 0;
	int i;

	for (i = 0; i < PVBLK_LAT_BUCKETS; i++)
		n += atomic64_read(&f->stats.lat[i]);
	return n;
}

static void expect_rsp(struct kunit *test, struct fake *f, u64 id, s16 st)
{
	u64 got_id = 0;
	s16 got_st = 0;

	KUNIT_ASSERT_TRUE(test, fe_pop(f, &got_id, &got_st));
	KUNIT_EXPECT_EQ(test, got_id, id);
	KUNIT_EXPECT_EQ(test, got_st, st);
}

/*
 * Responses of requests @first..@first + @n - 1 with statuses @st, in any
 * order (refused requests are answered before mapped ones), each once.
 */
static void expect_rsps(struct kunit *test, struct fake *f, u64 first,
			const s16 *st, unsigned int n)
{
	unsigned long seen = 0;
	unsigned int i;
	u64 id;
	s16 got;

	KUNIT_ASSERT_LE(test, n, BITS_PER_LONG);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_TRUE(test, fe_pop(f, &id, &got));
		KUNIT_ASSERT_TRUE(test, id >= first && id < first + n);
		KUNIT_EXPECT_FALSE(test, test_and_set_bit(id - first, &seen));
		KUNIT_EXPECT_EQ_MSG(test, got, st[id - first], "request %llu",
				    id);
	}
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &got));
}

static void write_then_read(struct kunit *test, struct fake *f)
{
	struct fe_seg w[2] = { { 0, 0, 7 }, { 1, 0, 3 } };
	struct fe_seg r[2] = { { 2, 0, 7 }, { 3, 4, 7 } };
	u8 *g0 = page_address(f->grants[0]), *g1 = page_address(f->grants[1]);

	get_random_bytes(g0, PAGE_SIZE);
	get_random_bytes(g1, PAGE_SIZE);
	fe_push(f, BLKIF_OP_WRITE, 2, 1, 100, w, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_GE(test, f->notifies, 1);

	/* 12 sectors landed at region start + 100 on the disk. */
	KUNIT_EXPECT_EQ(test, memcmp(f->disk + (1124 << 9), g0, 4096), 0);
	KUNIT_EXPECT_EQ(test, memcmp(f->disk + (1132 << 9), g1, 2048), 0);
	KUNIT_EXPECT_EQ(test, f->disk[(1136 << 9)], 0);
	KUNIT_EXPECT_EQ(test, f->disk[(1124 << 9) - 1], 0);

	/* Read it back into other pages, at other offsets. */
	fe_push(f, BLKIF_OP_READ, 2, 2, 100, r, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(f->grants[2]), g0, 4096), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(f->grants[3]) + 2048, g1,
				     2048), 0);

	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_WR_REQ), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_WR_SECT), 12ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RD_REQ), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RD_SECT), 12ULL);
	KUNIT_EXPECT_EQ(test, lat_total(f), 2ULL);
	/* The engine armed the request event for the next request. */
	KUNIT_EXPECT_EQ(test, hdr(f)->req_event, f->ring.br.req_cons + 1);
}

/* 14 segments, more than a direct request holds, through grant 15. */
static void indirect_abi(struct kunit *test, enum pvblk_abi abi)
{
	struct fake *f = fake_setup(test, abi);
	struct fe_seg segs[14];
	const void *slot;
	unsigned int i;
	u8 *want;

	want = kunit_kmalloc(test, 14 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < 14; i++) {
		segs[i] = (struct fe_seg){ i, 0, 7 };
		get_random_bytes(page_address(f->grants[i]), PAGE_SIZE);
		memcpy(want + i * PAGE_SIZE, page_address(f->grants[i]),
		       PAGE_SIZE);
	}
	/* The frontend rewrites the descriptors once we have read them. */
	f->scribble = true;
	fe_push_indirect(f, BLKIF_OP_WRITE, 14, 1, 16, 15, segs, 14);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	slot = pvback_ring_slot(&f->ring.br, f->rsp_seen);
	KUNIT_EXPECT_EQ(test, fe_rsp_op(slot), BLKIF_OP_WRITE);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->indirect_reads, 1);
	KUNIT_EXPECT_EQ(test, memcmp(f->disk + ((1024 + 16) << 9), want,
				     14 * PAGE_SIZE), 0);

	/* Read it back into the same pages, cleared first. */
	f->scribble = false;
	for (i = 0; i < 14; i++)
		memset(page_address(f->grants[i]), 0, PAGE_SIZE);
	fe_push_indirect(f, BLKIF_OP_READ, 14, 2, 16, 15, segs, 14);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	for (i = 0; i < 14; i++)
		KUNIT_EXPECT_EQ(test, memcmp(page_address(f->grants[i]),
					     want + i * PAGE_SIZE, PAGE_SIZE),
				0);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_WR_SECT), 112ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RD_SECT), 112ULL);
}

static void indirect_x86_64(struct kunit *test)
{
	indirect_abi(test, PVBLK_ABI_X86_64);
}

static void indirect_x86_32(struct kunit *test)
{
	indirect_abi(test, PVBLK_ABI_X86_32);
}

static void indirect_bad_answered(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg segs[15], bad_gref[2] = { { 0, 0, 7 }, { 4000, 0, 7 } };
	struct fe_seg bad_sect = { 1, 5, 4 };
	unsigned int i;
	s16 st[8];

	for (i = 0; i < 15; i++)
		segs[i] = (struct fe_seg){ i, 0, 7 };
	fe_push_indirect(f, BLKIF_OP_READ, 15, 20, 0, 15, segs, 15);
	fe_push_indirect(f, BLKIF_OP_READ, 0, 21, 0, 15, segs, 0);
	fe_push_indirect(f, BLKIF_OP_FLUSH_DISKCACHE, 2, 22, 0, 15, segs, 2);
	fe_push_indirect(f, BLKIF_OP_READ, 2, 23, 0, 1000, segs, 2);
	/* Each in its own indirect page: all are queued before any is read. */
	fe_push_indirect(f, BLKIF_OP_WRITE, 2, 24, 0, 14, bad_gref, 2);
	fe_push_indirect(f, BLKIF_OP_READ, 1, 25, 0, 13, &bad_sect, 1);
	fe_push_indirect(f, BLKIF_OP_READ, 2, 26, 1020, 12, segs, 2);
	fe_push_indirect(f, BLKIF_OP_READ, 65535, 27, 0, 15, segs, 0);
	KUNIT_EXPECT_EQ(test, process(f), 8U);
	for (i = 0; i < 8; i++)
		st[i] = BLKIF_RSP_ERROR;
	expect_rsps(test, f, 20, st, 8);
	/* Only requests with a sound header had their page read. */
	KUNIT_EXPECT_EQ(test, f->indirect_reads, 3);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_BAD_REQ), 5ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 2ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_REGION_ERR), 1ULL);
	KUNIT_EXPECT_EQ(test, lat_total(f), 0ULL);
}

/* Batches never hold more segments than the grant scratch arrays. */
static void batches_bounded(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg segs[14], one = { 0, 0, 7 };
	unsigned int i;

	for (i = 0; i < 14; i++)
		segs[i] = (struct fe_seg){ i, 0, 7 };
	/* 28 <= batch_segs (32) < 42: two of these per batch. */
	KUNIT_ASSERT_EQ(test, f->ring.batch_segs, 32U);
	for (i = 0; i < 5; i++)
		fe_push_indirect(f, BLKIF_OP_READ, 14, 40 + i, 0, 15, segs, 14);
	fe_push(f, BLKIF_OP_READ, 1, 45, 0, &one, 1);
	KUNIT_EXPECT_EQ(test, process(f), 6U);
	KUNIT_EXPECT_EQ(test, f->map_calls, 3);
	for (i = 0; i < 6; i++)
		expect_rsp(test, f, 40 + i, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
}

/* Discards zero their range on the fake disk and nothing else. */
static void discard_answered(struct kunit *test)
{
	static const s16 st[] = { BLKIF_RSP_OKAY, BLKIF_RSP_ERROR };
	struct fake *f = fake_setup(test, PVBLK_ABI_X86_32);
	u8 *disk = f->disk;

	memset(disk, 0x5a, DISK_SECTORS << 9);
	f->lim.discard = true;
	fe_put_discard(f->ring.abi, pvback_ring_slot(&f->ring.br,
						     hdr(f)->req_prod++),
		       0, 50, 16, 32);
	fe_put_discard(f->ring.abi, pvback_ring_slot(&f->ring.br,
						     hdr(f)->req_prod++),
		       0, 51, 1020, 8);
	KUNIT_EXPECT_EQ(test, process(f), 2U);
	expect_rsps(test, f, 50, st, ARRAY_SIZE(st));
	KUNIT_EXPECT_EQ(test, disk[(1024 + 16) << 9], 0);
	KUNIT_EXPECT_EQ(test, disk[((1024 + 48) << 9) - 1], 0);
	KUNIT_EXPECT_EQ(test, disk[((1024 + 16) << 9) - 1], 0x5a);
	KUNIT_EXPECT_EQ(test, disk[(1024 + 48) << 9], 0x5a);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_DS_REQ), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_DS_SECT), 32ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_REGION_ERR), 1ULL);
	KUNIT_EXPECT_EQ(test, f->map_calls, 0);
}

static void indirect_not_offered(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg seg = { 0, 0, 7 };

	f->lim.max_indirect_segs = 0;
	fe_push_indirect(f, BLKIF_OP_READ, 1, 30, 0, 15, &seg, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 30, BLKIF_RSP_EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->indirect_reads, 0);
}

static void latency_buckets(struct kunit *test)
{
	u64 us = NSEC_PER_USEC;

	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(63 * us + 999), 0U);
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(64 * us), 1U);
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(127 * us), 1U);
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(128 * us), 2U);
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(((1ULL << 20) - 1) * us), 14U);
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket((1ULL << 20) * us),
			PVBLK_LAT_BUCKETS - 1);
	/* A clock step backwards makes a huge u64: it lands in the last. */
	KUNIT_EXPECT_EQ(test, pvblk_lat_bucket(U64_MAX), PVBLK_LAT_BUCKETS - 1);
}

static void rw_x86_64(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_X86_64);

	write_then_read(test, f);
	KUNIT_EXPECT_EQ(test, f->ring.nr_bounce, 0U);
	KUNIT_EXPECT_EQ(test, f->copy_calls, 0);
}

static void rw_x86_32(struct kunit *test)
{
	write_then_read(test, fake_setup(test, PVBLK_ABI_X86_32));
}

static void bad_requests_answered(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg ok = { 0, 0, 7 }, bad_gref = { 999, 0, 7 };
	struct fe_seg two[2] = { { 0, 0, 7 }, { 12345, 0, 7 } };
	struct fe_seg bad_sect = { 0, 6, 2 };
	static const s16 st[] = {
		BLKIF_RSP_ERROR, BLKIF_RSP_ERROR, BLKIF_RSP_ERROR,
		BLKIF_RSP_ERROR, BLKIF_RSP_EOPNOTSUPP, BLKIF_RSP_ERROR,
		BLKIF_RSP_ERROR, BLKIF_RSP_OKAY, BLKIF_RSP_OKAY,
	};

	memset(f->disk, 0x5a, DISK_SECTORS << 9);
	fe_push(f, BLKIF_OP_WRITE, 1, 10, 0, &bad_gref, 1);
	fe_push(f, BLKIF_OP_WRITE, 2, 11, 0, two, 2);
	fe_push(f, BLKIF_OP_READ, 1, 12, 0, &bad_sect, 1);
	fe_push(f, BLKIF_OP_READ, 0, 13, 0, NULL, 0);
	fe_push(f, 77, 1, 14, 0, &ok, 1);
	fe_push(f, BLKIF_OP_WRITE, 1, 15, 1020, &ok, 1);	/* 1020..1027 */
	fe_push(f, BLKIF_OP_WRITE, 1, 16, U64_MAX - 3, &ok, 1);
	fe_push(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 17, 0, NULL, 0);
	fe_push(f, BLKIF_OP_WRITE, 1, 18, 1016, &ok, 1);	/* last 8 */
	KUNIT_EXPECT_EQ(test, process(f), 9U);

	expect_rsps(test, f, 10, st, ARRAY_SIZE(st));

	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 2ULL);
	/* Only the two requests that reached the disk have a service time. */
	KUNIT_EXPECT_EQ(test, lat_total(f), 2ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_BAD_REQ), 2ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_UNSUP_REQ), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_REGION_ERR), 2ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_F_REQ), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_WR_REQ), 1ULL);

	/* Only the valid write touched the disk, inside the region. */
	KUNIT_EXPECT_EQ(test, f->disk[(2040 << 9)], 0);
	KUNIT_EXPECT_EQ(test, f->disk[(2048 << 9)], 0x5a);
	KUNIT_EXPECT_EQ(test, f->disk[(1024 << 9)], 0x5a);
	KUNIT_EXPECT_EQ(test, f->disk[(1023 << 9)], 0x5a);
}

static void io_error_answered(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg s = { 0, 0, 7 };

	f->io_error = -EIO;
	fe_push(f, BLKIF_OP_READ, 1, 1, 0, &s, 1);
	f->io_error = 0;
	process(f);
	/* Completed synchronously, answered by the next round at the latest. */
	process(f);
	f->io_error = -EOPNOTSUPP;
	fe_push(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 2, 0, NULL, 0);
	process(f);
	process(f);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	expect_rsp(test, f, 2, BLKIF_RSP_EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_IO_ERR), 1ULL);
}

static void full_ring_in_flight(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	u32 n = f->ring.br.nr_ents;
	struct fe_seg s = { 0, 0, 7 };
	unsigned int i, answered = 0;
	u64 id;
	s16 st;

	KUNIT_ASSERT_EQ(test, n, 32U);
	f->hold = true;
	for (i = 0; i < n; i++)
		fe_push(f, BLKIF_OP_READ, 1, 1000 + i, 8 * i, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), n);
	KUNIT_EXPECT_EQ(test, f->ring.inflight, n);
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	/* All 32 mapped together (one hypercall in the real ops). */
	KUNIT_EXPECT_EQ(test, f->map_calls, 1);

	/* Complete in reverse order; each is answered exactly once. */
	for (i = f->nr_held; i-- > 0;) {
		fake_do_io(f, f->held[i]);
		pvblk_ring_complete(f->held[i], 0);
	}
	f->nr_held = 0;
	f->hold = false;
	process(f);
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
	while (fe_pop(f, &id, &st)) {
		KUNIT_EXPECT_EQ(test, id, 1000ULL + n - 1 - answered);
		KUNIT_EXPECT_EQ(test, st, BLKIF_RSP_OKAY);
		answered++;
	}
	KUNIT_EXPECT_EQ(test, answered, n);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);

	/* The ring is usable again. */
	fe_push(f, BLKIF_OP_READ, 1, 7, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 7, BLKIF_RSP_OKAY);
}

static void producer_overflow_stops(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg s = { 0, 0, 7 };
	u64 id;
	s16 st;

	fe_push(f, BLKIF_OP_READ, 1, 1, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);

	/* Claims 33 new requests on a 32-slot ring. */
	hdr(f)->req_prod += 33;
	KUNIT_EXPECT_EQ(test, process(f), 0U);
	KUNIT_EXPECT_TRUE(test, f->ring.stopped);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RING_ERR), 1ULL);
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	/* And stays stopped. */
	hdr(f)->req_prod -= 30;
	KUNIT_EXPECT_EQ(test, process(f), 0U);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RD_REQ), 1ULL);
}

static void producer_backwards_stops(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg s = { 0, 0, 7 };
	unsigned int i;

	f->hold = true;
	for (i = 0; i < 4; i++)
		fe_push(f, BLKIF_OP_READ, 1, i, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 4U);
	hdr(f)->req_prod -= 2;
	KUNIT_EXPECT_EQ(test, process(f), 0U);
	KUNIT_EXPECT_TRUE(test, f->ring.stopped);

	/* In-flight requests of a stopped ring still complete and unmap. */
	for (i = 0; i < f->nr_held; i++)
		pvblk_ring_complete(f->held[i], 0);
	f->nr_held = 0;
	pvblk_ring_drain(&f->ring);
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
}

static void attach_rejects_bogus_ring(struct kunit *test)
{
	struct pvblk_limits lim = { .max_indirect_segs = 32 };
	struct pvblk_ring ring = { .lim = &lim };
	struct page *pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	struct pvback_sring_hdr *h;

	KUNIT_ASSERT_NOT_NULL(test, pg);
	h = page_address(pg);
	h->req_prod = 1000;
	h->rsp_prod = 10;
	KUNIT_EXPECT_EQ(test, pvblk_ring_init(&ring, h, PAGE_SIZE,
					      PVBLK_ABI_NATIVE), -EIO);
	KUNIT_EXPECT_EQ(test, pvblk_ring_init(&ring, h, 64,
					      PVBLK_ABI_NATIVE), -EINVAL);
	/* Reattach to a used ring: continue where the frontend is. */
	h->req_prod = 0xfffffff0;
	h->rsp_prod = 0xffffffe8;
	KUNIT_EXPECT_EQ(test, pvblk_ring_init(&ring, h, PAGE_SIZE,
					      PVBLK_ABI_NATIVE), 0);
	KUNIT_EXPECT_EQ(test, ring.br.req_cons, 0xffffffe8U);
	/* The pool: a request per slot, each with room for 32 segments. */
	KUNIT_EXPECT_EQ(test, ring.pool_size, ring.br.nr_ents);
	KUNIT_EXPECT_EQ(test, ring.seg_max, 32U);
	KUNIT_EXPECT_GT(test, pvblk_ring_mem(&ring),
			(size_t)ring.pool_size * 32 * sizeof(struct pvblk_seg));
	pvblk_ring_free(&ring);
	KUNIT_EXPECT_EQ(test, pvblk_ring_mem(&ring), (size_t)0);
	__free_page(pg);
}

static void notify_honours_rsp_event(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg s = { 0, 0, 7 };
	u64 id;
	s16 st;

	/* The frontend only wants to hear about the third response. */
	hdr(f)->rsp_event = 3;
	fe_push(f, BLKIF_OP_READ, 1, 1, 0, &s, 1);
	process(f);
	fe_push(f, BLKIF_OP_READ, 1, 2, 0, &s, 1);
	process(f);
	KUNIT_EXPECT_EQ(test, f->notifies, 0);
	fe_push(f, BLKIF_OP_READ, 1, 3, 0, &s, 1);
	process(f);
	KUNIT_EXPECT_EQ(test, f->notifies, 1);
	while (fe_pop(f, &id, &st))
		;
}

static void wrap_around_indexes(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	struct fe_seg s = { 0, 0, 7 };
	unsigned int i;
	u64 id;
	s16 st;

	/* Drive the 32-bit indexes through their wrap point. */
	pvblk_ring_free(&f->ring);
	hdr(f)->req_prod = 0xfffffff0;
	hdr(f)->rsp_prod = 0xfffffff0;
	f->rsp_seen = 0xfffffff0;
	KUNIT_ASSERT_EQ(test, pvblk_ring_init(&f->ring, hdr(f), PAGE_SIZE,
					      PVBLK_ABI_NATIVE), 0);
	for (i = 0; i < 100; i++) {
		fe_push(f, BLKIF_OP_READ, 1, i, 0, &s, 1);
		KUNIT_EXPECT_EQ(test, process(f), 1U);
		expect_rsp(test, f, i, BLKIF_RSP_OKAY);
	}
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	KUNIT_EXPECT_FALSE(test, f->ring.stopped);
}

/* The cache entry of @gref, looked up without touching its LRU place. */
static struct pvblk_pgnt *pg_entry(struct fake *f, u32 gref)
{
	struct rb_node *n = f->ring.pgnt.root.rb_node;
	struct pvblk_pgnt *e;

	while (n) {
		e = rb_entry(n, struct pvblk_pgnt, node);
		if (gref < e->gref)
			n = n->rb_left;
		else if (gref > e->gref)
			n = n->rb_right;
		else
			return e;
	}
	return NULL;
}

/* Do the I/O of the held requests and complete them, in order. */
static void complete_held(struct fake *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_held; i++) {
		fake_do_io(f, f->held[i]);
		pvblk_ring_complete(f->held[i], 0);
	}
	f->nr_held = 0;
	f->hold = false;
}

#define NR_REUSE	6

/* The same pages, written and read again and again, are mapped once. */
static void persistent_reuse(struct kunit *test)
{
	struct fake *f = fake_setup_pg(test, PVBLK_ABI_NATIVE, 32);
	struct fe_seg w[NR_REUSE], r[NR_REUSE];
	unsigned int round, i;
	u64 sector, id = 1;
	u8 *want;

	want = kunit_kmalloc(test, NR_REUSE * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (round = 0; round < 10; round++) {
		sector = round * 8 * NR_REUSE;
		/* Written from the grants in one order, read into another. */
		for (i = 0; i < NR_REUSE; i++) {
			w[i] = (struct fe_seg){ (i + round) % NR_REUSE, 0, 7 };
			r[i] = (struct fe_seg){
				NR_REUSE - 1 - (i + 2 * round) % NR_REUSE, 0, 7
			};
			get_random_bytes(page_address(f->grants[w[i].gref]),
					 PAGE_SIZE);
			memcpy(want + i * PAGE_SIZE,
			       page_address(f->grants[w[i].gref]), PAGE_SIZE);
		}
		fe_push(f, BLKIF_OP_WRITE, NR_REUSE, id, sector, w, NR_REUSE);
		KUNIT_EXPECT_EQ(test, process(f), 1U);
		expect_rsp(test, f, id++, BLKIF_RSP_OKAY);
		KUNIT_EXPECT_EQ(test, memcmp(f->disk + ((1024 + sector) << 9),
					     want, NR_REUSE * PAGE_SIZE), 0);

		for (i = 0; i < NR_REUSE; i++)
			memset(page_address(f->grants[i]), 0, PAGE_SIZE);
		fe_push(f, BLKIF_OP_READ, NR_REUSE, id, sector, r, NR_REUSE);
		KUNIT_EXPECT_EQ(test, process(f), 1U);
		expect_rsp(test, f, id++, BLKIF_RSP_OKAY);
		for (i = 0; i < NR_REUSE; i++)
			KUNIT_EXPECT_EQ_MSG(test,
					    memcmp(page_address(f->grants[r[i].gref]),
						   want + i * PAGE_SIZE,
						   PAGE_SIZE), 0,
					    "round %u segment %u", round, i);

		/* Mapped on first use, then kept: no map, no unmap since. */
		KUNIT_EXPECT_EQ(test, f->mapped_segs, NR_REUSE);
		KUNIT_EXPECT_EQ(test, f->map_calls, 1);
		KUNIT_EXPECT_EQ(test, f->unmap_calls, 0);
		KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), NR_REUSE);
		KUNIT_EXPECT_EQ(test, f->live_maps, NR_REUSE);
	}
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_WR_REQ), 10ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RD_REQ), 10ULL);
	KUNIT_EXPECT_EQ(test, lat_total(f), 20ULL);

	/* Freeing the ring unmaps them all, together. */
	pvblk_ring_free(&f->ring);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 0U);
}

/* After a round, only the cached grants stay mapped. */
static void expect_pg_bounded(struct kunit *test, struct fake *f,
			      unsigned int max)
{
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
	KUNIT_EXPECT_LE(test, pvblk_ring_pgrants(&f->ring), max);
	KUNIT_EXPECT_EQ(test, f->live_maps, (int)pvblk_ring_pgrants(&f->ring));
	/* Cleared by the eviction at the end of the round. */
	KUNIT_EXPECT_FALSE(test, f->ring.pgnt.overflow);
}

/* More grants than the cache holds: bounded, and it follows the guest. */
/* One 4-segment request on grants 8-11 (even rounds) or 12-15, answered OK. */
static void pg_half_round(struct kunit *test, struct fake *f, u8 op,
			  unsigned int round, u64 id)
{
	struct fe_seg s[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		s[i] = (struct fe_seg){ 8 + 4 * (round % 2) + i, 0, 7 };
	fe_push(f, op, 4, id, 8 * round, s, 4);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, id, BLKIF_RSP_OKAY);
}

static void persistent_bounded(struct kunit *test)
{
	struct fake *f = fake_setup_pg(test, PVBLK_ABI_NATIVE, 8);
	static const s16 ok[6] = {};
	unsigned int round, i, mapped, unmaps;
	struct fe_seg s[11];
	u64 id = 1;

	BUILD_BUG_ON(FAKE_GRANTS != 16);
	/* Grants 0-7 fill the cache. */
	for (i = 0; i < 8; i++)
		s[i] = (struct fe_seg){ i, 0, 7 };
	fe_push(f, BLKIF_OP_READ, 8, id, 0, s, 8);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, id++, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 8U);
	KUNIT_EXPECT_EQ(test, f->live_maps, 8);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 0);
	expect_pg_bounded(test, f, 8);

	/*
	 * New grants find no room: mapped for their request alone, then
	 * the least recently used cached grant (0) is evicted to make some.
	 */
	for (i = 0; i < 4; i++)
		s[i] = (struct fe_seg){ 8 + i, 0, 7 };
	fe_push(f, BLKIF_OP_READ, 4, id, 0, s, 4);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, id++, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 12);
	/* One unmap for the request's private grants, one to evict. */
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 2);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 7U);
	KUNIT_EXPECT_NULL(test, pg_entry(f, 0));
	KUNIT_EXPECT_NOT_NULL(test, pg_entry(f, 1));
	KUNIT_EXPECT_NULL(test, pg_entry(f, 8));
	expect_pg_bounded(test, f, 8);

	/* The guest now works on 8-15, in two halves: the cache follows. */
	for (round = 0; round < 24; round++) {
		pg_half_round(test, f, BLKIF_OP_READ, round, id++);
		expect_pg_bounded(test, f, 8);
	}
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 8U);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_NULL_MSG(test, pg_entry(f, i), "grant %u", i);
		KUNIT_EXPECT_NOT_NULL_MSG(test, pg_entry(f, 8 + i), "grant %u",
					  8 + i);
	}
	/* Settled: no more mapping or unmapping for this working set. */
	mapped = f->mapped_segs;
	unmaps = f->unmap_calls;
	for (round = 0; round < 8; round++)
		pg_half_round(test, f, BLKIF_OP_WRITE, round, id++);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, mapped);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, unmaps);

	/* One request with more grants than the cache holds. */
	for (i = 0; i < 11; i++)
		s[i] = (struct fe_seg){ i, 0, 7 };
	fe_push(f, BLKIF_OP_READ, 11, id, 0, s, 11);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, id++, BLKIF_RSP_OKAY);
	/* 8, 9, 10 were hits; 0-7 mapped for it alone; one evicted. */
	KUNIT_EXPECT_EQ(test, f->mapped_segs, mapped + 8);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 7U);
	expect_pg_bounded(test, f, 8);

	/* A round of several requests over all the grants. */
	for (i = 0; i < 6; i++) {
		s[0] = (struct fe_seg){ (5 * i) % FAKE_GRANTS, 0, 7 };
		s[1] = (struct fe_seg){ (5 * i + 3) % FAKE_GRANTS, 0, 7 };
		s[2] = (struct fe_seg){ (5 * i + 11) % FAKE_GRANTS, 0, 7 };
		fe_push(f, BLKIF_OP_WRITE, 3, 100 + i, 24 * i, s, 3);
	}
	KUNIT_EXPECT_EQ(test, process(f), 6U);
	expect_rsps(test, f, 100, ok, 6);
	expect_pg_bounded(test, f, 8);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 0ULL);

	pvblk_ring_free(&f->ring);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
}

/* A grant used twice by one request, or by two requests in flight. */
static void persistent_shared_gref(struct kunit *test)
{
	struct fake *f = fake_setup_pg(test, PVBLK_ABI_NATIVE, 2);
	struct fe_seg twice[2] = { { 5, 0, 3 }, { 5, 4, 7 } };
	struct fe_seg six = { 6, 0, 7 }, seven = { 7, 0, 7 };
	struct fe_seg a[2] = { { 5, 0, 7 }, { 6, 0, 7 } };
	struct fe_seg b[2] = { { 5, 0, 7 }, { 7, 0, 7 } };
	static const s16 ok[2] = {};
	struct pvblk_pgnt *e5, *e6;
	u8 *g5 = page_address(f->grants[5]);

	/* Mapped twice (both missed), cached once, the other unmapped. */
	get_random_bytes(g5, PAGE_SIZE);
	fe_push(f, BLKIF_OP_WRITE, 2, 1, 0, twice, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 2);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, f->live_maps, 1);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 1U);
	e5 = pg_entry(f, 5);
	KUNIT_ASSERT_NOT_NULL(test, e5);
	KUNIT_EXPECT_EQ(test, e5->users, 0U);
	KUNIT_EXPECT_EQ(test, memcmp(f->disk + (1024 << 9), g5, PAGE_SIZE), 0);

	/* Again: both segments hit the cached grant. */
	fe_push(f, BLKIF_OP_WRITE, 2, 2, 8, twice, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 2);
	KUNIT_EXPECT_EQ(test, f->map_calls, 1);
	KUNIT_EXPECT_EQ(test, e5->users, 0U);
	KUNIT_EXPECT_EQ(test, memcmp(f->disk + (1032 << 9), g5, PAGE_SIZE), 0);

	/*
	 * Two requests in flight, both missing grant 6: one caches it, and
	 * that fills the cache without overflowing it, so the idle grant 5
	 * stays.
	 */
	f->hold = true;
	fe_push(f, BLKIF_OP_READ, 1, 3, 0, &six, 1);
	fe_push(f, BLKIF_OP_READ, 1, 4, 8, &six, 1);
	KUNIT_EXPECT_EQ(test, process(f), 2U);
	KUNIT_EXPECT_EQ(test, f->nr_held, 2U);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 4);
	KUNIT_EXPECT_EQ(test, f->live_maps, 3);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 2U);
	KUNIT_EXPECT_PTR_EQ(test, pg_entry(f, 5), e5);
	e6 = pg_entry(f, 6);
	KUNIT_ASSERT_NOT_NULL(test, e6);
	KUNIT_EXPECT_EQ(test, e6->users, 1U);
	complete_held(f);
	process(f);
	expect_rsps(test, f, 3, ok, 2);
	KUNIT_EXPECT_EQ(test, f->live_maps, 2);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 2);
	KUNIT_EXPECT_EQ(test, e6->users, 0U);

	/*
	 * Two requests in flight sharing grant 5; the second one's grant 7
	 * finds the cache full, but every cached grant is in use: nothing
	 * may be evicted.
	 */
	f->hold = true;
	fe_push(f, BLKIF_OP_READ, 2, 5, 0, a, 2);
	fe_push(f, BLKIF_OP_READ, 2, 6, 16, b, 2);
	KUNIT_EXPECT_EQ(test, process(f), 2U);
	KUNIT_EXPECT_EQ(test, f->nr_held, 2U);
	KUNIT_EXPECT_EQ(test, e5->users, 2U);
	KUNIT_EXPECT_EQ(test, e6->users, 1U);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 5);
	KUNIT_EXPECT_EQ(test, f->live_maps, 3);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 2);
	KUNIT_EXPECT_PTR_EQ(test, pg_entry(f, 5), e5);
	KUNIT_EXPECT_PTR_EQ(test, pg_entry(f, 6), e6);
	KUNIT_EXPECT_NULL(test, pg_entry(f, 7));
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 2U);
	complete_held(f);
	process(f);
	expect_rsps(test, f, 5, ok, 2);
	KUNIT_EXPECT_EQ(test, f->live_maps, 2);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 3);
	KUNIT_EXPECT_EQ(test, e5->users, 0U);
	KUNIT_EXPECT_EQ(test, e6->users, 0U);

	/*
	 * Idle now: the next overflow evicts the least recently used, 6
	 * (request 5 gave it back before request 6 gave back 5).
	 */
	fe_push(f, BLKIF_OP_READ, 1, 7, 0, &seven, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 7, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_NULL(test, pg_entry(f, 6));
	KUNIT_EXPECT_PTR_EQ(test, pg_entry(f, 5), e5);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 1U);
	KUNIT_EXPECT_EQ(test, f->live_maps, 1);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 5);
}

/* A request whose grants do not all map gives its cached ones back. */
static void persistent_map_failure(struct kunit *test)
{
	struct fake *f = fake_setup_pg(test, PVBLK_ABI_NATIVE, 8);
	struct fe_seg good = { 0, 0, 7 };
	struct fe_seg mixed[2] = { { 0, 0, 7 }, { FAKE_GRANTS + 100, 0, 7 } };
	struct fe_seg fresh[2] = { { 1, 0, 7 }, { 999, 0, 7 } };
	static const s16 st[2] = { BLKIF_RSP_ERROR, BLKIF_RSP_OKAY };
	u8 *g0 = page_address(f->grants[0]), *want;
	struct pvblk_pgnt *e;

	want = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	get_random_bytes(g0, PAGE_SIZE);
	memcpy(want, g0, PAGE_SIZE);
	fe_push(f, BLKIF_OP_WRITE, 1, 1, 0, &good, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	e = pg_entry(f, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->users, 0U);

	/* The cached grant 0 and one the guest never granted. */
	fe_push(f, BLKIF_OP_WRITE, 2, 2, 8, mixed, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 2, BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 1ULL);
	KUNIT_EXPECT_EQ(test, e->users, 0U);
	/* Back on the idle list, so it can be evicted. */
	KUNIT_EXPECT_FALSE(test, list_empty(&e->lru));
	KUNIT_EXPECT_EQ(test, list_count_nodes(&f->ring.pgnt.idle), (size_t)1);
	KUNIT_EXPECT_PTR_EQ(test, pg_entry(f, 0), e);
	KUNIT_EXPECT_EQ(test, f->live_maps, 1);

	/* Nothing of a failed mapping is cached. */
	fe_push(f, BLKIF_OP_WRITE, 2, 3, 8, fresh, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 3, BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 2ULL);
	KUNIT_EXPECT_NULL(test, pg_entry(f, 1));
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 1U);
	KUNIT_EXPECT_EQ(test, f->live_maps, 1);

	/* Failing next to a good request on the same cached grant. */
	memset(g0, 0, PAGE_SIZE);
	fe_push(f, BLKIF_OP_WRITE, 2, 4, 16, mixed, 2);
	fe_push(f, BLKIF_OP_READ, 1, 5, 0, &good, 1);
	KUNIT_EXPECT_EQ(test, process(f), 2U);
	expect_rsps(test, f, 4, st, 2);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 3ULL);
	KUNIT_EXPECT_EQ(test, memcmp(g0, want, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, e->users, 0U);
	/* Grant 0 was mapped once, for request 1. */
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 1);
	KUNIT_EXPECT_EQ(test, f->live_maps, 1);

	/* No user left behind: freeing the ring unmaps it. */
	pvblk_ring_free(&f->ring);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 0U);
}

/* Without feature-persistent, max_pgrants is ignored: nothing is kept. */
static void not_persistent_never_caches(struct kunit *test)
{
	struct fake *f = fake_init(test, PVBLK_ABI_NATIVE, false, 8, 0);
	struct fe_seg s[3] = { { 0, 0, 7 }, { 1, 0, 7 }, { 0, 0, 7 } };
	unsigned int i;

	KUNIT_EXPECT_EQ(test, f->ring.pgnt.max, 0U);
	for (i = 0; i < 5; i++) {
		fe_push(f, i % 2 ? BLKIF_OP_READ : BLKIF_OP_WRITE, 3, i,
			8 * i, s, 3);
		KUNIT_EXPECT_EQ(test, process(f), 1U);
		expect_rsp(test, f, i, BLKIF_RSP_OKAY);
		KUNIT_EXPECT_EQ(test, f->mapped_segs, 3 * (i + 1));
		KUNIT_EXPECT_EQ(test, f->unmap_calls, i + 1);
		KUNIT_EXPECT_EQ(test, f->live_maps, 0);
		KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 0U);
	}
	/* In flight, it holds its own mappings, released at completion. */
	f->hold = true;
	fe_push(f, BLKIF_OP_READ, 3, 9, 0, s, 3);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	KUNIT_EXPECT_EQ(test, f->live_maps, 3);
	complete_held(f);
	process(f);
	expect_rsp(test, f, 9, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 0U);
}

static const s16 all_ok[12];	/* BLKIF_RSP_OKAY is 0 */

/*
 * @n one-sector reads held in flight on a ring holding responses for
 * @hold_ns.  Return: the response producer before any is answered.
 */
static u32 hold_setup(struct kunit *test, struct fake *f, u32 hold_ns,
		      unsigned int n)
{
	struct fe_seg s = { 0, 0, 7 };
	unsigned int i;

	f->lim.rsp_hold_ns = hold_ns;
	f->hold = true;
	for (i = 0; i < n; i++)
		fe_push(f, BLKIF_OP_READ, 1, i, 8 * i, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), n);
	return hdr(f)->rsp_prod;
}

/* Complete held requests @from..@to-1 and stop holding new ones. */
static void hold_finish(struct fake *f, unsigned int from, unsigned int to)
{
	unsigned int i;

	for (i = from; i < to; i++)
		pvblk_ring_complete(f->held[i], 0);
	f->nr_held = 0;
	f->hold = false;
	process(f);
}

/* Response coalescing: only the count of responses releases them here. */
static void responses_held_bounded(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	u32 prod0 = hold_setup(test, f, NSEC_PER_SEC, 12);
	unsigned int i;

	/* Seven answers while five are still in flight: held back. */
	for (i = 0; i < 7; i++)
		pvblk_ring_complete(f->held[i], 0);
	process(f);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0);
	KUNIT_EXPECT_GT(test, pvblk_ring_hold_left(&f->ring), 0ULL);
	KUNIT_EXPECT_LE(test, pvblk_ring_hold_left(&f->ring), NSEC_PER_SEC);

	/* The eighth: all eight go out together. */
	pvblk_ring_complete(f->held[7], 0);
	process(f);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0 + 8);
	KUNIT_EXPECT_EQ(test, pvblk_ring_hold_left(&f->ring), 0ULL);

	/* Three left in flight: the guest may be waiting, answer at once. */
	pvblk_ring_complete(f->held[8], 0);
	process(f);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0 + 9);
	hold_finish(f, 9, 12);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0 + 12);
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
	expect_rsps(test, f, 0, all_ok, 12);
}

/* A held response goes out once its time is up, whatever else happens. */
static void responses_held_until_due(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	u32 prod0 = hold_setup(test, f, NSEC_PER_MSEC, 8);

	pvblk_ring_complete(f->held[0], 0);
	process(f);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0);
	KUNIT_EXPECT_LE(test, pvblk_ring_hold_left(&f->ring), NSEC_PER_MSEC);
	/* Past the deadline (a sleep lasts at least as long as asked). */
	usleep_range(2000, 3000);
	KUNIT_EXPECT_EQ(test, pvblk_ring_hold_left(&f->ring), 1ULL);
	process(f);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0 + 1);
	KUNIT_EXPECT_EQ(test, pvblk_ring_hold_left(&f->ring), 0ULL);
	/* Nothing left in flight: the rest go out at once. */
	hold_finish(f, 1, 8);
	KUNIT_EXPECT_EQ(test, hdr(f)->rsp_prod, prod0 + 8);
	expect_rsps(test, f, 0, all_ok, 8);
}

/* A ring whose ops unmap where the I/O ends, as the real ones do. */
static struct fake *fake_setup_atomic(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);

	f->ops = fake_ops;
	f->ops.unmap_atomic = fake_unmap_atomic;
	f->ring.ops = &f->ops;
	return f;
}

/* Held requests ids 1..n, one page each, submitted and not yet ended. */
static void push_held(struct kunit *test, struct fake *f, unsigned int n)
{
	unsigned int i;

	f->nr_held = 0;
	f->hold = true;
	for (i = 0; i < n; i++) {
		struct fe_seg s = { i % FAKE_GRANTS, 0, 7 };

		fe_push(f, BLKIF_OP_READ, 1, i + 1, 8 * i, &s, 1);
	}
	KUNIT_EXPECT_EQ(test, process(f), n);
	KUNIT_ASSERT_EQ(test, f->nr_held, n);
	f->hold = false;
	atomic_set(&f->ring.kicked, 0);
}

static void end_held(struct fake *f, unsigned int i)
{
	fake_do_io(f, f->held[i]);
	pvblk_ring_complete(f->held[i], 0);
}

/* Unmapped where it ended, a request is answered there: no thread needed. */
static void answered_where_io_ends(struct kunit *test)
{
	struct fake *f = fake_setup_atomic(test);
	u64 id;
	s16 st;

	push_held(test, f, 3);
	end_held(f, 1);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->notifies, 1);
	KUNIT_EXPECT_EQ(test, f->atomic_unmaps, 1);
	KUNIT_EXPECT_EQ(test, f->live_maps, 2);
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 2U);
	/* The thread was not woken for it. */
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 0);
	end_held(f, 0);
	end_held(f, 2);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	expect_rsp(test, f, 3, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 0);
	KUNIT_EXPECT_EQ(test, lat_total(f), 3ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 0);
}

/* Ops that cannot unmap now leave it to the thread, in one batch. */
static void atomic_unmap_refused(struct kunit *test)
{
	struct fake *f = fake_setup_atomic(test);
	u64 id;
	s16 st;

	f->refuse_atomic = true;
	push_held(test, f, 3);
	end_held(f, 0);
	end_held(f, 1);
	end_held(f, 2);
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 1);
	KUNIT_EXPECT_EQ(test, f->live_maps, 3);
	process(f);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	expect_rsp(test, f, 3, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, f->atomic_unmaps, 0);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
}

/* With answer_inline off, every answer is the thread's, as before. */
static void answer_inline_off(struct kunit *test)
{
	struct fake *f = fake_setup_atomic(test);
	u64 id;
	s16 st;

	f->lim.answer_inline = false;
	push_held(test, f, 2);
	end_held(f, 0);
	end_held(f, 1);
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 1);
	process(f);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->atomic_unmaps, 0);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);
}

/*
 * Requests answered where they ended come back to the pool: far more
 * requests than the pool holds pass in a few rounds, none waiting.
 */
static void answered_requests_recycled(struct kunit *test)
{
	struct fake *f = fake_setup_atomic(test);
	struct fe_seg s = { 3, 0, 7 };
	unsigned int i, done = 0, rounds = 0;
	u64 id;
	s16 st;

	KUNIT_ASSERT_EQ(test, f->ring.pool_size, 32U);
	for (i = 0; i < 200; i++) {
		/* A full ring: the backend runs, the frontend takes answers. */
		if (hdr(f)->req_prod - f->rsp_seen == f->ring.br.nr_ents) {
			process(f);
			while (fe_pop(f, &id, &st)) {
				KUNIT_EXPECT_EQ(test, st, BLKIF_RSP_OKAY);
				done++;
			}
			rounds++;
		}
		fe_push(f, BLKIF_OP_WRITE, 1, i, 8 * (i % 64), &s, 1);
	}
	process(f);
	while (fe_pop(f, &id, &st)) {
		KUNIT_EXPECT_EQ(test, st, BLKIF_RSP_OKAY);
		done++;
	}
	KUNIT_EXPECT_EQ(test, done, 200U);
	KUNIT_EXPECT_EQ(test, rounds, 6U);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_OO_REQ), 0ULL);
	KUNIT_EXPECT_EQ(test, f->atomic_unmaps, 200);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 0);
}

/*
 * With every request in flight the thread stops taking more, and the next
 * answer where an I/O ends wakes it; otherwise such answers do not.
 */
static void starved_ring_woken(struct kunit *test)
{
	struct fake *f = fake_setup_atomic(test);
	struct fe_seg s = { 0, 0, 7 };

	/* A pool of 2 on the ring of 32. */
	pvblk_ring_free(&f->ring);
	f->lim.max_requests = 2;
	KUNIT_ASSERT_EQ(test, pvblk_ring_init(&f->ring, page_address(f->sring),
					      PAGE_SIZE, PVBLK_ABI_NATIVE), 0);
	KUNIT_ASSERT_EQ(test, f->ring.pool_size, 2U);
	/* One more than the pool: it waits in the ring. */
	push_held(test, f, 2);
	f->hold = true;
	fe_push(f, BLKIF_OP_READ, 1, 999, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 0U);
	f->hold = false;
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_OO_REQ), 1ULL);
	atomic_set(&f->ring.kicked, 0);
	end_held(f, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 1);
	expect_rsp(test, f, 2, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 999, BLKIF_RSP_OKAY);
	/* No longer waiting: answers do not wake the thread. */
	atomic_set(&f->ring.kicked, 0);
	end_held(f, 0);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 0);

	/* Closing: every end wakes the thread, until none is in flight. */
	push_held(test, f, 2);
	KUNIT_EXPECT_TRUE(test, pvblk_ring_close(&f->ring));
	end_held(f, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 1);
	KUNIT_EXPECT_TRUE(test, pvblk_ring_close(&f->ring));
	end_held(f, 1);
	KUNIT_EXPECT_FALSE(test, pvblk_ring_close(&f->ring));
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
}

/*
 * On a busy ring (4 or more in flight) the thread answers, unmapping the
 * whole batch at once, even where the ops could unmap as the I/O ends.
 */
static void busy_ring_answered_by_thread(struct kunit *test)
{
	struct fake *f = fake_setup_atomic(test);
	unsigned int i;
	u64 id;
	s16 st;

	push_held(test, f, 8);
	for (i = 0; i < 8; i++)
		end_held(f, i);
	KUNIT_EXPECT_FALSE(test, fe_pop(f, &id, &st));
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 1);
	process(f);
	for (i = 0; i < 8; i++)
		expect_rsp(test, f, i + 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->unmap_calls, 1);
	KUNIT_EXPECT_EQ(test, f->atomic_unmaps, 0);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
}

/* Persistent hits are answered where they end and keep their grants. */
static void persistent_answered_at_once(struct kunit *test)
{
	struct fake *f = fake_setup_pg(test, PVBLK_ABI_NATIVE, 8);

	push_held(test, f, 3);
	end_held(f, 0);
	end_held(f, 1);
	end_held(f, 2);
	process(f);
	KUNIT_EXPECT_EQ(test, pvblk_ring_pgrants(&f->ring), 3U);
	/* Now every grant is a hit: nothing to unmap, answered at once. */
	f->rsp_seen = hdr(f)->rsp_prod;
	push_held(test, f, 3);
	end_held(f, 0);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->ring.kicked), 0);
	end_held(f, 1);
	end_held(f, 2);
	/* Not yet given back: the thread does that. */
	KUNIT_EXPECT_FALSE(test, list_empty(&f->ring.released));
	KUNIT_EXPECT_EQ(test, f->map_calls, 1);
	KUNIT_EXPECT_EQ(test, f->live_maps, 3);
	/* Freeing the ring gives them back, then unmaps every one. */
	pvblk_ring_free(&f->ring);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
}

/*
 * By grant copy, the same data lands on the disk and back in the guest,
 * with no guest page mapped: the write's data copied in by the thread,
 * the read's copied out where it ended.
 */
static void copy_write_then_read(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, PVBLK_MAX_DIRECT_SEGS);

	/* 32 slots of 11 segments, capped at 256 pages (1 MiB). */
	KUNIT_EXPECT_EQ(test, f->ring.nr_bounce, 256U);
	write_then_read(test, f);
	KUNIT_EXPECT_EQ(test, f->map_calls, 0);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 0);
	KUNIT_EXPECT_EQ(test, f->copy_calls, 1);
	KUNIT_EXPECT_EQ(test, f->atomic_copies, 1);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 0ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_COPY_REQ), 2ULL);
	KUNIT_EXPECT_GE(test, pvblk_ring_mem(&f->ring), 256 * PAGE_SIZE);
}

/* Requests larger than copy_segs are mapped. */
static void copy_only_small(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, 1);
	struct fe_seg two[2] = { { 0, 0, 7 }, { 1, 0, 7 } };
	const s16 ok[2] = { BLKIF_RSP_OKAY, BLKIF_RSP_OKAY };

	/* A 1-page ring has 32 slots: a page each. */
	KUNIT_EXPECT_EQ(test, f->ring.nr_bounce, 32U);
	fe_push(f, BLKIF_OP_READ, 2, 1, 0, two, 2);
	fe_push(f, BLKIF_OP_READ, 1, 2, 0, two, 1);
	KUNIT_EXPECT_EQ(test, process(f), 2U);
	/* The copied one is answered where it ended, the other by the thread. */
	expect_rsps(test, f, 1, ok, 2);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 2);
	KUNIT_EXPECT_EQ(test, f->atomic_copies, 1);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_COPY_REQ), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_RD_REQ), 2ULL);
}

/* With persistent grants, whose kept mappings cost nothing, no copy. */
static void copy_not_with_persistent(struct kunit *test)
{
	struct fake *f = fake_init(test, PVBLK_ABI_NATIVE, true, 8,
				   PVBLK_MAX_DIRECT_SEGS);
	struct fe_seg s = { 0, 0, 7 };

	KUNIT_EXPECT_EQ(test, f->ring.nr_bounce, 0U);
	fe_push(f, BLKIF_OP_READ, 1, 1, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 1);
	KUNIT_EXPECT_EQ(test, f->atomic_copies + f->copy_calls, 0);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_COPY_REQ), 0ULL);
}

/*
 * A bad grant in a copied write fails it before any I/O, and the disk is
 * untouched; its bounce pages come back.
 */
static void copy_bad_grant_refused(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, PVBLK_MAX_DIRECT_SEGS);
	struct fe_seg bad[2] = { { 0, 0, 7 }, { 4000, 0, 7 } };

	memset(page_address(f->grants[0]), 0x5a, PAGE_SIZE);
	fe_push(f, BLKIF_OP_WRITE, 2, 1, 0, bad, 2);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_WR_REQ), 0ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_COPY_REQ), 0ULL);
	KUNIT_EXPECT_EQ(test, f->disk[1024 << 9], 0);
	KUNIT_EXPECT_EQ(test, f->ring.bounce_free, f->ring.nr_bounce);
}

/*
 * A read whose data cannot be copied out (a read-only grant) fails, where
 * it ended or in the thread alike.
 */
static void copy_out_failure(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, PVBLK_MAX_DIRECT_SEGS);
	struct fe_seg ro = { 3, 0, 7 };

	set_bit(3, &f->ro_grants);
	fe_push(f, BLKIF_OP_READ, 1, 1, 0, &ro, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, f->atomic_copies, 1);

	f->refuse_copy_atomic = true;
	fe_push(f, BLKIF_OP_READ, 1, 2, 0, &ro, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 2, BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, f->copy_calls, 1);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_MAP_ERR), 2ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_IO_ERR), 0ULL);
}

/*
 * A read that failed on the disk copies nothing out: its bounce page may
 * hold an earlier request's data, which the guest must never see.
 */
static void copy_io_error_not_copied(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, PVBLK_MAX_DIRECT_SEGS);
	struct fe_seg s = { 2, 0, 7 };
	u8 *g = page_address(f->grants[2]);

	/* A write leaves its data in a bounce page... */
	memset(g, 0x77, PAGE_SIZE);
	fe_push(f, BLKIF_OP_WRITE, 1, 1, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
	/* ...that a failing read of the same sector gets next. */
	memset(g, 0, PAGE_SIZE);
	f->io_error = -EIO;
	fe_push(f, BLKIF_OP_READ, 1, 2, 0, &s, 1);
	KUNIT_EXPECT_EQ(test, process(f), 1U);
	expect_rsp(test, f, 2, BLKIF_RSP_ERROR);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(g, 0, PAGE_SIZE), NULL);
	KUNIT_EXPECT_EQ(test, f->atomic_copies, 0);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_IO_ERR), 1ULL);
}

/*
 * More copied requests in flight than bounce pages: the rest are mapped,
 * and everything is answered, busy ring and all (the thread copies out).
 */
static void copy_bounce_exhausted(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, PVBLK_MAX_DIRECT_SEGS);
	struct fe_seg segs[PVBLK_MAX_DIRECT_SEGS];
	unsigned int i;
	s16 st[30];

	for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++)
		segs[i] = (struct fe_seg){ i, 0, 7 };
	f->hold = true;
	for (i = 0; i < 30; i++) {
		fe_push(f, BLKIF_OP_READ, PVBLK_MAX_DIRECT_SEGS, i + 1, 0, segs,
			PVBLK_MAX_DIRECT_SEGS);
		st[i] = BLKIF_RSP_OKAY;
	}
	KUNIT_EXPECT_EQ(test, process(f), 30U);
	KUNIT_ASSERT_EQ(test, f->nr_held, 30U);
	/* 256 pages hold 23 requests of 11; the other 7 are mapped. */
	KUNIT_EXPECT_EQ(test, f->ring.bounce_free, 256U - 23 * 11);
	KUNIT_EXPECT_EQ(test, f->mapped_segs, 7 * 11);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_COPY_REQ), 23ULL);
	complete_held(f);
	process(f);
	expect_rsps(test, f, 1, st, 30);
	KUNIT_EXPECT_EQ(test, f->atomic_copies, 0);
	KUNIT_EXPECT_GE(test, f->copy_calls, 1);
	KUNIT_EXPECT_EQ(test, f->live_maps, 0);
	KUNIT_EXPECT_EQ(test, f->ring.bounce_free, f->ring.nr_bounce);
}

/*
 * The closing thread frees the ring once it sees nothing in flight under
 * ring->lock, so a completion must be done with the ring before it drops
 * that lock: it notifies and wakes the thread with the lock held.  A
 * waiter of our own on the ring's wait queue sees each wake-up.
 */
struct gap_watch {
	struct wait_queue_entry wq;
	struct pvblk_ring *ring;
	int wakes;
	int wakes_locked;
};

static int gap_wake(struct wait_queue_entry *wq, unsigned int mode, int sync,
		    void *key)
{
	struct gap_watch *w = container_of(wq, struct gap_watch, wq);

	w->wakes++;
	w->wakes_locked += lockdep_is_held(&w->ring->lock);
	return 0;
}

static void close_gap(struct kunit *test, bool inline_answer)
{
	struct fake *f = fake_setup_atomic(test);
	struct gap_watch w = { .ring = &f->ring };

	f->refuse_atomic = !inline_answer;
	push_held(test, f, 1);
	init_waitqueue_func_entry(&w.wq, gap_wake);
	add_wait_queue(&f->ring.wq, &w.wq);
	/* The thread is closing: it waits for this last request. */
	KUNIT_EXPECT_TRUE(test, pvblk_ring_close(&f->ring));
	end_held(f, 0);
	remove_wait_queue(&f->ring.wq, &w.wq);
	KUNIT_EXPECT_EQ(test, w.wakes, 1);
	KUNIT_EXPECT_EQ(test, w.wakes_locked, w.wakes);
	KUNIT_EXPECT_EQ(test, f->notifies, inline_answer ? 1 : 0);
	KUNIT_EXPECT_EQ(test, f->notifies_locked, f->notifies);
	/* Answered at once, or left for the thread's last drain. */
	KUNIT_EXPECT_EQ(test, pvblk_ring_close(&f->ring), !inline_answer);
	pvblk_ring_drain(&f->ring);
	KUNIT_EXPECT_FALSE(test, pvblk_ring_close(&f->ring));
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);
}

static void close_gap_answered(struct kunit *test)
{
	close_gap(test, true);
}

static void close_gap_handed_over(struct kunit *test)
{
	close_gap(test, false);
}

/* A ring given a share of its vbd's bounce pages keeps no more. */
static void bounce_share_bounded(struct kunit *test)
{
	struct fake *f = fake_setup_copy(test, PVBLK_MAX_DIRECT_SEGS);
	unsigned int full = f->ring.nr_bounce;

	KUNIT_EXPECT_EQ(test, full, (unsigned int)PVBLK_BOUNCE_MAX);
	pvblk_ring_free(&f->ring);
	f->ring.bounce_max = PVBLK_BOUNCE_MAX / 4;
	KUNIT_ASSERT_EQ(test, pvblk_ring_init(&f->ring,
					      page_address(f->sring),
					      PAGE_SIZE, PVBLK_ABI_NATIVE), 0);
	KUNIT_EXPECT_EQ(test, f->ring.nr_bounce, PVBLK_BOUNCE_MAX / 4U);
	KUNIT_EXPECT_LE(test, pvblk_ring_mem(&f->ring),
			full * PAGE_SIZE / 2);
}

static struct kunit_case pvblk_ring_cases[] = {
	KUNIT_CASE(latency_buckets),
	KUNIT_CASE(rw_x86_64),
	KUNIT_CASE(rw_x86_32),
	KUNIT_CASE(copy_write_then_read),
	KUNIT_CASE(copy_only_small),
	KUNIT_CASE(copy_not_with_persistent),
	KUNIT_CASE(copy_bad_grant_refused),
	KUNIT_CASE(copy_out_failure),
	KUNIT_CASE(copy_io_error_not_copied),
	KUNIT_CASE(copy_bounce_exhausted),
	KUNIT_CASE(bad_requests_answered),
	KUNIT_CASE(indirect_x86_64),
	KUNIT_CASE(indirect_x86_32),
	KUNIT_CASE(indirect_bad_answered),
	KUNIT_CASE(indirect_not_offered),
	KUNIT_CASE(batches_bounded),
	KUNIT_CASE(discard_answered),
	KUNIT_CASE(io_error_answered),
	KUNIT_CASE(full_ring_in_flight),
	KUNIT_CASE(producer_overflow_stops),
	KUNIT_CASE(producer_backwards_stops),
	KUNIT_CASE(attach_rejects_bogus_ring),
	KUNIT_CASE(notify_honours_rsp_event),
	KUNIT_CASE(wrap_around_indexes),
	KUNIT_CASE(responses_held_bounded),
	KUNIT_CASE(responses_held_until_due),
	KUNIT_CASE(persistent_reuse),
	KUNIT_CASE(persistent_bounded),
	KUNIT_CASE(persistent_shared_gref),
	KUNIT_CASE(persistent_map_failure),
	KUNIT_CASE(not_persistent_never_caches),
	KUNIT_CASE(answered_where_io_ends),
	KUNIT_CASE(atomic_unmap_refused),
	KUNIT_CASE(answer_inline_off),
	KUNIT_CASE(answered_requests_recycled),
	KUNIT_CASE(starved_ring_woken),
	KUNIT_CASE(busy_ring_answered_by_thread),
	KUNIT_CASE(persistent_answered_at_once),
	KUNIT_CASE(close_gap_answered),
	KUNIT_CASE(close_gap_handed_over),
	KUNIT_CASE(bounce_share_bounded),
	{}
};

static struct kunit_suite pvblk_ring_suite = {
	.name = "pvblkback-ring",
	.exit = fake_exit,
	.test_cases = pvblk_ring_cases,
};

/* Round with real I/O: wait for the bios, then answer them. */
static void process_io(struct kunit *test, struct fake *f)
{
	unsigned long end = jiffies + 10 * HZ;

	process(f);
	while (f->ring.inflight && time_before(jiffies, end)) {
		wait_event_timeout(f->ring.wq, atomic_read(&f->ring.kicked), HZ);
		atomic_set(&f->ring.kicked, 0);
		process(f);
	}
	KUNIT_EXPECT_EQ(test, f->ring.inflight, 0U);
}

/* The engine on a real RAM disk (brd's /dev/ram0), bios and all. */
static struct fake *ramdisk_setup(struct kunit *test)
{
	struct fake *f = fake_setup(test, PVBLK_ABI_NATIVE);
	int err;

	err = pvback_bdev_open(&f->ram, MKDEV(RAMDISK_MAJOR, 0), true);
	if (err)
		kunit_skip(test, "no /dev/ram0 (CONFIG_BLK_DEV_RAM): %d", err);
	KUNIT_ASSERT_GE(test, bdev_nr_sectors(f->ram.bdev), 4096ULL);
	/* Region: 2048 sectors at sector 1024 of the RAM disk. */
	f->lim.region.start = 1024;
	f->lim.region.nr_sectors = 2048;
	return f;
}

static void ramdisk_round_trip(struct kunit *test)
{
	struct fake *f = ramdisk_setup(test);
	struct pvblk_limits whole = f->lim;
	struct fe_seg w[PVBLK_MAX_DIRECT_SEGS], r[PVBLK_MAX_DIRECT_SEGS];
	unsigned int i, sectors = 0;
	u8 *want, *got;

	want = kunit_kzalloc(test, 11 * 4096, GFP_KERNEL);
	got = kunit_kzalloc(test, 11 * 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, got);

	/* Eleven segments, partial pages included: grants 0-10 out, 11-15 in. */
	for (i = 0; i < 11; i++) {
		u8 first = i % 3, last = 7 - i % 2;
		size_t len = (last - first + 1) << 9;

		w[i] = (struct fe_seg){ i, first, last };
		get_random_bytes(page_address(f->grants[i]) + (first << 9), len);
		memcpy(want + (sectors << 9),
		       page_address(f->grants[i]) + (first << 9), len);
		sectors += last - first + 1;
	}
	fe_push(f, BLKIF_OP_WRITE, 11, 1, 40, w, 11);
	process_io(test, f);
	expect_rsp(test, f, 1, BLKIF_RSP_OKAY);

	/* Read back through the device's whole-disk view, 8 sectors a page. */
	whole.region.start = 0;
	whole.region.nr_sectors = bdev_nr_sectors(f->ram.bdev);
	f->ring.lim = &whole;
	for (i = 0; i < DIV_ROUND_UP(sectors, 8); i++)
		r[i] = (struct fe_seg){ 11 + i % 5, 0, 7 };
	for (i = 0; i * 8 < sectors; i += 5) {
		unsigned int n = min(5U, DIV_ROUND_UP(sectors, 8) - i), k;

		fe_push(f, BLKIF_OP_READ, n, 2 + i, 1024 + 40 + 8 * i, r, n);
		process_io(test, f);
		expect_rsp(test, f, 2 + i, BLKIF_RSP_OKAY);
		for (k = 0; k < n; k++)
			memcpy(got + ((i + k) << 12),
			       page_address(f->grants[11 + k]), 4096);
	}
	/* The data sits at region start + 40 on the device. */
	KUNIT_EXPECT_EQ(test, memcmp(got, want, sectors << 9), 0);
}

static void ramdisk_flush_and_bounds(struct kunit *test)
{
	struct fake *f = ramdisk_setup(test);
	struct fe_seg s = { 0, 0, 7 };
	s16 st, status[4] = { 99, 99, 99, 99 };
	unsigned int n;
	u64 id;

	fe_push(f, BLKIF_OP_FLUSH_DISKCACHE, 0, 1, 0, NULL, 0);
	fe_push(f, BLKIF_OP_FLUSH_DISKCACHE, 1, 2, 8, &s, 1);
	/* The region's last page, then one sector beyond it. */
	fe_push(f, BLKIF_OP_WRITE, 1, 3, 2040, &s, 1);
	fe_push(f, BLKIF_OP_WRITE, 1, 4, 2041, &s, 1);
	process_io(test, f);
	/* Responses come in completion order, not request order. */
	for (n = 0; n < 4 && fe_pop(f, &id, &st); n++)
		if (id >= 1 && id <= 4)
			status[id - 1] = st;
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_EXPECT_EQ(test, status[0], BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, status[1], BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, status[2], BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, status[3], BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_REGION_ERR), 1ULL);
	KUNIT_EXPECT_EQ(test, stat(f, PVBLK_ST_F_REQ), 2ULL);
}

static struct kunit_case pvblk_io_cases[] = {
	KUNIT_CASE(ramdisk_round_trip),
	KUNIT_CASE(ramdisk_flush_and_bounds),
	{}
};

static struct kunit_suite pvblk_io_suite = {
	.name = "pvblkback-io",
	.exit = fake_exit,
	.test_cases = pvblk_io_cases,
};

kunit_test_suites(&pvblk_ring_suite, &pvblk_io_suite);
