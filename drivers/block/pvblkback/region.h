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
#include <linux/uuid.h>

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
	/*
	 * The VM and domain served.  @vm is the toolstack's UUID of the domain
	 * (from its "vm" key, which the guest can read but not write); @has_vm
	 * is false when the toolstack wrote none.  Two domains of one VM live
	 * together only while it is restored from a checkpoint or migrated:
	 * the new one may then claim the very region the old one holds.
	 */
	uuid_t vm;
	bool has_vm;
	u16 domid;
	/*
	 * Held, not served: another domain of the VM holds the region too
	 * (pvblk_claim_partner()).  At most one of a VM's domains on a region
	 * is not deferred.  Written under the registry lock (by the claim's
	 * own vbd, under its lock too).
	 */
	bool deferred;
	char owner[64];
};

bool pvblk_claim_handover(const struct pvblk_claim *a,
			  const struct pvblk_claim *b);
const struct pvblk_claim *pvblk_claim_partner(const struct list_head *claims,
					      const struct pvblk_claim *c);
const struct pvblk_claim *pvblk_claim_conflict(const struct list_head *claims,
					       const struct pvblk_claim *c);

/* A vbd's lease on shared storage, from its "lease" key (pvback.h). */
enum pvblk_lease {
	PVBLK_LEASE_NONE,	/* no key: the disk is not shared */
	PVBLK_LEASE_PENDING,	/* not (yet) this server's: do not serve */
	PVBLK_LEASE_HELD,	/* serve */
	PVBLK_LEASE_LOST,	/* stop serving */
};

enum pvblk_lease pvblk_lease_parse(const char *val, int err);
bool pvblk_lease_serves(enum pvblk_lease l);

#endif /* PVBLK_REGION_H */
