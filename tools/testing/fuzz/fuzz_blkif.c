// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: a blkif ring slot through pvblk_fetch_req(), an
 * indirect request's header and page through pvblk_indirect_check() and
 * pvblk_decode_indirect(), the request through pvblk_req_check(), its
 * answer through pvblk_rsp_op() and pvblk_put_rsp(), and the "protocol"
 * key through pvblk_abi_from_protocol() (pvblkback's blkif.c and region.c,
 * built unchanged).
 *
 * Input (little-endian; bytes past the end read as zero):
 *     0  u64   region start, in sectors
 *     8  u64   region length, in sectors
 *    16  u8    bit 0: 4 KiB logical blocks (lb_sectors 8, else 1)
 *              bit 1: read-only vbd; bit 2: flush offered;
 *              bit 3: x86_32 ABI (else x86_64); bit 4: discard offered;
 *              bit 5: discard-secure offered (also without bit 4, which
 *              pvblkback never offers: without discard, no secure erase)
 *    17  112   the ring slot as the frontend wrote it (x86_32 uses 108)
 *   129  63    a "protocol" key value
 *   192  u16   feature-max-indirect-segments: bit 15 clear: the value
 *              modulo 257 (0..256), set: 257 + (bits 0-14 << 17), past
 *              the cap of 256
 *   194  ...   the indirect page's first nr_segs descriptors, 8 bytes each
 *              (u32 gref, u8 first_sect, u8 last_sect, u16 pad); read only
 *              for an indirect request whose header passes
 * The fields since 192 come last so that older inputs keep their meaning
 * (they offer no indirect segments); so do bits 4 and 5 of byte 16 (older
 * inputs have them clear: no discard).  A region that pvblk_region_check()
 * refuses never gets a ring: such inputs only exercise the protocol key.
 *
 * Invariants:
 * - fetch: the private copy has the slot's op, nr_segs, id, sector and
 *   segments, read here at explicit offsets per ABI (independent of the
 *   structs in blkif.c); segments past nr_segs (or past 11) are zero; the
 *   slot is read within its ABI's size (the buffer is exactly that big);
 *   the segments go to the caller's storage of exactly 11 (ASan catches a
 *   write past it), which req->seg points to.  For BLKIF_OP_INDIRECT: the
 *   slot's indirect_op, u16 nr_segs, id, sector and 8 indirect grefs, all
 *   11 segments zero; for any other op indirect_op and the grefs are zero.
 *   For BLKIF_OP_DISCARD: the slot's flags byte (where nr_segs would be),
 *   id, sector and the u64 sector count after the sector; nr_segs 0 and
 *   all 11 segments zero.  For any other op the flags and count are zero.
 * - indirect header: pvblk_indirect_check() gives the model's verdict:
 *   UNSUPPORTED when no indirect segments are offered, BAD unless the
 *   inner op is READ or WRITE with 1..min(offered, 256) segments.  On OK
 *   the page copy of exactly nr_segs descriptors decodes into exactly
 *   nr_segs segments (ASan catches an access past either), each with its
 *   descriptor's gref, first and last sector.  Otherwise pvblk_req_check()
 *   gives the same verdict without reading a segment: req->seg points to
 *   a zero-size allocation.
 * - check: the verdict is the one of a reference model computed with
 *   128-bit sector arithmetic; and on OK: the op (an indirect request's
 *   inner op) is READ, WRITE or (when offered, not indirect) FLUSH and the
 *   kind matches; nr_segs is 1..11 (0..11 for a flush, 1..min(offered,
 *   256) indirect); every segment has first <= last < 8, both lb-aligned;
 *   nr_sectors is the sum of the segment sizes; a range with sectors
 *   starts lb-aligned and lies inside [start, start + length) of the
 *   region on the device (128-bit); a bare flush has nr_sectors 0; nothing
 *   but a read on a read-only vbd.  A discard (offered, never indirect:
 *   the indirect header refuses that inner op) passes only on a writable
 *   vbd, with a count that is not 0, sector and count lb-aligned, and
 *   sector + count within the region (128-bit); on OK it is a secure erase
 *   exactly when the request has BLKIF_DISCARD_SECURE and discard-secure
 *   is offered, has no segments, nr_sectors is its count, and the range
 *   on the device is checked as above.
 * - the status for the verdict is OKAY, EOPNOTSUPP or ERROR as documented.
 * - rsp_op: an indirect request's inner op, any other request's op.
 * - put_rsp (with the id and rsp_op): id at 0, op at 8, status at 10,
 *   every other byte of the response (12 bytes x86_32, 16 x86_64) zero,
 *   the rest of the slot untouched (it was 0xaa).
 * - protocol: "" and the two x86 names are accepted with the right ABI,
 *   anything else is -EINVAL.
 */
