// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the ring engine (queue.c) against fake grants.  The test plays the
 * frontend on two rings in ordinary memory; grant references index an
 * array of 4 KiB pages, and the fake grant copy checks what Xen would.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/ip.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <xen/interface/grant_table.h>

#include "../pvnetback.h"
#include "fe.h"

#define NR_GRANTS	48		/* grefs 0..47 are valid */
#define BAD_GREF	0xdead
#define GPAGE		PVNET_GPAGE_SIZE

struct nfake {
	struct kunit *test;
	struct pvnet_queue q;
	struct pvnet_stats st;
	bool inited;

	struct xen_netif_tx_sring *txs;
	struct xen_netif_rx_sring *rxs;
	struct xen_netif_tx_front_ring txf;
	struct xen_netif_rx_front_ring rxf;
	u8 *grant[NR_GRANTS];

	unsigned int copy_calls[2];	/* [to_guest] */
	unsigned int copies;
	unsigned int notifies[2];	/* [enum pvnet_ring_id] */
	struct sk_buff_head delivered;	/* by the engine, not yet checked */
	struct sk_buff_head done;	/* checked; freed at exit */
	unsigned int fatals;
	const char *fatal_why;
};

/* Packets to the guest freed so far: the engine must free each one. */
static atomic_t rx_freed;

static struct nfake *q_fake(struct pvnet_queue *q)
{
	return container_of(q, struct nfake, q);
}

static unsigned int in_gpage(const void *p)
{
	return (unsigned long)p & (GPAGE - 1);
}

/* GNTTABOP_copy, one op at a time: neither side may cross a 4 KiB page. */
static void fake_copy(struct pvnet_queue *q, struct pvnet_copy *ops,
		      unsigned int n, bool to_guest)
{
	struct nfake *f = q_fake(q);
	struct kunit *test = f->test;
	unsigned int i;

	f->copy_calls[to_guest]++;
	KUNIT_EXPECT_GT(test, n, 0U);
	KUNIT_EXPECT_LE(test, n, (unsigned int)PVNET_COPY_OPS);
	for (i = 0; i < n; i++) {
		struct pvnet_copy *c = &ops[i];
		u8 *g;

		KUNIT_EXPECT_GT(test, c->len, 0);
		KUNIT_EXPECT_LE(test, c->goff + c->len, GPAGE);
		KUNIT_EXPECT_LE(test, in_gpage(c->local) + c->len, GPAGE);
		if (c->gref >= NR_GRANTS) {
			c->status = GNTST_bad_gntref;
			continue;
		}
		if (c->goff + c->len > GPAGE || in_gpage(c->local) + c->len > GPAGE) {
			c->status = GNTST_bad_copy_arg;
			continue;
		}
		g = f->grant[c->gref] + c->goff;
		if (to_guest)
			memcpy(g, c->local, c->len);
		else
			memcpy(c->local, g, c->len);
		c->status = GNTST_okay;
		f->copies++;
	}
}

static void fake_notify(struct pvnet_queue *q, enum pvnet_ring_id ring)
{
	q_fake(q)->notifies[ring]++;
}

static void fake_deliver(struct pvnet_queue *q, struct sk_buff *skb)
{
	__skb_queue_tail(&q_fake(q)->delivered, skb);
}

static void fake_fatal(struct pvnet_queue *q, const char *why)
{
	struct nfake *f = q_fake(q);

	f->fatals++;
	f->fatal_why = why;
}

static const struct pvnet_queue_ops fake_ops = {
	.copy = fake_copy,
	.notify = fake_notify,
	.deliver = fake_deliver,
	.fatal = fake_fatal,
};

static int nf_init(struct kunit *test)
{
	struct nfake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct pvnet_queue *q;
	unsigned int i;

	if (!f)
		return -ENOMEM;
	atomic_set(&rx_freed, 0);
	f->test = test;
	skb_queue_head_init(&f->delivered);
	skb_queue_head_init(&f->done);
	test->priv = f;
	for (i = 0; i < NR_GRANTS; i++) {
		f->grant[i] = kunit_kzalloc(test, GPAGE, GFP_KERNEL);
		if (!f->grant[i])
			return -ENOMEM;
	}
	f->txs = kunit_kzalloc(test, FE_RING_BYTES, GFP_KERNEL);
	f->rxs = kunit_kzalloc(test, FE_RING_BYTES, GFP_KERNEL);
	if (!f->txs || !f->rxs)
		return -ENOMEM;
	fe_tx_init(&f->txf, f->txs, 0);
	fe_rx_init(&f->rxf, f->rxs, 0);

	q = &f->q;
	q->dev = alloc_etherdev(0);
	if (!q->dev)
		return -ENOMEM;
	u64_stats_init(&f->st.rx_syncp);
	u64_stats_init(&f->st.tx_syncp);
	q->stats = &f->st;
	q->ops = &fake_ops;
	strscpy(q->name, "vif-kunit", sizeof(q->name));
	q->rx_max_slots = PVNET_MAX_RX_SLOTS;
	q->rx_queue_max = SZ_1M;
	if (pvnet_queue_init(q))
		return -ENOMEM;
	f->inited = true;
	if (pvback_ring_attach(&q->tx, f->txs, FE_RING_BYTES,
			       sizeof(union xen_netif_tx_sring_entry)) ||
	    pvback_ring_attach(&q->rx, f->rxs, FE_RING_BYTES,
			       sizeof(union xen_netif_rx_sring_entry)))
		return -EIO;
	return 0;
}

