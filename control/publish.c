/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Publishes to Redis what an operator watches: each record's status and the
 * error list (on change), and every interval the stats read from the
 * dataplane's shared memory: per call, per site, per SBC and a summary, as
 * hashes with a TTL (a dead relay's stats expire), plus a JSON summary on a
 * channel. Runs on the control process's thread; every write is pipelined,
 * and a publication is made in bounded steps (vr_publish_step) so that the
 * control loop keeps following Redis while 100,000 calls are published.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "publish.h"
#include "resp.h"

#define BATCH 8192

/* A pipeline: commands appended, replies collected every BATCH. */
struct pipe {
	redisContext *c;
	unsigned int pending;
	int failed;
};

static void
pipe_sync(struct pipe *p)
{
	redisReply *r;

	while (p->pending > 0) {
		p->pending--;
		if (redisGetReply(p->c, (void **)&r) != REDIS_OK) {
			p->failed = 1;
			p->pending = 0;
			return;
		}
		freeReplyObject(r);
	}
}

static void
pipe_argv(struct pipe *p, int argc, const char **argv)
{
	if (p->failed)
		return;
	if (vr_resp_append(p->c, argc, argv) != REDIS_OK) {
		p->failed = 1;
		return;
	}
	if (++p->pending >= BATCH)
		pipe_sync(p);
}

/* A hash being built: field/value pairs in fixed storage. */
struct hash {
	const char *argv[2 + 2 * 96];
	char buf[96][64];
	int argc;
	int nbuf;
};

static void
hash_start(struct hash *h, const char *key)
{
	h->argv[0] = "HSET";
	h->argv[1] = key;
	h->argc = 2;
	h->nbuf = 0;
}

static void
hash_str(struct hash *h, const char *field, const char *val)
{
	if (h->argc + 2 > (int)(sizeof(h->argv) / sizeof(h->argv[0])))
		return;
	h->argv[h->argc++] = field;
	h->argv[h->argc++] = val;
}

static void
hash_u64(struct hash *h, const char *field, uint64_t v)
{
	if (h->nbuf == 96)
		return;
	vr_u64_dec(h->buf[h->nbuf], v);
	hash_str(h, field, h->buf[h->nbuf++]);
}

/* A string value copied into h (values longer than 63 bytes are cut). */
static void
hash_strcpy(struct hash *h, const char *field, const char *v)
{
	if (h->nbuf == 96)
		return;
	snprintf(h->buf[h->nbuf], sizeof(h->buf[0]), "%s", v);
	hash_str(h, field, h->buf[h->nbuf++]);
}

static void
hash_dbl(struct hash *h, const char *field, double v)
{
	if (h->nbuf == 96)
		return;
	snprintf(h->buf[h->nbuf], sizeof(h->buf[0]), "%.3f", v);
	hash_str(h, field, h->buf[h->nbuf++]);
}

/* v thousandths, as a number with three decimals. */
static void
hash_milli(struct hash *h, const char *field, uint64_t v)
{
	if (h->nbuf == 96)
		return;
	vr_fixed_dec(h->buf[h->nbuf], v, 3);
	hash_str(h, field, h->buf[h->nbuf++]);
}

static void
hash_send(struct pipe *p, struct hash *h, int ttl)
{
	char t[16];
	const char *ex[3] = { "EXPIRE", h->argv[1], t };

	pipe_argv(p, h->argc, h->argv);
	if (ttl > 0) {
		vr_u64_dec(t, (uint64_t)ttl);
		pipe_argv(p, 3, ex);
	}
}

void
vr_publish_status(redisContext *c, const char *prefix, struct vr_model *m,
	struct vr_map *deleted, const struct vr_map *only_calls, const char *pending)
{
	struct pipe p = { c, 0, 0 };
	struct vr_map_slot *s;
	char *key, now[32], line[VR_ERR_MAX + 64], errkey[96];
	unsigned long accepted = 0;
	size_t i;
	int t;

	snprintf(now, sizeof(now), "%" PRIu64, vr_unix_ms());
	snprintf(errkey, sizeof(errkey), "%serrors", prefix);
	for (t = only_calls != NULL ? VR_REC_CALL : 0; t < VR_REC_TYPES; t++) {
		const struct vr_map *walk = only_calls != NULL ? only_calls : &m->recs[t];

		i = 0;
		while ((s = vr_map_next(walk, &i)) != NULL) {
			struct vr_rec *r = only_calls != NULL ? vr_map_get(&m->recs[t], s->key) : s->val;
			const char *state, *why;
			char cur[sizeof(r->published)];

			if (r == NULL)
				continue;
			/* Pending, on a full pass: only records that never had a verdict (a
			 * dataplane restart must not rewrite every live call's status twice). */
			if (pending != NULL && only_calls == NULL && r->published[0] != '\0')
				continue;
			/* Kept: the version in Redis is refused, the last good one is in force. */
			state = pending != NULL ? "pending" : r->ended ? "ended" : !r->ok ? "rejected" :
				r->kept ? "kept" : "ok";
			why = pending != NULL ? pending : !r->ok ? r->error : r->kept ? r->rejected : "";
			snprintf(cur, sizeof(cur), "%s %s", state, why);
			if (strcmp(cur, r->published) == 0)
				continue;
			snprintf(r->published, sizeof(r->published), "%s", cur);
			key = vr_model_status_key(prefix, (enum vr_rec_type)t, s->key);
			{
				const char *argv[] = { "HSET", key, "state", state, "error", why,
					"updated_ms", now };

				pipe_argv(&p, 8, argv);
			}
			free(key);
			if (pending == NULL && !r->ended && (!r->ok || r->kept)) {
				const char *lp[] = { "LPUSH", errkey, line };
				const char *lt[] = { "LTRIM", errkey, "0", "999" };

				snprintf(line, sizeof(line), "%s %s%s", now, why, r->ok ?
					" (its last good version stays in force)" : "");
				pipe_argv(&p, 3, lp);
				pipe_argv(&p, 4, lt);
				vr_log(LOG_WARNING, "rejected %s%s", why, r->ok ?
					"; its last good version stays in force" : "");
			} else if (pending == NULL && t == VR_REC_CALL && ++accepted <= 20) {
				vr_log(LOG_INFO, "accepted %scall:%s", prefix, s->key);
			}
		}
	}
	if (accepted > 20)
		vr_log(LOG_INFO, "accepted %lu calls (the first 20 logged one by one)", accepted);
	if (deleted != NULL) {
		i = 0;
		while ((s = vr_map_next(deleted, &i)) != NULL) {
			const char *argv[] = { "DEL", s->key };

			pipe_argv(&p, 2, argv);
		}
	}
	pipe_sync(&p);
}

/* Per-site or per-SBC sums. */
static struct vr_pub_agg *
agg_get(struct vr_map *m, const char *name)
{
	struct vr_pub_agg *a = vr_map_get(m, name);

	if (a == NULL) {
		a = calloc(1, sizeof(*a));
		if (a == NULL)
			abort();
		vr_map_put(m, name, a);
	}
	return a;
}

static void
agg_free(struct vr_map *m)
{
	struct vr_map_slot *s;
	size_t i = 0;

	while ((s = vr_map_next(m, &i)) != NULL)
		free(s->val);
	vr_map_free(m);
}

/* Which extension each leg of a call is, by the model (NULL for an endpoint). */
static const struct vr_ext *
leg_ext(const struct vr_model *m, const struct vr_rec *call, unsigned int leg)
{
	struct vr_rec *x;

	if (call == NULL || call->u.call.leg[leg].ext[0] == '\0')
		return NULL;
	x = vr_map_get(&m->recs[VR_REC_EXT], call->u.call.leg[leg].ext);
	return x != NULL ? &x->u.ext : NULL;
}

void
vr_publish_forget(struct vr_publisher *pb)
{
	agg_free(&pb->sites);
	agg_free(&pb->sbcs);
	agg_free(&pb->last_sites);
	agg_free(&pb->last_sbcs);
	pb->in_pass = 0;
	free(pb->cache);
	free(pb->slot_seq);
	pb->cache = NULL;
	pb->slot_seq = NULL;
	pb->cache_slots = 0;
}

/* Adds field name = v to hs when it differs from *cached (then updates it). */
static void
field_u64(struct hash *hs, uint64_t *cached, int fresh, const char *name, uint64_t v)
{
	if (!fresh && *cached == v)
		return;
	*cached = v;
	hash_u64(hs, name, v);
}

/* A latched peer (ip << 16 | port, network order; 0: none) as "IP:PORT" or "", when it changed. */
static void
field_peer(struct hash *hs, uint64_t *cached, int fresh, const char *name, uint64_t peer)
{
	uint32_t ip = (uint32_t)(peer >> 16);
	char a[INET_ADDRSTRLEN];

	if ((!fresh && *cached == peer) || hs->nbuf == 96)
		return;
	*cached = peer;
	inet_ntop(AF_INET, &ip, a, sizeof(a));
	if (peer != 0)
		snprintf(hs->buf[hs->nbuf], sizeof(hs->buf[0]), "%s:%u", a,
			ntohs((uint16_t)peer));
	else
		hs->buf[hs->nbuf][0] = '\0';
	hash_str(hs, name, hs->buf[hs->nbuf++]);
}

/*
 * Publishes call c (slot i): only the fields whose values changed since the
 * last publication of this slot, and the TTL every time.
 */
static void
publish_call(struct vr_publisher *pb, struct pipe *p, const struct vr_shm_hdr *h,
	const struct vr_shm_call *c, unsigned int slot, int active)
{
	/* The TTL outlives ttl_every passes: refreshed in turns, not all at once. */
	int ttl = (pb->pass_no + slot) % pb->ttl_every == 0 ? pb->ttl_s : 0;
	static char names[2][VR_PUB_LEG_FIELDS + VR_DROP_MAX][40];
	static int named;
	uint64_t *cache = &pb->cache[(size_t)slot * VR_PUB_FIELDS];
	int fresh = pb->slot_seq[slot] != c->seq;
	char key[256];
	struct hash hs;
	unsigned int l, k;

	if (!named) {
		static const char *const base[VR_PUB_LEG_FIELDS] = { "pkts", "bytes", "dropped",
			"lost", "jitter_ms", "idle", "peer", "rtcp_pkts", "ssrc", "seq", "rtcp_peer" };

		for (l = 0; l < 2; l++) {
			for (k = 0; k < VR_PUB_LEG_FIELDS; k++)
				snprintf(names[l][k], sizeof(names[l][k]), "%c_%s", 'a' + l, base[k]);
			for (k = 0; k < VR_DROP_MAX; k++)
				snprintf(names[l][VR_PUB_LEG_FIELDS + k], sizeof(names[l][0]),
					"%c_drop_%s", 'a' + l, vr_drop_name(k));
		}
		named = 1;
	}
	if (fresh)
		ttl = pb->ttl_s;
	pb->slot_seq[slot] = c->seq;
	snprintf(key, sizeof(key), "%sstats:call:%s", pb->prefix, c->id);
	hash_start(&hs, key);
	if (fresh || cache[0] != (uint64_t)active) {
		cache[0] = (uint64_t)active;
		hash_str(&hs, "state", active ? "active" : "idle");
	}
	for (l = 0; l < 2; l++) {
		const struct vr_shm_flow *rtp = &c->flow[l * 2], *rtcp = &c->flow[l * 2 + 1];
		uint64_t *lc = cache + 1 + l * (VR_PUB_LEG_FIELDS + VR_DROP_MAX);
		int latched = rtp->latch == VR_LATCH_LATCHED;
		uint64_t peer = latched ? (uint64_t)rtp->peer_ip << 16 | rtp->peer_port : 0;
		uint64_t rtcp_peer = rtcp->latch == VR_LATCH_LATCHED ?
			(uint64_t)rtcp->peer_ip << 16 | rtcp->peer_port : 0;
		uint64_t jitter_us = rtp->clock_rate ? (uint64_t)rtp->jitter * 1000000 /
			rtp->clock_rate : 0;

		field_u64(&hs, &lc[0], fresh, names[l][0], rtp->c[VR_FC_PKTS]);
		field_u64(&hs, &lc[1], fresh, names[l][1], rtp->c[VR_FC_BYTES] +
			rtcp->c[VR_FC_BYTES]);
		field_u64(&hs, &lc[2], fresh, names[l][2], vr_shm_flow_drops(rtp) + vr_shm_flow_drops(rtcp));
		field_u64(&hs, &lc[3], fresh, names[l][3], vr_shm_flow_lost(rtp));
		if (fresh || lc[4] != jitter_us) {
			lc[4] = jitter_us;
			hash_milli(&hs, names[l][4], jitter_us);
		}
		field_u64(&hs, &lc[5], fresh, names[l][5], (uint64_t)vr_shm_leg_idle(h, c, l));
		field_peer(&hs, &lc[6], fresh, names[l][6], peer);
		field_u64(&hs, &lc[7], fresh, names[l][7], rtcp->c[VR_FC_PKTS]);
		/* The latch as a takeover restores it (docs/ha.md): SSRC and highest
		 * sequence of the latched stream, and the RTCP peer. */
		field_u64(&hs, &lc[8], fresh, names[l][8], latched ? rtp->ssrc : 0);
		field_u64(&hs, &lc[9], fresh, names[l][9], latched ? (uint16_t)rtp->rtp_ext_max : 0);
		field_peer(&hs, &lc[10], fresh, names[l][10], rtcp_peer);
		for (k = 0; k < VR_DROP_MAX; k++) {
			uint64_t d = rtp->drops[k] + rtcp->drops[k];

			/* A reason's field appears once it is not zero. */
			if (fresh)
				lc[VR_PUB_LEG_FIELDS + k] = 0;
			field_u64(&hs, &lc[VR_PUB_LEG_FIELDS + k], 0, names[l][VR_PUB_LEG_FIELDS + k], d);
		}
	}
	if (hs.argc > 2)
		hash_send(p, &hs, ttl);
	else if (ttl > 0) {
		char t[16];
		const char *ex[3] = { "EXPIRE", key, t };

		vr_u64_dec(t, (uint64_t)ttl);
		pipe_argv(p, 3, ex);
	}
}

/* Starts a pass: the caches sized to the shm, the configured devices counted. */
static void
pass_begin(struct vr_publisher *pb, const struct vr_shm_hdr *h, const struct vr_model *m)
{
	struct vr_map_slot *s;
	size_t it = 0;

	if (pb->cache_slots != h->max_calls) {
		vr_publish_forget(pb);
		pb->cache = calloc((size_t)h->max_calls * VR_PUB_FIELDS, sizeof(uint64_t));
		pb->slot_seq = malloc(sizeof(uint32_t) * h->max_calls);
		if (pb->cache == NULL || pb->slot_seq == NULL)
			abort();
		/* An odd seq never matches a bound slot: everything is fresh. */
		memset(pb->slot_seq, 0xff, sizeof(uint32_t) * h->max_calls);
		pb->cache_slots = h->max_calls;
	}
	if (pb->ttl_every == 0)
		pb->ttl_every = 1;
	agg_free(&pb->sites);
	agg_free(&pb->sbcs);
	/* Devices per site and per SBC come from the configuration. */
	while ((s = vr_map_next(&m->recs[VR_REC_EXT], &it)) != NULL) {
		const struct vr_rec *r = s->val;

		if (!r->ok)
			continue;
		if (r->u.ext.site[0] != '\0')
			agg_get(&pb->sites, r->u.ext.site)->devices++;
		if (r->u.ext.mode == VR_EXT_SBC)
			agg_get(&pb->sbcs, r->u.ext.sbc)->devices++;
	}
	it = 0;
	while ((s = vr_map_next(&m->recs[VR_REC_SBC], &it)) != NULL) {
		const struct vr_rec *r = s->val;

		agg_get(&pb->sbcs, s->key)->tunnel_id = r->ok ? r->u.sbc.tunnel_id : 0;
	}
	pb->in_pass = 1;
	pb->cursor = 0;
	pb->active = 0;
	pb->bound = 0;
	pb->pass_start_ms = vr_unix_ms();
}

/* Publishes calls from the cursor on: at most budget of them, 16 * budget slots. */
static void
pass_calls(struct vr_publisher *pb, struct pipe *p, const struct vr_shm_map *shm,
	const struct vr_model *m, unsigned int budget)
{
	const struct vr_shm_hdr *h = shm->hdr;
	static struct vr_shm_call sc;
	uint64_t look = (uint64_t)budget * 16;
	unsigned int done = 0, k;

	for (; pb->cursor < h->max_calls && done < budget && look > 0; pb->cursor++, look--) {
		const struct vr_rec *rec;
		int is_active;

		if (!vr_shm_map_read_call(shm, pb->cursor, &sc))
			continue;
		done++;
		pb->bound++;
		is_active = sc.flow[0].last_tsc != 0 && sc.flow[2].last_tsc != 0 &&
			!vr_shm_leg_idle(h, &sc, 0) && !vr_shm_leg_idle(h, &sc, 1);
		pb->active += (uint64_t)is_active;
		publish_call(pb, p, h, &sc, pb->cursor, is_active);
		rec = vr_map_get(&m->recs[VR_REC_CALL], sc.id);
		/* A call counts once per site it touches; packets per leg, from that leg's phone. */
		for (k = 0; k < 2; k++) {
			const struct vr_ext *e = leg_ext(m, rec, k);
			const struct vr_ext *other = leg_ext(m, rec, k ^ 1);
			struct vr_pub_agg *a;

			if (e == NULL || e->site[0] == '\0')
				continue;
			a = agg_get(e->mode == VR_EXT_SBC ? &pb->sbcs : &pb->sites,
				e->mode == VR_EXT_SBC ? e->sbc : e->site);
			a->pkts += sc.flow[k * 2].c[VR_FC_PKTS] + sc.flow[k * 2 + 1].c[VR_FC_PKTS];
			a->dropped += vr_shm_flow_drops(&sc.flow[k * 2]) + vr_shm_flow_drops(&sc.flow[k * 2 + 1]);
			if (k == 1 && other != NULL && strcmp(other->site, e->site) == 0 &&
					other->mode == e->mode)
				continue; /* both phones at one site: counted with leg a */
			a->calls++;
			a->active_calls += (uint64_t)is_active;
		}
	}
}

/*
 * The dataplane's view of the SBC with tunnel id tid: a consistent copy of
 * its row, and its counters summed over the lcores. 0 when it has none.
 */
int
vr_publish_sbc_view(const struct vr_shm_hdr *h, uint32_t tid, struct vr_shm_sbc *row,
	struct vr_shm_sbc_ctr *sum)
{
	const struct vr_shm_sbc *rows;
	uint32_t r, seq;
	unsigned int l, k;

	if (tid == 0 || h->sbc_size < sizeof(*row))
		return 0;
	rows = (const struct vr_shm_sbc *)((const char *)h + h->sbcs_off);
	for (r = 0; r < h->max_sbcs; r++) {
		const struct vr_shm_sbc *x = (const struct vr_shm_sbc *)((const char *)rows +
			(uint64_t)r * h->sbc_size);

		if (__atomic_load_n(&x->id, __ATOMIC_RELAXED) != tid)
			continue;
		seq = __atomic_load_n(&x->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			return 0;
		memcpy(row, x, sizeof(*row));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&x->seq, __ATOMIC_RELAXED) != seq || row->id != tid)
			return 0;
		memset(sum, 0, sizeof(*sum));
		for (l = 0; l <= h->n_lcores; l++) {
			const struct vr_shm_sbc_ctr *c = vr_shm_sbc_ctr_row(h, l, r);

			sum->rx_pkts += __atomic_load_n(&c->rx_pkts, __ATOMIC_RELAXED);
			sum->tx_pkts += __atomic_load_n(&c->tx_pkts, __ATOMIC_RELAXED);
			sum->rx_bytes += __atomic_load_n(&c->rx_bytes, __ATOMIC_RELAXED);
			sum->tx_bytes += __atomic_load_n(&c->tx_bytes, __ATOMIC_RELAXED);
			for (k = 0; k < VR_DROP_MAX; k++)
				sum->drops[k] += __atomic_load_n(&c->drops[k], __ATOMIC_RELAXED);
		}
		return 1;
	}
	return 0;
}

