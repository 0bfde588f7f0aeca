/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel table's writer side (tuntab.h): the main lcore links, replaces
 * and unlinks entries; lookups are inline in the header and run on the
 * workers at the same time. Nothing here frees memory: a removed node goes
 * back to the free list only through vr_tuntab_free_position, after the
 * caller's grace period.
 */
#include <errno.h>

#include "tuntab.h"

/* Buckets for n entries: a power of two, at least n (chains of one on average) and 16. */
static uint32_t
buckets(uint32_t n)
{
	uint32_t b = 16;

	while (b < n)
		b <<= 1;
	return b;
}

size_t
vr_tuntab_memsize(uint32_t n)
{
	return sizeof(struct vr_tuntab) + (size_t)n * sizeof(struct vr_tuntab_node) +
		(size_t)n * sizeof(uint32_t) + (size_t)buckets(n) * sizeof(uint32_t);
}

struct vr_tuntab *
vr_tuntab_init(void *mem, uint32_t n)
{
	struct vr_tuntab *t = mem;
	uint32_t i, nb = buckets(n);

	t->mask = nb - 1;
	t->n_nodes = n;
	t->node = (struct vr_tuntab_node *)(t + 1);
	t->free = (uint32_t *)(t->node + n);
	t->head = t->free + n;
	for (i = 0; i < nb; i++)
		t->head[i] = VR_TUNTAB_NONE;
	for (i = 0; i < n; i++) {
		t->node[i].key = 0;
		t->node[i].data = NULL;
		t->node[i].next = VR_TUNTAB_NONE;
		t->free[i] = n - 1 - i;
	}
	t->n_free = n;
	return t;
}

int
vr_tuntab_set(struct vr_tuntab *t, uint64_t key, void *data)
{
	uint32_t b = vr_tuntab_bucket(t, key), i;
	struct vr_tuntab_node *n;

	for (i = t->head[b]; i != VR_TUNTAB_NONE; i = t->node[i].next) {
		if (t->node[i].key == key) {
			__atomic_store_n(&t->node[i].data, data, __ATOMIC_RELEASE);
			return 0;
		}
	}
	if (t->n_free == 0)
		return -ENOSPC;
	i = t->free[--t->n_free];
	n = &t->node[i];
	n->key = key;
	n->data = data;
	n->next = t->head[b];
	/* Linked last: a reader that finds the node finds it whole. */
	__atomic_store_n(&t->head[b], i, __ATOMIC_RELEASE);
	return 0;
}

int32_t
vr_tuntab_del(struct vr_tuntab *t, uint64_t key)
{
	uint32_t *link = &t->head[vr_tuntab_bucket(t, key)], i;

	for (i = *link; i != VR_TUNTAB_NONE; link = &t->node[i].next, i = *link) {
		if (t->node[i].key == key) {
			/* The node keeps its next: a reader on it goes on down the chain. */
			__atomic_store_n(link, t->node[i].next, __ATOMIC_RELEASE);
			return (int32_t)i;
		}
	}
	return -1;
}

void
vr_tuntab_free_position(struct vr_tuntab *t, int32_t pos)
{
	if (pos >= 0 && (uint32_t)pos < t->n_nodes && t->n_free < t->n_nodes)
		t->free[t->n_free++] = (uint32_t)pos;
}
