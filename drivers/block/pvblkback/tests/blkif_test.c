// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: blkif decoding (copy once, both ABIs), responses without leaks,
 * and every check of pvblk_req_check().
 */
#include <kunit/test.h>

#include "wire.h"

static void abi_protocols(struct kunit *test)
{
	enum pvblk_abi abi = PVBLK_ABI_X86_32;

	KUNIT_EXPECT_EQ(test, pvblk_abi_from_protocol(NULL, &abi), 0);
	KUNIT_EXPECT_EQ(test, abi, PVBLK_ABI_NATIVE);
	KUNIT_EXPECT_EQ(test, pvblk_abi_from_protocol("", &abi), 0);
	KUNIT_EXPECT_EQ(test, abi, PVBLK_ABI_NATIVE);
	KUNIT_EXPECT_EQ(test, pvblk_abi_from_protocol("x86_32-abi", &abi), 0);
	KUNIT_EXPECT_EQ(test, abi, PVBLK_ABI_X86_32);
	KUNIT_EXPECT_EQ(test, pvblk_abi_from_protocol("x86_64-abi", &abi), 0);
	KUNIT_EXPECT_EQ(test, abi, PVBLK_ABI_X86_64);
	KUNIT_EXPECT_EQ(test, pvblk_abi_from_protocol("arm-abi", &abi),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_abi_from_protocol("x86_64-abiX", &abi),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_abi_slot_size(PVBLK_ABI_X86_64), 112UL);
	KUNIT_EXPECT_EQ(test, pvblk_abi_slot_size(PVBLK_ABI_X86_32), 108UL);
}

static void fetch_abi(struct kunit *test, enum pvblk_abi abi)
{
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS];
	struct fe_seg segs[PVBLK_MAX_DIRECT_SEGS];
	u8 slot[128];
	struct pvblk_req req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		segs[i] = (struct fe_seg){ .gref = 100 + i, .first = i % 8,
					   .last = 7 };
	fe_put_req(abi, slot, BLKIF_OP_WRITE, 11, 0x1122334455667788ULL,
		   0xabcdef0123ULL, segs, 11);
	pvblk_fetch_req(abi, slot, &req, seg);
	KUNIT_EXPECT_PTR_EQ(test, req.seg, &seg[0]);
	KUNIT_EXPECT_EQ(test, req.op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, req.nr_segs, 11);
	KUNIT_EXPECT_EQ(test, req.id, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, req.sector, 0xabcdef0123ULL);
	for (i = 0; i < 11; i++) {
		KUNIT_EXPECT_EQ(test, req.seg[i].gref, 100 + i);
		KUNIT_EXPECT_EQ(test, req.seg[i].first_sect, i % 8);
		KUNIT_EXPECT_EQ(test, req.seg[i].last_sect, 7);
	}

	/* The private copy does not follow later changes to the slot. */
	memset(slot, 0xff, sizeof(slot));
	KUNIT_EXPECT_EQ(test, req.nr_segs, 11);
	KUNIT_EXPECT_EQ(test, req.seg[3].gref, 103U);
}

static void fetch_x86_64(struct kunit *test)
{
	fetch_abi(test, PVBLK_ABI_X86_64);
}

static void fetch_x86_32(struct kunit *test)
{
	fetch_abi(test, PVBLK_ABI_X86_32);
}

static void fetch_oversized_count(struct kunit *test)
{
	struct fe_seg seg = { .gref = 5, .first = 0, .last = 7 };
	struct pvblk_seg segs[PVBLK_MAX_DIRECT_SEGS + 1];
	u8 slot[128];
	struct pvblk_req req;

	/* Claims 255 segments: we keep the count (to refuse it) ... */
	fe_put_req(PVBLK_ABI_X86_64, slot, BLKIF_OP_READ, 255, 1, 0, &seg, 1);
	segs[PVBLK_MAX_DIRECT_SEGS].gref = 0xdead;
	pvblk_fetch_req(PVBLK_ABI_X86_64, slot, &req, segs);
	KUNIT_EXPECT_EQ(test, req.nr_segs, 255);
	/* ... but never read past the slot's eleven. */
	KUNIT_EXPECT_EQ(test, req.seg[0].gref, 5U);
	KUNIT_EXPECT_EQ(test, req.seg[10].gref, 0U);
	KUNIT_EXPECT_EQ(test, segs[PVBLK_MAX_DIRECT_SEGS].gref, 0xdeadU);
}

