/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state and its cross-record checks; see model.h. Runs on the
 * control process's thread. vr_model_resolve() is a full pass over every
 * record: simple, deterministic (sorted orders), and cheap next to the Redis
 * round trips that feed it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const char *const type_names[VR_REC_TYPES] = { "ext:", "sbc:", "call:" };

int
vr_model_key_type(const char *prefix, const char *key, const char **id)
{
	size_t pl = strlen(prefix);
	int t;

	if (strncmp(key, prefix, pl) != 0)
		return -1;
	for (t = 0; t < VR_REC_TYPES; t++) {
		size_t tl = strlen(type_names[t]);

		if (strncmp(key + pl, type_names[t], tl) == 0) {
			*id = key + pl + tl;
			return t;
		}
	}
	return -1;
}

char *
vr_model_status_key(const char *prefix, enum vr_rec_type t, const char *id)
{
	char *key;

	if (asprintf(&key, "%sstatus:%s%s", prefix, type_names[t], id) < 0)
		abort();
	return key;
}

/* The ports map key of a leg: its relay address and port, or its SBC tunnel channel. */
static void
port_key(const struct vr_ctl_leg *l, char key[32])
{
	char ip[INET_ADDRSTRLEN];

	if (l->flags & VR_CTL_LEG_F_TUNNEL) {
		snprintf(key, 32, "sbc%u/%u", l->sbc_id, l->channel);
		return;
	}
	inet_ntop(AF_INET, &l->addr, ip, INET_ADDRSTRLEN);
	snprintf(key, 32, "%s:%u", ip, l->port);
}

/* Gives back the ports call r holds (before r changes or goes away). */
static void
release(struct vr_model *m, struct vr_rec *r)
{
	char key[32];
	int i;

	if (r->type != VR_REC_CALL)
		return;
	vr_map_del(&m->clashed, r->u.call.id);
	if (!r->ok)
		return;
	for (i = 0; i < 2; i++) {
		port_key(&r->def.leg[i], key);
		if (vr_map_get(&m->ports, key) == r) {
			vr_map_del(&m->ports, key);
			m->ports_freed = 1;
		}
	}
}

/*
 * Whether r, a new version of SBC record old, still holds the tunnel id old
 * held: only under the same id. A new key or name changes nothing, but an SBC
 * moved to another tunnel id queues for it as a newcomer.
 */
static int
still_held(const struct vr_rec *r, const struct vr_rec *old)
{
	return r->type == VR_REC_SBC && old->held && r->parsed && old->parsed &&
		r->u.sbc.tunnel_id == old->u.sbc.tunnel_id;
}

/*
 * n's last good version, from o (an earlier version of the same record):
 * the version o had in force, if it differs from n's, else o's own last good
 * one. Records are parsed into zeroed memory, so comparing whole bodies is
 * comparing what they say.
 */
static void
take_good(struct vr_rec *n, const struct vr_rec *o)
{
	const union vr_rec_body *g = o->ok ? &o->u : o->good;

	n->good = NULL;
	if (g == NULL || memcmp(g, &n->u, sizeof(n->u)) == 0)
		return;
	n->good = malloc(sizeof(*n->good));
	if (n->good == NULL)
		abort();
	*n->good = *g;
}

static void
rec_free(struct vr_rec *r)
{
	free(r->good);
	free(r);
}

void
vr_model_put(struct vr_model *m, struct vr_rec *r, const char *id)
{
	struct vr_rec *n = malloc(sizeof(*n)), *old;

	if (n == NULL)
		abort();
	*n = *r;
	n->ok = 0;
	n->kept = 0;
	n->good = NULL;
	old = vr_map_get(&m->recs[r->type], id);
	if (old != NULL)
		release(m, old);
	vr_map_put(&m->recs[r->type], id, n);
	if (old != NULL) {
		memcpy(n->published, old->published, sizeof(n->published));
		n->held = still_held(n, old);
		/* The same call written again stays ended; anything new is a new call. */
		n->ended = old->ended && memcmp(&n->u, &old->u, sizeof(n->u)) == 0;
		take_good(n, old);
		rec_free(old);
	}
}

