// SPDX-License-Identifier: GPL-2.0
/* Sizes and region targets (Documentation/regions.md, "Target syntax"). */
#include <stdlib.h>

#include "size.h"
#include "test.h"

static void size_ok(const char *s, u64 want)
{
	u64 v = 0;
	enum size_err e = size_parse(s, &v);

	if (!OK(e == SIZE_OK && v == want, "size '%s' is %llu", s,
		(unsigned long long)want))
		t_diag("err %d, got %llu", e, (unsigned long long)v);
}

static void size_bad(const char *s, enum size_err want)
{
	u64 v;

	EQ_INT(size_parse(s, &v), want, "size '%s' is refused (%s)", s,
	       want == SIZE_TOO_LARGE ? "too large" : "not a size");
}

static void target_ok(const char *s, const char *dev, bool has_start,
		      u64 start, bool has_size, u64 size)
{
	struct target t;
	char *err;

	if (!OK(!target_parse(s, &t, &err), "target '%s' parses", s)) {
		t_diag("%s", err);
		free(err);
		return;
	}
	OK(!strcmp(t.device, dev) && t.has_start == has_start &&
	   t.start == start && t.has_size == has_size && t.size == size,
	   "target '%s' = %s start %llu size %llu", s, dev,
	   (unsigned long long)start, (unsigned long long)size);
	target_free(&t);
}

static void target_bad(const char *s, const char *msg)
{
	struct target t;
	char *err = NULL;

	if (OK(target_parse(s, &t, &err), "target '%s' is refused", s))
		HAS(err, msg, "  ... saying \"%s\"", msg);
	free(err);
}

static void fmt_exact(u64 b, const char *want)
{
	char buf[32];

	size_fmt_exact(b, buf, sizeof(buf));
	EQ_STR(buf, want, "exact size %llu prints %s", (unsigned long long)b,
	       want);
}

static void fmt_human(u64 b, const char *want)
{
	char buf[32];

	size_fmt_human(b, buf, sizeof(buf));
	EQ_STR(buf, want, "human size %llu prints %s", (unsigned long long)b,
	       want);
}

void test_size(void)
{
	size_ok("0", 0);
	size_ok("512", 512);
	size_ok("1s", 512);
	size_ok("3S", 1536);
	size_ok("1k", 1024);
	size_ok("20G", 20ULL << 30);
	size_ok("20g", 20ULL << 30);
	size_ok("7T", 7ULL << 40);
	size_ok("2P", 2ULL << 50);
	size_ok("  100G ", 100ULL << 30);
	size_ok("0000000000000000000000001M", 1 << 20);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16383P", 16383ULL << 50);
	size_ok("36028797018963967s", 36028797018963967ULL * 512);
	size_bad("", SIZE_INVALID);
	size_bad("G", SIZE_INVALID);
	size_bad("20Q", SIZE_INVALID);
	size_bad("20GB", SIZE_INVALID);
	size_bad("20 G", SIZE_INVALID);
	size_bad("-1", SIZE_INVALID);
	size_bad("+1", SIZE_INVALID);
	size_bad("1.5G", SIZE_INVALID);
	size_bad("0x10", SIZE_INVALID);
	size_bad("18446744073709551616", SIZE_TOO_LARGE);	/* 2^64 */
	size_bad("99999999999999999999999", SIZE_TOO_LARGE);
	size_bad("16384P", SIZE_TOO_LARGE);			/* 2^64 exactly */
	size_bad("36028797018963968s", SIZE_TOO_LARGE);		/* 2^55 sectors */
	size_bad("17179869184G", SIZE_TOO_LARGE);

	target_ok("/dev/sda", "/dev/sda", false, 0, false, 0);
	target_ok("/dev/sda,start=100G,size=20G", "/dev/sda", true,
		  100ULL << 30, true, 20ULL << 30);
	target_ok("/dev/sda,size=1G,start=2G", "/dev/sda", true, 2ULL << 30,
		  true, 1ULL << 30);
	target_ok("/dev/sda, start = 1M , size= 2M", "/dev/sda", true, 1 << 20,
		  true, 2 << 20);
	target_ok("/dev/sda,start=0", "/dev/sda", true, 0, false, 0);
	target_ok("/dev/sda,", "/dev/sda", false, 0, false, 0);
	target_ok("/dev/disk/by-id/x=y", "/dev/disk/by-id/x=y", false, 0, false, 0);
	target_bad("", "target is empty");
	target_bad(",start=1G", "target is empty");
	target_bad("sda,start=1G", "must be an absolute path");
	target_bad(" /dev/sda", "must be an absolute path");
	target_bad("/dev/sda,start=1G,start=2G", "'start' given twice");
	target_bad("/dev/sda,size=1G,size=1G", "'size' given twice");
	target_bad("/dev/sda,length=1G", "unknown key 'length'");
	target_bad("/dev/sda,Start=1G", "unknown key 'Start'");
	target_bad("/dev/sda,1G", "'1G' in target is not key=value");
	target_bad("/dev/sda,,size=1G", "'' in target is not key=value");
	target_bad("/dev/sda,size=1G,,", "'' in target is not key=value");
	target_bad("/dev/sda,size=20Q", "size=20Q is not a size");
	target_bad("/dev/sda,start=", "start= is not a size");
	target_bad("/dev/sda,start=16384P", "start=16384P is too large");
	target_bad("/dev/sda,size=18446744073709551616",
		   "size=18446744073709551616 is too large");

	fmt_exact(0, "0");
	fmt_exact(120ULL << 30, "120G");
	fmt_exact(1536ULL << 20, "1536M");
	fmt_exact(3ULL << 40, "3T");
	fmt_exact(1ULL << 50, "1P");
	fmt_exact((99ULL << 30) + (1 << 20), "101377M");
	fmt_exact(1536, "3s");
	fmt_exact(1000, "1000");
	fmt_exact(UINT64_MAX, "18446744073709551615");
	fmt_exact(UINT64_MAX - 511, "36028797018963967s");
	fmt_human(0, "0B");
	fmt_human(20ULL << 30, "20G");
	fmt_human((19ULL << 30) + (1ULL << 29), "19.5G");
	fmt_human((1ULL << 30) - 1, "1024M");
	fmt_human(150ULL * (1 << 20) + 1, "150M");
	fmt_human(1000, "1000B");
}
