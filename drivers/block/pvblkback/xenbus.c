// SPDX-License-Identifier: GPL-2.0
/*
 * pvblkback: xenbus backend for "vbd" devices whose backing is a region of
 * a block device.  State machine, xenstore keys and the region registry.
 */
#define pr_fmt(fmt) "pvblkback: " fmt

#include <linux/blkdev.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uuid.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <linux/pvback.h>

#include "../../xen/pvback/pvback_param.h"
#include "../../xen/pvback/pvback_xenbus.h"
#include "pvblkback.h"

/*
 * Every opened vbd's region, across all domains; pvblk_claims_lock
 * protects the list and each entry's membership.
 */
static LIST_HEAD(pvblk_claims);
static DEFINE_MUTEX(pvblk_claims_lock);
/* vbds whose region waits for released claims (pvblk_claims_lock). */
static LIST_HEAD(pvblk_waiting);

/* Drains and claim retries: they may wait for I/O, never in xenwatch. */
static struct workqueue_struct *pvblk_wq;

#define PVBLK_MSG_LEN	256

/*
 * Module parameters: caps offered to frontends, read when a vbd is probed
 * (a change applies to vbds created afterwards).
 */
static unsigned int pvblk_max_indirect_segs = 64;
PVBACK_PARAM_RANGE(max_indirect_segments, pvblk_max_indirect_segs, 0,
		   PVBLK_MAX_INDIRECT_SEGS);
MODULE_PARM_DESC(max_indirect_segments,
		 "Segments per indirect request offered to frontends, 0 (no indirect requests) to "
		 __stringify(PVBLK_MAX_INDIRECT_SEGS) " (default 64)");

static unsigned int pvblk_max_ring_order = PVBLK_MAX_RING_ORDER;
PVBACK_PARAM_RANGE(max_ring_page_order, pvblk_max_ring_order, 0,
		   PVBLK_MAX_RING_ORDER);
MODULE_PARM_DESC(max_ring_page_order,
		 "Largest ring offered to frontends, in 2^N pages, 0 to "
		 __stringify(PVBLK_MAX_RING_ORDER) " (default)");

static unsigned int pvblk_max_queues;
PVBACK_PARAM_RANGE(max_queues, pvblk_max_queues, 0, PVBLK_MAX_QUEUES);
MODULE_PARM_DESC(max_queues,
		 "Rings (each with its thread) a vbd may have, 1 to "
		 __stringify(PVBLK_MAX_QUEUES) "; 0 (default): one per dom0 CPU");

/* Fewer than a handful of requests would starve a ring. */
static unsigned int pvblk_max_requests = 128;
PVBACK_PARAM_RANGE(max_requests, pvblk_max_requests, 16, 4096);
MODULE_PARM_DESC(max_requests,
		 "Requests a ring works on at once (its memory), 16 to 4096 (default 128)");

/*
 * Off by default: a frontend using persistent grants copies every I/O
 * through them, and where the guest's CPU is the bottleneck that copy
 * costs more than dom0's mapping saves (Documentation/performance.md).
 * 1056 fits the stock blkfront's whole working set: 32 ring slots of 32
 * segments and an indirect page each.
 */
static unsigned int pvblk_max_pgrants;
PVBACK_PARAM_RANGE(max_persistent_grants, pvblk_max_pgrants, 0, 16384);
MODULE_PARM_DESC(max_persistent_grants,
		 "Guest pages a ring keeps mapped between requests (feature-persistent), 0 (default: not offered) to 16384; 1056 fits the stock blkfront");

/*
 * 0 by default: under QEMU's TCG, the only place it was measured, holding
 * did not pay (Documentation/performance.md).
 */
static unsigned int pvblk_rsp_hold_us;
PVBACK_PARAM_RANGE(rsp_hold_us, pvblk_rsp_hold_us, 0, 10000);
MODULE_PARM_DESC(rsp_hold_us,
		 "Microseconds a response may wait for others while the ring is busy, so the guest takes them with one interrupt, 0 (default: never) to 10000");

/*
 * 1 by default; 0 leaves every answer to the ring's thread, as before it
 * could answer where the I/O ends: for comparisons, and as a way out.
 */
static unsigned int pvblk_answer_inline = 1;
PVBACK_PARAM_RANGE(answer_inline, pvblk_answer_inline, 0, 1);
MODULE_PARM_DESC(answer_inline,
		 "Answer a request where its I/O ends when it has at most 11 grants to unmap, 1 (default), or always in the ring's thread, 0");

/*
 * Requests of up to this many segments are served through dom0 pages by
 * grant copy instead of mapping the guest's pages: one hypercall per
 * batch instead of a map and an unmap with its TLB flush.
 */
static unsigned int pvblk_copy_segs = PVBLK_MAX_DIRECT_SEGS;
PVBACK_PARAM_RANGE(copy_segs, pvblk_copy_segs, 0, PVBLK_MAX_DIRECT_SEGS);
MODULE_PARM_DESC(copy_segs,
		 "Serve requests of up to this many segments by grant copy through dom0 pages, not by mapping guest pages, 0 (never) to 11 (default)");

/*
 * An optional unsigned key of the frontend: @def when absent, -EINVAL when
 * it is no decimal number or does not fit (no silent wrap).
 */
