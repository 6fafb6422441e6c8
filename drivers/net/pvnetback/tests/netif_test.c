// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the pure netif units.  The TX parser reads a real pvback_ring laid
 * over a 4 KiB page that the test fills as a frontend would; the RX planner
 * and the credit arithmetic are driven directly.
 */
#include <kunit/test.h>
#include <linux/if_ether.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/time64.h>

#include "../netif.h"
#include "fe.h"

/* ---- TX slot-chain parsing ---- */

struct tx_ring {
	struct xen_netif_tx_sring *sring;
	struct xen_netif_tx_front_ring fr;
	struct pvback_ring ring;
};

/* An empty TX ring whose indexes start at @start. */
static struct tx_ring *tx_ring_new(struct kunit *test, u32 start)
{
	struct tx_ring *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->sring = kunit_kzalloc(test, FE_RING_BYTES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->sring);
	fe_tx_init(&t->fr, t->sring, start);
	KUNIT_ASSERT_EQ(test, pvback_ring_attach(&t->ring, t->sring, FE_RING_BYTES,
						 sizeof(union xen_netif_tx_sring_entry)), 0);
	KUNIT_ASSERT_EQ(test, t->ring.nr_ents, (u32)FE_RING_SLOTS);
	KUNIT_ASSERT_EQ(test, t->ring.nr_ents, RING_SIZE(&t->fr));
	KUNIT_ASSERT_EQ(test, t->ring.req_cons, start);
	return t;
}

/* Publish what was queued and parse at the consumer index. */
static enum pvnet_tx_verdict tx_parse(struct kunit *test, struct tx_ring *t,
				      bool gso, struct pvnet_tx_pkt *pkt)
{
	struct pvnet_tx_caps caps = { .gso = gso };
	int avail;

	RING_PUSH_REQUESTS(&t->fr);
	avail = pvback_ring_unconsumed(&t->ring);
	KUNIT_EXPECT_GE(test, avail, 0);
	/* Poison: every field the verdict promises must be written. */
	memset(pkt, 0xa5, sizeof(*pkt));
	return pvnet_tx_parse(&t->ring, avail, &caps, pkt);
}

/* One slot of a table case: data, or extra_info when @x. */
struct tx_slot {
	bool x;
	u8 type;		/* extra: XEN_NETIF_EXTRA_TYPE_* */
	u8 xflags;		/* extra: XEN_NETIF_EXTRA_FLAG_* */
	u16 gso_size;
	u8 gso_type;
	u16 flags;		/* data: XEN_NETTXF_* */
	u16 offset;
	u16 size;
};

#define TX_CASE_SLOTS	6

struct tx_case {
	const char *name;
	bool gso;		/* caps.gso */
	unsigned int nr;	/* slots written */
	unsigned int avail;	/* slots published; 0: all */
	struct tx_slot s[TX_CASE_SLOTS];
	enum pvnet_tx_verdict v;
	enum pvnet_tx_why why;
	/* Expected for OK and DROP (nr_slots, extra), and OK only (rest). */
	unsigned int nr_slots;
	u64 extra;
	unsigned int nr_data;
	unsigned int len;
	unsigned int flags;
};

#define MORE		XEN_NETTXF_more_data
#define XTRA		XEN_NETTXF_extra_info
#define XMORE		XEN_NETIF_EXTRA_FLAG_MORE
#define D(fl, off, sz)	{ .flags = (fl), .offset = (off), .size = (sz) }
#define X(t, fl)	{ .x = true, .type = (t), .xflags = (fl) }
#define G(fl, sz, t)	{ .x = true, .type = XEN_NETIF_EXTRA_TYPE_GSO, .xflags = (fl), \
			  .gso_size = (sz), .gso_type = (t) }
#define OK		PVNET_TX_OK
#define DROP		PVNET_TX_DROP
#define FATAL		PVNET_TX_FATAL

/* Data slot i of a case has id 100 + i and gref 1000 + i. */
#define TX_ID(i)	(100 + (i))
#define TX_GREF(i)	(1000 + (i))

