/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xl domain configuration files (xl.cfg(5)): "key = value" settings ended
 * by a newline or ';', values are numbers, "..."/'...' strings with
 * backslash escapes, or [ lists ] that may span lines and end with a comma;
 * '#' starts a comment.  "key += value" appends to a list or string.
 * No I/O: the caller reads the file.
 */
#ifndef PVBACKCTL_XLCFG_H
#define PVBACKCTL_XLCFG_H

#include <stddef.h>

enum xlval_type {
	XLV_STRING,
	XLV_NUMBER,
	XLV_LIST,
};

struct xlval {
	enum xlval_type type;
	int line;		/* where the value starts */
	char *str;		/* STRING: unquoted; NUMBER: as written */
	size_t len;		/* STRING: length (it may hold a \0) */
	struct xlval *items;	/* LIST */
	size_t nitems;
};

struct xlsetting {
	char *key;
	int line;		/* of the last assignment */
	struct xlval val;
};

struct xlcfg {
	struct xlsetting *set;	/* one per key, in order of first appearance */
	size_t nset;
};

/*
 * Parse buf[0..len).  On error returns -1 and sets *err to a malloc'ed
 * "FILE:LINE: message"; cfg is then empty.
 */
int xlcfg_parse(const char *file, const char *buf, size_t len,
		struct xlcfg *cfg, char **err);
/* The value of key, or NULL. */
const struct xlval *xlcfg_get(const struct xlcfg *cfg, const char *key);
void xlcfg_free(struct xlcfg *cfg);

#endif