int
vr_model_end_call(struct vr_model *m, const char *id)
{
	struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], id);

	if (r == NULL || !r->ok || r->ended)
		return 0;
	release(m, r);
	r->ended = 1;
	r->ok = 0;
	return 1;
}

int
vr_model_del(struct vr_model *m, enum vr_rec_type t, const char *id)
{
	struct vr_rec *r = vr_map_get(&m->recs[t], id);

	if (r == NULL)
		return 0;
	release(m, r);
	vr_map_del(&m->recs[t], id);
	rec_free(r);
	return 1;
}

void
vr_model_inherit(struct vr_model *m, const struct vr_model *old)
{
	struct vr_map_slot *s;
	size_t i;
	int t;

	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&m->recs[t], &i)) != NULL) {
			struct vr_rec *r = s->val;
			const struct vr_rec *o = vr_map_get(&old->recs[t], s->key);

			if (o == NULL)
				continue;
			memcpy(r->published, o->published, sizeof(r->published));
			r->held = still_held(r, o);
			r->ended = o->ended && memcmp(&r->u, &o->u, sizeof(r->u)) == 0;
			take_good(r, o);
		}
	}
}

void
vr_model_free(struct vr_model *m)
{
	struct vr_map_slot *s;
	size_t i;
	int t;

	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&m->recs[t], &i)) != NULL)
			rec_free(s->val);
		vr_map_free(&m->recs[t]);
	}
	vr_map_free(&m->ports);
	vr_map_free(&m->clashed);
	m->ports_freed = 0;
}

/* The records of type t, sorted by cmp; the caller frees the array. */
static struct vr_rec **
sorted(const struct vr_model *m, enum vr_rec_type t, int (*cmp)(const void *, const void *),
	size_t *n)
{
	struct vr_rec **a = malloc(sizeof(*a) * (m->recs[t].n + 1));
	struct vr_map_slot *s;
	size_t i = 0;

	if (a == NULL)
		abort();
	*n = 0;
	while ((s = vr_map_next(&m->recs[t], &i)) != NULL)
		a[(*n)++] = s->val;
	qsort(a, *n, sizeof(*a), cmp);
	return a;
}

static int
ext_cmp(const void *x, const void *y)
{
	const struct vr_ext *a = &(*(struct vr_rec *const *)x)->u.ext;
	const struct vr_ext *b = &(*(struct vr_rec *const *)y)->u.ext;
	int c = strcmp(a->site, b->site);

	return c != 0 ? c : strverscmp(a->number, b->number);
}

static int
call_cmp(const void *x, const void *y)
{
	return strverscmp((*(struct vr_rec *const *)x)->u.call.id,
		(*(struct vr_rec *const *)y)->u.call.id);
}

/* The SBCs that held their tunnel id first, then the others, each by id. */
static int
sbc_cmp(const void *x, const void *y)
{
	const struct vr_rec *a = *(struct vr_rec *const *)x;
	const struct vr_rec *b = *(struct vr_rec *const *)y;

	if (a->held != b->held)
		return b->held - a->held;
	return strverscmp(a->u.sbc.id, b->u.sbc.id);
}

/*
 * SBCs: two may not share a tunnel id. The one that held it keeps it, so a
 * newcomer never takes over a live SBC's tunnel (its calls, and the key the
 * dataplane uses); between newcomers, the first by id.
 */
static void
resolve_sbcs(struct vr_model *m)
{
	size_t n, i, j;
	struct vr_rec **a = sorted(m, VR_REC_SBC, sbc_cmp, &n);

	for (i = 0; i < n; i++) {
		a[i]->ok = a[i]->parsed;
		if (!a[i]->ok)
			continue;
		a[i]->error[0] = '\0';
		for (j = 0; j < i; j++) {
			if (a[j]->ok && a[j]->u.sbc.tunnel_id == a[i]->u.sbc.tunnel_id) {
				a[i]->ok = 0;
				snprintf(a[i]->error, sizeof(a[i]->error), "%ssbc:%s: field 'tunnel_id': "
					"'%u' is already the tunnel id of %ssbc:%s, which keeps it",
					m->prefix, a[i]->u.sbc.id, a[i]->u.sbc.tunnel_id, m->prefix,
					a[j]->u.sbc.id);
				break;
			}
		}
	}
	for (i = 0; i < n; i++)
		a[i]->held = a[i]->ok;
	free(a);
}

