// SPDX-License-Identifier: GPL-2.0
/*
 * The ring engine of one vif queue: packets from the guest's TX ring into
 * sk_buffs, and queued sk_buffs into the buffers of the guest's RX ring.
 * All guest memory is reached through grant copies batched by ops->copy,
 * so the engine runs against fake grants in KUnit.
 */
#include <linux/etherdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "pvnetback.h"

int pvnet_queue_init(struct pvnet_queue *q)
{
	q->tx_copy = kvcalloc(PVNET_COPY_OPS, sizeof(*q->tx_copy), GFP_KERNEL);
	q->rx_copy = kvcalloc(PVNET_COPY_OPS, sizeof(*q->rx_copy), GFP_KERNEL);
	q->tx_pend = kvcalloc(PVNET_BATCH, sizeof(*q->tx_pend), GFP_KERNEL);
	q->rx_pend = kvcalloc(PVNET_BATCH, sizeof(*q->rx_pend), GFP_KERNEL);
	if (!q->tx_copy || !q->rx_copy || !q->tx_pend || !q->rx_pend) {
		pvnet_queue_free(q);
		return -ENOMEM;
	}
	skb_queue_head_init(&q->rx_queue);
	spin_lock_init(&q->credit_lock);
	q->rx_queued = 0;
	q->nr_tx_copy = 0;
	q->nr_tx_pend = 0;
	q->nr_rx_copy = 0;
	q->nr_rx_pend = 0;
	q->broken = false;
	return 0;
}

void pvnet_queue_free(struct pvnet_queue *q)
{
	pvnet_rx_purge(q);
	kvfree(q->tx_copy);
	kvfree(q->rx_copy);
	kvfree(q->tx_pend);
	kvfree(q->rx_pend);
	q->tx_copy = NULL;
	q->rx_copy = NULL;
	q->tx_pend = NULL;
	q->rx_pend = NULL;
}

static void pvnet_break(struct pvnet_queue *q, const char *why)
{
	if (q->broken)
		return;
	q->broken = true;
	atomic64_inc(&q->stats->ring_errors);
	q->ops->fatal(q, why);
}

static bool pvnet_ops_failed(const struct pvnet_copy *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (c[i].status)
			return true;
	return false;
}

/* ---- guest TX: packets from the guest ---- */

/* A destination area of a new skb: linear part or one fragment. */
struct pvnet_area {
	u8 *p;
	unsigned int len;
};

/* Allocate the skb for @pkt: all linear when small, else the header in
 * the linear part and the rest in page fragments.  Copying the header
 * whole, whatever the slots look like, means the stack never sees a
 * header split over fragments.
 */
static struct sk_buff *pvnet_tx_alloc(struct pvnet_queue *q,
				      unsigned int len,
				      struct pvnet_area *areas,
				      unsigned int *nr_areas)
{
	unsigned int lin = len <= PVNET_TX_LINEAR ? len : PVNET_TX_HDR;
	unsigned int rest = len - lin, n = 0;
	struct sk_buff *skb;

	skb = __netdev_alloc_skb_ip_align(q->dev, lin, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	areas[n].p = skb_put(skb, lin);
	areas[n++].len = lin;
	while (rest) {
		unsigned int sz = min_t(unsigned int, rest, PAGE_SIZE);
		struct page *page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);

		if (!page || skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS) {
			if (page)
				__free_page(page);
			kfree_skb(skb);
			return NULL;
		}
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, sz,
				PAGE_SIZE);
		areas[n].p = page_address(page);
		areas[n++].len = sz;
		rest -= sz;
	}
	*nr_areas = n;
	return skb;
}

static void pvnet_copy_add(struct pvnet_copy *c, void *local, u32 gref,
			   unsigned int goff, unsigned int len)
{
	c->local = local;
	c->gref = gref;
	c->goff = goff;
	c->len = len;
	c->status = 0;
}

/* Copies from the packet's slots into its skb areas. */
static void pvnet_tx_plan(struct pvnet_queue *q, struct pvnet_tx_pend *p,
			  struct pvnet_area *areas)
{
	struct pvnet_copy *ops = q->tx_copy + q->nr_tx_copy;
	unsigned int i, a = 0, aoff = 0, n = 0;

	for (i = 0; i < p->pkt.nr_data; i++) {
		const struct pvnet_tx_slot *s = &p->pkt.slot[i];
		unsigned int off = s->offset, left = s->size;

		while (left) {
			u8 *dst = areas[a].p + aoff;
			unsigned int take = min3(left, areas[a].len - aoff,
						 (unsigned int)(PAGE_SIZE - offset_in_page(dst)));

			pvnet_copy_add(&ops[n++], dst, s->gref, off, take);
			off += take;
			left -= take;
			aoff += take;
			if (aoff == areas[a].len) {
				a++;
				aoff = 0;
			}
		}
	}
	p->op_first = q->nr_tx_copy;
	p->nr_ops = n;
	q->nr_tx_copy += n;
}

