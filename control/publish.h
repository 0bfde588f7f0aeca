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

/* Per-site or per-SBC sums of a publication pass. */
struct vr_pub_agg {
	uint64_t devices, active_calls, calls, pkts, dropped;
	uint32_t tunnel_id;         /* SBCs: 0 while the record is not valid */
};

/* Publishing state kept between intervals. */
struct vr_publisher {
	char prefix[64];
	/* Where this process's own aggregates go (summary, sites, SBCs, the
	 * JSON channel): prefix, or with --host prefix + "host:ID:", so that
	 * hosts sharing a Redis do not overwrite each other's. Calls' stats
	 * stay under prefix: one host relays a call at a time. */
	char own_prefix[160];
	int ttl_s;           /* TTL of the stats hashes */
	unsigned int ttl_every; /* a call's TTL is refreshed every this many passes (>= 1) */
	uint64_t last_ms;    /* when the last stats went out */
	uint64_t last_fwd, last_rx;
	uint64_t last_cost_ms;  /* how long the previous publication took */
	char srtp_engine[16];   /* the dataplane's tunnel SRTP engine, for the summary */
	char crypto_dev[64];    /* and its crypto device */
	uint64_t held_calls;    /* set by the caller: calls held while their records are */
	uint64_t held_since_ms; /* missing (dpsync.h), and since when (0: none) */
	/* What each call slot's hash holds in Redis, so that only changes are sent:
	 * [slot * VR_PUB_FIELDS + field]; slot_seq tells a reused slot. */
	uint64_t *cache;
	uint32_t *slot_seq;
	uint32_t cache_slots;
	/* The pass in progress: a publication is made in bounded steps. */
	int in_pass;
	uint32_t cursor;         /* next call slot to look at */
	uint32_t pass_no;
	uint64_t pass_start_ms, active, bound;
	uint64_t last_active;    /* active calls of the last complete pass */
	struct vr_map sites, sbcs; /* name -> per-site / per-SBC sums (struct vr_pub_agg) */
	struct vr_map last_sites, last_sbcs; /* the same, of the last complete pass */
};

/* Values cached per call leg before its drops, and per call (see publish.c). */
#define VR_PUB_LEG_FIELDS 11
#define VR_PUB_FIELDS (1 + 2 * (VR_PUB_LEG_FIELDS + VR_DROP_MAX))

/*
 * Forgets what Redis holds (after a reconnect, a dataplane restart): drops the
 * pass in progress; the next publication is whole.
 */
void vr_publish_forget(struct vr_publisher *pb);

/*
 * Writes the status hash of every record whose verdict changed since it was
 * last written (and pushes rejections on the error list), and deletes the
 * keys in deleted (status keys of records that are gone), pipelined. With
 * only_calls, only the calls named there are looked at. With pending (the
 * dataplane is unreachable), the state is "pending" and the error says
 * pending: no verdict can be given yet; of the calls in only_calls, or of
 * every record that has no status yet.
 */
void vr_publish_status(redisContext *c, const char *prefix, struct vr_model *m,
	struct vr_map *deleted, const struct vr_map *only_calls, const char *pending);

/*
 * One step of a publication of the stats read from shm: per call, per site,
 * per SBC, the summary, and the JSON summary on PREFIX "stats". A step starts
 * a pass when none is in progress, publishes at most `budget` calls (and
 * looks at most at 16 times as many slots), and waits for Redis's replies
 * before it returns, so that the caller can serve other events between
 * steps. Returns 1 when the pass is complete, 0 when there is more to do,
 * -1 when Redis failed (the pass is dropped).
 */
int vr_publish_step(struct vr_publisher *pb, redisContext *c, const struct vr_shm_map *shm,
	const struct vr_model *m, unsigned int budget);

/*
 * The dataplane's view of the SBC with tunnel id tid: a consistent copy of
 * its row, and its counters summed over the lcores. 0 when it has none.
 */
int vr_publish_sbc_view(const struct vr_shm_hdr *h, uint32_t tid, struct vr_shm_sbc *row,
	struct vr_shm_sbc_ctr *sum);

/* Whether an SBC is online at now_ms: an authenticated hello within three of its intervals. */
int vr_publish_sbc_online(const struct vr_shm_sbc *row, uint64_t now_ms);

#endif /* VR_CTL_PUBLISH_H */
