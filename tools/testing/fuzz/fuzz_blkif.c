// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: a blkif ring slot through pvblk_fetch_req() and
 * pvblk_req_check(), its answer through pvblk_put_rsp(), and the
 * "protocol" key through pvblk_abi_from_protocol() (pvblkback's blkif.c
 * and region.c, built unchanged).
 *
 * Input (little-endian; bytes past the end read as zero):
 *     0  u64   region start, in sectors
 *     8  u64   region length, in sectors
 *    16  u8    bit 0: 4 KiB logical blocks (lb_sectors 8, else 1)
 *              bit 1: read-only vbd; bit 2: flush offered;
 *              bit 3: x86_32 ABI (else x86_64)
 *    17  112   the ring slot as the frontend wrote it (x86_32 uses 108)
 *   129  ...   a "protocol" key value, at most 63 bytes
 * A region that pvblk_region_check() refuses never gets a ring: such
 * inputs only exercise the protocol key.
 *
 * Invariants:
 * - fetch: the private copy has the slot's op, nr_segs, id, sector and
 *   segments, read here at explicit offsets per ABI (independent of the
 *   structs in blkif.c); segments past nr_segs (or past 11) are zero; the
 *   slot is read within its ABI's size (the buffer is exactly that big).
 * - check: the verdict is the one of a reference model computed with
 *   128-bit sector arithmetic; and on OK: the op is READ, WRITE or (when
 *   offered) FLUSH and the kind matches; nr_segs is 1..11 (0..11 for a
 *   flush); every segment has first <= last < 8, both lb-aligned;
 *   nr_sectors is the sum of the segment sizes; a range with sectors
 *   starts lb-aligned and lies inside [start, start + length) of the
 *   region on the device (128-bit); a bare flush has nr_sectors 0; nothing
 *   but a read on a read-only vbd.
 * - the status for the verdict is OKAY, EOPNOTSUPP or ERROR as documented.
 * - put_rsp: id at 0, op at 8, status at 10, every other byte of the
 *   response (12 bytes x86_32, 16 x86_64) zero, the rest of the slot
 *   untouched (it was 0xaa).
 * - protocol: "" and the two x86 names are accepted with the right ABI,
 *   anything else is -EINVAL.
 */
#include <string.h>

#include <linux/errno.h>

#include "fuzz.h"
#include "blkif.h"

#define SLOT64		112
#define SLOT32		108

/* The slot as read at the wire offsets of @abi. */
struct wire_view {
	u8 op;
	u8 nr_segs;
	u64 id;
	u64 sector;
	u32 gref[PVBLK_MAX_DIRECT_SEGS];
	u8 first[PVBLK_MAX_DIRECT_SEGS];
	u8 last[PVBLK_MAX_DIRECT_SEGS];
};

static void wire_read(enum pvblk_abi abi, const u8 *b, struct wire_view *w)
{
	size_t oid = 8, osec = 16, oseg = 24;
	unsigned int i;

	if (abi == PVBLK_ABI_X86_32) {
		oid = 4;
		osec = 12;
		oseg = 20;
	}
	w->op = b[0];
	w->nr_segs = b[1];
	memcpy(&w->id, b + oid, 8);
	memcpy(&w->sector, b + osec, 8);
	for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++) {
		memcpy(&w->gref[i], b + oseg + 8 * i, 4);
		w->first[i] = b[oseg + 8 * i + 4];
		w->last[i] = b[oseg + 8 * i + 5];
	}
}

/* What pvblk_req_check() must answer, from the definition of a request. */
static enum pvblk_verdict model_verdict(const struct pvblk_req *req,
					const struct pvblk_limits *lim)
{
	unsigned int i, lb = lim->lb_sectors, min_segs = 1;
	u64 total = 0;

	switch (req->op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim->flush)
			return PVBLK_REQ_UNSUPPORTED;
		min_segs = 0;
		break;
	default:
		return PVBLK_REQ_UNSUPPORTED;
	}
	if (req->nr_segs < min_segs || req->nr_segs > PVBLK_MAX_DIRECT_SEGS)
		return PVBLK_REQ_BAD;
	for (i = 0; i < req->nr_segs; i++) {
		const struct pvblk_seg *s = &req->seg[i];

		if (s->first_sect > s->last_sect || s->last_sect > 7 ||
		    s->first_sect % lb || (s->last_sect + 1) % lb)
			return PVBLK_REQ_BAD;
		total += s->last_sect - s->first_sect + 1;
	}
	if (req->op != BLKIF_OP_READ && lim->readonly)
		return PVBLK_REQ_READONLY;
	if (!total)
		return PVBLK_REQ_OK;
	if (req->sector % lb)
		return PVBLK_REQ_BAD;
	if (WIDE(req->sector) + total > lim->region.nr_sectors)
		return PVBLK_REQ_OUT_OF_REGION;
	return PVBLK_REQ_OK;
}