#include <string.h>

#include <linux/errno.h>

#include "fuzz.h"
#include "blkif.h"

#define SLOT64		112
#define SLOT32		108
#define PROTO_LEN	63
/* The cap blkif.h documents, written out rather than taken from the code. */
#define INDIRECT_CAP	256
#define DESC_SIZE	8

/* The slot as read at the wire offsets of @abi. */
struct wire_view {
	u8 op;
	u8 indirect_op;
	u8 discard_flags;
	u16 nr_segs;
	u64 id;
	u64 sector;
	u64 discard_sectors;
	u32 gref[PVBLK_MAX_DIRECT_SEGS];
	u8 first[PVBLK_MAX_DIRECT_SEGS];
	u8 last[PVBLK_MAX_DIRECT_SEGS];
	u32 indirect_gref[PVBLK_MAX_INDIRECT_PAGES];
};

static void wire_read(enum pvblk_abi abi, const u8 *b, struct wire_view *w)
{
	size_t oid = 8, osec = 16, oseg = 24, oind = 28;
	unsigned int i;

	if (abi == PVBLK_ABI_X86_32) {
		oid = 4;
		osec = 12;
		oseg = 20;
		oind = 24;
	}
	memset(w, 0, sizeof(*w));
	w->op = b[0];
	memcpy(&w->id, b + oid, 8);
	memcpy(&w->sector, b + osec, 8);
	if (w->op == BLKIF_OP_INDIRECT) {
		/* No segments in the slot; the grefs follow handle and pad. */
		w->indirect_op = b[1];
		memcpy(&w->nr_segs, b + 2, 2);
		for (i = 0; i < PVBLK_MAX_INDIRECT_PAGES; i++)
			memcpy(&w->indirect_gref[i], b + oind + 4 * i, 4);
		return;
	}
	if (w->op == BLKIF_OP_DISCARD) {
		/* No segments either; byte 1 is the flags, not a count. */
		w->discard_flags = b[1];
		memcpy(&w->discard_sectors, b + osec + 8, 8);
		return;
	}
	w->nr_segs = b[1];
	for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++) {
		memcpy(&w->gref[i], b + oseg + 8 * i, 4);
		w->first[i] = b[oseg + 8 * i + 4];
		w->last[i] = b[oseg + 8 * i + 5];
	}
}

/* The most segments an indirect request may have under @lim. */
static unsigned int model_indirect_max(const struct pvblk_limits *lim)
{
	return lim->max_indirect_segs < INDIRECT_CAP ?
	       lim->max_indirect_segs : INDIRECT_CAP;
}

/* What pvblk_indirect_check() must answer, from the header alone. */
static enum pvblk_verdict model_indirect(const struct pvblk_req *req,
					 const struct pvblk_limits *lim)
{
	unsigned int max = model_indirect_max(lim);

	if (!max)
		return PVBLK_REQ_UNSUPPORTED;
	if (req->indirect_op != BLKIF_OP_READ &&
	    req->indirect_op != BLKIF_OP_WRITE)
		return PVBLK_REQ_BAD;
	if (req->nr_segs < 1 || req->nr_segs > max)
		return PVBLK_REQ_BAD;
	return PVBLK_REQ_OK;
}

