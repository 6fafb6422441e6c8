/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/uuid.h>: the type and the comparison region.c uses. */
#ifndef FUZZ_LINUX_UUID_H
#define FUZZ_LINUX_UUID_H

#include <string.h>
#include <linux/types.h>

typedef struct {
	u8 b[16];
} uuid_t;

static inline bool uuid_equal(const uuid_t *a, const uuid_t *b)
{
	return !memcmp(a, b, sizeof(*a));
}

#endif /* FUZZ_LINUX_UUID_H */