static void check_fetch(enum pvblk_abi abi, const u8 *slot,
			const struct pvblk_req *req)
{
	unsigned int i, n;
	struct wire_view w;

	wire_read(abi, slot, &w);
	FUZZ_CHECK(req->op == w.op, "op %u, slot says %u", req->op, w.op);
	FUZZ_CHECK(req->nr_segs == w.nr_segs, "nr_segs %u, slot says %u",
		   req->nr_segs, w.nr_segs);
	FUZZ_CHECK(req->id == w.id, "id differs");
	FUZZ_CHECK(req->sector == w.sector, "sector differs");
	n = w.nr_segs < PVBLK_MAX_DIRECT_SEGS ? w.nr_segs : PVBLK_MAX_DIRECT_SEGS;
	for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++) {
		const struct pvblk_seg *s = &req->seg[i];

		if (i < n) {
			FUZZ_CHECK(s->gref == w.gref[i] &&
				   s->first_sect == w.first[i] &&
				   s->last_sect == w.last[i], "segment %u differs", i);
		} else {
			FUZZ_CHECK(!s->gref && !s->first_sect && !s->last_sect,
				   "segment %u past nr_segs %u not zero", i, n);
		}
	}
}

static void check_ok(const struct pvblk_req *req,
		     const struct pvblk_limits *lim, const struct pvblk_io *io)
{
	unsigned int i, lb = lim->lb_sectors;
	u64 sum = 0;
	__uint128_t end;

	switch (req->op) {
	case BLKIF_OP_READ:
		FUZZ_CHECK(io->kind == PVBLK_IO_READ, "kind %d", io->kind);
		break;
	case BLKIF_OP_WRITE:
		FUZZ_CHECK(io->kind == PVBLK_IO_WRITE, "kind %d", io->kind);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		FUZZ_CHECK(lim->flush, "flush not offered");
		FUZZ_CHECK(io->kind == PVBLK_IO_FLUSH, "kind %d", io->kind);
		break;
	default:
		FUZZ_CHECK(0, "op %u accepted", req->op);
	}
	FUZZ_CHECK(req->nr_segs <= PVBLK_MAX_DIRECT_SEGS, "nr_segs %u",
		   req->nr_segs);
	FUZZ_CHECK(req->nr_segs >= 1 || io->kind == PVBLK_IO_FLUSH,
		   "no segments");
	for (i = 0; i < req->nr_segs; i++) {
		const struct pvblk_seg *s = &req->seg[i];

		FUZZ_CHECK(s->first_sect <= s->last_sect && s->last_sect < 8,
			   "segment %u: %u..%u", i, s->first_sect, s->last_sect);
		FUZZ_CHECK(s->first_sect % lb == 0 && (s->last_sect + 1) % lb == 0,
			   "segment %u: %u..%u not aligned to %u", i,
			   s->first_sect, s->last_sect, lb);
		sum += s->last_sect - s->first_sect + 1;
	}
	FUZZ_CHECK(io->nr_sectors == sum, "nr_sectors %u, segments hold %llu",
		   io->nr_sectors, (unsigned long long)sum);
	FUZZ_CHECK(!lim->readonly || io->kind == PVBLK_IO_READ,
		   "kind %d on a read-only vbd", io->kind);
	if (!io->nr_sectors) {
		FUZZ_CHECK(io->kind == PVBLK_IO_FLUSH && io->phys == 0,
			   "empty request of kind %d", io->kind);
		return;
	}
	FUZZ_CHECK(req->sector % lb == 0, "sector not aligned");
	FUZZ_CHECK(WIDE(io->phys) == WIDE(lim->region.start) + req->sector,
		   "phys %llu for sector %llu", (unsigned long long)io->phys,
		   (unsigned long long)req->sector);
	end = WIDE(lim->region.start) + lim->region.nr_sectors;
	FUZZ_CHECK(io->phys >= lim->region.start &&
		   WIDE(io->phys) + io->nr_sectors <= end,
		   "phys %llu + %u outside the region",
		   (unsigned long long)io->phys, io->nr_sectors);
}

