/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The blkif wire format as seen by pvblkback, and the checks every request
 * passes before anything acts on it.  Pure code, no Xen calls.
 *
 * A request is copied out of the shared ring once, into struct pvblk_req,
 * and only that private copy is looked at afterwards (XSA-155).
 */
#ifndef PVBLK_BLKIF_H
#define PVBLK_BLKIF_H

#include <linux/types.h>
#include <xen/interface/io/blkif.h>
#include <xen/interface/io/protocols.h>
#include <xen/page.h>

#include "region.h"

/* Guest ABIs a frontend may speak ("protocol" key). */
enum pvblk_abi {
	PVBLK_ABI_X86_32,
	PVBLK_ABI_X86_64,
};

#ifdef CONFIG_X86_64
#define PVBLK_ABI_NATIVE	PVBLK_ABI_X86_64
#else
#define PVBLK_ABI_NATIVE	PVBLK_ABI_X86_32
#endif

int pvblk_abi_from_protocol(const char *protocol, enum pvblk_abi *abi);
size_t pvblk_abi_slot_size(enum pvblk_abi abi);

/* Sectors in one granted page, and the highest valid last_sect. */
#define PVBLK_SECTORS_PER_PAGE	(XEN_PAGE_SIZE >> 9)
#define PVBLK_MAX_DIRECT_SEGS	BLKIF_MAX_SEGMENTS_PER_REQUEST

struct pvblk_seg {
	u32 gref;
	u8 first_sect;
	u8 last_sect;
};

/* Private copy of one request; fields beyond nr_segs are zero. */
struct pvblk_req {
	u64 id;
	u64 sector;
	u8 op;
	u8 nr_segs;		/* as sent, may exceed the array */
	struct pvblk_seg seg[PVBLK_MAX_DIRECT_SEGS];
};

void pvblk_fetch_req(enum pvblk_abi abi, const void *slot,
		     struct pvblk_req *req);
void pvblk_put_rsp(enum pvblk_abi abi, void *slot, u64 id, u8 op,
		   s16 status);

/* What a vbd allows; fixed while its rings run. */
struct pvblk_limits {
	struct pvblk_region region;
	unsigned int lb_sectors;	/* logical block size / 512 */
	bool readonly;
	bool flush;			/* feature-flush-cache advertised */
};

enum pvblk_io_kind {
	PVBLK_IO_READ,
	PVBLK_IO_WRITE,
	PVBLK_IO_FLUSH,		/* cache flush, then the data if any */
};

/* A checked request, translated to the physical device. */
struct pvblk_io {
	enum pvblk_io_kind kind;
	u64 phys;		/* first device sector */
	u32 nr_sectors;
};

enum pvblk_verdict {
	PVBLK_REQ_OK,
	PVBLK_REQ_BAD,		/* malformed: segments, sectors, alignment */
	PVBLK_REQ_UNSUPPORTED,	/* operation we do not offer */
	PVBLK_REQ_READONLY,	/* write to a read-only vbd */
	PVBLK_REQ_OUT_OF_REGION,	/* sectors outside the region */
};

enum pvblk_verdict pvblk_req_check(const struct pvblk_req *req,
				   const struct pvblk_limits *lim,
				   struct pvblk_io *io);
s16 pvblk_verdict_status(enum pvblk_verdict v);

#endif /* PVBLK_BLKIF_H */
