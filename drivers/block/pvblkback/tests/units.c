// SPDX-License-Identifier: GPL-2.0
/*
 * The pure units of pvblkback, compiled into the KUnit module.  They make
 * no Xen calls, so the test module loads in a kernel that is not running
 * on Xen.
 */
/* Same prefix as ring.c, which would otherwise redefine it. */
#define pr_fmt(fmt) "pvblkback: " fmt

#include "../region.c"
#include "../blkif.c"
#include "../pgnt.c"
#include "../ring.c"
#include "../io.c"

MODULE_DESCRIPTION("KUnit tests for pvblkback's pure units");
MODULE_LICENSE("GPL");
