// SPDX-License-Identifier: GPL-2.0
/*
 * pvbackctl: the operator's tool of pvback.  See pvbackctl.8.
 */
#include "pvbackctl.h"
#include "xsrc.h"

int main(int argc, char **argv)
{
	struct pvctx ctx;
	int ret;

	ctx_init(&ctx);
	ret = pvbackctl_main(&ctx, argc, argv);
	if (ctx.xs)
		ctx.xs->close(ctx.xs);
	if (fflush(stdout) && !ret)
		ret = EXIT_PROBLEM;
	return ret;
}
