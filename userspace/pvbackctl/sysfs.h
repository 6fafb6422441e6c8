/* SPDX-License-Identifier: GPL-2.0 */
/* Reading sysfs under ctx->sysfs ($PVBACK_SYSFS, default /sys). */
#ifndef PVBACKCTL_SYSFS_H
#define PVBACKCTL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include "kint.h"

struct pvctx;

/* root + path, malloc'ed.  path starts with '/'. */
char *sys_path(struct pvctx *ctx, const char *fmt, ...)
	__printf(2, 3);
/* First line of a file, without its newline.  0 or -errno. */
int sys_read(struct pvctx *ctx, char *buf, size_t len, const char *fmt, ...)
	__printf(4, 5);
/* A file holding one decimal number.  0, -errno or -EINVAL. */
int sys_read_u64(struct pvctx *ctx, u64 *v, const char *fmt, ...)
	__printf(3, 4);
bool sys_exists(struct pvctx *ctx, const char *fmt, ...)
	__printf(2, 3);
/* Last component of a symlink's target ("xenbr0"); 0 or -errno. */
int sys_link_base(struct pvctx *ctx, char *buf, size_t len, const char *fmt, ...)
	__printf(4, 5);

#endif
