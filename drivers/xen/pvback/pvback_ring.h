/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Back end of a Xen shared ring, independent of the request layout.
 *
 * A shared ring is a header (producer/event indexes) followed by a
 * power-of-two array of fixed-size entries; requests and responses share
 * the slots.  The frontend owns req_prod and rsp_event, we own rsp_prod and
 * req_event.  Everything the frontend writes may change under our feet, so
 * each shared index is read exactly once per decision, and slots are
 * copied out by the caller before being looked at.
 *
 * No Xen calls: the same code runs against a kmalloc'ed page in KUnit.
 */
#ifndef PVBACK_RING_H
#define PVBACK_RING_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/barrier.h>

/* The layout of the header every Xen I/O ring starts with (ring.h). */
struct pvback_sring_hdr {
	u32 req_prod;
	u32 req_event;
	u32 rsp_prod;
	u32 rsp_event;
	u8 pad[48];
};

struct pvback_ring {
	struct pvback_sring_hdr *sring;
	u8 *ents;		/* first slot */
	size_t ent_size;	/* bytes per slot */
	u32 nr_ents;		/* power of two */
	u32 req_cons;		/* next request to read */
	u32 rsp_prod_pvt;	/* next response to write, not yet pushed */
};

/**
 * pvback_ring_attach - attach to a ring the frontend set up
 * @r: ring to initialise
 * @mem: the mapped shared pages
 * @bytes: their size
 * @ent_size: size of one slot (the larger of request and response)
 *
 * Starts consuming at the frontend's rsp_prod, as the frontend may have
 * used the ring before (reconnect).  Its req_prod must not be further
 * ahead than one ring's worth.
 *
 * Return: 0, -EINVAL if @bytes cannot hold one slot, -EIO on a bogus ring.
 */
static inline int pvback_ring_attach(struct pvback_ring *r, void *mem,
				     size_t bytes, size_t ent_size)
{
	size_t n;
	u32 prod, rsp;

	if (bytes < sizeof(struct pvback_sring_hdr) + ent_size || !ent_size)
		return -EINVAL;
	n = (bytes - sizeof(struct pvback_sring_hdr)) / ent_size;
	r->sring = mem;
	r->ents = (u8 *)mem + sizeof(struct pvback_sring_hdr);
	r->ent_size = ent_size;
	r->nr_ents = rounddown_pow_of_two(n);
	rsp = READ_ONCE(r->sring->rsp_prod);
	prod = READ_ONCE(r->sring->req_prod);
	r->req_cons = rsp;
	r->rsp_prod_pvt = rsp;
	if (prod - rsp > r->nr_ents)
		return -EIO;
	return 0;
}

/**
 * pvback_ring_unconsumed - number of requests ready to read
 * @r: the ring
 *
 * A frontend may have at most nr_ents requests without a response; more
 * means it is broken or hostile, and the caller must stop the ring.
 *
 * Return: count of new requests, or -EIO on producer overflow.
 */
static inline int pvback_ring_unconsumed(struct pvback_ring *r)
{
	u32 prod = READ_ONCE(r->sring->req_prod);

	/* Read the index before the slots it covers. */
	virt_rmb();
	/* Both catch a producer that ran ahead or moved backwards. */
	if (prod - r->rsp_prod_pvt > r->nr_ents ||
	    prod - r->req_cons > r->nr_ents)
		return -EIO;
	return prod - r->req_cons;
}

static inline void *pvback_ring_slot(const struct pvback_ring *r, u32 idx)
{
	return r->ents + (size_t)(idx & (r->nr_ents - 1)) * r->ent_size;
}

/**
 * pvback_ring_copy - take a private copy of a slot the guest may change
 * @dst: local buffer
 * @slot: the shared slot
 * @len: bytes
 *
 * The barrier makes the copy the single read of the slot: without it the
 * compiler may drop the local copy and read a field from shared memory
 * again where it is used, after it was checked (a double fetch).
 */
static inline void pvback_ring_copy(void *dst, const void *slot, size_t len)
{
	memcpy(dst, slot, len);
	barrier();
}

/* Slot for the next request; the caller copies it, then advances req_cons. */
static inline const void *pvback_ring_next_req(struct pvback_ring *r)
{
	return pvback_ring_slot(r, r->req_cons++);
}

/* Slot for the next response; it becomes visible at pvback_ring_push(). */
static inline void *pvback_ring_next_rsp(struct pvback_ring *r)
{
	return pvback_ring_slot(r, r->rsp_prod_pvt++);
}

/**
 * pvback_ring_push - publish the responses written so far
 * @r: the ring
 *
 * Return: true if the frontend asked to be notified about them.
 */
static inline bool pvback_ring_push(struct pvback_ring *r)
{
	u32 old = r->sring->rsp_prod;
	u32 new = r->rsp_prod_pvt;

	if (old == new)
		return false;
	/* Slots before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(r->sring->rsp_prod, new);
	/* Publish before reading the frontend's event index. */
	virt_mb();
	return new - READ_ONCE(r->sring->rsp_event) < new - old;
}

/**
 * pvback_ring_final_check - arm the request event and look once more
 * @r: the ring
 *
 * Return: true if requests arrived, false if the frontend will now notify
 * us about the next one.
 */
static inline bool pvback_ring_final_check(struct pvback_ring *r)
{
	if (READ_ONCE(r->sring->req_prod) != r->req_cons)
		return true;
	WRITE_ONCE(r->sring->req_event, r->req_cons + 1);
	/* Arm the event before the last look at the producer. */
	virt_mb();
	return READ_ONCE(r->sring->req_prod) != r->req_cons;
}

#endif /* PVBACK_RING_H */
