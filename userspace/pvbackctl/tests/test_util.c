// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "table.h"
#include "test.h"
#include "util.h"

void test_util(void)
{
	unsigned int a = 0, b = 0;
	u64 v;
	char *buf = NULL;
	size_t len = 0;
	struct table t;
	FILE *f;

	OK(parse_u64("18446744073709551615", &v) && v == UINT64_MAX, "u64: 2^64-1");
	OK(!parse_u64("18446744073709551616", &v), "u64: 2^64 overflows");
	OK(!parse_u64("", &v) && !parse_u64("1 ", &v) && !parse_u64("-1", &v),
	   "u64: empty, trailing blank, sign refused");
	OK(parse_majmin_hex("8:10", &a, &b) && a == 8 && b == 16, "physical-device 8:10 is 8:16");
	OK(parse_majmin_hex("fd:0\n", &a, &b) && a == 253 && b == 0,
	   "physical-device fd:0 is 253:0");
	OK(!parse_majmin_hex("8", &a, &b) && !parse_majmin_hex("8:", &a, &b) &&
	   !parse_majmin_hex(":1", &a, &b) && !parse_majmin_hex("8:1x", &a, &b),
	   "physical-device: malformed refused");
	OK(parse_majmin_dec("253:12", &a, &b) && a == 253 && b == 12, "sysfs dev 253:12");
	OK(!parse_majmin_dec("fd:0", &a, &b), "sysfs dev is decimal");
	OK(cmp_natural("vm2", "vm10") < 0 && cmp_natural("vm10", "vm2") > 0 &&
	   cmp_natural("xvda", "xvda") == 0 && cmp_natural("a", "ab") < 0 &&
	   cmp_natural("vm02", "vm2") == 0, "natural order");

	f = open_memstream(&buf, &len);
	table_init(&t, 3, 1u << 2);
	table_add_all(&t, "A", "LONGER", "N", NULL);
	table_add_all(&t, "xx", "y", "100", NULL);
	table_print(&t, f);
	table_free(&t);
	fclose(f);
	EQ_STR(buf, "A   LONGER    N\nxx  y       100\n",
	       "table: aligned, right column, no trailing blanks");
	free(buf);
}
