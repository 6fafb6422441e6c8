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
/*
 * Segments of an indirect request we accept at most: a bio holds 256
 * pages, and 256 descriptors of 8 bytes fit one indirect page, so an
 * indirect request never needs more than one (of the protocol's eight).
 */
#define PVBLK_MAX_INDIRECT_SEGS		256
#define PVBLK_WIRE_SEG_SIZE		8
#define PVBLK_SEGS_PER_INDIRECT_PAGE	(XEN_PAGE_SIZE / PVBLK_WIRE_SEG_SIZE)
#define PVBLK_MAX_INDIRECT_PAGES	BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST

struct pvblk_seg {
	u32 gref;
	u8 first_sect;
	u8 last_sect;
};

/*
 * Private copy of one request.  The segments live in storage of the
 * caller's (seg); for a direct request the first PVBLK_MAX_DIRECT_SEGS
 * are filled from the slot and zero beyond nr_segs, for an indirect one
 * pvblk_decode_indirect() fills them from the indirect page.
 */
struct pvblk_req {
	u64 id;
	u64 sector;
	u8 op;
	u8 indirect_op;		/* BLKIF_OP_INDIRECT only */
	u8 discard_flags;	/* BLKIF_OP_DISCARD only */
	u16 nr_segs;		/* as sent, may exceed any limit; 0 for discard */
	u64 discard_sectors;	/* BLKIF_OP_DISCARD only */
	u32 indirect_gref[PVBLK_MAX_INDIRECT_PAGES];
	struct pvblk_seg *seg;
};

void pvblk_fetch_req(enum pvblk_abi abi, const void *slot,
		     struct pvblk_req *req, struct pvblk_seg *seg);
void pvblk_put_rsp(enum pvblk_abi abi, void *slot, u64 id, u8 op,
		   s16 status);
u8 pvblk_rsp_op(const struct pvblk_req *req);

/*
 * Ring geometry: up to 2^PVBLK_MAX_RING_ORDER pages a ring (what
 * xenbus_map_ring_valloc() maps at most), up to PVBLK_MAX_QUEUES rings.
 */
#define PVBLK_MAX_RING_ORDER	4
#define PVBLK_MAX_QUEUES	32

int pvblk_geom_check(unsigned int nr_queues, unsigned int order,
		     unsigned int max_queues, unsigned int max_order);

/* What a vbd allows; fixed while its rings run. */
struct pvblk_limits {
	struct pvblk_region region;
	unsigned int lb_sectors;	/* logical block size / 512 */
	bool readonly;
	bool flush;			/* feature-flush-cache advertised */
	/* feature-max-indirect-segments advertised; 0: no indirect requests */
	unsigned int max_indirect_segs;
	/* requests a ring takes at once; 0: as many as it has slots */
	unsigned int max_requests;
	/* persistent grants a ring keeps; 0: feature-persistent not offered */
	unsigned int max_pgrants;
	/* how long a response may wait for others to share an interrupt */
	u32 rsp_hold_ns;
	/* answer a request where its I/O ends, not always in the thread */
	bool answer_inline;
	/* requests of at most this many segments go by grant copy; 0: none */
	unsigned int copy_segs;
	bool discard;			/* feature-discard advertised */
	bool secure_discard;		/* discard-secure advertised */
};

enum pvblk_io_kind {
	PVBLK_IO_READ,
	PVBLK_IO_WRITE,
	PVBLK_IO_FLUSH,		/* cache flush, then the data if any */
	PVBLK_IO_DISCARD,
	PVBLK_IO_SECURE_ERASE,	/* a discard the device must make unreadable */
};

/* A checked request, translated to the physical device. */
struct pvblk_io {
	enum pvblk_io_kind kind;
	u64 phys;		/* first device sector */
	u64 nr_sectors;
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
enum pvblk_verdict pvblk_indirect_check(const struct pvblk_req *req,
					const struct pvblk_limits *lim);
void pvblk_decode_indirect(const void *buf, unsigned int nr_segs,
			   struct pvblk_seg *seg);
s16 pvblk_verdict_status(enum pvblk_verdict v);

#endif /* PVBLK_BLKIF_H */
