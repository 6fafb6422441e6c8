// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "util.h"

int lat_parse(const char *line, u64 b[LAT_NB])
{
	char *copy = xstrdup(line), *tok, *save = NULL;
	int n = 0, ret = -1;

	for (tok = strtok_r(copy, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (n == LAT_NB || !parse_u64(tok, &b[n]))
			goto out;
		n++;
	}
	ret = n == LAT_NB ? 0 : -1;
out:
	free(copy);
	return ret;
}

void lat_bounds(int i, u64 *lo, u64 *hi)
{
	int s = PVBLK_LAT_SHIFT0;

	*lo = i == 0 ? 0 : 1ULL << (s - 1 + i);
	*hi = i == LAT_NB - 1 ? 0 : 1ULL << (s + i);
}

int lat_percentile(const u64 b[LAT_NB], unsigned int p)
{
	unsigned __int128 total = 0, need, cum = 0;
	int i;

	for (i = 0; i < LAT_NB; i++)
		total += b[i];
	if (!total || !p || p > 100)
		return -1;
	need = (total * p + 99) / 100;	/* ceil: the p-th percentile's rank */
	for (i = 0; i < LAT_NB; i++) {
		cum += b[i];
		if (cum >= need)
			return i;
	}
	return LAT_NB - 1;
}

/* microseconds, 3 significant digits: "64us", "2.05ms", "1.05s" */
static void us_fmt(u64 us, char *buf, size_t len)
{
	if (us < 1000)
		snprintf(buf, len, "%lluus", (unsigned long long)us);
	else if (us < 1000000)
		snprintf(buf, len, "%.3gms", us / 1e3);
	else
		snprintf(buf, len, "%.3gs", us / 1e6);
}

void lat_label(int i, char *buf, size_t len)
{
	u64 lo, hi;
	char t[32];

	lat_bounds(i, &lo, &hi);
	us_fmt(hi ? hi : lo, t, sizeof(t));
	snprintf(buf, len, "%s%s", hi ? "<" : ">=", t);
}
