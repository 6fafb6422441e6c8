// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen side of a vif queue: grant copies, event channels, the NAPI poll
 * that takes the guest's packets and the thread that feeds its RX ring.
 */
#define pr_fmt(fmt) "pvnetback: " fmt

#include <linux/kthread.h>
#include <linux/slab.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xenbus.h>
#include <asm/xen/hypercall.h>

#include "pvnetback.h"

/* Per queue, one array per direction: the NAPI poll (from the guest) and
 * the queue thread (to the guest) copy at the same time.
 */
struct pvnet_xen_copies {
	struct gnttab_copy from_guest[PVNET_COPY_OPS];
	struct gnttab_copy to_guest[PVNET_COPY_OPS];
};

static void pvnet_xen_copy(struct pvnet_queue *q, struct pvnet_copy *c,
			   unsigned int n, bool to_guest)
{
	struct gnttab_copy *g = to_guest ? q->gnt->to_guest : q->gnt->from_guest;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct gnttab_copy *op = &g[i];
		xen_pfn_t gfn = virt_to_gfn(c[i].local);
		unsigned int loff = xen_offset_in_page(c[i].local);

		memset(op, 0, sizeof(*op));
		op->len = c[i].len;
		if (to_guest) {
			op->flags = GNTCOPY_dest_gref;
			op->source.domid = DOMID_SELF;
			op->source.u.gmfn = gfn;
			op->source.offset = loff;
			op->dest.domid = q->vif->domid;
			op->dest.u.ref = c[i].gref;
			op->dest.offset = c[i].goff;
		} else {
			op->flags = GNTCOPY_source_gref;
			op->source.domid = q->vif->domid;
			op->source.u.ref = c[i].gref;
			op->source.offset = c[i].goff;
			op->dest.domid = DOMID_SELF;
			op->dest.u.gmfn = gfn;
			op->dest.offset = loff;
		}
	}
	if (to_guest) {
		/* The queue thread: it may wait for a paged-out guest page. */
		gnttab_batch_copy(g, n);
	} else if (HYPERVISOR_grant_table_op(GNTTABOP_copy, g, n)) {
		/* Never happens with valid arguments; fail every slot. */
		for (i = 0; i < n; i++)
			g[i].status = GNTST_general_error;
	}
	/* From the guest, this runs in the NAPI poll (softirq), where
	 * gnttab_batch_copy() could sleep retrying GNTST_eagain: such a slot
	 * fails instead, and the guest sees an error for that packet.
	 */
	for (i = 0; i < n; i++)
		c[i].status = g[i].status;
}

static void pvnet_xen_notify(struct pvnet_queue *q, enum pvnet_ring_id ring)
{
	notify_remote_via_irq(ring == PVNET_GUEST_TX ? q->tx_irq : q->rx_irq);
}

static void pvnet_xen_deliver(struct pvnet_queue *q, struct sk_buff *skb)
{
	napi_gro_receive(&q->napi, skb);
}

/* Any context: stop using the queue now, report from process context. */
static void pvnet_xen_fatal(struct pvnet_queue *q, const char *why)
{
	struct pvnet_vif *vif = q->vif;

	if (net_ratelimit())
		netdev_err(q->dev, "%s: frontend broke the protocol (%s); disconnecting it\n",
			   q->name, why);
	WRITE_ONCE(vif->fatal_why, why);
	netif_carrier_off(q->dev);
	schedule_work(&vif->fatal_work);
}

const struct pvnet_queue_ops pvnet_xen_ops = {
	.copy = pvnet_xen_copy,
	.notify = pvnet_xen_notify,
	.deliver = pvnet_xen_deliver,
	.fatal = pvnet_xen_fatal,
};

/* Late EOI (XSA-332): an event is acknowledged only once the side(s) it
 * was for have looked at their ring, and as spurious if nobody found work,
 * which makes Xen hold back an event storm.  With one event channel for
 * both rings, the last side to look sends the EOI.
 */
static void pvnet_eoi(struct pvnet_queue *q, int bit, bool work)
{
	int old, w;

	if (work)
		atomic_or(bit, &q->eoi_work);
	old = atomic_fetch_andnot(bit, &q->eoi_pending);
	if (!(old & bit))
		return;
	if (q->shared_irq) {
		if (old & ~bit)
			return;
		w = atomic_xchg(&q->eoi_work, 0);
		xen_irq_lateeoi(READ_ONCE(q->tx_irq), w ? 0 : XEN_EOI_FLAG_SPURIOUS);
	} else {
		w = atomic_fetch_andnot(bit, &q->eoi_work) & bit;
		xen_irq_lateeoi(bit == PVNET_EOI_TX ? READ_ONCE(q->tx_irq) :
						      READ_ONCE(q->rx_irq),
				w ? 0 : XEN_EOI_FLAG_SPURIOUS);
	}
}

