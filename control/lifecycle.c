/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idle and final timeouts, and end-of-call records; see lifecycle.h. The
 * PBX that crashed or lost a BYE leaves calls bound for ever, holding relay
 * ports and call slots: this is what ends them, and what remains of every
 * call afterwards.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "voxrelay/counters.h"

#include "clock.h"
#include "lifecycle.h"
#include "log.h"
#include "resp.h"

/* How long the status of a call ended and removed stays to say why. */
#define ENDED_STATUS_TTL_S 86400

static void
send_argv(struct vr_lifecycle *lc, int argc, const char **argv)
{
	if (*lc->rc == NULL || vr_resp_append(*lc->rc, argc, argv) != REDIS_OK)
		return;
	lc->pending++;
}

int
vr_lifecycle_flush(struct vr_lifecycle *lc)
{
	redisReply *r;
	int rc = 0;

	while (lc->pending > 0) {
		lc->pending--;
		if (*lc->rc == NULL || redisGetReply(*lc->rc, (void **)&r) != REDIS_OK) {
			lc->pending = 0;
			return -1;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			vr_log(LOG_WARNING, "redis refused an end-of-call write: %s", r->str);
			rc = 0;
		}
		freeReplyObject(r);
	}
	return rc;
}

void
vr_lifecycle_cdr(void *arg, const char *id, const struct vr_ctl_call_stats *st, const char *why)
{
	struct vr_lifecycle *lc = arg;
	static const char *const base[2][6] = {
		{ "a_packets", "a_bytes", "a_lost", "a_jitter_ms", "a_dropped", "a_peer" },
		{ "b_packets", "b_bytes", "b_lost", "b_jitter_ms", "b_dropped", "b_peer" },
	};
	static char v[48 + 2 * (6 + VR_DROP_MAX)][64], drop_names[2][VR_DROP_MAX][48];
	static int named;
	const char *argv[16 + 2 * 2 * (8 + VR_DROP_MAX)];
	char key[96], line[1024];
	uint64_t end = vr_unix_ms(), start = st != NULL ? st->bound_unix_ns / 1000000 : 0;
	int n = 0, nv = 0, leg, lo = 0, first;
	unsigned int k;

	/* Per ended call: numbers without printf (a bulk delete ends 100,000). */
#define F(f, x) do { vr_u64_dec(v[nv], (x)); argv[n++] = (f); argv[n++] = v[nv++]; } while (0)
#define FX(f, x, d) do { vr_fixed_dec(v[nv], (x), (d)); argv[n++] = (f); \
		argv[n++] = v[nv++]; } while (0)
	if (!named) {
		for (leg = 0; leg < 2; leg++)
			for (k = 0; k < VR_DROP_MAX; k++)
				snprintf(drop_names[leg][k], sizeof(drop_names[0][0]), "%c_drop_%s",
					'a' + leg, vr_drop_name(k));
		named = 1;
	}
	/* Not an end: the call goes on at the host that holds its address now. */
	if (strcmp(why, "moved") == 0)
		return;
	lc->cdrs++;
	snprintf(key, sizeof(key), "%scdr", lc->prefix);
	argv[n++] = "XADD";
	argv[n++] = key;
	if (lc->cdr_maxlen > 0) {
		argv[n++] = "MAXLEN";
		argv[n++] = "~";
		vr_u64_dec(v[nv], lc->cdr_maxlen);
		argv[n++] = v[nv++];
	}
	argv[n++] = "*";
	first = n;
	argv[n++] = "call";
	argv[n++] = id;
	argv[n++] = "reason";
	argv[n++] = why;
	F("start_ms", start);
	F("end_ms", end);
	/* Tenths of a second, rounded half up. */
	FX("duration_s", start != 0 && end > start ? (end - start + 50) / 100 : 0, 1);
	for (leg = 0; leg < 2 && st != NULL; leg++) {
		const struct vr_shm_flow *rtp = &st->flow[leg * 2], *rtcp = &st->flow[leg * 2 + 1];
		char ip[INET_ADDRSTRLEN];
		size_t len;

		F(base[leg][0], rtp->c[VR_FC_PKTS] + rtcp->c[VR_FC_PKTS]);
		F(base[leg][1], rtp->c[VR_FC_BYTES] + rtcp->c[VR_FC_BYTES]);
		F(base[leg][2], vr_shm_flow_lost(rtp));
		/* Hundredths of a millisecond, rounded half up. */
		FX(base[leg][3], rtp->clock_rate == 0 ? 0 : ((uint64_t)rtp->jitter * 100000 +
			rtp->clock_rate / 2) / rtp->clock_rate, 2);
		F(base[leg][4], vr_shm_flow_drops(rtp) + vr_shm_flow_drops(rtcp));
		v[nv][0] = '\0';
		if (rtp->peer_ip != 0 && inet_ntop(AF_INET, &rtp->peer_ip, ip, sizeof(ip)) != NULL) {
			len = strlen(ip);
			memcpy(v[nv], ip, len);
			v[nv][len++] = ':';
			vr_u64_dec(v[nv] + len, ntohs(rtp->peer_port));
		}
		argv[n++] = base[leg][5];
		argv[n++] = v[nv++];
		/* Drops by reason, those that happened. */
		for (k = 0; k < VR_DROP_MAX; k++) {
			uint64_t d = rtp->drops[k] + rtcp->drops[k];

			if (d == 0 || n + 2 > (int)(sizeof(argv) / sizeof(argv[0])))
				continue;
			F(drop_names[leg][k], d);
		}
	}
