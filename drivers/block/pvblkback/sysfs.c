// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs view of a vbd, under /sys/bus/xen-backend/devices/vbd-D-N/.
 * Documented in Documentation/ABI/testing/sysfs-bus-xen-backend-pvblkback.
 */
#include <linux/device.h>
#include <linux/pvback.h>
#include <linux/sysfs.h>

#include "pvblkback.h"

static struct pvblk_dev *to_pvblk(struct device *d)
{
	return dev_get_drvdata(d);
}

static ssize_t region_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	struct pvblk_dev *dev = to_pvblk(d);
	ssize_t n;

	mutex_lock(&dev->lock);
	if (dev->claimed)
		n = sysfs_emit(buf, "%llu %llu\n", dev->lim.region.start,
			       dev->lim.region.nr_sectors);
	else
		n = sysfs_emit(buf, "none\n");
	mutex_unlock(&dev->lock);
	return n;
}
static DEVICE_ATTR_RO(region);

static ssize_t physical_device_show(struct device *d,
				    struct device_attribute *attr, char *buf)
{
	struct pvblk_dev *dev = to_pvblk(d);
	ssize_t n;

	mutex_lock(&dev->lock);
	n = sysfs_emit(buf, "%x:%x\n", MAJOR(dev->devt), MINOR(dev->devt));
	mutex_unlock(&dev->lock);
	return n;
}
static DEVICE_ATTR_RO(physical_device);

static ssize_t mode_show(struct device *d, struct device_attribute *attr,
			 char *buf)
{
	struct pvblk_dev *dev = to_pvblk(d);
	ssize_t n;

	mutex_lock(&dev->lock);
	n = sysfs_emit(buf, "%s\n", !dev->disk.bdev ? "none" :
		       dev->lim.readonly ? "r" : "w");
	mutex_unlock(&dev->lock);
	return n;
}
static DEVICE_ATTR_RO(mode);

static ssize_t nr_rings_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	struct pvblk_dev *dev = to_pvblk(d);
	ssize_t n;

	mutex_lock(&dev->lock);
	n = sysfs_emit(buf, "%u\n", dev->connected ? dev->nr_queues : 0);
	mutex_unlock(&dev->lock);
	return n;
}
static DEVICE_ATTR_RO(nr_rings);

static ssize_t max_indirect_segments_show(struct device *d,
					  struct device_attribute *attr,
					  char *buf)
{
	/* Set at probe, never changed: no lock. */
	return sysfs_emit(buf, "%u\n", to_pvblk(d)->lim.max_indirect_segs);
}
static DEVICE_ATTR_RO(max_indirect_segments);

/*
 * Grants kept mapped between requests, over all rings, or "off" when the
 * frontend did not agree to feature-persistent.
 */
static ssize_t persistent_grants_show(struct device *d,
				      struct device_attribute *attr,
				      char *buf)
{
	struct pvblk_dev *dev = to_pvblk(d);
	unsigned int i, count = 0;
	ssize_t n;

	mutex_lock(&dev->lock);
	for (i = 0; i < dev->nr_queues; i++)
		count += pvblk_ring_pgrants(&dev->queues[i].ring);
	if (dev->connected && dev->persistent)
		n = sysfs_emit(buf, "%u\n", count);
	else
		n = sysfs_emit(buf, "off\n");
	mutex_unlock(&dev->lock);
	return n;
}
static DEVICE_ATTR_RO(persistent_grants);

/* What the rings hold of dom0's memory, beyond the mapped guest pages. */
static ssize_t memory_bytes_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	struct pvblk_dev *dev = to_pvblk(d);
	size_t bytes = 0;
	unsigned int i;
	ssize_t n;

	mutex_lock(&dev->lock);
	for (i = 0; i < dev->nr_queues; i++)
		bytes += pvblk_queue_mem(&dev->queues[i]);
	n = sysfs_emit(buf, "%zu\n", bytes);
	mutex_unlock(&dev->lock);
	return n;
}
static DEVICE_ATTR_RO(memory_bytes);

