/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <xen/interface/io/blkif.h>: Xen's
 * public header (libxen-dev) has the same BLKIF_* names and values.  Xen's
 * headers expect the fixed-width types to be declared already.
 */
#ifndef FUZZ_XEN_INTERFACE_IO_BLKIF_H
#define FUZZ_XEN_INTERFACE_IO_BLKIF_H

#include <stdint.h>
#include <xen/io/blkif.h>

#endif /* FUZZ_XEN_INTERFACE_IO_BLKIF_H */
