// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "abi.h"
#include "blkdev.h"
#include "pvbackctl.h"
#include "sysfs.h"
#include "util.h"

#define SECTOR 512ULL

/* DEVNAME= of a uevent file, the kernel's name of the device. */
static void devname(struct pvctx *ctx, const char *dir, char *buf, size_t len)
{
	char *p = sys_path(ctx, "%s/uevent", dir), line[256];
	FILE *f = fopen(p, "re");

	buf[0] = '\0';
	free(p);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "DEVNAME=", 8)) {
			snprintf(buf, len, "%s", trim(line + 8));
			break;
		}
	}
	fclose(f);
}

static int read_sectors(struct pvctx *ctx, const char *dir, const char *file,
			u64 *bytes)
{
	u64 s;
	int r = sys_read_u64(ctx, &s, "%s/%s", dir, file);

	if (r)
		return r;
	if (s > UINT64_MAX / SECTOR)
		return -ERANGE;
	*bytes = s * SECTOR;
	return 0;
}

/* MKDEV as the device-mapper ioctls take it (the kernel's new_encode_dev). */
static u64 dm_dev(unsigned int maj, unsigned int min)
{
	return (min & 0xffu) | ((u64)maj << 8) | ((u64)(min & ~0xffu) << 12);
}

int blk_dm_linear(struct pvctx *ctx, unsigned int maj, unsigned int min,
		  unsigned int *umaj, unsigned int *umin, u64 *start)
{
	union {
		struct dm_ioctl io;
		char buf[4096];
	} u;
	struct dm_target_spec *t;
	unsigned long long sect;
	char *params;
	int fd, r = 0;

	(void)ctx;
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&u, 0, sizeof(u));
	u.io.version[0] = DM_VERSION_MAJOR;
	u.io.data_size = sizeof(u);
	u.io.data_start = sizeof(u.io);
	u.io.dev = dm_dev(maj, min);
	u.io.flags = DM_STATUS_TABLE_FLAG;
	if (ioctl(fd, DM_TABLE_STATUS, &u.io))
		r = -errno;
	close(fd);
	if (r)
		return r;
	/* One linear target covering the whole device, or it is no window. */
	if ((u.io.flags & DM_BUFFER_FULL_FLAG) || u.io.target_count != 1 ||
	    u.io.data_start < sizeof(u.io) ||
	    u.io.data_start > sizeof(u) - sizeof(*t) - 1)
		return -EINVAL;
	t = (struct dm_target_spec *)(u.buf + u.io.data_start);
	u.buf[sizeof(u) - 1] = '\0';
	params = (char *)(t + 1);
	if (t->sector_start != 0 ||
	    strncmp(t->target_type, "linear", sizeof(t->target_type)) ||
	    sscanf(params, "%u:%u %llu", umaj, umin, &sect) != 3 ||
	    sect > UINT64_MAX / SECTOR)
		return -EINVAL;
	*start = sect * SECTOR;
	return 0;
}

static enum blk_err lookup_dev(struct pvctx *ctx, unsigned int maj,
			       unsigned int min, struct blkinfo *bi, int depth);

/*
 * A device-mapper device with one linear target (an LVM volume of one
 * segment, pvback-region's view of an HVM guest's region) is a window of
 * the device under it, like a partition: place it on that device's disk.
 */
static void dm_window(struct pvctx *ctx, struct blkinfo *bi, int depth)
{
	unsigned int umaj, umin;
	struct blkinfo under;
	u64 start;

	if (!ctx->dm_linear || depth > 4 ||
	    ctx->dm_linear(ctx, bi->maj, bi->min, &umaj, &umin, &start) ||
	    lookup_dev(ctx, umaj, umin, &under, depth + 1) != BLK_OK ||
	    start > UINT64_MAX - under.part_start)
		return;
	bi->partition = true;
	bi->disk_maj = under.disk_maj;
	bi->disk_min = under.disk_min;
	bi->part_start = under.part_start + start;
	snprintf(bi->disk_name, sizeof(bi->disk_name), "%s", under.disk_name);
}

enum blk_err blk_lookup_dev(struct pvctx *ctx, unsigned int maj,
			    unsigned int min, struct blkinfo *bi)
{
	return lookup_dev(ctx, maj, min, bi, 0);
}

static enum blk_err lookup_dev(struct pvctx *ctx, unsigned int maj,
			       unsigned int min, struct blkinfo *bi, int depth)
{
	char dir[64], pdir[80], buf[64];
	u64 lbs;

	memset(bi, 0, sizeof(*bi));
	bi->maj = maj;
	bi->min = min;
	bi->disk_maj = maj;
	bi->disk_min = min;
	bi->lbs = SECTOR;
	snprintf(dir, sizeof(dir), SYS_BLOCK_DEVT "/%u:%u", maj, min);
	if (read_sectors(ctx, dir, "size", &bi->size))
		return BLK_NOINFO;
	devname(ctx, dir, bi->name, sizeof(bi->name));
	snprintf(bi->disk_name, sizeof(bi->disk_name), "%s", bi->name);

	/* a partition's disk is its parent directory */
	snprintf(pdir, sizeof(pdir), "%s/..", dir);
	if (sys_exists(ctx, "%s/partition", dir)) {
		bi->partition = true;
		if (read_sectors(ctx, dir, "start", &bi->part_start) ||
		    sys_read(ctx, buf, sizeof(buf), "%s/dev", pdir) ||
		    !parse_majmin_dec(buf, &bi->disk_maj, &bi->disk_min))
			return BLK_NOINFO;
		devname(ctx, pdir, bi->disk_name, sizeof(bi->disk_name));
	}
	/* a partition has no queue of its own: its disk's applies */
	if (!sys_read_u64(ctx, &lbs, "%s/queue/logical_block_size",
			  bi->partition ? pdir : dir) &&
	    lbs >= SECTOR && lbs <= 65536)
		bi->lbs = lbs;
	if (!bi->partition && sys_exists(ctx, "%s/dm/name", dir))
		dm_window(ctx, bi, depth);
	return BLK_OK;
}