static struct attribute *pvblk_attrs[] = {
	&dev_attr_region.attr,
	&dev_attr_physical_device.attr,
	&dev_attr_mode.attr,
	&dev_attr_nr_rings.attr,
	&dev_attr_max_indirect_segments.attr,
	&dev_attr_memory_bytes.attr,
	&dev_attr_persistent_grants.attr,
	NULL
};

static const struct attribute_group pvblk_group = {
	.attrs = pvblk_attrs,
};

/* Counters are atomics: no lock. */
#define PVBLK_STAT_ATTR(field, idx)					\
static ssize_t field##_show(struct device *d,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lld\n",				\
			  atomic64_read(&to_pvblk(d)->stats.v[idx]));	\
}									\
static DEVICE_ATTR_RO(field)

PVBLK_STAT_ATTR(rd_req, PVBLK_ST_RD_REQ);
PVBLK_STAT_ATTR(wr_req, PVBLK_ST_WR_REQ);
PVBLK_STAT_ATTR(f_req, PVBLK_ST_F_REQ);
PVBLK_STAT_ATTR(rd_sect, PVBLK_ST_RD_SECT);
PVBLK_STAT_ATTR(wr_sect, PVBLK_ST_WR_SECT);
PVBLK_STAT_ATTR(oo_req, PVBLK_ST_OO_REQ);
PVBLK_STAT_ATTR(region_err, PVBLK_ST_REGION_ERR);
PVBLK_STAT_ATTR(bad_req, PVBLK_ST_BAD_REQ);
PVBLK_STAT_ATTR(unsup_req, PVBLK_ST_UNSUP_REQ);
PVBLK_STAT_ATTR(map_err, PVBLK_ST_MAP_ERR);
PVBLK_STAT_ATTR(io_err, PVBLK_ST_IO_ERR);
PVBLK_STAT_ATTR(ring_err, PVBLK_ST_RING_ERR);
PVBLK_STAT_ATTR(ds_req, PVBLK_ST_DS_REQ);
PVBLK_STAT_ATTR(ds_sect, PVBLK_ST_DS_SECT);
PVBLK_STAT_ATTR(copy_req, PVBLK_ST_COPY_REQ);

static ssize_t latency_us_show(struct device *d,
			       struct device_attribute *attr, char *buf)
{
	struct pvblk_stats *st = &to_pvblk(d)->stats;
	int i, n = 0;

	for (i = 0; i < PVBLK_LAT_BUCKETS; i++)
		n += sysfs_emit_at(buf, n, "%lld%c", atomic64_read(&st->lat[i]),
				   i == PVBLK_LAT_BUCKETS - 1 ? '\n' : ' ');
	return n;
}
static DEVICE_ATTR_RO(latency_us);

static struct attribute *pvblk_stat_attrs[] = {
	&dev_attr_rd_req.attr,
	&dev_attr_wr_req.attr,
	&dev_attr_f_req.attr,
	&dev_attr_rd_sect.attr,
	&dev_attr_wr_sect.attr,
	&dev_attr_oo_req.attr,
	&dev_attr_region_err.attr,
	&dev_attr_bad_req.attr,
	&dev_attr_unsup_req.attr,
	&dev_attr_map_err.attr,
	&dev_attr_io_err.attr,
	&dev_attr_ring_err.attr,
	&dev_attr_ds_req.attr,
	&dev_attr_ds_sect.attr,
	&dev_attr_copy_req.attr,
	&dev_attr_latency_us.attr,
	NULL
};

static const struct attribute_group pvblk_stat_group = {
	.name = "statistics",
	.attrs = pvblk_stat_attrs,
};

static const struct attribute_group *pvblk_groups[] = {
	&pvblk_group,
	&pvblk_stat_group,
	NULL
};

int pvblk_sysfs_add(struct pvblk_dev *dev)
{
	return sysfs_create_groups(&dev->xdev->dev.kobj, pvblk_groups);
}

void pvblk_sysfs_del(struct pvblk_dev *dev)
{
	sysfs_remove_groups(&dev->xdev->dev.kobj, pvblk_groups);
}
