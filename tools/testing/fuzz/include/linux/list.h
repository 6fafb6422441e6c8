/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/list.h>: the circular doubly linked list,
 * only the operations the units and harnesses use.
 */
#ifndef FUZZ_LINUX_LIST_H
#define FUZZ_LINUX_LIST_H

#include <stdbool.h>

#include <linux/container_of.h>

struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

static inline void list_add_tail(struct list_head *entry,
				 struct list_head *head)
{
	entry->prev = head->prev;
	entry->next = head;
	head->prev->next = entry;
	head->prev = entry;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)

/*
 * Names each argument once, as checkpatch wants of a macro: @pos through a
 * pointer to it, the walk in a cursor of its own, which the condition
 * moves (so that continue works without an increment expression).
 */
#define list_for_each_entry(pos, head, member)				\
	for (struct { typeof(pos) *p; const struct list_head *h, *n; }	\
	     __it = { &(pos), (head), NULL };				\
	     (__it.n = __it.n ? __it.n->next : __it.h->next) != __it.h && \
	     (*__it.p = list_entry(__it.n, typeof(**__it.p), member), true);)

#endif /* FUZZ_LINUX_LIST_H */
