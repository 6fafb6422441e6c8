/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's fixed-width integer names, for userspace: u64 is the uapi
 * __u64 (unsigned long long), printed with %llu.
 */
#ifndef PVBACKCTL_KINT_H
#define PVBACKCTL_KINT_H

#include <linux/types.h>
#include <stdint.h>	/* UINT64_MAX */

typedef __u64 u64;
typedef __s64 s64;
typedef __u32 u32;

/* Attributes, as the kernel names them. */
#define PV_ATTRIBUTE(x)	__attribute__(x)
#define __printf(a, b)	PV_ATTRIBUTE((format(printf, a, b)))
#define __sentinel	PV_ATTRIBUTE((sentinel))

#endif
