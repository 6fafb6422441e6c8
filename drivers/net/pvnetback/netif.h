/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure netif units: the TX slot-chain parser, the RX slot planner and the
 * credit scheduler's arithmetic.  No Xen calls and no sk_buffs, so KUnit
 * and a userspace fuzzer can drive them with any bytes.
 */
#ifndef PVNET_NETIF_H
#define PVNET_NETIF_H

#include <linux/types.h>
#include <xen/interface/io/netif.h>

#include "../../xen/pvback/pvback_ring.h"

/* Grant pages are always 4 KiB, whatever the kernel's page size. */
#define PVNET_GPAGE_SIZE	4096U

/* Most data slots a packet may use; what every frontend must cope with
 * (XEN_NETIF_NR_SLOTS_MIN).  Longer chains are dropped.
 */
#define PVNET_MAX_DATA_SLOTS	XEN_NETIF_NR_SLOTS_MIN
/* Longer chains than this are not a packet but a broken ring. */
#define PVNET_FATAL_SLOTS	64
/* One extra_info slot per type at most. */
#define PVNET_MAX_EXTRAS	(XEN_NETIF_EXTRA_TYPE_MAX - 1)

/* The netif ABI is the same on every architecture: check our copies. */
struct pvnet_tx_slot {
	u32 gref;
	u16 offset;
	u16 flags;
	u16 id;
	u16 size;
};

/* What the parser made of the slots at the ring's consumer index. */
enum pvnet_tx_verdict {
	PVNET_TX_OK,		/* a well-formed packet */
	PVNET_TX_DROP,		/* consume, answer with errors, count */
	PVNET_TX_FATAL,		/* the ring cannot be trusted any more */
};

/* Why a packet was dropped or the ring stopped, for logs and tests. */
enum pvnet_tx_why {
	PVNET_WHY_NONE,
	PVNET_WHY_TOO_SHORT,	/* shorter than an Ethernet header */
	PVNET_WHY_PAGE_CROSS,	/* offset + size beyond the grant page */
	PVNET_WHY_SIZE,		/* fragments add up to more than the packet */
	PVNET_WHY_TOO_MANY,	/* more data slots than allowed */
	PVNET_WHY_EXTRA_TYPE,	/* unknown, repeated or unnegotiated extra */
	PVNET_WHY_GSO,		/* GSO was not negotiated */
	PVNET_WHY_TRUNCATED,	/* chain runs past the published slots */
	PVNET_WHY_CHAIN,	/* chain longer than any packet can be */
};

/* Flags of the packet, from its first slot and its extras. */
#define PVNET_PKT_CSUM_BLANK	BIT(0)
#define PVNET_PKT_DATA_VALID	BIT(1)

/* Features the frontend and backend agreed on that change parsing. */
struct pvnet_tx_caps {
	bool gso;		/* GSO extras accepted (not yet negotiated) */
};

/**
 * struct pvnet_tx_pkt - one guest packet, copied out of the ring
 * @slot: the data slots, in order; slot 0's size is its own share
 * @nr_data: data slots used
 * @ids: request id of every ring slot the packet used, data and extra
 * @extra: which of @ids are extra_info slots (bit i = slot i)
 * @nr_slots: ring slots the packet used (data + extras)
 * @len: total packet length in bytes
 * @flags: PVNET_PKT_*
 * @why: reason for a DROP or FATAL verdict
 */
struct pvnet_tx_pkt {
	struct pvnet_tx_slot slot[PVNET_MAX_DATA_SLOTS];
	unsigned int nr_data;
	u16 ids[PVNET_FATAL_SLOTS];
	u64 extra;
	unsigned int nr_slots;
	unsigned int len;
	unsigned int flags;
	enum pvnet_tx_why why;
};

enum pvnet_tx_verdict pvnet_tx_parse(const struct pvback_ring *ring,
				     unsigned int avail,
				     const struct pvnet_tx_caps *caps,
				     struct pvnet_tx_pkt *pkt);
const char *pvnet_tx_why_str(enum pvnet_tx_why why);

/* RX: a packet to the guest goes into consecutive guest buffers, each one
 * grant page filled from offset 0.
 */
unsigned int pvnet_rx_slots(unsigned int len);

/**
 * struct pvnet_rx_cursor - walks a packet's bytes into guest slots
 * @slot: guest slot being filled (0-based within the packet)
 * @slot_off: bytes already in that slot
 *
 * pvnet_rx_piece() says how much of a local chunk one grant copy can take
 * (it may cross neither a local page nor a guest slot); pvnet_rx_advance()
 * moves the cursor past what was copied.
 */
struct pvnet_rx_cursor {
	unsigned int slot;
	unsigned int slot_off;
};

unsigned int pvnet_rx_piece(const struct pvnet_rx_cursor *c,
			    unsigned long local, unsigned int len);
void pvnet_rx_advance(struct pvnet_rx_cursor *c, unsigned int n);

/**
 * struct pvnet_credit - the "rate" key: @bytes per @usec of guest TX
 * @bytes: credit added every period; 0 means no limit
 * @usec: period length
 * @max_burst: most credit that can pile up (at least one full packet)
 * @remaining: credit left now
 * @next_ns: when the next period starts
 */
struct pvnet_credit {
	u64 bytes;
	u32 usec;
	u64 max_burst;
	u64 remaining;
	u64 next_ns;
};

int pvnet_credit_parse(const char *s, u64 *bytes, u32 *usec);
void pvnet_credit_set(struct pvnet_credit *c, u64 bytes, u32 usec,
		      u64 now_ns);
u64 pvnet_credit_take(struct pvnet_credit *c, unsigned int size, u64 now_ns);

#endif /* PVNET_NETIF_H */
