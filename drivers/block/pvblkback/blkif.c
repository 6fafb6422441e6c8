// SPDX-License-Identifier: GPL-2.0
/*
 * blkif request decoding and validation for pvblkback.
 */
#include <linux/build_bug.h>
#include <linux/minmax.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "../../xen/pvback/pvback_ring.h"
#include "blkif.h"

/*
 * Wire layouts.  The x86_64 ABI aligns the 64-bit fields to 8 bytes, the
 * x86_32 ABI to 4; every operation keeps "id" at the same offset, so one
 * header layout serves all operations for the fields we need.
 */
struct pvblk_wire_seg {
	u32 gref;
	u8 first_sect;
	u8 last_sect;
	u16 pad;
} __packed;

struct pvblk_wire_req64 {
	u8 op;
	u8 nr_segs;
	u16 handle;
	u32 pad;
	u64 id;
	u64 sector;
	struct pvblk_wire_seg seg[PVBLK_MAX_DIRECT_SEGS];
} __packed;

struct pvblk_wire_req32 {
	u8 op;
	u8 nr_segs;
	u16 handle;
	u64 id;
	u64 sector;
	struct pvblk_wire_seg seg[PVBLK_MAX_DIRECT_SEGS];
} __packed;

/* BLKIF_OP_DISCARD: a sector range, no segments. */
struct pvblk_wire_dis64 {
	u8 op;
	u8 flags;
	u16 pad;
	u32 pad2;
	u64 id;
	u64 sector;
	u64 nr_sectors;
	u8 pad3;
} __packed;

struct pvblk_wire_dis32 {
	u8 op;
	u8 flags;
	u16 pad;
	u64 id;
	u64 sector;
	u64 nr_sectors;
	u8 pad3;
} __packed;

/* BLKIF_OP_INDIRECT: the segments are in the pages of indirect_gref. */
struct pvblk_wire_ind64 {
	u8 op;
	u8 indirect_op;
	u16 nr_segs;
	u32 pad;
	u64 id;
	u64 sector;
	u16 handle;
	u16 pad2;
	u32 indirect_gref[PVBLK_MAX_INDIRECT_PAGES];
	u32 pad3;
} __packed;

struct pvblk_wire_ind32 {
	u8 op;
	u8 indirect_op;
	u16 nr_segs;
	u64 id;
	u64 sector;
	u16 handle;
	u16 pad2;
	u32 indirect_gref[PVBLK_MAX_INDIRECT_PAGES];
	u64 pad3;
} __packed;

struct pvblk_wire_rsp64 {
	u64 id;
	u8 op;
	u8 pad;
	s16 status;
	u32 pad2;
} __packed;

struct pvblk_wire_rsp32 {
	u64 id;
	u8 op;
	u8 pad;
	s16 status;
} __packed;

static_assert(sizeof(struct pvblk_wire_req64) == 112);
static_assert(sizeof(struct pvblk_wire_req32) == 108);
static_assert(sizeof(struct pvblk_wire_rsp64) == 16);
static_assert(sizeof(struct pvblk_wire_rsp32) == 12);
static_assert(sizeof(struct pvblk_wire_dis64) == 33);
static_assert(sizeof(struct pvblk_wire_dis32) == 29);
static_assert(sizeof(struct pvblk_wire_ind64) == 64);
static_assert(sizeof(struct pvblk_wire_ind32) == 64);
static_assert(sizeof(struct pvblk_wire_seg) == PVBLK_WIRE_SEG_SIZE);
/* pvblk_fetch_req() reads these through the x86_64 layouts for both ABIs. */
static_assert(offsetof(struct pvblk_wire_ind32, indirect_op) ==
	      offsetof(struct pvblk_wire_ind64, indirect_op));
static_assert(offsetof(struct pvblk_wire_ind32, nr_segs) ==
	      offsetof(struct pvblk_wire_ind64, nr_segs));
static_assert(offsetof(struct pvblk_wire_dis32, flags) ==
	      offsetof(struct pvblk_wire_dis64, flags));
static_assert(offsetof(struct pvblk_wire_req32, nr_segs) ==
	      offsetof(struct pvblk_wire_req64, nr_segs));
static_assert(PVBLK_MAX_INDIRECT_SEGS <= PVBLK_SEGS_PER_INDIRECT_PAGE);

