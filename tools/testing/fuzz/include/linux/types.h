/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/types.h>: the kernel's fixed-width names,
 * as every architecture defines them (asm-generic/int-ll64.h).  The limits
 * come along because every unit reaches <linux/limits.h> in the kernel.
 */
#ifndef FUZZ_LINUX_TYPES_H
#define FUZZ_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>		/* dev_t */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)

#endif /* FUZZ_LINUX_TYPES_H */
