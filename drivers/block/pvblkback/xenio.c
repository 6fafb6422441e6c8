// SPDX-License-Identifier: GPL-2.0
/*
 * The real side of the ring engine's ops: grant mapping, event channels,
 * bios, and the per-ring thread.
 */
#define pr_fmt(fmt) "pvblkback: " fmt

#include <linux/kthread.h>
#include <xen/events.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>

#include "pvblkback.h"

static unsigned long pvblk_page_addr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/* Give back pages; only for pages no grant is mapped into. */
static void pvblk_put_pages(struct pvblk_queue *q, struct page **pages,
			    unsigned int n)
{
	if (n)
		gnttab_page_cache_put(&q->pages, pages, n);
}

static void pvblk_set_unmap_ops(struct gnttab_unmap_grant_ref *ops,
				struct page **pages, grant_handle_t *handles,
				unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		gnttab_set_unmap_op(&ops[i], pvblk_page_addr(pages[i]),
				    GNTMAP_host_map, handles[i]);
}

/* After an unmap: the pages go back to the cache, unless it failed. */
static int pvblk_unmapped(struct pvblk_queue *q, struct page **pages,
			  unsigned int n, int err)
{
	if (err) {
		/* The pages may still map guest memory: never reuse them. */
		pr_err_ratelimited("%s: unmapping %u grants failed (%d); leaking their pages\n",
				   q->dev->name, n, err);
		return err;
	}
	pvblk_put_pages(q, pages, n);
	return 0;
}

/*
 * The grant operation arrays are the queue's, ring.batch_segs long (as
 * the ring's tmp_pages and tmp_handles): only its thread maps and unmaps,
 * one batch at a time.
 */
static int pvblk_unmap_pages(struct pvblk_queue *q, struct page **pages,
			     grant_handle_t *handles, unsigned int n)
{
	struct gntab_unmap_queue_data work = {
		.unmap_ops = q->unmap_ops,
		.pages = pages,
		.count = n,
	};

	if (!n)
		return 0;
	pvblk_set_unmap_ops(q->unmap_ops, pages, handles, n);
	return pvblk_unmapped(q, pages, n, gnttab_unmap_refs_sync(&work));
}

static void pvblk_xen_map(struct pvblk_ring *ring, struct pvblk_pending **reqs,
			  unsigned int nr_reqs)
{
	struct pvblk_queue *q = ring->priv;
	struct gnttab_map_grant_ref *ops = q->map_ops;
	struct page **pages = ring->tmp_pages;
	grant_handle_t *handles = ring->tmp_handles;
	unsigned int first[PVBLK_BATCH], count[PVBLK_BATCH];
	unsigned int r, i, j, k = 0, nr_undo = 0;
	int err;

	for (r = 0; r < nr_reqs; r++) {
		struct pvblk_pending *p = reqs[r];
		/*
		 * For writes we only read guest memory: don't ask for more,
		 * unless the mapping may be kept for later reads.
		 */
		u32 flags = GNTMAP_host_map |
			    (p->io.kind != PVBLK_IO_READ && !ring->persistent ?
			     GNTMAP_readonly : 0);

		p->nr_mapped = 0;
		first[r] = k;
		count[r] = 0;
		for (i = 0; i < p->req.nr_segs; i++) {
			if (p->pg[i])
				continue;
			if (gnttab_page_cache_get(&q->pages, &p->pages[i]))
				break;
			gnttab_set_map_op(&ops[k], pvblk_page_addr(p->pages[i]),
					  flags, p->req.seg[i].gref,
					  q->dev->domid);
			pages[k++] = p->pages[i];
			count[r]++;
		}
		if (i < p->req.nr_segs) {
			/* Out of pages: this request fails, the others go on. */
			pvblk_put_pages(q, pages + first[r], count[r]);
			k = first[r];
			first[r] = UINT_MAX;
		}
	}
	if (!k)
		return;

	/* One hypercall for every segment of the batch. */
	err = gnttab_map_refs(ops, NULL, pages, k);
	/*
	 * If the call failed as a whole, the ops Xen got to still say
	 * GNTST_okay (the others keep the positive status they were set up
	 * with): every request fails, and those mappings are undone below
	 * like the good ones of a request with a bad grant.
	 */
	if (err)
		pr_err_ratelimited("%s: grant map hypercall failed (%d)\n",
				   q->dev->name, err);
	for (r = 0; r < nr_reqs; r++) {
		struct pvblk_pending *p = reqs[r];
		struct gnttab_map_grant_ref *o = &ops[first[r]];
		unsigned int bad = 0;

		if (first[r] == UINT_MAX)
			continue;
		for (i = 0, j = 0; i < p->req.nr_segs; i++) {
			if (p->pg[i])
				continue;
			p->handles[i] = o[j].handle;
			bad += o[j++].status != GNTST_okay;
		}
		if (!bad && !err) {
			p->nr_mapped = count[r];
			continue;
		}
		/* Some grants were bad: undo the good ones, return the rest. */
		for (i = 0, j = 0; i < p->req.nr_segs; i++) {
			if (p->pg[i])
				continue;
			if (o[j++].status != GNTST_okay) {
				pvblk_put_pages(q, &p->pages[i], 1);
				continue;
			}
			/* Behind the batch's ops: never past what was used. */
			pages[nr_undo] = p->pages[i];
			handles[nr_undo++] = p->handles[i];
		}
	}
	pvblk_unmap_pages(q, pages, handles, nr_undo);
}

