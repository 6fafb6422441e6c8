// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent grant cache of a ring (see pgnt.h): a tree by grant
 * reference, and an LRU list of the entries no request uses, which are
 * the only ones that may be evicted.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "pgnt.h"

/**
 * pvblk_pgnt_init - allocate a cache of at most @max grants
 * @c: the cache
 * @max: its bound; 0 gives an empty cache that never caches
 *
 * Return: 0 or -ENOMEM.
 */
int pvblk_pgnt_init(struct pvblk_pgnt_cache *c, unsigned int max)
{
	unsigned int i;

	c->root = RB_ROOT;
	INIT_LIST_HEAD(&c->idle);
	INIT_LIST_HEAD(&c->free);
	c->count = 0;
	c->overflow = false;
	c->max = 0;
	c->ents = NULL;
	if (!max)
		return 0;
	c->ents = kvcalloc(max, sizeof(*c->ents), GFP_KERNEL);
	if (!c->ents)
		return -ENOMEM;
	c->max = max;
	for (i = 0; i < max; i++)
		list_add_tail(&c->ents[i].lru, &c->free);
	return 0;
}

/* Only once every entry was evicted (their grants unmapped). */
void pvblk_pgnt_free(struct pvblk_pgnt_cache *c)
{
	WARN_ON_ONCE(c->count);
	kvfree(c->ents);
	c->ents = NULL;
	c->max = 0;
}

static struct pvblk_pgnt *pvblk_pgnt_find(struct pvblk_pgnt_cache *c,
					  u32 gref, struct rb_node ***link,
					  struct rb_node **parent)
{
	struct rb_node **p = &c->root.rb_node;
	struct pvblk_pgnt *e;

	*parent = NULL;
	while (*p) {
		e = rb_entry(*p, struct pvblk_pgnt, node);
		*parent = *p;
		if (gref < e->gref)
			p = &(*p)->rb_left;
		else if (gref > e->gref)
			p = &(*p)->rb_right;
		else
			return e;
	}
	*link = p;
	return NULL;
}

/**
 * pvblk_pgnt_get - take a cached grant for a request
 * @c: the cache
 * @gref: the guest's grant reference
 *
 * Return: the entry, with one more user, or NULL if @gref is not cached.
 */
struct pvblk_pgnt *pvblk_pgnt_get(struct pvblk_pgnt_cache *c, u32 gref)
{
	struct rb_node **link, *parent;
	struct pvblk_pgnt *e;

	e = pvblk_pgnt_find(c, gref, &link, &parent);
	if (!e)
		return NULL;
	/* Several requests may share a grant: the guest's own business. */
	if (!e->users++)
		list_del_init(&e->lru);
	return e;
}

/**
 * pvblk_pgnt_add - cache a grant just mapped for a request
 * @c: the cache
 * @gref: its reference
 * @page: where it is mapped
 * @handle: its mapping's handle
 *
 * Return: the entry, with the request as its one user, or NULL when the
 * cache is full or already holds @gref (a request naming it twice): the
 * caller then unmaps it when the request ends.
 */
struct pvblk_pgnt *pvblk_pgnt_add(struct pvblk_pgnt_cache *c, u32 gref,
				  struct page *page, grant_handle_t handle)
{
	struct rb_node **link, *parent;
	struct pvblk_pgnt *e;

	if (pvblk_pgnt_find(c, gref, &link, &parent))
		return NULL;
	e = list_first_entry_or_null(&c->free, struct pvblk_pgnt, lru);
	if (!e) {
		c->overflow = true;
		return NULL;
	}
	list_del_init(&e->lru);
	e->gref = gref;
	e->page = page;
	e->handle = handle;
	e->users = 1;
	rb_link_node(&e->node, parent, link);
	rb_insert_color(&e->node, &c->root);
	c->count++;
	return e;
}

/* A request is done with @e; the last user makes it the newest idle one. */
void pvblk_pgnt_put(struct pvblk_pgnt_cache *c, struct pvblk_pgnt *e)
{
	if (WARN_ON_ONCE(!e->users))
		return;
	if (!--e->users)
		list_add_tail(&e->lru, &c->idle);
}

/**
 * pvblk_pgnt_evict - drop the least recently used idle grants
 * @c: the cache
 * @n: at most this many
 * @pages: out, their pages
 * @handles: out, their mapping handles
 *
 * The caller unmaps what this returns; grants in use are never evicted.
 * Clears the overflow mark.
 *
 * Return: how many were dropped.
 */
unsigned int pvblk_pgnt_evict(struct pvblk_pgnt_cache *c, unsigned int n,
			      struct page **pages, grant_handle_t *handles)
{
	struct pvblk_pgnt *e, *tmp;
	unsigned int k = 0;

	c->overflow = false;
	list_for_each_entry_safe(e, tmp, &c->idle, lru) {
		if (k == n)
			break;
		rb_erase(&e->node, &c->root);
		list_move_tail(&e->lru, &c->free);
		pages[k] = e->page;
		handles[k++] = e->handle;
		c->count--;
	}
	return k;
}