static void nf_exit(struct kunit *test)
{
	struct nfake *f = test->priv;

	if (!f)
		return;
	skb_queue_purge(&f->delivered);
	skb_queue_purge(&f->done);
	if (f->inited)
		pvnet_queue_free(&f->q);
	if (f->q.dev)
		free_netdev(f->q.dev);
}

static u64 stat_read(u64_stats_t *v)
{
	return u64_stats_read(v);
}

static s64 ctr(atomic64_t *v)
{
	return atomic64_read(v);
}

/* ---- guest TX: the test is the guest sending ---- */

struct seg {
	u32 gref;
	u16 off;
	u16 len;
};

/* Guest: send @data over @segs (each slot's own bytes), ids from @id.
 * Slot 0's size says the whole length, as netfront does.  With
 * XEN_NETTXF_extra_info in @flags, a hash extra follows slot 0.
 */
static void fe_send(struct nfake *f, const u8 *data, const struct seg *segs,
		    unsigned int n, u16 flags, u16 id)
{
	unsigned int i, total = 0, pos = 0;

	for (i = 0; i < n; i++)
		total += segs[i].len;
	for (i = 0; i < n; i++) {
		u16 fl = i + 1 < n ? XEN_NETTXF_more_data : 0;

		if (segs[i].gref < NR_GRANTS)
			memcpy(f->grant[segs[i].gref] + segs[i].off, data + pos, segs[i].len);
		pos += segs[i].len;
		fe_tx_req(&f->txf, segs[i].gref, segs[i].off, i ? fl : fl | flags,
			  id + i, i ? segs[i].len : total);
		if (!i && (flags & XEN_NETTXF_extra_info)) {
			struct xen_netif_extra_info x = {
				.type = XEN_NETIF_EXTRA_TYPE_HASH,
			};

			fe_tx_extra(&f->txf, &x);
		}
	}
	RING_PUSH_REQUESTS(&f->txf);
}

/* Guest: send @len bytes in one slot at grant @gref, offset @off. */
static void fe_send1(struct nfake *f, const u8 *data, unsigned int len,
		     u32 gref, u16 off, u16 flags, u16 id)
{
	struct seg s = { gref, off, len };

	fe_send(f, data, &s, 1, flags, id);
}

static void expect_tx_rsp(struct kunit *test, struct nfake *f, u16 id, s16 status)
{
	struct xen_netif_tx_response rsp;

	KUNIT_ASSERT_TRUE(test, fe_tx_rsp(&f->txf, &rsp));
	KUNIT_EXPECT_EQ(test, rsp.id, id);
	KUNIT_EXPECT_EQ(test, rsp.status, status);
}

static void expect_no_tx_rsp(struct kunit *test, struct nfake *f)
{
	struct xen_netif_tx_response rsp;

	KUNIT_EXPECT_FALSE(test, fe_tx_rsp(&f->txf, &rsp));
}

/* An Ethernet + IPv4 + UDP frame of @len bytes, random payload.  The UDP
 * checksum field holds garbage.
 */
static u8 *make_udp(struct kunit *test, unsigned int len)
{
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_GE(test, len, (unsigned int)(ETH_HLEN + sizeof(*ip) + sizeof(*udp)));
	get_random_bytes(buf, len);
	eth_random_addr(eth->h_dest);
	eth_random_addr(eth->h_source);
	eth->h_proto = htons(ETH_P_IP);
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(len - ETH_HLEN);
	ip->saddr = htonl(0x0a000001);
	ip->daddr = htonl(0x0a000002);
	ip->check = ip_fast_csum(ip, ip->ihl);
	udp->source = htons(1234);
	udp->dest = htons(5678);
	udp->len = htons(len - ETH_HLEN - sizeof(*ip));
	udp->check = (__force __sum16)0xbeef;
	return buf;
}

/* A frame of a protocol the checksum code does not know. */
static u8 *make_raw(struct kunit *test, unsigned int len, u16 proto)
{
	u8 *buf = kunit_kmalloc(test, len, GFP_KERNEL);
	struct ethhdr *eth = (struct ethhdr *)buf;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	get_random_bytes(buf, len);
	eth_random_addr(eth->h_dest);
	eth_random_addr(eth->h_source);
	eth->h_proto = htons(proto);
	return buf;
}

static int run_tx(struct nfake *f, int budget)
{
	u64 wait = 12345;
	int done;

	done = pvnet_tx_poll(&f->q, budget, 0, &wait);
	/* No rate limit set: never told to wait. */
	KUNIT_EXPECT_EQ(f->test, wait, 0ULL);
	return done;
}

/* The next delivered packet must be @want, whole.  Returns it for more
 * checks; the exit frees it.
 */
static struct sk_buff *expect_pkt(struct kunit *test, struct nfake *f,
				  const u8 *want, unsigned int len)
{
	struct sk_buff *skb = __skb_dequeue(&f->delivered);
	u8 *got;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	__skb_queue_tail(&f->done, skb);
	KUNIT_EXPECT_PTR_EQ(test, skb->dev, f->q.dev);
	KUNIT_EXPECT_EQ(test, ntohs(skb->protocol), ntohs(((struct ethhdr *)want)->h_proto));
	/* eth_type_trans() pulled the Ethernet header. */
	KUNIT_EXPECT_EQ(test, skb->len + ETH_HLEN, len);
	KUNIT_EXPECT_PTR_EQ(test, skb_mac_header(skb), skb->data - ETH_HLEN);
	KUNIT_EXPECT_PTR_EQ(test, skb_network_header(skb), skb->data);
	/* The headers are linear, however the guest split them. */
	KUNIT_EXPECT_GE(test, skb_headlen(skb) + ETH_HLEN, min_t(unsigned int, len, PVNET_TX_HDR));
	if (len <= PVNET_TX_LINEAR)
		KUNIT_EXPECT_FALSE(test, skb_is_nonlinear(skb));

	got = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	memcpy(got, skb_mac_header(skb), ETH_HLEN);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, got + ETH_HLEN, len - ETH_HLEN), 0);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, len), 0);
	kunit_kfree(test, got);
	return skb;
}

