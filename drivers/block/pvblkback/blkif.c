// SPDX-License-Identifier: GPL-2.0
/*
 * blkif request decoding and validation for pvblkback.
 */
#include <linux/build_bug.h>
#include <linux/minmax.h>
#include <linux/errno.h>
#include <linux/string.h>

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

/* A slot holds either a request or a response, whichever is larger. */
size_t pvblk_abi_slot_size(enum pvblk_abi abi)
{
	if (abi == PVBLK_ABI_X86_32)
		return sizeof(struct pvblk_wire_req32);
	return sizeof(struct pvblk_wire_req64);
}

static void pvblk_copy_segs(struct pvblk_req *req,
			    const struct pvblk_wire_seg *seg)
{
	unsigned int i, n = min_t(unsigned int, req->nr_segs,
				  PVBLK_MAX_DIRECT_SEGS);

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
 *
 * The slot is read exactly once, with a single memcpy into a local buffer;
 * a frontend changing it meanwhile only changes which values we see, never
 * lets a checked value change afterwards.
 */
void pvblk_fetch_req(enum pvblk_abi abi, const void *slot,
		     struct pvblk_req *req)
{
	union {
		struct pvblk_wire_req64 r64;
		struct pvblk_wire_req32 r32;
	} w;

	memset(req, 0, sizeof(*req));
	if (abi == PVBLK_ABI_X86_32) {
		memcpy(&w.r32, slot, sizeof(w.r32));
		req->op = w.r32.op;
		req->nr_segs = w.r32.nr_segs;
		req->id = w.r32.id;
		req->sector = w.r32.sector;
		pvblk_copy_segs(req, w.r32.seg);
	} else {
		memcpy(&w.r64, slot, sizeof(w.r64));
		req->op = w.r64.op;
		req->nr_segs = w.r64.nr_segs;
		req->id = w.r64.id;
		req->sector = w.r64.sector;
		pvblk_copy_segs(req, w.r64.seg);
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

/**
 * pvblk_req_check - validate a request and translate it to the device
 * @req: private copy from pvblk_fetch_req()
 * @lim: what the vbd allows
 * @io: on PVBLK_REQ_OK, what to do on the physical device
 *
 * Every field is checked here, once; later stages trust @io and the first
 * nr_segs entries of @req->seg.
 *
 * Return: the verdict; only PVBLK_REQ_OK may be acted on.
 */
enum pvblk_verdict pvblk_req_check(const struct pvblk_req *req,
				   const struct pvblk_limits *lim,
				   struct pvblk_io *io)
{
	unsigned int min_segs = 1;
	u32 nr_sectors;

	switch (req->op) {
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

	if (req->nr_segs < min_segs || req->nr_segs > PVBLK_MAX_DIRECT_SEGS)
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