static int pvblk_fe_uint(struct pvblk_dev *dev, const char *key,
			 unsigned int def, unsigned int *val)
{
	char *s = xenbus_read(XBT_NIL, dev->xdev->otherend, key, NULL);
	int err;

	if (IS_ERR(s)) {
		*val = def;
		return 0;
	}
	err = kstrtouint(s, 10, val);
	kfree(s);
	return err ? -EINVAL : 0;
}

/* Read an optional decimal u64 key; -ENOENT when absent. */
static int pvblk_read_u64(struct pvblk_dev *dev, const char *key, u64 *val)
{
	char *s = xenbus_read(XBT_NIL, dev->xdev->nodename, key, NULL);
	int err;

	if (IS_ERR(s))
		return -ENOENT;
	err = kstrtou64(s, 10, val);
	kfree(s);
	return err;
}

/* The lease key, read afresh: a stale value must never let a vbd serve. */
static enum pvblk_lease pvblk_read_lease(struct pvblk_dev *dev)
{
	char *s = xenbus_read(XBT_NIL, dev->xdev->nodename, PVBLK_XS_LEASE,
			      NULL);
	enum pvblk_lease l;

	if (IS_ERR(s))
		return pvblk_lease_parse(NULL, PTR_ERR(s));
	l = pvblk_lease_parse(s, 0);
	kfree(s);
	return l;
}

/*
 * The lease state now.  Once a lease key was seen, its absence no longer
 * means "not shared": it is pending (the key went with a half-removed vbd).
 */
static enum pvblk_lease pvblk_lease_now(struct pvblk_dev *dev)
{
	enum pvblk_lease l = pvblk_read_lease(dev);

	lockdep_assert_held(&dev->lock);
	if (l != PVBLK_LEASE_NONE)
		dev->lease_seen = true;
	else if (dev->lease_seen)
		l = PVBLK_LEASE_PENDING;
	return l;
}

static bool pvblk_start_drain(struct pvblk_dev *dev, enum xenbus_state state);

/*
 * Give up on this vbd for good: say what is wrong and what to do about it
 * (@hint) in dmesg and in hotplug-error, which xl prints; go to Closed.
 */
static __printf(3, 4) void pvblk_refuse(struct pvblk_dev *dev,
					const char *hint,
					const char *fmt, ...)
{
	struct xenbus_device *xdev = dev->xdev;
	char *what, *msg;
	va_list ap;

	va_start(ap, fmt);
	what = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	msg = kasprintf(GFP_KERNEL, "%s; %s", what ?: "refused", hint);
	dev->refused = true;
	pr_warn("%s: %s\n", dev->name, msg ?: hint);
	if (msg)
		xenbus_write(XBT_NIL, xdev->nodename, PVBLK_XS_HOTPLUG_ERROR,
			     msg);
	xenbus_write(XBT_NIL, xdev->nodename, PVBLK_XS_REGION_STATUS,
		     PVBLK_REGION_REFUSED);
	/* Rings are only mapped once claimed: none to drain, normally. */
	if (!pvblk_start_drain(dev, XenbusStateClosed))
		xenbus_switch_state(xdev, XenbusStateClosed);
	kfree(msg);
	kfree(what);
}

/* Name the domain in messages: an operator thinks in VM names. */
static void pvblk_owner(struct pvblk_dev *dev, char *buf, size_t len)
{
	char dom[32];
	char *name;

	snprintf(dom, sizeof(dom), "/local/domain/%u", dev->domid);
	name = xenbus_read(XBT_NIL, dom, "name", NULL);
	if (IS_ERR(name))
		snprintf(buf, len, "%s (domain %u)", dev->name, dev->domid);
	else
		snprintf(buf, len, "%s (domain %u, %s)", dev->name,
			 dev->domid, name);
	if (!IS_ERR(name))
		kfree(name);
}

/*
 * The domain's VM, from the "vm" key the toolstack writes for it ("/vm/<uuid>"
 * with libxl), which the guest may read but not write.
 */
static bool pvblk_read_vm(struct pvblk_dev *dev, uuid_t *vm)
{
	const char *u;
	char dom[32];
	char *path;
	bool ok;

	snprintf(dom, sizeof(dom), "/local/domain/%u", dev->domid);
	path = xenbus_read(XBT_NIL, dom, "vm", NULL);
	if (IS_ERR(path))
		return false;
	u = strrchr(path, '/');
	ok = !uuid_parse(u ? u + 1 : path, vm);
	kfree(path);
	return ok;
}

/* Region from the hotplug script's keys, or the whole device. */
static int pvblk_read_region(struct pvblk_dev *dev, u64 dev_sectors,
			     struct pvblk_region *r)
{
	int e1 = pvblk_read_u64(dev, PVBLK_XS_REGION_START, &r->start);
	int e2 = pvblk_read_u64(dev, PVBLK_XS_REGION_SECTORS, &r->nr_sectors);

	if (e1 == -ENOENT && e2 == -ENOENT) {
		r->start = 0;
		r->nr_sectors = dev_sectors;
		return 0;
	}
	if (e1 || e2) {
		pvblk_refuse(dev, "fix the hotplug script",
			     "%s and %s must be decimal sector counts",
			     PVBLK_XS_REGION_START, PVBLK_XS_REGION_SECTORS);
		return -EINVAL;
	}
	return 0;
}