static void pvnet_tx_respond(struct pvnet_queue *q,
			     const struct pvnet_tx_pend *p, s16 status)
{
	unsigned int i;

	for (i = 0; i < p->pkt.nr_slots; i++) {
		struct xen_netif_tx_response rsp = {};

		rsp.id = p->pkt.ids[i];
		rsp.status = (p->pkt.extra & BIT_ULL(i)) ? XEN_NETIF_RSP_NULL :
							    status;
		memcpy(pvback_ring_next_rsp(&q->tx), &rsp, sizeof(rsp));
	}
}

/* Hand a copied packet to the stack, or say why not. */
static bool pvnet_tx_finish(struct pvnet_queue *q, struct sk_buff *skb,
			    unsigned int flags)
{
	skb->protocol = eth_type_trans(skb, q->dev);
	skb_reset_network_header(skb);
	if (flags & PVNET_PKT_CSUM_BLANK) {
		/* Recompute the pseudo-header sum: never trust the guest's. */
		if (skb_checksum_setup(skb, true))
			return false;
	} else if (flags & PVNET_PKT_DATA_VALID) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	skb_probe_transport_header(skb);
	return true;
}

static void pvnet_tx_flush(struct pvnet_queue *q)
{
	struct pvnet_stats *st = q->stats;
	unsigned int i, pkts = 0, bytes = 0;

	if (!q->nr_tx_pend)
		return;
	if (q->nr_tx_copy)
		q->ops->copy(q, q->tx_copy, q->nr_tx_copy, false);
	for (i = 0; i < q->nr_tx_pend; i++) {
		struct pvnet_tx_pend *p = &q->tx_pend[i];
		struct sk_buff *skb = p->skb;
		s16 status = p->status;

		if (skb && pvnet_ops_failed(q->tx_copy + p->op_first, p->nr_ops)) {
			atomic64_inc(&st->rx_errors);
			status = XEN_NETIF_RSP_ERROR;
		} else if (skb && !pvnet_tx_finish(q, skb, p->pkt.flags)) {
			atomic64_inc(&st->rx_malformed);
			net_dbg_ratelimited("%s: dropped a packet whose checksum cannot be set up\n",
					    q->name);
			status = XEN_NETIF_RSP_ERROR;
		}
		pvnet_tx_respond(q, p, status);
		if (skb && status == XEN_NETIF_RSP_OKAY) {
			pkts++;
			bytes += p->pkt.len;
			q->ops->deliver(q, skb);
		} else {
			kfree_skb(skb);
		}
		p->skb = NULL;
	}
	q->nr_tx_pend = 0;
	q->nr_tx_copy = 0;
	if (pkts) {
		u64_stats_update_begin(&st->rx_syncp);
		u64_stats_add(&st->rx_packets, pkts);
		u64_stats_add(&st->rx_bytes, bytes);
		u64_stats_update_end(&st->rx_syncp);
	}
	if (pvback_ring_push(&q->tx))
		q->ops->notify(q, PVNET_GUEST_TX);
}

/**
 * pvnet_tx_poll - take up to @budget packets from the guest
 * @q: the queue
 * @budget: most packets to take
 * @now_ns: monotonic time, for the rate limit
 * @wait_ns: set when the rate limit stopped us: when to try again
 *
 * Return: packets consumed (delivered or answered with an error).
 */