static void tx_one_slot(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *pkt = make_udp(test, 60);
	struct sk_buff *skb;

	fe_send1(f, pkt, 60, 0, 100, 0, 7);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 1);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->delivered), 1U);
	skb = expect_pkt(test, f, pkt, 60);
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_NONE);
	expect_tx_rsp(test, f, 7, XEN_NETIF_RSP_OKAY);
	expect_no_tx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->notifies[PVNET_GUEST_TX], 1U);
	KUNIT_EXPECT_EQ(test, f->notifies[PVNET_GUEST_RX], 0U);
	KUNIT_EXPECT_EQ(test, f->copy_calls[true], 0U);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_packets), 1ULL);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_bytes), 60ULL);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, 1U);
	KUNIT_EXPECT_FALSE(test, f->q.broken);
	/* Nothing more to do, nothing more to say. */
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 0);
	KUNIT_EXPECT_EQ(test, f->notifies[PVNET_GUEST_TX], 1U);
	KUNIT_EXPECT_EQ(test, f->txs->rsp_prod, 1U);
}

/* Send @n segments' worth of a UDP frame and expect it back intact. */
static struct sk_buff *tx_segs_round_trip(struct kunit *test, const struct seg *segs,
					  unsigned int n, u16 id)
{
	struct nfake *f = test->priv;
	unsigned int i, len = 0;
	u8 *pkt;

	for (i = 0; i < n; i++)
		len += segs[i].len;
	pkt = make_udp(test, len);
	fe_send(f, pkt, segs, n, 0, id);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 1);
	for (i = 0; i < n; i++)
		expect_tx_rsp(test, f, id + i, XEN_NETIF_RSP_OKAY);
	expect_no_tx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_bytes), (u64)len);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, n);
	return expect_pkt(test, f, pkt, len);
}

static void tx_multi_slot(struct kunit *test)
{
	/* 3000 bytes at odd offsets, with an empty slot in the middle. */
	static const struct seg segs[] = {
		{ 1, 1, 700 }, { 2, 0, 0 }, { 3, 2049, 1047 }, { 4, 4095, 1 }, { 5, 7, 1252 },
	};
	struct sk_buff *skb = tx_segs_round_trip(test, segs, ARRAY_SIZE(segs), 10);

	KUNIT_EXPECT_GE(test, skb_headlen(skb) + ETH_HLEN, (unsigned int)PVNET_TX_HDR);
}

static void tx_16_slots(struct kunit *test)
{
	struct seg segs[16];
	struct sk_buff *skb;
	unsigned int i;

	/* 60000 bytes: 16 x 3750 at offsets 1, 22, 43, ... */
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		segs[i] = (struct seg){ 10 + i, 1 + 21 * i, 3750 };
	skb = tx_segs_round_trip(test, segs, ARRAY_SIZE(segs), 1000);
	KUNIT_EXPECT_TRUE(test, skb_is_nonlinear(skb));
	KUNIT_EXPECT_LE(test, skb_shinfo(skb)->nr_frags, MAX_SKB_FRAGS);
}

static void tx_largest_packet(struct kunit *test)
{
	struct seg segs[16];
	struct sk_buff *skb;
	unsigned int i;

	/* 65535 bytes: 4095 at offset 1, then 15 whole pages. */
	segs[0] = (struct seg){ 0, 1, 4095 };
	for (i = 1; i < ARRAY_SIZE(segs); i++)
		segs[i] = (struct seg){ i, 0, 4096 };
	skb = tx_segs_round_trip(test, segs, ARRAY_SIZE(segs), 0xfff0);
	KUNIT_EXPECT_TRUE(test, skb_is_nonlinear(skb));
}

static void tx_header_in_1_byte_slots(struct kunit *test)
{
	struct seg segs[PVNET_MAX_DATA_SLOTS];
	struct sk_buff *skb;
	unsigned int i;

	/* 17 one-byte slots at the very end of their pages, then the rest. */
	for (i = 0; i + 1 < ARRAY_SIZE(segs); i++)
		segs[i] = (struct seg){ i, 4095, 1 };
	segs[i] = (struct seg){ i, 50, 4000 };
	skb = tx_segs_round_trip(test, segs, ARRAY_SIZE(segs), 0);
	KUNIT_EXPECT_TRUE(test, skb_is_nonlinear(skb));
	KUNIT_EXPECT_GE(test, skb_headlen(skb) + ETH_HLEN, (unsigned int)PVNET_TX_HDR);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->protocol, IPPROTO_UDP);
}

/* MTU-sized packets are all linear, their heads from the page-fragment
 * allocator: a head may cross a page, a copy never.
 */
