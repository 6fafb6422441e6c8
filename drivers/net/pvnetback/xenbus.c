// SPDX-License-Identifier: GPL-2.0
/*
 * pvnetback: xenbus backend for "vif" devices.  State machine, xenstore
 * keys, and the order of things the hotplug script depends on:
 *
 *   probe: netdevice registered, features written, InitWait
 *   the script bridges the netdevice, writes hotplug-status=connected
 *   the frontend writes its rings and goes Initialised/Connected
 *   both seen: rings mapped, Connected, carrier on
 */
#define pr_fmt(fmt) "pvnetback: " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <linux/pvback.h>

#include "../../xen/pvback/pvback_compat.h"
#include "../../xen/pvback/pvback_xenbus.h"
#include "pvnetback.h"

static int pvnet_write_features(struct xenbus_device *xdev)
{
	static const char *const on[] = {
		"feature-sg", "feature-rx-copy", "feature-split-event-channels",
		"feature-ipv6-csum-offload",
	};
	struct xenbus_transaction t;
	unsigned int i;
	int err;

	do {
		err = xenbus_transaction_start(&t);
		if (err)
			return err;
		for (i = 0; i < ARRAY_SIZE(on) && !err; i++)
			err = xenbus_printf(t, xdev->nodename, on[i], "%d", 1);
		/* Page flipping is long gone: only copying receivers. */
		if (!err)
			err = xenbus_printf(t, xdev->nodename, "feature-rx-flip",
					    "%d", 0);
		if (err) {
			xenbus_transaction_end(t, 1);
			return err;
		}
		err = xenbus_transaction_end(t, 0);
	} while (err == -EAGAIN);
	return err;
}

/* A frontend key that must be a number; -ENOENT when absent. */
static int pvnet_fe_uint(struct pvnet_vif *vif, const char *key,
			 unsigned int *val)
{
	char *s = xenbus_read(XBT_NIL, vif->xdev->otherend, key, NULL);
	int err;

	if (IS_ERR(s))
		return -ENOENT;
	err = kstrtouint(s, 10, val);
	kfree(s);
	return err;
}

static bool pvnet_fe_flag(struct pvnet_vif *vif, const char *key)
{
	unsigned int v;

	return !pvnet_fe_uint(vif, key, &v) && v;
}

static int pvnet_read_mac(struct pvnet_vif *vif)
{
	char *s = xenbus_read(XBT_NIL, vif->xdev->nodename, "mac", NULL);
	int err = 0;

	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!mac_pton(s, vif->guest_mac) || !is_valid_ether_addr(vif->guest_mac))
		err = -EINVAL;
	kfree(s);
	return err;
}

/* The "rate" key, "<bytes>,<usec>"; absent or invalid means no limit. */
static void pvnet_read_rate(struct pvnet_vif *vif)
{
	char *s = xenbus_read(XBT_NIL, vif->xdev->nodename, "rate", NULL);
	u64 bytes = 0;
	u32 usec = 0;

	if (!IS_ERR(s)) {
		if (pvnet_credit_parse(s, &bytes, &usec)) {
			netdev_warn(vif->dev, "ignoring rate \"%s\": want \"<bytes>,<usec>\", both above 0\n",
				    s);
			bytes = 0;
			usec = 0;
		}
		kfree(s);
	}
	pvnet_set_rate(vif, bytes, usec);
}

static void pvnet_disconnect(struct pvnet_vif *vif)
{
	unsigned int i;

	if (vif->dev) {
		netif_carrier_off(vif->dev);
		WRITE_ONCE(vif->xmit_q, NULL);
		/* Waits for a start_xmit in progress. */
		netif_tx_disable(vif->dev);
		/* And for ethtool readers of the queue (RCU). */
		if (vif->nr_queues)
			synchronize_rcu();
	}
	for (i = 0; i < vif->nr_queues; i++)
		pvnet_queue_disconnect(&vif->queues[i]);
	kfree(vif->queues);
	vif->queues = NULL;
	vif->nr_queues = 0;
	vif->connected = false;
	/* A stall handler may have turned it back on meanwhile. */
	if (vif->dev)
		netif_carrier_off(vif->dev);
}

