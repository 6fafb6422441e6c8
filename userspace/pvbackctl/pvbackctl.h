/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvbackctl: the context every command runs in.  Everything that touches
 * the outside world goes through it, so the tests can run the commands
 * in-process against a fake xenstore, a fake sysfs tree and a fake /dev.
 */
#ifndef PVBACKCTL_H
#define PVBACKCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "kint.h"

/* From the top-level VERSION file, through the Makefile. */
#define PVBACKCTL_VERSION	PVBACK_VERSION
#define DEFAULT_VM_DIR		"/etc/xen/vm"

/* Exit status */
#define EXIT_OK		0
#define EXIT_PROBLEM	1
#define EXIT_USAGE	2

struct xsrc;

struct pvctx {
	FILE *out, *err;
	const char *vm_dir;	/* --vm-dir, $PVBACK_VM_DIR, /etc/xen/vm */
	const char *sysfs;	/* $PVBACK_SYSFS or "/sys" */
	const char *devfs;	/* $PVBACK_DEVFS (tests) or NULL: the real / */
	/* blk_dm_linear, or the tests' fake; NULL: no device-mapper lookups */
	int (*dm_linear)(struct pvctx *ctx, unsigned int maj, unsigned int min,
			 unsigned int *umaj, unsigned int *umin, u64 *start);
	bool json;

	/* xenstore, opened on first use by xs_open (NULL: unavailable) */
	struct xsrc *xs;
	bool xs_tried;
	struct xsrc *(*xs_open)(struct pvctx *ctx);
	char xs_err[256];	/* why it is unavailable */

	/* top: terminal and time; the tests replace wait and now */
	bool in_tty, out_tty;
	/* Sleep up to ms; return a key pressed meanwhile, or -1. */
	int (*wait)(struct pvctx *ctx, int ms);
	double (*now)(struct pvctx *ctx);	/* seconds, monotonic */
	void *priv;				/* for the tests' hooks */
};

/* Fill ctx from the environment and the real world. */
void ctx_init(struct pvctx *ctx);
/* xenstore, or NULL with ctx->xs_err saying why. */
struct xsrc *ctx_xs(struct pvctx *ctx);

int pvbackctl_main(struct pvctx *ctx, int argc, char **argv);

/* Messages: "pvbackctl: ..." and "pvbackctl: warning: ..." on ctx->err. */
void errmsg(struct pvctx *ctx, const char *fmt, ...)
	__printf(2, 3);
void warnmsg(struct pvctx *ctx, const char *fmt, ...)
	__printf(2, 3);

/* Commands: argv[0] is the command name. */
int cmd_check(struct pvctx *ctx, int argc, char **argv);
int cmd_carve(struct pvctx *ctx, int argc, char **argv);
int cmd_list(struct pvctx *ctx, int argc, char **argv);
int cmd_stats(struct pvctx *ctx, int argc, char **argv);
int cmd_top(struct pvctx *ctx, int argc, char **argv);
int cmd_leases(struct pvctx *ctx, int argc, char **argv);

/* Usage of one command (or the whole tool for NULL) to f. */
void print_usage(FILE *f, const char *cmd);
/*
 * Every command takes --json, --vm-dir and --help: their getopt_long
 * entries are { "json", no_argument, NULL, 'J' }, { "vm-dir",
 * required_argument, NULL, 'D' } and { "help", no_argument, NULL, 'h' }.
 */
/*
 * Handle what getopt_long returned (c) if it is a common option or an
 * error: returns -1 if it is neither, -2 to go on, or an exit status.
 * Option strings start with "+:" so that a missing value returns ':'.
 */
int common_opt(struct pvctx *ctx, const char *cmd, int c, char **argv);

#endif