/*
 * Read-only parameter "claims": every claim, one a line, as
 * "<major>:<minor> <start> <sectors> <rw|ro> <domid> <state>" on the whole
 * disk, state "serving", "deferred" or "released" (its vbd is gone, its
 * last I/O not yet ended).  pvback-lease releases a region's lease only
 * once its claim is gone from here.  A page holds about 60 claims; more
 * end the list with "...".
 */
static int pvblk_claims_get(char *buf, const struct kernel_param *kp)
{
	const struct pvblk_claim *c;
	int n = 0, len;

	mutex_lock(&pvblk_claims_lock);
	list_for_each_entry(c, &pvblk_claims, node) {
		len = snprintf(buf + n, PAGE_SIZE - n, "%u:%u %llu %llu %s %u %s\n",
			       MAJOR(c->disk), MINOR(c->disk), c->abs.start,
			       c->abs.nr_sectors, c->writable ? "rw" : "ro",
			       c->domid, c->released ? "released" :
			       c->deferred ? "deferred" : "serving");
		/* Leave room for the ellipsis. */
		if (len >= PAGE_SIZE - n - 4) {
			n += scnprintf(buf + n, PAGE_SIZE - n, "...\n");
			break;
		}
		n += len;
	}
	mutex_unlock(&pvblk_claims_lock);
	return n;
}

static const struct kernel_param_ops pvblk_claims_ops = {
	.get = pvblk_claims_get,
};
module_param_cb(claims, &pvblk_claims_ops, NULL, 0400);
MODULE_PARM_DESC(claims,
		 "Every region claimed (read-only): device start sectors rw|ro domid serving|deferred|released");

/* Put @dev on the list of vbds that retry_work looks at when a claim goes. */
static void pvblk_wait_claims(struct pvblk_dev *dev)
{
	lockdep_assert_held(&pvblk_claims_lock);
	if (!dev->waiting)
		list_add_tail(&dev->wait_node, &pvblk_waiting);
	dev->waiting = true;
}

static int pvblk_claim(struct pvblk_dev *dev, struct block_device *bdev,
		       bool writable)
{
	const struct pvblk_claim *o, *partner = NULL;
	struct pvblk_claim *c = &dev->claim;
	struct pvblk_claim other;

	c->disk = bdev_whole(bdev)->bd_dev;
	c->abs.start = dev->lim.region.start + get_start_sect(bdev);
	c->abs.nr_sectors = dev->lim.region.nr_sectors;
	c->writable = writable;
	c->domid = dev->domid;
	c->has_vm = pvblk_read_vm(dev, &c->vm);
	pvblk_owner(dev, c->owner, sizeof(c->owner));

	c->released = false;
	c->deferred = false;
	mutex_lock(&pvblk_claims_lock);
	o = pvblk_claim_conflict(&pvblk_claims, c);
	if (o && o->released) {
		/*
		 * A removed vbd's last I/O is still ending there (the same VM
		 * reattached or rebooted, usually): wait for it, retry_work
		 * claims again once it is gone.
		 */
		pvblk_wait_claims(dev);
		other = *o;
		mutex_unlock(&pvblk_claims_lock);
		pr_info("%s: region still held by %s, which is shutting down; waiting for it\n",
			dev->name, other.owner);
		return -EAGAIN;
	}
	if (o) {
		other = *o;	/* report after unlocking: xenstore is slow */
	} else {
		list_add_tail(&c->node, &pvblk_claims);
		dev->claimed = true;
		/*
		 * The VM's old domain still holds the region (a migration to
		 * this host): ours, so that no other VM gets it, but served
		 * only once the old vbd and its last I/O are gone, never both
		 * at once.
		 */
		partner = pvblk_claim_partner(&pvblk_claims, c);
		if (partner) {
			other = *partner;
			c->deferred = true;
			pvblk_wait_claims(dev);
		}
	}
	mutex_unlock(&pvblk_claims_lock);
	if (partner)
		pr_info("%s: region also held by %s, the same VM (%pUb), which is moving here; served once that one lets it go\n",
			dev->name, other.owner, &c->vm);
	if (!o)
		return 0;

	/* The other region is given on the whole disk, ours on our device. */
	pvblk_refuse(dev, "give each writable vbd its own region",
		     "region %pg start=%llu sectors=%llu (%s) overlaps region start=%llu sectors=%llu (%s) of %s",
		     bdev, dev->lim.region.start, dev->lim.region.nr_sectors,
		     writable ? "rw" : "ro", other.abs.start,
		     other.abs.nr_sectors, other.writable ? "rw" : "ro",
		     other.owner);
	return -EBUSY;
}

/* A claim went away: the vbds waiting on one try again. */
static void pvblk_claims_retry(void)
{
	struct pvblk_dev *d, *tmp;

	lockdep_assert_held(&pvblk_claims_lock);
	list_for_each_entry_safe(d, tmp, &pvblk_waiting, wait_node) {
		list_del_init(&d->wait_node);
		d->waiting = false;
		queue_work(pvblk_wq, &d->retry_work);
	}
}

static void pvblk_unclaim(struct pvblk_dev *dev)
{
	mutex_lock(&pvblk_claims_lock);
	if (dev->waiting)
		list_del_init(&dev->wait_node);
	dev->waiting = false;
	if (dev->claimed) {
		list_del(&dev->claim.node);
		pvblk_claims_retry();
	}
	mutex_unlock(&pvblk_claims_lock);
	dev->claimed = false;
}

