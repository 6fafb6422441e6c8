/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/if_ether.h>. */
#ifndef FUZZ_LINUX_IF_ETHER_H
#define FUZZ_LINUX_IF_ETHER_H

#define ETH_HLEN	14

#endif /* FUZZ_LINUX_IF_ETHER_H */