/* Whether an accepted discard must be a secure erase. */
static bool model_secure(const struct pvblk_req *req,
			 const struct pvblk_limits *lim)
{
	return (req->discard_flags & BLKIF_DISCARD_SECURE) &&
	       lim->secure_discard;
}

/* A discard: no segments, a range of whole logical blocks in the region. */
static enum pvblk_verdict model_discard(const struct pvblk_req *req,
					const struct pvblk_limits *lim)
{
	unsigned int lb = lim->lb_sectors;

	if (!lim->discard)
		return PVBLK_REQ_UNSUPPORTED;
	if (lim->readonly)
		return PVBLK_REQ_READONLY;
	if (!req->discard_sectors || req->sector % lb ||
	    req->discard_sectors % lb)
		return PVBLK_REQ_BAD;
	if (WIDE(req->sector) + req->discard_sectors > lim->region.nr_sectors)
		return PVBLK_REQ_OUT_OF_REGION;
	return PVBLK_REQ_OK;
}

/* What pvblk_req_check() must answer, from the definition of a request. */
static enum pvblk_verdict model_verdict(const struct pvblk_req *req,
					const struct pvblk_limits *lim)
{
	unsigned int i, lb = lim->lb_sectors, min_segs = 1;
	unsigned int max_segs = PVBLK_MAX_DIRECT_SEGS;
	u8 op = req->op;
	u64 total = 0;

	if (op == BLKIF_OP_INDIRECT) {
		enum pvblk_verdict v = model_indirect(req, lim);

		/* Decided before there are segments to look at. */
		if (v != PVBLK_REQ_OK)
			return v;
		op = req->indirect_op;
		max_segs = model_indirect_max(lim);
	}
	switch (op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		break;
	case BLKIF_OP_DISCARD:
		/* Never the inner op here: model_indirect() refused it. */
		return model_discard(req, lim);
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim->flush)
			return PVBLK_REQ_UNSUPPORTED;
		min_segs = 0;
		break;
	default:
		return PVBLK_REQ_UNSUPPORTED;
	}
	if (req->nr_segs < min_segs || req->nr_segs > max_segs)
		return PVBLK_REQ_BAD;
	for (i = 0; i < req->nr_segs; i++) {
		const struct pvblk_seg *s = &req->seg[i];

		if (s->first_sect > s->last_sect || s->last_sect > 7 ||
		    s->first_sect % lb || (s->last_sect + 1) % lb)
			return PVBLK_REQ_BAD;
		total += s->last_sect - s->first_sect + 1;
	}
	if (op != BLKIF_OP_READ && lim->readonly)
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
			const struct pvblk_req *req,
			const struct pvblk_seg *seg)
{
	unsigned int i, n;
	struct wire_view w;

	wire_read(abi, slot, &w);
	FUZZ_CHECK(req->seg == seg, "req->seg is not the caller's storage");
	FUZZ_CHECK(req->op == w.op, "op %u, slot says %u", req->op, w.op);
	FUZZ_CHECK(req->indirect_op == w.indirect_op,
		   "indirect_op %u, slot says %u", req->indirect_op,
		   w.indirect_op);
	FUZZ_CHECK(req->nr_segs == w.nr_segs, "nr_segs %u, slot says %u",
		   req->nr_segs, w.nr_segs);
	FUZZ_CHECK(req->discard_flags == w.discard_flags,
		   "discard flags %#x, slot says %#x", req->discard_flags,
		   w.discard_flags);
	FUZZ_CHECK(req->discard_sectors == w.discard_sectors,
		   "discard sectors %llu, slot says %llu",
		   (unsigned long long)req->discard_sectors,
		   (unsigned long long)w.discard_sectors);
	FUZZ_CHECK(req->id == w.id, "id differs");
	FUZZ_CHECK(req->sector == w.sector, "sector differs");
	for (i = 0; i < PVBLK_MAX_INDIRECT_PAGES; i++)
		FUZZ_CHECK(req->indirect_gref[i] == w.indirect_gref[i],
			   "indirect gref %u: %u, slot says %u", i,
			   req->indirect_gref[i], w.indirect_gref[i]);
	/* Neither an indirect request's segments nor a discard's are in it. */
	n = w.nr_segs;
	if (w.op == BLKIF_OP_INDIRECT || w.op == BLKIF_OP_DISCARD)
		n = 0;
	if (n > PVBLK_MAX_DIRECT_SEGS)
		n = PVBLK_MAX_DIRECT_SEGS;
	for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++) {
		const struct pvblk_seg *s = &req->seg[i];

		if (i < n) {
			FUZZ_CHECK(s->gref == w.gref[i] &&
				   s->first_sect == w.first[i] &&
				   s->last_sect == w.last[i], "segment %u differs", i);
		} else {
			FUZZ_CHECK(!s->gref && !s->first_sect && !s->last_sect,
				   "segment %u past %u not zero", i, n);
		}
	}
}

