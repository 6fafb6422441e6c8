/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny test harness: every check prints "ok N - name" or "not ok N -
 * name" (with "# " diagnostics), the runner ends with "N passed, N failed".
 */
#ifndef PVBACKCTL_TEST_H
#define PVBACKCTL_TEST_H

#include <stdbool.h>
#include "kint.h"
#include <stdio.h>
#include <string.h>

extern int t_passed, t_failed;

bool t_check(bool ok, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
void t_diag(const char *fmt, ...) __printf(1, 2);

#define OK(cond, ...) t_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define EQ_U64(got, want, ...) do {					\
	u64 g_ = (got), w_ = (want);				\
	if (!OK(g_ == w_, __VA_ARGS__))					\
		t_diag("got %llu, want %llu", (unsigned long long)g_,	\
		       (unsigned long long)w_);				\
} while (0)

#define EQ_INT(got, want, ...) do {					\
	long long g_ = (got), w_ = (want);				\
	if (!OK(g_ == w_, __VA_ARGS__))					\
		t_diag("got %lld, want %lld", g_, w_);			\
} while (0)

bool t_streq(const char *a, const char *b);	/* NULL-safe */
#define EQ_STR(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (!OK(t_streq(g_, w_), __VA_ARGS__))				\
		t_diag("got \"%s\", want \"%s\"", g_ ? g_ : "(null)",	\
		       w_ ? w_ : "(null)");				\
} while (0)

#define HAS(hay, needle, ...) do {					\
	const char *h_ = (hay), *n_ = (needle);				\
	if (!OK(h_ && strstr(h_, n_), __VA_ARGS__))			\
		t_diag("\"%s\" not found in:\n%s", n_, h_ ? h_ : "(null)"); \
} while (0)

#define LACKS(hay, needle, ...) do {					\
	const char *h_ = (hay), *n_ = (needle);				\
	if (!OK(h_ && !strstr(h_, n_), __VA_ARGS__))			\
		t_diag("\"%s\" unexpectedly in:\n%s", n_, h_ ? h_ : "(null)"); \
} while (0)

/* Suites */
void test_util(void);
void test_size(void);
void test_region(void);
void test_diskspec(void);
void test_xlcfg(void);
void test_json(void);
void test_hist_rates(void);
void test_e2e(const char *srcdir);

/* A JSON validator for the emitter's output (tests/jsoncheck.c). */
bool json_valid(const char *s, char *why, size_t len);

#endif
