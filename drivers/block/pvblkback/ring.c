// SPDX-License-Identifier: GPL-2.0
/*
 * pvblkback ring engine.  See ring.h for the split between this file and
 * the ops it calls.
 */
#define pr_fmt(fmt) "pvblkback: " fmt

#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/slab.h>

#include "ring.h"

/* Requests taken off the ring per call, so one busy ring cannot hog. */
#define PVBLK_RING_BUDGET	64

/*
 * A ring with fewer requests than this in flight is lightly loaded: the
 * guest may be waiting on the very response at hand, so it is answered
 * where its I/O ends and never held back.  On a busier ring the thread
 * answers, unmapping a whole batch with one hypercall and one TLB flush,
 * which measured cheaper at queue depth 16 and 32 (performance.md).
 */
#define PVBLK_BUSY_INFLIGHT	4

static void pvblk_bounce_free(struct pvblk_ring *ring)
{
	unsigned int i;

	if (!ring->bounce)
		return;
	/* Only free ones: a page still out belongs to a request in flight. */
	WARN_ON_ONCE(ring->bounce_free != ring->nr_bounce);
	for (i = 0; i < ring->bounce_free; i++)
		__free_page(ring->bounce[i]);
	kvfree(ring->bounce);
	ring->bounce = NULL;
	ring->nr_bounce = 0;
	ring->bounce_free = 0;
}

/*
 * Grant copy needs the ops for it and no persistent grants (a kept
 * mapping costs nothing per request).  Return: 0, or -ENOMEM.
 */
static int pvblk_bounce_alloc(struct pvblk_ring *ring)
{
	unsigned int n = min3(ring->pool_size * ring->lim->copy_segs,
			      ring->bounce_max ?: PVBLK_BOUNCE_MAX,
			      PVBLK_BOUNCE_MAX);

	ring->nr_bounce = 0;
	ring->bounce_free = 0;
	if (!n || ring->persistent || !ring->ops->copy ||
	    !ring->ops->copy_atomic || ring->lim->copy_segs > PVBLK_MAX_DIRECT_SEGS)
		return 0;
	ring->bounce = kvcalloc(n, sizeof(*ring->bounce), GFP_KERNEL);
	if (!ring->bounce)
		return -ENOMEM;
	for (; ring->nr_bounce < n; ring->nr_bounce++) {
		/* Zeroed: nothing of dom0's ever reaches a guest from them. */
		ring->bounce[ring->nr_bounce] = alloc_page(GFP_KERNEL |
							   __GFP_ZERO);
		if (!ring->bounce[ring->nr_bounce])
			break;
	}
	ring->bounce_free = ring->nr_bounce;
	return ring->nr_bounce == n ? 0 : -ENOMEM;
}

static void pvblk_ring_free_pool(struct pvblk_ring *ring)
{
	kvfree(ring->pool);
	kvfree(ring->segs);
	kvfree(ring->pages);
	kvfree(ring->handles);
	kvfree(ring->pgs);
	kvfree(ring->tmp_pages);
	kvfree(ring->tmp_handles);
	kfree(ring->indirect_buf);
	pvblk_bounce_free(ring);
	pvblk_pgnt_free(&ring->pgnt);
	ring->pool = NULL;
	ring->segs = NULL;
	ring->pages = NULL;
	ring->handles = NULL;
	ring->pgs = NULL;
	ring->tmp_pages = NULL;
	ring->tmp_handles = NULL;
	ring->indirect_buf = NULL;
}

/**
 * pvblk_ring_init - attach the engine to a mapped shared ring
 * @ring: engine state; ops, priv, lim, stats and name are set by the caller
 * @sring: the shared ring pages
 * @bytes: their size
 * @abi: the frontend's ABI
 *
 * Allocates one pending request per ring slot, at most lim->max_requests:
 * the pool bounds our memory use, and requests beyond it wait in the ring
 * until one completes.  Each holds as many segments as a request may have.
 * A persistent ring also gets its grant cache of lim->max_pgrants entries;
 * with lim->copy_segs, others get their bounce pages for grant copy.
 *
 * Return: 0 or a negative errno.
 */
