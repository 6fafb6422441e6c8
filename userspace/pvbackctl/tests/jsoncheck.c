// SPDX-License-Identifier: GPL-2.0
/*
 * A strict JSON (RFC 8259) validator, to check what the emitter and the
 * --json commands write: one value, nothing but blanks around it, valid
 * strings (escapes, no raw control characters, UTF-8).
 */
#include <stdio.h>
#include <string.h>

#include "test.h"

struct jp {
	const char *p;
	const char *why;
	int depth;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool fail(struct jp *j, const char *why)
{
	if (!j->why)
		j->why = why;
	return false;
}

static bool value(struct jp *j);

static bool jstring(struct jp *j)
{
	const unsigned char *s = (const unsigned char *)j->p + 1;

	for (;;) {
		if (*s == '"') {
			j->p = (const char *)s + 1;
			return true;
		}
		if (*s < 0x20)
			return fail(j, "control character or end in a string");
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				int k;

				for (k = 1; k <= 4; k++)
					if (!strchr("0123456789abcdefABCDEF", s[k]) || !s[k])
						return fail(j, "bad \\u escape");
				s += 5;
				continue;
			}
			if (!*s || !strchr("\"\\/bfnrt", *s))
				return fail(j, "bad escape");
			s++;
			continue;
		}
		if (*s >= 0x80) {
			int n = (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 :
				(*s & 0xf8) == 0xf0 ? 4 : 0, k;

			if (!n)
				return fail(j, "bad UTF-8 lead byte");
			for (k = 1; k < n; k++)
				if ((s[k] & 0xc0) != 0x80)
					return fail(j, "bad UTF-8 continuation");
			s += n;
			continue;
		}
		s++;
	}
}

static bool jnumber(struct jp *j)
{
	const char *p = j->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return fail(j, "bad number");
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return fail(j, "bad fraction");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return true;
}

static bool container(struct jp *j, char close, bool obj)
{
	j->p++;
	if (++j->depth > 64)
		return fail(j, "too deep");
	ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		ws(j);
		if (obj) {
			if (*j->p != '"' || !jstring(j))
				return fail(j, "expected a key");
			ws(j);
			if (*j->p++ != ':')
				return fail(j, "expected ':'");
		}
		if (!value(j))
			return false;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		return fail(j, "expected ',' or a closing bracket");
	}
}

static bool value(struct jp *j)
{
	ws(j);
	switch (*j->p) {
	case '{':
		return container(j, '}', true);
	case '[':
		return container(j, ']', false);
	case '"':
		return jstring(j);
	case 't':
		if (!strncmp(j->p, "true", 4)) {
			j->p += 4;
			return true;
		}
		break;
	case 'f':
		if (!strncmp(j->p, "false", 5)) {
			j->p += 5;
			return true;
		}
		break;
	case 'n':
		if (!strncmp(j->p, "null", 4)) {
			j->p += 4;
			return true;
		}
		break;
	default:
		return jnumber(j);
	}
	return fail(j, "bad literal");
}

bool json_valid(const char *s, char *why, size_t len)
{
	struct jp j = { .p = s };
	bool ok = s && value(&j);

	if (ok) {
		ws(&j);
		if (*j.p)
			ok = fail(&j, "text after the value");
	}
	if (!ok)
		snprintf(why, len, "%s at offset %td", j.why ? j.why : "?",
			 s ? j.p - s : 0);
	return ok;
}
