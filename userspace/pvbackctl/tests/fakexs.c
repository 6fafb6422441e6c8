// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakexs.h"
#include "util.h"

struct fakexs {
	struct xsrc ops;
	char **path, **val;
	size_t n;
};

static char *fx_read(struct xsrc *xs, const char *path, unsigned int *len)
{
	struct fakexs *f = (struct fakexs *)xs;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (!strcmp(f->path[i], path)) {
			*len = strlen(f->val[i]);
			return xstrdup(f->val[i]);
		}
	}
	errno = ENOENT;
	return NULL;
}

/* Children of path, in one malloc'ed block as libxenstore returns them. */
static char **fx_dir(struct xsrc *xs, const char *path, unsigned int *num)
{
	struct fakexs *f = (struct fakexs *)xs;
	size_t plen = strlen(path), i, j, n = 0, bytes = 0;
	char **names = xcalloc(f->n, sizeof(*names)), **out, *p;

	for (i = 0; i < f->n; i++) {
		const char *s = f->path[i], *end;
		char *name;

		if (strncmp(s, path, plen) || s[plen] != '/')
			continue;
		s += plen + 1;
		end = strchr(s, '/');
		name = xstrndup(s, end ? (size_t)(end - s) : strlen(s));
		for (j = 0; j < n; j++)
			if (!strcmp(names[j], name))
				break;
		if (j < n) {
			free(name);
			continue;
		}
		names[n++] = name;
		bytes += strlen(name) + 1;
	}
	if (!n) {
		free(names);
		*num = 0;
		errno = ENOENT;
		return NULL;
	}
	out = xmalloc(n * sizeof(char *) + bytes);
	p = (char *)(out + n);
	for (i = 0; i < n; i++) {
		out[i] = p;
		p = stpcpy(p, names[i]) + 1;
		free(names[i]);
	}
	free(names);
	*num = n;
	return out;
}

static void fx_close(struct xsrc *xs)
{
	(void)xs;
}

struct fakexs *fakexs_new(void)
{
	struct fakexs *f = xcalloc(1, sizeof(*f));

	f->ops.read = fx_read;
	f->ops.dir = fx_dir;
	f->ops.close = fx_close;
	return f;
}

void fakexs_set(struct fakexs *f, const char *value, const char *fmt, ...)
{
	va_list ap;
	char *path;

	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&path, fmt, ap) < 0)
		abort();
	va_end(ap);
	/* Writing a node again replaces its value, as in xenstore. */
	for (i = 0; i < f->n; i++) {
		if (!strcmp(f->path[i], path)) {
			free(path);
			free(f->val[i]);
			f->val[i] = xstrdup(value);
			return;
		}
	}
	f->path = xrealloc(f->path, (f->n + 1) * sizeof(char *));
	f->val = xrealloc(f->val, (f->n + 1) * sizeof(char *));
	f->path[f->n] = path;
	f->val[f->n] = xstrdup(value);
	f->n++;
}

struct xsrc *fakexs_src(struct fakexs *f)
{
	return &f->ops;
}

void fakexs_free(struct fakexs *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->path[i]);
		free(f->val[i]);
	}
	free(f->path);
	free(f->val);
	free(f);
}
