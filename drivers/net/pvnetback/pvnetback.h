/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvnetback: Xen network backend.  Shared definitions.
 *
 * Direction names follow the dom0 netdevice vif<domid>.<devid>: "rx" is
 * what the guest sends (its TX ring), "tx" is what we send to the guest
 * (its RX ring), as in the netdevice's statistics.
 */
#ifndef PVNETBACK_H
#define PVNETBACK_H

#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/u64_stats_sync.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/xenbus.h>

#include "../../xen/pvback/pvback_report.h"
#include "netif.h"

struct pvnet_queue;
struct pvnet_xen_copies;

/* One grant copy: a local buffer within one page <-> a guest grant. */
struct pvnet_copy {
	void *local;
	u32 gref;
	u16 goff;
	u16 len;
	s16 status;		/* 0, or the hypervisor's GNTST_* error */
};

enum pvnet_ring_id {
	PVNET_GUEST_TX,		/* the guest's TX ring: packets from it */
	PVNET_GUEST_RX,		/* the guest's RX ring: packets to it */
};

/* The ring engine's only ways out: grant copies, event notifications,
 * handing a packet to the stack and giving up on a broken ring.  Xen
 * provides them in xenio.c, KUnit fakes them.
 */
struct pvnet_queue_ops {
	void (*copy)(struct pvnet_queue *q, struct pvnet_copy *ops,
		     unsigned int n, bool to_guest);
	void (*notify)(struct pvnet_queue *q, enum pvnet_ring_id ring);
	void (*deliver)(struct pvnet_queue *q, struct sk_buff *skb);
	void (*fatal)(struct pvnet_queue *q, const char *why);
};

/* Packets handled per flush: one batch of grant copies. */
#define PVNET_BATCH		32
/* Copies one packet may need (slots + local page boundaries). */
#define PVNET_OPS_PER_PKT	48
#define PVNET_COPY_OPS		(PVNET_BATCH * PVNET_OPS_PER_PKT)
/* Packets to the guest per round of its queue thread. */
#define PVNET_RX_BUDGET		256
/* Guest buffers a packet to the guest may take (64 KiB + header). */
#define PVNET_MAX_RX_SLOTS	(XEN_NETIF_NR_SLOTS_MIN - 1)
/* Bytes copied into the linear area of a packet from the guest. */
#define PVNET_TX_HDR		128
/* Up to this size a packet from the guest is all linear. */
#define PVNET_TX_LINEAR		2048

/* A packet from the guest, between its parse and its copy's end. */
struct pvnet_tx_pend {
	struct pvnet_tx_pkt pkt;
	struct sk_buff *skb;	/* NULL: answer with an error */
	s16 status;		/* response when skb is NULL */
	unsigned int op_first, nr_ops;
};

/* A packet to the guest, between taking its buffers and the response. */
struct pvnet_rx_pend {
	struct sk_buff *skb;
	u16 ids[PVNET_MAX_RX_SLOTS];
	unsigned int nr_slots;
	unsigned int op_first, nr_ops;
	u16 flags;
};

/* Counters.  Packets and bytes are u64_stats, each direction written by
 * one context only (guest TX: NAPI poll; guest RX: the queue's thread).
 * The rest are rare events from any context.
 */
struct pvnet_stats {
	struct u64_stats_sync rx_syncp;
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	struct u64_stats_sync tx_syncp;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	atomic64_t rx_dropped;		/* from guest: no memory */
	atomic64_t rx_errors;		/* from guest: grant copy failed */
	atomic64_t rx_malformed;	/* from guest: bad requests */
	atomic64_t rx_credit_waits;	/* from guest: rate limit hit */
	atomic64_t tx_dropped;		/* to guest: stalled, oversize, down */
	atomic64_t tx_errors;		/* to guest: grant copy failed */
	atomic64_t tx_stalls;		/* to guest: guest stopped reading */
	atomic64_t ring_errors;		/* rings stopped as broken */
};

struct pvnet_queue {
	struct pvnet_vif *vif;
	struct net_device *dev;
	const struct pvnet_queue_ops *ops;
	struct pvnet_stats *stats;
	unsigned int index;
	bool broken;		/* set once, by either side; never cleared */