static void pvblk_xen_unmap(struct pvblk_ring *ring, struct page **pages,
			    grant_handle_t *handles, unsigned int n)
{
	pvblk_unmap_pages(ring->priv, pages, handles, n);
}

/*
 * Where a bio ended: one request's few mappings, with the operations on
 * the stack.  Pages someone else still holds a reference to are left to
 * the thread, whose unmap waits for them.
 */
static bool pvblk_xen_unmap_atomic(struct pvblk_ring *ring,
				   struct page **pages,
				   grant_handle_t *handles, unsigned int n)
{
	struct gnttab_unmap_grant_ref ops[PVBLK_MAX_DIRECT_SEGS];
	unsigned int i;

	if (n > ARRAY_SIZE(ops))
		return false;
	for (i = 0; i < n; i++)
		if (page_count(pages[i]) > 1)
			return false;
	pvblk_set_unmap_ops(ops, pages, handles, n);
	/* Done either way: on failure the pages are leaked, not retried. */
	pvblk_unmapped(ring->priv, pages, n,
		       gnttab_unmap_refs(ops, NULL, pages, n));
	return true;
}

/*
 * An indirect page is read by grant copy: one hypercall, no mapping to
 * undo, and the guest cannot change what we read afterwards.  @buf is the
 * ring's kmalloc'ed descriptor buffer, which lies within one page.
 */
static int pvblk_xen_read_indirect(struct pvblk_ring *ring, u32 gref,
				   void *buf, size_t len)
{
	struct pvblk_queue *q = ring->priv;
	struct gnttab_copy op = {
		.source.u.ref = gref,
		.source.domid = q->dev->domid,
		.source.offset = 0,
		.dest.u.gmfn = virt_to_gfn(buf),
		.dest.domid = DOMID_SELF,
		.dest.offset = xen_offset_in_page(buf),
		.len = len,
		.flags = GNTCOPY_source_gref,
	};

	gnttab_batch_copy(&op, 1);
	return op.status == GNTST_okay ? 0 : -EFAULT;
}

/*
 * The grant copy of segment @i of a copied request: between the guest's
 * granted page and the request's bounce page, at the same offset.
 */
