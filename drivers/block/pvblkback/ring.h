/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvblkback ring engine: takes requests off one blkif ring, checks them,
 * hands valid ones to the I/O layer and answers every request exactly
 * once.  Grant mapping, event channels and block I/O are reached only
 * through struct pvblk_ring_ops, so KUnit runs this engine against fake
 * grants and a fake disk.
 */
#ifndef PVBLK_RING_H
#define PVBLK_RING_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/pvback.h>
#include <xen/grant_table.h>

#include "../../xen/pvback/pvback_ring.h"
#include "blkif.h"
#include "pgnt.h"

enum pvblk_stat {
	PVBLK_ST_RD_REQ,
	PVBLK_ST_WR_REQ,
	PVBLK_ST_F_REQ,
	PVBLK_ST_RD_SECT,
	PVBLK_ST_WR_SECT,
	PVBLK_ST_OO_REQ,
	PVBLK_ST_REGION_ERR,
	PVBLK_ST_BAD_REQ,
	PVBLK_ST_UNSUP_REQ,
	PVBLK_ST_MAP_ERR,
	PVBLK_ST_IO_ERR,
	PVBLK_ST_RING_ERR,
	PVBLK_ST_DS_REQ,
	PVBLK_ST_DS_SECT,
	PVBLK_ST_COPY_REQ,
	PVBLK_NR_STATS
};

/*
 * Per vbd, summed over its rings; read locklessly by sysfs.  lat[] is the
 * histogram of statistics/latency_us (buckets in <linux/pvback.h>).
 */
struct pvblk_stats {
	atomic64_t v[PVBLK_NR_STATS];
	atomic64_t lat[PVBLK_LAT_BUCKETS];
};

struct pvblk_ring;

/* Requests whose grants are mapped or unmapped with one hypercall. */
#define PVBLK_BATCH	32

/*
 * Bounce pages a vbd keeps for copied requests (1 MiB): 4 KiB requests
 * up to queue depth 256; beyond them requests are mapped instead.  A vbd
 * with several rings shares them out (ring->bounce_max), so the guest's
 * choice of queue count does not multiply dom0's memory.
 */
#define PVBLK_BOUNCE_MAX	256

/* A request between ring and response: owned by the ring's thread. */
struct pvblk_pending {
	struct list_head node;		/* free list or done list */
	struct pvblk_ring *ring;
	struct pvblk_req req;		/* req.seg: the ring's seg_max entries */
	struct pvblk_io io;
	/* Segments mapped for this request alone, unmapped when it ends. */
	unsigned int nr_mapped;
	struct page **pages;		/* seg_max entries of the ring's */
	grant_handle_t *handles;	/* seg_max entries of the ring's */
	/* Per segment: the persistent grant it uses, or NULL. */
	struct pvblk_pgnt **pg;
	/*
	 * Its data goes through dom0 pages by grant copy: pages[] are the
	 * ring's bounce pages, and no guest page is mapped.
	 */
	bool copy;
	bool copy_failed;		/* set by ops->copy and copy_atomic */
	u64 start_ns;			/* when it was submitted */
	atomic_t bios;			/* I/O layer: bios in flight + 1 */
	int error;			/* I/O layer: first error */
};

struct pvblk_ring_ops {
	/*
	 * Map the grants of @n requests together (one hypercall): for each,
	 * the segments i of p->req.seg without a persistent grant (p->pg[i]
	 * NULL) into p->pages[i] and p->handles[i].  Read-only if the device
	 * only reads guest memory, unless the ring keeps persistent grants
	 * (later requests may read into them).  p->nr_mapped becomes the
	 * number of segments mapped, or 0 if any failed: then nothing of the
	 * request stays mapped.  The batch holds at most ring->batch_segs
	 * segments.
	 */
	void (*map)(struct pvblk_ring *ring, struct pvblk_pending **reqs,
		    unsigned int n);
	/*
	 * Copy @len bytes from the start of the guest page @gref (an indirect
	 * request's first indirect page) into @buf, once.
	 */
	int (*read_indirect)(struct pvblk_ring *ring, u32 gref, void *buf,
			     size_t len);
	/* Undo @n mappings together (at most ring->batch_segs). */
	void (*unmap)(struct pvblk_ring *ring, struct page **pages,
		      grant_handle_t *handles, unsigned int n);
	/*
	 * Optional: undo the @n (at most PVBLK_MAX_DIRECT_SEGS) mappings of
	 * one ended request from any context, a bio's completion included,
	 * so that it can be answered there.  Return: false, with nothing
	 * undone, if that cannot be done now; unmap() does it later.
	 */
	bool (*unmap_atomic)(struct pvblk_ring *ring, struct page **pages,
			     grant_handle_t *handles, unsigned int n);
	/*
	 * Optional, with copy_atomic: grant copy between the guest's segments
	 * of @n requests (p->copy set) and their pages p->pages[i], with one
	 * hypercall: into the pages before a write (@to_guest false), out of
	 * them once a read ended (@to_guest true).  Sets p->copy_failed if
	 * any segment of p failed.  At most PVBLK_BATCH requests of at most
	 * lim->copy_segs segments each.
	 */
	void (*copy)(struct pvblk_ring *ring, struct pvblk_pending **reqs,
		     unsigned int n, bool to_guest);
	/*
	 * Copy one ended read out to the guest, as copy() does, from any
	 * context.  Return: false if that cannot be done now; copy() does it
	 * later.
	 */
	bool (*copy_atomic)(struct pvblk_ring *ring, struct pvblk_pending *p);
	/*
	 * Start p->io; ends with pvblk_ring_complete(), from any context,
	 * possibly before submit() returns.
	 */
	void (*submit)(struct pvblk_ring *ring, struct pvblk_pending *p);
	/* Tell the frontend that responses are waiting. */
	void (*notify)(struct pvblk_ring *ring);
};