static void tx_mtu_packets(struct kunit *test)
{
	struct nfake *f = test->priv;
	unsigned int i, n = 24, crossed = 0;
	u8 **pkt = kunit_kcalloc(test, n, sizeof(*pkt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	for (i = 0; i < n; i++) {
		pkt[i] = make_udp(test, 1514 + 22 * i);
		fe_send1(f, pkt[i], 1514 + 22 * i, i, 7 * i, 0, i);
	}
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), n);
	for (i = 0; i < n; i++) {
		struct sk_buff *skb;

		expect_tx_rsp(test, f, i, XEN_NETIF_RSP_OKAY);
		skb = expect_pkt(test, f, pkt[i], 1514 + 22 * i);
		if (in_gpage(skb_mac_header(skb)) + 1514 + 22 * i > GPAGE)
			crossed++;
	}
	/* The case this test is about happened (32 KiB fragment pages). */
	KUNIT_EXPECT_GT(test, crossed, 0U);
}

static void tx_bad_gref(struct kunit *test)
{
	static const struct seg bad[] = { { 0, 0, 100 }, { BAD_GREF, 0, 200 } };
	struct nfake *f = test->priv;
	u8 *a = make_udp(test, 300), *b = make_udp(test, 80);

	fe_send(f, a, bad, ARRAY_SIZE(bad), 0, 20);
	fe_send1(f, b, 80, 3, 0, 0, 30);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 2);
	expect_tx_rsp(test, f, 20, XEN_NETIF_RSP_ERROR);
	expect_tx_rsp(test, f, 21, XEN_NETIF_RSP_ERROR);
	expect_tx_rsp(test, f, 30, XEN_NETIF_RSP_OKAY);
	expect_pkt(test, f, b, 80);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&f->delivered));
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_errors), 1LL);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_malformed), 0LL);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_packets), 1ULL);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_bytes), 80ULL);
	KUNIT_EXPECT_FALSE(test, f->q.broken);
}

static void tx_malformed_then_good(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *good = make_udp(test, 64);

	fe_send1(f, good, ETH_HLEN - 1, 0, 0, 0, 40);
	fe_send1(f, good, 64, 1, 0, 0, 41);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 2);
	expect_tx_rsp(test, f, 40, XEN_NETIF_RSP_ERROR);
	expect_tx_rsp(test, f, 41, XEN_NETIF_RSP_OKAY);
	expect_pkt(test, f, good, 64);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&f->delivered));
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_malformed), 1LL);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_errors), 0LL);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_packets), 1ULL);
}

static void tx_extra_answered_null(struct kunit *test)
{
	static const struct seg segs[] = { { 0, 0, 80 }, { 1, 0, 40 } };
	struct nfake *f = test->priv;
	struct xen_netif_tx_response rsp;
	u8 *pkt = make_udp(test, 120);

	fe_send(f, pkt, segs, ARRAY_SIZE(segs), XEN_NETTXF_extra_info, 50);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 1);
	expect_tx_rsp(test, f, 50, XEN_NETIF_RSP_OKAY);
	KUNIT_ASSERT_TRUE(test, fe_tx_rsp(&f->txf, &rsp));
	KUNIT_EXPECT_EQ(test, rsp.status, XEN_NETIF_RSP_NULL);
	expect_tx_rsp(test, f, 51, XEN_NETIF_RSP_OKAY);
	expect_no_tx_rsp(test, f);
	expect_pkt(test, f, pkt, 120);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, 3U);
}

static void tx_producer_overflow(struct kunit *test)
{
	struct nfake *f = test->priv;

	/* Claims a ring and one more of requests. */
	f->txs->req_prod += FE_RING_SLOTS + 1;
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 0);
	KUNIT_EXPECT_EQ(test, f->fatals, 1U);
	KUNIT_EXPECT_NOT_NULL(test, f->fatal_why);
	KUNIT_EXPECT_TRUE(test, f->q.broken);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.ring_errors), 1LL);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&f->delivered));
	expect_no_tx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->copy_calls[false], 0U);
	/* Broken for good: no second report, no work. */
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 0);
	KUNIT_EXPECT_EQ(test, f->fatals, 1U);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.ring_errors), 1LL);
}

static void tx_truncated_chain_fatal(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *pkt = make_udp(test, 60);

	/* A good packet, then a chain that never ends. */
	fe_send1(f, pkt, 60, 0, 0, 0, 1);
	fe_tx_req(&f->txf, 1, 0, XEN_NETTXF_more_data, 2, 100);
	RING_PUSH_REQUESTS(&f->txf);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 1);
	expect_tx_rsp(test, f, 1, XEN_NETIF_RSP_OKAY);
	expect_no_tx_rsp(test, f);
	expect_pkt(test, f, pkt, 60);
	KUNIT_EXPECT_EQ(test, f->fatals, 1U);
	KUNIT_EXPECT_STREQ(test, f->fatal_why, pvnet_tx_why_str(PVNET_WHY_TRUNCATED));
	KUNIT_EXPECT_TRUE(test, f->q.broken);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.ring_errors), 1LL);
}

static void tx_budget(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *pkt[5];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pkt); i++) {
		pkt[i] = make_udp(test, 100 + i);
		fe_send1(f, pkt[i], 100 + i, i, 0, 0, i);
	}
	KUNIT_EXPECT_EQ(test, run_tx(f, 3), 3);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->delivered), 3U);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, 3U);
	KUNIT_EXPECT_EQ(test, f->txs->rsp_prod, 3U);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 2);
	for (i = 0; i < ARRAY_SIZE(pkt); i++) {
		expect_tx_rsp(test, f, i, XEN_NETIF_RSP_OKAY);
		expect_pkt(test, f, pkt[i], 100 + i);
	}
	expect_no_tx_rsp(test, f);
}

