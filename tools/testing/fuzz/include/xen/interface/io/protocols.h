/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel's copy: Xen's public header is the same. */
#ifndef FUZZ_XEN_INTERFACE_IO_PROTOCOLS_H
#define FUZZ_XEN_INTERFACE_IO_PROTOCOLS_H

#include <xen/io/protocols.h>

#endif /* FUZZ_XEN_INTERFACE_IO_PROTOCOLS_H */
