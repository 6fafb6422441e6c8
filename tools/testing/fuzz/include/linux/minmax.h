/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/minmax.h>.  Each argument is evaluated
 * once; the kernel's type checks are left to the kernel build.
 */
#ifndef FUZZ_LINUX_MINMAX_H
#define FUZZ_LINUX_MINMAX_H

#define min(a, b) ({			\
	typeof(a) __min_a = (a);	\
	typeof(b) __min_b = (b);	\
	__min_a < __min_b ? __min_a : __min_b; })

#define max(a, b) ({			\
	typeof(a) __max_a = (a);	\
	typeof(b) __max_b = (b);	\
	__max_a > __max_b ? __max_a : __max_b; })

#define min3(a, b, c)		min(min(a, b), c)
#define min_t(type, a, b)	min((type)(a), (type)(b))
#define max_t(type, a, b)	max((type)(a), (type)(b))

#endif /* FUZZ_LINUX_MINMAX_H */
