// SPDX-License-Identifier: GPL-2.0
/*
 * Region arithmetic for pvblkback.  Every function here is overflow safe
 * for any input: the values come from xenstore and from guest requests.
 */
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/pvback.h>

#include "region.h"

/**
 * pvblk_region_check - validate a region against its device
 * @r: the region, in 512-byte sectors
 * @dev_sectors: size of the device, in 512-byte sectors
 * @lb_sectors: logical block size of the device, in 512-byte sectors
 *
 * Return: 0, -EINVAL for an empty or misaligned region, -ERANGE for one
 * that wraps or runs past the end of the device.
 */
int pvblk_region_check(const struct pvblk_region *r, u64 dev_sectors,
		       unsigned int lb_sectors)
{
	u64 end;

	if (!r->nr_sectors || !lb_sectors)
		return -EINVAL;
	if (r->nr_sectors > PVBLK_REGION_MAX_SECTORS ||
	    check_add_overflow(r->start, r->nr_sectors, &end) ||
	    end > dev_sectors || end > PVBLK_REGION_MAX_SECTORS)
		return -ERANGE;
	if (r->start % lb_sectors || r->nr_sectors % lb_sectors)
		return -EINVAL;
	return 0;
}

/**
 * pvblk_region_translate - map a guest sector range to the device
 * @r: a region that passed pvblk_region_check()
 * @sector: first guest sector
 * @nr_sectors: number of sectors
 * @phys: on success, the first device sector
 *
 * Return: 0, or -ERANGE when any part of the range lies outside @r.
 */
int pvblk_region_translate(const struct pvblk_region *r, u64 sector,
			   u64 nr_sectors, u64 *phys)
{
	u64 end;

	if (check_add_overflow(sector, nr_sectors, &end) ||
	    end > r->nr_sectors)
		return -ERANGE;
	*phys = r->start + sector;
	return 0;
}

/* Half-open intervals [start, start + n); empty regions overlap nothing. */
bool pvblk_region_overlap(const struct pvblk_region *a,
			  const struct pvblk_region *b)
{
	if (!a->nr_sectors || !b->nr_sectors)
		return false;
	/* Written as differences so that no sum can wrap. */
	if (a->start <= b->start)
		return b->start - a->start < a->nr_sectors;
	return a->start - b->start < b->nr_sectors;
}

/**
 * pvblk_claim_handover - may two claims coexist as one VM moving?
 * @a: a claim
 * @b: another claim
 *
 * True when both name the same VM, from two different domains, and claim
 * exactly the same region with the same access: the old and the new domain
 * of a VM migrating to this host.  Such a claim is not a conflict, but the
 * caller serves the new one only once the old one is gone, so that the two
 * never write at once.  Anything else, even of the same VM, follows the
 * overlap rule.
 */
bool pvblk_claim_handover(const struct pvblk_claim *a,
			  const struct pvblk_claim *b)
{
	return a->has_vm && b->has_vm && uuid_equal(&a->vm, &b->vm) &&
	       a->domid != b->domid && a->disk == b->disk &&
	       a->abs.start == b->abs.start &&
	       a->abs.nr_sectors == b->abs.nr_sectors &&
	       a->writable == b->writable;
}

/**
 * pvblk_claim_partner - the claim a VM's moving domain must wait for
 * @claims: list of struct pvblk_claim (caller holds the registry lock)
 * @c: a claim of that VM, on the list or not
 *
 * Return: another domain's claim of the same VM on exactly @c's region
 * (pvblk_claim_handover()) that is served or still ending its I/O, or NULL:
 * then @c may be served.  Deferred ones are no partner: they wait too, and
 * two that waited on each other would wait for ever.
 */
const struct pvblk_claim *pvblk_claim_partner(const struct list_head *claims,
					      const struct pvblk_claim *c)
{
	const struct pvblk_claim *o;

	list_for_each_entry(o, claims, node)
		if (o != c && !o->deferred && pvblk_claim_handover(o, c))
			return o;
	return NULL;
}

/**
 * pvblk_claim_conflict - find a claim that @c may not coexist with
 * @claims: list of struct pvblk_claim (caller holds the registry lock)
 * @c: the new claim, not on the list
 *
 * Two claims conflict when they are on the same disk, overlap, and at
 * least one of them is writable.  Sharing read-only is fine, and so is a
 * VM's region passing from its old domain to its new one
 * (pvblk_claim_handover()).
 *
 * Return: the first conflicting claim that is not released, else the
 * first released one (the caller may wait for it to go), or NULL.
 */
const struct pvblk_claim *pvblk_claim_conflict(const struct list_head *claims,
					       const struct pvblk_claim *c)
{
	const struct pvblk_claim *o, *released = NULL;

	list_for_each_entry(o, claims, node) {
		if (o == c || o->disk != c->disk)
			continue;
		if (!o->writable && !c->writable)
			continue;
		if (!pvblk_region_overlap(&o->abs, &c->abs))
			continue;
		/* A released one's last I/O is still ending: wait, as always. */
		if (!o->released && pvblk_claim_handover(o, c))
			continue;
		if (!o->released)
			return o;
		if (!released)
			released = o;
	}
	return released;
}

/**
 * pvblk_lease_parse - the lease state a vbd's "lease" key gives
 * @val: the key's value, or NULL when it could not be read
 * @err: the read's error when @val is NULL
 *
 * Fails closed: only a key that is certainly absent (-ENOENT) means no
 * lease is needed, and only "held" lets the vbd serve.
 */
enum pvblk_lease pvblk_lease_parse(const char *val, int err)
{
	if (!val)
		return err == -ENOENT ? PVBLK_LEASE_NONE : PVBLK_LEASE_PENDING;
	if (!strcmp(val, PVBLK_LEASE_VAL_HELD))
		return PVBLK_LEASE_HELD;
	if (!strcmp(val, PVBLK_LEASE_VAL_LOST))
		return PVBLK_LEASE_LOST;
	return PVBLK_LEASE_PENDING;
}

/* May a vbd in lease state @l serve its rings? */
bool pvblk_lease_serves(enum pvblk_lease l)
{
	return l == PVBLK_LEASE_NONE || l == PVBLK_LEASE_HELD;
}