static void fetch_indirect_abi(struct kunit *test, enum pvblk_abi abi)
{
	static const u32 grefs[PVBLK_MAX_INDIRECT_PAGES] = {
		71, 72, 73, 74, 75, 76, 77, 0xfffffff0 };
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS];
	struct pvblk_req req;
	u8 slot[128];
	unsigned int i;

	fe_put_indirect(abi, slot, BLKIF_OP_WRITE, 300, 0x55aa55aa55aa55aaULL,
			0x123456789ULL, grefs);
	memset(seg, 0xff, sizeof(seg));
	pvblk_fetch_req(abi, slot, &req, seg);
	KUNIT_EXPECT_EQ(test, req.op, BLKIF_OP_INDIRECT);
	KUNIT_EXPECT_EQ(test, req.indirect_op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, req.nr_segs, 300);
	KUNIT_EXPECT_EQ(test, req.id, 0x55aa55aa55aa55aaULL);
	KUNIT_EXPECT_EQ(test, req.sector, 0x123456789ULL);
	for (i = 0; i < PVBLK_MAX_INDIRECT_PAGES; i++)
		KUNIT_EXPECT_EQ(test, req.indirect_gref[i], grefs[i]);
	/* The slot holds no segments: none are taken from it. */
	for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++)
		KUNIT_EXPECT_EQ(test, seg[i].gref, 0U);
	KUNIT_EXPECT_EQ(test, pvblk_rsp_op(&req), BLKIF_OP_WRITE);
}

static void fetch_indirect_x86_64(struct kunit *test)
{
	fetch_indirect_abi(test, PVBLK_ABI_X86_64);
}

static void fetch_indirect_x86_32(struct kunit *test)
{
	fetch_indirect_abi(test, PVBLK_ABI_X86_32);
}

static void fetch_discard_abi(struct kunit *test, enum pvblk_abi abi)
{
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS];
	struct pvblk_req req;
	u8 slot[128];

	fe_put_discard(abi, slot, BLKIF_DISCARD_SECURE, 77, 0x1000, 1ULL << 33);
	pvblk_fetch_req(abi, slot, &req, seg);
	KUNIT_EXPECT_EQ(test, req.op, BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, req.discard_flags, BLKIF_DISCARD_SECURE);
	KUNIT_EXPECT_EQ(test, req.id, 77ULL);
	KUNIT_EXPECT_EQ(test, req.sector, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, req.discard_sectors, 1ULL << 33);
	/* The flags byte is not a segment count. */
	KUNIT_EXPECT_EQ(test, req.nr_segs, 0);
	KUNIT_EXPECT_EQ(test, pvblk_rsp_op(&req), BLKIF_OP_DISCARD);
}

static void fetch_discard_x86_64(struct kunit *test)
{
	fetch_discard_abi(test, PVBLK_ABI_X86_64);
}

static void fetch_discard_x86_32(struct kunit *test)
{
	fetch_discard_abi(test, PVBLK_ABI_X86_32);
}

static void decode_indirect(struct kunit *test)
{
	struct pvblk_seg seg[3];
	u8 page[3 * 8 + 8];
	unsigned int i;

	memset(page, 0xee, sizeof(page));
	for (i = 0; i < 3; i++) {
		u32 gref = 1000 + i;

		memcpy(page + 8 * i, &gref, 4);
		page[8 * i + 4] = i;
		page[8 * i + 5] = 7 - i;
	}
	pvblk_decode_indirect(page, 3, seg);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, seg[i].gref, 1000 + i);
		KUNIT_EXPECT_EQ(test, seg[i].first_sect, i);
		KUNIT_EXPECT_EQ(test, seg[i].last_sect, 7 - i);
	}
}

