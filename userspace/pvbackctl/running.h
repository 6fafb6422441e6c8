/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running VMs and their backend devices, from xenstore (dom0's backend
 * directories) and sysfs.
 */
#ifndef PVBACKCTL_RUNNING_H
#define PVBACKCTL_RUNNING_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

struct pvctx;

struct rvbd {
	unsigned int domid, devid;
	char *vdev;		/* "xvda" (dev) */
	char *params;		/* the disk's target */
	char *script;
	char *region_status;	/* "claimed", "refused" or NULL */
	char *hotplug_error;
	int state;		/* xenbus state, -1 unknown */
	bool ro;		/* mode has no 'w' */
	char *mode;		/* as in xenstore, NULL if absent */
	bool have_dev;		/* physical-device parsed */
	unsigned int maj, min;
	bool have_region;	/* region-start and region-sectors */
	bool region_bad;	/* only one of them, or not a number */
	u64 rstart, rsectors;	/* 512-byte sectors */
	char devpath[128];	/* "/dev/sda", or "8:0" (hex), or "" */
	/* sysfs (pvblkback), -1 / false when absent */
	int nr_rings;
	bool in_sysfs;
};

struct rvif {
	unsigned int domid, devid;
	char *mac, *bridge, *script;
	int state;
	char netdev[48];	/* "vif<domid>.<devid>" */
	char master[64];	/* bridge the netdev is in, or "" */
	char operstate[32];	/* "up", ... or "" */
};

struct rdom {
	unsigned int domid;
	char *name;		/* NULL when xenstore has none */
	/*
	 * The VM's UUID, from the toolstack's "vm" key ("/vm/<uuid>"), NULL
	 * when there is none.  Two domains share it while one VM is restored
	 * from a checkpoint or migrated to this host.
	 */
	char *uuid;
	/*
	 * The VM's name: the name of the oldest domain with this UUID (the
	 * new domain of a VM migrating here is "<name>--incoming"); borrowed.
	 */
	const char *vm;
	struct rvbd *vbds;
	size_t nvbds;
	struct rvif *vifs;
	size_t nvifs;
};

struct running {
	struct rdom *doms;	/* sorted by domid */
	size_t ndoms;
};

/* Read everything; 0, or -1 when xenstore is unavailable (ctx->xs_err). */
int running_load(struct pvctx *ctx, struct running *r);
void running_free(struct running *r);
/* By name or domid; NULL if none. */
const struct rdom *running_find(const struct running *r, const char *vm);
const char *rdom_name(const struct rdom *d);	/* name or "(domain N)" */

#endif