/**
 * pvblk_abi_from_protocol - parse the frontend's "protocol" key
 * @protocol: the value, or NULL when the key is absent (native)
 * @abi: result
 *
 * Return: 0, or -EINVAL for a protocol we do not speak.
 */
int pvblk_abi_from_protocol(const char *protocol, enum pvblk_abi *abi)
{
	if (!protocol || !*protocol) {
		*abi = PVBLK_ABI_NATIVE;
		return 0;
	}
	if (!strcmp(protocol, XEN_IO_PROTO_ABI_X86_64)) {
		*abi = PVBLK_ABI_X86_64;
		return 0;
	}
	if (!strcmp(protocol, XEN_IO_PROTO_ABI_X86_32)) {
		*abi = PVBLK_ABI_X86_32;
		return 0;
	}
	return -EINVAL;
}

/**
 * pvblk_geom_check - the frontend's choice of queues and ring size
 * @nr_queues: its multi-queue-num-queues (1 when absent)
 * @order: its ring-page-order (0 when absent)
 * @max_queues: the multi-queue-max-queues we offered
 * @max_order: the max-ring-page-order we offered
 *
 * Return: 0 if the rings may be mapped, -EINVAL for zero queues or more
 * queues or pages than offered.
 */
int pvblk_geom_check(unsigned int nr_queues, unsigned int order,
		     unsigned int max_queues, unsigned int max_order)
{
	if (!nr_queues || nr_queues > min_t(unsigned int, max_queues,
					    PVBLK_MAX_QUEUES))
		return -EINVAL;
	if (order > min_t(unsigned int, max_order, PVBLK_MAX_RING_ORDER))
		return -EINVAL;
	return 0;
}

/* A slot holds either a request or a response, whichever is larger. */
size_t pvblk_abi_slot_size(enum pvblk_abi abi)
{
	if (abi == PVBLK_ABI_X86_32)
		return sizeof(struct pvblk_wire_req32);
	return sizeof(struct pvblk_wire_req64);
}

static void pvblk_copy_segs(struct pvblk_req *req,
			    const struct pvblk_wire_seg *seg, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		req->seg[i].gref = seg[i].gref;
		req->seg[i].first_sect = seg[i].first_sect;
		req->seg[i].last_sect = seg[i].last_sect;
	}
}

/**
 * pvblk_fetch_req - copy a request out of the shared ring
 * @abi: the frontend's ABI
 * @slot: the request's slot in the shared ring
 * @req: private copy to fill
 * @seg: room for at least PVBLK_MAX_DIRECT_SEGS segments, becomes req->seg
 *
 * The slot is read exactly once, by one copy into a local buffer;
 * a frontend changing it meanwhile only changes which values we see, never
 * lets a checked value change afterwards.  An indirect request's segments
 * are not in the slot: see pvblk_decode_indirect().
 */
void pvblk_fetch_req(enum pvblk_abi abi, const void *slot,
		     struct pvblk_req *req, struct pvblk_seg *seg)
{
	union {
		struct pvblk_wire_req64 r64;
		struct pvblk_wire_req32 r32;
		struct pvblk_wire_ind64 i64;
		struct pvblk_wire_ind32 i32;
		struct pvblk_wire_dis64 d64;
		struct pvblk_wire_dis32 d32;
	} w;
	bool x86_32 = abi == PVBLK_ABI_X86_32;

	memset(req, 0, sizeof(*req));
	memset(seg, 0, PVBLK_MAX_DIRECT_SEGS * sizeof(*seg));
	req->seg = seg;
	/* Large enough for every request layout of this ABI. */
	pvback_ring_copy(&w, slot, pvblk_abi_slot_size(abi));
	req->op = w.r64.op;
	if (req->op == BLKIF_OP_INDIRECT) {
		req->indirect_op = w.i64.indirect_op;
		req->nr_segs = w.i64.nr_segs;
		req->id = x86_32 ? w.i32.id : w.i64.id;
		req->sector = x86_32 ? w.i32.sector : w.i64.sector;
		memcpy(req->indirect_gref, x86_32 ? w.i32.indirect_gref :
		       w.i64.indirect_gref, sizeof(req->indirect_gref));
		return;
	}
	if (req->op == BLKIF_OP_DISCARD) {
		req->discard_flags = w.d64.flags;
		req->id = x86_32 ? w.d32.id : w.d64.id;
		req->sector = x86_32 ? w.d32.sector : w.d64.sector;
		req->discard_sectors = x86_32 ? w.d32.nr_sectors :
						w.d64.nr_sectors;
		return;
	}
	req->nr_segs = w.r64.nr_segs;
	req->id = x86_32 ? w.r32.id : w.r64.id;
	req->sector = x86_32 ? w.r32.sector : w.r64.sector;
	pvblk_copy_segs(req, x86_32 ? w.r32.seg : w.r64.seg,
			min_t(unsigned int, req->nr_segs,
			      PVBLK_MAX_DIRECT_SEGS));
}

