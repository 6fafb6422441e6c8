// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: a guest's TX ring through pvnet_tx_parse(), consumed
 * as pvnet_tx_poll() does (pvnetback's netif.c and the pvback_ring.h index
 * code, built unchanged).
 *
 * Input (little-endian; bytes past the end read as zero):
 *    0  u32   rsp_prod = req_cons when the backend attaches
 *    4  u16   req_prod - rsp_prod (above 256 the attach must fail)
 *    6  u8    bit 0: GSO negotiated
 *    7  u8    unused
 *    8  ...   12-byte slots: input slot k is ring slot (rsp_prod + k) of
 *             the 256 in the 4 KiB page; missing slots are zero
 *
 * The backend attaches to the page, then loops: unconsumed requests,
 * parse, and on OK or DROP consume nr_slots and answer them; FATAL stops
 * the ring.  Before each parse every slot outside the published window
 * [req_cons, req_prod) is poisoned for ASan, so reading one is a crash.
 *
 * Invariants:
 * - attach fails exactly when the producer is more than 256 ahead; the
 *   unconsumed count is always req_prod - req_cons; response slot
 *   pointers stay in the ring; pushing asks for a notification exactly
 *   when rsp_event lies in (old rsp_prod, new rsp_prod].
 * - the parser writes nothing to the ring and reads only published slots.
 * - the slot chain (first slot, extra_info slots while FLAG_MORE, data
 *   slots while more_data) is worked out here from the ring image: FATAL
 *   exactly when it needs more slots than min(avail, 64) (TRUNCATED when
 *   avail is the limit, CHAIN otherwise); else nr_slots is its length,
 *   1 <= nr_slots <= avail, the extra bitmap marks exactly its extra
 *   slots (never slot 0), ids[] holds the slots' ids (0 for extras).
 * - OK exactly when: every extra is GSO (negotiated, size > 0, TCPv4 or
 *   TCPv6) or HASH, no type twice; at most 18 data slots; the later data
 *   slots' sizes add up to at most slot 0's size; each later data slot
 *   (empty ones too) has offset + size <= 4096; slot 0's size >= ETH_HLEN
 *   and its share (its size minus the others') fits its page.  A DROP's
 *   reason is one of the conditions that failed.
 * - on OK: len is slot 0's size, nr_data <= 18, slot[] holds slot 0 with
 *   its share then the non-empty later data slots in order, every one
 *   within its 4 KiB grant page, sizes adding up to len; the checksum
 *   flags are slot 0's.
 */
#include <sanitizer/asan_interface.h>
#include <string.h>

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/if_ether.h>

#include "fuzz.h"
#include "netif.h"

#define PAGE		4096
#define HDR		sizeof(struct pvback_sring_hdr)
#define SLOT		sizeof(union xen_netif_tx_sring_entry)
#define NR_SLOTS	256

static_assert(SLOT == 12);
static_assert(HDR + NR_SLOTS * SLOT <= PAGE && HDR + 2 * NR_SLOTS * SLOT > PAGE);

/* The shared page, and what the frontend wrote there, for the checks. */
static u8 page[PAGE] __aligned(PAGE);
static u8 image[NR_SLOTS * SLOT];

static const u8 *img_slot(u32 idx)
{
	return image + (idx % NR_SLOTS) * SLOT;
}

static void img_req(u32 idx, struct xen_netif_tx_request *r)
{
	memcpy(r, img_slot(idx), sizeof(*r));
}

static void img_extra(u32 idx, struct xen_netif_extra_info *x)
{
	memcpy(x, img_slot(idx), sizeof(*x));
}

/* Only [cons, cons + avail) readable, as far as ASan is concerned. */
static void publish_only(u32 cons, unsigned int avail)
{
	u8 *ents = page + HDR;
	unsigned int first = cons % NR_SLOTS, n1;

	ASAN_POISON_MEMORY_REGION(ents, NR_SLOTS * SLOT);
	n1 = avail < NR_SLOTS - first ? avail : NR_SLOTS - first;
	ASAN_UNPOISON_MEMORY_REGION(ents + first * SLOT, n1 * SLOT);
	if (avail > n1)
		ASAN_UNPOISON_MEMORY_REGION(ents, (avail - n1) * SLOT);
}

static void publish_all(void)
{
	ASAN_UNPOISON_MEMORY_REGION(page + HDR, NR_SLOTS * SLOT);
}

/* The packet as the protocol defines it, worked out from the image. */
struct model {
	enum pvnet_tx_verdict v;
	enum pvnet_tx_why fatal_why;
	unsigned int nr_slots, nr_extras, nr_data;
	unsigned int later_sum;	/* sizes of the data slots after slot 0 */
	bool bad_extra_type, bad_gso, later_cross;
};

static void model_packet(u32 cons, unsigned int avail, bool gso,
			 struct model *m)
{
	unsigned int limit = avail < PVNET_FATAL_SLOTS ? avail : PVNET_FATAL_SLOTS;
	struct xen_netif_tx_request first, s;
	struct xen_netif_extra_info x;
	unsigned int n = 1, seen = 0;
	bool more;

	memset(m, 0, sizeof(*m));
	m->fatal_why = avail <= PVNET_FATAL_SLOTS ? PVNET_WHY_TRUNCATED :
						    PVNET_WHY_CHAIN;
	m->v = PVNET_TX_FATAL;
	if (!avail)
		return;
	img_req(cons, &first);
	more = first.flags & XEN_NETTXF_extra_info;
	while (more) {
		if (n >= limit)
			return;
		img_extra(cons + n++, &x);
		m->nr_extras++;
		more = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
		if (x.type == XEN_NETIF_EXTRA_TYPE_GSO) {
			if (!gso || !x.u.gso.size ||
			    (x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
			     x.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
				m->bad_gso = true;
		} else if (x.type != XEN_NETIF_EXTRA_TYPE_HASH) {
			m->bad_extra_type = true;
		}
		if (x.type < 32 && (seen & (1U << x.type)))
			m->bad_extra_type = true;
		if (x.type < 32)
			seen |= 1U << x.type;
	}
	m->nr_data = 1;
	more = first.flags & XEN_NETTXF_more_data;
	while (more) {
		if (n >= limit)
			return;
		img_req(cons + n++, &s);
		m->nr_data++;
		more = s.flags & XEN_NETTXF_more_data;
		m->later_sum += s.size;
		if (s.offset + s.size > PVNET_GPAGE_SIZE)
			m->later_cross = true;
	}
	m->nr_slots = n;
	if (m->bad_extra_type || m->bad_gso ||
	    m->nr_data > PVNET_MAX_DATA_SLOTS || m->later_sum > first.size ||
	    m->later_cross || first.size < ETH_HLEN ||
	    first.offset + (first.size - m->later_sum) > PVNET_GPAGE_SIZE)
		m->v = PVNET_TX_DROP;
	else
		m->v = PVNET_TX_OK;
}

/* A DROP must give a reason that holds. */
static bool why_holds(const struct model *m, const struct xen_netif_tx_request *first,
		      enum pvnet_tx_why why)
{
	switch (why) {
	case PVNET_WHY_EXTRA_TYPE:
		return m->bad_extra_type;
	case PVNET_WHY_GSO:
		return m->bad_gso;
	case PVNET_WHY_TOO_MANY:
		return m->nr_data > PVNET_MAX_DATA_SLOTS;
	case PVNET_WHY_SIZE:
		return m->later_sum > first->size;
	case PVNET_WHY_PAGE_CROSS:
		return m->later_cross ||
		       (m->later_sum <= first->size &&
			first->offset + (first->size - m->later_sum) > PVNET_GPAGE_SIZE);
	case PVNET_WHY_TOO_SHORT:
		return first->size < ETH_HLEN;
	default:
		return false;
	}
}

static void check_packet(u32 cons, unsigned int avail, bool gso,
			 enum pvnet_tx_verdict v, const struct pvnet_tx_pkt *pkt)
{
	struct xen_netif_tx_request first, s;
	unsigned int i, d = 1, sum = 0;
	struct model m;
	u64 extras;

	model_packet(cons, avail, gso, &m);
	FUZZ_CHECK(v == m.v, "verdict %d, expected %d (why %d)", v, m.v, pkt->why);
	if (v == PVNET_TX_FATAL) {
		FUZZ_CHECK(pkt->why == m.fatal_why, "FATAL why %d, expected %d",
			   pkt->why, m.fatal_why);
		return;
	}
	FUZZ_CHECK(pkt->nr_slots == m.nr_slots, "nr_slots %u, chain has %u",
		   pkt->nr_slots, m.nr_slots);
	FUZZ_CHECK(pkt->nr_slots >= 1 && pkt->nr_slots <= avail,
		   "nr_slots %u, avail %u", pkt->nr_slots, avail);
	extras = m.nr_extras ? ((1ULL << m.nr_extras) - 1) << 1 : 0;
	FUZZ_CHECK(pkt->extra == extras, "extra bitmap %#llx, expected %#llx",
		   (unsigned long long)pkt->extra, (unsigned long long)extras);
	for (i = 0; i < pkt->nr_slots; i++) {
		img_req(cons + i, &s);
		FUZZ_CHECK(pkt->ids[i] == (extras & (1ULL << i) ? 0 : s.id),
			   "ids[%u] = %u", i, pkt->ids[i]);
	}

	img_req(cons, &first);
	if (v == PVNET_TX_DROP) {
		FUZZ_CHECK(why_holds(&m, &first, pkt->why), "DROP for why %d (%s)",
			   pkt->why, pvnet_tx_why_str(pkt->why));
		return;
	}

	FUZZ_CHECK(pkt->why == PVNET_WHY_NONE, "OK with why %d", pkt->why);
	FUZZ_CHECK(pkt->len == first.size && pkt->len >= ETH_HLEN, "len %u",
		   pkt->len);
	FUZZ_CHECK(pkt->nr_data >= 1 && pkt->nr_data <= PVNET_MAX_DATA_SLOTS,
		   "nr_data %u", pkt->nr_data);
	FUZZ_CHECK(pkt->flags == (((first.flags & XEN_NETTXF_csum_blank) ?
				  PVNET_PKT_CSUM_BLANK : 0) |
				 ((first.flags & XEN_NETTXF_data_validated) ?
				  PVNET_PKT_DATA_VALID : 0)), "flags %#x", pkt->flags);
	/* The later non-empty data slots, in chain order. */
	for (i = 1 + m.nr_extras; i < pkt->nr_slots; i++) {
		img_req(cons + i, &s);
		if (!s.size)
			continue;
		FUZZ_CHECK(d < pkt->nr_data, "data slot %u missing", d);
		FUZZ_CHECK(!memcmp(&pkt->slot[d], &s, sizeof(s)), "slot[%u] differs", d);
		d++;
	}
	FUZZ_CHECK(d == pkt->nr_data, "nr_data %u, chain has %u", pkt->nr_data, d);
	FUZZ_CHECK(pkt->slot[0].gref == first.gref && pkt->slot[0].offset == first.offset &&
		   pkt->slot[0].id == first.id && pkt->slot[0].flags == first.flags,
		   "slot[0] differs");
	for (i = 0; i < pkt->nr_data; i++) {
		FUZZ_CHECK(pkt->slot[i].offset + pkt->slot[i].size <= PVNET_GPAGE_SIZE,
			   "slot[%u] %u + %u crosses its page", i,
			   pkt->slot[i].offset, pkt->slot[i].size);
		FUZZ_CHECK(i == 0 || pkt->slot[i].size, "slot[%u] empty", i);
		sum += pkt->slot[i].size;
	}
	FUZZ_CHECK(sum == pkt->len, "slot sizes add up to %u, len %u", sum, pkt->len);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct pvnet_tx_caps caps = {};
	struct pvback_sring_hdr *sring = (void *)page;
	struct pvback_ring ring;
	struct pvnet_tx_pkt pkt;
	unsigned int k, consumed = 0;
	u32 start, prod, old;
	u16 delta;
	int avail, ret;

	start = fuzz_u32(&in);
	delta = fuzz_u16(&in);
	caps.gso = fuzz_u8(&in) & 1;
	fuzz_u8(&in);
	for (k = 0; k < NR_SLOTS; k++)
		fuzz_copy(&in, image + ((start + k) % NR_SLOTS) * SLOT, SLOT);

	memset(page, 0, HDR);
	memcpy(page + HDR, image, sizeof(image));
	prod = start + delta;
	sring->req_prod = prod;
	sring->rsp_prod = start;
	sring->rsp_event = start + (delta >> 1);
	ret = pvback_ring_attach(&ring, page, PAGE, SLOT);
	FUZZ_CHECK(ring.nr_ents == NR_SLOTS && ring.req_cons == start &&
		   ring.rsp_prod_pvt == start, "attach: %u slots from %u",
		   ring.nr_ents, ring.req_cons);
	if (delta > NR_SLOTS) {
		FUZZ_CHECK(ret == -EIO, "attach with req_prod %u ahead: %d", delta, ret);
		return 0;
	}
	FUZZ_CHECK(ret == 0, "attach: %d", ret);

	for (;;) {
		enum pvnet_tx_verdict v;
		u32 cons = ring.req_cons;

		avail = pvback_ring_unconsumed(&ring);
		FUZZ_CHECK(avail == (int)(prod - cons), "unconsumed %d, expected %u",
			   avail, prod - cons);
		if (!avail)
			break;
		memset(&pkt, 0xa5, sizeof(pkt));
		publish_only(cons, avail);
		v = pvnet_tx_parse(&ring, avail, &caps, &pkt);
		publish_all();
		FUZZ_CHECK(ring.req_cons == cons, "the parser consumed");
		check_packet(cons, avail, caps.gso, v, &pkt);
		if (v == PVNET_TX_FATAL)
			break;

		/* Consume and answer, as pvnet_tx_poll() and the flush do. */
		ring.req_cons += pkt.nr_slots;
		consumed += pkt.nr_slots;
		FUZZ_CHECK(consumed <= delta, "consumed %u of %u", consumed, delta);
		for (k = 0; k < pkt.nr_slots; k++) {
			u8 *p = pvback_ring_next_rsp(&ring);

			FUZZ_CHECK(p == page + HDR + ((cons + k) % NR_SLOTS) * SLOT,
				   "response slot %u misplaced", k);
		}
		old = sring->rsp_prod;
		FUZZ_CHECK(pvback_ring_push(&ring) ==
			   ((u32)(sring->rsp_event - old - 1) < (u32)(ring.rsp_prod_pvt - old)),
			   "push: rsp_event %u, rsp_prod %u -> %u", sring->rsp_event,
			   old, ring.rsp_prod_pvt);
		FUZZ_CHECK(sring->rsp_prod == ring.rsp_prod_pvt, "rsp_prod not pushed");
	}
	FUZZ_CHECK(!memcmp(page + HDR, image, sizeof(image)),
		   "the parser wrote to the ring");
	if (!avail) {
		FUZZ_CHECK(!pvback_ring_final_check(&ring), "final check: requests");
		FUZZ_CHECK(sring->req_event == ring.req_cons + 1, "req_event %u",
			   sring->req_event);
	}
	return 0;
}
