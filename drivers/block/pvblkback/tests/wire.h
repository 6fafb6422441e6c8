/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-side view of the blkif wire format, written with explicit byte
 * offsets (independent of the structs in blkif.c) so the tests catch a
 * layout mistake there.
 */
#ifndef PVBLK_TEST_WIRE_H
#define PVBLK_TEST_WIRE_H

#include <linux/string.h>
#include <linux/types.h>

#include "../blkif.h"

struct fe_seg {
	u32 gref;
	u8 first;
	u8 last;
};

/* Offsets of id, sector and the first segment in each ABI. */
static inline void fe_offsets(enum pvblk_abi abi, size_t *id, size_t *sec,
			      size_t *seg)
{
	if (abi == PVBLK_ABI_X86_32) {
		*id = 4;
		*sec = 12;
		*seg = 20;
	} else {
		*id = 8;
		*sec = 16;
		*seg = 24;
	}
}

static inline void fe_put_req(enum pvblk_abi abi, void *slot, u8 op, u8 nr,
			      u64 id, u64 sector, const struct fe_seg *segs,
			      unsigned int nsegs)
{
	size_t oid, osec, oseg;
	u8 *b = slot;
	unsigned int i;

	fe_offsets(abi, &oid, &osec, &oseg);
	memset(b, 0, pvblk_abi_slot_size(abi));
	b[0] = op;
	b[1] = nr;
	memcpy(b + oid, &id, 8);
	memcpy(b + osec, &sector, 8);
	for (i = 0; i < nsegs; i++) {
		memcpy(b + oseg + 8 * i, &segs[i].gref, 4);
		b[oseg + 8 * i + 4] = segs[i].first;
		b[oseg + 8 * i + 5] = segs[i].last;
	}
}

/* BLKIF_OP_DISCARD: flags at 1, the sector count after the sector. */
static inline void fe_put_discard(enum pvblk_abi abi, void *slot, u8 flags,
				  u64 id, u64 sector, u64 nr_sectors)
{
	size_t oid, osec, oseg;
	u8 *b = slot;

	fe_offsets(abi, &oid, &osec, &oseg);
	memset(b, 0, pvblk_abi_slot_size(abi));
	b[0] = BLKIF_OP_DISCARD;
	b[1] = flags;
	memcpy(b + oid, &id, 8);
	memcpy(b + osec, &sector, 8);
	memcpy(b + osec + 8, &nr_sectors, 8);
}

/* BLKIF_OP_INDIRECT: nr_segs is 16 bits, the grefs follow the handle. */
static inline void fe_put_indirect(enum pvblk_abi abi, void *slot, u8 op,
				   u16 nr, u64 id, u64 sector,
				   const u32 *grefs)
{
	size_t oid, osec, oseg, ogref;
	u8 *b = slot;

	fe_offsets(abi, &oid, &osec, &oseg);
	ogref = osec + 8 + 4;		/* past the sector, handle and pad */
	memset(b, 0, pvblk_abi_slot_size(abi));
	b[0] = BLKIF_OP_INDIRECT;
	b[1] = op;
	memcpy(b + 2, &nr, 2);
	memcpy(b + oid, &id, 8);
	memcpy(b + osec, &sector, 8);
	memcpy(b + ogref, grefs, 4 * PVBLK_MAX_INDIRECT_PAGES);
}

/* Responses: id at 0, operation at 8, status at 10 in both ABIs. */
static inline u64 fe_rsp_id(const void *slot)
{
	u64 id;

	memcpy(&id, slot, 8);
	return id;
}

static inline u8 fe_rsp_op(const void *slot)
{
	return ((const u8 *)slot)[8];
}

static inline s16 fe_rsp_status(const void *slot)
{
	s16 st;

	memcpy(&st, (const u8 *)slot + 10, 2);
	return st;
}

static inline size_t fe_rsp_size(enum pvblk_abi abi)
{
	return abi == PVBLK_ABI_X86_32 ? 12 : 16;
}

#endif /* PVBLK_TEST_WIRE_H */