static void tx_many_batches(struct kunit *test)
{
	struct nfake *f = test->priv;
	unsigned int i, n = 2 * PVNET_BATCH + 6;
	u8 **pkt = kunit_kcalloc(test, n, sizeof(*pkt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pkt);
	for (i = 0; i < n; i++) {
		pkt[i] = make_udp(test, 60 + i);
		fe_send1(f, pkt[i], 60 + i, i % NR_GRANTS, (i / NR_GRANTS) * 2048, 0, 1000 + i);
	}
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 64);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), n - 64);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 0);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->delivered), n);
	for (i = 0; i < n; i++) {
		expect_tx_rsp(test, f, 1000 + i, XEN_NETIF_RSP_OKAY);
		expect_pkt(test, f, pkt[i], 60 + i);
	}
	expect_no_tx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_packets), (u64)n);
}

#define T0		(7 * NSEC_PER_SEC)
#define PERIOD_US	20000U
#define PERIOD_NS	((u64)PERIOD_US * NSEC_PER_USEC)

static void tx_rate_limit(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *pkt = make_udp(test, 600);
	unsigned int i;
	u64 wait;

	/* 1000 bytes per 20 ms; three packets of 600 bytes. */
	pvnet_credit_set(&f->q.credit, 1000, PERIOD_US, T0);
	for (i = 0; i < 3; i++)
		fe_send1(f, pkt, 600, i, 0, 0, i);
	KUNIT_EXPECT_EQ(test, pvnet_tx_poll(&f->q, 64, T0, &wait), 1);
	KUNIT_EXPECT_GT(test, wait, 0ULL);
	KUNIT_EXPECT_LE(test, wait, PERIOD_NS);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_credit_waits), 1LL);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, 1U);
	expect_tx_rsp(test, f, 0, XEN_NETIF_RSP_OKAY);
	expect_no_tx_rsp(test, f);

	/* Too early: still nothing. */
	KUNIT_EXPECT_EQ(test, pvnet_tx_poll(&f->q, 64, T0 + wait - 1, &wait), 0);
	KUNIT_EXPECT_EQ(test, wait, 1ULL);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, 1U);

	/* When told: 400 + 1000 bytes of credit, both packets pass. */
	KUNIT_EXPECT_EQ(test, pvnet_tx_poll(&f->q, 64, T0 + PERIOD_NS, &wait), 2);
	KUNIT_EXPECT_EQ(test, wait, 0ULL);
	expect_tx_rsp(test, f, 1, XEN_NETIF_RSP_OKAY);
	expect_tx_rsp(test, f, 2, XEN_NETIF_RSP_OKAY);
	for (i = 0; i < 3; i++)
		expect_pkt(test, f, pkt, 600);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_credit_waits), 2LL);
}

static void tx_csum_blank_udp(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *pkt = make_udp(test, 90);
	struct iphdr *ip = (struct iphdr *)(pkt + ETH_HLEN);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	struct sk_buff *skb;

	fe_send1(f, pkt, 90, 0, 0, XEN_NETTXF_csum_blank, 1);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 1);
	expect_tx_rsp(test, f, 1, XEN_NETIF_RSP_OKAY);
	/* The pseudo-header sum is recomputed, the guest's ignored. */
	udp->check = ~csum_tcpudp_magic(ip->saddr, ip->daddr, 90 - ETH_HLEN - sizeof(*ip),
					IPPROTO_UDP, 0);
	skb = expect_pkt(test, f, pkt, 90);
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
	KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb), (int)sizeof(*ip));
	KUNIT_EXPECT_EQ(test, skb->csum_offset, offsetof(struct udphdr, check));
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_malformed), 0LL);
}

static void tx_csum_flags(struct kunit *test)
{
	struct nfake *f = test->priv;
	u8 *raw = make_raw(test, 60, 0x88b5);
	u8 *udp = make_udp(test, 60);
	struct sk_buff *skb;

	fe_send1(f, raw, 60, 0, 0, XEN_NETTXF_csum_blank, 1);
	fe_send1(f, udp, 60, 1, 0, XEN_NETTXF_data_validated, 2);
	fe_send1(f, raw, 60, 2, 0, 0, 3);
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 3);
	/* No checksum can be set up in a frame that is not IP: dropped. */
	expect_tx_rsp(test, f, 1, XEN_NETIF_RSP_ERROR);
	expect_tx_rsp(test, f, 2, XEN_NETIF_RSP_OKAY);
	expect_tx_rsp(test, f, 3, XEN_NETIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.rx_malformed), 1LL);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->delivered), 2U);
	skb = expect_pkt(test, f, udp, 60);
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_UNNECESSARY);
	skb = expect_pkt(test, f, raw, 60);
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_NONE);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.rx_packets), 2ULL);
}

/* Across the 32-bit index wrap, with multi-slot packets. */
static void tx_index_wrap(struct kunit *test)
{
	struct nfake *f = test->priv;
	const u32 start = 0xfffffff0;
	u8 *pkt = make_udp(test, 300);
	unsigned int i;

	fe_tx_init(&f->txf, f->txs, start);
	KUNIT_ASSERT_EQ(test, pvback_ring_attach(&f->q.tx, f->txs, FE_RING_BYTES,
						 sizeof(union xen_netif_tx_sring_entry)), 0);
	for (i = 0; i < 20; i++) {
		struct seg segs[3] = { { i, 0, 100 }, { i, 1000, 150 }, { i, 3000, 50 } };

		fe_send(f, pkt, segs, 3, 0, 3 * i);
	}
	KUNIT_EXPECT_EQ(test, run_tx(f, 64), 20);
	KUNIT_EXPECT_EQ(test, f->q.tx.req_cons, start + 60);
	for (i = 0; i < 60; i++)
		expect_tx_rsp(test, f, i, XEN_NETIF_RSP_OKAY);
	for (i = 0; i < 20; i++)
		expect_pkt(test, f, pkt, 300);
	KUNIT_EXPECT_FALSE(test, f->q.broken);
}

