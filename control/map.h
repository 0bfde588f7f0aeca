/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A string-keyed hash map (open addressing, linear probing, tombstones) for
 * the control process's records. Single-threaded; owns copies of its keys.
 */
#ifndef VR_CTL_MAP_H
#define VR_CTL_MAP_H

#include <stddef.h>
#include <stdint.h>

struct vr_map_slot {
	char *key;   /* NULL: empty; VR_MAP_TOMB: deleted */
	void *val;
	uint64_t h;  /* the key's hash: most probes that miss end here, not in strcmp */
};

/* A map; zero-initialized is an empty map. */
struct vr_map {
	struct vr_map_slot *slots;
	size_t cap;   /* power of two, or 0 */
	size_t n;     /* live entries */
	size_t used;  /* live entries and tombstones */
};

/* The value stored under key, or NULL. */
void *vr_map_get(const struct vr_map *m, const char *key);

/* Stores val under key, returning the value it replaces (or NULL). Aborts on OOM. */
void *vr_map_put(struct vr_map *m, const char *key, void *val);

/* Removes key, returning its value (or NULL). */
void *vr_map_del(struct vr_map *m, const char *key);

/* Iterates: *i starts at 0; returns the next slot, or NULL at the end. */
struct vr_map_slot *vr_map_next(const struct vr_map *m, size_t *i);

/* Frees the map's storage (not the values). */
void vr_map_free(struct vr_map *m);

#endif /* VR_CTL_MAP_H */