static const struct tx_case tx_cases[] = {
	{ "one slot", .nr = 1, .s = { D(0, 0, 60) },
	  .v = OK, .nr_slots = 1, .nr_data = 1, .len = 60 },
	{ "one slot at the page end", .nr = 1, .s = { D(0, 4036, 60) },
	  .v = OK, .nr_slots = 1, .nr_data = 1, .len = 60 },
	{ "Ethernet header only", .nr = 1, .s = { D(0, 7, ETH_HLEN) },
	  .v = OK, .nr_slots = 1, .nr_data = 1, .len = ETH_HLEN },
	{ "three slots", .nr = 3, .s = { D(MORE, 100, 1000), D(MORE, 0, 300), D(0, 4000, 96) },
	  .v = OK, .nr_slots = 3, .nr_data = 3, .len = 1000 },
	{ "first slot ends the page", .nr = 2, .s = { D(MORE, 3996, 200), D(0, 0, 100) },
	  .v = OK, .nr_slots = 2, .nr_data = 2, .len = 200 },
	{ "all bytes in later slots", .nr = 2, .s = { D(MORE, 0, 100), D(0, 0, 100) },
	  .v = OK, .nr_slots = 2, .nr_data = 2, .len = 100 },
	{ "empty middle slot", .nr = 3, .s = { D(MORE, 0, 500), D(MORE, 0, 0), D(0, 0, 200) },
	  .v = OK, .nr_slots = 3, .nr_data = 2, .len = 500 },
	{ "empty slots only", .nr = 3, .s = { D(MORE, 0, 60), D(MORE, 4096, 0), D(0, 0, 0) },
	  .v = OK, .nr_slots = 3, .nr_data = 1, .len = 60 },
	{ "csum_blank", .nr = 1, .s = { D(XEN_NETTXF_csum_blank, 0, 60) },
	  .v = OK, .nr_slots = 1, .nr_data = 1, .len = 60, .flags = PVNET_PKT_CSUM_BLANK },
	{ "data_validated", .nr = 1, .s = { D(XEN_NETTXF_data_validated, 0, 60) },
	  .v = OK, .nr_slots = 1, .nr_data = 1, .len = 60, .flags = PVNET_PKT_DATA_VALID },
	{ "both csum flags", .nr = 1,
	  .s = { D(XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated, 0, 60) },
	  .v = OK, .nr_slots = 1, .nr_data = 1, .len = 60,
	  .flags = PVNET_PKT_CSUM_BLANK | PVNET_PKT_DATA_VALID },
	{ "csum flags of later slots ignored", .nr = 2,
	  .s = { D(MORE, 0, 100), D(XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated, 0, 50) },
	  .v = OK, .nr_slots = 2, .nr_data = 2, .len = 100 },
	{ "hash extra", .nr = 2, .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_HASH, 0) },
	  .v = OK, .nr_slots = 2, .extra = BIT(1), .nr_data = 1, .len = 60 },
	{ "hash extra, then data", .nr = 3,
	  .s = { D(XTRA | MORE, 0, 100), X(XEN_NETIF_EXTRA_TYPE_HASH, 0), D(0, 0, 40) },
	  .v = OK, .nr_slots = 3, .extra = BIT(1), .nr_data = 2, .len = 100 },
	{ "gso not negotiated", .nr = 2,
	  .s = { D(XTRA, 0, 60), G(0, 1448, XEN_NETIF_GSO_TYPE_TCPV4) },
	  .v = DROP, .why = PVNET_WHY_GSO, .nr_slots = 2, .extra = BIT(1) },
	{ "gso tcpv4", .gso = true, .nr = 2,
	  .s = { D(XTRA, 0, 60), G(0, 1448, XEN_NETIF_GSO_TYPE_TCPV4) },
	  .v = OK, .nr_slots = 2, .extra = BIT(1), .nr_data = 1, .len = 60 },
	{ "gso tcpv6 and hash", .gso = true, .nr = 4,
	  .s = { D(XTRA | MORE, 0, 160), G(XMORE, 1440, XEN_NETIF_GSO_TYPE_TCPV6),
		 X(XEN_NETIF_EXTRA_TYPE_HASH, 0), D(0, 0, 60) },
	  .v = OK, .nr_slots = 4, .extra = BIT(1) | BIT(2), .nr_data = 2, .len = 160 },
	{ "gso size 0", .gso = true, .nr = 2,
	  .s = { D(XTRA, 0, 60), G(0, 0, XEN_NETIF_GSO_TYPE_TCPV4) },
	  .v = DROP, .why = PVNET_WHY_GSO, .nr_slots = 2, .extra = BIT(1) },
	{ "gso type none", .gso = true, .nr = 2,
	  .s = { D(XTRA, 0, 60), G(0, 1448, XEN_NETIF_GSO_TYPE_NONE) },
	  .v = DROP, .why = PVNET_WHY_GSO, .nr_slots = 2, .extra = BIT(1) },
	{ "gso type 3", .gso = true, .nr = 2, .s = { D(XTRA, 0, 60), G(0, 1448, 3) },
	  .v = DROP, .why = PVNET_WHY_GSO, .nr_slots = 2, .extra = BIT(1) },
	{ "extra type 0", .nr = 2, .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_NONE, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 2, .extra = BIT(1) },
	{ "extra type MAX", .nr = 2, .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_MAX, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 2, .extra = BIT(1) },
	{ "extra type 255", .nr = 2, .s = { D(XTRA, 0, 60), X(255, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 2, .extra = BIT(1) },
	{ "mcast add", .nr = 2, .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 2, .extra = BIT(1) },
	{ "mcast del", .nr = 2, .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 2, .extra = BIT(1) },
	{ "xdp extra", .nr = 2, .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_XDP, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 2, .extra = BIT(1) },
	{ "hash twice", .nr = 3,
	  .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_HASH, XMORE),
		 X(XEN_NETIF_EXTRA_TYPE_HASH, 0) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 3, .extra = BIT(1) | BIT(2) },
	{ "gso twice", .gso = true, .nr = 3,
	  .s = { D(XTRA, 0, 60), G(XMORE, 1448, XEN_NETIF_GSO_TYPE_TCPV4),
		 G(0, 1448, XEN_NETIF_GSO_TYPE_TCPV4) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 3, .extra = BIT(1) | BIT(2) },
	{ "bad extra: the data chain is still consumed", .nr = 4,
	  .s = { D(XTRA | MORE, 0, 100), X(XEN_NETIF_EXTRA_TYPE_NONE, 0), D(MORE, 0, 20),
		 D(0, 0, 20) },
	  .v = DROP, .why = PVNET_WHY_EXTRA_TYPE, .nr_slots = 4, .extra = BIT(1) },
	{ "13 bytes", .nr = 1, .s = { D(0, 0, ETH_HLEN - 1) },
	  .v = DROP, .why = PVNET_WHY_TOO_SHORT, .nr_slots = 1 },
	{ "0 bytes", .nr = 1, .s = { D(0, 0, 0) },
	  .v = DROP, .why = PVNET_WHY_TOO_SHORT, .nr_slots = 1 },
	{ "13 bytes in two slots", .nr = 2, .s = { D(MORE, 0, 13), D(0, 0, 3) },
	  .v = DROP, .why = PVNET_WHY_TOO_SHORT, .nr_slots = 2 },
	{ "fragment larger than the packet", .nr = 2, .s = { D(MORE, 0, 100), D(0, 0, 101) },
	  .v = DROP, .why = PVNET_WHY_SIZE, .nr_slots = 2 },
	{ "fragments larger than the packet", .nr = 3,
	  .s = { D(MORE, 0, 100), D(MORE, 0, 60), D(0, 0, 41) },
	  .v = DROP, .why = PVNET_WHY_SIZE, .nr_slots = 3 },
	{ "first slot crosses the page", .nr = 1, .s = { D(0, 4050, 60) },
	  .v = DROP, .why = PVNET_WHY_PAGE_CROSS, .nr_slots = 1 },
	{ "first slot offset 65535", .nr = 1, .s = { D(0, 0xffff, 60) },
	  .v = DROP, .why = PVNET_WHY_PAGE_CROSS, .nr_slots = 1 },
	{ "first slot's share beyond its page", .nr = 2,
	  .s = { D(MORE, 0, 0xffff), D(0, 0, 4096) },
	  .v = DROP, .why = PVNET_WHY_PAGE_CROSS, .nr_slots = 2 },
	{ "first slot's share crosses the page", .nr = 2, .s = { D(MORE, 4000, 200), D(0, 0, 100) },
	  .v = DROP, .why = PVNET_WHY_PAGE_CROSS, .nr_slots = 2 },
	{ "later slot crosses the page", .nr = 3,
	  .s = { D(MORE, 0, 300), D(MORE, 4000, 100), D(0, 0, 100) },
	  .v = DROP, .why = PVNET_WHY_PAGE_CROSS, .nr_slots = 3 },
	{ "empty later slot beyond the page", .nr = 2, .s = { D(MORE, 0, 60), D(0, 4097, 0) },
	  .v = DROP, .why = PVNET_WHY_PAGE_CROSS, .nr_slots = 2 },
	{ "chain past the producer", .nr = 3, .avail = 2,
	  .s = { D(MORE, 0, 300), D(MORE, 0, 100), D(0, 0, 100) },
	  .v = FATAL, .why = PVNET_WHY_TRUNCATED },
	{ "one slot of a chain published", .nr = 2, .avail = 1,
	  .s = { D(MORE, 0, 300), D(0, 0, 100) },
	  .v = FATAL, .why = PVNET_WHY_TRUNCATED },
	{ "extra past the producer", .nr = 2, .avail = 1,
	  .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_HASH, 0) },
	  .v = FATAL, .why = PVNET_WHY_TRUNCATED },
	{ "more extras past the producer", .nr = 3, .avail = 2,
	  .s = { D(XTRA, 0, 60), X(XEN_NETIF_EXTRA_TYPE_HASH, XMORE), X(1, 0) },
	  .v = FATAL, .why = PVNET_WHY_TRUNCATED },
	{ "dropped chain past the producer", .nr = 3, .avail = 2,
	  .s = { D(MORE, 0, 10), D(MORE, 0, 100), D(0, 0, 1) },
	  .v = FATAL, .why = PVNET_WHY_TRUNCATED },
};