int pvblk_ring_init(struct pvblk_ring *ring, void *sring, size_t bytes,
		    enum pvblk_abi abi)
{
	unsigned int i, n;
	int err;

	err = pvback_ring_attach(&ring->br, sring, bytes,
				 pvblk_abi_slot_size(abi));
	if (err)
		return err;
	ring->abi = abi;
	ring->pool_size = ring->br.nr_ents;
	if (ring->lim->max_requests)
		ring->pool_size = min(ring->pool_size, ring->lim->max_requests);
	ring->seg_max = clamp_t(unsigned int, ring->lim->max_indirect_segs,
				PVBLK_MAX_DIRECT_SEGS, PVBLK_MAX_INDIRECT_SEGS);
	/* Room for a batch of 4 KiB requests, or two of the largest. */
	ring->batch_segs = max(2 * ring->seg_max, PVBLK_BATCH);
	n = ring->pool_size * ring->seg_max;
	ring->pool = kvcalloc(ring->pool_size, sizeof(*ring->pool),
			      GFP_KERNEL);
	ring->segs = kvcalloc(n, sizeof(*ring->segs), GFP_KERNEL);
	ring->pages = kvcalloc(n, sizeof(*ring->pages), GFP_KERNEL);
	ring->handles = kvcalloc(n, sizeof(*ring->handles), GFP_KERNEL);
	ring->pgs = kvcalloc(n, sizeof(*ring->pgs), GFP_KERNEL);
	ring->tmp_pages = kvcalloc(ring->batch_segs, sizeof(*ring->tmp_pages),
				   GFP_KERNEL);
	ring->tmp_handles = kvcalloc(ring->batch_segs,
				     sizeof(*ring->tmp_handles), GFP_KERNEL);
	err = pvblk_pgnt_init(&ring->pgnt, ring->persistent ?
			      ring->lim->max_pgrants : 0);
	if (ring->lim->max_indirect_segs)
		ring->indirect_buf = kmalloc(PVBLK_MAX_INDIRECT_SEGS *
					     PVBLK_WIRE_SEG_SIZE, GFP_KERNEL);
	if (!err)
		err = pvblk_bounce_alloc(ring);
	if (err || !ring->pool || !ring->segs || !ring->pages ||
	    !ring->handles || !ring->pgs || !ring->tmp_pages ||
	    !ring->tmp_handles ||
	    (ring->lim->max_indirect_segs && !ring->indirect_buf)) {
		pvblk_ring_free_pool(ring);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&ring->free);
	for (i = 0; i < ring->pool_size; i++) {
		struct pvblk_pending *p = &ring->pool[i];

		p->ring = ring;
		p->req.seg = ring->segs + i * ring->seg_max;
		p->pages = ring->pages + i * ring->seg_max;
		p->handles = ring->handles + i * ring->seg_max;
		p->pg = ring->pgs + i * ring->seg_max;
		list_add_tail(&p->node, &ring->free);
	}
	ring->stopped = false;
	ratelimit_state_init(&ring->rs, 5 * HZ, 10);
	spin_lock_init(&ring->lock);
	ring->inflight = 0;
	ring->rsp_pub = ring->br.rsp_prod_pvt;
	ring->hold_until = 0;
	INIT_LIST_HEAD(&ring->done);
	INIT_LIST_HEAD(&ring->released);
	ring->want_kick = false;
	ring->closing = false;
	init_waitqueue_head(&ring->wq);
	atomic_set(&ring->kicked, 0);
	return 0;
}

/* Bytes of dom0 memory the engine holds for this ring (statistics). */
size_t pvblk_ring_mem(const struct pvblk_ring *ring)
{
	size_t per_seg = sizeof(*ring->segs) + sizeof(*ring->pages) +
			 sizeof(*ring->handles) + sizeof(*ring->pgs);

	if (!ring->pool)
		return 0;
	return ring->pool_size * (sizeof(*ring->pool) +
				  ring->seg_max * per_seg) +
	       ring->batch_segs * (sizeof(*ring->tmp_pages) +
				   sizeof(*ring->tmp_handles)) +
	       ring->pgnt.max * sizeof(*ring->pgnt.ents) +
	       (ring->indirect_buf ? PVBLK_MAX_INDIRECT_SEGS *
				     PVBLK_WIRE_SEG_SIZE : 0) +
	       ring->nr_bounce * (PAGE_SIZE + sizeof(*ring->bounce));
}

