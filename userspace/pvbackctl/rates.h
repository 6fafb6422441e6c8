/* SPDX-License-Identifier: GPL-2.0 */
/*
 * top's arithmetic: per-device rates from two samples of counters, and
 * sorting.  No I/O.  Directions are the guest's: "r" is data to the guest
 * (disk reads, packets the guest receives), "w" data from it.
 */
#ifndef PVBACKCTL_RATES_H
#define PVBACKCTL_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

enum { C_ROPS, C_WOPS, C_OOPS, C_RBYTES, C_WBYTES, C_NR };	/* OOPS: flushes, discards */

struct tdev {
	unsigned int domid;
	char vm[64];
	char dev[48];		/* "xvda", "vif1.0" */
	unsigned int devid;
	bool vif;
	bool ok;		/* counters read */
	u64 c[C_NR];
};

struct trow {
	unsigned int domid;
	char vm[64];
	char dev[48];
	bool vif;
	bool fresh;		/* no earlier sample: rates unknown */
	double rmbps, wmbps;	/* MB/s, 1 MB = 2^20 bytes */
	double rops, wops;	/* requests or packets per second (+flushes, discards) */
};

enum sort_key { SORT_IOPS, SORT_MBPS, SORT_NAME, SORT_NR };
extern const char *const sort_names[SORT_NR];
int sort_parse(const char *s);	/* SORT_* or -1 */

/*
 * One row per device of cur; a device is matched in prev by domid, vif
 * and devid.  A device new in cur, or whose counters went down (a new vbd
 * in the same place), is fresh.  dt in seconds, > 0.
 */
size_t rates_compute(const struct tdev *prev, size_t nprev,
		     const struct tdev *cur, size_t ncur, double dt,
		     struct trow *rows);
void rates_sort(struct trow *rows, size_t n, enum sort_key key);

#endif
