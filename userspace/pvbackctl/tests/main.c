// SPDX-License-Identifier: GPL-2.0
/*
 * The unit test runner: tests/run_tests [SRCDIR] (the directory holding
 * pvbackctl, pvbackctl.8 and tests/fixtures; default ".").
 */
#include <stdarg.h>
#include <stdio.h>

#include "test.h"

int t_passed, t_failed;

bool t_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", t_passed + t_failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok) {
		t_passed++;
	} else {
		t_failed++;
		printf("# at %s:%d\n", file, line);
	}
	return ok;
}

bool t_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

void t_diag(const char *fmt, ...)
{
	char buf[8192], *p, *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (p = buf; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		printf("#   %s\n", p);
	}
}

int main(int argc, char **argv)
{
	const char *srcdir = argc > 1 ? argv[1] : ".";

	setvbuf(stdout, NULL, _IOLBF, 0);
	test_util();
	test_size();
	test_region();
	test_diskspec();
	test_xlcfg();
	test_json();
	test_hist_rates();
	test_e2e(srcdir);
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}