static int pvnet_connect_rings(struct pvnet_vif *vif)
{
	struct xenbus_device *xdev = vif->xdev;
	unsigned int tx_ref, rx_ref, tx_ev, rx_ev, v;
	struct pvnet_queue *q;
	int err;

	if (!pvnet_fe_uint(vif, "multi-queue-num-queues", &v) && v != 1) {
		pvback_guest_fatal(&vif->report_rs, xdev, -EINVAL,
				   "frontend asks for %u queues; only 1 is offered", v);
		return -EINVAL;
	}
	if (!pvnet_fe_flag(vif, "request-rx-copy")) {
		pvback_guest_fatal(&vif->report_rs, xdev, -EOPNOTSUPP,
				   "frontend must set request-rx-copy (no page flipping)");
		return -EOPNOTSUPP;
	}
	if (!pvnet_fe_flag(vif, "feature-rx-notify")) {
		pvback_guest_fatal(&vif->report_rs, xdev, -EOPNOTSUPP,
				   "frontend must set feature-rx-notify");
		return -EOPNOTSUPP;
	}
	if (pvnet_fe_uint(vif, "tx-ring-ref", &tx_ref) ||
	    pvnet_fe_uint(vif, "rx-ring-ref", &rx_ref)) {
		pvback_guest_fatal(&vif->report_rs, xdev, -EINVAL,
				   "reading %s/{tx,rx}-ring-ref", xdev->otherend);
		return -EINVAL;
	}
	if (pvnet_fe_uint(vif, "event-channel-tx", &tx_ev) ||
	    pvnet_fe_uint(vif, "event-channel-rx", &rx_ev)) {
		if (pvnet_fe_uint(vif, "event-channel", &tx_ev)) {
			pvback_guest_fatal(&vif->report_rs, xdev, -EINVAL,
					   "reading %s/event-channel",
					   xdev->otherend);
			return -EINVAL;
		}
		rx_ev = tx_ev;
	}
	err = pvnet_read_mac(vif);
	if (err) {
		pvback_guest_fatal(&vif->report_rs, xdev, err,
				   "parsing %s/mac", xdev->nodename);
		return err;
	}
	vif->fe_sg = pvnet_fe_flag(vif, "feature-sg");
	vif->fe_csum = !pvnet_fe_flag(vif, "feature-no-csum-offload");
	vif->fe_ipv6_csum = pvnet_fe_flag(vif, "feature-ipv6-csum-offload");

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating a queue");
		return -ENOMEM;
	}
	q->vif = vif;
	q->dev = vif->dev;
	q->index = 0;
	q->caps.gso = false;
	q->rx_max_slots = vif->fe_sg ? PVNET_MAX_RX_SLOTS : 1;
	q->rx_queue_max = READ_ONCE(pvnet_rx_queue_kb) * 1024;
	snprintf(q->name, sizeof(q->name), "%s-q0", vif->name);
	err = pvnet_queue_connect(q, tx_ref, rx_ref, tx_ev, rx_ev);
	if (err) {
		kfree(q);
		return err;
	}
	vif->queues = q;
	vif->nr_queues = 1;
	pvnet_read_rate(vif);
	return 0;
}

/* Connected once the rings are mapped and the script has bridged us. */
static void pvnet_try_connect(struct pvnet_vif *vif)
{
	if (vif->connected || !vif->hotplug_connected || !vif->nr_queues)
		return;
	if (xenbus_switch_state(vif->xdev, XenbusStateConnected))
		return;
	pvnet_netdev_fix(vif);
	WRITE_ONCE(vif->xmit_q, &vif->queues[0]);
	vif->connected = true;
	netif_carrier_on(vif->dev);
	rtnl_lock();
	if (netif_running(vif->dev))
		netif_wake_queue(vif->dev);
	rtnl_unlock();
}

