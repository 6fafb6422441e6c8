/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/errno.h>: the values are the UAPI ones, and
 * libc's <errno.h> comes here for them too.
 */
#ifndef FUZZ_LINUX_ERRNO_H
#define FUZZ_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif /* FUZZ_LINUX_ERRNO_H */