static void tx_case_desc(const struct tx_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tx_case, tx_cases, tx_case_desc);

static void tx_case_write(struct kunit *test, struct tx_ring *t, const struct tx_case *c)
{
	unsigned int i;

	KUNIT_ASSERT_GT(test, c->nr, 0U);
	KUNIT_ASSERT_LE(test, c->nr, (unsigned int)TX_CASE_SLOTS);
	for (i = 0; i < c->nr; i++) {
		const struct tx_slot *s = &c->s[i];
		struct xen_netif_extra_info x = {};

		if (!s->x) {
			fe_tx_req(&t->fr, TX_GREF(i), s->offset, s->flags, TX_ID(i), s->size);
			continue;
		}
		x.type = s->type;
		x.flags = s->xflags;
		x.u.gso.size = s->gso_size;
		x.u.gso.type = s->gso_type;
		fe_tx_extra(&t->fr, &x);
	}
	/* A typo in the table: slots beyond nr must be empty. */
	for (; i < TX_CASE_SLOTS; i++)
		KUNIT_ASSERT_FALSE(test, c->s[i].x || c->s[i].size || c->s[i].flags);
	if (c->avail)
		t->fr.req_prod_pvt = t->ring.req_cons + c->avail;
}

/* The data slots an OK packet must hold, in order: non-empty, and slot 0. */
static void tx_case_check_data(struct kunit *test, const struct tx_case *c,
			       const struct pvnet_tx_pkt *pkt)
{
	unsigned int i, d = 1, rest = 0;

	for (i = 1; i < c->nr; i++) {
		const struct tx_slot *s = &c->s[i];

		if (s->x || !s->size)
			continue;
		KUNIT_ASSERT_LT(test, d, pkt->nr_data);
		KUNIT_EXPECT_EQ(test, pkt->slot[d].gref, (u32)TX_GREF(i));
		KUNIT_EXPECT_EQ(test, pkt->slot[d].offset, s->offset);
		KUNIT_EXPECT_EQ(test, pkt->slot[d].size, s->size);
		KUNIT_EXPECT_EQ(test, pkt->slot[d].id, TX_ID(i));
		rest += s->size;
		d++;
	}
	KUNIT_EXPECT_EQ(test, d, pkt->nr_data);
	KUNIT_EXPECT_EQ(test, pkt->slot[0].gref, (u32)TX_GREF(0));
	KUNIT_EXPECT_EQ(test, pkt->slot[0].offset, c->s[0].offset);
	KUNIT_EXPECT_EQ(test, pkt->slot[0].id, TX_ID(0));
	/* Slot 0 carries the total; the packet keeps its own share. */
	KUNIT_EXPECT_EQ(test, pkt->slot[0].size, c->s[0].size - rest);
}

