/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's generated configuration: forced into
 * every unit (-include), as Kbuild does.  Only what the units test for.
 */
#ifndef FUZZ_LINUX_KCONFIG_H
#define FUZZ_LINUX_KCONFIG_H

/* blkif.h picks the native blkif ABI from it. */
#ifdef __x86_64__
#define CONFIG_X86_64 1
#endif

#endif /* FUZZ_LINUX_KCONFIG_H */