static void rsp_abi(struct kunit *test, enum pvblk_abi abi)
{
	size_t size = fe_rsp_size(abi);
	u8 slot[128];
	size_t i;

	memset(slot, 0xaa, sizeof(slot));
	pvblk_put_rsp(abi, slot, 0x0102030405060708ULL, BLKIF_OP_READ,
		      BLKIF_RSP_EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, fe_rsp_id(slot), 0x0102030405060708ULL);
	KUNIT_EXPECT_EQ(test, fe_rsp_op(slot), BLKIF_OP_READ);
	KUNIT_EXPECT_EQ(test, fe_rsp_status(slot), BLKIF_RSP_EOPNOTSUPP);
	/* Padding is zeroed, not left as it was (XSA-216) ... */
	KUNIT_EXPECT_EQ(test, slot[9], 0);
	for (i = 12; i < size; i++)
		KUNIT_EXPECT_EQ(test, slot[i], 0);
	/* ... and nothing past the response is written. */
	KUNIT_EXPECT_EQ(test, slot[size], 0xaa);
}

static void rsp_x86_64(struct kunit *test)
{
	rsp_abi(test, PVBLK_ABI_X86_64);
}

static void rsp_x86_32(struct kunit *test)
{
	rsp_abi(test, PVBLK_ABI_X86_32);
}

/* A region of 1000 sectors at 5000, 512-byte blocks, writable, flush. */
static const struct pvblk_limits test_lim = {
	.region = { .start = 5000, .nr_sectors = 1000 },
	.lb_sectors = 1,
	.readonly = false,
	.flush = true,
};

struct check_case {
	const char *what;
	u8 op;
	u8 nr_segs;
	u64 sector;
	u8 first;
	u8 last;
	struct pvblk_limits lim;
	enum pvblk_verdict verdict;
};