#undef F
#undef FX
	if (*lc->rc != NULL && lc->cdr_maxlen > 0) {
		send_argv(lc, n, argv);
		return;
	}
	/* No Redis (or no stream): the record goes to the log, not nowhere. */
	line[0] = '\0';
	for (k = (unsigned int)first; k + 1 < (unsigned int)n && lo >= 0 &&
			(size_t)lo < sizeof(line); k += 2)
		lo += snprintf(line + lo, sizeof(line) - (size_t)lo, "%s%s=%s",
			k > (unsigned int)first ? " " : "", argv[k], argv[k + 1]);
	vr_log(LOG_INFO, "end of call: %s", line);
}

/* HSET of a call's status fields (two pairs at most). */
static void
status_set(struct vr_lifecycle *lc, const char *id, const char *f1, const char *v1,
	const char *f2, const char *v2)
{
	const char *argv[6];
	char *key = vr_model_status_key(lc->prefix, VR_REC_CALL, id);

	argv[0] = "HSET";
	argv[1] = key;
	argv[2] = f1;
	argv[3] = v1;
	argv[4] = f2;
	argv[5] = v2;
	send_argv(lc, f2 != NULL ? 6 : 4, argv);
	free(key);
}

void
vr_lifecycle_scan(struct vr_lifecycle *lc, const struct vr_shm_map *shm, struct vr_model *m,
	struct vr_map *ending)
{
	static char one;
	const struct vr_shm_hdr *h = shm->hdr;
	struct vr_map now_idle = { 0 };
	struct vr_map_slot *s;
	uint64_t now = vr_unix_ms(), now_tsc;
	char id[VR_CALL_ID_MAX], since[24];
	uint32_t i;
	size_t it;

	if (h == NULL || h->tsc_hz == 0 || (lc->idle_s == 0 && lc->final_s == 0))
		return;
	now_tsc = __atomic_load_n(&h->now_tsc, __ATOMIC_ACQUIRE);
	for (i = 0; i < h->max_calls; i++) {
		const struct vr_shm_call *c = vr_shm_map_call(shm, i);
		uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		uint64_t last, t, idle_ms;
		uint64_t *was;
		unsigned int f;

		if ((seq & 1) || __atomic_load_n(&c->state, __ATOMIC_RELAXED) != VR_SHM_CALL_BOUND)
			continue;
		memcpy(id, c->id, sizeof(id));
		id[sizeof(id) - 1] = '\0';
		last = __atomic_load_n(&c->bound_tsc, __ATOMIC_RELAXED);
		for (f = 0; f < 4; f++) {
			t = __atomic_load_n(&c->flow[f].last_tsc, __ATOMIC_RELAXED);
			if (t > last)
				last = t;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&c->seq, __ATOMIC_RELAXED) != seq)
			continue;
		idle_ms = now_tsc > last ? (now_tsc - last) / (h->tsc_hz / 1000) : 0;
		was = vr_map_get(&lc->idle, id);
		if (lc->idle_s == 0 || idle_ms < (uint64_t)lc->idle_s * 1000) {
			/* Media again: active. */
			if (was != NULL)
				status_set(lc, id, "media", "active", "idle_since_ms", "0");
		} else {
			uint64_t *at = malloc(sizeof(*at));

			if (at == NULL)
				abort();
			*at = was != NULL ? *was : now - idle_ms;
			free(vr_map_put(&now_idle, id, at));
			if (was == NULL) {
				snprintf(since, sizeof(since), "%" PRIu64, *at);
				status_set(lc, id, "media", "idle", "idle_since_ms", since);
			}
		}
		if (lc->final_s != 0 && idle_ms >= (uint64_t)lc->final_s * 1000) {
			if (vr_model_end_call(m, id)) {
				vr_map_put(ending, id, &one);
				lc->ended++;
				vr_log(LOG_WARNING, "call %s ended: no media on either leg for %" PRIu64
					" s (--final-timeout %u)", id, idle_ms / 1000, lc->final_s);
			}
		}
	}
	it = 0;
	while ((s = vr_map_next(&lc->idle, &it)) != NULL)
		free(s->val);
	vr_map_free(&lc->idle);
	lc->idle = now_idle;
}

void
vr_lifecycle_ended(struct vr_lifecycle *lc, const struct vr_map *ending)
{
	static char one;
	struct vr_map_slot *s;
	size_t i = 0;

	if (lc->keep_ended)
		return;
	while ((s = vr_map_next(ending, &i)) != NULL) {
		char *key, *status = vr_model_status_key(lc->prefix, VR_REC_CALL, s->key);
		char ttl[16];
		const char *del[2], *exp[3];

		if (asprintf(&key, "%scall:%s", lc->prefix, s->key) < 0)
			abort();
		del[0] = "DEL";
		del[1] = key;
		send_argv(lc, 2, del);
		snprintf(ttl, sizeof(ttl), "%d", ENDED_STATUS_TTL_S);
		exp[0] = "EXPIRE";
		exp[1] = status;
		exp[2] = ttl;
		send_argv(lc, 3, exp);
		vr_map_put(&lc->kept_status, status, &one);
		free(key);
		free(status);
	}
}

void
vr_lifecycle_keep_status(struct vr_lifecycle *lc, struct vr_map *gone)
{
	struct vr_map_slot *s;
	size_t i = 0;

	if (gone == NULL)
		return;
	while ((s = vr_map_next(&lc->kept_status, &i)) != NULL) {
		if (vr_map_get(gone, s->key) == NULL)
			continue;
		vr_map_del(gone, s->key);
		vr_map_del(&lc->kept_status, s->key);
		i = 0; /* the map changed under the walk */
	}
}
