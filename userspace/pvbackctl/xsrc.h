/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little of xenstore pvbackctl uses, behind an interface so that the
 * tests can give a fake one.  Results are malloc'ed, as libxenstore's:
 * read returns a NUL-terminated string, dir one block to free() once.
 */
#ifndef PVBACKCTL_XSRC_H
#define PVBACKCTL_XSRC_H

#include "kint.h"

struct xsrc {
	char *(*read)(struct xsrc *xs, const char *path, unsigned int *len);
	char **(*dir)(struct xsrc *xs, const char *path, unsigned int *num);
	void (*close)(struct xsrc *xs);
};

/* libxenstore; NULL with err filled when it cannot be opened. */
struct xsrc *xsrc_open_real(char *err, unsigned int errlen);

/* Read a key (printf-style path); NULL if absent. */
char *xs_get(struct xsrc *xs, const char *fmt, ...)
	__printf(2, 3);
/* List a directory; NULL (and *num 0) if absent.  free() the result. */
char **xs_ls(struct xsrc *xs, unsigned int *num, const char *fmt, ...)
	__printf(3, 4);

#endif