static const struct check_case check_cases[] = {
	{ "read", BLKIF_OP_READ, 1, 0, 0, 7, {}, PVBLK_REQ_OK },
	{ "write", BLKIF_OP_WRITE, 11, 0, 0, 7, {}, PVBLK_REQ_OK },
	{ "last sectors", BLKIF_OP_READ, 1, 992, 0, 7, {}, PVBLK_REQ_OK },
	{ "one sector", BLKIF_OP_READ, 1, 999, 3, 3, {}, PVBLK_REQ_OK },
	{ "bare flush", BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0, {},
	  PVBLK_REQ_OK },
	{ "flush with data", BLKIF_OP_FLUSH_DISKCACHE, 1, 8, 0, 7, {},
	  PVBLK_REQ_OK },
	{ "no segments", BLKIF_OP_READ, 0, 0, 0, 7, {}, PVBLK_REQ_BAD },
	{ "12 segments", BLKIF_OP_WRITE, 12, 0, 0, 7, {}, PVBLK_REQ_BAD },
	{ "255 segments", BLKIF_OP_WRITE, 255, 0, 0, 7, {}, PVBLK_REQ_BAD },
	{ "first > last", BLKIF_OP_READ, 1, 0, 5, 4, {}, PVBLK_REQ_BAD },
	{ "last = 8", BLKIF_OP_READ, 1, 0, 0, 8, {}, PVBLK_REQ_BAD },
	{ "last = 255", BLKIF_OP_READ, 1, 0, 200, 255, {}, PVBLK_REQ_BAD },
	{ "past the region", BLKIF_OP_READ, 1, 993, 0, 7, {},
	  PVBLK_REQ_OUT_OF_REGION },
	{ "at the region end", BLKIF_OP_WRITE, 1, 1000, 0, 0, {},
	  PVBLK_REQ_OUT_OF_REGION },
	{ "sector wraps", BLKIF_OP_WRITE, 11, U64_MAX - 8, 0, 7, {},
	  PVBLK_REQ_OUT_OF_REGION },
	{ "barrier (not offered)", BLKIF_OP_WRITE_BARRIER, 1, 0, 0, 7, {},
	  PVBLK_REQ_UNSUPPORTED },
	{ "discard (not offered)", BLKIF_OP_DISCARD, 0, 0, 0, 0, {},
	  PVBLK_REQ_UNSUPPORTED },
	{ "indirect (not offered)", BLKIF_OP_INDIRECT, 1, 0, 0, 7, {},
	  PVBLK_REQ_UNSUPPORTED },
	{ "reserved op 4", 4, 1, 0, 0, 7, {}, PVBLK_REQ_UNSUPPORTED },
	{ "op 255", 255, 1, 0, 0, 7, {}, PVBLK_REQ_UNSUPPORTED },
	{ "write to read-only", BLKIF_OP_WRITE, 1, 0, 0, 7,
	  { .region = { 5000, 1000 }, .lb_sectors = 1, .readonly = true },
	  PVBLK_REQ_READONLY },
	{ "read from read-only", BLKIF_OP_READ, 1, 0, 0, 7,
	  { .region = { 5000, 1000 }, .lb_sectors = 1, .readonly = true },
	  PVBLK_REQ_OK },
	{ "flush not offered", BLKIF_OP_FLUSH_DISKCACHE, 0, 0, 0, 0,
	  { .region = { 5000, 1000 }, .lb_sectors = 1, .readonly = true },
	  PVBLK_REQ_UNSUPPORTED },
	{ "4k: aligned", BLKIF_OP_READ, 1, 8, 0, 7,
	  { .region = { 5000, 1000 }, .lb_sectors = 8 }, PVBLK_REQ_OK },
	{ "4k: sector misaligned", BLKIF_OP_READ, 1, 4, 0, 7,
	  { .region = { 5000, 1000 }, .lb_sectors = 8 }, PVBLK_REQ_BAD },
	{ "4k: partial block", BLKIF_OP_READ, 1, 8, 0, 3,
	  { .region = { 5000, 1000 }, .lb_sectors = 8 }, PVBLK_REQ_BAD },
};

static void req_check_table(struct kunit *test)
{
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS];
	const struct check_case *c;
	struct pvblk_req req;
	struct pvblk_io io;
	unsigned int i;

	for (c = check_cases; c < check_cases + ARRAY_SIZE(check_cases); c++) {
		const struct pvblk_limits *lim = c->lim.lb_sectors ? &c->lim :
								    &test_lim;

		memset(&req, 0, sizeof(req));
		req.seg = seg;
		req.op = c->op;
		req.nr_segs = c->nr_segs;
		req.sector = c->sector;
		req.id = 42;
		for (i = 0; i < PVBLK_MAX_DIRECT_SEGS; i++) {
			req.seg[i].first_sect = c->first;
			req.seg[i].last_sect = c->last;
		}
		KUNIT_EXPECT_EQ_MSG(test, pvblk_req_check(&req, lim, &io),
				    c->verdict, "case: %s", c->what);
	}
}

/*
 * Before its disk is opened a vbd's limits are zero: no block size to
 * divide by.  Every request is refused then, none reaches the disk.
 */
static void req_check_no_limits(struct kunit *test)
{
	static const u8 ops[] = { BLKIF_OP_READ, BLKIF_OP_WRITE,
				  BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_DISCARD,
				  BLKIF_OP_INDIRECT };
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS] = {};
	struct pvblk_limits lim = {};
	struct pvblk_req req;
	struct pvblk_io io;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		memset(&req, 0, sizeof(req));
		req.seg = seg;
		req.op = ops[i];
		req.indirect_op = BLKIF_OP_READ;
		req.nr_segs = 1;
		req.discard_sectors = 8;
		seg[0].last_sect = 7;
		KUNIT_EXPECT_EQ_MSG(test, pvblk_req_check(&req, &lim, &io),
				    PVBLK_REQ_BAD, "op %u", ops[i]);
	}
}