/* The descriptors of the indirect page copy, read at explicit offsets. */
static void check_decode(const u8 *page, unsigned int n,
			 const struct pvblk_seg *seg)
{
	unsigned int i;
	u32 gref;

	for (i = 0; i < n; i++) {
		const u8 *d = page + DESC_SIZE * i;

		memcpy(&gref, d, 4);
		FUZZ_CHECK(seg[i].gref == gref && seg[i].first_sect == d[4] &&
			   seg[i].last_sect == d[5],
			   "indirect segment %u: %u %u..%u, page says %u %u..%u",
			   i, seg[i].gref, seg[i].first_sect, seg[i].last_sect,
			   gref, d[4], d[5]);
	}
}

/* A range with sectors: where it starts, and that it stays in the region. */
static void check_range(const struct pvblk_req *req,
			const struct pvblk_limits *lim,
			const struct pvblk_io *io)
{
	__uint128_t end;

	FUZZ_CHECK(req->sector % lim->lb_sectors == 0, "sector not aligned");
	FUZZ_CHECK(WIDE(io->phys) == WIDE(lim->region.start) + req->sector,
		   "phys %llu for sector %llu", (unsigned long long)io->phys,
		   (unsigned long long)req->sector);
	end = WIDE(lim->region.start) + lim->region.nr_sectors;
	FUZZ_CHECK(io->phys >= lim->region.start &&
		   WIDE(io->phys) + io->nr_sectors <= end,
		   "phys %llu + %llu outside the region",
		   (unsigned long long)io->phys,
		   (unsigned long long)io->nr_sectors);
}

/* An accepted discard: whole blocks of a writable vbd, no segments. */
static void check_ok_discard(const struct pvblk_req *req,
			     const struct pvblk_limits *lim,
			     const struct pvblk_io *io)
{
	enum pvblk_io_kind kind = model_secure(req, lim) ?
				  PVBLK_IO_SECURE_ERASE : PVBLK_IO_DISCARD;

	FUZZ_CHECK(lim->discard, "discard not offered");
	FUZZ_CHECK(!lim->readonly, "discard on a read-only vbd");
	FUZZ_CHECK(io->kind == kind, "kind %d, expected %d (flags %#x)",
		   io->kind, kind, req->discard_flags);
	FUZZ_CHECK(!req->nr_segs, "discard with %u segments", req->nr_segs);
	FUZZ_CHECK(io->nr_sectors && io->nr_sectors == req->discard_sectors,
		   "nr_sectors %llu for a discard of %llu",
		   (unsigned long long)io->nr_sectors,
		   (unsigned long long)req->discard_sectors);
	FUZZ_CHECK(io->nr_sectors % lim->lb_sectors == 0,
		   "discard of %llu sectors not aligned to %u",
		   (unsigned long long)io->nr_sectors, lim->lb_sectors);
	check_range(req, lim, io);
}

