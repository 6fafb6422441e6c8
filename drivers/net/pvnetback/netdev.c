// SPDX-License-Identifier: GPL-2.0
/*
 * The dom0 side netdevice vif<domid>.<devid>: what the bridge sees.
 */
#define pr_fmt(fmt) "pvnetback: " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <xen/xenbus.h>

#include "../../xen/pvback/pvback_param.h"
#include "pvnetback.h"

/* dom0 never uses the vif's own address: the conventional all-ones one. */
static const u8 pvnet_dom0_mac[ETH_ALEN] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

unsigned int pvnet_rx_stall_ms = 60000;
PVBACK_PARAM_RANGE(rx_stall_timeout_ms, pvnet_rx_stall_ms, 100, 3600000);
MODULE_PARM_DESC(rx_stall_timeout_ms,
		 "A guest that posts no receive buffer for this long is stalled: carrier off, its packets dropped (100..3600000, default 60000)");

unsigned int pvnet_rx_queue_kb = 512;
PVBACK_PARAM_RANGE(rx_queue_kb, pvnet_rx_queue_kb, 64, 65536);
MODULE_PARM_DESC(rx_queue_kb,
		 "Packets queued towards one guest, in KiB, before the vif stops taking more (64..65536, default 512; applies at connect)");

static struct pvnet_vif *pvnet_vif(struct net_device *dev)
{
	return *(struct pvnet_vif **)netdev_priv(dev);
}

static netdev_tx_t pvnet_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct pvnet_vif *vif = pvnet_vif(dev);
	struct pvnet_queue *q = READ_ONCE(vif->xmit_q);

	if (!q || READ_ONCE(q->broken) || READ_ONCE(q->stalled) ||
	    (skb_has_frag_list(skb) && skb_linearize(skb))) {
		atomic64_inc(&vif->stats.tx_dropped);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	if (pvnet_rx_enqueue(q, skb))
		netif_stop_queue(dev);
	pvnet_rx_kick(q);
	return NETDEV_TX_OK;
}

static int pvnet_open(struct net_device *dev)
{
	if (READ_ONCE(pvnet_vif(dev)->xmit_q))
		netif_start_queue(dev);
	return 0;
}

static int pvnet_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

void pvnet_stats_sum(struct pvnet_vif *vif, struct rtnl_link_stats64 *s)
{
	struct pvnet_stats *st = &vif->stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&st->rx_syncp);
		s->rx_packets = u64_stats_read(&st->rx_packets);
		s->rx_bytes = u64_stats_read(&st->rx_bytes);
	} while (u64_stats_fetch_retry(&st->rx_syncp, start));
	do {
		start = u64_stats_fetch_begin(&st->tx_syncp);
		s->tx_packets = u64_stats_read(&st->tx_packets);
		s->tx_bytes = u64_stats_read(&st->tx_bytes);
	} while (u64_stats_fetch_retry(&st->tx_syncp, start));
	s->rx_dropped = atomic64_read(&st->rx_dropped);
	s->rx_errors = atomic64_read(&st->rx_errors) +
		       atomic64_read(&st->rx_malformed);
	s->rx_frame_errors = atomic64_read(&st->rx_malformed);
	s->tx_dropped = atomic64_read(&st->tx_dropped);
	s->tx_errors = atomic64_read(&st->tx_errors);
}

static void pvnet_get_stats64(struct net_device *dev,
			      struct rtnl_link_stats64 *s)
{
	pvnet_stats_sum(pvnet_vif(dev), s);
}

static unsigned int pvnet_max_mtu(const struct pvnet_vif *vif)
{
	/* Without scatter-gather a packet must fit one guest buffer. */
	return vif->fe_sg ? XEN_NETIF_MAX_TX_SIZE - VLAN_ETH_HLEN : ETH_DATA_LEN;
}

static int pvnet_change_mtu(struct net_device *dev, int mtu)
{
	struct pvnet_vif *vif = pvnet_vif(dev);

	if (mtu > pvnet_max_mtu(vif)) {
		netdev_warn(dev, "MTU %d needs a frontend with feature-sg; the maximum is %u\n",
			    mtu, pvnet_max_mtu(vif));
		return -EINVAL;
	}
	dev->mtu = mtu;
	return 0;
}

static netdev_features_t pvnet_fix_features(struct net_device *dev,
					    netdev_features_t features)
{
	struct pvnet_vif *vif = pvnet_vif(dev);

	if (!vif->fe_sg)
		features &= ~NETIF_F_SG;
	if (!vif->fe_csum)
		features &= ~NETIF_F_IP_CSUM;
	if (!vif->fe_ipv6_csum)
		features &= ~NETIF_F_IPV6_CSUM;
	return features;
}