/* Wake the queue thread: the guest posted buffers or start_xmit queued. */
void pvnet_rx_kick(struct pvnet_queue *q)
{
	atomic_set(&q->rx_kick, 1);
	wake_up(&q->wq);
}

/* An event already pending at bind time fires before the bind call has
 * returned the irq to pvnet_bind(); the handlers record it themselves so
 * that its EOI goes to the right irq.
 */
static irqreturn_t pvnet_tx_interrupt(int irq, void *arg)
{
	struct pvnet_queue *q = arg;

	WRITE_ONCE(q->tx_irq, irq);
	atomic_or(PVNET_EOI_TX, &q->eoi_pending);
	napi_schedule(&q->napi);
	return IRQ_HANDLED;
}

static irqreturn_t pvnet_rx_interrupt(int irq, void *arg)
{
	struct pvnet_queue *q = arg;

	WRITE_ONCE(q->rx_irq, irq);
	atomic_or(PVNET_EOI_RX, &q->eoi_pending);
	pvnet_rx_kick(q);
	return IRQ_HANDLED;
}

static irqreturn_t pvnet_interrupt(int irq, void *arg)
{
	struct pvnet_queue *q = arg;

	WRITE_ONCE(q->tx_irq, irq);
	WRITE_ONCE(q->rx_irq, irq);
	atomic_or(PVNET_EOI_TX | PVNET_EOI_RX, &q->eoi_pending);
	napi_schedule(&q->napi);
	pvnet_rx_kick(q);
	return IRQ_HANDLED;
}

static int pvnet_poll(struct napi_struct *napi, int budget)
{
	struct pvnet_queue *q = container_of(napi, struct pvnet_queue, napi);
	u64 wait;
	int done;

	done = pvnet_tx_poll(q, budget, ktime_get_ns(), &wait);
	if (done >= budget)
		return budget;
	if (napi_complete_done(napi, done)) {
		if (wait)
			hrtimer_start(&q->credit_timer, ns_to_ktime(wait),
				      HRTIMER_MODE_REL);
		else if (!q->broken && pvback_ring_final_check(&q->tx))
			napi_schedule(napi);
	}
	pvnet_eoi(q, PVNET_EOI_TX, done > 0);
	return done;
}

static enum hrtimer_restart pvnet_credit_expired(struct hrtimer *t)
{
	struct pvnet_queue *q = container_of(t, struct pvnet_queue, credit_timer);

	napi_schedule(&q->napi);
	return HRTIMER_NORESTART;
}

/* Arm the guest's RX event for when @need buffers are there; true if they are. */
static bool pvnet_rx_arm(struct pvnet_queue *q, unsigned int need)
{
	WRITE_ONCE(q->rx.sring->req_event, q->rx.req_cons + need);
	/* The event index before the last look at the producer. */
	virt_mb();
	return (u32)(READ_ONCE(q->rx.sring->req_prod) - q->rx.req_cons) >= need;
}

static void pvnet_rx_stall(struct pvnet_queue *q)
{
	unsigned int n;

	q->stalled = true;
	netif_carrier_off(q->dev);
	n = pvnet_rx_purge(q);
	atomic64_add(n, &q->stats->tx_dropped);
	atomic64_inc(&q->stats->tx_stalls);
	if (net_ratelimit())
		netdev_info(q->dev, "%s: guest stopped taking packets; carrier off until it does\n",
			    q->name);
	/* Drop in start_xmit from now on, rather than queue. */
	netif_wake_queue(q->dev);
}

static void pvnet_rx_unstall(struct pvnet_queue *q)
{
	q->stalled = false;
	q->rx_blocked_since = 0;
	netif_carrier_on(q->dev);
}

static bool pvnet_rx_wake(struct pvnet_queue *q)
{
	return atomic_read(&q->rx_kick) || kthread_should_stop();
}

