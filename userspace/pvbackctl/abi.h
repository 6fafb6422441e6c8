/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI pvbackctl reads: names from <linux/pvback.h>, and the stock Xen
 * ones.
 */
#ifndef PVBACKCTL_ABI_H
#define PVBACKCTL_ABI_H

#include <linux/pvback.h>

/* Stock Xen backend keys (xenstore-keys.md, networking.md). */
#define XS_STATE	"state"
#define XS_DEV		"dev"
#define XS_PARAMS	"params"
#define XS_SCRIPT	"script"
#define XS_FRONTEND	"frontend"
#define XS_MAC		"mac"
#define XS_BRIDGE	"bridge"
#define XS_HANDLE	"handle"

/* Where things are. */
#define XS_DOMAINS	"/local/domain"
#define XS_BACKEND	"/local/domain/0/backend"
#define SYS_BACKENDS	"/bus/xen-backend/devices"	/* under the sysfs root */
#define SYS_BLOCK_DEVT	"/dev/block"
#define SYS_NET		"/class/net"

/* xenbus states (xen/include/public/io/xenbus.h) */
const char *xenbus_state_name(int state);

#endif
