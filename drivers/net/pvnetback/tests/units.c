// SPDX-License-Identifier: GPL-2.0
/*
 * The pure units of pvnetback and its ring engine, compiled into the KUnit
 * module.  They make no Xen calls (queue.c reaches the guest only through
 * struct pvnet_queue_ops), so the test module loads in a kernel that is
 * not running on Xen.
 */
#include "../netif.c"
#include "../queue.c"

MODULE_DESCRIPTION("KUnit tests for pvnetback's pure units and ring engine");
MODULE_LICENSE("GPL");
