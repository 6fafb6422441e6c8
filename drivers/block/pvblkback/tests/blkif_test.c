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
	struct fe_seg segs[PVBLK_MAX_DIRECT_SEGS];
	u8 slot[128];
	struct pvblk_req req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		segs[i] = (struct fe_seg){ .gref = 100 + i, .first = i % 8,
					   .last = 7 };
	fe_put_req(abi, slot, BLKIF_OP_WRITE, 11, 0x1122334455667788ULL,
		   0xabcdef0123ULL, segs, 11);
	pvblk_fetch_req(abi, slot, &req);
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
	u8 slot[128];
	struct pvblk_req req;

	/* Claims 255 segments: we keep the count (to refuse it) ... */
	fe_put_req(PVBLK_ABI_X86_64, slot, BLKIF_OP_READ, 255, 1, 0, &seg, 1);
	pvblk_fetch_req(PVBLK_ABI_X86_64, slot, &req);
	KUNIT_EXPECT_EQ(test, req.nr_segs, 255);
	/* ... but never read past the slot's eleven. */
	KUNIT_EXPECT_EQ(test, req.seg[0].gref, 5U);
	KUNIT_EXPECT_EQ(test, req.seg[10].gref, 0U);
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
	const struct check_case *c;
	struct pvblk_req req;
	struct pvblk_io io;
	unsigned int i;

	for (c = check_cases; c < check_cases + ARRAY_SIZE(check_cases); c++) {
		const struct pvblk_limits *lim = c->lim.lb_sectors ? &c->lim :
								    &test_lim;

		memset(&req, 0, sizeof(req));
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

static void req_check_translates(struct kunit *test)
{
	struct pvblk_req req = { .op = BLKIF_OP_WRITE, .nr_segs = 3,
				 .sector = 100 };
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
	KUNIT_CASE(rsp_x86_64),
	KUNIT_CASE(rsp_x86_32),
	KUNIT_CASE(req_check_table),
	KUNIT_CASE(req_check_translates),
	KUNIT_CASE(verdict_status),
	{}
};

static struct kunit_suite pvblk_blkif_suite = {
	.name = "pvblkback-blkif",
	.test_cases = pvblk_blkif_cases,
};

kunit_test_suite(pvblk_blkif_suite);
