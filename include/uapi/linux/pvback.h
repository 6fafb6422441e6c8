/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pvback: names and units shared by the kernel backends and the userspace
 * tools (hotplug scripts, pvbackctl).  See Documentation/xenstore-keys.md and
 * Documentation/regions.md.
 */
#ifndef _UAPI_LINUX_PVBACK_H
#define _UAPI_LINUX_PVBACK_H

/*
 * Backend xenstore keys of a vbd (backend/vbd/<domid>/<devid>/...).
 *
 * Written by the hotplug script, *before* physical-device:
 *   region-start     first sector of the region on the physical device
 *   region-sectors   length of the region
 * Both are decimal numbers of 512-byte sectors.  When both are absent the
 * region is the whole device (what the stock "block" script gives).
 *
 * Written by pvblkback once it has handled physical-device:
 *   region-status    "claimed" or "refused"; on "refused", hotplug-error
 *                    holds the reason (for example the colliding region).
 */
#define PVBLK_XS_REGION_START		"region-start"
#define PVBLK_XS_REGION_SECTORS		"region-sectors"
#define PVBLK_XS_REGION_STATUS		"region-status"
#define PVBLK_REGION_CLAIMED		"claimed"
#define PVBLK_REGION_REFUSED		"refused"

/*
 * Written by pvback-lease where the disk is shared between servers
 * (Documentation/shared-storage.md), before physical-device; absent when
 * the disk is this server's alone:
 *   lease   "held": this server holds the region's sanlock lease: serve.
 *           Anything else ("claiming", "wait", "refused", "released",
 *           "lost"): hold the claim but do not serve; a vbd that serves
 *           stops at once (its rings drain).  Once seen, the key's absence
 *           counts as "not held".
 * Only dom0 writes there: the guest can read its backend's keys, never
 * write them.
 */
#define PVBLK_XS_LEASE			"lease"
#define PVBLK_LEASE_VAL_HELD		"held"
#define PVBLK_LEASE_VAL_LOST		"lost"

/* Keys of the stock Xen protocol that pvblkback reads or writes. */
#define PVBLK_XS_PHYSICAL_DEVICE	"physical-device"
#define PVBLK_XS_MODE			"mode"
#define PVBLK_XS_HOTPLUG_ERROR		"hotplug-error"
#define PVBLK_XS_HOTPLUG_STATUS		"hotplug-status"
/*
 * Written by pvback-region next to physical-device, for people: the device's
 * path.  Not "physical-device-path": libxl gives that to QEMU and pygrub for
 * direct access, and it names the whole device, not the region.
 */
#define PVBLK_XS_REGION_DEVICE		"region-device"

/* The hotplug script of region disks, as named in script=. */
#define PVBLK_REGION_SCRIPT		"pvback-region"

/* Unit of region-start / region-sectors and of the "sectors" key. */
#define PVBLK_SECTOR_SHIFT		9

/*
 * sysfs, under /sys/bus/xen-backend/devices/vbd-<domid>-<devid>/:
 *   region            "<start> <sectors>" in 512-byte sectors
 *   physical_device   "<major>:<minor>" in hex, as in xenstore
 *   mode              "r" or "w"
 *   statistics/<name> one decimal counter per file, names below
 */
#define PVBLK_SYSFS_REGION		"region"
#define PVBLK_SYSFS_PHYSICAL_DEVICE	"physical_device"
#define PVBLK_SYSFS_MODE		"mode"
#define PVBLK_SYSFS_STATISTICS		"statistics"
#define PVBLK_STAT_RD_REQ		"rd_req"	/* read requests */
#define PVBLK_STAT_WR_REQ		"wr_req"	/* write requests */
#define PVBLK_STAT_F_REQ		"f_req"		/* flush requests */
#define PVBLK_STAT_RD_SECT		"rd_sect"	/* sectors read */
#define PVBLK_STAT_WR_SECT		"wr_sect"	/* sectors written */
#define PVBLK_STAT_OO_REQ		"oo_req"	/* waits for a free request slot */
#define PVBLK_STAT_REGION_ERR		"region_err"	/* requests outside the region */
#define PVBLK_STAT_BAD_REQ		"bad_req"	/* malformed requests */
#define PVBLK_STAT_UNSUP_REQ		"unsup_req"	/* unsupported operations */
#define PVBLK_STAT_MAP_ERR		"map_err"	/* grant map failures */
#define PVBLK_STAT_IO_ERR		"io_err"	/* requests the disk failed */
#define PVBLK_STAT_RING_ERR		"ring_err"	/* rings stopped for overflow */
#define PVBLK_STAT_DS_REQ		"ds_req"	/* discard requests */
#define PVBLK_STAT_DS_SECT		"ds_sect"	/* sectors discarded */
#define PVBLK_STAT_COPY_REQ		"copy_req"	/* data by grant copy */

/* Connected rings (queues) of the vbd, 0 while it is not connected. */
#define PVBLK_SYSFS_NR_RINGS		"nr_rings"
/* Bytes of dom0 memory the vbd's rings hold, 0 while not connected. */
#define PVBLK_SYSFS_MEMORY_BYTES	"memory_bytes"
/* Segments per indirect request offered, 0 when none are. */
#define PVBLK_SYSFS_MAX_INDIRECT_SEGS	"max_indirect_segments"
/*
 * Guest pages the vbd's rings keep mapped between requests (persistent
 * grants), or "off" when feature-persistent is not in use.
 */
#define PVBLK_SYSFS_PERSISTENT_GRANTS	"persistent_grants"

/*
 * statistics/latency_us: the service time of each request pvblkback sent
 * to the disk (from its submission to its response), as one line of
 * PVBLK_LAT_BUCKETS decimal counts.  Bucket 0 counts times below
 * 2^PVBLK_LAT_SHIFT0 us; bucket i (0 < i < last) counts times in
 * [2^(PVBLK_LAT_SHIFT0 + i - 1), 2^(PVBLK_LAT_SHIFT0 + i)) us; the last
 * bucket counts everything from 2^(PVBLK_LAT_SHIFT0 + PVBLK_LAT_BUCKETS - 2)
 * us (about one second) up.
 */
#define PVBLK_STAT_LATENCY		"latency_us"
#define PVBLK_LAT_BUCKETS		16
#define PVBLK_LAT_SHIFT0		6

#endif /* _UAPI_LINUX_PVBACK_H */
