/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Persistent grants of one ring: guest pages that stay mapped between
 * requests, looked up by grant reference.  Pure bookkeeping, no Xen
 * calls: the ring engine maps and unmaps through its ops and records the
 * result here, so KUnit drives this unit directly.
 *
 * The cache is bounded by the number of entries allocated up front; a
 * grant that finds no room is mapped for its request only.  Only the
 * ring's thread touches a cache, so it needs no lock.
 */
#ifndef PVBLK_PGNT_H
#define PVBLK_PGNT_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <xen/grant_table.h>

struct page;

struct pvblk_pgnt {
	struct rb_node node;		/* in the tree while cached */
	/* Cached and unused: on the idle list; not cached: on the free list. */
	struct list_head lru;
	u32 gref;
	unsigned int users;		/* requests in flight using it */
	struct page *page;
	grant_handle_t handle;
};

struct pvblk_pgnt_cache {
	struct rb_root root;
	struct list_head idle;		/* cached with no user, oldest first */
	struct list_head free;		/* entries not in use */
	struct pvblk_pgnt *ents;
	unsigned int max;		/* entries allocated */
	unsigned int count;		/* entries cached */
	/* A grant found the cache full since the last eviction. */
	bool overflow;
};

int pvblk_pgnt_init(struct pvblk_pgnt_cache *c, unsigned int max);
void pvblk_pgnt_free(struct pvblk_pgnt_cache *c);
struct pvblk_pgnt *pvblk_pgnt_get(struct pvblk_pgnt_cache *c, u32 gref);
struct pvblk_pgnt *pvblk_pgnt_add(struct pvblk_pgnt_cache *c, u32 gref,
				  struct page *page, grant_handle_t handle);
void pvblk_pgnt_put(struct pvblk_pgnt_cache *c, struct pvblk_pgnt *e);
unsigned int pvblk_pgnt_evict(struct pvblk_pgnt_cache *c, unsigned int n,
			      struct page **pages, grant_handle_t *handles);

#endif /* PVBLK_PGNT_H */