/* Extensions: a site's phones may not share SIP ports or overlap RTP blocks. */
static void
resolve_exts(struct vr_model *m)
{
	size_t n, i, j;
	struct vr_rec **a = sorted(m, VR_REC_EXT, ext_cmp, &n);

	for (i = 0; i < n; i++) {
		struct vr_ext *e = &a[i]->u.ext;

		a[i]->ok = a[i]->parsed;
		if (!a[i]->ok)
			continue;
		a[i]->error[0] = '\0';
		if (e->mode == VR_EXT_SBC) {
			struct vr_rec *s = vr_map_get(&m->recs[VR_REC_SBC], e->sbc);

			if (s == NULL || !s->parsed) {
				snprintf(a[i]->error, sizeof(a[i]->error), "%sext:%s: field 'sbc': "
					"'%s' is not a configured SBC", m->prefix, e->number, e->sbc);
				a[i]->ok = 0;
			}
			continue;
		}
		if (e->mode != VR_EXT_STUN)
			continue;
		/* Earlier phones of the same site (sorted by site, then number) win. */
		for (j = i; j-- > 0 && strcmp(a[j]->u.ext.site, e->site) == 0;) {
			const struct vr_ext *o = &a[j]->u.ext;
			if (!a[j]->ok || o->mode != VR_EXT_STUN)
				continue;
			if (o->sip_port == e->sip_port) {
				a[i]->ok = 0;
				snprintf(a[i]->error, sizeof(a[i]->error), "%sext:%s: field 'sip_port': "
					"'%u' is already extension %s's SIP port at site %s", m->prefix, e->number,
					e->sip_port, o->number, e->site);
				break;
			}
			if (e->rtp_lo <= o->rtp_hi && o->rtp_lo <= e->rtp_hi) {
				a[i]->ok = 0;
				snprintf(a[i]->error, sizeof(a[i]->error), "%sext:%s: field 'rtp_ports': "
					"'%u-%u' overlaps extension %s's %u-%u at site %s", m->prefix, e->number,
					e->rtp_lo, e->rtp_hi, o->number, o->rtp_lo, o->rtp_hi, e->site);
				break;
			}
			if ((e->sip_port >= o->rtp_lo && e->sip_port <= o->rtp_hi) ||
					(o->sip_port >= e->rtp_lo && o->sip_port <= e->rtp_hi)) {
				a[i]->ok = 0;
				snprintf(a[i]->error, sizeof(a[i]->error), "%sext:%s: its SIP port %u and "
					"RTP ports %u-%u clash with extension %s's (SIP %u, RTP %u-%u) at "
					"site %s", m->prefix, e->number, e->sip_port, e->rtp_lo, e->rtp_hi, o->number,
					o->sip_port, o->rtp_lo, o->rtp_hi, e->site);
				break;
			}
		}
	}
	free(a);
}

static int
dp_has_addr(const struct vr_dp_view *dp, uint32_t a)
{
	unsigned int i;

	for (i = 0; i < dp->n_addrs; i++)
		if (dp->addrs[i] == a)
			return 1;
	return 0;
}