static struct kunit_case pvnet_queue_tx_cases[] = {
	KUNIT_CASE(tx_one_slot),
	KUNIT_CASE(tx_multi_slot),
	KUNIT_CASE(tx_16_slots),
	KUNIT_CASE(tx_largest_packet),
	KUNIT_CASE(tx_header_in_1_byte_slots),
	KUNIT_CASE(tx_mtu_packets),
	KUNIT_CASE(tx_bad_gref),
	KUNIT_CASE(tx_malformed_then_good),
	KUNIT_CASE(tx_extra_answered_null),
	KUNIT_CASE(tx_producer_overflow),
	KUNIT_CASE(tx_truncated_chain_fatal),
	KUNIT_CASE(tx_budget),
	KUNIT_CASE(tx_many_batches),
	KUNIT_CASE(tx_rate_limit),
	KUNIT_CASE(tx_csum_blank_udp),
	KUNIT_CASE(tx_csum_flags),
	KUNIT_CASE(tx_index_wrap),
	{}
};

static struct kunit_suite pvnet_queue_tx_suite = {
	.name = "pvnetback-queue-tx",
	.init = nf_init,
	.exit = nf_exit,
	.test_cases = pvnet_queue_tx_cases,
};

/* ---- guest RX: the test is the guest receiving ---- */

static void rx_skb_freed(struct sk_buff *skb)
{
	atomic_inc(&rx_freed);
}

static struct sk_buff *rx_skb(struct kunit *test, unsigned int headlen)
{
	struct sk_buff *skb = alloc_skb(headlen, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	get_random_bytes(skb_put(skb, headlen), headlen);
	skb->destructor = rx_skb_freed;
	return skb;
}

static int freed(void)
{
	return atomic_read(&rx_freed);
}

/* Add @size random bytes at @off of a new 2^@order page as a fragment. */
static void rx_add_frag(struct kunit *test, struct sk_buff *skb,
			unsigned int order, unsigned int off, unsigned int size)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP, order);

	KUNIT_ASSERT_LE(test, off + size, (unsigned int)PAGE_SIZE << order);
	if (!page)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, page);
	get_random_bytes(page_address(page) + off, size);
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, off, size,
			PAGE_SIZE << order);
}

/* What the guest must receive: @skb's bytes, flattened. */
static u8 *rx_bytes(struct kunit *test, struct sk_buff *skb)
{
	u8 *want = kunit_kmalloc(test, skb->len ? skb->len : 1, GFP_KERNEL);
	int ret;

	if (!want)
		kfree_skb(skb);
	KUNIT_ASSERT_NOT_NULL(test, want);
	ret = skb_copy_bits(skb, 0, want, skb->len);
	if (ret)
		kfree_skb(skb);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return want;
}

static void expect_rx_rsp(struct kunit *test, struct nfake *f, u16 id,
			  u16 flags, s16 status)
{
	struct xen_netif_rx_response rsp;

	KUNIT_ASSERT_TRUE(test, fe_rx_rsp(&f->rxf, &rsp));
	KUNIT_EXPECT_EQ(test, rsp.id, id);
	KUNIT_EXPECT_EQ(test, rsp.offset, 0);
	KUNIT_EXPECT_EQ(test, rsp.flags, flags);
	KUNIT_EXPECT_EQ(test, rsp.status, status);
}

static void expect_no_rx_rsp(struct kunit *test, struct nfake *f)
{
	struct xen_netif_rx_response rsp;

	KUNIT_EXPECT_FALSE(test, fe_rx_rsp(&f->rxf, &rsp));
}

static int run_rx(struct nfake *f, unsigned int *need)
{
	*need = 12345;
	return pvnet_rx_process(&f->q, need);
}

/* Post buffers grefs @g0.. for @skb, run, and check what arrived. */
static void rx_round_trip(struct kunit *test, struct sk_buff *skb, u32 g0,
			  u16 id0, u16 csum_flags)
{
	struct nfake *f = test->priv;
	unsigned int len = skb->len, slots = DIV_ROUND_UP(len, GPAGE), i, need;
	u8 *want = rx_bytes(test, skb);
	int freed0 = freed();

	KUNIT_EXPECT_FALSE(test, pvnet_rx_enqueue(&f->q, skb));
	for (i = 0; i < slots; i++)
		fe_rx_post(&f->rxf, id0 + i, g0 + i);
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), 1);
	KUNIT_EXPECT_EQ(test, need, 0U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 0U);
	KUNIT_EXPECT_EQ(test, f->q.rx_queued, 0U);
	KUNIT_EXPECT_EQ(test, freed(), freed0 + 1);
	for (i = 0; i < slots; i++) {
		unsigned int n = min(len - i * GPAGE, GPAGE);
		u16 fl = i + 1 < slots ? XEN_NETRXF_more_data : 0;

		expect_rx_rsp(test, f, id0 + i, i ? fl : fl | csum_flags, n);
		KUNIT_EXPECT_EQ(test, memcmp(f->grant[g0 + i], want + i * GPAGE, n), 0);
		/* Nothing written beyond the packet. */
		if (n < GPAGE)
			KUNIT_EXPECT_EQ(test, f->grant[g0 + i][n], 0);
	}
	expect_no_rx_rsp(test, f);
	KUNIT_EXPECT_GE(test, f->notifies[PVNET_GUEST_RX], 1U);
	KUNIT_EXPECT_EQ(test, f->copy_calls[false], 0U);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.tx_packets), 1ULL);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.tx_bytes), (u64)len);
}