/**
 * pvblk_decode_indirect - segments of an indirect request, from its page
 * @buf: private copy of the indirect page's first nr_segs descriptors
 * @nr_segs: how many, at most PVBLK_MAX_INDIRECT_SEGS
 * @seg: where they go
 */
void pvblk_decode_indirect(const void *buf, unsigned int nr_segs,
			   struct pvblk_seg *seg)
{
	const struct pvblk_wire_seg *w = buf;
	unsigned int i;

	for (i = 0; i < nr_segs; i++) {
		seg[i].gref = w[i].gref;
		seg[i].first_sect = w[i].first_sect;
		seg[i].last_sect = w[i].last_sect;
	}
}

/**
 * pvblk_put_rsp - write one response into the shared ring
 * @abi: the frontend's ABI
 * @slot: the response's slot
 * @id: the request's id
 * @op: the request's operation
 * @status: BLKIF_RSP_*
 *
 * Built in a zeroed local buffer and copied whole, so that no padding byte
 * carries stale dom0 memory into the guest (XSA-216).
 */
void pvblk_put_rsp(enum pvblk_abi abi, void *slot, u64 id, u8 op, s16 status)
{
	union {
		struct pvblk_wire_rsp64 r64;
		struct pvblk_wire_rsp32 r32;
	} w;

	memset(&w, 0, sizeof(w));
	if (abi == PVBLK_ABI_X86_32) {
		w.r32.id = id;
		w.r32.op = op;
		w.r32.status = status;
		memcpy(slot, &w.r32, sizeof(w.r32));
	} else {
		w.r64.id = id;
		w.r64.op = op;
		w.r64.status = status;
		memcpy(slot, &w.r64, sizeof(w.r64));
	}
}

/* The operation a response carries: blkfront wants the inner one back. */
u8 pvblk_rsp_op(const struct pvblk_req *req)
{
	return req->op == BLKIF_OP_INDIRECT ? req->indirect_op : req->op;
}

/**
 * pvblk_indirect_check - the header of an indirect request
 * @req: private copy, op BLKIF_OP_INDIRECT
 * @lim: what the vbd allows
 *
 * Checked before the indirect page is read: its segment count decides how
 * much to read, the rest of the request is checked by pvblk_req_check()
 * once the segments are decoded.
 *
 * Return: PVBLK_REQ_OK if the segments may be read from the first page of
 * req->indirect_gref.
 */
enum pvblk_verdict pvblk_indirect_check(const struct pvblk_req *req,
					const struct pvblk_limits *lim)
{
	unsigned int max = min_t(unsigned int, lim->max_indirect_segs,
				 PVBLK_MAX_INDIRECT_SEGS);

	if (!max)
		return PVBLK_REQ_UNSUPPORTED;
	if (req->indirect_op != BLKIF_OP_READ &&
	    req->indirect_op != BLKIF_OP_WRITE)
		return PVBLK_REQ_BAD;
	if (!req->nr_segs || req->nr_segs > max)
		return PVBLK_REQ_BAD;
	return PVBLK_REQ_OK;
}

/* Check the segments and count their sectors; false if any is malformed. */
static bool pvblk_check_segs(const struct pvblk_req *req,
			     unsigned int lb_sectors, u32 *nr_sectors)
{
	unsigned int i;
	u32 total = 0;

	for (i = 0; i < req->nr_segs; i++) {
		const struct pvblk_seg *s = &req->seg[i];

		if (s->first_sect > s->last_sect ||
		    s->last_sect >= PVBLK_SECTORS_PER_PAGE)
			return false;
		/* The disk cannot do partial logical blocks. */
		if (s->first_sect % lb_sectors ||
		    (s->last_sect + 1) % lb_sectors)
			return false;
		total += s->last_sect - s->first_sect + 1;
	}
	*nr_sectors = total;
	return true;
}

