// SPDX-License-Identifier: GPL-2.0
/*
 * Pure netif units (see netif.h).  Every slot is copied out of the shared
 * ring exactly once; decisions are made on the copies only.
 */
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/if_ether.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "netif.h"

static_assert(sizeof(struct pvnet_tx_slot) == sizeof(struct xen_netif_tx_request));
static_assert(offsetof(struct pvnet_tx_slot, size) ==
	      offsetof(struct xen_netif_tx_request, size));
static_assert(sizeof(struct xen_netif_extra_info) <= sizeof(struct xen_netif_tx_request));
static_assert(PVNET_FATAL_SLOTS <= 64);	/* pkt->extra is a u64 bitmap */

static void pvnet_copy_slot(const struct pvback_ring *ring, u32 idx,
			    void *dst, size_t len)
{
	pvback_ring_copy(dst, pvback_ring_slot(ring, idx), len);
}

static enum pvnet_tx_verdict pvnet_drop(struct pvnet_tx_pkt *pkt,
					enum pvnet_tx_why why)
{
	/* Keep the first reason: it is the one worth logging. */
	if (pkt->why == PVNET_WHY_NONE)
		pkt->why = why;
	return PVNET_TX_DROP;
}

/* Check one extra_info slot; @seen collects the types met so far. */
static enum pvnet_tx_why pvnet_check_extra(const struct xen_netif_extra_info *x,
					   const struct pvnet_tx_caps *caps,
					   unsigned int *seen)
{
	if (x->type == XEN_NETIF_EXTRA_TYPE_NONE ||
	    x->type >= XEN_NETIF_EXTRA_TYPE_MAX || (*seen & BIT(x->type)))
		return PVNET_WHY_EXTRA_TYPE;
	*seen |= BIT(x->type);
	switch (x->type) {
	case XEN_NETIF_EXTRA_TYPE_GSO:
		if (!caps->gso || !x->u.gso.size ||
		    (x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		     x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
			return PVNET_WHY_GSO;
		return PVNET_WHY_NONE;
	case XEN_NETIF_EXTRA_TYPE_HASH:
		/* A hint we may ignore. */
		return PVNET_WHY_NONE;
	default:
		/* Multicast control and XDP were not negotiated. */
		return PVNET_WHY_EXTRA_TYPE;
	}
}

/**
 * pvnet_tx_parse - read the packet at the TX ring's consumer index
 * @ring: the TX ring; nothing is consumed (req_cons stays)
 * @avail: requests the frontend has published beyond req_cons
 * @caps: negotiated features
 * @pkt: where the packet is copied; valid for every verdict
 *
 * On OK and DROP, @pkt->nr_slots ring slots belong to the packet and each
 * needs a response.  FATAL means no packet boundary can be found: the chain
 * runs past what was published (frontends publish whole packets) or is
 * longer than any packet.  The caller must stop the ring.
 *
 * Return: the verdict; @pkt->why says why it is not OK.
 */
enum pvnet_tx_verdict pvnet_tx_parse(const struct pvback_ring *ring,
				     unsigned int avail,
				     const struct pvnet_tx_caps *caps,
				     struct pvnet_tx_pkt *pkt)
{
	enum pvnet_tx_verdict v = PVNET_TX_OK;
	struct xen_netif_extra_info x;
	struct pvnet_tx_slot first, s;
	unsigned int n = 1, seen = 0, sum = 0;
	bool more;

	pkt->nr_data = 0;
	pkt->nr_slots = 0;
	pkt->extra = 0;
	pkt->len = 0;
	pkt->flags = 0;
	pkt->why = PVNET_WHY_NONE;
	if (!avail) {
		pkt->why = PVNET_WHY_TRUNCATED;
		return PVNET_TX_FATAL;
	}

	pvnet_copy_slot(ring, ring->req_cons, &first, sizeof(first));
	pkt->ids[0] = first.id;

	more = first.flags & XEN_NETTXF_extra_info;
	while (more) {
		enum pvnet_tx_why why;

		if (n >= avail || n >= PVNET_FATAL_SLOTS) {
			pkt->why = n >= avail ? PVNET_WHY_TRUNCATED : PVNET_WHY_CHAIN;
			return PVNET_TX_FATAL;
		}
		pvnet_copy_slot(ring, ring->req_cons + n, &x, sizeof(x));
		pkt->ids[n] = 0;
		pkt->extra |= BIT_ULL(n);
		n++;
		more = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		why = pvnet_check_extra(&x, caps, &seen);
		if (why != PVNET_WHY_NONE)
			v = pvnet_drop(pkt, why);
	}

	pkt->slot[0] = first;
	pkt->nr_data = 1;
	more = first.flags & XEN_NETTXF_more_data;
	while (more) {
		if (n >= avail || n >= PVNET_FATAL_SLOTS) {
			pkt->why = n >= avail ? PVNET_WHY_TRUNCATED : PVNET_WHY_CHAIN;
			return PVNET_TX_FATAL;
		}
		pvnet_copy_slot(ring, ring->req_cons + n, &s, sizeof(s));
		pkt->ids[n] = s.id;
		n++;
		more = s.flags & XEN_NETTXF_more_data;
		if (v != PVNET_TX_OK)
			continue;	/* only looking for the end now */
		if (n - hweight64(pkt->extra) > PVNET_MAX_DATA_SLOTS) {
			v = pvnet_drop(pkt, PVNET_WHY_TOO_MANY);
		} else if (s.size > first.size - sum) {
			v = pvnet_drop(pkt, PVNET_WHY_SIZE);
		} else if (s.offset + s.size > PVNET_GPAGE_SIZE) {
			v = pvnet_drop(pkt, PVNET_WHY_PAGE_CROSS);
		} else if (s.size) {
			/* Empty fragments are answered, never used. */
			sum += s.size;
			pkt->slot[pkt->nr_data++] = s;
		}
	}
	pkt->nr_slots = n;
	if (v != PVNET_TX_OK)
		return v;

	/* The first slot's size is the whole packet's; its share is the rest. */
	if (first.size < ETH_HLEN)
		return pvnet_drop(pkt, PVNET_WHY_TOO_SHORT);
	pkt->slot[0].size = first.size - sum;
	if (first.offset + pkt->slot[0].size > PVNET_GPAGE_SIZE)
		return pvnet_drop(pkt, PVNET_WHY_PAGE_CROSS);
	pkt->len = first.size;
	if (first.flags & XEN_NETTXF_csum_blank)
		pkt->flags |= PVNET_PKT_CSUM_BLANK;
	if (first.flags & XEN_NETTXF_data_validated)
		pkt->flags |= PVNET_PKT_DATA_VALID;
	return PVNET_TX_OK;
}

const char *pvnet_tx_why_str(enum pvnet_tx_why why)
{
	switch (why) {
	case PVNET_WHY_NONE:
		return "ok";
	case PVNET_WHY_TOO_SHORT:
		return "shorter than an Ethernet header";
	case PVNET_WHY_PAGE_CROSS:
		return "slot crosses its grant page";
	case PVNET_WHY_SIZE:
		return "fragments larger than the packet";
	case PVNET_WHY_TOO_MANY:
		return "too many slots";
	case PVNET_WHY_EXTRA_TYPE:
		return "bad extra_info";
	case PVNET_WHY_GSO:
		return "bad or unnegotiated GSO";
	case PVNET_WHY_TRUNCATED:
		return "slot chain runs past the producer index";
	case PVNET_WHY_CHAIN:
		return "slot chain too long";
	}
	return "?";
}

unsigned int pvnet_rx_slots(unsigned int len)
{
	return max(1U, DIV_ROUND_UP(len, PVNET_GPAGE_SIZE));
}

unsigned int pvnet_rx_piece(const struct pvnet_rx_cursor *c,
			    unsigned long local, unsigned int len)
{
	unsigned int in_page = PVNET_GPAGE_SIZE - (local & (PVNET_GPAGE_SIZE - 1));

	return min3(len, in_page, PVNET_GPAGE_SIZE - c->slot_off);
}

void pvnet_rx_advance(struct pvnet_rx_cursor *c, unsigned int n)
{
	c->slot_off += n;
	if (c->slot_off >= PVNET_GPAGE_SIZE) {
		c->slot++;
		c->slot_off = 0;
	}
}

/* Decimal digits into @v: past them, or NULL if there are none or they overflow. */
static const char *pvnet_parse_u64(const char *s, u64 *v)
{
	const char *p;

	*v = 0;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = *p - '0';

		if (*v > (U64_MAX - d) / 10)
			return NULL;
		*v = *v * 10 + d;
	}
	return p == s ? NULL : p;
}

/**
 * pvnet_credit_parse - parse the "rate" key, "<bytes>,<usec>"
 * @s: the key's value
 * @bytes: credit per period
 * @usec: period
 *
 * Return: 0, or -EINVAL when malformed or zero.
 */
int pvnet_credit_parse(const char *s, u64 *bytes, u32 *usec)
{
	u64 b, u;

	/* Not sscanf(): its %llu and %u wrap numbers that are too large. */
	s = pvnet_parse_u64(s, &b);
	if (!s || *s++ != ',')
		return -EINVAL;
	s = pvnet_parse_u64(s, &u);
	if (!s || *s || !b || !u || u > U32_MAX)
		return -EINVAL;
	*bytes = b;
	*usec = u;
	return 0;
}

/* Limit to @bytes per @usec (0 bytes: no limit), starting now. */
void pvnet_credit_set(struct pvnet_credit *c, u64 bytes, u32 usec, u64 now_ns)
{
	c->bytes = bytes;
	c->usec = usec;
	/* Whatever the rate, the largest packet must be able to pass. */
	c->max_burst = max_t(u64, bytes, XEN_NETIF_MAX_TX_SIZE);
	c->remaining = min(bytes, c->max_burst);
	c->next_ns = now_ns + (u64)usec * NSEC_PER_USEC;
}

/**
 * pvnet_credit_take - may a packet of @size bytes go now?
 * @c: the credit
 * @size: packet size
 * @now_ns: monotonic time
 *
 * Return: 0 when it may (the credit is spent), else the nanoseconds to
 * wait before asking again.
 */
u64 pvnet_credit_take(struct pvnet_credit *c, unsigned int size, u64 now_ns)
{
	u64 period, periods;

	if (!c->bytes)
		return 0;
	period = (u64)c->usec * NSEC_PER_USEC;
	if (now_ns >= c->next_ns) {
		periods = div64_u64(now_ns - c->next_ns, period) + 1;
		/* Credit never piles up past max_burst, so stop counting there;
		 * this way periods * bytes cannot overflow either.
		 */
		if (periods > div64_u64(c->max_burst - c->remaining, c->bytes))
			c->remaining = c->max_burst;
		else
			c->remaining += periods * c->bytes;
		c->next_ns += periods * period;
	}
	if (c->remaining >= size) {
		c->remaining -= size;
		return 0;
	}
	return max_t(u64, c->next_ns - now_ns, 1);
}