/*
 * Held, not served.  Only @dev's own paths write its claim's bit, under
 * dev->lock (which the caller holds) and the registry lock.
 */
static bool pvblk_deferred(const struct pvblk_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	return dev->claimed && dev->claim.deferred;
}

/* A deferred claim: is the VM's other domain done with the region? */
static void pvblk_claim_recheck(struct pvblk_dev *dev)
{
	bool serve;

	mutex_lock(&pvblk_claims_lock);
	serve = !pvblk_claim_partner(&pvblk_claims, &dev->claim);
	if (serve)
		dev->claim.deferred = false;
	else
		pvblk_wait_claims(dev);
	mutex_unlock(&pvblk_claims_lock);
	if (serve)
		pr_info("%s: the VM's other domain let the region go; serving it\n",
			dev->name);
}

/* The vbd is removed; its region stays claimed until its I/O ended. */
static void pvblk_release_claim(struct pvblk_dev *dev)
{
	mutex_lock(&pvblk_claims_lock);
	if (dev->waiting)
		list_del_init(&dev->wait_node);
	dev->waiting = false;
	if (dev->claimed)
		dev->claim.released = true;
	mutex_unlock(&pvblk_claims_lock);
}

static void pvblk_close_backing(struct pvblk_dev *dev)
{
	pvblk_unclaim(dev);
	pvback_bdev_close(&dev->disk);
}

/* The disk is open and the limits final: claim the region. */
static void pvblk_claim_region(struct pvblk_dev *dev)
{
	if (pvblk_claim(dev, dev->disk.bdev, !dev->lim.readonly))
		return;
	xenbus_write(XBT_NIL, dev->xdev->nodename, PVBLK_XS_REGION_STATUS,
		     PVBLK_REGION_CLAIMED);
	pr_info("%s: %s %pg sectors %llu+%llu %s\n", dev->name,
		pvblk_deferred(dev) ? "holding, not yet serving," : "serving",
		dev->disk.bdev, dev->lim.region.start, dev->lim.region.nr_sectors,
		dev->lim.readonly ? "ro" : "rw");
}

/* physical-device appeared: open the disk and claim the region. */
static void pvblk_open_backing(struct pvblk_dev *dev)
{
	const char *node = dev->xdev->nodename;
	struct block_device *bdev;
	unsigned int major, minor;
	bool writable;
	u64 sectors;
	char *mode;
	int err;

	if (dev->refused)
		return;
	err = xenbus_scanf(XBT_NIL, node, PVBLK_XS_PHYSICAL_DEVICE, "%x:%x",
			   &major, &minor);
	if (err != 2)
		return;		/* not written yet */
	if (dev->disk.bdev) {
		if (MKDEV(major, minor) != dev->devt)
			pr_warn("%s: physical-device changed to %x:%x; ignored, detach and reattach instead\n",
				dev->name, major, minor);
		return;
	}

	mode = xenbus_read(XBT_NIL, node, PVBLK_XS_MODE, NULL);
	writable = !IS_ERR(mode) && strchr(mode, 'w');
	if (!IS_ERR(mode))
		kfree(mode);

	dev->devt = MKDEV(major, minor);
	err = pvback_bdev_open(&dev->disk, dev->devt, writable);
	if (err) {
		pvblk_refuse(dev, "check that it exists in dom0",
			     "cannot open physical device %x:%x (error %d)",
			     major, minor, err);
		return;
	}
	bdev = dev->disk.bdev;
	if (writable && bdev_read_only(bdev)) {
		pvblk_refuse(dev, "attach it with access=ro",
			     "%pg is read-only but the disk is attached rw",
			     bdev);
		return;
	}

	sectors = bdev_nr_sectors(bdev);
	dev->lim.lb_sectors = bdev_logical_block_size(bdev) >> 9;
	dev->lim.readonly = !writable;
	dev->lim.flush = writable;
	dev->lim.discard = writable && bdev_max_discard_sectors(bdev);
	dev->lim.secure_discard = dev->lim.discard &&
				  bdev_max_secure_erase_sectors(bdev);
	if (pvblk_read_region(dev, sectors, &dev->lim.region))
		return;
	err = pvblk_region_check(&dev->lim.region, sectors, dev->lim.lb_sectors);
	if (err) {
		pvblk_refuse(dev, "fix start= and size= of the disk's target",
			     "region start=%llu sectors=%llu does not fit %pg (%llu sectors, %u-byte blocks): %s",
			     dev->lim.region.start, dev->lim.region.nr_sectors,
			     bdev, sectors, dev->lim.lb_sectors << 9,
			     err == -ERANGE ? "past the end of the device" :
			     "empty or not aligned to the block size");
		return;
	}
	pvblk_claim_region(dev);
}

/* Read one ring's grant references and event channel from @dir. */
static int pvblk_read_ring(struct pvblk_dev *dev, const char *dir,
			   unsigned int nr_refs, grant_ref_t *refs,
			   unsigned int *evtchn)
{
	char key[sizeof("ring-ref4294967295")];	/* any unsigned int */
	unsigned int i;

	for (i = 0; i < nr_refs; i++) {
		snprintf(key, sizeof(key), "ring-ref%u", i);
		/* A one-page ring's reference is "ring-ref" (or "ring-ref0"). */
		if (nr_refs == 1 &&
		    xenbus_scanf(XBT_NIL, dir, "ring-ref", "%u", &refs[0]) == 1)
			continue;
		if (xenbus_scanf(XBT_NIL, dir, key, "%u", &refs[i]) != 1) {
			pvback_guest_fatal(&dev->report_rs, dev->xdev, -EINVAL,
					   "reading %s/%s", dir, key);
			return -EINVAL;
		}
	}
	if (xenbus_scanf(XBT_NIL, dir, "event-channel", "%u", evtchn) != 1) {
		pvback_guest_fatal(&dev->report_rs, dev->xdev, -EINVAL,
				   "reading %s/event-channel", dir);
		return -EINVAL;
	}
	return 0;
}

