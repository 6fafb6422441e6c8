/* SPDX-License-Identifier: GPL-2.0 */
/* Aligned text tables: cells are added row by row, the first row heads. */
#ifndef PVBACKCTL_TABLE_H
#define PVBACKCTL_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "kint.h"

struct table {
	size_t ncols;
	unsigned int right;	/* bit i: column i is right-aligned */
	char **cells;
	size_t n;
};

void table_init(struct table *t, size_t ncols, unsigned int right);
void table_add(struct table *t, const char *fmt, ...)
	__printf(2, 3);
/* Cells from a NULL-terminated list of strings (the header, say). */
void table_add_all(struct table *t, ...) __sentinel;
/* Two spaces between columns, no trailing blanks. */
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif
