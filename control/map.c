/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * String-keyed hash map; see map.h. Used by the control process's thread only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

static char tomb;
#define VR_MAP_TOMB (&tomb)

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* key's slot in m, or NULL; h is hash(key). */
static struct vr_map_slot *
find(const struct vr_map *m, const char *key, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct vr_map_slot *s = &m->slots[i];

		if (s->key == NULL)
			return NULL;
		if (s->h == h && s->key != VR_MAP_TOMB && strcmp(s->key, key) == 0)
			return s;
	}
}

void *
vr_map_get(const struct vr_map *m, const char *key)
{
	struct vr_map_slot *s = find(m, key, hash(key));

	return s != NULL ? s->val : NULL;
}

static void
grow(struct vr_map *m)
{
	struct vr_map old = *m;
	size_t i;

	m->cap = old.cap == 0 ? 64 : (old.n * 4 > old.cap ? old.cap * 2 : old.cap);
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (m->slots == NULL) {
		fprintf(stderr, "voxrelay: out of memory\n");
		abort();
	}
	m->n = 0;
	m->used = 0;
	for (i = 0; i < old.cap; i++) {
		struct vr_map_slot *s = &old.slots[i];
		size_t j;

		if (s->key == NULL || s->key == VR_MAP_TOMB)
			continue;
		for (j = s->h & (m->cap - 1); m->slots[j].key != NULL;
				j = (j + 1) & (m->cap - 1))
			;
		m->slots[j] = *s;
		m->n++;
		m->used++;
	}
	free(old.slots);
}

void *
vr_map_put(struct vr_map *m, const char *key, void *val)
{
	uint64_t h = hash(key);
	struct vr_map_slot *s = find(m, key, h);
	void *prev;
	size_t i;

	if (s != NULL) {
		prev = s->val;
		s->val = val;
		return prev;
	}
	if ((m->used + 1) * 2 > m->cap)
		grow(m);
	for (i = h & (m->cap - 1); m->slots[i].key != NULL && m->slots[i].key != VR_MAP_TOMB;
			i = (i + 1) & (m->cap - 1))
		;
	if (m->slots[i].key == NULL)
		m->used++;
	m->slots[i].key = strdup(key);
	if (m->slots[i].key == NULL)
		abort();
	m->slots[i].val = val;
	m->slots[i].h = h;
	m->n++;
	return NULL;
}

void *
vr_map_del(struct vr_map *m, const char *key)
{
	struct vr_map_slot *s = find(m, key, hash(key));
	void *val;

	if (s == NULL)
		return NULL;
	val = s->val;
	free(s->key);
	s->key = VR_MAP_TOMB;
	s->val = NULL;
	m->n--;
	return val;
}

struct vr_map_slot *
vr_map_next(const struct vr_map *m, size_t *i)
{
	while (*i < m->cap) {
		struct vr_map_slot *s = &m->slots[(*i)++];

		if (s->key != NULL && s->key != VR_MAP_TOMB)
			return s;
	}
	return NULL;
}

void
vr_map_free(struct vr_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL && m->slots[i].key != VR_MAP_TOMB)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