/* A discard: a sector range of whole logical blocks inside the region. */
static enum pvblk_verdict
pvblk_discard_check(const struct pvblk_req *req,
		    const struct pvblk_limits *lim, struct pvblk_io *io)
{
	if (!lim->discard)
		return PVBLK_REQ_UNSUPPORTED;
	if (lim->readonly)
		return PVBLK_REQ_READONLY;
	if (!req->discard_sectors || req->sector % lim->lb_sectors ||
	    req->discard_sectors % lim->lb_sectors)
		return PVBLK_REQ_BAD;
	if (pvblk_region_translate(&lim->region, req->sector,
				   req->discard_sectors, &io->phys))
		return PVBLK_REQ_OUT_OF_REGION;
	/* The secure flag means nothing unless discard-secure was offered. */
	io->kind = (req->discard_flags & BLKIF_DISCARD_SECURE) &&
		   lim->secure_discard ? PVBLK_IO_SECURE_ERASE :
		   PVBLK_IO_DISCARD;
	io->nr_sectors = req->discard_sectors;
	return PVBLK_REQ_OK;
}

/**
 * pvblk_req_check - validate a request and translate it to the device
 * @req: private copy from pvblk_fetch_req()
 * @lim: what the vbd allows
 * @io: on PVBLK_REQ_OK, what to do on the physical device
 *
 * Every field is checked here, once; later stages trust @io and the first
 * nr_segs entries of @req->seg.  An indirect request's segments must have
 * been decoded (pvblk_decode_indirect()) after pvblk_indirect_check().
 *
 * Return: the verdict; only PVBLK_REQ_OK may be acted on.
 */
enum pvblk_verdict pvblk_req_check(const struct pvblk_req *req,
				   const struct pvblk_limits *lim,
				   struct pvblk_io *io)
{
	unsigned int min_segs = 1, max_segs = PVBLK_MAX_DIRECT_SEGS;
	u8 op = req->op;
	u32 nr_sectors;

	/* Limits not final (no disk yet): nothing can be checked, or served. */
	if (!lim->lb_sectors)
		return PVBLK_REQ_BAD;
	if (op == BLKIF_OP_INDIRECT) {
		enum pvblk_verdict v = pvblk_indirect_check(req, lim);

		if (v != PVBLK_REQ_OK)
			return v;
		op = req->indirect_op;
		/* The pool's segment arrays hold PVBLK_MAX_INDIRECT_SEGS. */
		max_segs = min_t(unsigned int, lim->max_indirect_segs,
				 PVBLK_MAX_INDIRECT_SEGS);
	}
	if (op == BLKIF_OP_DISCARD)
		return pvblk_discard_check(req, lim, io);
	switch (op) {
	case BLKIF_OP_READ:
		io->kind = PVBLK_IO_READ;
		break;
	case BLKIF_OP_WRITE:
		io->kind = PVBLK_IO_WRITE;
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim->flush)
			return PVBLK_REQ_UNSUPPORTED;
		io->kind = PVBLK_IO_FLUSH;
		min_segs = 0;
		break;
	default:
		return PVBLK_REQ_UNSUPPORTED;
	}

	if (req->nr_segs < min_segs || req->nr_segs > max_segs)
		return PVBLK_REQ_BAD;
	if (!pvblk_check_segs(req, lim->lb_sectors, &nr_sectors))
		return PVBLK_REQ_BAD;
	if (io->kind != PVBLK_IO_READ && lim->readonly)
		return PVBLK_REQ_READONLY;

	io->nr_sectors = nr_sectors;
	io->phys = 0;
	if (!nr_sectors)
		return PVBLK_REQ_OK;	/* a bare flush */
	if (req->sector % lim->lb_sectors)
		return PVBLK_REQ_BAD;
	if (pvblk_region_translate(&lim->region, req->sector, nr_sectors,
				   &io->phys))
		return PVBLK_REQ_OUT_OF_REGION;
	return PVBLK_REQ_OK;
}

/* The status a request with this verdict is answered with. */
s16 pvblk_verdict_status(enum pvblk_verdict v)
{
	switch (v) {
	case PVBLK_REQ_OK:
		return BLKIF_RSP_OKAY;
	case PVBLK_REQ_UNSUPPORTED:
		return BLKIF_RSP_EOPNOTSUPP;
	default:
		return BLKIF_RSP_ERROR;
	}
}
