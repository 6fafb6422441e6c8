/* SPDX-License-Identifier: GPL-2.0 */
/* The terminal for top: raw keys, restored on exit and on signals. */
#ifndef PVBACKCTL_TERM_H
#define PVBACKCTL_TERM_H

#include <stdbool.h>

struct pvctx;

/*
 * Catch SIGINT, SIGTERM and SIGHUP (top then quits cleanly) and, if keys,
 * read keys from stdin without Enter or echo.
 */
void term_begin(bool keys);
/* Back to how we found it: terminal and signals (also run at exit). */
void term_end(void);

/* The real pvctx hooks: wait returns 'q' once a signal came. */
int term_wait(struct pvctx *ctx, int ms);
double clock_now(struct pvctx *ctx);

#endif
