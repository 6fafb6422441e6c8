/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/container_of.h>. */
#ifndef FUZZ_LINUX_CONTAINER_OF_H
#define FUZZ_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* FUZZ_LINUX_CONTAINER_OF_H */