/* Persistent grants the ring holds now (statistics: racy read). */
unsigned int pvblk_ring_pgrants(const struct pvblk_ring *ring)
{
	return READ_ONCE(ring->pgnt.count);
}

/* Unmap up to @n idle persistent grants, oldest first. */
static void pvblk_ring_evict(struct pvblk_ring *ring, unsigned int n)
{
	unsigned int k;

	while (n) {
		k = pvblk_pgnt_evict(&ring->pgnt, min(n, ring->batch_segs),
				     ring->tmp_pages, ring->tmp_handles);
		if (!k)
			break;
		ring->ops->unmap(ring, ring->tmp_pages, ring->tmp_handles, k);
		n -= k;
	}
}

static void pvblk_reap(struct pvblk_ring *ring);

/*
 * Only once nothing is in flight: the caller drains first.  Requests
 * answered since give back their persistent grants, so that every one is
 * idle and gets unmapped here.
 */
void pvblk_ring_free(struct pvblk_ring *ring)
{
	WARN_ON_ONCE(ring->inflight);
	if (ring->pool) {
		pvblk_reap(ring);
		pvblk_ring_evict(ring, ring->pgnt.count);
	}
	pvblk_ring_free_pool(ring);
}

void pvblk_ring_kick(struct pvblk_ring *ring)
{
	atomic_set(&ring->kicked, 1);
	wake_up(&ring->wq);
}

/* Write the response to a request; the caller holds ring->lock. */
static void pvblk_respond(struct pvblk_ring *ring, struct pvblk_pending *p,
			  s16 status)
{
	lockdep_assert_held(&ring->lock);
	pvblk_put_rsp(ring->abi, pvback_ring_next_rsp(&ring->br), p->req.id,
		      pvblk_rsp_op(&p->req), status);
}

/* The thread answers a request it did not submit; it is free again. */
static void pvblk_answer(struct pvblk_ring *ring, struct pvblk_pending *p,
			 s16 status)
{
	spin_lock_irq(&ring->lock);
	pvblk_respond(ring, p, status);
	spin_unlock_irq(&ring->lock);
	list_add(&p->node, &ring->free);
}

/*
 * Histogram bucket of a service time: 0 below 64 us, then one bucket per
 * power of two, the last one from 2^20 us (about a second) up.
 */
unsigned int pvblk_lat_bucket(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);

	if (us < (1ULL << PVBLK_LAT_SHIFT0))
		return 0;
	return min_t(unsigned int, ilog2(us) - PVBLK_LAT_SHIFT0 + 1,
		     PVBLK_LAT_BUCKETS - 1);
}

/*
 * Answer a request whose I/O ended; its own mappings are already undone.
 * The caller holds ring->lock.
 */
static void pvblk_finish(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	s16 status = BLKIF_RSP_OKAY;

	atomic64_inc(&ring->stats->lat[pvblk_lat_bucket(ktime_get_ns() -
							p->start_ns)]);
	if (p->copy_failed) {
		/* The read's data could not be copied out to the guest. */
		status = BLKIF_RSP_ERROR;
		pvblk_stat_add(ring->stats, PVBLK_ST_MAP_ERR, 1);
	} else if (p->error) {
		status = p->error == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
						   BLKIF_RSP_ERROR;
		pvblk_stat_add(ring->stats, PVBLK_ST_IO_ERR, 1);
	}
	ring->inflight--;
	pvblk_respond(ring, p, status);
}

static bool pvblk_publish(struct pvblk_ring *ring);

/*
 * Gather the mappings a request holds alone (not persistent grants) into
 * @pages and @handles.  Return: how many (p->nr_mapped).
 */
