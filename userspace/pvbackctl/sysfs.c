// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvbackctl.h"
#include "sysfs.h"
#include "util.h"

static char *vpath(struct pvctx *ctx, const char *fmt, va_list ap)
{
	char *rel, *p;

	if (vasprintf(&rel, fmt, ap) < 0)
		return xstrdup("");
	p = xasprintf("%s%s", ctx->sysfs, rel);
	free(rel);
	return p;
}

char *sys_path(struct pvctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = vpath(ctx, fmt, ap);
	va_end(ap);
	return p;
}

static int read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f)) {
		buf[0] = '\0';
		ret = ferror(f) ? -EIO : 0;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

int sys_read(struct pvctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int ret;

	va_start(ap, fmt);
	p = vpath(ctx, fmt, ap);
	va_end(ap);
	buf[0] = '\0';
	ret = read_first_line(p, buf, len);
	free(p);
	return ret;
}

int sys_read_u64(struct pvctx *ctx, u64 *v, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	char *p;
	int ret;

	va_start(ap, fmt);
	p = vpath(ctx, fmt, ap);
	va_end(ap);
	ret = read_first_line(p, buf, sizeof(buf));
	free(p);
	if (ret)
		return ret;
	return parse_u64(trim(buf), v) ? 0 : -EINVAL;
}

bool sys_exists(struct pvctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *p;
	bool ret;

	va_start(ap, fmt);
	p = vpath(ctx, fmt, ap);
	va_end(ap);
	ret = access(p, F_OK) == 0;
	free(p);
	return ret;
}

int sys_link_base(struct pvctx *ctx, char *buf, size_t len, const char *fmt, ...)
{
	char target[4096], *base;
	va_list ap;
	ssize_t n;
	char *p;

	va_start(ap, fmt);
	p = vpath(ctx, fmt, ap);
	va_end(ap);
	n = readlink(p, target, sizeof(target) - 1);
	free(p);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base ? base + 1 : target);
	return 0;
}