static void tx_parse_table(struct kunit *test)
{
	const struct tx_case *c = test->param_value;
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;
	enum pvnet_tx_verdict v;
	unsigned int i;

	tx_case_write(test, t, c);
	v = tx_parse(test, t, c->gso, &pkt);
	KUNIT_EXPECT_EQ(test, v, c->v);
	KUNIT_EXPECT_EQ(test, pkt.why, c->v == OK ? PVNET_WHY_NONE : c->why);
	KUNIT_EXPECT_STRNEQ(test, pvnet_tx_why_str(pkt.why), "?");
	/* Parsing consumes nothing. */
	KUNIT_EXPECT_EQ(test, t->ring.req_cons, 0U);
	if (v == FATAL || c->v == FATAL)
		return;
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, c->nr_slots);
	KUNIT_EXPECT_EQ(test, pkt.extra, c->extra);
	for (i = 0; i < pkt.nr_slots && i < c->nr; i++)
		if (!c->s[i].x)
			KUNIT_EXPECT_EQ(test, pkt.ids[i], TX_ID(i));
	if (v != OK)
		return;
	KUNIT_EXPECT_EQ(test, pkt.len, c->len);
	KUNIT_EXPECT_EQ(test, pkt.flags, c->flags);
	KUNIT_EXPECT_EQ(test, pkt.nr_data, c->nr_data);
	tx_case_check_data(test, c, &pkt);
}

static void tx_avail_zero(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_caps caps = {};
	struct pvnet_tx_pkt pkt;

	/* A slot is there, but not published. */
	fe_tx_req(&t->fr, 1, 0, 0, 1, 60);
	memset(&pkt, 0xa5, sizeof(pkt));
	KUNIT_EXPECT_EQ(test, pvnet_tx_parse(&t->ring, 0, &caps, &pkt), FATAL);
	KUNIT_EXPECT_EQ(test, pkt.why, PVNET_WHY_TRUNCATED);
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, 0U);
}

/* A chain of @n data slots of @each bytes; the first carries the total. */
static void tx_put_chain(struct tx_ring *t, unsigned int n, unsigned int each, u16 id0)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fe_tx_req(&t->fr, i, 10, i + 1 < n ? MORE : 0, id0 + i, i ? each : n * each);
}

static void tx_max_data_slots(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;
	unsigned int i;

	tx_put_chain(t, PVNET_MAX_DATA_SLOTS, 100, 0);
	KUNIT_ASSERT_EQ(test, tx_parse(test, t, false, &pkt), OK);
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, (unsigned int)PVNET_MAX_DATA_SLOTS);
	KUNIT_EXPECT_EQ(test, pkt.nr_data, (unsigned int)PVNET_MAX_DATA_SLOTS);
	KUNIT_EXPECT_EQ(test, pkt.len, 100U * PVNET_MAX_DATA_SLOTS);
	for (i = 0; i < PVNET_MAX_DATA_SLOTS; i++) {
		KUNIT_EXPECT_EQ(test, pkt.slot[i].size, 100);
		KUNIT_EXPECT_EQ(test, pkt.slot[i].gref, i);
		KUNIT_EXPECT_EQ(test, pkt.ids[i], i);
	}
}

static void tx_max_data_slots_and_extra(struct kunit *test)
{
	struct xen_netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_HASH };
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;
	unsigned int i;

	/* Extras do not count against the data slots. */
	fe_tx_req(&t->fr, 0, 0, MORE | XTRA, 0, 18 * 100);
	fe_tx_extra(&t->fr, &x);
	for (i = 1; i < PVNET_MAX_DATA_SLOTS; i++)
		fe_tx_req(&t->fr, i, 0, i + 1 < PVNET_MAX_DATA_SLOTS ? MORE : 0, i, 100);
	KUNIT_ASSERT_EQ(test, tx_parse(test, t, false, &pkt), OK);
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, PVNET_MAX_DATA_SLOTS + 1U);
	KUNIT_EXPECT_EQ(test, pkt.nr_data, (unsigned int)PVNET_MAX_DATA_SLOTS);
	KUNIT_EXPECT_EQ(test, pkt.extra, BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, pkt.ids[PVNET_MAX_DATA_SLOTS], PVNET_MAX_DATA_SLOTS - 1);
}