/* Device number of a path in the fake /dev of the tests. */
static enum blk_err devfs_stat(struct pvctx *ctx, const char *path,
			       unsigned int *maj, unsigned int *min)
{
	char *p = xasprintf("%s%s", ctx->devfs, path), buf[64];
	struct stat st;
	FILE *f;
	int r;

	r = stat(p, &st);
	f = r == 0 && S_ISREG(st.st_mode) ? fopen(p, "re") : NULL;
	free(p);
	if (r)
		return errno == ENOENT || errno == ENOTDIR ? BLK_NOENT :
		       BLK_NOINFO;
	if (!f)
		return BLK_NOTBLK;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	if (strncmp(buf, "b ", 2) || !parse_majmin_dec(trim(buf + 2), maj, min))
		return BLK_NOTBLK;
	return BLK_OK;
}

/* Size and block size from the device itself, when sysfs does not know. */
static enum blk_err ioctl_info(const char *path, struct blkinfo *bi)
{
	u64 size;
	int fd, lbs;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return BLK_NOINFO;
	if (ioctl(fd, BLKGETSIZE64, &size)) {
		close(fd);
		return BLK_NOINFO;
	}
	bi->size = size;
	if (!ioctl(fd, BLKSSZGET, &lbs) && lbs >= 512)
		bi->lbs = lbs;
	close(fd);
	return BLK_OK;
}

enum blk_err blk_lookup_path(struct pvctx *ctx, const char *path,
			     struct blkinfo *bi, char **err)
{
	unsigned int maj, min;
	enum blk_err e;
	struct stat st;

	*err = NULL;
	memset(bi, 0, sizeof(*bi));
	if (ctx->devfs) {
		e = devfs_stat(ctx, path, &maj, &min);
	} else if (stat(path, &st)) {
		e = errno == ENOENT || errno == ENOTDIR ? BLK_NOENT : BLK_NOINFO;
	} else if (!S_ISBLK(st.st_mode)) {
		e = BLK_NOTBLK;
	} else {
		maj = major(st.st_rdev);
		min = minor(st.st_rdev);
		e = BLK_OK;
	}
	switch (e) {
	case BLK_NOENT:
		*err = xasprintf("%s does not exist in dom0; check the device path in target=",
				 path);
		return e;
	case BLK_NOTBLK:
		*err = xasprintf("%s is not a block device", path);
		return e;
	case BLK_NOINFO:
		*err = xasprintf("cannot stat %s: %s", path, strerror(errno));
		return e;
	case BLK_OK:
		break;
	}
	e = blk_lookup_dev(ctx, maj, min, bi);
	if (e == BLK_NOINFO && !ctx->devfs) {
		bi->maj = maj;
		bi->min = min;
		bi->disk_maj = maj;
		bi->disk_min = min;
		bi->lbs = 512;
		e = ioctl_info(path, bi);
	}
	if (e != BLK_OK)
		*err = xasprintf("cannot find %s (%u:%u) in %s" SYS_BLOCK_DEVT,
				 path, maj, min, ctx->sysfs);
	return e;
}

void blk_display(const struct blkinfo *bi, char *buf, unsigned int len)
{
	if (bi->name[0])
		snprintf(buf, len, "/dev/%s", bi->name);
	else
		snprintf(buf, len, "%x:%x", bi->maj, bi->min);
}

int blk_partitions(struct pvctx *ctx, const struct blkinfo *disk,
		   blk_part_fn fn, void *arg)
{
	char *dirpath = sys_path(ctx, SYS_BLOCK_DEVT "/%u:%u", disk->maj,
				 disk->min);
	DIR *d = opendir(dirpath);
	struct dirent *de;
	int n = 0;

	if (!d) {
		free(dirpath);
		return -errno;
	}
	while ((de = readdir(d))) {
		char rel[512];
		u64 start, size;

		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), SYS_BLOCK_DEVT "/%u:%u/%s",
			 disk->maj, disk->min, de->d_name);
		if (!sys_exists(ctx, "%s/partition", rel) ||
		    read_sectors(ctx, rel, "start", &start) ||
		    read_sectors(ctx, rel, "size", &size))
			continue;
		fn(arg, de->d_name, start, size);
		n++;
	}
	closedir(d);
	free(dirpath);
	return n;
}
