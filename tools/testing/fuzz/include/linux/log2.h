/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/log2.h>. */
#ifndef FUZZ_LINUX_LOG2_H
#define FUZZ_LINUX_LOG2_H

/* Like the kernel's, undefined for 0 (UBSan reports it). */
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (63 - __builtin_clzl(n));
}

#endif /* FUZZ_LINUX_LOG2_H */
