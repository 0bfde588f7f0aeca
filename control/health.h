/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay's health as control sees it: whether the dataplane answers (and
 * since when, and why not), what it says of itself (link, gateway, boot id,
 * uptime, calls against max_calls, SRTP engine), each worker's busy share
 * over the last sample, and control's own state (Redis, held calls, kept and
 * rejected records). Sampled by the control loop; published as the hash
 * PREFIXstats:health (docs/redis-schema.md). Control process's thread only.
 */
#ifndef VR_CTL_HEALTH_H
#define VR_CTL_HEALTH_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "voxrelay/ctl.h"

#include "dpsync.h"
#include "model.h"
#include "shm_reader.h"

#define VR_HEALTH_WORKERS 64

struct vr_health {
	int dp_up;                  /* the dataplane answered the last health request */
	uint64_t dp_since_ms;       /* Unix ms dp_up has been as it is (0: not known yet) */
	uint64_t dp_said_ms;        /* when "unreachable" was last logged */
	char dp_error[160];         /* why it is unreachable */
	struct vr_ctl_health h;     /* its last answer */
	/* Worker busy share: busy TSC cycles over elapsed cycles between samples. */
	uint64_t busy0[VR_HEALTH_WORKERS], tsc0, boot0;
	double busy_pct[VR_HEALTH_WORKERS];
	uint32_t n_workers;
	uint64_t started_ms;        /* control started */
	uint64_t redis_since_ms;    /* control connected to Redis (0: not connected) */
	char redis_primary[300];    /* with --sentinel: the primary last reached, HOST:PORT */
	uint64_t redis_failovers;   /* with --sentinel: primaries followed since start */
	uint64_t redis_reached_ms;  /* how long the last reconnection took, from the loss */
	uint64_t held_calls, held_since_ms;
	uint64_t kept, rejected;    /* records kept in their last good version; refused */
	uint32_t pub_workers;       /* worker fields in the hash as last published */
};

/*
 * The dataplane answered (h) or did not (h NULL, err says why): logs the
 * change loudly (and "unreachable" again every 30 s while it lasts).
 */
void vr_health_dp(struct vr_health *hl, const char *path, const struct vr_ctl_health *h,
	const char *err);

/* Samples the workers' busy share from shm and control's own state. */
void vr_health_sample(struct vr_health *hl, const struct vr_shm_map *shm,
	const struct vr_dpsync *ds, const struct vr_model *m);

/* Writes PREFIXstats:health with a TTL of ttl seconds. Returns 0 or -1 (Redis failed). */
int vr_health_publish(struct vr_health *hl, redisContext *c, const char *prefix, int ttl);

#endif /* VR_CTL_HEALTH_H */