int
vr_publish_sbc_online(const struct vr_shm_sbc *row, uint64_t now_ms)
{
	uint64_t seen_ms = row->last_hello_unix_ns / 1000000;
	/* Online: an authenticated hello within three of its intervals (15 s at least). */
	uint64_t window_ms = row->hello_interval_s > 5 ? 3000ull * row->hello_interval_s : 15000;

	return seen_ms != 0 && now_ms < seen_ms + window_ms;
}

/* An SBC's tunnel, as the dataplane sees it, into its stats hash. */
static void
hash_sbc(struct hash *hs, const struct vr_shm_hdr *h, uint32_t tid, uint64_t now_ms)
{
	static char names[VR_DROP_MAX][48];
	struct vr_shm_sbc row;
	struct vr_shm_sbc_ctr sum;
	char a[INET_ADDRSTRLEN], buf[32];
	uint64_t seen_ms, dropped = 0;
	unsigned int k;

	if (names[0][0] == '\0')
		for (k = 0; k < VR_DROP_MAX; k++)
			snprintf(names[k], sizeof(names[k]), "tunnel_drop_%s", vr_drop_name(k));
	/* Every field, every time: a field left out would keep an earlier boot's value. */
	if (!vr_publish_sbc_view(h, tid, &row, &sum)) {
		memset(&row, 0, sizeof(row));
		memset(&sum, 0, sizeof(sum));
	}
	row.version[sizeof(row.version) - 1] = '\0';
	seen_ms = row.last_hello_unix_ns / 1000000;
	hash_u64(hs, "tunnel_id", tid);
	hash_u64(hs, "online", vr_publish_sbc_online(&row, now_ms));
	hash_u64(hs, "last_seen_ms", seen_ms);
	buf[0] = '\0';
	if (row.public_ip != 0) {
		inet_ntop(AF_INET, &row.public_ip, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s:%u", a, ntohs(row.public_port));
	}
	hash_strcpy(hs, "public_ip", buf);
	a[0] = '\0';
	if (row.local_ip != 0)
		inet_ntop(AF_INET, &row.local_ip, a, sizeof(a));
	hash_strcpy(hs, "local_ip", a);
	hash_strcpy(hs, "version", row.version);
	hash_u64(hs, "key_id", row.key_id);
	hash_u64(hs, "keys", row.n_keys);
	hash_u64(hs, "hellos", row.hellos);
	hash_u64(hs, "tunnel_rx_pkts", sum.rx_pkts);
	hash_u64(hs, "tunnel_tx_pkts", sum.tx_pkts);
	for (k = 0; k < VR_DROP_MAX; k++) {
		dropped += sum.drops[k];
		hash_u64(hs, names[k], sum.drops[k]);
	}
	hash_u64(hs, "tunnel_dropped", dropped);
}

/* Ends a pass: the per-site and per-SBC sums, the summary, the JSON summary. */
static void
pass_end(struct vr_publisher *pb, struct pipe *p, const struct vr_shm_hdr *h)
{
	struct vr_map_slot *s;
	struct hash hs;
	uint64_t now = vr_unix_ms(), fwd, rx, drops_total = 0;
	char key[256], *json;
	json_t *js, *jd;
	double secs;
	unsigned int k;
	size_t it;
	int ttl = pb->ttl_s;

	for (k = 0; k < 2; k++) {
		struct vr_map *am = k == 0 ? &pb->sites : &pb->sbcs;

		it = 0;
		while ((s = vr_map_next(am, &it)) != NULL) {
			const struct vr_pub_agg *a = s->val;

			snprintf(key, sizeof(key), "%sstats:%s:%s", pb->own_prefix, k == 0 ? "site" : "sbc",
				s->key);
			hash_start(&hs, key);
			hash_u64(&hs, "devices", a->devices);
			hash_u64(&hs, "calls", a->calls);
			hash_u64(&hs, "active_calls", a->active_calls);
			hash_u64(&hs, "packets", a->pkts);
			hash_u64(&hs, "dropped", a->dropped);
			if (k == 1)
				hash_sbc(&hs, h, a->tunnel_id, now);
			hash_u64(&hs, "updated_ms", now);
			hash_send(p, &hs, ttl);
		}
	}
	/* Kept until the next pass ends, for the metrics. */
	agg_free(&pb->last_sites);
	agg_free(&pb->last_sbcs);
	pb->last_sites = pb->sites;
	pb->last_sbcs = pb->sbcs;
	memset(&pb->sites, 0, sizeof(pb->sites));
	memset(&pb->sbcs, 0, sizeof(pb->sbcs));

	/* The summary, with rates from the previous publication. */
	fwd = vr_shm_sum(h, VR_GC_FWD_PKTS, 0);
	rx = vr_shm_sum(h, VR_GC_RX_PKTS, 0);
	secs = pb->last_ms != 0 && now > pb->last_ms ? (double)(now - pb->last_ms) / 1000.0 : 0;
	snprintf(key, sizeof(key), "%sstats:summary", pb->own_prefix);
	hash_start(&hs, key);
	pb->last_active = pb->active;
	hash_u64(&hs, "active_calls", pb->active);
	hash_u64(&hs, "calls", pb->bound);
	hash_u64(&hs, "flows", pb->bound * 4);
	hash_dbl(&hs, "pps", secs > 0 && fwd >= pb->last_fwd ? (double)(fwd - pb->last_fwd) / secs : 0);
	hash_dbl(&hs, "rx_pps", secs > 0 && rx >= pb->last_rx ? (double)(rx - pb->last_rx) / secs : 0);
	hash_u64(&hs, "fwd_pkts", fwd);
	hash_u64(&hs, "rx_pkts", rx);
	/* The JSON summary: jansson writes it (names and numbers, escaped as JSON wants). */
	js = json_pack("{s:I,s:I,s:f,s:I}", "active_calls", (json_int_t)pb->active,
		"calls", (json_int_t)pb->bound, "pps", secs > 0 && fwd >= pb->last_fwd ?
		(double)(fwd - pb->last_fwd) / secs : 0.0, "fwd_pkts", (json_int_t)fwd);
	jd = json_object();
	{
		static char dn[VR_DROP_MAX][48];

		for (k = 0; k < VR_DROP_MAX; k++) {
			uint64_t d = vr_shm_sum(h, k, 1);

			drops_total += d;
			snprintf(dn[k], sizeof(dn[k]), "drop_%s", vr_drop_name(k));
			hash_u64(&hs, dn[k], d);
			json_object_set_new(jd, vr_drop_name(k), json_integer((json_int_t)d));
		}
	}
	hash_u64(&hs, "dropped", drops_total);
	hash_u64(&hs, "publish_ms", pb->last_cost_ms);
	hash_u64(&hs, "held_calls", pb->held_calls);
	hash_u64(&hs, "held_since_ms", pb->held_since_ms);
	if (pb->srtp_engine[0] != '\0') {
		hash_strcpy(&hs, "srtp_engine", pb->srtp_engine);
		hash_strcpy(&hs, "crypto_dev", pb->crypto_dev);
	}
	hash_u64(&hs, "updated_ms", now);
	hash_send(p, &hs, ttl);
	json_object_set_new(js, "drops", jd);
	json_object_set_new(js, "dropped", json_integer((json_int_t)drops_total));
	json_object_set_new(js, "updated_ms", json_integer((json_int_t)now));
	json = json_dumps(js, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(js);
	snprintf(key, sizeof(key), "%sstats", pb->own_prefix);
	if (json != NULL) {
		const char *argv[] = { "PUBLISH", key, json };

		pipe_argv(p, 3, argv);
		free(json);
	}
	pb->last_ms = now;
	pb->last_fwd = fwd;
	pb->last_rx = rx;
	pb->last_cost_ms = now - pb->pass_start_ms;
	pb->pass_no++;
	pb->in_pass = 0;
}

int
vr_publish_step(struct vr_publisher *pb, redisContext *c, const struct vr_shm_map *shm,
	const struct vr_model *m, unsigned int budget)
{
	struct pipe p = { c, 0, 0 };
	int done = 0;

	if (!pb->in_pass)
		pass_begin(pb, shm->hdr, m);
	pass_calls(pb, &p, shm, m, budget);
	if (pb->cursor >= shm->hdr->max_calls) {
		pass_end(pb, &p, shm->hdr);
		done = 1;
	}
	pipe_sync(&p);
	if (p.failed) {
		vr_publish_forget(pb);
		return -1;
	}
	return done;
}
