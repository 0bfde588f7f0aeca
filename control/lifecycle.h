/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The end of calls that nobody ends: a call whose legs both went silent is
 * marked idle (--idle-timeout) and, silent for --final-timeout, ended by
 * control: unbound, its status saying why, its record removed (or kept,
 * --keep-ended). Every call that ends, whatever ends it, leaves an
 * end-of-call record in the capped Redis stream PREFIXcdr (docs/redis-schema.md).
 * Control process's thread only.
 */
#ifndef VR_CTL_LIFECYCLE_H
#define VR_CTL_LIFECYCLE_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "voxrelay/ctl.h"

#include "map.h"
#include "model.h"
#include "shm_reader.h"

struct vr_lifecycle {
	uint32_t idle_s;            /* both legs silent this long: idle (0: never) */
	uint32_t final_s;           /* both legs silent this long: ended (0: never) */
	int keep_ended;             /* keep an ended call's record in Redis */
	uint32_t cdr_maxlen;        /* about this many end-of-call records kept (0: none) */
	const char *prefix;
	redisContext **rc;          /* control's Redis connection (NULL while down) */
	struct vr_map idle;         /* call id -> (uint64_t *) Unix ms it went idle */
	struct vr_map kept_status;  /* status keys of calls ended and removed: kept a day */
	unsigned int pending;       /* commands sent to Redis whose replies are unread */
	uint64_t ended, cdrs;       /* calls ended by the final timeout; records written */
};

/* dpsync's on_end: writes the end-of-call record of call id (to the log when Redis is down). */
void vr_lifecycle_cdr(void *arg, const char *id, const struct vr_ctl_call_stats *st,
	const char *why);

/*
 * Looks at every bound call in shm: marks idle and active ones in their
 * status, and marks ended (in m) those silent for the final timeout, their
 * ids put in ending (the caller unbinds them, then calls vr_lifecycle_ended()).
 */
void vr_lifecycle_scan(struct vr_lifecycle *lc, const struct vr_shm_map *shm,
	struct vr_model *m, struct vr_map *ending);

/* The calls in ending were unbound: removes their records unless --keep-ended. */
void vr_lifecycle_ended(struct vr_lifecycle *lc, const struct vr_map *ending);

/* Takes from gone (status keys about to be deleted) those of calls it ended: they stay. */
void vr_lifecycle_keep_status(struct vr_lifecycle *lc, struct vr_map *gone);

/* Reads the replies of what it sent to Redis. -1 when Redis failed. */
int vr_lifecycle_flush(struct vr_lifecycle *lc);

#endif /* VR_CTL_LIFECYCLE_H */
