/* SPDX-License-Identifier: GPL-2.0 */
/* An in-memory xenstore for the tests. */
#ifndef PVBACKCTL_FAKEXS_H
#define PVBACKCTL_FAKEXS_H

#include "kint.h"
#include "xsrc.h"

struct fakexs;

struct fakexs *fakexs_new(void);
/* Set path (printf-style) to value. */
void fakexs_set(struct fakexs *f, const char *value, const char *fmt, ...)
	__printf(3, 4);
struct xsrc *fakexs_src(struct fakexs *f);
void fakexs_free(struct fakexs *f);

#endif