static unsigned int pvblk_own_maps(const struct pvblk_pending *p,
				   struct page **pages,
				   grant_handle_t *handles)
{
	unsigned int i, k = 0;

	for (i = 0; i < p->req.nr_segs && k < p->nr_mapped; i++) {
		if (p->pg[i])
			continue;
		pages[k] = p->pages[i];
		handles[k++] = p->handles[i];
	}
	return k;
}

/*
 * Whether a copied request's data still has to go out to the guest: a
 * read that succeeded.  Never after an I/O error: the bounce pages then
 * hold what an earlier request left there.
 */
static bool pvblk_copy_out_due(const struct pvblk_pending *p)
{
	return p->copy && p->io.kind == PVBLK_IO_READ && !p->error;
}

/*
 * Undo a request's own mappings (or copy a read out) where its I/O ended,
 * if the ring is lightly loaded and the ops can do so there.  Return: true
 * if nothing is left to do, so it can be answered at once.
 */
static bool pvblk_unmap_now(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	struct page *pages[PVBLK_MAX_DIRECT_SEGS];
	grant_handle_t handles[PVBLK_MAX_DIRECT_SEGS];
	unsigned int k;

	/* Held responses are timed by the thread. */
	if (!ring->lim->answer_inline || ring->lim->rsp_hold_ns)
		return false;
	/* A hint only: read without the lock, it moves by one at a time. */
	if (READ_ONCE(ring->inflight) >= PVBLK_BUSY_INFLIGHT)
		return false;
	if (pvblk_copy_out_due(p))
		return ring->ops->copy_atomic(ring, p);
	if (!p->nr_mapped)
		return true;
	if (p->nr_mapped > PVBLK_MAX_DIRECT_SEGS || !ring->ops->unmap_atomic)
		return false;
	k = pvblk_own_maps(p, pages, handles);
	if (!ring->ops->unmap_atomic(ring, pages, handles, k))
		return false;
	p->nr_mapped = 0;
	return true;
}

/**
 * pvblk_ring_complete - the I/O layer is done with a request
 * @p: the request
 * @error: 0 or a negative errno
 *
 * May be called from any context.  On a lightly loaded ring, a request
 * with no mapping left to undo is answered here and now: the guest gets
 * it without waiting for the ring's thread, and the thread is not woken
 * for it.  Its persistent grants, if any, go back to the cache when the
 * thread next runs.  Other requests are handed to the thread, which
 * unmaps them in batches.  Nothing of the ring is touched once ring->lock
 * is released: the ring may be gone by then.
 */
