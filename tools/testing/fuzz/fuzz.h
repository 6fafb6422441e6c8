/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the harnesses: reading fixed-layout inputs and failing loudly.
 *
 * Inputs are read little-endian, field by field; a short input reads as
 * zeros past its end, so every prefix of an input is an input too.  An
 * invariant that does not hold prints what was expected and aborts, which
 * libFuzzer reports as a crash and saves as an artifact.
 */
#ifndef PVBACK_FUZZ_H
#define PVBACK_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* Reference arithmetic: sums and products of u64 do not wrap in 128 bits. */
#define WIDE(x)	((__uint128_t)(x))

struct fuzz_in {
	const u8 *p;
	size_t left;
};

static inline u64 fuzz_bytes(struct fuzz_in *in, unsigned int n)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (in->left) {
			v |= (u64)*in->p << (8 * i);
			in->p++;
			in->left--;
		}
	}
	return v;
}

static inline u8 fuzz_u8(struct fuzz_in *in)
{
	return fuzz_bytes(in, 1);
}

static inline u16 fuzz_u16(struct fuzz_in *in)
{
	return fuzz_bytes(in, 2);
}

static inline u32 fuzz_u32(struct fuzz_in *in)
{
	return fuzz_bytes(in, 4);
}

static inline u64 fuzz_u64(struct fuzz_in *in)
{
	return fuzz_bytes(in, 8);
}

/* Copy @n bytes into @dst, zero-filled past the end of the input. */
static inline void fuzz_copy(struct fuzz_in *in, void *dst, size_t n)
{
	size_t have = n < in->left ? n : in->left;

	if (have)
		memcpy(dst, in->p, have);
	memset((u8 *)dst + have, 0, n - have);
	in->p += have;
	in->left -= have;
}

#define FUZZ_CHECK(cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s: " fmt "\n", \
				__FILE__, __LINE__, #cond, ##__VA_ARGS__); \
			abort();					\
		}							\
	} while (0)

#endif /* PVBACK_FUZZ_H */