/* Read the frontend's ring details and start the queues. */
static int pvblk_map_rings(struct pvblk_dev *dev)
{
	struct xenbus_device *xdev = dev->xdev;
	const char *fe = xdev->otherend;
	grant_ref_t refs[1 << PVBLK_MAX_RING_ORDER];
	unsigned int nr_queues, order, persistent, evtchn, i;
	char *proto, *dir;
	int err;

	proto = xenbus_read(XBT_NIL, fe, "protocol", NULL);
	err = pvblk_abi_from_protocol(IS_ERR(proto) ? NULL : proto, &dev->abi);
	if (err)
		pvback_guest_fatal(&dev->report_rs, xdev, err,
				   "unsupported protocol %s", proto);
	if (!IS_ERR(proto))
		kfree(proto);
	if (err)
		return err;

	if (pvblk_fe_uint(dev, "multi-queue-num-queues", 1, &nr_queues) ||
	    pvblk_fe_uint(dev, "ring-page-order", 0, &order) ||
	    pvblk_fe_uint(dev, "feature-persistent", 0, &persistent)) {
		pvback_guest_fatal(&dev->report_rs, xdev, -EINVAL,
				   "multi-queue-num-queues, ring-page-order or feature-persistent of %s is not a number",
				   fe);
		return -EINVAL;
	}
	/* Only a frontend that promised to reuse its grants gets them kept. */
	dev->persistent = persistent && dev->lim.max_pgrants;
	if (pvblk_geom_check(nr_queues, order, dev->max_queues,
			     dev->max_order)) {
		pvback_guest_fatal(&dev->report_rs, xdev, -EINVAL,
				   "frontend asks for %u queues of 2^%u pages; %u of up to 2^%u were offered",
				   nr_queues, order, dev->max_queues,
				   dev->max_order);
		return -EINVAL;
	}

	dev->queues = kcalloc(nr_queues, sizeof(*dev->queues), GFP_KERNEL);
	if (!dev->queues)
		return -ENOMEM;
	/* One queue's keys are the frontend's own, several have queue-N/. */
	for (i = 0; i < nr_queues; i++) {
		struct pvblk_queue *q = &dev->queues[i];

		dir = nr_queues == 1 ? kstrdup(fe, GFP_KERNEL) :
			kasprintf(GFP_KERNEL, "%s/queue-%u", fe, i);
		if (!dir) {
			err = -ENOMEM;
			break;
		}
		err = pvblk_read_ring(dev, dir, 1 << order, refs, &evtchn);
		kfree(dir);
		if (err)
			break;
		q->dev = dev;
		q->index = i;
		/* The vbd's bounce pages are shared out among its rings. */
		q->ring.bounce_max = max_t(unsigned int,
					   PVBLK_BOUNCE_MAX / nr_queues,
					   PVBLK_MAX_DIRECT_SEGS);
		err = pvblk_queue_connect(q, refs, 1 << order, evtchn);
		if (err)
			break;
		/* pvblk_start_drain() undoes the queues connected so far. */
		dev->nr_queues = i + 1;
	}
	if (err) {
		/* xenbus_dev_fatal() said why and switched to Closing. */
		pvblk_start_drain(dev, XenbusStateClosing);
		return err;
	}
	return 0;
}

/**
 * pvblk_start_drain - stop serving the rings, finish outside xenwatch
 * @dev: the vbd, dev->lock held
 * @state: Closing or Closed, switched to once every request is answered
 *
 * The threads stop taking requests at once; drain_work waits for their
 * I/O in flight (a guest can make that slow), frees the rings and only
 * then switches to @state, so the frontend never sees Closing while its
 * requests are still served.  Readers of dev->queues (sysfs) never see
 * the rings being freed: they are moved out of it here.
 *
 * Return: true if the drain runs (now or already): the state switch is
 * left to it.
 */
static bool pvblk_start_drain(struct pvblk_dev *dev, enum xenbus_state state)
{
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	dev->connected = false;
	if (dev->draining) {
		/* Closed, once asked for, wins over Closing. */
		dev->drain_state = max(dev->drain_state, state);
		return true;
	}
	if (!dev->nr_queues) {
		kfree(dev->queues);
		dev->queues = NULL;
		return false;
	}
	for (i = 0; i < dev->nr_queues; i++)
		pvblk_queue_quit(&dev->queues[i]);
	dev->drain_queues = dev->queues;
	dev->drain_nr = dev->nr_queues;
	dev->queues = NULL;
	dev->nr_queues = 0;
	dev->draining = true;
	dev->drain_state = state;
	/* The drain may outlive pvblk_remove(); xdev must outlive it. */
	get_device(&dev->xdev->dev);
	queue_work(pvblk_wq, &dev->drain_work);
	return true;
}