static void tx_too_many_slots(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0);
	unsigned int n = PVNET_MAX_DATA_SLOTS + 1, i;
	struct pvnet_tx_pkt pkt;

	tx_put_chain(t, n, 100, 0);
	/* The next packet, right behind the chain. */
	fe_tx_req(&t->fr, 77, 0, 0, 500, 60);
	KUNIT_ASSERT_EQ(test, tx_parse(test, t, false, &pkt), DROP);
	KUNIT_EXPECT_EQ(test, pkt.why, PVNET_WHY_TOO_MANY);
	/* The whole chain belongs to the dropped packet, ids and all. */
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, n);
	KUNIT_EXPECT_LE(test, pkt.nr_data, (unsigned int)PVNET_MAX_DATA_SLOTS);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, pkt.ids[i], i);

	t->ring.req_cons += pkt.nr_slots;
	KUNIT_ASSERT_EQ(test, tx_parse(test, t, false, &pkt), OK);
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, 1U);
	KUNIT_EXPECT_EQ(test, pkt.ids[0], 500);
	KUNIT_EXPECT_EQ(test, pkt.slot[0].gref, 77U);
}

static void tx_longest_chain(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;

	/* PVNET_FATAL_SLOTS slots still end a (dropped) packet ... */
	tx_put_chain(t, PVNET_FATAL_SLOTS, 10, 0);
	KUNIT_EXPECT_EQ(test, tx_parse(test, t, false, &pkt), DROP);
	KUNIT_EXPECT_EQ(test, pkt.why, PVNET_WHY_TOO_MANY);
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, (unsigned int)PVNET_FATAL_SLOTS);
	KUNIT_EXPECT_EQ(test, pkt.ids[PVNET_FATAL_SLOTS - 1], PVNET_FATAL_SLOTS - 1);
}

static void tx_chain_too_long(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;

	/* ... one more is a broken ring, even with every slot published. */
	tx_put_chain(t, PVNET_FATAL_SLOTS + 1, 10, 0);
	KUNIT_EXPECT_EQ(test, tx_parse(test, t, false, &pkt), FATAL);
	KUNIT_EXPECT_EQ(test, pkt.why, PVNET_WHY_CHAIN);

	/* A ring full of "more_data" slots. */
	t = tx_ring_new(test, 0);
	tx_put_chain(t, FE_RING_SLOTS, 1, 0);
	RING_GET_REQUEST(&t->fr, FE_RING_SLOTS - 1)->flags = MORE;
	KUNIT_EXPECT_EQ(test, tx_parse(test, t, false, &pkt), FATAL);
	KUNIT_EXPECT_EQ(test, pkt.why, PVNET_WHY_CHAIN);
}

static void tx_extra_chain_too_long(struct kunit *test)
{
	struct xen_netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_HASH,
					  .flags = XMORE };
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;
	unsigned int i;

	/* Endless extras: every one "more", a chain past PVNET_FATAL_SLOTS. */
	fe_tx_req(&t->fr, 0, 0, XTRA, 0, 60);
	for (i = 0; i < 100; i++)
		fe_tx_extra(&t->fr, &x);
	KUNIT_EXPECT_EQ(test, tx_parse(test, t, false, &pkt), FATAL);
	KUNIT_EXPECT_EQ(test, pkt.why, PVNET_WHY_CHAIN);
}

/* The chain wraps around the ring's end and the 32-bit indexes. */
static void tx_chain_wraps(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0xfffffffc);
	struct pvnet_tx_pkt pkt;
	unsigned int i;

	tx_put_chain(t, 10, 200, 40);
	KUNIT_ASSERT_EQ(test, tx_parse(test, t, false, &pkt), OK);
	KUNIT_EXPECT_EQ(test, pkt.nr_slots, 10U);
	KUNIT_EXPECT_EQ(test, pkt.nr_data, 10U);
	KUNIT_EXPECT_EQ(test, pkt.len, 2000U);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ(test, pkt.ids[i], 40 + i);
		KUNIT_EXPECT_EQ(test, pkt.slot[i].gref, i);
		KUNIT_EXPECT_EQ(test, pkt.slot[i].size, 200);
	}
}

/* Slots are copied once: later writes by the frontend change nothing. */
static void tx_copy_once(struct kunit *test)
{
	struct tx_ring *t = tx_ring_new(test, 0);
	struct pvnet_tx_pkt pkt;

	tx_put_chain(t, 2, 100, 7);
	KUNIT_ASSERT_EQ(test, tx_parse(test, t, false, &pkt), OK);
	memset(t->sring->ring, 0xff, 2 * sizeof(t->sring->ring[0]));
	KUNIT_EXPECT_EQ(test, pkt.slot[0].size, 100);
	KUNIT_EXPECT_EQ(test, pkt.slot[1].size, 100);
	KUNIT_EXPECT_EQ(test, pkt.slot[1].gref, 1U);
	KUNIT_EXPECT_EQ(test, pkt.len, 200U);
	KUNIT_EXPECT_EQ(test, pkt.ids[1], 8);
}

static struct kunit_case pvnet_tx_parse_cases[] = {
	KUNIT_CASE_PARAM(tx_parse_table, tx_case_gen_params),
	KUNIT_CASE(tx_avail_zero),
	KUNIT_CASE(tx_max_data_slots),
	KUNIT_CASE(tx_max_data_slots_and_extra),
	KUNIT_CASE(tx_too_many_slots),
	KUNIT_CASE(tx_longest_chain),
	KUNIT_CASE(tx_chain_too_long),
	KUNIT_CASE(tx_extra_chain_too_long),
	KUNIT_CASE(tx_chain_wraps),
	KUNIT_CASE(tx_copy_once),
	{}
};

static struct kunit_suite pvnet_tx_parse_suite = {
	.name = "pvnetback-tx-parse",
	.test_cases = pvnet_tx_parse_cases,
};

