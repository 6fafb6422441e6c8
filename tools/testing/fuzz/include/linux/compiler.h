/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/compiler.h>: single accesses to shared
 * memory, which the ring code relies on, as relaxed atomics.
 */
#ifndef FUZZ_LINUX_COMPILER_H
#define FUZZ_LINUX_COMPILER_H

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

/* Compiler barrier: memory may have changed behind the compiler's back. */
static inline void barrier(void)
{
	__asm__ __volatile__("" : : : "memory");
}

#endif /* FUZZ_LINUX_COMPILER_H */
