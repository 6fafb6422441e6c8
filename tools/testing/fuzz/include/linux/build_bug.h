/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/build_bug.h>: static_assert() with the
 * message optional, as the kernel allows.
 */
#ifndef FUZZ_LINUX_BUILD_BUG_H
#define FUZZ_LINUX_BUILD_BUG_H

#define static_assert(expr, ...)	_Static_assert(expr, #expr)

#endif /* FUZZ_LINUX_BUILD_BUG_H */