/*
 * feature-discard and its geometry: the device's granularity, and where
 * the region starts relative to it (the region need not start on a
 * granule).
 */
static int pvblk_write_discard_keys(struct pvblk_dev *dev,
				    struct xenbus_transaction t)
{
	const char *node = dev->xdev->nodename;
	unsigned int gran = bdev_discard_granularity(dev->disk.bdev);
	u32 align = 0;
	int err;

	if (gran)
		div_u64_rem(bdev_discard_alignment(dev->disk.bdev) +
			    (dev->lim.region.start << 9), gran, &align);
	err = xenbus_printf(t, node, "feature-discard", "1");
	if (!err)
		err = xenbus_printf(t, node, "discard-granularity", "%u", gran);
	if (!err)
		err = xenbus_printf(t, node, "discard-alignment", "%u", align);
	if (!err)
		err = xenbus_printf(t, node, "discard-secure", "%d",
				    dev->lim.secure_discard);
	return err;
}

static int pvblk_write_connect_keys(struct pvblk_dev *dev)
{
	const char *node = dev->xdev->nodename;
	struct xenbus_transaction t;
	int err;

	do {
		err = xenbus_transaction_start(&t);
		if (err)
			return err;
		err = xenbus_printf(t, node, "sectors", "%llu",
				    dev->lim.region.nr_sectors);
		if (!err)
			err = xenbus_printf(t, node, "info", "%u",
					    dev->lim.readonly ? VDISK_READONLY : 0);
		if (!err)
			err = xenbus_printf(t, node, "sector-size", "%u",
					    bdev_logical_block_size(dev->disk.bdev));
		if (!err)
			err = xenbus_printf(t, node, "physical-sector-size",
					    "%u",
					    bdev_physical_block_size(dev->disk.bdev));
		if (!err)
			err = xenbus_printf(t, node, "feature-flush-cache",
					    "%d", dev->lim.flush);
		if (!err && dev->lim.discard)
			err = pvblk_write_discard_keys(dev, t);
		if (!err && dev->lim.max_indirect_segs)
			err = xenbus_printf(t, node,
					    "feature-max-indirect-segments",
					    "%u", dev->lim.max_indirect_segs);
		if (err) {
			xenbus_transaction_end(t, 1);
			return err;
		}
		err = xenbus_transaction_end(t, 0);
	} while (err == -EAGAIN);
	return err;
}

/*
 * Connect once the region is claimed and the frontend has published its
 * rings: only then are the limits final and the rings mapped, so no
 * request is ever served before that.
 */
static void pvblk_maybe_connect(struct pvblk_dev *dev)
{
	struct xenbus_device *xdev = dev->xdev;
	enum xenbus_state fe;
	int err;

	lockdep_assert_held(&dev->lock);
	if (dev->refused || dev->removed || dev->draining || !dev->claimed ||
	    dev->connected || pvblk_deferred(dev) ||
	    xdev->state != XenbusStateInitWait)
		return;
	if (!pvblk_lease_serves(pvblk_lease_now(dev)))
		return;
	fe = xenbus_read_driver_state(xdev->otherend);
	if (fe != XenbusStateInitialised && fe != XenbusStateConnected)
		return;
	if (!dev->nr_queues && pvblk_map_rings(dev))
		return;
	err = pvblk_write_connect_keys(dev);
	if (err) {
		xenbus_dev_fatal(xdev, err, "writing connection details");
		pvblk_start_drain(dev, XenbusStateClosing);
		return;
	}
	err = xenbus_switch_state(xdev, XenbusStateConnected);
	if (err) {
		pvblk_start_drain(dev, XenbusStateClosing);
		return;
	}
	dev->connected = true;
}

/*
 * Act on the frontend's state @fe (pvback_xenbus.h), from xenwatch or,
 * with @catch_up, once a drain ended (a state xenwatch saw and reported
 * already).  Return: true if the frontend is gone for good and the device
 * should be unregistered (only xenwatch does that, serialised with xenbus
 * itself).
 */
static bool pvblk_fe_state(struct pvblk_dev *dev, enum xenbus_state fe,
			   bool catch_up)
{
	struct xenbus_device *xdev = dev->xdev;
	enum pvback_xb_act act;
	enum xenbus_state state;

	lockdep_assert_held(&dev->lock);
	act = pvback_xb_next(xdev->state, fe, xenbus_dev_is_online(xdev));
	switch (act) {
	case PVBACK_XB_NOTHING:
		return false;
	case PVBACK_XB_INITWAIT:
		/* A refused vbd stays closed; a draining one is not done. */
		if (!dev->refused && !dev->draining)
			xenbus_switch_state(xdev, XenbusStateInitWait);
		return false;
	case PVBACK_XB_CONNECT:
		pvblk_maybe_connect(dev);
		return false;
	case PVBACK_XB_ILLEGAL:
		if (!catch_up)
			pvback_guest_error(&dev->report_rs, xdev, -EINVAL,
					   "frontend in state %d, which no frontend takes; closing",
					   fe);
		fallthrough;
	default:
		state = pvback_xb_close_state(act);
		if (!pvblk_start_drain(dev, state))
			xenbus_switch_state(xdev, state);
		return act == PVBACK_XB_GONE;
	}
}

