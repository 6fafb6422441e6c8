/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers: allocation that cannot fail (we exit on OOM), strict
 * number parsing, string trimming.  No I/O.
 */
#ifndef PVBACKCTL_UTIL_H
#define PVBACKCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __printf(1, 2);

/*
 * Grow the array *arr (of *cap elements of size elsz) so that it holds at
 * least n + 1 elements; new elements are zeroed.
 */
void grow(void *arr, size_t *cap, size_t n, size_t elsz);

/* Trim spaces and tabs (and \r, \n) in place; returns the new start. */
char *trim(char *s);
bool is_blank(int c);

/* Strict parsers: the whole string, no sign, no spaces, no overflow. */
bool parse_u64(const char *s, u64 *out);
bool parse_uint(const char *s, unsigned int *out);
/* "MAJ:MIN" in hexadecimal, as xenstore's physical-device. */
bool parse_majmin_hex(const char *s, unsigned int *maj, unsigned int *min);
/* "MAJ:MIN" in decimal, as sysfs' dev files. */
bool parse_majmin_dec(const char *s, unsigned int *maj, unsigned int *min);

bool streq(const char *a, const char *b);	/* NULL-safe */
int cmp_natural(const char *a, const char *b);	/* "vm2" < "vm10" */

#endif
