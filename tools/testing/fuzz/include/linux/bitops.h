/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bitops.h>: what <linux/kernel.h> brings. */
#ifndef FUZZ_LINUX_BITOPS_H
#define FUZZ_LINUX_BITOPS_H

#include <linux/bits.h>
#include <linux/types.h>

static inline unsigned int hweight64(u64 w)
{
	return __builtin_popcountll(w);
}

#endif /* FUZZ_LINUX_BITOPS_H */