static void req_check_translates(struct kunit *test)
{
	struct pvblk_seg seg[3];
	struct pvblk_req req = { .op = BLKIF_OP_WRITE, .nr_segs = 3,
				 .sector = 100, .seg = seg };
	struct pvblk_io io;

	req.seg[0] = (struct pvblk_seg){ .first_sect = 0, .last_sect = 7 };
	req.seg[1] = (struct pvblk_seg){ .first_sect = 2, .last_sect = 2 };
	req.seg[2] = (struct pvblk_seg){ .first_sect = 0, .last_sect = 3 };
	KUNIT_ASSERT_EQ(test, pvblk_req_check(&req, &test_lim, &io),
			PVBLK_REQ_OK);
	KUNIT_EXPECT_EQ(test, io.kind, PVBLK_IO_WRITE);
	KUNIT_EXPECT_EQ(test, io.nr_sectors, 13U);
	KUNIT_EXPECT_EQ(test, io.phys, 5100ULL);
}

struct indirect_case {
	const char *what;
	u8 indirect_op;
	u16 nr_segs;
	unsigned int max;	/* lim.max_indirect_segs */
	u8 readonly;
	u64 sector;
	enum pvblk_verdict verdict;
};

static const struct indirect_case indirect_cases[] = {
	{ "read 32", BLKIF_OP_READ, 32, 256, 0, 0, PVBLK_REQ_OK },
	{ "write 256", BLKIF_OP_WRITE, 256, 256, 0, 0, PVBLK_REQ_OK },
	{ "one segment", BLKIF_OP_READ, 1, 256, 0, 0, PVBLK_REQ_OK },
	{ "at the cap", BLKIF_OP_READ, 32, 32, 0, 0, PVBLK_REQ_OK },
	{ "over the cap", BLKIF_OP_READ, 33, 32, 0, 0, PVBLK_REQ_BAD },
	{ "257 segments", BLKIF_OP_WRITE, 257, 256, 0, 0, PVBLK_REQ_BAD },
	{ "cap above 256 is 256", BLKIF_OP_WRITE, 257, 4096, 0, 0,
	  PVBLK_REQ_BAD },
	{ "65535 segments", BLKIF_OP_READ, 65535, 256, 0, 0, PVBLK_REQ_BAD },
	{ "no segments", BLKIF_OP_READ, 0, 256, 0, 0, PVBLK_REQ_BAD },
	{ "not offered", BLKIF_OP_READ, 8, 0, 0, 0, PVBLK_REQ_UNSUPPORTED },
	{ "inner flush", BLKIF_OP_FLUSH_DISKCACHE, 8, 256, 0, 0,
	  PVBLK_REQ_BAD },
	{ "inner indirect", BLKIF_OP_INDIRECT, 8, 256, 0, 0, PVBLK_REQ_BAD },
	{ "inner discard", BLKIF_OP_DISCARD, 8, 256, 0, 0, PVBLK_REQ_BAD },
	{ "inner op 200", 200, 8, 256, 0, 0, PVBLK_REQ_BAD },
	{ "write to read-only", BLKIF_OP_WRITE, 8, 256, 1, 0,
	  PVBLK_REQ_READONLY },
	{ "read from read-only", BLKIF_OP_READ, 8, 256, 1, 0, PVBLK_REQ_OK },
	/* 256 segments of 8 sectors from 2048: ends at 4096, the region end */
	{ "up to the region end", BLKIF_OP_READ, 256, 256, 0, 2048,
	  PVBLK_REQ_OK },
	{ "past the region", BLKIF_OP_READ, 256, 256, 0, 2049,
	  PVBLK_REQ_OUT_OF_REGION },
};

