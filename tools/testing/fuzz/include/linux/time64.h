/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/time64.h>. */
#ifndef FUZZ_LINUX_TIME64_H
#define FUZZ_LINUX_TIME64_H

#define NSEC_PER_USEC	1000L

#endif /* FUZZ_LINUX_TIME64_H */
