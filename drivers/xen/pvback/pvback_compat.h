/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels pvback builds for: Debian
 * 12's 6.1 and Debian 13's 6.12 (6.10 and later have the same API where we
 * use it). One shim per change, named after what it does; the drivers use
 * the shims and never test the kernel version themselves.
 */
#ifndef PVBACK_COMPAT_H
#define PVBACK_COMPAT_H

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/version.h>
#include <xen/xenbus.h>

/* The one place that reads the kernel's version. */
#define PVBACK_KERNEL_AT_LEAST(maj, min) \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(maj, min, 0))

/*
 * 6.2 to 6.9 changed how a block device is opened three times over (holder
 * ops in 6.5, handles in 6.8, files in 6.9); none of those is tested here.
 */
#if !PVBACK_KERNEL_AT_LEAST(6, 1) || \
	(PVBACK_KERNEL_AT_LEAST(6, 2) && !PVBACK_KERNEL_AT_LEAST(6, 10))
#error "pvback builds for Linux 6.1 (Debian 12) and 6.10 or later (Debian 13: 6.12)"
#endif

/*
 * An open backing disk. 6.9 opens block devices as files
 * (bdev_file_open_by_dev(), file_bdev()); 6.10 closes them with bdev_fput().
 * 6.1 has blkdev_get_by_dev() and blkdev_put() with the open mode.
 */
struct pvback_bdev {
	struct block_device *bdev;	/* NULL when not open */
#if PVBACK_KERNEL_AT_LEAST(6, 10)
	struct file *file;
#else
	fmode_t mode;
#endif
};

/* Opens @devt shared (no holder: other vbds have other regions of it). */
static inline int pvback_bdev_open(struct pvback_bdev *b, dev_t devt,
				   bool write)
{
#if PVBACK_KERNEL_AT_LEAST(6, 10)
	struct file *f;

	f = bdev_file_open_by_dev(devt, BLK_OPEN_READ |
				  (write ? BLK_OPEN_WRITE : 0), NULL, NULL);
	if (IS_ERR(f))
		return PTR_ERR(f);
	b->file = f;
	b->bdev = file_bdev(f);
#else
	struct block_device *bdev;
	fmode_t mode = FMODE_READ | (write ? FMODE_WRITE : 0);

	bdev = blkdev_get_by_dev(devt, mode, NULL);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->mode = mode;
	b->bdev = bdev;
#endif
	return 0;
}

static inline void pvback_bdev_close(struct pvback_bdev *b)
{
	if (!b->bdev)
		return;
#if PVBACK_KERNEL_AT_LEAST(6, 10)
	bdev_fput(b->file);
	b->file = NULL;
#else
	blkdev_put(b->bdev, b->mode);
#endif
	b->bdev = NULL;
}

/*
 * The device xenbus_driver.uevent gets: const on 6.10 and later, not on 6.1.
 * A driver's callback takes a "PVBACK_UEVENT_XDEV *" and only reads it.
 */
#if PVBACK_KERNEL_AT_LEAST(6, 10)
#define PVBACK_UEVENT_XDEV const struct xenbus_device
#else
#define PVBACK_UEVENT_XDEV struct xenbus_device
#endif

#endif /* PVBACK_COMPAT_H */