/* Wait for the threads' last I/O, free the rings, then switch state. */
static void pvblk_drain_work(struct work_struct *work)
{
	struct pvblk_dev *dev = container_of(work, struct pvblk_dev,
					     drain_work);
	struct xenbus_device *xdev = dev->xdev;
	unsigned int i;
	bool dead;

	for (i = 0; i < dev->drain_nr; i++)
		pvblk_queue_disconnect(&dev->drain_queues[i]);
	kfree(dev->drain_queues);

	mutex_lock(&dev->lock);
	dev->drain_queues = NULL;
	dev->drain_nr = 0;
	dev->draining = false;
	dead = dev->dead;
	if (dead) {
		pvblk_close_backing(dev);
	} else if (!dev->removed) {
		xenbus_switch_state(xdev, dev->drain_state);
		/* Catch up with what the frontend did meanwhile. */
		pvblk_fe_state(dev, xenbus_read_driver_state(xdev->otherend),
			       true);
	}
	mutex_unlock(&dev->lock);
	if (dead)
		kfree(dev);
	put_device(&xdev->dev);
}

/* A claim in the way is gone: claim again (or serve), maybe connect. */
static void pvblk_retry_work(struct work_struct *work)
{
	struct pvblk_dev *dev = container_of(work, struct pvblk_dev,
					     retry_work);

	mutex_lock(&dev->lock);
	if (!dev->removed && !dev->refused && dev->disk.bdev) {
		if (!dev->claimed)
			pvblk_claim_region(dev);
		else if (pvblk_deferred(dev))
			pvblk_claim_recheck(dev);
		pvblk_maybe_connect(dev);
	}
	mutex_unlock(&dev->lock);
}

static void pvblk_backend_changed(struct xenbus_watch *watch,
				  const char *path, const char *token)
{
	struct pvblk_dev *dev = container_of(watch, struct pvblk_dev, watch);

	mutex_lock(&dev->lock);
	if (!dev->removed) {
		pvblk_open_backing(dev);
		pvblk_maybe_connect(dev);
	}
	mutex_unlock(&dev->lock);
}

/*
 * The lease key changed (pvback-lease): serve once held, stop at once when
 * lost.  The guest cannot write the key; dom0's lease holder does.
 */
static void pvblk_lease_changed(struct xenbus_watch *watch,
				const char *path, const char *token)
{
	struct pvblk_dev *dev = container_of(watch, struct pvblk_dev,
					     lease_watch);
	enum pvblk_lease l;

	mutex_lock(&dev->lock);
	if (dev->removed)
		goto out;
	l = pvblk_lease_now(dev);
	if (l != dev->lease) {
		if (l == PVBLK_LEASE_PENDING)
			pr_info("%s: waiting for this server to hold the region's lease on the shared disk; not serving\n",
				dev->name);
		else if (l == PVBLK_LEASE_HELD)
			pr_info("%s: this server holds the region's lease; serving\n",
				dev->name);
		else if (l == PVBLK_LEASE_LOST)
			pr_warn("%s: the region's lease is lost (sanlock lost the shared disk's lockspace, or pvback-lease was stopped): serving stopped; see Documentation/shared-storage.md\n",
				dev->name);
	}
	dev->lease = l;
	/* Whatever took "held" away (lost, released, gone): stop serving. */
	if (!pvblk_lease_serves(l)) {
		if (dev->connected || dev->nr_queues)
			pvblk_start_drain(dev, XenbusStateClosing);
	} else {
		pvblk_maybe_connect(dev);
	}
out:
	mutex_unlock(&dev->lock);
}

static void pvblk_frontend_changed(struct xenbus_device *xdev,
				   enum xenbus_state fe_state)
{
	struct pvblk_dev *dev = dev_get_drvdata(&xdev->dev);
	bool gone;

	mutex_lock(&dev->lock);
	gone = pvblk_fe_state(dev, fe_state, false);
	mutex_unlock(&dev->lock);
	/* Outside the lock: this calls pvblk_remove(). */
	if (gone)
		device_unregister(&xdev->dev);
}

/* Unregister a watch if it is registered (its node is set only then). */
static void pvblk_unwatch(struct xenbus_watch *watch)
{
	if (!watch->node)
		return;
	unregister_xenbus_watch(watch);
	kfree(watch->node);
	watch->node = NULL;
}