static void indirect_check_table(struct kunit *test)
{
	struct pvblk_seg *seg;
	const struct indirect_case *c;
	struct pvblk_limits lim;
	struct pvblk_req req;
	struct pvblk_io io;
	unsigned int i;

	seg = kunit_kcalloc(test, 65535, sizeof(*seg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seg);
	for (i = 0; i < 65535; i++)
		seg[i] = (struct pvblk_seg){ .first_sect = 0, .last_sect = 7 };
	for (c = indirect_cases; c < indirect_cases + ARRAY_SIZE(indirect_cases);
	     c++) {
		lim = test_lim;
		lim.region.nr_sectors = 4096;
		lim.max_indirect_segs = c->max;
		lim.readonly = c->readonly;
		memset(&req, 0, sizeof(req));
		req.op = BLKIF_OP_INDIRECT;
		req.indirect_op = c->indirect_op;
		req.nr_segs = c->nr_segs;
		req.sector = c->sector;
		req.seg = seg;
		/* The header check alone decides whether segments are read. */
		if (c->verdict == PVBLK_REQ_BAD ||
		    c->verdict == PVBLK_REQ_UNSUPPORTED)
			KUNIT_EXPECT_EQ_MSG(test,
					    pvblk_indirect_check(&req, &lim),
					    c->verdict, "case: %s", c->what);
		else
			KUNIT_EXPECT_EQ_MSG(test,
					    pvblk_indirect_check(&req, &lim),
					    PVBLK_REQ_OK, "case: %s", c->what);
		KUNIT_EXPECT_EQ_MSG(test, pvblk_req_check(&req, &lim, &io),
				    c->verdict, "case: %s", c->what);
		if (c->verdict == PVBLK_REQ_OK) {
			KUNIT_EXPECT_EQ(test, io.nr_sectors, 8U * c->nr_segs);
			KUNIT_EXPECT_EQ(test, io.kind,
					c->indirect_op == BLKIF_OP_READ ?
					PVBLK_IO_READ : PVBLK_IO_WRITE);
			KUNIT_EXPECT_EQ(test, io.phys, 5000 + c->sector);
		}
	}
}

struct discard_case {
	const char *what;
	u8 flags;
	u64 sector;
	u64 nr;
	bool discard, secure, readonly;
	unsigned int lb;
	enum pvblk_verdict verdict;
	enum pvblk_io_kind kind;
};

static const struct discard_case discard_cases[] = {
	{ "whole region", 0, 0, 1000, 1, 0, 0, 1, PVBLK_REQ_OK,
	  PVBLK_IO_DISCARD },
	{ "one sector", 0, 999, 1, 1, 0, 0, 1, PVBLK_REQ_OK, PVBLK_IO_DISCARD },
	{ "secure, offered", BLKIF_DISCARD_SECURE, 8, 8, 1, 1, 0, 1,
	  PVBLK_REQ_OK, PVBLK_IO_SECURE_ERASE },
	{ "secure, not offered: plain", BLKIF_DISCARD_SECURE, 8, 8, 1, 0, 0, 1,
	  PVBLK_REQ_OK, PVBLK_IO_DISCARD },
	{ "not offered", 0, 0, 8, 0, 0, 0, 1, PVBLK_REQ_UNSUPPORTED },
	{ "read-only vbd", 0, 0, 8, 1, 0, 1, 1, PVBLK_REQ_READONLY },
	{ "no sectors", 0, 0, 0, 1, 0, 0, 1, PVBLK_REQ_BAD },
	{ "past the region", 0, 993, 8, 1, 0, 0, 1, PVBLK_REQ_OUT_OF_REGION },
	{ "2^64 sectors wrap", 0, 8, U64_MAX - 7, 1, 0, 0, 1,
	  PVBLK_REQ_OUT_OF_REGION },
	{ "4k: aligned", 0, 8, 16, 1, 0, 0, 8, PVBLK_REQ_OK, PVBLK_IO_DISCARD },
	{ "4k: start misaligned", 0, 4, 16, 1, 0, 0, 8, PVBLK_REQ_BAD },
	{ "4k: length misaligned", 0, 8, 12, 1, 0, 0, 8, PVBLK_REQ_BAD },
};

static void discard_check_table(struct kunit *test)
{
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS];
	const struct discard_case *c;
	struct pvblk_limits lim;
	struct pvblk_req req;
	struct pvblk_io io;

	for (c = discard_cases; c < discard_cases + ARRAY_SIZE(discard_cases);
	     c++) {
		lim = test_lim;
		lim.discard = c->discard;
		lim.secure_discard = c->secure;
		lim.readonly = c->readonly;
		lim.lb_sectors = c->lb;
		memset(&req, 0, sizeof(req));
		req.seg = seg;
		req.op = BLKIF_OP_DISCARD;
		req.discard_flags = c->flags;
		req.sector = c->sector;
		req.discard_sectors = c->nr;
		KUNIT_EXPECT_EQ_MSG(test, pvblk_req_check(&req, &lim, &io),
				    c->verdict, "case: %s", c->what);
		if (c->verdict != PVBLK_REQ_OK)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, io.kind, c->kind, "case: %s", c->what);
		KUNIT_EXPECT_EQ(test, io.phys, 5000 + c->sector);
		KUNIT_EXPECT_EQ(test, io.nr_sectors, c->nr);
	}
}