/* ---- RX slot planning ---- */

static void rx_slots(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(0), 1U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(1), 1U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(4095), 1U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(4096), 1U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(4097), 2U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(65536), 16U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(65536 + ETH_HLEN), 17U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_slots(XEN_NETIF_MAX_TX_SIZE + ETH_HLEN), 17U);
}

static void rx_piece_examples(struct kunit *test)
{
	struct pvnet_rx_cursor c = {};

	KUNIT_EXPECT_EQ(test, pvnet_rx_piece(&c, 0x10000, 100), 100U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_piece(&c, 0x10000, 5000), 4096U);
	/* Stops at the local page's end ... */
	KUNIT_EXPECT_EQ(test, pvnet_rx_piece(&c, 0x10000 + 4000, 200), 96U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_piece(&c, 0x10fff, 2), 1U);
	/* ... and at the guest slot's end. */
	c.slot_off = 4000;
	KUNIT_EXPECT_EQ(test, pvnet_rx_piece(&c, 0x20000, 500), 96U);
	KUNIT_EXPECT_EQ(test, pvnet_rx_piece(&c, 0x20000 + 4090, 500), 6U);

	pvnet_rx_advance(&c, 95);
	KUNIT_EXPECT_EQ(test, c.slot, 0U);
	KUNIT_EXPECT_EQ(test, c.slot_off, 4095U);
	pvnet_rx_advance(&c, 1);
	KUNIT_EXPECT_EQ(test, c.slot, 1U);
	KUNIT_EXPECT_EQ(test, c.slot_off, 0U);
}

/* Walk @len bytes at local address @local; count the pieces. */
static unsigned int rx_walk(struct kunit *test, struct pvnet_rx_cursor *c,
			    unsigned long local, unsigned int len)
{
	unsigned int pieces = 0;

	while (len) {
		unsigned int n = pvnet_rx_piece(c, local, len);
		unsigned int in_page = local & (PVNET_GPAGE_SIZE - 1);

		KUNIT_ASSERT_GT(test, n, 0U);
		KUNIT_ASSERT_LE(test, n, len);
		KUNIT_EXPECT_LE(test, in_page + n, PVNET_GPAGE_SIZE);
		KUNIT_EXPECT_LE(test, c->slot_off + n, PVNET_GPAGE_SIZE);
		/* As large as it can be: it ends at a boundary or the chunk. */
		KUNIT_EXPECT_TRUE(test, n == len || in_page + n == PVNET_GPAGE_SIZE ||
				  c->slot_off + n == PVNET_GPAGE_SIZE);
		pvnet_rx_advance(c, n);
		KUNIT_EXPECT_LT(test, c->slot_off, PVNET_GPAGE_SIZE);
		local += n;
		len -= n;
		pieces++;
	}
	return pieces;
}

struct rx_chunk {
	unsigned long local;
	unsigned int len;
};

static void rx_walk_packets(struct kunit *test)
{
	/* A header at odd offsets, then fragments crossing pages. */
	static const struct rx_chunk pkts[][4] = {
		{ { 0x10000 + 3000, 1500 }, { 0x20000 + 100, 4000 }, { 0x30000 + 4000, 6000 },
		  { 0x40000 + 1, 4095 } },
		{ { 0x10000, 4096 }, { 0x20000, 4096 }, { 0x30000 + 4095, 1 }, { 0x40000, 1 } },
		{ { 0x10000 + 4095, 4097 }, { 0x20000 + 2048, 2048 }, { 0x30000 + 17, 12000 },
		  { 0x50000 + 1234, 5 } },
		{ { 0x10000 + 14, 54 }, { 0x20000 + 4094, 65536 - 54 }, {}, {} },
	};
	unsigned int p, i;

	for (p = 0; p < ARRAY_SIZE(pkts); p++) {
		struct pvnet_rx_cursor c = {};
		unsigned int total = 0, pieces = 0, bound = 0;

		for (i = 0; i < ARRAY_SIZE(pkts[p]); i++) {
			const struct rx_chunk *ch = &pkts[p][i];

			if (!ch->len)
				continue;
			pieces += rx_walk(test, &c, ch->local, ch->len);
			total += ch->len;
			/* Pieces of a chunk: its local pages, plus the slot ends met. */
			bound += DIV_ROUND_UP((ch->local & 4095) + ch->len, 4096);
		}
		bound += total / 4096;
		/* The cursor ends where the bytes end. */
		KUNIT_EXPECT_EQ(test, c.slot, total / PVNET_GPAGE_SIZE);
		KUNIT_EXPECT_EQ(test, c.slot_off, total % PVNET_GPAGE_SIZE);
		KUNIT_EXPECT_LE(test, c.slot + (c.slot_off ? 1 : 0), pvnet_rx_slots(total));
		KUNIT_EXPECT_LE(test, pieces, bound);
	}
}

/* Every start offset and length class, in both boundaries. */
static void rx_walk_sweep(struct kunit *test)
{
	static const unsigned int lens[] = { 1, 2, 4095, 4096, 4097, 8191, 10000 };
	static const unsigned int offs[] = { 0, 1, 2047, 4094, 4095 };
	unsigned int a, b, l;

	for (a = 0; a < ARRAY_SIZE(offs); a++)
		for (b = 0; b < ARRAY_SIZE(offs); b++)
			for (l = 0; l < ARRAY_SIZE(lens); l++) {
				struct pvnet_rx_cursor c = { .slot_off = offs[b] };
				unsigned int end = offs[b] + lens[l];

				rx_walk(test, &c, 0x100000 + offs[a], lens[l]);
				KUNIT_EXPECT_EQ(test, c.slot, end / PVNET_GPAGE_SIZE);
				KUNIT_EXPECT_EQ(test, c.slot_off, end % PVNET_GPAGE_SIZE);
			}
}

