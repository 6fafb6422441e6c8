// SPDX-License-Identifier: GPL-2.0
/* The real xenstore, through libxenstore. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "util.h"
#include "xsrc.h"

struct xs_real {
	struct xsrc ops;
	struct xs_handle *h;
};

static char *real_read(struct xsrc *xs, const char *path, unsigned int *len)
{
	struct xs_real *r = (struct xs_real *)xs;

	return xs_read(r->h, XBT_NULL, path, len);
}

static char **real_dir(struct xsrc *xs, const char *path, unsigned int *num)
{
	struct xs_real *r = (struct xs_real *)xs;

	return xs_directory(r->h, XBT_NULL, path, num);
}

static void real_close(struct xsrc *xs)
{
	struct xs_real *r = (struct xs_real *)xs;

	xs_close(r->h);
	free(r);
}

struct xsrc *xsrc_open_real(char *err, unsigned int errlen)
{
	struct xs_real *r;
	struct xs_handle *h;
	unsigned int len;
	char *v;

	h = xs_open(0);
	if (!h) {
		snprintf(err, errlen,
			 "cannot open xenstore (%s): not a Xen dom0, or xenstored is not running",
			 strerror(errno));
		return NULL;
	}
	/* A handle can open and still not answer (no xenstored). */
	v = xs_read(h, XBT_NULL, "/local/domain/0/name", &len);
	if (!v && errno != ENOENT && errno != EACCES) {
		snprintf(err, errlen,
			 "cannot read xenstore (%s): is xenstored running? are you root?",
			 strerror(errno));
		xs_close(h);
		return NULL;
	}
	free(v);
	r = xcalloc(1, sizeof(*r));
	r->ops.read = real_read;
	r->ops.dir = real_dir;
	r->ops.close = real_close;
	r->h = h;
	return &r->ops;
}

char *xs_get(struct xsrc *xs, const char *fmt, ...)
{
	unsigned int len;
	va_list ap;
	char *path, *v;

	va_start(ap, fmt);
	if (vasprintf(&path, fmt, ap) < 0)
		path = NULL;
	va_end(ap);
	if (!path)
		return NULL;
	v = xs->read(xs, path, &len);
	free(path);
	return v;
}

char **xs_ls(struct xsrc *xs, unsigned int *num, const char *fmt, ...)
{
	va_list ap;
	char *path;
	char **v;

	*num = 0;
	va_start(ap, fmt);
	if (vasprintf(&path, fmt, ap) < 0)
		path = NULL;
	va_end(ap);
	if (!path)
		return NULL;
	v = xs->dir(xs, path, num);
	if (!v)
		*num = 0;
	free(path);
	return v;
}
