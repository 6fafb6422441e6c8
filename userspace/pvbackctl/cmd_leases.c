// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl leases: who holds which region's lease on the disks shared
 * between servers (Documentation/shared-storage.md).  sanlock keeps the
 * leases on the disks; pvback-lease reads them, and this shows its answer
 * as it is, so that the two never disagree.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvbackctl.h"

#define DEFAULT_LEASE	"/etc/xen/scripts/pvback-lease"

int cmd_leases(struct pvctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "vm-dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tool = getenv("PVBACK_LEASE");
	char buf[4096];
	int c, r, fd[2], st;
	ssize_t n;
	pid_t pid;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		r = common_opt(ctx, "leases", c, argv);
		if (r >= 0)
			return r;
		if (r == -1)
			return EXIT_USAGE;
	}
	if (optind < argc) {
		errmsg(ctx, "leases: takes no arguments (see pvbackctl help leases)");
		return EXIT_USAGE;
	}
	if (!tool || !*tool)
		tool = DEFAULT_LEASE;
	if (access(tool, X_OK)) {
		errmsg(ctx,
		       "leases: %s: %s; install pvback's hotplug scripts (make install-userspace)",
		       tool, strerror(errno));
		return EXIT_PROBLEM;
	}
	if (pipe(fd)) {
		errmsg(ctx, "leases: pipe: %s", strerror(errno));
		return EXIT_PROBLEM;
	}
	fflush(ctx->out);
	fflush(ctx->err);
	pid = fork();
	if (pid < 0) {
		errmsg(ctx, "leases: fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return EXIT_PROBLEM;
	}
	if (!pid) {
		/* Its messages go where ours go; its table through us. */
		dup2(fd[1], STDOUT_FILENO);
		if (fileno(ctx->err) >= 0)
			dup2(fileno(ctx->err), STDERR_FILENO);
		close(fd[0]);
		close(fd[1]);
		execl(tool, tool, "status", ctx->json ? "--json" : (char *)NULL,
		      (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			fwrite(buf, 1, n, ctx->out);
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		errmsg(ctx, "leases: %s status failed%s", tool,
		       WIFEXITED(st) && WEXITSTATUS(st) == 127 ? " to run" : "");
		return EXIT_PROBLEM;
	}
	return EXIT_OK;
}
