/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvblkback: one struct pvblk_dev per vbd (xenbus device), one
 * struct pvblk_queue per ring of that vbd.
 */
#ifndef PVBLKBACK_H
#define PVBLKBACK_H

#include <linux/blkdev.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "../../xen/pvback/pvback_compat.h"
#include "../../xen/pvback/pvback_report.h"
#include "region.h"
#include "io.h"
#include "ring.h"

struct pvblk_dev;

/*
 * Unused ballooned pages a queue keeps for its next mappings (4 MiB):
 * enough for 32 requests of 32 segments in flight without allocating.
 */
#define PVBLK_PAGE_CACHE_MAX	1024

/* One ring with its thread, event channel and grant pages. */
struct pvblk_queue {
	struct pvblk_dev *dev;
	unsigned int index;
	struct pvblk_ring ring;
	void *sring;			/* mapped shared ring */
	int irq;
	struct task_struct *task;
	/* Set by the IRQ handler, cleared by the thread before it EOIs. */
	atomic_t event;
	/* Set once to make the thread stop taking requests (teardown). */
	bool quit;
	struct gnttab_page_cache pages;	/* ballooned pages for mappings */
	/* Scratch for one request's grant operations; the thread's only. */
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_unmap_grant_ref *unmap_ops;
	struct gnttab_copy *copy_ops;	/* nr_copy_ops, if grant copy is on */
	unsigned int nr_copy_ops;
};

/*
 * Life cycle (all transitions under @lock, from xenwatch or the vbd's
 * work items):
 *
 *   probe --> InitWait --(physical-device)--> opened, region claimed
 *   InitWait + claimed + frontend Initialised/Connected
 *            --> rings mapped, Connected (threads run)
 *   frontend Closing/Closed, or remove --> draining: the threads stop
 *            taking requests, drain_work waits for their I/O outside
 *            xenwatch, frees the rings, then switches to Closing/Closed
 *   frontend Initialising while Closed --> InitWait (reconnect)
 *   remove --> claim released once drained, disk closed, freed
 *
 * No ring is mapped before the region is claimed, so no request is served
 * with limits that are not final.  A refused region switches to Closed
 * and stays there.  A region still held by a removed vbd that is draining
 * is waited for (retry_work), not refused: the same VM reattached or
 * rebooted gets it back.  A region the VM's old domain still holds (a
 * migration to this host) is claimed but deferred (claim.deferred): the
 * vbd connects once the old domain's claim is gone (retry_work).  On a
 * disk shared between servers the "lease" key gates serving the same way
 * (pvblk_lease_serves()): no connect before the server holds the region's
 * lease, and a lease lost drains the rings at once.
 */
struct pvblk_dev {
	struct xenbus_device *xdev;
	domid_t domid;
	u32 handle;			/* devid */
	char name[32];			/* "vbd <domid>/<devid>" */

	/* Reports of the frontend's mistakes, across its connections. */
	struct ratelimit_state report_rs;

	struct mutex lock;		/* protects everything below */
	/* Registered while their node is set (pvblk_unwatch()). */
	struct xenbus_watch watch;	/* on physical-device */
	struct xenbus_watch lease_watch;	/* on lease */
	enum pvblk_lease lease;		/* as last seen, for messages */
	bool lease_seen;		/* a lease key was there once */

	/* The backing disk; opened once when physical-device appears. */
	struct pvback_bdev disk;
	dev_t devt;
	bool claimed;
	bool refused;
	struct pvblk_claim claim;
	struct pvblk_limits lim;

	enum pvblk_abi abi;
	unsigned int max_queues;	/* offered, fixed at probe */
	unsigned int max_order;		/* offered, fixed at probe */
	unsigned int nr_queues;
	bool persistent;		/* feature-persistent agreed */
	struct pvblk_queue *queues;
	bool connected;

	/* Teardown, pvblk_start_drain(). */
	struct work_struct drain_work;
	struct pvblk_queue *drain_queues;	/* the drain work's alone */
	unsigned int drain_nr;
	bool draining;
	enum xenbus_state drain_state;	/* switched to once drained */
	bool removed;			/* pvblk_remove() has begun */
	bool dead;			/* ... and left the freeing to drain_work */

	/* Waiting for a released claim: pvblk_claims_lock guards these two. */
	struct list_head wait_node;
	bool waiting;
	struct work_struct retry_work;

	struct pvblk_stats stats;	/* atomics, read without @lock */
};

extern const struct pvblk_ring_ops pvblk_xen_ops;

int pvblk_queue_connect(struct pvblk_queue *q, grant_ref_t *refs,
			unsigned int nr_refs, evtchn_port_t evtchn);
void pvblk_queue_quit(struct pvblk_queue *q);
void pvblk_queue_disconnect(struct pvblk_queue *q);
size_t pvblk_queue_mem(const struct pvblk_queue *q);

int pvblk_sysfs_add(struct pvblk_dev *dev);
void pvblk_sysfs_del(struct pvblk_dev *dev);

#endif /* PVBLKBACK_H */
