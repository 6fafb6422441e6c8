/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions: the window (start, length) of a physical disk that one vbd may
 * touch, and the registry that keeps writable windows from overlapping.
 *
 * Pure arithmetic, no Xen calls: KUnit drives it directly.  All sector
 * numbers are in 512-byte units.
 */
#ifndef PVBLK_REGION_H
#define PVBLK_REGION_H

#include <linux/list.h>
#include <linux/types.h>

struct pvblk_region {
	u64 start;
	u64 nr_sectors;
};

/*
 * Highest sector count we ever accept: keeps start + length and
 * (start + length) << 9 free of overflow in every later computation.
 */
#define PVBLK_REGION_MAX_SECTORS	(U64_MAX >> 10)

int pvblk_region_check(const struct pvblk_region *r, u64 dev_sectors,
		       unsigned int lb_sectors);
int pvblk_region_translate(const struct pvblk_region *r, u64 sector,
			   u64 nr_sectors, u64 *phys);
bool pvblk_region_overlap(const struct pvblk_region *a,
			  const struct pvblk_region *b);

/*
 * One claim per opened vbd.  @disk identifies the whole physical disk and
 * @abs the region in that disk's absolute sectors, so that a partition and
 * the disk it lives on are compared correctly.
 */
struct pvblk_claim {
	struct list_head node;
	dev_t disk;
	struct pvblk_region abs;
	bool writable;
	/*
	 * Its vbd is removed but its I/O has not all ended: a new claim that
	 * conflicts only with released ones waits instead of being refused.
	 */
	bool released;
	char owner[64];
};

const struct pvblk_claim *pvblk_claim_conflict(const struct list_head *claims,
					       const struct pvblk_claim *c);

#endif /* PVBLK_REGION_H */
