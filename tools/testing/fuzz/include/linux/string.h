/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/string.h>: libc's mem* and str* do the same. */
#ifndef FUZZ_LINUX_STRING_H
#define FUZZ_LINUX_STRING_H

#include <string.h>

#endif /* FUZZ_LINUX_STRING_H */
