/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizes and region targets, as in Documentation/regions.md:
 *
 *   DEVICE[,start=OFFSET][,size=SIZE]
 *
 * A size is decimal digits with an optional suffix: none = bytes, s = 512-byte
 * sectors, K M G T P = powers of 1024 (either case).  No I/O here: checking a
 * target against its device is region.c's and the caller's business.
 */
#ifndef PVBACKCTL_SIZE_H
#define PVBACKCTL_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

#define SZ_SECTOR	512ULL
#define SZ_K		1024ULL
#define SZ_M		(SZ_K * 1024)
#define SZ_G		(SZ_M * 1024)
#define SZ_T		(SZ_G * 1024)
#define SZ_P		(SZ_T * 1024)

enum size_err {
	SIZE_OK = 0,
	SIZE_INVALID,		/* not a size */
	SIZE_TOO_LARGE,		/* does not fit 64 bits */
};

/* Parse a size (spaces around it ignored) into bytes. */
enum size_err size_parse(const char *s, u64 *bytes);

/* "120G", "1536M", "3s", "1000": the largest suffix that is exact. */
void size_fmt_exact(u64 bytes, char *buf, size_t len);
/* "20G", "19.5G", "900M", "512B": for tables; at most one decimal. */
void size_fmt_human(u64 bytes, char *buf, size_t len);

struct target {
	char *device;
	bool has_start, has_size;
	u64 start, size;	/* bytes; start is 0 when !has_start */
};

/*
 * Parse a region target.  On error returns -1 and sets *err to a
 * malloc'ed message in the words of the pvback-region script.
 */
int target_parse(const char *s, struct target *t, char **err);
void target_free(struct target *t);

#endif
