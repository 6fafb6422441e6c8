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
#include <xen/grant_table.h>
#include <xen/xenbus.h>

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
	struct gnttab_page_cache pages;	/* ballooned pages for mappings */
	/* Scratch for one request's grant operations; the thread's only. */
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_unmap_grant_ref *unmap_ops;
	struct gnttab_copy *copy_ops;	/* nr_copy_ops, if grant copy is on */
	unsigned int nr_copy_ops;
};

/*
 * Life cycle (all transitions under @lock, from the xenwatch thread):
 *
 *   probe --> InitWait --(physical-device)--> opened, region claimed
 *                     --(frontend Initialised/Connected)--> rings mapped
 *   opened + rings mapped --> Connected (threads run)
 *   frontend Closing/Closed --> rings torn down, back to InitWait on
 *   reconnect; remove --> claim released, disk closed
 *
 * A refused region switches to Closed and stays there.
 */
struct pvblk_dev {
	struct xenbus_device *xdev;
	domid_t domid;
	u32 handle;			/* devid */
	char name[32];			/* "vbd <domid>/<devid>" */

	struct mutex lock;		/* protects everything below */
	struct xenbus_watch watch;	/* on physical-device */
	bool watching;

	/* The backing disk; set once when physical-device appears. */
	struct block_device *bdev;
	fmode_t fmode;
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

	struct pvblk_stats stats;	/* atomics, read without @lock */
};

extern const struct pvblk_ring_ops pvblk_xen_ops;

int pvblk_queue_connect(struct pvblk_queue *q, grant_ref_t *refs,
			unsigned int nr_refs, evtchn_port_t evtchn);
void pvblk_queue_disconnect(struct pvblk_queue *q);
size_t pvblk_queue_mem(const struct pvblk_queue *q);

int pvblk_sysfs_add(struct pvblk_dev *dev);
void pvblk_sysfs_del(struct pvblk_dev *dev);

#endif /* PVBLKBACK_H */
