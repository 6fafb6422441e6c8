/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/kernel.h>: the helpers the units use.
 * They use no sscanf(): the kernel's wraps numbers that overflow.
 */
#ifndef FUZZ_LINUX_KERNEL_H
#define FUZZ_LINUX_KERNEL_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/minmax.h>
#include <linux/time64.h>
#include <linux/types.h>

#define DIV_ROUND_UP(n, d) ({			\
	typeof(d) __div_d = (d);		\
	((n) + __div_d - 1) / __div_d; })

#endif /* FUZZ_LINUX_KERNEL_H */