int pvnet_tx_poll(struct pvnet_queue *q, int budget, u64 now_ns,
		  u64 *wait_ns)
{
	struct pvnet_area areas[MAX_SKB_FRAGS + 1];
	int done = 0;

	*wait_ns = 0;
	while (done < budget && !q->broken) {
		struct pvnet_tx_pend *p;
		enum pvnet_tx_verdict v;
		unsigned int nr_areas;
		int avail;

		avail = pvback_ring_unconsumed(&q->tx);
		if (avail < 0) {
			pvnet_break(q, "TX producer index out of range");
			break;
		}
		if (!avail)
			break;
		if (q->nr_tx_pend == PVNET_BATCH ||
		    q->nr_tx_copy + PVNET_OPS_PER_PKT > PVNET_COPY_OPS)
			pvnet_tx_flush(q);

		p = &q->tx_pend[q->nr_tx_pend];
		v = pvnet_tx_parse(&q->tx, avail, &q->caps, &p->pkt);
		if (v == PVNET_TX_FATAL) {
			pvnet_break(q, pvnet_tx_why_str(p->pkt.why));
			break;
		}
		if (v == PVNET_TX_OK) {
			u64 w;

			spin_lock(&q->credit_lock);
			w = pvnet_credit_take(&q->credit, p->pkt.len, now_ns);
			spin_unlock(&q->credit_lock);
			if (w) {
				atomic64_inc(&q->stats->rx_credit_waits);
				*wait_ns = w;
				break;
			}
		}
		q->tx.req_cons += p->pkt.nr_slots;
		p->skb = NULL;
		p->nr_ops = 0;
		p->op_first = q->nr_tx_copy;
		if (v == PVNET_TX_OK) {
			p->skb = pvnet_tx_alloc(q, p->pkt.len, areas, &nr_areas);
			if (p->skb) {
				p->status = XEN_NETIF_RSP_OKAY;
				pvnet_tx_plan(q, p, areas);
			} else {
				atomic64_inc(&q->stats->rx_dropped);
				p->status = XEN_NETIF_RSP_DROPPED;
			}
		} else {
			atomic64_inc(&q->stats->rx_malformed);
			net_info_ratelimited("%s: dropped a malformed packet from the guest: %s\n",
					     q->name, pvnet_tx_why_str(p->pkt.why));
			p->status = XEN_NETIF_RSP_ERROR;
		}
		q->nr_tx_pend++;
		done++;
	}
	pvnet_tx_flush(q);
	return done;
}

/* ---- guest RX: packets to the guest ---- */

/**
 * pvnet_rx_enqueue - queue a packet for the guest
 * @q: the queue
 * @skb: the packet (the queue owns it now)
 *
 * Return: true when the queue is full: stop feeding it.
 */
bool pvnet_rx_enqueue(struct pvnet_queue *q, struct sk_buff *skb)
{
	unsigned long flags;
	bool full;

	spin_lock_irqsave(&q->rx_queue.lock, flags);
	__skb_queue_tail(&q->rx_queue, skb);
	q->rx_queued += skb->len;
	full = q->rx_queued >= q->rx_queue_max;
	spin_unlock_irqrestore(&q->rx_queue.lock, flags);
	return full;
}

static struct sk_buff *pvnet_rx_dequeue(struct pvnet_queue *q)
{
	struct sk_buff *skb;
	unsigned long flags;

	spin_lock_irqsave(&q->rx_queue.lock, flags);
	skb = __skb_dequeue(&q->rx_queue);
	if (skb)
		q->rx_queued -= skb->len;
	spin_unlock_irqrestore(&q->rx_queue.lock, flags);
	return skb;
}

/* Drop every queued packet; returns how many. */
unsigned int pvnet_rx_purge(struct pvnet_queue *q)
{
	struct sk_buff *skb;
	unsigned int n = 0;

	if (!q->rx_queue.next)
		return 0;	/* never initialised */
	while ((skb = pvnet_rx_dequeue(q))) {
		kfree_skb(skb);
		n++;
	}
	return n;
}

/* Room for more: below half the limit, so the queue does not flap. */
bool pvnet_rx_ready(struct pvnet_queue *q)
{
	return READ_ONCE(q->rx_queued) < q->rx_queue_max / 2;
}

static void pvnet_rx_plan_chunk(struct pvnet_queue *q,
				const u32 *grefs, struct pvnet_rx_cursor *cur,
				u8 *data, unsigned int len)
{
	while (len) {
		unsigned int n = pvnet_rx_piece(cur, (unsigned long)data, len);

		pvnet_copy_add(&q->rx_copy[q->nr_rx_copy++], data,
			       grefs[cur->slot], cur->slot_off, n);
		pvnet_rx_advance(cur, n);
		data += n;
		len -= n;
	}
}

/* Copies @skb needs at most: each chunk may cross local pages and slots. */
static unsigned int pvnet_rx_ops_needed(const struct sk_buff *skb,
					unsigned int slots)
{
	unsigned int i, need;

	need = DIV_ROUND_UP(skb_headlen(skb), PVNET_GPAGE_SIZE) + 1;
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++)
		need += DIV_ROUND_UP(skb_frag_size(&skb_shinfo(skb)->frags[i]),
				     PVNET_GPAGE_SIZE) + 1;
	return need + slots;
}

/* Copies of @p's skb into the guest buffers @grefs. */
static void pvnet_rx_plan(struct pvnet_queue *q, struct pvnet_rx_pend *p,
			  const u32 *grefs)
{
	struct sk_buff *skb = p->skb;
	struct pvnet_rx_cursor cur = {};
	unsigned int i;

	p->op_first = q->nr_rx_copy;
	pvnet_rx_plan_chunk(q, grefs, &cur, skb->data, skb_headlen(skb));
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		pvnet_rx_plan_chunk(q, grefs, &cur, skb_frag_address(f),
				    skb_frag_size(f));
	}
	p->nr_ops = q->nr_rx_copy - p->op_first;
}

