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

/**
 * pvblk_ring_init - attach the engine to a mapped shared ring
 * @ring: engine state; ops, priv, lim, stats and name are set by the caller
 * @sring: the shared ring pages
 * @bytes: their size
 * @abi: the frontend's ABI
 *
 * Allocates one pending request per ring slot: the frontend can never
 * have more requests outstanding, so the pool bounds our memory use.
 *
 * Return: 0 or a negative errno.
 */
int pvblk_ring_init(struct pvblk_ring *ring, void *sring, size_t bytes,
		    enum pvblk_abi abi)
{
	unsigned int i;
	int err;

	err = pvback_ring_attach(&ring->br, sring, bytes,
				 pvblk_abi_slot_size(abi));
	if (err)
		return err;
	ring->abi = abi;
	ring->pool_size = ring->br.nr_ents;
	ring->pool = kvcalloc(ring->pool_size, sizeof(*ring->pool),
			      GFP_KERNEL);
	if (!ring->pool)
		return -ENOMEM;
	INIT_LIST_HEAD(&ring->free);
	for (i = 0; i < ring->pool_size; i++) {
		ring->pool[i].ring = ring;
		list_add_tail(&ring->pool[i].node, &ring->free);
	}
	ring->inflight = 0;
	ring->stopped = false;
	ratelimit_state_init(&ring->rs, 5 * HZ, 10);
	spin_lock_init(&ring->done_lock);
	INIT_LIST_HEAD(&ring->done);
	init_waitqueue_head(&ring->wq);
	atomic_set(&ring->kicked, 0);
	return 0;
}

/* Only once nothing is in flight: the caller drains first. */
void pvblk_ring_free(struct pvblk_ring *ring)
{
	WARN_ON_ONCE(ring->inflight);
	kvfree(ring->pool);
	ring->pool = NULL;
}

void pvblk_ring_kick(struct pvblk_ring *ring)
{
	atomic_set(&ring->kicked, 1);
	wake_up(&ring->wq);
}

/**
 * pvblk_ring_complete - the I/O layer is done with a request
 * @p: the request
 * @error: 0 or a negative errno
 *
 * May be called from any context; the response is written later by the
 * ring's thread, which also owns the grant mappings.
 */
void pvblk_ring_complete(struct pvblk_pending *p, int error)
{
	struct pvblk_ring *ring = p->ring;
	unsigned long flags;

	p->error = error;
	spin_lock_irqsave(&ring->done_lock, flags);
	list_add_tail(&p->node, &ring->done);
	spin_unlock_irqrestore(&ring->done_lock, flags);
	pvblk_ring_kick(ring);
}

static void pvblk_respond(struct pvblk_ring *ring, struct pvblk_pending *p,
			  s16 status)
{
	pvblk_put_rsp(ring->abi, pvback_ring_next_rsp(&ring->br), p->req.id,
		      p->req.op, status);
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

static void pvblk_finish(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	s16 status = BLKIF_RSP_OKAY;

	atomic64_inc(&ring->stats->lat[pvblk_lat_bucket(ktime_get_ns() -
							p->start_ns)]);

	if (p->nr_mapped)
		ring->ops->unmap(ring, p);
	if (p->error) {
		status = p->error == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP :
						   BLKIF_RSP_ERROR;
		pvblk_stat_add(ring->stats, PVBLK_ST_IO_ERR, 1);
	}
	ring->inflight--;
	pvblk_respond(ring, p, status);
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
	pvblk_respond(ring, p, pvblk_verdict_status(v));
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
	}
}

/* Check, map and submit one freshly fetched request, or answer it. */
static void pvblk_start(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	enum pvblk_verdict v;

	p->nr_mapped = 0;
	p->error = 0;
	v = pvblk_req_check(&p->req, ring->lim, &p->io);
	if (v != PVBLK_REQ_OK) {
		pvblk_reject(ring, p, v);
		return;
	}
	if (p->req.nr_segs && ring->ops->map(ring, p)) {
		pvblk_stat_add(ring->stats, PVBLK_ST_MAP_ERR, 1);
		if (__ratelimit(&ring->rs))
			pr_warn("%s: request %llu: cannot map the guest's grants; refused\n",
				ring->name, p->req.id);
		pvblk_respond(ring, p, BLKIF_RSP_ERROR);
		return;
	}
	pvblk_account(ring, &p->io);
	p->start_ns = ktime_get_ns();
	ring->inflight++;
	ring->ops->submit(ring, p);
}

static void pvblk_reap(struct pvblk_ring *ring)
{
	struct pvblk_pending *p, *tmp;
	LIST_HEAD(done);

	spin_lock_irq(&ring->done_lock);
	list_splice_init(&ring->done, &done);
	spin_unlock_irq(&ring->done_lock);
	list_for_each_entry_safe(p, tmp, &done, node) {
		list_del(&p->node);
		pvblk_finish(ring, p);
	}
}

/* Stop taking requests from a frontend that broke the protocol. */
static void pvblk_stop(struct pvblk_ring *ring)
{
	ring->stopped = true;
	pvblk_stat_add(ring->stats, PVBLK_ST_RING_ERR, 1);
	pr_warn("%s: frontend produced more requests than the ring holds; ring stopped until the frontend reconnects\n",
		ring->name);
}

/**
 * pvblk_ring_drain - answer completed requests without taking new ones
 * @ring: the ring, being shut down
 */
void pvblk_ring_drain(struct pvblk_ring *ring)
{
	pvblk_reap(ring);
	if (pvback_ring_push(&ring->br))
		ring->ops->notify(ring);
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
	struct pvblk_pending *p;
	bool more = false;
	int n;

	*consumed = 0;
	pvblk_reap(ring);
	while (!ring->stopped) {
		n = pvback_ring_unconsumed(&ring->br);
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
			/* Only possible with I/O in flight: it will kick us. */
			pvblk_stat_add(ring->stats, PVBLK_ST_OO_REQ, 1);
			break;
		}
		list_del(&p->node);
		pvblk_fetch_req(ring->abi, pvback_ring_next_req(&ring->br),
				&p->req);
		(*consumed)++;
		pvblk_start(ring, p);
	}
	/* Answer what completed meanwhile with the same notification. */
	pvblk_ring_drain(ring);
	return more;
}