static struct kunit_case pvnet_rx_plan_cases[] = {
	KUNIT_CASE(rx_slots),
	KUNIT_CASE(rx_piece_examples),
	KUNIT_CASE(rx_walk_packets),
	KUNIT_CASE(rx_walk_sweep),
	{}
};

static struct kunit_suite pvnet_rx_plan_suite = {
	.name = "pvnetback-rx-plan",
	.test_cases = pvnet_rx_plan_cases,
};

/* ---- the credit scheduler ---- */

struct credit_parse_case {
	const char *s;
	int ret;
	u64 bytes;
	u32 usec;
};

static const struct credit_parse_case credit_parse_cases[] = {
	{ "1000,20000", 0, 1000, 20000 },
	{ "1,1", 0, 1, 1 },
	{ "18446744073709551615,4294967295", 0, U64_MAX, U32_MAX },
	{ "", -EINVAL },
	{ ",", -EINVAL },
	{ "1000", -EINVAL },
	{ "1000,", -EINVAL },
	{ ",20000", -EINVAL },
	{ "0,5", -EINVAL },
	{ "5,0", -EINVAL },
	{ "1,2,3", -EINVAL },
	{ "abc", -EINVAL },
	{ "12,34x", -EINVAL },
	{ "12,34 ", -EINVAL },
	{ "-5,3", -EINVAL },
	{ "5,-3", -EINVAL },
	/* Too large: found by fuzz_netif_misc (sscanf wrapped them). */
	{ "1000,4294967296", -EINVAL },
	{ "1000,4294967297", -EINVAL },
	{ "18446744073709551616,20000", -EINVAL },
	{ "18446744073709551617,20000", -EINVAL },
	{ "99999999999999999999999,1", -EINVAL },
	{ " 7,8", -EINVAL },
};

static void credit_parse(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(credit_parse_cases); i++) {
		const struct credit_parse_case *c = &credit_parse_cases[i];
		u64 bytes = 42;
		u32 usec = 43;

		KUNIT_EXPECT_EQ_MSG(test, pvnet_credit_parse(c->s, &bytes, &usec), c->ret,
				    "\"%s\"", c->s);
		if (c->ret) {
			/* Nothing is written on an error. */
			KUNIT_EXPECT_EQ_MSG(test, bytes, 42ULL, "\"%s\"", c->s);
			KUNIT_EXPECT_EQ_MSG(test, usec, 43U, "\"%s\"", c->s);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, bytes, c->bytes, "\"%s\"", c->s);
		KUNIT_EXPECT_EQ_MSG(test, usec, c->usec, "\"%s\"", c->s);
	}
}

#define T0		(5 * NSEC_PER_SEC)
#define PERIOD_US	20000U
#define PERIOD_NS	((u64)PERIOD_US * NSEC_PER_USEC)

static void credit_exhaust_and_refill(struct kunit *test)
{
	struct pvnet_credit c = {};
	unsigned int taken = 0;
	u64 w;

	pvnet_credit_set(&c, 10000, PERIOD_US, T0);
	/* 6 x 1500 bytes fit in 10000, the 7th does not. */
	while (!pvnet_credit_take(&c, 1500, T0))
		taken++;
	KUNIT_EXPECT_EQ(test, taken, 6U);
	w = pvnet_credit_take(&c, 1500, T0 + 1000);
	KUNIT_EXPECT_GT(test, w, 0ULL);
	KUNIT_EXPECT_LE(test, w, PERIOD_NS);
	/* What is left still goes: 1000 bytes. */
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 1000, T0 + 1000), 0ULL);
	KUNIT_EXPECT_GT(test, pvnet_credit_take(&c, 1, T0 + 1000), 0ULL);
	/* Just before the period ends: still nothing. */
	w = pvnet_credit_take(&c, 1, T0 + PERIOD_NS - 1);
	KUNIT_EXPECT_EQ(test, w, 1ULL);

	/* One period later the credit is back, once. */
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 10000, T0 + PERIOD_NS), 0ULL);
	w = pvnet_credit_take(&c, 1, T0 + PERIOD_NS);
	KUNIT_EXPECT_GT(test, w, 0ULL);
	KUNIT_EXPECT_LE(test, w, PERIOD_NS);
	/* Waiting as told is enough. */
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 1500, T0 + PERIOD_NS + w), 0ULL);
}

static void credit_capped_after_idle(struct kunit *test)
{
	struct pvnet_credit c = {};
	u64 now = T0 + 3600 * NSEC_PER_SEC;
	u64 w;

	pvnet_credit_set(&c, 10000, PERIOD_US, T0);
	KUNIT_EXPECT_GE(test, c.max_burst, (u64)XEN_NETIF_MAX_TX_SIZE);
	/* An hour idle gives one burst, not 180000 periods' worth. */
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 1, now), 0ULL);
	KUNIT_EXPECT_LE(test, c.remaining, c.max_burst);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, c.max_burst - 1, now), 0ULL);
	w = pvnet_credit_take(&c, 1, now);
	KUNIT_EXPECT_GT(test, w, 0ULL);
	KUNIT_EXPECT_LE(test, w, PERIOD_NS);
	/* The period grid survived the jump. */
	KUNIT_EXPECT_GT(test, c.next_ns, now);
	KUNIT_EXPECT_LE(test, c.next_ns, now + PERIOD_NS);
	KUNIT_EXPECT_EQ(test, (c.next_ns - T0) % PERIOD_NS, 0ULL);
}