static void check_ok(const struct pvblk_req *req,
		     const struct pvblk_limits *lim, const struct pvblk_io *io)
{
	unsigned int i, lb = lim->lb_sectors, max = PVBLK_MAX_DIRECT_SEGS;
	bool indirect = req->op == BLKIF_OP_INDIRECT;
	u8 op = indirect ? req->indirect_op : req->op;
	u64 sum = 0;

	if (indirect)
		max = model_indirect_max(lim);
	switch (op) {
	case BLKIF_OP_READ:
		FUZZ_CHECK(io->kind == PVBLK_IO_READ, "kind %d", io->kind);
		break;
	case BLKIF_OP_WRITE:
		FUZZ_CHECK(io->kind == PVBLK_IO_WRITE, "kind %d", io->kind);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		FUZZ_CHECK(!indirect, "indirect flush accepted");
		FUZZ_CHECK(lim->flush, "flush not offered");
		FUZZ_CHECK(io->kind == PVBLK_IO_FLUSH, "kind %d", io->kind);
		break;
	case BLKIF_OP_DISCARD:
		FUZZ_CHECK(!indirect, "indirect discard accepted");
		check_ok_discard(req, lim, io);
		return;
	default:
		FUZZ_CHECK(0, "op %u (indirect: %d) accepted", op, indirect);
	}
	FUZZ_CHECK(req->nr_segs <= max, "nr_segs %u, at most %u",
		   req->nr_segs, max);
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
	FUZZ_CHECK(io->nr_sectors == sum, "nr_sectors %llu, segments hold %llu",
		   (unsigned long long)io->nr_sectors,
		   (unsigned long long)sum);
	FUZZ_CHECK(!lim->readonly || io->kind == PVBLK_IO_READ,
		   "kind %d on a read-only vbd", io->kind);
	if (!io->nr_sectors) {
		FUZZ_CHECK(io->kind == PVBLK_IO_FLUSH && io->phys == 0,
			   "empty request of kind %d", io->kind);
		return;
	}
	check_range(req, lim, io);
}