	/* Guest TX: used by the NAPI poll only. */
	struct pvback_ring tx;
	struct pvnet_tx_caps caps;
	struct pvnet_copy *tx_copy;
	unsigned int nr_tx_copy;
	struct pvnet_tx_pend *tx_pend;
	unsigned int nr_tx_pend;

	/* The rate limit; credit_lock: the poll and the "rate" watch. */
	spinlock_t credit_lock;
	struct pvnet_credit credit;

	/* Guest RX.  rx_queue.lock protects the queue and rx_queued; the
	 * ring, the copies and the pending array belong to the thread.
	 */
	struct sk_buff_head rx_queue;
	unsigned int rx_queued;		/* bytes in rx_queue */
	unsigned int rx_queue_max;
	unsigned int rx_max_slots;	/* 1 without feature-sg */
	struct pvback_ring rx;
	struct pvnet_copy *rx_copy;
	unsigned int nr_rx_copy;
	struct pvnet_rx_pend *rx_pend;
	unsigned int nr_rx_pend;

	/* Xen side (xenio.c). */
	struct pvnet_xen_copies *gnt;
	void *tx_sring, *rx_sring;
	int tx_irq, rx_irq;		/* equal with one event channel */
	bool shared_irq;		/* one event channel for both rings */
	atomic_t eoi_pending;		/* PVNET_EOI_* bits to be EOI'd */
	atomic_t eoi_work;		/* some of them found work */
	struct napi_struct napi;
	bool napi_added;
	struct hrtimer credit_timer;
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t rx_kick;
	unsigned long rx_blocked_since;	/* jiffies; 0: not waiting */
	bool stalled;
	char name[32];
};

#define PVNET_EOI_TX	BIT(0)
#define PVNET_EOI_RX	BIT(1)

struct pvnet_vif {
	struct xenbus_device *xdev;
	struct net_device *dev;
	domid_t domid;
	unsigned int handle;
	u8 guest_mac[ETH_ALEN];
	char name[IFNAMSIZ];

	/* Reports of the frontend's mistakes, across its connections. */
	struct ratelimit_state report_rs;

	/* lock: xenbus callbacks and sysfs; protects everything below. */
	struct mutex lock;
	struct pvnet_queue *queues;
	unsigned int nr_queues;
	bool hotplug_connected;
	bool connected;
	bool fe_sg, fe_csum, fe_ipv6_csum;
	struct xenbus_watch hotplug_watch, rate_watch;
	bool hotplug_watching, rate_watching;
	struct work_struct fatal_work;
	const char *fatal_why;
	/* Where start_xmit queues; NULL when not connected (tx lock).  Freed
	 * only after an RCU grace period: ethtool reads it under rcu_read_lock.
	 */
	struct pvnet_queue *xmit_q;

	struct pvnet_stats stats;
};

/* queue.c: the ring engine. */
int pvnet_queue_init(struct pvnet_queue *q);
void pvnet_queue_free(struct pvnet_queue *q);
int pvnet_tx_poll(struct pvnet_queue *q, int budget, u64 now_ns,
		  u64 *wait_ns);
int pvnet_rx_process(struct pvnet_queue *q, unsigned int *need);
bool pvnet_rx_enqueue(struct pvnet_queue *q, struct sk_buff *skb);
unsigned int pvnet_rx_purge(struct pvnet_queue *q);
bool pvnet_rx_ready(struct pvnet_queue *q);

/* xenio.c */
int pvnet_queue_connect(struct pvnet_queue *q, grant_ref_t tx_ref,
			grant_ref_t rx_ref, evtchn_port_t tx_evtchn,
			evtchn_port_t rx_evtchn);
void pvnet_queue_disconnect(struct pvnet_queue *q);
void pvnet_set_rate(struct pvnet_vif *vif, u64 bytes, u32 usec);
void pvnet_rx_kick(struct pvnet_queue *q);
extern const struct pvnet_queue_ops pvnet_xen_ops;

/* netdev.c */
struct net_device *pvnet_netdev_create(struct pvnet_vif *vif);
void pvnet_netdev_fix(struct pvnet_vif *vif);
void pvnet_stats_sum(struct pvnet_vif *vif, struct rtnl_link_stats64 *s);
extern unsigned int pvnet_rx_stall_ms;
extern unsigned int pvnet_rx_queue_kb;

#endif /* PVNETBACK_H */
