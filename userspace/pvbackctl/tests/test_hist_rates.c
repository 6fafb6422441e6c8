// SPDX-License-Identifier: GPL-2.0
/* Latency histogram and top's rates. */
#include "hist.h"
#include "rates.h"
#include "test.h"

static struct tdev dev(unsigned int domid, const char *vm, const char *name,
		       unsigned int devid, bool vif, u64 r, u64 w,
		       u64 rb, u64 wb)
{
	struct tdev d = { .domid = domid, .devid = devid, .vif = vif, .ok = true,
			  .c = { r, w, 0, rb, wb } };

	snprintf(d.vm, sizeof(d.vm), "%s", vm);
	snprintf(d.dev, sizeof(d.dev), "%s", name);
	return d;
}

void test_hist_rates(void)
{
	u64 b[LAT_NB] = { 0 }, lo, hi;
	char l[32];
	struct trow rows[4];
	int i;

	OK(!lat_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", b) && b[0] == 1 && b[15] == 16,
	   "latency_us: 16 numbers");
	OK(lat_parse("1 2 3", b), "latency_us: too few numbers refused");
	OK(lat_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", b), "latency_us: 17 refused");
	OK(lat_parse("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x", b),
	   "latency_us: not a number refused");
	lat_bounds(0, &lo, &hi);
	OK(lo == 0 && hi == 64, "bucket 0 is [0, 64us)");
	lat_bounds(1, &lo, &hi);
	OK(lo == 64 && hi == 128, "bucket 1 is [64, 128us)");
	lat_bounds(14, &lo, &hi);
	OK(lo == 524288 && hi == 1048576, "bucket 14 is [524288, 1048576us)");
	lat_bounds(15, &lo, &hi);
	OK(lo == 1048576 && hi == 0, "bucket 15 is 2^20us and more");
	lat_label(0, l, sizeof(l));
	EQ_STR(l, "<64us", "label of bucket 0");
	lat_label(5, l, sizeof(l));
	EQ_STR(l, "<2.05ms", "label of bucket 5");
	lat_label(15, l, sizeof(l));
	EQ_STR(l, ">=1.05s", "label of bucket 15");

	for (i = 0; i < LAT_NB; i++)
		b[i] = 0;
	EQ_INT(lat_percentile(b, 50), -1, "percentile of nothing");
	b[1] = 50;
	b[3] = 49;
	b[10] = 1;
	EQ_INT(lat_percentile(b, 50), 1, "p50: the 50th of 100 is in bucket 1");
	EQ_INT(lat_percentile(b, 51), 3, "p51: bucket 3");
	EQ_INT(lat_percentile(b, 99), 3, "p99: the 99th of 100 is in bucket 3");
	EQ_INT(lat_percentile(b, 100), 10, "p100: the slowest");
	b[1] = UINT64_MAX;
	b[3] = UINT64_MAX;
	EQ_INT(lat_percentile(b, 99), 3, "percentiles of counts near 2^64 do not overflow");

	{
		struct tdev prev[] = {
			dev(1, "vm1", "xvda", 51712, false, 100, 10, 1 << 20, 0),
			dev(1, "vm1", "vif1.0", 0, true, 5, 5, 500, 500),
			dev(2, "vm2", "xvda", 51712, false, 1000, 0, 0, 0),
		};
		struct tdev cur[] = {
			dev(1, "vm1", "xvda", 51712, false, 300, 10, 5 << 20, 0),
			dev(1, "vm1", "vif1.0", 0, true, 5, 25, 500, 2548),
			dev(2, "vm2", "xvda", 51712, false, 10, 0, 0, 0),
			dev(3, "vm10", "xvda", 51712, false, 7, 7, 7, 7),
		};
		size_t n = rates_compute(prev, 3, cur, 4, 2.0, rows);

		EQ_INT(n, 4, "one row per current device");
		OK(!rows[0].fresh && rows[0].rops == 100 && rows[0].wops == 0 &&
		   rows[0].rmbps == 2.0, "vbd: 200 reads, 4 MiB in 2s = 100/s, 2 MB/s");
		OK(!rows[1].fresh && rows[1].wops == 10 && rows[1].wmbps == 1024.0 / (1 << 20),
		   "vif: 20 packets, 2048 bytes in 2s");
		OK(rows[2].fresh, "counters went down (a new vbd): no rate");
		OK(rows[3].fresh, "new device: no rate");
		rates_sort(rows, n, SORT_IOPS);
		OK(!strcmp(rows[0].dev, "xvda") && rows[0].domid == 1 &&
		   !strcmp(rows[1].dev, "vif1.0"), "sort iops: busiest first");
		rates_sort(rows, n, SORT_NAME);
		OK(!strcmp(rows[0].vm, "vm1") && !strcmp(rows[0].dev, "xvda") &&
		   !strcmp(rows[1].dev, "vif1.0") && !strcmp(rows[2].vm, "vm2") &&
		   !strcmp(rows[3].vm, "vm10"), "sort name: natural, disks before vifs");
		rates_sort(rows, n, SORT_MBPS);
		OK(!strcmp(rows[0].dev, "xvda") && rows[0].domid == 1, "sort mbps");
		EQ_INT(sort_parse("mbps"), SORT_MBPS, "sort key mbps");
		EQ_INT(sort_parse("cpu"), -1, "unknown sort key");
	}
}