static void rx_linear(struct kunit *test)
{
	rx_round_trip(test, rx_skb(test, 1000), 3, 7, 0);
}

static void rx_linear_two_slots(struct kunit *test)
{
	/* A 5000-byte head crosses a page boundary, locally too. */
	rx_round_trip(test, rx_skb(test, 5000), 0, 100, 0);
}

static void rx_frags(struct kunit *test)
{
	struct sk_buff *skb = rx_skb(test, 100);

	rx_add_frag(test, skb, 0, 100, 3996);
	rx_add_frag(test, skb, 0, 3000, 1096);
	/* A compound page: the fragment crosses a page inside it. */
	rx_add_frag(test, skb, 1, 2000, 5000);
	KUNIT_ASSERT_EQ(test, skb->len, 10192U);
	rx_round_trip(test, skb, 4, 10, 0);
}

static void rx_largest_packet(struct kunit *test)
{
	struct sk_buff *skb = rx_skb(test, ETH_HLEN);
	unsigned int i;

	/* 64 KiB + an Ethernet header: every slot a guest may give. */
	for (i = 0; i < 16; i++)
		rx_add_frag(test, skb, 0, 0, 4096);
	KUNIT_ASSERT_EQ(test, pvnet_rx_slots(skb->len), (unsigned int)PVNET_MAX_RX_SLOTS);
	rx_round_trip(test, skb, 20, 200, 0);
}

static void rx_csum_partial(struct kunit *test)
{
	struct sk_buff *skb = rx_skb(test, 5000);

	skb->ip_summed = CHECKSUM_PARTIAL;
	rx_round_trip(test, skb, 0, 1, XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated);
}

static void rx_csum_unnecessary(struct kunit *test)
{
	struct sk_buff *skb = rx_skb(test, 5000);

	skb->ip_summed = CHECKSUM_UNNECESSARY;
	rx_round_trip(test, skb, 0, 1, XEN_NETRXF_data_validated);
}

static void rx_waits_for_buffers(struct kunit *test)
{
	struct nfake *f = test->priv;
	struct sk_buff *skb = rx_skb(test, 9000);
	u8 *want = rx_bytes(test, skb);
	unsigned int need;

	pvnet_rx_enqueue(&f->q, skb);
	fe_rx_post(&f->rxf, 1, 0);
	fe_rx_post(&f->rxf, 2, 1);
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), 0);
	KUNIT_EXPECT_EQ(test, need, 3U);
	/* Nothing taken, nothing answered, still queued. */
	KUNIT_EXPECT_EQ(test, f->q.rx.req_cons, 0U);
	expect_no_rx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->copy_calls[true], 0U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 1U);
	KUNIT_EXPECT_EQ(test, f->q.rx_queued, 9000U);
	KUNIT_EXPECT_EQ(test, f->notifies[PVNET_GUEST_RX], 0U);
	KUNIT_EXPECT_EQ(test, freed(), 0);

	fe_rx_post(&f->rxf, 3, 2);
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), 1);
	KUNIT_EXPECT_EQ(test, need, 0U);
	expect_rx_rsp(test, f, 1, XEN_NETRXF_more_data, 4096);
	expect_rx_rsp(test, f, 2, XEN_NETRXF_more_data, 4096);
	expect_rx_rsp(test, f, 3, 0, 9000 - 8192);
	KUNIT_EXPECT_EQ(test, freed(), 1);
	KUNIT_EXPECT_EQ(test, memcmp(f->grant[0], want, 4096), 0);
	KUNIT_EXPECT_EQ(test, memcmp(f->grant[1], want + 4096, 4096), 0);
	KUNIT_EXPECT_EQ(test, memcmp(f->grant[2], want + 8192, 9000 - 8192), 0);
}

static void rx_oversize_dropped(struct kunit *test)
{
	struct nfake *f = test->priv;
	struct sk_buff *big = rx_skb(test, 5000), *small;
	unsigned int need;
	u8 *want;

	/* No feature-sg: one buffer per packet. */
	f->q.rx_max_slots = 1;
	pvnet_rx_enqueue(&f->q, big);
	small = rx_skb(test, 1000);
	want = rx_bytes(test, small);
	pvnet_rx_enqueue(&f->q, small);
	fe_rx_post(&f->rxf, 8, 5);
	fe_rx_post(&f->rxf, 9, 6);
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), 2);
	KUNIT_EXPECT_EQ(test, need, 0U);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.tx_dropped), 1LL);
	KUNIT_EXPECT_EQ(test, freed(), 2);
	/* The dropped packet took no buffer. */
	expect_rx_rsp(test, f, 8, 0, 1000);
	expect_no_rx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, memcmp(f->grant[5], want, 1000), 0);
	KUNIT_EXPECT_EQ(test, f->q.rx.req_cons, 1U);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.tx_packets), 1ULL);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 0U);
}

static void rx_bad_gref(struct kunit *test)
{
	struct nfake *f = test->priv;
	struct sk_buff *skb = rx_skb(test, 5000);
	unsigned int need;

	pvnet_rx_enqueue(&f->q, skb);
	fe_rx_post(&f->rxf, 1, 2);
	fe_rx_post(&f->rxf, 2, BAD_GREF);
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), 1);
	expect_rx_rsp(test, f, 1, XEN_NETRXF_more_data, XEN_NETIF_RSP_ERROR);
	expect_rx_rsp(test, f, 2, 0, XEN_NETIF_RSP_ERROR);
	expect_no_rx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.tx_errors), 1LL);
	KUNIT_EXPECT_EQ(test, freed(), 1);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.tx_packets), 0ULL);
	KUNIT_EXPECT_GE(test, f->notifies[PVNET_GUEST_RX], 1U);
	KUNIT_EXPECT_FALSE(test, f->q.broken);

	/* The next packet is fine. */
	rx_round_trip(test, rx_skb(test, 300), 3, 3, 0);
}

