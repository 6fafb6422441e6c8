/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block devices of dom0: path -> device number (stat), then size, logical
 * block size and, for a partition or a device-mapper linear device, its
 * disk and start (sysfs under ctx->sysfs, falling back to the
 * BLKGETSIZE64/BLKSSZGET ioctls; the table through ctx->dm_linear).
 *
 * With ctx->devfs set (tests), a device path P is the regular file
 * devfs/P, holding "b MAJ:MIN" for a block device, anything else for a
 * file that is not one.
 */
#ifndef PVBACKCTL_BLKDEV_H
#define PVBACKCTL_BLKDEV_H

#include <stdbool.h>
#include "kint.h"

struct pvctx;

struct blkinfo {
	unsigned int maj, min;
	u64 size;			/* bytes */
	unsigned int lbs;		/* logical block size, bytes */
	bool partition;			/* or a device-mapper linear window */
	unsigned int disk_maj, disk_min;	/* = maj:min for a whole disk */
	u64 part_start;		/* bytes on the disk; 0 for a disk */
	char name[64];			/* kernel name ("sda2"), or "" */
	char disk_name[64];		/* kernel name of the disk ("sda") */
};

enum blk_err {
	BLK_OK = 0,
	BLK_NOENT,		/* does not exist */
	BLK_NOTBLK,		/* exists, not a block device */
	BLK_NOINFO,		/* a block device we cannot size */
};

/* Returns BLK_*; *err is a malloc'ed message (script wording) on error. */
enum blk_err blk_lookup_path(struct pvctx *ctx, const char *path,
			     struct blkinfo *bi, char **err);
/* From sysfs only: BLK_OK or BLK_NOINFO. */
enum blk_err blk_lookup_dev(struct pvctx *ctx, unsigned int maj,
			    unsigned int min, struct blkinfo *bi);

/*
 * The device under a device-mapper device MAJ:MIN with one linear target,
 * and where the target starts on it (bytes): 0, or -errno (no such device,
 * another table, no access to /dev/mapper/control).  ctx->dm_linear is
 * this, or the tests' fake.
 */
int blk_dm_linear(struct pvctx *ctx, unsigned int maj, unsigned int min,
		  unsigned int *umaj, unsigned int *umin, u64 *start);

/* "/dev/sda2" from the kernel name, else "MAJ:MIN" (hex, as xenstore). */
void blk_display(const struct blkinfo *bi, char *buf, unsigned int len);

/* Partitions of a whole disk: calls fn for each (start, size in bytes). */
typedef void (*blk_part_fn)(void *arg, const char *name, u64 start, u64 size);
int blk_partitions(struct pvctx *ctx, const struct blkinfo *disk,
		   blk_part_fn fn, void *arg);

#endif