static const struct net_device_ops pvnet_netdev_ops = {
	.ndo_open = pvnet_open,
	.ndo_stop = pvnet_stop,
	.ndo_start_xmit = pvnet_start_xmit,
	.ndo_get_stats64 = pvnet_get_stats64,
	.ndo_change_mtu = pvnet_change_mtu,
	.ndo_fix_features = pvnet_fix_features,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/* ethtool -S: the netdevice counters plus pvnetback's own. */
static const char pvnet_stat_names[][ETH_GSTRING_LEN] = {
	"rx_packets", "rx_bytes", "rx_dropped", "rx_errors", "rx_malformed",
	"rx_credit_waits", "tx_packets", "tx_bytes", "tx_dropped", "tx_errors",
	"tx_stalls", "ring_errors", "tx_queued_bytes",
};

static void pvnet_get_ethtool_stats(struct net_device *dev,
				    struct ethtool_stats *es, u64 *data)
{
	struct pvnet_vif *vif = pvnet_vif(dev);
	struct pvnet_stats *st = &vif->stats;
	struct rtnl_link_stats64 s = {};
	struct pvnet_queue *q;
	unsigned int i = 0;

	pvnet_stats_sum(vif, &s);
	data[i++] = s.rx_packets;
	data[i++] = s.rx_bytes;
	data[i++] = s.rx_dropped;
	data[i++] = atomic64_read(&st->rx_errors);
	data[i++] = atomic64_read(&st->rx_malformed);
	data[i++] = atomic64_read(&st->rx_credit_waits);
	data[i++] = s.tx_packets;
	data[i++] = s.tx_bytes;
	data[i++] = s.tx_dropped;
	data[i++] = s.tx_errors;
	data[i++] = atomic64_read(&st->tx_stalls);
	data[i++] = atomic64_read(&st->ring_errors);
	/* Disconnect frees the queue only after an RCU grace period. */
	rcu_read_lock();
	q = READ_ONCE(vif->xmit_q);
	data[i++] = q ? READ_ONCE(q->rx_queued) : 0;
	rcu_read_unlock();
}

static int pvnet_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? ARRAY_SIZE(pvnet_stat_names) : -EOPNOTSUPP;
}

static void pvnet_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, pvnet_stat_names, sizeof(pvnet_stat_names));
}

static void pvnet_get_drvinfo(struct net_device *dev,
			      struct ethtool_drvinfo *info)
{
	struct pvnet_vif *vif = pvnet_vif(dev);

	strscpy(info->driver, "pvnetback", sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&vif->xdev->dev), sizeof(info->bus_info));
}

static const struct ethtool_ops pvnet_ethtool_ops = {
	.get_drvinfo = pvnet_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = pvnet_get_sset_count,
	.get_strings = pvnet_get_strings,
	.get_ethtool_stats = pvnet_get_ethtool_stats,
};

/**
 * pvnet_netdev_create - register vif<domid>.<devid>
 * @vif: the vif, with xdev, domid and handle set
 *
 * The hotplug script bridges it as soon as the backend is in InitWait, so
 * it exists from probe on, carrier off until the guest connects.
 *
 * Return: the netdevice or an ERR_PTR.
 */
struct net_device *pvnet_netdev_create(struct pvnet_vif *vif)
{
	struct net_device *dev;
	int err;

	snprintf(vif->name, sizeof(vif->name), "vif%u.%u", vif->domid,
		 vif->handle);
	dev = alloc_netdev(sizeof(vif), vif->name, NET_NAME_PREDICTABLE,
			   ether_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	*(struct pvnet_vif **)netdev_priv(dev) = vif;
	vif->dev = dev;
	SET_NETDEV_DEV(dev, &vif->xdev->dev);
	dev->netdev_ops = &pvnet_netdev_ops;
	dev->ethtool_ops = &pvnet_ethtool_ops;
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM;
	dev->features = dev->hw_features | NETIF_F_RXCSUM;
	/* Backpressure comes from our own queue; keep the qdisc short. */
	dev->tx_queue_len = 64;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = XEN_NETIF_MAX_TX_SIZE - VLAN_ETH_HLEN;
	/* Until a frontend says what it can do, assume the most. */
	vif->fe_sg = true;
	vif->fe_csum = true;
	vif->fe_ipv6_csum = true;
	eth_hw_addr_set(dev, pvnet_dom0_mac);
	netif_carrier_off(dev);

	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		vif->dev = NULL;
		return ERR_PTR(err);
	}
	return dev;
}

/* Apply what the frontend supports: features and the MTU's ceiling. */
void pvnet_netdev_fix(struct pvnet_vif *vif)
{
	struct net_device *dev = vif->dev;

	rtnl_lock();
	netdev_update_features(dev);
	if (dev->mtu > pvnet_max_mtu(vif))
		dev_set_mtu(dev, ETH_DATA_LEN);
	rtnl_unlock();
}
