// SPDX-License-Identifier: GPL-2.0
/* Global options, command dispatch, usage texts. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blkdev.h"
#include "pvbackctl.h"
#include "term.h"
#include "util.h"
#include "xsrc.h"

void errmsg(struct pvctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("pvbackctl: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
}

void warnmsg(struct pvctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fputs("pvbackctl: warning: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
}

static struct xsrc *open_real(struct pvctx *ctx)
{
	return xsrc_open_real(ctx->xs_err, sizeof(ctx->xs_err));
}

struct xsrc *ctx_xs(struct pvctx *ctx)
{
	if (!ctx->xs && !ctx->xs_tried && ctx->xs_open) {
		ctx->xs_tried = true;
		ctx->xs = ctx->xs_open(ctx);
	}
	if (!ctx->xs && !ctx->xs_err[0])
		snprintf(ctx->xs_err, sizeof(ctx->xs_err),
			 "xenstore is not available");
	return ctx->xs;
}

void ctx_init(struct pvctx *ctx)
{
	const char *e;

	memset(ctx, 0, sizeof(*ctx));
	ctx->out = stdout;
	ctx->err = stderr;
	e = getenv("PVBACK_VM_DIR");
	ctx->vm_dir = e && *e ? e : DEFAULT_VM_DIR;
	e = getenv("PVBACK_SYSFS");
	ctx->sysfs = e && *e ? e : "/sys";
	e = getenv("PVBACK_DEVFS");
	ctx->devfs = e && *e ? e : NULL;
	ctx->xs_open = open_real;
	ctx->dm_linear = blk_dm_linear;
	ctx->in_tty = isatty(STDIN_FILENO);
	ctx->out_tty = isatty(STDOUT_FILENO);
	ctx->wait = term_wait;
	ctx->now = clock_now;
}

static const struct {
	const char *name;
	const char *synopsis;
	const char *summary;
	const char *help;
} cmds[] = {
	{ "check", "check [FILES...]",
	  "validate definitions: syntax, devices, bounds, overlaps",
	  "Validate VM definitions (FILES, default every file of the VM\n"
	  "directory): xl syntax, every region disk's target, device, bounds\n"
	  "and alignment, and that no two regions overlap where one of them\n"
	  "is writable, across the definitions and the running VMs' vbds.\n"
	  "Prints \"OK: N definitions, M regions checked\" or the problems,\n"
	  "each as FILE:LINE: error: ... with what to do.\n" },
	{ "carve", "carve --size SIZE [--align SIZE] [--vdev VDEV] [--ro] [--target-only] DEVICE",
	  "find a free region on DEVICE; print a disk spec",
	  "Find the first free region of SIZE on DEVICE, avoiding every region\n"
	  "(of any mode) of the definitions and running VMs, and the partitions\n"
	  "of a whole disk; print a disk spec ready to paste into a definition.\n"
	  "  --size SIZE       size of the region (e.g. 20G)\n"
	  "  --align SIZE      alignment of its start on DEVICE (default 1M)\n"
	  "  --vdev VDEV       the guest's device name (default xvda)\n"
	  "  --ro              a read-only disk (access=ro)\n"
	  "  --target-only     print only DEVICE,start=...,size=...\n" },
	{ "list", "list",
	  "running VMs, their vbds and vifs; defined VMs",
	  "List running VMs (domid, name) with their vbds (vdev, device,\n"
	  "region, mode, state, rings, region status) and vifs (netdev,\n"
	  "bridge, MAC, state), then the defined VMs that are not running.\n" },
	{ "stats", "stats [VM]",
	  "counters and latency of every vbd and vif",
	  "Counters of every vbd and vif of VM (a name or domid; default all\n"
	  "running VMs): requests, bytes (discards too), errors, refused\n"
	  "requests, the latency histogram with p50/p99 estimates, the dom0\n"
	  "memory of the rings, persistent grants, packets each way.\n" },
	{ "top", "top [-d SECS] [-n ITER] [-b] [-s iops|mbps|name]",
	  "live MB/s and operations/s per device",
	  "Live throughput (MB/s) and operations per second of every vbd and\n"
	  "vif, from counter deltas.  Keys: s cycles the sort, q quits.\n"
	  "  -d SECS           refresh interval (default 2, at least 0.1)\n"
	  "  -n ITER           stop after ITER refreshes (default: never)\n"
	  "  -b                batch mode: plain snapshots, no escapes\n"
	  "  -s KEY            sort by iops (default), mbps or name\n" },
	{ "leases", "leases",
	  "region leases on disks shared between servers",
	  "Show every region lease on the disks this server shares with others\n"
	  "(Documentation/shared-storage.md): lockspace, disk, access, region\n"
	  "(start and sectors, 512-byte units), the VM (its UUID's first 12 hex\n"
	  "digits) and the host id of the server that holds it, or \"free\".\n"
	  "It runs pvback-lease status ($PVBACK_LEASE, default\n"
	  "/etc/xen/scripts/pvback-lease), which reads them with sanlock.\n" },
	{ "help", "help [COMMAND]", "this text, or one command's",
	  "Show the usage of pvbackctl or of COMMAND.\n" },
};

void print_usage(FILE *f, const char *cmd)
{
	size_t i;

	for (i = 0; cmd && i < ARRAY_SIZE(cmds); i++) {
		if (!strcmp(cmds[i].name, cmd)) {
			fprintf(f, "usage: pvbackctl [--json] [--vm-dir DIR] %s\n\n%s",
				cmds[i].synopsis, cmds[i].help);
			return;
		}
	}
	fputs("usage: pvbackctl [--json] [--vm-dir DIR] COMMAND [ARGS...]\n"
	      "       pvbackctl --help | --version | help COMMAND\n\n"
	      "Check, plan and watch the region disks and backends of pvback\n"
	      "(pvblkback, pvnetback) on a Xen dom0.\n\nCommands:\n", f);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strlen(cmds[i].synopsis) < 24)
			fprintf(f, "  %-24s  %s\n", cmds[i].synopsis,
				cmds[i].summary);
		else
			fprintf(f, "  %s\n  %-24s  %s\n", cmds[i].synopsis, "",
				cmds[i].summary);
	}
	fputs("\nOptions:\n"
	      "  --json            list, stats: one JSON document on stdout\n"
	      "  --vm-dir DIR      VM definitions (default $PVBACK_VM_DIR or "
	      DEFAULT_VM_DIR ")\n"
	      "  -h, --help        this text; pvbackctl help COMMAND for one command\n"
	      "  -V, --version     print the version\n\n"
	      "Exit status: 0 success, 1 problems found or failure, 2 usage error.\n"
	      "See pvbackctl(8).\n", f);
}

int common_opt(struct pvctx *ctx, const char *cmd, int c, char **argv)
{
	switch (c) {
	case 'J':
		ctx->json = true;
		return -2;
	case 'D':
		ctx->vm_dir = optarg;
		return -2;
	case 'h':
		print_usage(ctx->out, cmd);
		return EXIT_OK;
	case '?':
		errmsg(ctx, "%s: unknown option '%s'; see pvbackctl help %s",
		       cmd, argv[optind - 1], cmd);
		return EXIT_USAGE;
	case ':':
		errmsg(ctx, "%s: option '%s' needs a value; see pvbackctl help %s",
		       cmd, argv[optind - 1], cmd);
		return EXIT_USAGE;
	}
	return -1;
}

static const struct {
	const char *name;
	int (*fn)(struct pvctx *ctx, int argc, char **argv);
} dispatch[] = {
	{ "check", cmd_check },
	{ "carve", cmd_carve },
	{ "list", cmd_list },
	{ "stats", cmd_stats },
	{ "top", cmd_top },
	{ "leases", cmd_leases },
};

int pvbackctl_main(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	size_t i;
	int c, r;

	optind = 0;	/* full reset: the tests call us many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		if (c == 'V') {
			fprintf(ctx->out, "pvbackctl %s\n", PVBACKCTL_VERSION);
			return EXIT_OK;
		}
		if (c == '?' || c == ':') {
			errmsg(ctx, "%s option '%s'", c == '?' ? "unknown" :
			       "missing value for", argv[optind - 1]);
			print_usage(ctx->err, NULL);
			return EXIT_USAGE;
		}
		r = common_opt(ctx, NULL, c, argv);
		if (r >= 0)
			return r;
	}
	if (optind >= argc) {
		errmsg(ctx, "no command given");
		print_usage(ctx->err, NULL);
		return EXIT_USAGE;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "help")) {
		if (optind + 1 >= argc) {
			print_usage(ctx->out, NULL);
			return EXIT_OK;
		}
		for (i = 0; i < ARRAY_SIZE(cmds); i++) {
			if (!strcmp(cmds[i].name, argv[optind + 1])) {
				print_usage(ctx->out, argv[optind + 1]);
				return EXIT_OK;
			}
		}
		errmsg(ctx, "no command '%s'; commands: check, carve, list, stats, top, leases",
		       argv[optind + 1]);
		return EXIT_USAGE;
	}
	for (i = 0; i < ARRAY_SIZE(dispatch); i++)
		if (!strcmp(dispatch[i].name, cmd))
			return dispatch[i].fn(ctx, argc - optind, argv + optind);
	errmsg(ctx,
	       "unknown command '%s'; commands: check, carve, list, stats, top, leases (pvbackctl --help)",
	       cmd);
	return EXIT_USAGE;
}
