/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <xen/page.h>: grant pages are 4 KiB everywhere. */
#ifndef FUZZ_XEN_PAGE_H
#define FUZZ_XEN_PAGE_H

#define XEN_PAGE_SHIFT	12
#define XEN_PAGE_SIZE	4096UL

#endif /* FUZZ_XEN_PAGE_H */