static void pvnet_hotplug_changed(struct xenbus_watch *watch,
				  const char *path, const char *token)
{
	struct pvnet_vif *vif = container_of(watch, struct pvnet_vif,
					     hotplug_watch);
	char *s = xenbus_read(XBT_NIL, vif->xdev->nodename,
			      PVBLK_XS_HOTPLUG_STATUS, NULL);

	if (IS_ERR(s))
		return;
	mutex_lock(&vif->lock);
	if (!strcmp(s, "connected")) {
		vif->hotplug_connected = true;
		pvnet_try_connect(vif);
	}
	mutex_unlock(&vif->lock);
	kfree(s);
}

static void pvnet_rate_changed(struct xenbus_watch *watch, const char *path,
			       const char *token)
{
	struct pvnet_vif *vif = container_of(watch, struct pvnet_vif, rate_watch);

	mutex_lock(&vif->lock);
	if (vif->nr_queues)
		pvnet_read_rate(vif);
	mutex_unlock(&vif->lock);
}

static void pvnet_fatal_work(struct work_struct *work)
{
	struct pvnet_vif *vif = container_of(work, struct pvnet_vif, fatal_work);
	bool broken = false;
	unsigned int i;

	mutex_lock(&vif->lock);
	/* Not a later connection's queues: the broken one may be gone. */
	for (i = 0; i < vif->nr_queues; i++)
		broken |= READ_ONCE(vif->queues[i].broken);
	if (broken) {
		pvback_guest_fatal(&vif->report_rs, vif->xdev, -EPROTO,
				   "frontend broke the ring protocol (%s)",
				   READ_ONCE(vif->fatal_why) ?: "?");
		/* Its rings are unmapped now, whether it closes or not. */
		pvnet_disconnect(vif);
	}
	mutex_unlock(&vif->lock);
}

static void pvnet_frontend_changed(struct xenbus_device *xdev,
				   enum xenbus_state fe_state)
{
	struct pvnet_vif *vif = dev_get_drvdata(&xdev->dev);
	bool online = xenbus_dev_is_online(xdev);
	enum pvback_xb_act act;
	bool gone = false;

	mutex_lock(&vif->lock);
	/* The state machine both backends share (pvback_xenbus.h). */
	act = pvback_xb_next(xdev->state, fe_state, online);
	switch (act) {
	case PVBACK_XB_NOTHING:
		break;
	case PVBACK_XB_INITWAIT:
		xenbus_switch_state(xdev, XenbusStateInitWait);
		break;
	case PVBACK_XB_CONNECT:
		/* The rings once; Connected once the script bridged us too. */
		if (!vif->nr_queues && pvnet_connect_rings(vif))
			break;
		pvnet_try_connect(vif);
		break;
	case PVBACK_XB_ILLEGAL:
		pvback_guest_error(&vif->report_rs, xdev, -EINVAL,
				   "frontend in state %d, which no frontend takes; closing",
				   fe_state);
		fallthrough;
	default:
		pvnet_disconnect(vif);
		xenbus_switch_state(xdev, pvback_xb_close_state(act));
		gone = act == PVBACK_XB_GONE;
		break;
	}
	mutex_unlock(&vif->lock);
	if (gone)
		device_unregister(&xdev->dev);
}

/* For udev: which script, which netdevice (what Xen's scripts expect). */
static int pvnet_uevent(PVBACK_UEVENT_XDEV *xdev, struct kobj_uevent_env *env)
{
	struct pvnet_vif *vif = dev_get_drvdata(&xdev->dev);
	char *script = xenbus_read(XBT_NIL, xdev->nodename, "script", NULL);
	int err = 0;

	if (!IS_ERR(script)) {
		err = add_uevent_var(env, "script=%s", script);
		kfree(script);
	}
	if (!err && vif && vif->dev)
		err = add_uevent_var(env, "vif=%s", vif->dev->name);
	return err;
}

static void pvnet_unwatch(struct xenbus_watch *w, bool *watching)
{
	if (!*watching)
		return;
	unregister_xenbus_watch(w);
	kfree(w->node);
	*watching = false;
}