void pvblk_ring_complete(struct pvblk_pending *p, int error)
{
	struct pvblk_ring *ring = p->ring;
	bool answered, notify = false, kick = true;
	unsigned long flags;

	p->error = error;
	answered = pvblk_unmap_now(ring, p);
	spin_lock_irqsave(&ring->lock, flags);
	if (answered) {
		pvblk_finish(ring, p);
		list_add_tail(&p->node, &ring->released);
		notify = pvblk_publish(ring);
		kick = ring->want_kick || ring->closing;
	} else {
		list_add_tail(&p->node, &ring->done);
	}
	/*
	 * Both under the lock: once it is dropped, the closing thread may
	 * find nothing in flight and the ring may be freed at once.
	 */
	if (notify)
		ring->ops->notify(ring);
	if (kick)
		pvblk_ring_kick(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
}

static void pvblk_reject(struct pvblk_ring *ring, struct pvblk_pending *p,
			 enum pvblk_verdict v)
{
	const struct pvblk_req *r = &p->req;

	switch (v) {
	case PVBLK_REQ_OUT_OF_REGION:
		pvblk_stat_add(ring->stats, PVBLK_ST_REGION_ERR, 1);
		if (__ratelimit(&ring->rs))
			pr_warn("%s: request %llu for sector %llu escapes its region of %llu sectors; refused\n",
				ring->name, r->id, r->sector,
				ring->lim->region.nr_sectors);
		break;
	case PVBLK_REQ_UNSUPPORTED:
		pvblk_stat_add(ring->stats, PVBLK_ST_UNSUP_REQ, 1);
		break;
	default:
		pvblk_stat_add(ring->stats, PVBLK_ST_BAD_REQ, 1);
		if (__ratelimit(&ring->rs))
			pr_warn("%s: malformed request %llu (op %u, %u segments, sector %llu)%s; refused\n",
				ring->name, r->id, r->op, r->nr_segs,
				r->sector, v == PVBLK_REQ_READONLY ?
				" writes to a read-only disk" : "");
		break;
	}
	pvblk_answer(ring, p, pvblk_verdict_status(v));
}

static void pvblk_account(struct pvblk_ring *ring, const struct pvblk_io *io)
{
	switch (io->kind) {
	case PVBLK_IO_READ:
		pvblk_stat_add(ring->stats, PVBLK_ST_RD_REQ, 1);
		pvblk_stat_add(ring->stats, PVBLK_ST_RD_SECT, io->nr_sectors);
		break;
	case PVBLK_IO_WRITE:
		pvblk_stat_add(ring->stats, PVBLK_ST_WR_REQ, 1);
		pvblk_stat_add(ring->stats, PVBLK_ST_WR_SECT, io->nr_sectors);
		break;
	case PVBLK_IO_FLUSH:
		pvblk_stat_add(ring->stats, PVBLK_ST_F_REQ, 1);
		pvblk_stat_add(ring->stats, PVBLK_ST_WR_SECT, io->nr_sectors);
		break;
	case PVBLK_IO_DISCARD:
	case PVBLK_IO_SECURE_ERASE:
		pvblk_stat_add(ring->stats, PVBLK_ST_DS_REQ, 1);
		pvblk_stat_add(ring->stats, PVBLK_ST_DS_SECT, io->nr_sectors);
		break;
	}
}

static void pvblk_map_failed(struct pvblk_ring *ring, struct pvblk_pending *p,
			     const char *what)
{
	pvblk_stat_add(ring->stats, PVBLK_ST_MAP_ERR, 1);
	if (__ratelimit(&ring->rs))
		pr_warn("%s: request %llu: cannot access the guest's %s; refused\n",
			ring->name, p->req.id, what);
	pvblk_answer(ring, p, BLKIF_RSP_ERROR);
}

/*
 * Requests whose grants are mapped (or unmapped) together, with one
 * hypercall: at most PVBLK_BATCH of them, with at most ring->batch_segs
 * segments in all.
 */
struct pvblk_batch {
	struct pvblk_pending *p[PVBLK_BATCH];
	unsigned int n;
	unsigned int segs;
};

static bool pvblk_batch_full(const struct pvblk_ring *ring,
			     const struct pvblk_batch *b, unsigned int segs)
{
	return b->n == PVBLK_BATCH || b->segs + segs > ring->batch_segs;
}

static void pvblk_batch_add(struct pvblk_batch *b, struct pvblk_pending *p)
{
	b->p[b->n++] = p;
	b->segs += p->req.nr_segs;
}

/*
 * Check one freshly fetched request, reading its indirect descriptors
 * first if it has any.  Return: false if it was refused (and answered).
 */
static bool pvblk_admit(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	enum pvblk_verdict v;

	p->nr_mapped = 0;
	p->copy = false;
	p->copy_failed = false;
	p->error = 0;
	if (p->req.op == BLKIF_OP_INDIRECT) {
		v = pvblk_indirect_check(&p->req, ring->lim);
		if (v != PVBLK_REQ_OK) {
			pvblk_reject(ring, p, v);
			return false;
		}
		/* One copy of the descriptors; only the copy is looked at. */
		if (ring->ops->read_indirect(ring, p->req.indirect_gref[0],
					     ring->indirect_buf,
					     p->req.nr_segs *
					     PVBLK_WIRE_SEG_SIZE)) {
			pvblk_map_failed(ring, p, "indirect page (grant copy)");
			return false;
		}
		pvblk_decode_indirect(ring->indirect_buf, p->req.nr_segs,
				      p->req.seg);
	}
	v = pvblk_req_check(&p->req, ring->lim, &p->io);
	if (v != PVBLK_REQ_OK) {
		pvblk_reject(ring, p, v);
		return false;
	}
	return true;
}

/*
 * Take the cached persistent grants of a request's segments.
 * Return: how many segments still need a mapping.
 */
static unsigned int pvblk_pgnt_lookup(struct pvblk_ring *ring,
				      struct pvblk_pending *p)
{
	unsigned int i, misses = 0;
	struct pvblk_pgnt *e;

	for (i = 0; i < p->req.nr_segs; i++) {
		e = ring->persistent ?
			pvblk_pgnt_get(&ring->pgnt, p->req.seg[i].gref) : NULL;
		p->pg[i] = e;
		if (e)
			p->pages[i] = e->page;
		else
			misses++;
	}
	return misses;
}

/* Give back the persistent grants a request holds. */
static void pvblk_pgnt_release(struct pvblk_ring *ring,
			       struct pvblk_pending *p)
{
	unsigned int i;

	for (i = 0; i < p->req.nr_segs; i++) {
		if (p->pg[i])
			pvblk_pgnt_put(&ring->pgnt, p->pg[i]);
		p->pg[i] = NULL;
	}
}

/* Keep what was just mapped for a request, as far as the cache has room. */
static void pvblk_pgnt_keep(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	unsigned int i;

	for (i = 0; i < p->req.nr_segs && p->nr_mapped; i++) {
		if (p->pg[i])
			continue;
		p->pg[i] = pvblk_pgnt_add(&ring->pgnt, p->req.seg[i].gref,
					  p->pages[i], p->handles[i]);
		if (p->pg[i])
			p->nr_mapped--;
	}
}

/*
 * Give a small request bounce pages, if enough are free: its data then
 * goes by grant copy.  Return: whether it does.
 */
static bool pvblk_copy_take(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	unsigned int i, n = p->req.nr_segs;

	if (!n || n > ring->lim->copy_segs || n > ring->bounce_free)
		return false;
	for (i = 0; i < n; i++) {
		p->pages[i] = ring->bounce[--ring->bounce_free];
		p->pg[i] = NULL;
	}
	p->copy = true;
	return true;
}

/* A copied request is done with its bounce pages. */
static void pvblk_copy_put(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	unsigned int i;

	if (!p->copy)
		return;
	for (i = 0; i < p->req.nr_segs; i++)
		ring->bounce[ring->bounce_free++] = p->pages[i];
	p->copy = false;
}

/*
 * Map the grants of a batch of admitted requests, or copy in the data of
 * those that go by grant copy, then submit them.
 */
static void pvblk_issue(struct pvblk_ring *ring, struct pvblk_batch *b)
{
	struct pvblk_pending *maps[PVBLK_BATCH], *ins[PVBLK_BATCH], *p;
	unsigned int misses[PVBLK_BATCH], i, nm = 0, ni = 0;

	for (i = 0; i < b->n; i++) {
		p = b->p[i];
		misses[i] = 0;
		if (pvblk_copy_take(ring, p)) {
			if (p->io.kind != PVBLK_IO_READ)
				ins[ni++] = p;
			continue;
		}
		misses[i] = pvblk_pgnt_lookup(ring, p);
		if (misses[i])
			maps[nm++] = p;
	}
	if (nm)
		ring->ops->map(ring, maps, nm);
	if (ni)
		ring->ops->copy(ring, ins, ni, false);
	for (i = 0; i < b->n; i++) {
		p = b->p[i];
		if (p->copy ? p->copy_failed : p->nr_mapped != misses[i]) {
			pvblk_copy_put(ring, p);
			pvblk_pgnt_release(ring, p);
			pvblk_map_failed(ring, p, "grants");
			continue;
		}
		if (ring->persistent)
			pvblk_pgnt_keep(ring, p);
		pvblk_account(ring, &p->io);
		if (p->copy)
			pvblk_stat_add(ring->stats, PVBLK_ST_COPY_REQ, 1);
		p->start_ns = ktime_get_ns();
		spin_lock_irq(&ring->lock);
		ring->inflight++;
		spin_unlock_irq(&ring->lock);
		ring->ops->submit(ring, p);
	}
	b->n = 0;
	b->segs = 0;
}

/*
 * Unmap a batch of completed requests together, give back their
 * persistent grants, then answer them.
 */
static void pvblk_retire(struct pvblk_ring *ring, struct pvblk_batch *b)
{
	struct pvblk_pending *outs[PVBLK_BATCH], *p;
	unsigned int r, k = 0, no = 0;

	for (r = 0; r < b->n; r++) {
		p = b->p[r];
		if (pvblk_copy_out_due(p))
			outs[no++] = p;
		k += pvblk_own_maps(p, ring->tmp_pages + k,
				    ring->tmp_handles + k);
		p->nr_mapped = 0;
		pvblk_pgnt_release(ring, p);
	}
	if (no)
		ring->ops->copy(ring, outs, no, true);
	if (k)
		ring->ops->unmap(ring, ring->tmp_pages, ring->tmp_handles, k);
	spin_lock_irq(&ring->lock);
	for (r = 0; r < b->n; r++)
		pvblk_finish(ring, b->p[r]);
	spin_unlock_irq(&ring->lock);
	for (r = 0; r < b->n; r++) {
		pvblk_copy_put(ring, b->p[r]);
		list_add(&b->p[r]->node, &ring->free);
	}
	b->n = 0;
	b->segs = 0;
}

/*
 * Take back the requests answered where they ended, and answer those
 * handed over with mappings to undo.
 */
static void pvblk_reap(struct pvblk_ring *ring)
{
	struct pvblk_pending *p, *tmp;
	struct pvblk_batch b = {};
	LIST_HEAD(released);
	LIST_HEAD(done);

	spin_lock_irq(&ring->lock);
	list_splice_init(&ring->released, &released);
	list_splice_init(&ring->done, &done);
	spin_unlock_irq(&ring->lock);
	list_for_each_entry_safe(p, tmp, &released, node) {
		pvblk_pgnt_release(ring, p);
		pvblk_copy_put(ring, p);
		list_move(&p->node, &ring->free);
	}
	list_for_each_entry_safe(p, tmp, &done, node) {
		list_del(&p->node);
		if (pvblk_batch_full(ring, &b, p->nr_mapped))
			pvblk_retire(ring, &b);
		b.p[b.n++] = p;
		b.segs += p->nr_mapped;
	}
	pvblk_retire(ring, &b);
}

/* Stop taking requests from a frontend that broke the protocol. */
static void pvblk_stop(struct pvblk_ring *ring)
{
	ring->stopped = true;
	pvblk_stat_add(ring->stats, PVBLK_ST_RING_ERR, 1);
	if (__ratelimit(&ring->rs))
		pr_warn("%s: frontend produced more requests than the ring holds; ring stopped until the frontend reconnects\n",
			ring->name);
}

/*
 * Response coalescing: on a busy ring (PVBLK_BUSY_INFLIGHT), up to
 * PVBLK_HOLD_MAX - 1 responses may wait lim->rsp_hold_ns for company, so
 * the frontend takes several per interrupt.
 */
#define PVBLK_HOLD_MAX		8

/*
 * Publish the responses written so far, or hold them a bounded while.
 * The caller holds ring->lock.  Return: true if the frontend wants to be
 * notified.
 */
static bool pvblk_publish(struct pvblk_ring *ring)
{
	unsigned int unpub = ring->br.rsp_prod_pvt - ring->rsp_pub;
	u64 now;

	lockdep_assert_held(&ring->lock);
	if (!unpub)
		return false;
	if (ring->lim->rsp_hold_ns && ring->inflight >= PVBLK_BUSY_INFLIGHT &&
	    unpub < PVBLK_HOLD_MAX) {
		now = ktime_get_ns();
		if (!ring->hold_until)
			ring->hold_until = now + ring->lim->rsp_hold_ns;
		if (now < ring->hold_until)
			return false;
	}
	ring->hold_until = 0;
	ring->rsp_pub = ring->br.rsp_prod_pvt;
	return pvback_ring_push(&ring->br);
}

/**
 * pvblk_ring_hold_left - how long responses may still be held back
 * @ring: the ring
 *
 * Return: nanoseconds until the held responses must be published (at
 * least 1), or 0 when none are held; the ring's thread sleeps no longer.
 */
u64 pvblk_ring_hold_left(struct pvblk_ring *ring)
{
	u64 until, now;

	spin_lock_irq(&ring->lock);
	until = ring->hold_until;
	spin_unlock_irq(&ring->lock);
	if (!until)
		return 0;
	now = ktime_get_ns();
	return now < until ? until - now : 1;
}

/**
 * pvblk_ring_drain - answer completed requests without taking new ones
 * @ring: the ring, being shut down
 */
void pvblk_ring_drain(struct pvblk_ring *ring)
{
	bool notify;

	pvblk_reap(ring);
	spin_lock_irq(&ring->lock);
	notify = pvblk_publish(ring);
	spin_unlock_irq(&ring->lock);
	if (notify)
		ring->ops->notify(ring);
}

/**
 * pvblk_ring_close - the ring's thread is stopping
 * @ring: the ring
 *
 * From now on every completion kicks the thread, which drains until
 * nothing is left in flight.
 *
 * Return: true while requests are in flight.
 */
bool pvblk_ring_close(struct pvblk_ring *ring)
{
	bool busy;

	spin_lock_irq(&ring->lock);
	ring->closing = true;
	busy = ring->inflight;
	spin_unlock_irq(&ring->lock);
	return busy;
}

/*
 * No free request: take back those answered meanwhile, or have the next
 * completion wake the thread.  Return: true if none came back.
 */
static bool pvblk_ring_starved(struct pvblk_ring *ring)
{
	bool none;

	spin_lock_irq(&ring->lock);
	none = list_empty(&ring->released) && list_empty(&ring->done);
	ring->want_kick = none;
	spin_unlock_irq(&ring->lock);
	if (!none)
		pvblk_reap(ring);
	return none;
}

/**
 * pvblk_ring_process - one round of work on a ring
 * @ring: the ring
 * @consumed: out, number of requests taken off the ring
 *
 * Answers completed requests, then takes new ones until the ring is empty,
 * the request pool is exhausted (a completion will kick us) or the budget
 * is spent, then answers what completed meanwhile.
 *
 * Return: true if work is left that no event will announce.
 */
bool pvblk_ring_process(struct pvblk_ring *ring, unsigned int *consumed)
{
	struct pvblk_batch b = {};
	struct pvblk_pending *p;
	bool more = false;
	int n;

	*consumed = 0;
	/* Running now: a starved round below asks again. */
	spin_lock_irq(&ring->lock);
	ring->want_kick = false;
	spin_unlock_irq(&ring->lock);
	pvblk_reap(ring);
	while (!ring->stopped) {
		/* It compares with rsp_prod_pvt, which completions move. */
		spin_lock_irq(&ring->lock);
		n = pvback_ring_unconsumed(&ring->br);
		spin_unlock_irq(&ring->lock);
		if (n < 0) {
			pvblk_stop(ring);
			break;
		}
		if (!n) {
			if (!pvback_ring_final_check(&ring->br))
				break;
			continue;
		}
		if (*consumed >= PVBLK_RING_BUDGET) {
			more = true;
			break;
		}
		p = list_first_entry_or_null(&ring->free, struct pvblk_pending,
					     node);
		if (!p) {
			if (!pvblk_ring_starved(ring))
				continue;
			/* Only possible with I/O in flight: it will kick us. */
			pvblk_stat_add(ring->stats, PVBLK_ST_OO_REQ, 1);
			break;
		}
		list_del(&p->node);
		pvblk_fetch_req(ring->abi, pvback_ring_next_req(&ring->br),
				&p->req, p->req.seg);
		(*consumed)++;
		if (!pvblk_admit(ring, p))
			continue;
		if (pvblk_batch_full(ring, &b, p->req.nr_segs))
			pvblk_issue(ring, &b);
		pvblk_batch_add(&b, p);
	}
	pvblk_issue(ring, &b);
	/* Answer what completed meanwhile with the same notification. */
	pvblk_ring_drain(ring);
	/*
	 * Grants found the cache full: make room for the frontend's new
	 * working set by dropping an eighth of the cache, least recently
	 * used first.
	 */
	if (ring->pgnt.overflow)
		pvblk_ring_evict(ring, max(ring->pgnt.max / 8, 1U));
	return more;
}