/* Builds the dataplane leg of call leg l (side 'a' or 'b'); 0 or -1 with r->error. */
static int
build_leg(struct vr_model *m, const struct vr_dp_view *dp, struct vr_rec *r, char side,
	const struct vr_call_leg *l, struct vr_ctl_leg *out)
{
	const char *id = r->u.call.id;
	char ip[INET_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	out->addr = l->addr != 0 ? l->addr : dp->addrs[0];
	out->port = l->port;
	if (!dp_has_addr(dp, out->addr)) {
		inet_ntop(AF_INET, &out->addr, ip, sizeof(ip));
		snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_addr': '%s' is not one of "
			"the relay's addresses", m->prefix, id, side, ip);
		return -1;
	}
	if (l->channel == 0 && (l->port < dp->port_lo || l->port >= dp->port_hi)) {
		snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_port': '%u' is outside the "
			"relay's port range %u-%u", m->prefix, id, side, l->port, dp->port_lo, dp->port_hi);
		return -1;
	}
	if (l->channel != 0 && l->ext[0] == '\0') {
		snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_channel': a PBX-local "
			"endpoint has no SBC tunnel (give '%c_port')", m->prefix, id, side, side);
		return -1;
	}
	if (l->ext[0] == '\0') {
		out->flags = VR_CTL_LEG_F_EXPECT;
		out->expect_ip = l->endpoint_ip;
		out->expect_lo = l->endpoint_lo;
		out->expect_hi = l->endpoint_hi;
		return 0;
	}
	{
		struct vr_rec *x = vr_map_get(&m->recs[VR_REC_EXT], l->ext);
		const struct vr_ext *e = x != NULL ? &x->u.ext : NULL;

		if (x == NULL) {
			snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_ext': '%s' is not a "
				"configured extension", m->prefix, id, side, l->ext);
			return -1;
		}
		if (!x->ok) {
			snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_ext': extension '%s' "
				"is rejected (%.120s)", m->prefix, id, side, l->ext, x->error);
			return -1;
		}
		if (!e->deliver_audio) {
			snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_ext': extension '%s' "
				"does not have PBX-delivered audio (deliver_audio 0)", m->prefix, id, side, l->ext);
			return -1;
		}
		if (e->mode == VR_EXT_SBC) {
			struct vr_rec *sb = vr_map_get(&m->recs[VR_REC_SBC], e->sbc);

			if (l->channel == 0) {
				snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_port': extension "
					"'%s' is behind SBC '%s': its leg is a channel of the SBC's tunnel "
					"('%c_channel'), not a relay port", m->prefix, id, side, l->ext, e->sbc,
					side);
				return -1;
			}
			if (sb == NULL || !sb->ok) {
				snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_ext': extension "
					"'%s' is behind SBC '%s', which is not usable (%.100s)", m->prefix, id,
					side, l->ext, e->sbc, sb != NULL ? sb->error : "not configured");
				return -1;
			}
			out->flags = VR_CTL_LEG_F_TUNNEL;
			out->port = 0;
			out->sbc_id = sb->u.sbc.tunnel_id;
			out->channel = l->channel;
			out->epoch = l->epoch;
			return 0;
		}
		if (l->channel != 0) {
			snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_channel': extension "
				"'%s' is not behind an SBC (give '%c_port')", m->prefix, id, side, l->ext,
				side);
			return -1;
		}
		/* The phone, and only the phone: its site's address and its RTP block. */
		out->flags = VR_CTL_LEG_F_EXPECT;
		out->expect_ip = e->mode == VR_EXT_STUN ? e->public_ip : e->lan_ip;
		out->expect_lo = e->rtp_lo;
		out->expect_hi = e->rtp_hi;
	}
	return 0;
}

/* Claims addr:port and port + 1 for call r; 0, or -1 with r->error naming the holder. */
static int
claim(const struct vr_model *m, struct vr_map *ports, struct vr_rec *r,
	const struct vr_ctl_leg *l, char side)
{
	char key[32], ip[INET_ADDRSTRLEN];
	struct vr_rec *o;

	inet_ntop(AF_INET, &l->addr, ip, sizeof(ip));
	port_key(l, key);
	o = vr_map_get(ports, key);
	if (o != NULL && o != r && (l->flags & VR_CTL_LEG_F_TUNNEL)) {
		snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_channel': '%u' of the "
			"SBC with tunnel id %u is already used by call '%s'", m->prefix, r->u.call.id,
			side, l->channel, l->sbc_id, o->u.call.id);
		r->clash = 1;
		return -1;
	}
	if (o != NULL && o != r) {
		snprintf(r->error, sizeof(r->error), "%scall:%s: field '%c_port': '%u' on %s is "
			"already used by call '%s'", m->prefix, r->u.call.id, side, l->port, ip, o->u.call.id);
		r->clash = 1;
		return -1;
	}
	if (o == r && (l->flags & VR_CTL_LEG_F_TUNNEL)) {
		snprintf(r->error, sizeof(r->error), "%scall:%s: legs a and b both use channel %u "
			"of the SBC with tunnel id %u", m->prefix, r->u.call.id, l->channel, l->sbc_id);
		return -1;
	}
	if (o == r) {
		snprintf(r->error, sizeof(r->error), "%scall:%s: legs a and b both use port %u on "
			"%s", m->prefix, r->u.call.id, l->port, ip);
		return -1;
	}
	vr_map_put(ports, key, r);
	return 0;
}