static void rx_queue_limit(struct kunit *test)
{
	struct nfake *f = test->priv;
	struct sk_buff *skb;

	f->q.rx_queue_max = 3000;
	KUNIT_EXPECT_TRUE(test, pvnet_rx_ready(&f->q));
	KUNIT_EXPECT_FALSE(test, pvnet_rx_enqueue(&f->q, rx_skb(test, 1000)));
	KUNIT_EXPECT_TRUE(test, pvnet_rx_ready(&f->q));
	KUNIT_EXPECT_FALSE(test, pvnet_rx_enqueue(&f->q, rx_skb(test, 1000)));
	KUNIT_EXPECT_FALSE(test, pvnet_rx_ready(&f->q));
	KUNIT_EXPECT_TRUE(test, pvnet_rx_enqueue(&f->q, rx_skb(test, 1000)));
	KUNIT_EXPECT_EQ(test, f->q.rx_queued, 3000U);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 3U);

	KUNIT_EXPECT_EQ(test, freed(), 0);
	KUNIT_EXPECT_EQ(test, pvnet_rx_purge(&f->q), 3U);
	KUNIT_EXPECT_EQ(test, freed(), 3);
	KUNIT_EXPECT_EQ(test, f->q.rx_queued, 0U);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&f->q.rx_queue));
	KUNIT_EXPECT_TRUE(test, pvnet_rx_ready(&f->q));
	KUNIT_EXPECT_EQ(test, pvnet_rx_purge(&f->q), 0U);

	/* Packets still queued at the end are the queue's to free. */
	skb = rx_skb(test, 100);
	rx_add_frag(test, skb, 0, 0, 100);
	pvnet_rx_enqueue(&f->q, skb);
	KUNIT_EXPECT_EQ(test, f->q.rx_queued, 200U);
}

static void rx_many_batches(struct kunit *test)
{
	struct nfake *f = test->priv;
	unsigned int i, n = PVNET_BATCH + 8, need;
	u8 **want = kunit_kcalloc(test, n, sizeof(*want), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_LE(test, n, (unsigned int)NR_GRANTS);
	for (i = 0; i < n; i++) {
		struct sk_buff *skb = rx_skb(test, 60 + 97 * i);

		want[i] = rx_bytes(test, skb);
		pvnet_rx_enqueue(&f->q, skb);
		fe_rx_post(&f->rxf, 500 + i, i);
	}
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), n);
	KUNIT_EXPECT_EQ(test, need, 0U);
	KUNIT_EXPECT_GE(test, f->copy_calls[true], 2U);
	for (i = 0; i < n; i++) {
		expect_rx_rsp(test, f, 500 + i, 0, 60 + 97 * i);
		KUNIT_EXPECT_EQ(test, memcmp(f->grant[i], want[i], 60 + 97 * i), 0);
	}
	expect_no_rx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, stat_read(&f->st.tx_packets), (u64)n);
	KUNIT_EXPECT_EQ(test, freed(), n);
}

static void rx_producer_overflow(struct kunit *test)
{
	struct nfake *f = test->priv;
	unsigned int need;

	pvnet_rx_enqueue(&f->q, rx_skb(test, 100));
	f->rxs->req_prod = FE_RING_SLOTS + 1;
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), -EIO);
	KUNIT_EXPECT_TRUE(test, f->q.broken);
	KUNIT_EXPECT_EQ(test, f->fatals, 1U);
	KUNIT_EXPECT_EQ(test, ctr(&f->st.ring_errors), 1LL);
	expect_no_rx_rsp(test, f);
	KUNIT_EXPECT_EQ(test, f->copy_calls[true], 0U);
	KUNIT_EXPECT_EQ(test, run_rx(f, &need), -EIO);
	KUNIT_EXPECT_EQ(test, f->fatals, 1U);
	/* The packet stays queued until the purge at the exit. */
	KUNIT_EXPECT_EQ(test, skb_queue_len(&f->q.rx_queue), 1U);
	KUNIT_EXPECT_EQ(test, freed(), 0);
}

static struct kunit_case pvnet_queue_rx_cases[] = {
	KUNIT_CASE(rx_linear),
	KUNIT_CASE(rx_linear_two_slots),
	KUNIT_CASE(rx_frags),
	KUNIT_CASE(rx_largest_packet),
	KUNIT_CASE(rx_csum_partial),
	KUNIT_CASE(rx_csum_unnecessary),
	KUNIT_CASE(rx_waits_for_buffers),
	KUNIT_CASE(rx_oversize_dropped),
	KUNIT_CASE(rx_bad_gref),
	KUNIT_CASE(rx_queue_limit),
	KUNIT_CASE(rx_many_batches),
	KUNIT_CASE(rx_producer_overflow),
	{}
};

static struct kunit_suite pvnet_queue_rx_suite = {
	.name = "pvnetback-queue-rx",
	.init = nf_init,
	.exit = nf_exit,
	.test_cases = pvnet_queue_rx_cases,
};

kunit_test_suites(&pvnet_queue_tx_suite, &pvnet_queue_rx_suite);
