/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Publishing to Redis: record statuses and the error list, and the periodic
 * stats (docs/redis-schema.md, "What voxrelay writes"). Control process's
 * thread only.
 */
#ifndef VR_CTL_PUBLISH_H
#define VR_CTL_PUBLISH_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "model.h"
#include "shm_reader.h"

/* Publishing state kept between intervals. */
struct vr_publisher {
	char prefix[64];
	int ttl_s;           /* TTL of the stats hashes */
	uint64_t last_ms;    /* when the last stats went out */
	uint64_t last_fwd, last_rx;
	uint64_t last_cost_ms;  /* how long the previous publication took */
	/* What each call slot's hash holds in Redis, so that only changes are sent:
	 * [slot * VR_PUB_FIELDS + field]; slot_seq tells a reused slot. */
	uint64_t *cache;
	uint32_t *slot_seq;
	uint32_t cache_slots;
};

/* Values cached per call (see publish.c). */
#define VR_PUB_FIELDS (1 + 2 * (8 + VR_DROP_MAX))

/* Forgets what Redis holds (after a reconnect): the next publication is whole. */
void vr_publish_forget(struct vr_publisher *pb);

/*
 * Writes the status hash of every record whose verdict changed since it was
 * last written (and pushes rejections on the error list), and deletes the
 * keys in deleted (status keys of records that are gone), pipelined. With
 * only_calls, only the calls named there are looked at.
 */
void vr_publish_status(redisContext *c, const char *prefix, struct vr_model *m,
	struct vr_map *deleted, const struct vr_map *only_calls);

/*
 * Publishes the stats read from shm: per call, per site, per SBC, the
 * summary, and the JSON summary on PREFIX "stats". 0, or -1 when Redis failed.
 */
int vr_publish_stats(struct vr_publisher *pb, redisContext *c, const struct vr_shm_map *shm,
	const struct vr_model *m);

#endif /* VR_CTL_PUBLISH_H */