static void pvnet_remove(struct xenbus_device *xdev)
{
	struct pvnet_vif *vif = dev_get_drvdata(&xdev->dev);

	if (!vif)
		return;
	pvnet_unwatch(&vif->hotplug_watch, &vif->hotplug_watching);
	pvnet_unwatch(&vif->rate_watch, &vif->rate_watching);
	mutex_lock(&vif->lock);
	pvnet_disconnect(vif);
	mutex_unlock(&vif->lock);
	cancel_work_sync(&vif->fatal_work);
	if (vif->dev) {
		/* Lets udev run the script's "offline" while vif= still exists. */
		kobject_uevent(&xdev->dev.kobj, KOBJ_OFFLINE);
		unregister_netdev(vif->dev);
		free_netdev(vif->dev);
	}
	dev_set_drvdata(&xdev->dev, NULL);
	kfree(vif);
}

static int pvnet_probe(struct xenbus_device *xdev,
		       const struct xenbus_device_id *id)
{
	const char *last = strrchr(xdev->nodename, '/');
	struct net_device *dev;
	struct pvnet_vif *vif;
	int err;

	vif = kzalloc(sizeof(*vif), GFP_KERNEL);
	if (!vif) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating backend state");
		return -ENOMEM;
	}
	vif->xdev = xdev;
	vif->domid = xdev->otherend_id;
	if (!last || kstrtouint(last + 1, 10, &vif->handle))
		vif->handle = 0;
	mutex_init(&vif->lock);
	pvback_report_init(&vif->report_rs);
	INIT_WORK(&vif->fatal_work, pvnet_fatal_work);
	u64_stats_init(&vif->stats.rx_syncp);
	u64_stats_init(&vif->stats.tx_syncp);
	dev_set_drvdata(&xdev->dev, vif);

	dev = pvnet_netdev_create(vif);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		xenbus_dev_fatal(xdev, err, "creating netdevice %s", vif->name);
		goto fail;
	}
	err = pvnet_write_features(xdev);
	if (err) {
		xenbus_dev_fatal(xdev, err, "writing features");
		goto fail;
	}
	err = xenbus_watch_pathfmt(xdev, &vif->hotplug_watch, NULL,
				   pvnet_hotplug_changed, "%s/%s",
				   xdev->nodename, PVBLK_XS_HOTPLUG_STATUS);
	if (err)
		goto fail;
	vif->hotplug_watching = true;
	err = xenbus_watch_pathfmt(xdev, &vif->rate_watch, NULL,
				   pvnet_rate_changed, "%s/rate", xdev->nodename);
	if (err)
		goto fail;
	vif->rate_watching = true;
	err = xenbus_switch_state(xdev, XenbusStateInitWait);
	if (err)
		goto fail;
	/* The "add" uevent went out before this probe, without vif=; this one
	 * tells udev the netdevice exists (what vif-bridge online needs).
	 */
	kobject_uevent(&xdev->dev.kobj, KOBJ_ONLINE);
	return 0;

fail:
	pvnet_remove(xdev);
	return err;
}

static const struct xenbus_device_id pvnet_ids[] = {
	{ "vif" },
	{ "" }
};

static struct xenbus_driver pvnet_driver = {
	.ids = pvnet_ids,
	.probe = pvnet_probe,
	.remove = pvnet_remove,
	.uevent = pvnet_uevent,
	.otherend_changed = pvnet_frontend_changed,
	.allow_rebind = true,
};

static int __init pvnet_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return xenbus_register_backend(&pvnet_driver);
}
module_init(pvnet_init);

static void __exit pvnet_exit(void)
{
	xenbus_unregister_driver(&pvnet_driver);
}
module_exit(pvnet_exit);

MODULE_DESCRIPTION("Xen network backend: guest vifs as bridgeable netdevices");
MODULE_LICENSE("GPL");
/* No MODULE_ALIAS("xen-backend:vif"): the in-tree backend has it, and udev
 * would then load both.  pvback's modprobe.d/pvback.conf points the alias
 * here instead; without that file the in-tree module serves the device
 * type again (Documentation/admin-guide.md).
 */