struct pvblk_ring {
	const struct pvblk_ring_ops *ops;
	void *priv;			/* for ops */
	const struct pvblk_limits *lim;	/* owned by the vbd */
	struct pvblk_stats *stats;	/* owned by the vbd */
	const char *name;		/* "vbd <domid>/<devid>" for logs */
	enum pvblk_abi abi;
	/* Both ends agreed on feature-persistent; set before init. */
	bool persistent;
	/* Bounce pages this ring may keep, 0 for PVBLK_BOUNCE_MAX; ditto. */
	unsigned int bounce_max;

	/*
	 * Only the ring's thread (or a KUnit test standing in for it) touches
	 * the fields below up to rs, so they need no lock; except br's
	 * response side (rsp_prod_pvt and the slots it has not published),
	 * which is written under lock.
	 */
	struct pvback_ring br;
	struct pvblk_pending *pool;
	unsigned int pool_size;
	unsigned int seg_max;		/* segments a pending request holds */
	unsigned int batch_segs;	/* segments mapped together, at most */
	struct pvblk_seg *segs;		/* pool_size * seg_max, for the pool */
	struct page **pages;
	grant_handle_t *handles;
	struct pvblk_pgnt **pgs;
	/* batch_segs long: mappings gathered for one unmap call */
	struct page **tmp_pages;
	grant_handle_t *tmp_handles;
	struct pvblk_pgnt_cache pgnt;	/* empty unless persistent */
	void *indirect_buf;		/* private copy of an indirect page */
	/* Pages of copied requests: a stack, the first bounce_free free. */
	struct page **bounce;
	unsigned int nr_bounce;
	unsigned int bounce_free;
	struct list_head free;
	bool stopped;			/* frontend broke the ring protocol */
	struct ratelimit_state rs;

	/*
	 * lock protects the fields below up to closing and br's response
	 * side: a completion arrives in any context and, when it has no
	 * mapping left to undo there, answers its request at once.
	 */
	spinlock_t lock;
	unsigned int inflight;		/* submitted, not yet answered */
	u32 rsp_pub;			/* responses published up to here */
	u64 hold_until;			/* held responses due (ns), or 0 */
	struct list_head done;		/* ended, mappings left to undo */
	struct list_head released;	/* answered, may hold persistent grants */
	bool want_kick;			/* the thread waits for a free request */
	bool closing;			/* the thread waits for the last one */

	/* Set by completions and events, waited on by the ring's thread. */
	wait_queue_head_t wq;
	atomic_t kicked;
};

int pvblk_ring_init(struct pvblk_ring *ring, void *sring, size_t bytes,
		    enum pvblk_abi abi);
size_t pvblk_ring_mem(const struct pvblk_ring *ring);
void pvblk_ring_free(struct pvblk_ring *ring);
bool pvblk_ring_process(struct pvblk_ring *ring, unsigned int *consumed);
void pvblk_ring_drain(struct pvblk_ring *ring);
bool pvblk_ring_close(struct pvblk_ring *ring);
void pvblk_ring_complete(struct pvblk_pending *p, int error);
void pvblk_ring_kick(struct pvblk_ring *ring);
unsigned int pvblk_ring_pgrants(const struct pvblk_ring *ring);
u64 pvblk_ring_hold_left(struct pvblk_ring *ring);
unsigned int pvblk_lat_bucket(u64 ns);

static inline void pvblk_stat_add(struct pvblk_stats *s, enum pvblk_stat i,
				  u64 n)
{
	atomic64_add(n, &s->v[i]);
}

#endif /* PVBLK_RING_H */