static void pvnet_rx_flush(struct pvnet_queue *q)
{
	struct pvnet_stats *st = q->stats;
	unsigned int i, j, pkts = 0, bytes = 0;

	if (!q->nr_rx_pend)
		return;
	if (q->nr_rx_copy)
		q->ops->copy(q, q->rx_copy, q->nr_rx_copy, true);
	for (i = 0; i < q->nr_rx_pend; i++) {
		struct pvnet_rx_pend *p = &q->rx_pend[i];
		bool failed = pvnet_ops_failed(q->rx_copy + p->op_first, p->nr_ops);
		unsigned int left = p->skb->len;

		for (j = 0; j < p->nr_slots; j++) {
			struct xen_netif_rx_response rsp = {};
			unsigned int n = min(left, PVNET_GPAGE_SIZE);

			rsp.id = p->ids[j];
			rsp.offset = 0;
			rsp.flags = j ? 0 : p->flags;
			if (j + 1 < p->nr_slots)
				rsp.flags |= XEN_NETRXF_more_data;
			rsp.status = failed ? XEN_NETIF_RSP_ERROR : n;
			memcpy(pvback_ring_next_rsp(&q->rx), &rsp, sizeof(rsp));
			left -= n;
		}
		if (failed) {
			atomic64_inc(&st->tx_errors);
			kfree_skb(p->skb);
		} else {
			pkts++;
			bytes += p->skb->len;
			consume_skb(p->skb);
		}
		p->skb = NULL;
	}
	q->nr_rx_pend = 0;
	q->nr_rx_copy = 0;
	if (pkts) {
		u64_stats_update_begin(&st->tx_syncp);
		u64_stats_add(&st->tx_packets, pkts);
		u64_stats_add(&st->tx_bytes, bytes);
		u64_stats_update_end(&st->tx_syncp);
	}
	if (pvback_ring_push(&q->rx))
		q->ops->notify(q, PVNET_GUEST_RX);
}

static u16 pvnet_rx_csum_flags(const struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		return XEN_NETRXF_data_validated;
	return 0;
}

/**
 * pvnet_rx_process - move queued packets into the guest's buffers
 * @q: the queue
 * @need: set to the buffers the first waiting packet needs (0: none waits)
 *
 * Stops after PVNET_RX_BUDGET packets, so the caller can reschedule.
 *
 * Return: packets moved (or dropped); -EIO when the ring broke.
 */
int pvnet_rx_process(struct pvnet_queue *q, unsigned int *need)
{
	u32 grefs[PVNET_MAX_RX_SLOTS];
	int done = 0;

	*need = 0;
	while (!q->broken && done < PVNET_RX_BUDGET) {
		struct pvnet_rx_pend *p;
		struct sk_buff *skb;
		unsigned int slots, i;
		int avail;

		spin_lock_irq(&q->rx_queue.lock);
		skb = skb_peek(&q->rx_queue);
		spin_unlock_irq(&q->rx_queue.lock);
		if (!skb)
			break;
		slots = pvnet_rx_slots(skb->len);
		if (slots > q->rx_max_slots) {
			/* Only a misconfigured MTU gets here. */
			kfree_skb(pvnet_rx_dequeue(q));
			atomic64_inc(&q->stats->tx_dropped);
			done++;
			continue;
		}
		avail = pvback_ring_unconsumed(&q->rx);
		if (avail < 0) {
			pvnet_break(q, "RX producer index out of range");
			break;
		}
		if (avail < slots) {
			*need = slots;
			break;
		}
		/* Room for this packet's copies; PVNET_COPY_OPS fits any. */
		if (q->nr_rx_pend == PVNET_BATCH ||
		    q->nr_rx_copy + pvnet_rx_ops_needed(skb, slots) > PVNET_COPY_OPS)
			pvnet_rx_flush(q);

		p = &q->rx_pend[q->nr_rx_pend];
		p->skb = skb;
		p->nr_slots = slots;
		for (i = 0; i < slots; i++) {
			struct xen_netif_rx_request req;

			pvback_ring_copy(&req, pvback_ring_next_req(&q->rx),
					 sizeof(req));
			p->ids[i] = req.id;
			grefs[i] = req.gref;
		}
		pvnet_rx_plan(q, p, grefs);
		p->flags = pvnet_rx_csum_flags(skb);
		pvnet_rx_dequeue(q);
		q->nr_rx_pend++;
		done++;
	}
	pvnet_rx_flush(q);
	if (q->broken)
		return -EIO;
	return done;
}