static int pvnet_rx_thread(void *arg)
{
	struct pvnet_queue *q = arg;
	bool held = false;	/* the last round left the event's EOI to this one */

	while (!kthread_should_stop()) {
		unsigned long stall = msecs_to_jiffies(READ_ONCE(pvnet_rx_stall_ms));
		long tmo = MAX_SCHEDULE_TIMEOUT;
		unsigned int need = 0;
		bool work;
		int n;

		if (q->rx_blocked_since && !q->stalled)
			tmo = max_t(long, 1, HZ / 4);
		wait_event_interruptible_timeout(q->wq, pvnet_rx_wake(q), tmo);
		atomic_set(&q->rx_kick, 0);
		if (kthread_should_stop())
			break;

		/* Work, for the late EOI (XSA-332), is packets moved or a wait
		 * for buffers ended: a guest that only moves req_prod (or
		 * posts buffers nobody needs yet) before each event gets them
		 * treated as spurious, and throttled by Xen.
		 */
		n = q->stalled ? 0 : pvnet_rx_process(q, &need);
		work = n > 0;
		if (n >= PVNET_RX_BUDGET)
			atomic_set(&q->rx_kick, 1);	/* more to do after a break */
		if (q->broken) {
			held = false;
			pvnet_eoi(q, PVNET_EOI_RX, false);
			continue;
		}

		if (q->stalled) {
			if (pvnet_rx_arm(q, q->rx_max_slots)) {
				pvnet_rx_unstall(q);
				work = true;
			}
		} else if (need) {
			if (!q->rx_blocked_since)
				q->rx_blocked_since = jiffies ?: 1;
			if (pvnet_rx_arm(q, need)) {
				/* The packet waiting goes out next round, which
				 * says whether this event was work: buffers a
				 * guest takes back (req_prod moved back) are not.
				 */
				atomic_set(&q->rx_kick, 1);
				if (!held) {
					held = true;
					cond_resched();
					continue;
				}
			} else if (stall && time_after(jiffies, q->rx_blocked_since + stall)) {
				pvnet_rx_stall(q);
			}
		} else {
			q->rx_blocked_since = 0;
		}
		if (!q->stalled && netif_queue_stopped(q->dev) && pvnet_rx_ready(q))
			netif_wake_queue(q->dev);
		held = false;
		pvnet_eoi(q, PVNET_EOI_RX, work);
		cond_resched();
	}
	return 0;
}

static int pvnet_map_ring(struct pvnet_queue *q, grant_ref_t ref, void **sring,
			  struct pvback_ring *ring, size_t ent, const char *what)
{
	struct xenbus_device *xdev = q->vif->xdev;
	int err;

	err = xenbus_map_ring_valloc(xdev, &ref, 1, sring);
	if (err)
		return err;	/* xenbus said what failed */
	err = pvback_ring_attach(ring, *sring, XEN_PAGE_SIZE, ent);
	if (err)
		pvback_guest_fatal(&q->vif->report_rs, xdev, err,
				   "%s ring is inconsistent", what);
	return err;
}

static int pvnet_bind(struct pvnet_queue *q, evtchn_port_t tx_evtchn,
		      evtchn_port_t rx_evtchn)
{
	struct xenbus_device *xdev = q->vif->xdev;
	int irq;

	q->shared_irq = tx_evtchn == rx_evtchn;
	if (q->shared_irq) {
		irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, tx_evtchn,
								    pvnet_interrupt, 0,
								    q->name, q);
		if (irq < 0)
			goto fail_tx;
		q->tx_irq = irq;
		q->rx_irq = irq;
		return 0;
	}
	irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, tx_evtchn,
							    pvnet_tx_interrupt, 0,
							    q->name, q);
	if (irq < 0)
		goto fail_tx;
	q->tx_irq = irq;
	irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, rx_evtchn,
							    pvnet_rx_interrupt, 0,
							    q->name, q);
	if (irq < 0) {
		unbind_from_irqhandler(q->tx_irq, q);
		q->tx_irq = 0;
		pvback_guest_fatal(&q->vif->report_rs, xdev, irq,
				   "binding event channel %u", rx_evtchn);
		return irq;
	}
	q->rx_irq = irq;
	return 0;

fail_tx:
	pvback_guest_fatal(&q->vif->report_rs, xdev, irq,
			   "binding event channel %u", tx_evtchn);
	return irq;
}

static void pvnet_unbind(struct pvnet_queue *q)
{
	if (q->rx_irq && q->rx_irq != q->tx_irq)
		unbind_from_irqhandler(q->rx_irq, q);
	if (q->tx_irq)
		unbind_from_irqhandler(q->tx_irq, q);
	q->tx_irq = 0;
	q->rx_irq = 0;
}