static void check_rsp(enum pvblk_abi abi, size_t slot_size,
		      const struct pvblk_req *req, u8 op, s16 status)
{
	size_t i, rsp = abi == PVBLK_ABI_X86_32 ? 12 : 16;
	u8 *slot = malloc(slot_size);
	s16 st;
	u64 id;

	FUZZ_CHECK(slot, "out of memory");
	memset(slot, 0xaa, slot_size);
	pvblk_put_rsp(abi, slot, req->id, op, status);
	memcpy(&id, slot, 8);
	memcpy(&st, slot + 10, 2);
	FUZZ_CHECK(id == req->id && slot[8] == op && st == status,
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
	char proto[PROTO_LEN + 1];
	int ret;

	fuzz_copy(in, proto, PROTO_LEN);
	proto[PROTO_LEN] = 0;
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

/*
 * The header of an indirect request, then (if it passes) its page copy
 * from @in, decoded; returns the header's verdict and leaves req->seg at
 * the segments, which the caller frees.
 */
static enum pvblk_verdict check_indirect(struct pvblk_req *req,
					 const struct pvblk_limits *lim,
					 struct fuzz_in *in)
{
	enum pvblk_verdict v, want;
	struct pvblk_seg *seg;
	u8 *page;

	v = pvblk_indirect_check(req, lim);
	want = model_indirect(req, lim);
	FUZZ_CHECK(v == want,
		   "indirect verdict %d, expected %d (nr_segs %u, %u offered)",
		   v, want, req->nr_segs, lim->max_indirect_segs);
	if (v != PVBLK_REQ_OK) {
		/* Nothing to read yet: any access to it is an ASan report. */
		req->seg = malloc(0);
		return v;
	}

	/* Exactly what nr_segs asks for: ASan catches an access past it. */
	page = malloc(req->nr_segs * DESC_SIZE);
	seg = malloc(req->nr_segs * sizeof(*seg));
	FUZZ_CHECK(page && seg, "out of memory");
	fuzz_copy(in, page, req->nr_segs * DESC_SIZE);
	memset(seg, 0xa5, req->nr_segs * sizeof(*seg));
	pvblk_decode_indirect(page, req->nr_segs, seg);
	check_decode(page, req->nr_segs, seg);
	free(page);
	req->seg = seg;
	return v;
}

/* One request from its slot to its response, as the ring loop takes it. */
static void check_request(enum pvblk_abi abi, const u8 *slot,
			  size_t slot_size, const struct pvblk_limits *lim,
			  struct fuzz_in *in)
{
	enum pvblk_verdict v, want, hdr = PVBLK_REQ_OK;
	struct pvblk_seg *seg, *iseg = NULL;
	struct pvblk_req req;
	struct pvblk_io io;
	s16 status;
	u8 op;

	/* Exactly the segments a fetch may fill: ASan catches one more. */
	seg = malloc(PVBLK_MAX_DIRECT_SEGS * sizeof(*seg));
	FUZZ_CHECK(seg, "out of memory");
	memset(seg, 0xa5, PVBLK_MAX_DIRECT_SEGS * sizeof(*seg));
	memset(&req, 0xa5, sizeof(req));
	pvblk_fetch_req(abi, slot, &req, seg);
	check_fetch(abi, slot, &req, seg);
	if (req.op == BLKIF_OP_INDIRECT) {
		hdr = check_indirect(&req, lim, in);
		iseg = req.seg;
	}

	want = model_verdict(&req, lim);
	memset(&io, 0xa5, sizeof(io));
	v = pvblk_req_check(&req, lim, &io);
	FUZZ_CHECK(v == want, "verdict %d, expected %d", v, want);
	FUZZ_CHECK(hdr == PVBLK_REQ_OK || v == hdr,
		   "verdict %d, indirect header's %d", v, hdr);
	if (v == PVBLK_REQ_OK)
		check_ok(&req, lim, &io);

	status = pvblk_verdict_status(v);
	FUZZ_CHECK(status == (v == PVBLK_REQ_OK ? BLKIF_RSP_OKAY :
			      v == PVBLK_REQ_UNSUPPORTED ?
			      BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR),
		   "status %d for verdict %d", status, v);
	/* blkfront matches the response to the inner op it sent. */
	op = pvblk_rsp_op(&req);
	FUZZ_CHECK(op == (req.op == BLKIF_OP_INDIRECT ? req.indirect_op :
			  req.op),
		   "response op %u for op %u, inner %u", op, req.op,
		   req.indirect_op);
	check_rsp(abi, slot_size, &req, op, status);
	free(iseg);
	free(seg);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct pvblk_limits lim = {};
	enum pvblk_abi abi;
	size_t slot_size;
	u8 *slot, flags;
	u16 max_ind;

	lim.region.start = fuzz_u64(&in);
	lim.region.nr_sectors = fuzz_u64(&in);
	flags = fuzz_u8(&in);
	lim.lb_sectors = flags & 1 ? 8 : 1;
	lim.readonly = flags & 2;
	lim.flush = flags & 4;
	abi = flags & 8 ? PVBLK_ABI_X86_32 : PVBLK_ABI_X86_64;
	lim.discard = flags & 16;
	lim.secure_discard = flags & 32;

	slot_size = pvblk_abi_slot_size(abi);
	FUZZ_CHECK(slot_size == (abi == PVBLK_ABI_X86_32 ? SLOT32 : SLOT64),
		   "slot size %zu", slot_size);
	/* Exactly the slot: ASan catches a read past it. */
	slot = malloc(slot_size);
	FUZZ_CHECK(slot, "out of memory");
	fuzz_copy(&in, slot, slot_size);
	if (abi == PVBLK_ABI_X86_32)
		fuzz_bytes(&in, SLOT64 - SLOT32);

	check_protocol(&in);

	/* Mostly 0..256; values past the cap must act as 256. */
	max_ind = fuzz_u16(&in);
	if (max_ind & 0x8000)
		lim.max_indirect_segs = INDIRECT_CAP + 1 +
					((u32)(max_ind & 0x7fff) << 17);
	else
		lim.max_indirect_segs = max_ind % 257;

	if (!pvblk_region_check(&lim.region, U64_MAX, lim.lb_sectors))
		check_request(abi, slot, slot_size, &lim, &in);
	free(slot);
	return 0;
}