static void pvblk_set_copy_op(struct gnttab_copy *op, struct pvblk_queue *q,
			      const struct pvblk_pending *p, unsigned int i,
			      bool to_guest)
{
	const struct pvblk_seg *s = &p->req.seg[i];
	struct gnttab_copy_ptr *guest, *local;

	memset(op, 0, sizeof(*op));
	guest = to_guest ? &op->dest : &op->source;
	local = to_guest ? &op->source : &op->dest;
	guest->u.ref = s->gref;
	guest->domid = q->dev->domid;
	local->u.gmfn = xen_page_to_gfn(p->pages[i]);
	local->domid = DOMID_SELF;
	guest->offset = s->first_sect << 9;
	local->offset = guest->offset;
	op->len = (s->last_sect - s->first_sect + 1) << 9;
	op->flags = to_guest ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
}

/*
 * A batch of copied requests in one hypercall, from the thread: the
 * queue's copy_ops hold PVBLK_BATCH requests of lim->copy_segs segments.
 */
static void pvblk_xen_copy(struct pvblk_ring *ring, struct pvblk_pending **reqs,
			   unsigned int n, bool to_guest)
{
	struct pvblk_queue *q = ring->priv;
	struct gnttab_copy *ops = q->copy_ops;
	unsigned int r, i, k = 0;

	for (r = 0; r < n; r++) {
		struct pvblk_pending *p = reqs[r];

		p->copy_failed = k + p->req.nr_segs > q->nr_copy_ops;
		if (p->copy_failed)
			continue;
		for (i = 0; i < p->req.nr_segs; i++)
			pvblk_set_copy_op(&ops[k++], q, p, i, to_guest);
	}
	/* It waits for guest pages Xen has paged out (GNTST_eagain). */
	if (k)
		gnttab_batch_copy(ops, k);
	for (r = 0, k = 0; r < n; r++) {
		struct pvblk_pending *p = reqs[r];

		if (p->copy_failed)
			continue;
		for (i = 0; i < p->req.nr_segs; i++)
			if (ops[k++].status != GNTST_okay)
				p->copy_failed = true;
	}
}

/*
 * One read's data out to the guest where its bio ended: the operations on
 * the stack, no waiting, so a paged-out guest page is left to the thread.
 */
static bool pvblk_xen_copy_atomic(struct pvblk_ring *ring,
				  struct pvblk_pending *p)
{
	struct gnttab_copy ops[PVBLK_MAX_DIRECT_SEGS];
	unsigned int i, n = p->req.nr_segs;
	bool failed = false;

	if (n > ARRAY_SIZE(ops))
		return false;
	for (i = 0; i < n; i++)
		pvblk_set_copy_op(&ops[i], ring->priv, p, i, true);
	if (HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, n))
		return false;
	for (i = 0; i < n; i++) {
		/* Copying again later is harmless: the same bytes. */
		if (ops[i].status == GNTST_eagain)
			return false;
		failed |= ops[i].status != GNTST_okay;
	}
	p->copy_failed = failed;
	return true;
}

static void pvblk_xen_submit(struct pvblk_ring *ring, struct pvblk_pending *p)
{
	struct pvblk_queue *q = ring->priv;

	pvblk_io_submit(q->dev->disk.bdev, p);
}

static void pvblk_xen_notify(struct pvblk_ring *ring)
{
	struct pvblk_queue *q = ring->priv;

	notify_remote_via_irq(q->irq);
}

const struct pvblk_ring_ops pvblk_xen_ops = {
	.map = pvblk_xen_map,
	.read_indirect = pvblk_xen_read_indirect,
	.unmap = pvblk_xen_unmap,
	.unmap_atomic = pvblk_xen_unmap_atomic,
	.copy = pvblk_xen_copy,
	.copy_atomic = pvblk_xen_copy_atomic,
	.submit = pvblk_xen_submit,
	.notify = pvblk_xen_notify,
};

static irqreturn_t pvblk_irq(int irq, void *arg)
{
	struct pvblk_queue *q = arg;

	/* The EOI is sent by the thread once it has looked at the ring. */
	atomic_set(&q->event, 1);
	pvblk_ring_kick(&q->ring);
	return IRQ_HANDLED;
}