/* Queue and ring size selection: what was offered, never more. */
static void geom_selection(struct kunit *test)
{
	/* The defaults of a frontend that knows neither feature. */
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(1, 0, 2, 4), 0);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(2, 0, 2, 4), 0);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(2, 4, 2, 4), 0);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(1, 2, 1, 2), 0);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(0, 0, 2, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(3, 0, 2, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(4096, 0, 2, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(UINT_MAX, 0, 2, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(1, 5, 2, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(1, 1, 2, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(1, UINT_MAX, 2, 4), -EINVAL);
	/* An offer beyond what we can map is capped. */
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(1, 5, 2, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(PVBLK_MAX_QUEUES + 1, 0,
					       1000, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvblk_geom_check(PVBLK_MAX_QUEUES, 0,
					       1000, 4), 0);
}

static void verdict_status(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pvblk_verdict_status(PVBLK_REQ_OK),
			BLKIF_RSP_OKAY);
	KUNIT_EXPECT_EQ(test, pvblk_verdict_status(PVBLK_REQ_UNSUPPORTED),
			BLKIF_RSP_EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, pvblk_verdict_status(PVBLK_REQ_BAD),
			BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, pvblk_verdict_status(PVBLK_REQ_READONLY),
			BLKIF_RSP_ERROR);
	KUNIT_EXPECT_EQ(test, pvblk_verdict_status(PVBLK_REQ_OUT_OF_REGION),
			BLKIF_RSP_ERROR);
}

static struct kunit_case pvblk_blkif_cases[] = {
	KUNIT_CASE(abi_protocols),
	KUNIT_CASE(fetch_x86_64),
	KUNIT_CASE(fetch_x86_32),
	KUNIT_CASE(fetch_oversized_count),
	KUNIT_CASE(fetch_indirect_x86_64),
	KUNIT_CASE(fetch_indirect_x86_32),
	KUNIT_CASE(fetch_discard_x86_64),
	KUNIT_CASE(fetch_discard_x86_32),
	KUNIT_CASE(discard_check_table),
	KUNIT_CASE(decode_indirect),
	KUNIT_CASE(rsp_x86_64),
	KUNIT_CASE(rsp_x86_32),
	KUNIT_CASE(req_check_table),
	KUNIT_CASE(req_check_translates),
	KUNIT_CASE(req_check_no_limits),
	KUNIT_CASE(indirect_check_table),
	KUNIT_CASE(geom_selection),
	KUNIT_CASE(verdict_status),
	{}
};

static struct kunit_suite pvblk_blkif_suite = {
	.name = "pvblkback-blkif",
	.test_cases = pvblk_blkif_cases,
};

kunit_test_suite(pvblk_blkif_suite);