static void
resolve_call(struct vr_model *m, const struct vr_dp_view *dp, struct vr_map *ports,
	struct vr_rec *r)
{
	const struct vr_call_rec *c = &r->u.call;
	struct vr_ctl_call d;
	char key[32];
	int i;

	r->ok = 0;
	r->clash = 0;
	vr_map_del(&m->clashed, c->id);
	if (!r->parsed)
		return;
	if (r->ended) {
		snprintf(r->error, sizeof(r->error), "%scall:%s: ended by voxrelay-control: no media "
			"on either leg for the final timeout; rewrite the record to bind it again",
			m->prefix, c->id);
		return;
	}
	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "%s", c->id);
	d.learn_window_ms = c->learn_window_ms;
	d.clock_rate = c->clock_rate;
	for (i = 0; i < 2; i++)
		if (build_leg(m, dp, r, (char)('a' + i), &c->leg[i], &d.leg[i]) < 0)
			return;
	for (i = 0; i < 2; i++) {
		if (claim(m, ports, r, &d.leg[i], (char)('a' + i)) < 0) {
			/* A rejected call holds nothing: give back leg a's port. */
			if (i == 1) {
				port_key(&d.leg[0], key);
				if (vr_map_get(ports, key) == r)
					vr_map_del(ports, key);
			}
			if (r->clash)
				vr_map_put(&m->clashed, c->id, r);
			return;
		}
	}
	r->def = d;
	r->ok = 1;
	r->error[0] = '\0';
}

/*
 * A record rejected in its new version falls back on its last good one:
 * returns 1 if it did (resolve it again), 0 if it has none or already did.
 * A record in force in its own version no longer needs its last good one.
 */
static int
fall_back(struct vr_rec *r)
{
	if (r->ok && !r->kept && r->good != NULL) {
		free(r->good);
		r->good = NULL;
	}
	if (r->ok || r->kept || r->ended || r->good == NULL)
		return 0;
	memcpy(r->rejected, r->error, sizeof(r->rejected));
	r->u = *r->good;
	r->parsed = 1;
	r->kept = 1;
	return 1;
}

/* A kept record whose last good version is refused too: say both. */
static void
kept_refused(struct vr_rec *r)
{
	char why[VR_ERR_MAX];

	if (r->ok || !r->kept)
		return;
	memcpy(why, r->error, sizeof(why));
	snprintf(r->error, sizeof(r->error), "%.200s (and its last good version: %.200s)",
		r->rejected, why);
}

/* resolve_call(), then again with the call's last good version if it has one. */
static void
resolve_call_or_keep(struct vr_model *m, const struct vr_dp_view *dp, struct vr_rec *r)
{
	resolve_call(m, dp, &m->ports, r);
	if (fall_back(r))
		resolve_call(m, dp, &m->ports, r);
	kept_refused(r);
}

static int
id_cmp(const void *x, const void *y)
{
	return strverscmp(*(char *const *)x, *(char *const *)y);
}

void
vr_model_resolve_calls(struct vr_model *m, const struct vr_dp_view *dp, char *const *ids,
	size_t n, struct vr_map *touched)
{
	static char one;
	struct vr_map_slot *s;
	char **waiting, **order;
	size_t i, k = 0;

	/* In id order, as in vr_model_resolve(): of two new calls that want
	 * one port, the first by id gets it, however the changes came. */
	order = malloc(sizeof(*order) * (n + 1));
	if (order == NULL)
		abort();
	memcpy(order, ids, sizeof(*order) * n);
	qsort(order, n, sizeof(*order), id_cmp);
	for (i = 0; i < n; i++) {
		struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], order[i]);

		vr_map_put(touched, order[i], &one);
		if (r != NULL && !r->ok)
			resolve_call_or_keep(m, dp, r);
	}
	free(order);
	if (!m->ports_freed || m->clashed.n == 0) {
		m->ports_freed = 0;
		return;
	}
	/* Ports were freed: the calls waiting for one try again, in id order. */
	m->ports_freed = 0;
	waiting = malloc(sizeof(*waiting) * m->clashed.n);
	if (waiting == NULL)
		abort();
	i = 0;
	while ((s = vr_map_next(&m->clashed, &i)) != NULL)
		waiting[k++] = strdup(s->key);
	qsort(waiting, k, sizeof(*waiting), id_cmp);
	for (i = 0; i < k; i++) {
		struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], waiting[i]);

		if (r != NULL && !r->ok) {
			resolve_call_or_keep(m, dp, r);
			vr_map_put(touched, waiting[i], &one);
		}
		free(waiting[i]);
	}
	free(waiting);
}