static bool pvblk_quitting(struct pvblk_queue *q)
{
	return READ_ONCE(q->quit) || kthread_should_stop();
}

static bool pvblk_wake(struct pvblk_queue *q)
{
	return atomic_read(&q->ring.kicked) || pvblk_quitting(q);
}

static int pvblk_thread(void *arg)
{
	struct pvblk_queue *q = arg;
	struct pvblk_ring *ring = &q->ring;
	unsigned int consumed;
	struct blk_plug plug;
	bool more = false;
	u64 hold;

	while (!pvblk_quitting(q)) {
		hold = more ? 0 : pvblk_ring_hold_left(ring);
		/* Held responses go out when their time is up, at the latest. */
		if (hold)
			wait_event_interruptible_hrtimeout(ring->wq,
							   pvblk_wake(q),
							   ns_to_ktime(hold));
		else if (!more)
			wait_event_interruptible(ring->wq, pvblk_wake(q));
		atomic_set(&ring->kicked, 0);
		if (pvblk_quitting(q))
			break;
		/*
		 * One plug for the whole round: the block layer can merge
		 * neighbouring requests of the batch (a guest's sequential
		 * I/O) before they reach the disk.
		 */
		blk_start_plug(&plug);
		more = pvblk_ring_process(ring, &consumed);
		blk_finish_plug(&plug);
		/* Pages beyond what a busy moment needs go back to dom0. */
		gnttab_page_cache_shrink(&q->pages, PVBLK_PAGE_CACHE_MAX);
		/*
		 * Late EOI: the next event is delivered only now, and an event
		 * that brought no request counts as spurious, which makes Xen
		 * delay the next one (XSA-332).
		 */
		if (atomic_xchg(&q->event, 0))
			xen_irq_lateeoi(q->irq,
					consumed ? 0 : XEN_EOI_FLAG_SPURIOUS);
		cond_resched();
	}

	/*
	 * No new request from here on.  Bios cannot be cancelled: wait for
	 * them, answering as they end.  This runs in the thread, never in
	 * xenwatch: the drain work waits for it (pvblk_queue_disconnect()).
	 */
	while (pvblk_ring_close(ring)) {
		wait_event_timeout(ring->wq, atomic_read(&ring->kicked), HZ);
		atomic_set(&ring->kicked, 0);
		pvblk_ring_drain(ring);
	}
	/* kthread_stop() needs the thread alive until it is called. */
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * pvblk_queue_quit - stop taking requests, without waiting
 * @q: a connected queue
 *
 * The thread answers what is in flight as it ends; pvblk_queue_disconnect()
 * later waits for that, outside xenwatch.
 */
void pvblk_queue_quit(struct pvblk_queue *q)
{
	if (!q->task)
		return;
	WRITE_ONCE(q->quit, true);
	pvblk_ring_kick(&q->ring);
}

static void pvblk_queue_free_ops(struct pvblk_queue *q)
{
	kvfree(q->map_ops);
	kvfree(q->unmap_ops);
	kvfree(q->copy_ops);
	q->map_ops = NULL;
	q->unmap_ops = NULL;
	q->copy_ops = NULL;
	q->nr_copy_ops = 0;
}

/* dom0 memory of a connected queue: engine pool and grant scratch. */
size_t pvblk_queue_mem(const struct pvblk_queue *q)
{
	size_t per_seg = sizeof(*q->map_ops) + sizeof(*q->unmap_ops);

	if (!q->sring)
		return 0;
	/* num_pages is the thread's; a racy read is fine for statistics. */
	return sizeof(*q) + pvblk_ring_mem(&q->ring) +
	       q->ring.batch_segs * per_seg +
	       q->nr_copy_ops * sizeof(*q->copy_ops) +
	       (size_t)READ_ONCE(q->pages.num_pages) * PAGE_SIZE;
}

/*
 * Grant operation arrays for the largest batch the ring maps, and for
 * the largest it copies if it has bounce pages.
 */
static int pvblk_queue_alloc_ops(struct pvblk_queue *q)
{
	unsigned int n = q->ring.batch_segs;

	q->map_ops = kvcalloc(n, sizeof(*q->map_ops), GFP_KERNEL);
	q->unmap_ops = kvcalloc(n, sizeof(*q->unmap_ops), GFP_KERNEL);
	q->nr_copy_ops = q->ring.nr_bounce ?
			 PVBLK_BATCH * q->ring.lim->copy_segs : 0;
	q->copy_ops = q->nr_copy_ops ? kvcalloc(q->nr_copy_ops,
						sizeof(*q->copy_ops),
						GFP_KERNEL) : NULL;
	if (q->map_ops && q->unmap_ops && (q->copy_ops || !q->nr_copy_ops))
		return 0;
	pvblk_queue_free_ops(q);
	return -ENOMEM;
}

/**
 * pvblk_queue_connect - map a frontend's ring and start serving it
 * @q: the queue, with @q->dev and @q->index set
 * @refs: grant references of the ring pages
 * @nr_refs: how many
 * @evtchn: the frontend's event channel
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int pvblk_queue_connect(struct pvblk_queue *q, grant_ref_t *refs,
			unsigned int nr_refs, evtchn_port_t evtchn)
{
	struct pvblk_dev *dev = q->dev;
	int err;

	err = xenbus_map_ring_valloc(dev->xdev, refs, nr_refs, &q->sring);
	if (err)
		return err;

	q->ring.ops = &pvblk_xen_ops;
	q->ring.priv = q;
	q->ring.lim = &dev->lim;
	q->ring.stats = &dev->stats;
	q->ring.name = dev->name;
	q->ring.persistent = dev->persistent;
	err = pvblk_ring_init(&q->ring, q->sring, nr_refs * XEN_PAGE_SIZE,
			      dev->abi);
	if (err) {
		pvback_guest_fatal(&dev->report_rs, dev->xdev, err,
				   "ring of queue %u is inconsistent", q->index);
		goto unmap;
	}
	err = pvblk_queue_alloc_ops(q);
	if (err) {
		xenbus_dev_fatal(dev->xdev, err, "allocating queue %u",
				 q->index);
		goto free_ring;
	}
	gnttab_page_cache_init(&q->pages);
	atomic_set(&q->event, 0);
	q->quit = false;

	err = bind_interdomain_evtchn_to_irqhandler_lateeoi(dev->xdev, evtchn,
							    pvblk_irq, 0,
							    "pvblkback", q);
	if (err < 0) {
		pvback_guest_fatal(&dev->report_rs, dev->xdev, err,
				   "binding event channel %u", evtchn);
		goto free_ring;
	}
	q->irq = err;

	q->task = kthread_run(pvblk_thread, q, "pvblk%u.%u-%u", dev->domid,
			      dev->handle, q->index);
	if (IS_ERR(q->task)) {
		err = PTR_ERR(q->task);
		q->task = NULL;
		xenbus_dev_fatal(dev->xdev, err, "starting the ring thread");
		goto unbind;
	}
	return 0;

unbind:
	unbind_from_irqhandler(q->irq, q);
	q->irq = 0;
free_ring:
	pvblk_queue_free_ops(q);
	pvblk_ring_free(&q->ring);
unmap:
	xenbus_unmap_ring_vfree(dev->xdev, q->sring);
	q->sring = NULL;
	return err;
}

/*
 * Stop the thread (it drains in-flight I/O first), then free the ring.
 * Waits for the guest's I/O to end: never from xenwatch.
 */
void pvblk_queue_disconnect(struct pvblk_queue *q)
{
	if (!q->sring)
		return;
	kthread_stop(q->task);
	q->task = NULL;
	unbind_from_irqhandler(q->irq, q);
	q->irq = 0;
	pvblk_ring_free(&q->ring);
	pvblk_queue_free_ops(q);
	gnttab_page_cache_shrink(&q->pages, 0);
	xenbus_unmap_ring_vfree(q->dev->xdev, q->sring);
	q->sring = NULL;
}
