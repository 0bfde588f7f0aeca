/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay's health; see health.h. Written for an operator who is paged:
 * every fact an alert needs in one hash, and a log that says loudly that
 * the dataplane is gone instead of staying quiet while nothing is bound.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "voxrelay/counters.h"

#include "clock.h"
#include "health.h"
#include "log.h"
#include "resp.h"

/* "Unreachable" again in the log this often while it lasts. */
#define SAY_AGAIN_MS 30000

void
vr_health_dp(struct vr_health *hl, const char *path, const struct vr_ctl_health *h,
	const char *err)
{
	uint64_t now = vr_unix_ms();

	if (h != NULL) {
		if (!hl->dp_up && hl->dp_since_ms != 0)
			vr_log(LOG_WARNING, "dataplane %s answers again, after %.1f s unreachable", path,
				(double)(now - hl->dp_since_ms) / 1000.0);
		if (!hl->dp_up)
			hl->dp_since_ms = now;
		hl->dp_up = 1;
		hl->dp_error[0] = '\0';
		hl->h = *h;
		return;
	}
	snprintf(hl->dp_error, sizeof(hl->dp_error), "%s", err != NULL ? err : "no answer");
	if (hl->dp_up || hl->dp_since_ms == 0) {
		hl->dp_since_ms = now;
		hl->dp_said_ms = 0;
	}
	hl->dp_up = 0;
	if (hl->dp_said_ms == 0 || now - hl->dp_said_ms >= SAY_AGAIN_MS) {
		vr_log(LOG_ERR, "DATAPLANE UNREACHABLE: %s: %s, for %.0f s; no call can be bound, "
			"changed or unbound and no stats are read until it answers; retrying every "
			"200 ms", path, hl->dp_error, (double)(now - hl->dp_since_ms) / 1000.0);
		hl->dp_said_ms = now;
	}
}

void
vr_health_sample(struct vr_health *hl, const struct vr_shm_map *shm, const struct vr_dpsync *ds,
	const struct vr_model *m)
{
	const struct vr_shm_hdr *h = shm->hdr;
	struct vr_map_slot *s;
	uint32_t w;
	size_t i;
	int t;

	hl->held_calls = ds->held.n;
	hl->held_since_ms = ds->held_since_ms;
	hl->kept = 0;
	hl->rejected = 0;
	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&m->recs[t], &i)) != NULL) {
			const struct vr_rec *r = s->val;

			hl->kept += r->ok && r->kept;
			hl->rejected += !r->ok;
		}
	}
	if (h == NULL || !hl->dp_up) {
		hl->n_workers = 0;
		return;
	}
	w = h->n_lcores < VR_HEALTH_WORKERS ? h->n_lcores : VR_HEALTH_WORKERS;
	for (i = 0; i < w; i++) {
		const struct vr_shm_lcore *l = (const struct vr_shm_lcore *)((const char *)h +
			h->lcores_off + i * h->lcore_size);
		uint64_t busy = __atomic_load_n(&l->c[VR_GC_BUSY_TSC], __ATOMIC_RELAXED);

		/* A first sample, or a new boot: nothing to compare with yet. */
		if (hl->boot0 == h->boot_id && h->now_tsc > hl->tsc0 && busy >= hl->busy0[i])
			hl->busy_pct[i] = 100.0 * (double)(busy - hl->busy0[i]) /
				(double)(h->now_tsc - hl->tsc0);
		else
			hl->busy_pct[i] = 0;
		if (hl->busy_pct[i] > 100)
			hl->busy_pct[i] = 100;
		hl->busy0[i] = busy;
	}
	hl->n_workers = w;
	hl->tsc0 = h->now_tsc;
	hl->boot0 = h->boot_id;
}

int
vr_health_publish(struct vr_health *hl, redisContext *c, const char *prefix, int ttl)
{
	const char *argv[2 + 2 * (32 + VR_HEALTH_WORKERS)];
	char v[32 + VR_HEALTH_WORKERS][48], names[VR_HEALTH_WORKERS][32], key[192];
	const struct vr_ctl_health *h = &hl->h;
	double max_busy = 0;
	redisReply *r;
	int n = 2, nv = 0;
	uint32_t i;

#define STR(f, s) do { argv[n++] = (f); argv[n++] = (s); } while (0)
#define U64(f, x) do { snprintf(v[nv], sizeof(v[0]), "%" PRIu64, (uint64_t)(x)); \
		STR(f, v[nv]); nv++; } while (0)
#define DBL(f, x) do { snprintf(v[nv], sizeof(v[0]), "%.1f", (double)(x)); \
		STR(f, v[nv]); nv++; } while (0)
	snprintf(key, sizeof(key), "%sstats:health", prefix);
	argv[0] = "HSET";
	argv[1] = key;
	STR("dataplane", hl->dp_up ? "up" : "unreachable");
	U64("dataplane_since_ms", hl->dp_since_ms);
	STR("dataplane_error", hl->dp_error);
	U64("control_started_ms", hl->started_ms);
	U64("redis_since_ms", hl->redis_since_ms);
	STR("redis_primary", hl->redis_primary);
	U64("redis_failovers", hl->redis_failovers);
	U64("redis_reached_ms", hl->redis_reached_ms);
	U64("held_calls", hl->held_calls);
	U64("held_since_ms", hl->held_since_ms);
	U64("kept_records", hl->kept);
	U64("rejected_records", hl->rejected);
	/* What the dataplane said last (kept while it is unreachable: when it went). */
	snprintf(v[nv], sizeof(v[0]), "%016" PRIx64, h->boot_id);
	STR("boot_id", v[nv]);
	nv++;
	U64("uptime_s", h->uptime_ms / 1000);
	U64("link_up", h->link_up);
	U64("gateway_resolved", h->neigh_resolved);
	U64("calls", h->n_calls);
	U64("max_calls", h->max_calls);
	U64("workers", h->n_workers);
	for (i = 0; i < hl->n_workers; i++) {
		snprintf(names[i], sizeof(names[i]), "worker_%u_busy_pct", i);
		DBL(names[i], hl->busy_pct[i]);
		if (hl->busy_pct[i] > max_busy)
			max_busy = hl->busy_pct[i];
	}
	DBL("worker_busy_pct_max", max_busy);
	STR("srtp_engine", h->srtp_engine);
	STR("crypto_dev", h->crypto_dev);
	snprintf(v[nv], sizeof(v[0]), "%012" PRIx64, h->tunnel_epoch);
	STR("tunnel_epoch", v[nv]);
	nv++;
	U64("updated_ms", vr_unix_ms());
#undef STR
#undef U64
#undef DBL
	/* Another number of workers (a new dataplane): no field of the old one stays. */
	nv = hl->pub_workers != hl->n_workers;
	if (nv)
		redisAppendCommand(c, "DEL %s", key);
	hl->pub_workers = hl->n_workers;
	vr_resp_append(c, n, argv);
	redisAppendCommand(c, "EXPIRE %s %d", key, ttl);
	for (i = 0; i < 2u + (uint32_t)nv; i++) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			return -1;
		freeReplyObject(r);
	}
	return 0;
}
