// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "abi.h"
#include "devstats.h"
#include "pvbackctl.h"
#include "sysfs.h"
#include "util.h"

const char *const vbd_stat_names[VS_NR] = {
	[VS_RD_REQ] = PVBLK_STAT_RD_REQ,
	[VS_WR_REQ] = PVBLK_STAT_WR_REQ,
	[VS_F_REQ] = PVBLK_STAT_F_REQ,
	[VS_RD_SECT] = PVBLK_STAT_RD_SECT,
	[VS_WR_SECT] = PVBLK_STAT_WR_SECT,
	[VS_OO_REQ] = PVBLK_STAT_OO_REQ,
	[VS_REGION_ERR] = PVBLK_STAT_REGION_ERR,
	[VS_BAD_REQ] = PVBLK_STAT_BAD_REQ,
	[VS_UNSUP_REQ] = PVBLK_STAT_UNSUP_REQ,
	[VS_MAP_ERR] = PVBLK_STAT_MAP_ERR,
	[VS_IO_ERR] = PVBLK_STAT_IO_ERR,
	[VS_RING_ERR] = PVBLK_STAT_RING_ERR,
	[VS_DS_REQ] = PVBLK_STAT_DS_REQ,
	[VS_DS_SECT] = PVBLK_STAT_DS_SECT,
	[VS_COPY_REQ] = PVBLK_STAT_COPY_REQ,
};

const char *const vbd_attr_names[VA_NR] = {
	[VA_MEMORY_BYTES] = PVBLK_SYSFS_MEMORY_BYTES,
	[VA_NR_RINGS] = PVBLK_SYSFS_NR_RINGS,
	[VA_MAX_INDIRECT_SEGS] = PVBLK_SYSFS_MAX_INDIRECT_SEGS,
	[VA_PERSISTENT_GRANTS] = PVBLK_SYSFS_PERSISTENT_GRANTS,
};

/* The attributes that say "off" rather than a number when not in use. */
static const bool vbd_attr_may_be_off[VA_NR] = {
	[VA_PERSISTENT_GRANTS] = true,
};

static const char *const vif_stat_names[NS_NR] = {
	[NS_RX_PACKETS] = "rx_packets", [NS_RX_BYTES] = "rx_bytes",
	[NS_RX_DROPPED] = "rx_dropped", [NS_RX_ERRORS] = "rx_errors",
	[NS_TX_PACKETS] = "tx_packets", [NS_TX_BYTES] = "tx_bytes",
	[NS_TX_DROPPED] = "tx_dropped", [NS_TX_ERRORS] = "tx_errors",
};

void vbd_stats_read(struct pvctx *ctx, unsigned int domid, unsigned int devid,
		    struct vbd_stats *s)
{
	char line[512];
	int i;

	memset(s, 0, sizeof(*s));
	s->present = sys_exists(ctx, SYS_BACKENDS "/vbd-%u-%u", domid, devid);
	if (!s->present)
		return;
	for (i = 0; i < VS_NR; i++)
		s->have[i] = !sys_read_u64(ctx, &s->v[i],
					   SYS_BACKENDS "/vbd-%u-%u/" PVBLK_SYSFS_STATISTICS "/%s",
					   domid, devid, vbd_stat_names[i]);
	for (i = 0; i < VA_NR; i++) {
		int err = sys_read_u64(ctx, &s->attr[i],
				       SYS_BACKENDS "/vbd-%u-%u/%s",
				       domid, devid, vbd_attr_names[i]);

		s->have_attr[i] = !err;
		if (err == -EINVAL && vbd_attr_may_be_off[i] &&
		    !sys_read(ctx, line, sizeof(line),
			      SYS_BACKENDS "/vbd-%u-%u/%s", domid, devid,
			      vbd_attr_names[i]))
			s->attr_off[i] = !strcmp(trim(line), "off");
	}
	if (!sys_read(ctx, line, sizeof(line),
		      SYS_BACKENDS "/vbd-%u-%u/" PVBLK_SYSFS_STATISTICS "/" PVBLK_STAT_LATENCY,
		      domid, devid))
		s->have_lat = lat_parse(line, s->lat) == 0;
}

void vif_stats_read(struct pvctx *ctx, const char *netdev, struct vif_stats *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->present = sys_exists(ctx, SYS_NET "/%s", netdev);
	if (!s->present)
		return;
	for (i = 0; i < NS_NR; i++)
		s->have[i] = !sys_read_u64(ctx, &s->v[i],
					   SYS_NET "/%s/statistics/%s", netdev,
					   vif_stat_names[i]);
}
