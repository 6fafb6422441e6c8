/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's <xen/interface/io/netif.h>, on top of
 * Xen's public header (libxen-dev).  Same layouts, but the kernel renamed
 * some things; the names the units use are mapped here.
 */
#ifndef FUZZ_XEN_INTERFACE_IO_NETIF_H
#define FUZZ_XEN_INTERFACE_IO_NETIF_H

#include <stdint.h>
#include <xen/io/netif.h>

/* The kernel prefixes the structs with xen_ ... */
#define xen_netif_tx_request		netif_tx_request
#define xen_netif_tx_response		netif_tx_response
#define xen_netif_extra_info		netif_extra_info
#define xen_netif_tx_sring_entry	netif_tx_sring_entry

/* ... and the TX flags with XEN_. */
#define XEN_NETTXF_csum_blank		NETTXF_csum_blank
#define XEN_NETTXF_data_validated	NETTXF_data_validated
#define XEN_NETTXF_more_data		NETTXF_more_data
#define XEN_NETTXF_extra_info		NETTXF_extra_info

/*
 * Linux 6.1's copy knows the XDP extra (Xen 4.17's does not), which moves
 * XEN_NETIF_EXTRA_TYPE_MAX from 5 to 6: use the kernel's values.
 */
#ifndef XEN_NETIF_EXTRA_TYPE_XDP
#define XEN_NETIF_EXTRA_TYPE_XDP	(5)
#undef XEN_NETIF_EXTRA_TYPE_MAX
#define XEN_NETIF_EXTRA_TYPE_MAX	(6)
#endif

#endif /* FUZZ_XEN_INTERFACE_IO_NETIF_H */
