/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <asm/barrier.h>: the barriers against the other
 * end of a shared ring, as C11 fences.  A harness is a single thread, so
 * they only have to compile and keep the compiler's order.
 */
#ifndef FUZZ_ASM_BARRIER_H
#define FUZZ_ASM_BARRIER_H

/* Full barrier: stores before it are visible before loads after it. */
#define virt_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
/* Read barrier: an index is read before the slots it publishes. */
#define virt_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Write barrier: slots are written before the index that publishes them. */
#define virt_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

#endif /* FUZZ_ASM_BARRIER_H */