static void pvnet_unmap(struct pvnet_queue *q)
{
	if (q->tx_sring)
		xenbus_unmap_ring_vfree(q->vif->xdev, q->tx_sring);
	if (q->rx_sring)
		xenbus_unmap_ring_vfree(q->vif->xdev, q->rx_sring);
	q->tx_sring = NULL;
	q->rx_sring = NULL;
}

/**
 * pvnet_queue_connect - map a frontend's rings and start serving them
 * @q: the queue, with vif, dev, index, name and the features set
 * @tx_ref: grant of the guest's TX ring
 * @rx_ref: grant of the guest's RX ring
 * @tx_evtchn: event channel of the TX ring
 * @rx_evtchn: of the RX ring; equal to @tx_evtchn when shared
 *
 * Return: 0 or a negative errno, after telling xenbus; nothing is left
 * behind on error.
 */
int pvnet_queue_connect(struct pvnet_queue *q, grant_ref_t tx_ref,
			grant_ref_t rx_ref, evtchn_port_t tx_evtchn,
			evtchn_port_t rx_evtchn)
{
	struct pvnet_vif *vif = q->vif;
	int err;

	err = pvnet_map_ring(q, tx_ref, &q->tx_sring, &q->tx,
			     sizeof(union xen_netif_tx_sring_entry), "TX");
	if (!err)
		err = pvnet_map_ring(q, rx_ref, &q->rx_sring, &q->rx,
				     sizeof(union xen_netif_rx_sring_entry), "RX");
	if (err)
		goto unmap;

	q->gnt = kvzalloc(sizeof(*q->gnt), GFP_KERNEL);
	err = q->gnt ? pvnet_queue_init(q) : -ENOMEM;
	if (err) {
		xenbus_dev_fatal(vif->xdev, err, "allocating queue %u", q->index);
		goto free;
	}
	q->ops = &pvnet_xen_ops;
	q->stats = &vif->stats;
	q->stalled = false;
	q->rx_blocked_since = 0;
	atomic_set(&q->eoi_pending, 0);
	atomic_set(&q->eoi_work, 0);
	atomic_set(&q->rx_kick, 0);
	init_waitqueue_head(&q->wq);
	hrtimer_init(&q->credit_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	q->credit_timer.function = pvnet_credit_expired;
	netif_napi_add(q->dev, &q->napi, pvnet_poll);
	napi_enable(&q->napi);

	q->task = kthread_run(pvnet_rx_thread, q, "pvnet%u.%u-q%u", vif->domid,
			      vif->handle, q->index);
	if (IS_ERR(q->task)) {
		err = PTR_ERR(q->task);
		q->task = NULL;
		xenbus_dev_fatal(vif->xdev, err, "starting the queue thread");
		goto napi;
	}
	err = pvnet_bind(q, tx_evtchn, rx_evtchn);
	if (err)
		goto thread;
	return 0;

thread:
	kthread_stop(q->task);
	q->task = NULL;
napi:
	napi_disable(&q->napi);
	netif_napi_del(&q->napi);
free:
	pvnet_queue_free(q);
	kvfree(q->gnt);
	q->gnt = NULL;
unmap:
	pvnet_unmap(q);
	return err;
}

/* Stop everything that could touch the rings, then unmap them.  The
 * thread and the poll notify and EOI through the irqs: they stop before
 * the event channels are unbound, and the irq numbers freed.
 */
void pvnet_queue_disconnect(struct pvnet_queue *q)
{
	if (!q->task)
		return;
	kthread_stop(q->task);
	q->task = NULL;
	/* After this no poll runs, and the handlers cannot schedule one. */
	napi_disable(&q->napi);
	hrtimer_cancel(&q->credit_timer);
	pvnet_unbind(q);
	netif_napi_del(&q->napi);
	pvnet_queue_free(q);
	kvfree(q->gnt);
	q->gnt = NULL;
	pvnet_unmap(q);
}

/* The "rate" key changed: apply it to every queue. */
void pvnet_set_rate(struct pvnet_vif *vif, u64 bytes, u32 usec)
{
	u64 now = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < vif->nr_queues; i++) {
		struct pvnet_queue *q = &vif->queues[i];

		spin_lock_bh(&q->credit_lock);
		pvnet_credit_set(&q->credit, bytes, usec, now);
		spin_unlock_bh(&q->credit_lock);
		/* It may be sleeping on the old, slower rate. */
		if (q->task) {
			local_bh_disable();
			napi_schedule(&q->napi);
			local_bh_enable();
		}
	}
}
