/* SPDX-License-Identifier: GPL-2.0 */
/*
 * parse_num() of the lab's static tools (pvpattern, pvnet): a number (decimal, 0x hex or 0
 * octal) with an optional suffix s (512-byte sectors), K, M, G or T (powers of 1024). A bad or
 * overflowing value ends the program with status 2. The including file defines "prog".
 */
#ifndef PVSIZE_H
#define PVSIZE_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t parse_num(const char *s, const char *what)
{
	char *end;
	uint64_t v, mul = 1;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		goto bad;
	switch (*end) {
	case '\0':
		break;
	case 's':
		mul = 512;
		break;
	case 'K':
	case 'k':
		mul = 1ull << 10;
		break;
	case 'M':
	case 'm':
		mul = 1ull << 20;
		break;
	case 'G':
	case 'g':
		mul = 1ull << 30;
		break;
	case 'T':
	case 't':
		mul = 1ull << 40;
		break;
	default:
		goto bad;
	}
	if (*end && end[1])
		goto bad;
	if (v > UINT64_MAX / mul)
		goto bad;
	return v * mul;
bad:
	fprintf(stderr, "%s: bad %s '%s'\n", prog, what, s);
	exit(2);
}

#endif