static void check_rsp(enum pvblk_abi abi, size_t slot_size,
		      const struct pvblk_req *req, s16 status)
{
	size_t i, rsp = abi == PVBLK_ABI_X86_32 ? 12 : 16;
	u8 *slot = malloc(slot_size);
	s16 st;
	u64 id;

	FUZZ_CHECK(slot, "out of memory");
	memset(slot, 0xaa, slot_size);
	pvblk_put_rsp(abi, slot, req->id, req->op, status);
	memcpy(&id, slot, 8);
	memcpy(&st, slot + 10, 2);
	FUZZ_CHECK(id == req->id && slot[8] == req->op && st == status,
		   "response fields");
	for (i = 0; i < slot_size; i++) {
		if (i < 8 || i == 8 || i == 10 || i == 11)
			continue;
		if (i < rsp)
			FUZZ_CHECK(slot[i] == 0, "padding byte %zu is %#x", i,
				   slot[i]);
		else
			FUZZ_CHECK(slot[i] == 0xaa, "byte %zu past the response written",
				   i);
	}
	free(slot);
}

static void check_protocol(struct fuzz_in *in)
{
	enum pvblk_abi abi = PVBLK_ABI_X86_32;
	char proto[64];
	int ret;

	fuzz_copy(in, proto, sizeof(proto) - 1);
	proto[sizeof(proto) - 1] = 0;
	ret = pvblk_abi_from_protocol(proto, &abi);
	if (!proto[0]) {
		FUZZ_CHECK(ret == 0 && abi == PVBLK_ABI_NATIVE, "empty protocol");
		FUZZ_CHECK(pvblk_abi_from_protocol(NULL, &abi) == 0 &&
			   abi == PVBLK_ABI_NATIVE, "no protocol");
	} else if (!strcmp(proto, "x86_64-abi")) {
		FUZZ_CHECK(ret == 0 && abi == PVBLK_ABI_X86_64, "x86_64-abi");
	} else if (!strcmp(proto, "x86_32-abi")) {
		FUZZ_CHECK(ret == 0 && abi == PVBLK_ABI_X86_32, "x86_32-abi");
	} else {
		FUZZ_CHECK(ret == -EINVAL, "protocol \"%s\" gave %d", proto, ret);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct pvblk_limits lim = {};
	enum pvblk_verdict v, want;
	struct pvblk_req req;
	struct pvblk_io io;
	enum pvblk_abi abi;
	size_t slot_size;
	u8 *slot, flags;
	s16 status;

	lim.region.start = fuzz_u64(&in);
	lim.region.nr_sectors = fuzz_u64(&in);
	flags = fuzz_u8(&in);
	lim.lb_sectors = flags & 1 ? 8 : 1;
	lim.readonly = flags & 2;
	lim.flush = flags & 4;
	abi = flags & 8 ? PVBLK_ABI_X86_32 : PVBLK_ABI_X86_64;

	slot_size = pvblk_abi_slot_size(abi);
	FUZZ_CHECK(slot_size == (abi == PVBLK_ABI_X86_32 ? SLOT32 : SLOT64),
		   "slot size %zu", slot_size);
	/* Exactly the slot: ASan catches a read past it. */
	slot = malloc(slot_size);
	FUZZ_CHECK(slot, "out of memory");
	fuzz_copy(&in, slot, slot_size);
	if (abi == PVBLK_ABI_X86_32)
		fuzz_bytes(&in, SLOT64 - SLOT32);

	if (!pvblk_region_check(&lim.region, U64_MAX, lim.lb_sectors)) {
		memset(&req, 0xa5, sizeof(req));
		pvblk_fetch_req(abi, slot, &req);
		check_fetch(abi, slot, &req);

		want = model_verdict(&req, &lim);
		memset(&io, 0xa5, sizeof(io));
		v = pvblk_req_check(&req, &lim, &io);
		FUZZ_CHECK(v == want, "verdict %d, expected %d", v, want);
		if (v == PVBLK_REQ_OK)
			check_ok(&req, &lim, &io);

		status = pvblk_verdict_status(v);
		FUZZ_CHECK(status == (v == PVBLK_REQ_OK ? BLKIF_RSP_OKAY :
				      v == PVBLK_REQ_UNSUPPORTED ?
				      BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR),
			   "status %d for verdict %d", status, v);
		check_rsp(abi, slot_size, &req, status);
	}
	free(slot);

	check_protocol(&in);
	return 0;
}
