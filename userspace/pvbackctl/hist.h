/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvblkback's latency histogram (statistics/latency_us): 16 buckets of
 * microseconds, bucket 0 below 64 us, bucket i (1..14) in
 * [2^(5+i), 2^(6+i)), bucket 15 at 2^20 us (about 1.05 s) and more.
 * No I/O.
 */
#ifndef PVBACKCTL_HIST_H
#define PVBACKCTL_HIST_H

#include <stddef.h>
#include "kint.h"

#include "abi.h"

#define LAT_NB PVBLK_LAT_BUCKETS

/* Exactly LAT_NB decimal numbers separated by blanks: 0, else -1. */
int lat_parse(const char *line, u64 b[LAT_NB]);
/* Bucket i holds [*lo, *hi) microseconds; *hi is 0 for the last one. */
void lat_bounds(int i, u64 *lo, u64 *hi);
/*
 * The bucket holding the p-th percentile (0 < p <= 100) of the requests:
 * at least p% of them took less than its upper bound.  -1 if empty.
 */
int lat_percentile(const u64 b[LAT_NB], unsigned int p);
/* "<64us", "<2.05ms", ">=1.05s": the bucket's bound, 3 digits. */
void lat_label(int i, char *buf, size_t len);

#endif
