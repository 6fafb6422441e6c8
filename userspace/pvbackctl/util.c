// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void oom(void)
{
	fputs("pvbackctl: out of memory\n", stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

void grow(void *arr, size_t *cap, size_t n, size_t elsz)
{
	void **p = arr;
	size_t ncap;

	if (n < *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	*p = xrealloc(*p, ncap * elsz);
	memset((char *)*p + *cap * elsz, 0, (ncap - *cap) * elsz);
	*cap = ncap;
}

bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *trim(char *s)
{
	size_t n;

	while (is_blank((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && is_blank((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool parse_u64(const char *s, u64 *out)
{
	u64 v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned int d;

		if (*s < '0' || *s > '9')
			return false;
		d = *s - '0';
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool parse_uint(const char *s, unsigned int *out)
{
	u64 v;

	if (!parse_u64(s, &v) || v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

static bool parse_majmin(const char *s, int base, unsigned int *maj,
			 unsigned int *min)
{
	unsigned long a, b;
	char *end;

	if (!s || !isxdigit((unsigned char)*s))
		return false;
	a = strtoul(s, &end, base);
	if (*end != ':' || !isxdigit((unsigned char)end[1]))
		return false;
	b = strtoul(end + 1, &end, base);
	if (*end && !(*end == '\n' && !end[1]))
		return false;
	if (a > UINT32_MAX || b > UINT32_MAX)
		return false;
	*maj = a;
	*min = b;
	return true;
}

bool parse_majmin_hex(const char *s, unsigned int *maj, unsigned int *min)
{
	return parse_majmin(s, 16, maj, min);
}

bool parse_majmin_dec(const char *s, unsigned int *maj, unsigned int *min)
{
	const char *p;

	for (p = s; p && *p && *p != '\n'; p++)
		if (*p != ':' && !isdigit((unsigned char)*p))
			return false;
	return parse_majmin(s, 10, maj, min);
}

bool streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Compare strings treating runs of digits as numbers. */
int cmp_natural(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = ea - a;
			lb = eb - b;
			if (la != lb)
				return la < lb ? -1 : 1;
			c = strncmp(a, b, la);
			if (c)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}
