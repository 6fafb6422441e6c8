// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "util.h"

static u64 suffix_mult(char c)
{
	switch (c) {
	case 's': case 'S':
		return SZ_SECTOR;
	case 'k': case 'K':
		return SZ_K;
	case 'm': case 'M':
		return SZ_M;
	case 'g': case 'G':
		return SZ_G;
	case 't': case 'T':
		return SZ_T;
	case 'p': case 'P':
		return SZ_P;
	}
	return 0;
}

enum size_err size_parse(const char *s, u64 *bytes)
{
	char *copy = xstrdup(s), *p = trim(copy), *q;
	u64 num = 0, mult = 1;
	enum size_err ret = SIZE_INVALID;
	bool overflow = false;

	for (q = p; *q >= '0' && *q <= '9'; q++) {
		unsigned int d = *q - '0';

		if (num > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			num = num * 10 + d;
	}
	if (q == p)
		goto out;
	if (*q) {
		mult = suffix_mult(*q);
		if (!mult || q[1])
			goto out;
	}
	if (overflow || num > UINT64_MAX / mult) {
		ret = SIZE_TOO_LARGE;
		goto out;
	}
	*bytes = num * mult;
	ret = SIZE_OK;
out:
	free(copy);
	return ret;
}

static const struct {
	char c;
	u64 mult;
} units[] = {
	{ 'P', SZ_P }, { 'T', SZ_T }, { 'G', SZ_G }, { 'M', SZ_M }, { 'K', SZ_K },
};

void size_fmt_exact(u64 b, char *buf, size_t len)
{
	size_t i;

	for (i = 0; b && i < ARRAY_SIZE(units); i++) {
		if (b % units[i].mult == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(b / units[i].mult), units[i].c);
			return;
		}
	}
	if (b && b % SZ_SECTOR == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(b / SZ_SECTOR));
	else
		snprintf(buf, len, "%llu", (unsigned long long)b);
}

void size_fmt_human(u64 b, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		u64 m = units[i].mult;
		double v = (double)b / (double)m;
		char *dot;

		if (b < m)
			continue;
		if (b % m == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(b / m), units[i].c);
			return;
		}
		snprintf(buf, len, v >= 100 ? "%.0f%c" : "%.1f%c", v, units[i].c);
		/* 19.96G prints as "20.0G": say "20G". */
		dot = strstr(buf, ".0");
		if (dot && dot[2] == units[i].c)
			memmove(dot, dot + 2, strlen(dot + 2) + 1);
		return;
	}
	snprintf(buf, len, "%lluB", (unsigned long long)b);
}

static char *size_error(const char *key, const char *val, enum size_err e)
{
	if (e == SIZE_TOO_LARGE)
		return xasprintf("%s=%s is too large; it must fit in 64 bits of bytes",
				 key, val);
	return xasprintf("%s=%s is not a size; %s (e.g. %s=20G)", key, val,
			 "use a number with an optional suffix s, K, M, G, T or P",
			 key);
}

int target_parse(const char *s, struct target *t, char **err)
{
	char *copy = xstrdup(s), *cur, *next, *field;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	*err = NULL;

	/* The script splits on commas and drops one trailing empty field. */
	cur = strchr(copy, ',');
	if (cur)
		*cur++ = '\0';
	if (!*copy) {
		*err = xstrdup("target is empty; expected DEVICE[,start=OFFSET][,size=SIZE]");
		goto out;
	}
	if (copy[0] != '/') {
		*err = xasprintf("target device '%s' must be an absolute path such as /dev/sda",
				 copy);
		goto out;
	}
	t->device = xstrdup(copy);

	for (; cur && *cur; cur = next) {
		char *eq, *key, *val;
		u64 v;
		enum size_err e;

		next = strchr(cur, ',');
		if (next)
			*next++ = '\0';
		field = cur;
		eq = strchr(field, '=');
		if (!eq) {
			*err = xasprintf("'%s' in target is not key=value", field);
			goto out;
		}
		*eq = '\0';
		key = trim(field);
		val = trim(eq + 1);
		if ((!strcmp(key, "start") && t->has_start) ||
		    (!strcmp(key, "size") && t->has_size)) {
			*err = xasprintf("'%s' given twice in target", key);
			goto out;
		}
		if (strcmp(key, "start") && strcmp(key, "size")) {
			*err = xasprintf("unknown key '%s' in target; known keys: start, size",
					 key);
			goto out;
		}
		e = size_parse(val, &v);
		if (e != SIZE_OK) {
			*err = size_error(key, val, e);
			goto out;
		}
		if (!strcmp(key, "start")) {
			t->has_start = true;
			t->start = v;
		} else {
			t->has_size = true;
			t->size = v;
		}
	}
	ret = 0;
out:
	if (ret)
		target_free(t);
	free(copy);
	return ret;
}

void target_free(struct target *t)
{
	free(t->device);
	t->device = NULL;
}