static int pvblk_probe(struct xenbus_device *xdev,
		       const struct xenbus_device_id *id)
{
	const char *last = strrchr(xdev->nodename, '/');
	struct pvblk_dev *dev;
	int err;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating backend state");
		return -ENOMEM;
	}
	dev->xdev = xdev;
	dev->domid = xdev->otherend_id;
	if (!last || kstrtou32(last + 1, 10, &dev->handle))
		dev->handle = 0;
	snprintf(dev->name, sizeof(dev->name), "vbd %u/%u", dev->domid,
		 dev->handle);
	/* Fixed for the vbd's life: its rings are sized by them. */
	dev->lim.max_indirect_segs = READ_ONCE(pvblk_max_indirect_segs);
	dev->lim.max_requests = READ_ONCE(pvblk_max_requests);
	dev->lim.max_pgrants = READ_ONCE(pvblk_max_pgrants);
	dev->lim.rsp_hold_ns = READ_ONCE(pvblk_rsp_hold_us) * NSEC_PER_USEC;
	dev->lim.answer_inline = READ_ONCE(pvblk_answer_inline);
	dev->lim.copy_segs = READ_ONCE(pvblk_copy_segs);
	dev->max_order = READ_ONCE(pvblk_max_ring_order);
	dev->max_queues = READ_ONCE(pvblk_max_queues) ?:
		min_t(unsigned int, num_online_cpus(), PVBLK_MAX_QUEUES);
	mutex_init(&dev->lock);
	pvback_report_init(&dev->report_rs);
	INIT_WORK(&dev->drain_work, pvblk_drain_work);
	INIT_WORK(&dev->retry_work, pvblk_retry_work);
	INIT_LIST_HEAD(&dev->wait_node);
	dev_set_drvdata(&xdev->dev, dev);

	err = pvblk_sysfs_add(dev);
	if (err)
		goto fail;
	err = xenbus_watch_pathfmt(xdev, &dev->watch, NULL,
				   pvblk_backend_changed, "%s/%s",
				   xdev->nodename, PVBLK_XS_PHYSICAL_DEVICE);
	if (err)
		goto fail_sysfs;
	err = xenbus_watch_pathfmt(xdev, &dev->lease_watch, NULL,
				   pvblk_lease_changed, "%s/%s",
				   xdev->nodename, PVBLK_XS_LEASE);
	if (err)
		goto fail_watch;
	/* The frontend reads these when it sees InitWait. */
	err = xenbus_printf(XBT_NIL, xdev->nodename, "max-ring-page-order", "%u",
			    dev->max_order);
	if (!err)
		err = xenbus_printf(XBT_NIL, xdev->nodename,
				    "multi-queue-max-queues", "%u",
				    dev->max_queues);
	if (!err)
		err = xenbus_printf(XBT_NIL, xdev->nodename,
				    "feature-persistent", "%u",
				    !!dev->lim.max_pgrants);
	if (err) {
		xenbus_dev_fatal(xdev, err, "writing ring limits");
		goto fail_watch;
	}
	/*
	 * Under dev->lock, so the watch's first event (physical-device may
	 * be there already) finds the vbd in InitWait and can connect.
	 */
	mutex_lock(&dev->lock);
	err = xenbus_switch_state(xdev, XenbusStateInitWait);
	mutex_unlock(&dev->lock);
	if (err)
		goto fail_watch;
	return 0;

fail_watch:
	pvblk_unwatch(&dev->watch);
	pvblk_unwatch(&dev->lease_watch);
	/*
	 * The watch may have opened the disk and claimed its region, or put
	 * the vbd on the waiting list (no rings: it never was in InitWait).
	 */
	mutex_lock(&dev->lock);
	dev->removed = true;
	pvblk_release_claim(dev);
	pvblk_close_backing(dev);
	mutex_unlock(&dev->lock);
	cancel_work_sync(&dev->retry_work);
fail_sysfs:
	pvblk_sysfs_del(dev);
fail:
	dev_set_drvdata(&xdev->dev, NULL);
	kfree(dev);
	return err;
}

static void pvblk_remove(struct xenbus_device *xdev)
{
	struct pvblk_dev *dev = dev_get_drvdata(&xdev->dev);
	bool free_now;

	if (!dev)
		return;
	/* sysfs readers take dev->lock: remove the files first. */
	pvblk_sysfs_del(dev);
	pvblk_unwatch(&dev->watch);
	pvblk_unwatch(&dev->lease_watch);
	mutex_lock(&dev->lock);
	dev->removed = true;
	pvblk_release_claim(dev);
	pvblk_start_drain(dev, XenbusStateClosed);
	mutex_unlock(&dev->lock);
	/* Off the waiting list now: nothing queues it again. */
	cancel_work_sync(&dev->retry_work);

	/*
	 * Never wait for the guest's I/O here (xenwatch): if a drain runs,
	 * it closes the disk, drops the claim and frees the vbd.
	 */
	mutex_lock(&dev->lock);
	free_now = !dev->draining;
	if (free_now)
		pvblk_close_backing(dev);
	else
		dev->dead = true;
	mutex_unlock(&dev->lock);
	dev_set_drvdata(&xdev->dev, NULL);
	if (free_now)
		kfree(dev);
}

static const struct xenbus_device_id pvblk_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct xenbus_driver pvblk_driver = {
	.ids = pvblk_ids,
	.probe = pvblk_probe,
	.remove = pvblk_remove,
	.otherend_changed = pvblk_frontend_changed,
	.allow_rebind = true,
};

static int __init pvblk_init(void)
{
	int err;

	if (!xen_domain())
		return -ENODEV;
	pvblk_wq = alloc_workqueue("pvblkback", WQ_UNBOUND, 0);
	if (!pvblk_wq)
		return -ENOMEM;
	err = xenbus_register_backend(&pvblk_driver);
	if (err)
		destroy_workqueue(pvblk_wq);
	return err;
}
module_init(pvblk_init);

static void __exit pvblk_exit(void)
{
	xenbus_unregister_driver(&pvblk_driver);
	/* Waits for the drains of the vbds just removed. */
	destroy_workqueue(pvblk_wq);
}
module_exit(pvblk_exit);

MODULE_DESCRIPTION("Xen block backend serving regions of block devices");
MODULE_LICENSE("GPL");
/*
 * No MODULE_ALIAS("xen-backend:vbd"): the in-tree backend has it, and udev
 * would then load both.  pvback's modprobe.d/pvback.conf points the alias
 * here instead; without that file the in-tree module serves the device
 * type again (Documentation/admin-guide.md).
 */