static void credit_largest_packet_passes(struct kunit *test)
{
	struct pvnet_credit c = {};
	unsigned int tries = 0;
	u64 now = T0, w;

	/* 100 bytes per period: a 64 KiB packet needs 655 periods. */
	pvnet_credit_set(&c, 100, PERIOD_US, T0);
	while ((w = pvnet_credit_take(&c, XEN_NETIF_MAX_TX_SIZE, now)) && tries < 2000) {
		KUNIT_EXPECT_LE(test, w, PERIOD_NS);
		now += w;
		tries++;
	}
	KUNIT_EXPECT_EQ(test, w, 0ULL);
	KUNIT_EXPECT_LT(test, tries, 2000U);
	KUNIT_EXPECT_GE(test, now - T0, 654 * PERIOD_NS);
	KUNIT_EXPECT_LE(test, now - T0, 656 * PERIOD_NS);
	/* And it spent the credit. */
	KUNIT_EXPECT_GT(test, pvnet_credit_take(&c, 100, now), 0ULL);
}

/* The rate holds however often it is asked: periods stay on their grid. */
static void credit_rate_exact(struct kunit *test)
{
	struct pvnet_credit c = {};
	u64 now, sent = 0;

	pvnet_credit_set(&c, 1000, PERIOD_US, T0);
	/* Every 15 ms for 3 s, 100-byte packets while they pass. */
	for (now = T0; now < T0 + 3 * NSEC_PER_SEC; now += 15 * NSEC_PER_MSEC)
		while (!pvnet_credit_take(&c, 100, now))
			sent += 100;
	/* The first 1000 bytes, then 1000 per period begun: 149 of them. */
	KUNIT_EXPECT_EQ(test, sent, 150 * 1000ULL);
}

static void credit_unlimited(struct kunit *test)
{
	struct pvnet_credit c = {};
	unsigned int i;

	pvnet_credit_set(&c, 0, 0, T0);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 65535, T0), 0ULL);
	/* A zeroed credit (never set) is no limit either. */
	memset(&c, 0, sizeof(c));
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 65535, 0), 0ULL);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 65535, U64_MAX), 0ULL);
}

static void credit_huge_times(struct kunit *test)
{
	u64 base = 1ULL << 62, w;
	struct pvnet_credit c = {};

	/* Set late in a long uptime, then used much later still. */
	pvnet_credit_set(&c, 10000, PERIOD_US, base);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 10000, base), 0ULL);
	w = pvnet_credit_take(&c, 1, base);
	KUNIT_EXPECT_GT(test, w, 0ULL);
	KUNIT_EXPECT_LE(test, w, PERIOD_NS);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 1, base * 2 - 1), 0ULL);
	KUNIT_EXPECT_GT(test, c.next_ns, base * 2 - 1);
	KUNIT_EXPECT_LE(test, c.remaining, c.max_burst);
	KUNIT_EXPECT_EQ(test, c.remaining, c.max_burst - 1);

	/* The longest period (4295 s), over again. */
	pvnet_credit_set(&c, 10000, U32_MAX, base);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 10000, base), 0ULL);
	w = pvnet_credit_take(&c, 1, base + 1);
	KUNIT_EXPECT_EQ(test, w, (u64)U32_MAX * NSEC_PER_USEC - 1);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 10000, base + 1 + w), 0ULL);
}

/* Rates above 2^63 bytes per period: the refill must not wrap around. */
static void credit_huge_rate(struct kunit *test)
{
	const u64 big = (U64_MAX / 3) * 2;
	struct pvnet_credit c = {};

	pvnet_credit_set(&c, U64_MAX, 1, T0);
	KUNIT_EXPECT_EQ(test, c.remaining, U64_MAX);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 65535, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, c.remaining, U64_MAX - 65535);
	/* A take of 0 bytes only refills: one period ... */
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 0, T0 + 1000), 0ULL);
	KUNIT_EXPECT_EQ(test, c.remaining, U64_MAX);
	/* ... then two at once. */
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 65535, T0 + 1000), 0ULL);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 0, T0 + 3500), 0ULL);
	KUNIT_EXPECT_EQ(test, c.remaining, U64_MAX);

	pvnet_credit_set(&c, big, 1, T0);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 65535, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, pvnet_credit_take(&c, 0, T0 + 1999), 0ULL);
	KUNIT_EXPECT_EQ(test, c.remaining, big);
}

static struct kunit_case pvnet_credit_cases[] = {
	KUNIT_CASE(credit_parse),
	KUNIT_CASE(credit_exhaust_and_refill),
	KUNIT_CASE(credit_capped_after_idle),
	KUNIT_CASE(credit_largest_packet_passes),
	KUNIT_CASE(credit_rate_exact),
	KUNIT_CASE(credit_unlimited),
	KUNIT_CASE(credit_huge_times),
	KUNIT_CASE(credit_huge_rate),
	{}
};

static struct kunit_suite pvnet_credit_suite = {
	.name = "pvnetback-credit",
	.test_cases = pvnet_credit_cases,
};

kunit_test_suites(&pvnet_tx_parse_suite, &pvnet_rx_plan_suite, &pvnet_credit_suite);
