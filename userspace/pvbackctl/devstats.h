/* SPDX-License-Identifier: GPL-2.0 */
/* Counters of vbds (pvblkback's sysfs) and vifs (the netdevice's). */
#ifndef PVBACKCTL_DEVSTATS_H
#define PVBACKCTL_DEVSTATS_H

#include <stdbool.h>
#include "kint.h"

#include "hist.h"

struct pvctx;

enum vbd_stat {
	VS_RD_REQ, VS_WR_REQ, VS_F_REQ, VS_RD_SECT, VS_WR_SECT, VS_OO_REQ,
	VS_REGION_ERR, VS_BAD_REQ, VS_UNSUP_REQ, VS_MAP_ERR, VS_IO_ERR,
	VS_RING_ERR, VS_DS_REQ, VS_DS_SECT, VS_COPY_REQ, VS_NR
};

extern const char *const vbd_stat_names[VS_NR];

/*
 * The vbd's own attributes, beside statistics/: pvblkback's only.
 * persistent_grants may be the word "off" instead of a number.
 */
enum vbd_attr {
	VA_MEMORY_BYTES, VA_NR_RINGS, VA_MAX_INDIRECT_SEGS,
	VA_PERSISTENT_GRANTS, VA_NR
};

extern const char *const vbd_attr_names[VA_NR];

struct vbd_stats {
	bool present;			/* the sysfs device exists */
	bool have[VS_NR];		/* attribute present and a number */
	u64 v[VS_NR];
	bool have_attr[VA_NR];		/* the same for vbd_attr */
	u64 attr[VA_NR];
	bool attr_off[VA_NR];		/* says "off" (have_attr is false) */
	bool have_lat;
	u64 lat[LAT_NB];
};

/* dom0's names: rx = from the guest, tx = to the guest. */
enum vif_stat {
	NS_RX_PACKETS, NS_RX_BYTES, NS_RX_DROPPED, NS_RX_ERRORS,
	NS_TX_PACKETS, NS_TX_BYTES, NS_TX_DROPPED, NS_TX_ERRORS, NS_NR
};

struct vif_stats {
	bool present;
	bool have[NS_NR];
	u64 v[NS_NR];
};

void vbd_stats_read(struct pvctx *ctx, unsigned int domid, unsigned int devid,
		    struct vbd_stats *s);
void vif_stats_read(struct pvctx *ctx, const char *netdev, struct vif_stats *s);

#endif
