/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frontend's side of the netif rings, for the tests: requests are
 * written and responses read with Xen's own ring macros and structs
 * (xen/interface/io/ring.h and netif.h), never through pvback_ring, so a
 * layout mistake in the backend's ring code shows up.
 */
#ifndef PVNET_TEST_FE_H
#define PVNET_TEST_FE_H

#include <linux/string.h>
#include <linux/types.h>
#include <xen/interface/io/netif.h>
#include <xen/interface/io/ring.h>

/* Both rings are one 4 KiB page: 256 slots each. */
#define FE_RING_BYTES	4096
#define FE_RING_SLOTS	256

/* A frontend (re)starting its TX ring at index @start. */
static inline void fe_tx_init(struct xen_netif_tx_front_ring *fr,
			      struct xen_netif_tx_sring *s, u32 start)
{
	SHARED_RING_INIT(s);
	s->req_prod = start;
	s->rsp_prod = start;
	FRONT_RING_ATTACH(fr, s, start, FE_RING_BYTES);
}

static inline void fe_rx_init(struct xen_netif_rx_front_ring *fr,
			      struct xen_netif_rx_sring *s, u32 start)
{
	SHARED_RING_INIT(s);
	s->req_prod = start;
	s->rsp_prod = start;
	FRONT_RING_ATTACH(fr, s, start, FE_RING_BYTES);
}

/* Queue one TX data slot (not yet visible to the backend). */
static inline void fe_tx_req(struct xen_netif_tx_front_ring *fr, u32 gref,
			     u16 offset, u16 flags, u16 id, u16 size)
{
	struct xen_netif_tx_request *req = RING_GET_REQUEST(fr, fr->req_prod_pvt);

	fr->req_prod_pvt++;
	req->gref = gref;
	req->offset = offset;
	req->flags = flags;
	req->id = id;
	req->size = size;
}

/* Queue one extra_info slot. */
static inline void fe_tx_extra(struct xen_netif_tx_front_ring *fr,
			       const struct xen_netif_extra_info *x)
{
	void *slot = RING_GET_REQUEST(fr, fr->req_prod_pvt);

	fr->req_prod_pvt++;
	memcpy(slot, x, sizeof(*x));
}

/* Take the next TX response; false if there is none. */
static inline bool fe_tx_rsp(struct xen_netif_tx_front_ring *fr,
			     struct xen_netif_tx_response *rsp)
{
	if (fr->rsp_cons == READ_ONCE(fr->sring->rsp_prod))
		return false;
	memcpy(rsp, RING_GET_RESPONSE(fr, fr->rsp_cons), sizeof(*rsp));
	fr->rsp_cons++;
	return true;
}

/* Post one RX buffer and publish it. */
static inline void fe_rx_post(struct xen_netif_rx_front_ring *fr, u16 id,
			      u32 gref)
{
	struct xen_netif_rx_request *req = RING_GET_REQUEST(fr, fr->req_prod_pvt);

	fr->req_prod_pvt++;
	req->id = id;
	req->pad = 0;
	req->gref = gref;
	RING_PUSH_REQUESTS(fr);
}

static inline bool fe_rx_rsp(struct xen_netif_rx_front_ring *fr,
			     struct xen_netif_rx_response *rsp)
{
	if (fr->rsp_cons == READ_ONCE(fr->sring->rsp_prod))
		return false;
	memcpy(rsp, RING_GET_RESPONSE(fr, fr->rsp_cons), sizeof(*rsp));
	fr->rsp_cons++;
	return true;
}

#endif /* PVNET_TEST_FE_H */