/* Records of every type that fall back on their last good version; their number. */
static size_t
fall_back_all(struct vr_model *m)
{
	struct vr_map_slot *s;
	size_t i, n = 0;
	int t;

	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&m->recs[t], &i)) != NULL)
			n += (size_t)fall_back(s->val);
	}
	return n;
}

static void
resolve_pass(struct vr_model *m, const struct vr_dp_view *dp, const struct vr_map *keep)
{
	struct vr_rec **a;
	uint8_t *first;
	size_t n, i;
	int pass;

	resolve_sbcs(m);
	resolve_exts(m);
	vr_map_free(&m->ports);
	vr_map_free(&m->clashed);
	m->ports_freed = 0;
	a = sorted(m, VR_REC_CALL, call_cmp, &n);
	first = calloc(n + 1, 1);
	if (first == NULL)
		abort();
	/* Calls valid before, or live in the dataplane, claim their ports first. */
	for (i = 0; i < n; i++)
		first[i] = a[i]->ok || (keep != NULL && vr_map_get(keep, a[i]->u.call.id) != NULL);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			if (first[i] == (pass == 0))
				resolve_call(m, dp, &m->ports, a[i]);
	free(first);
	free(a);
}

void
vr_model_resolve(struct vr_model *m, const struct vr_dp_view *dp, const struct vr_map *keep)
{
	struct vr_map_slot *s;
	size_t i;
	int t;

	/* Each record falls back at most once: this ends. */
	resolve_pass(m, dp, keep);
	while (fall_back_all(m) > 0)
		resolve_pass(m, dp, keep);
	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&m->recs[t], &i)) != NULL)
			kept_refused(s->val);
	}
}

int
vr_model_plan(const struct vr_model *m, const char *site, FILE *out)
{
	char ip[INET_ADDRSTRLEN], lan[INET_ADDRSTRLEN];
	struct vr_rec **a;
	size_t n, i;
	int count = 0;

	a = sorted(m, VR_REC_EXT, ext_cmp, &n);
	for (i = 0; i < n; i++) {
		const struct vr_ext *e = &a[i]->u.ext;

		if (!a[i]->parsed || e->mode != VR_EXT_STUN || strcmp(e->site, site) != 0)
			continue;
		if (count++ == 0) {
			inet_ntop(AF_INET, &e->public_ip, ip, sizeof(ip));
			fprintf(out, "Port forwards for site %s (public address %s), UDP, to each "
				"phone's LAN address:\n", site, ip);
			fprintf(out, "%-10s %-16s %-10s %-13s %s\n", "EXTENSION", "PHONE", "SIP",
				"RTP", "STATUS");
		}
		if (e->lan_ip != 0)
			inet_ntop(AF_INET, &e->lan_ip, lan, sizeof(lan));
		else
			strcpy(lan, "(set lan_ip)");
		snprintf(ip, sizeof(ip), "%u-%u", e->rtp_lo, e->rtp_hi);
		fprintf(out, "%-10s %-16s %-10u %-13s %s\n", e->number, lan, e->sip_port, ip,
			a[i]->ok ? "ok" : a[i]->error);
	}
	free(a);
	if (count == 0)
		return -1;
	fprintf(out, "Forward each SIP port and RTP range to that phone, keeping the port; "
		"no hairpin rule is needed: the PBX delivers the audio.\n");
	return count;
}
