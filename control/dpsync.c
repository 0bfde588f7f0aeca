/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reconciles the dataplane with the model; see dpsync.h. Only differences go
 * over the control socket: a control restart finds every call already
 * programmed and sends nothing, so live calls keep their latches and counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "dpsync.h"
#include "log.h"

static void
forget(struct vr_dpsync *ds)
{
	static char one;
	struct vr_map_slot *s;
	size_t i = 0;

	/* What the dataplane had, to tell a call it refuses after a restart. */
	while ((s = vr_map_next(&ds->programmed, &i)) != NULL) {
		vr_map_put(&ds->was_bound, s->key, &one);
		free(s->val);
	}
	vr_map_free(&ds->programmed);
	i = 0;
	while ((s = vr_map_next(&ds->sbcs, &i)) != NULL) {
		memset(s->val, 0, sizeof(struct vr_ctl_sbc));
		free(s->val);
	}
	vr_map_free(&ds->sbcs);
}

void
vr_dpsync_reset(struct vr_dpsync *ds)
{
	if (ds->ctl.fd > 0)
		vr_ctl_disconnect(&ds->ctl);
	ds->ctl.fd = -1;
	ds->up = 0;
	forget(ds);
}

static void
remember(struct vr_dpsync *ds, const struct vr_ctl_call *c)
{
	struct vr_ctl_call *copy = malloc(sizeof(*copy));

	if (copy == NULL)
		abort();
	*copy = *c;
	free(vr_map_put(&ds->programmed, c->id, copy));
}

int
vr_dpsync_connect(struct vr_dpsync *ds, char *err, size_t errlen)
{
	static uint8_t buf[VR_CTL_MSG_MAX];
	struct vr_ctl_list_req rq = { 0, VR_CTL_LIST_MAX };
	struct vr_ctl_list *l = (struct vr_ctl_list *)buf;
	struct vr_ctl_health h;
	uint32_t i;

	vr_dpsync_reset(ds);
	memset(&h, 0, sizeof(h)); /* an older dataplane's reply may be shorter */
	if (vr_ctl_connect(&ds->ctl, ds->path, 2000) < 0 ||
			vr_ctl_request(&ds->ctl, VR_CTL_HEALTH, NULL, 0, &h, sizeof(h), NULL) < 0)
		goto fail;
	ds->boot_id = h.boot_id;
	snprintf(ds->srtp_engine, sizeof(ds->srtp_engine), "%.*s", (int)sizeof(h.srtp_engine),
		h.srtp_engine);
	snprintf(ds->crypto_dev, sizeof(ds->crypto_dev), "%.*s", (int)sizeof(h.crypto_dev),
		h.crypto_dev);
	ds->view.n_addrs = h.n_addrs > 64 ? 64 : h.n_addrs;
	memcpy(ds->view.addrs, h.addrs, sizeof(uint32_t) * ds->view.n_addrs);
	ds->view.port_lo = h.port_lo;
	ds->view.port_hi = h.port_hi;
	do {
		if (vr_ctl_request(&ds->ctl, VR_CTL_CALL_LIST, &rq, sizeof(rq), buf, sizeof(buf),
				NULL) < 0)
			goto fail;
		for (i = 0; i < l->n; i++)
			remember(ds, &l->calls[i].call);
		rq.cursor = l->next_cursor;
	} while (rq.cursor != 0);
	ds->up = 1;
	return 0;
fail:
	snprintf(err, errlen, "dataplane %s: %s", ds->path, ds->ctl.error);
	vr_dpsync_reset(ds);
	return -1;
}

int
vr_dpsync_changed(struct vr_dpsync *ds, uint64_t shm_boot_id)
{
	return !ds->up || (shm_boot_id != 0 && shm_boot_id != ds->boot_id);
}

/* Whether a request's result rc means the connection is gone (not a refusal). */
static int
link_broken(int rc)
{
	return rc == -EPIPE || rc == -ECONNRESET || rc == -EAGAIN || rc == -ENOTCONN ||
		rc == -EBADMSG;
}

/* A bulk change is logged call by call up to LOG_EACH, then summed up in one line. */
#define LOG_EACH 20

static void
log_rest(const struct vr_dpsync *ds, int changes, uint64_t add0, uint64_t mod0, uint64_t del0)
{
	if (changes > LOG_EACH)
		vr_log(LOG_INFO, "%d calls changed in the dataplane: %llu bound, %llu rebound, "
			"%llu unbound (the first %d logged one by one)", changes,
			(unsigned long long)(ds->n_add - add0), (unsigned long long)(ds->n_mod - mod0),
			(unsigned long long)(ds->n_del - del0), LOG_EACH);
}

/* The dataplane's SBC for record sb, with prev (may be NULL) as the previous key. */
static void
sbc_def(const struct vr_sbc *sb, const struct vr_ctl_sbc *prev, uint32_t overlap_ms,
	struct vr_ctl_sbc *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sb->tunnel_id;
	d->suite = (uint8_t)sb->suite;
	d->n_keys = 1;
	d->key[0].id = sb->key_id;
	d->key[0].len = (uint8_t)sb->key_len;
	memcpy(d->key[0].master, sb->key, sb->key_len);
	/* A new key under a new key id: the old one stays accepted for a while, so
	 * that the SBC can switch when it has the new one without losing a packet. */
	if (prev != NULL && prev->suite == d->suite && prev->key[0].id != d->key[0].id) {
		d->n_keys = 2;
		d->key[1] = prev->key[0];
		d->prev_ms = overlap_ms;
	}
}

static int
same_key(const struct vr_ctl_sbc *a, const struct vr_ctl_sbc *b)
{
	return a->suite == b->suite && a->key[0].id == b->key[0].id &&
		a->key[0].len == b->key[0].len &&
		memcmp(a->key[0].master, b->key[0].master, a->key[0].len) == 0;
}

/* Sends new and changed SBCs. Returns the number sent, or -1 when the connection failed. */
static int
sbcs_set(struct vr_dpsync *ds, struct vr_model *m)
{
	struct vr_map_slot *s;
	struct vr_ctl_sbc d, *p;
	char key[16];
	size_t i = 0;
	int n = 0, rc;

	while ((s = vr_map_next(&m->recs[VR_REC_SBC], &i)) != NULL) {
		struct vr_rec *r = s->val;

		if (!r->ok)
			continue;
		snprintf(key, sizeof(key), "%u", r->u.sbc.tunnel_id);
		p = vr_map_get(&ds->sbcs, key);
		sbc_def(&r->u.sbc, p, ds->key_overlap_ms, &d);
		if (p != NULL && same_key(p, &d))
			continue;
		if (p != NULL && p->key[0].id == d.key[0].id)
			vr_log(LOG_WARNING, "sbc:%s: its key changed under the same key_id %u: packets "
				"under the old key are refused from now on (give a new key a new key_id)",
				r->u.sbc.id, d.key[0].id);
		rc = vr_ctl_request(&ds->ctl, VR_CTL_SBC_SET, &d, sizeof(d), NULL, 0, NULL);
		if (link_broken(rc)) {
			ds->up = 0;
			memset(&d, 0, sizeof(d));
			return -1;
		}
		if (rc < 0) {
			r->ok = 0;
			snprintf(r->error, sizeof(r->error), "sbc:%s: the dataplane refused it: %s",
				r->u.sbc.id, ds->ctl.error);
			vr_log(LOG_WARNING, "%s", r->error);
			memset(&d, 0, sizeof(d));
			continue;
		}
		vr_log(LOG_INFO, "sbc:%s: tunnel id %u, %s, key %u%s", r->u.sbc.id, d.id,
			vr_suite_name(r->u.sbc.suite), d.key[0].id,
			d.n_keys == 2 ? " (the previous key still accepted for a while)" : "");
		if (p == NULL) {
			p = malloc(sizeof(*p));
			if (p == NULL)
				abort();
			vr_map_put(&ds->sbcs, key, p);
		}
		/* What the next change rolls from: the current key only. */
		d.n_keys = 1;
		d.prev_ms = 0;
		memset(&d.key[1], 0, sizeof(d.key[1]));
		*p = d;
		memset(&d, 0, sizeof(d));
		n++;
	}
	return n;
}

/* Removes the SBCs no valid record names any more (once no call uses them). */
static int
sbcs_del(struct vr_dpsync *ds, struct vr_model *m)
{
	struct vr_map gone = { 0 };
	struct vr_map_slot *s;
	struct vr_ctl_sbc_ref ref;
	char key[16];
	size_t i = 0;
	int n = 0, rc;

	while ((s = vr_map_next(&m->recs[VR_REC_SBC], &i)) != NULL) {
		struct vr_rec *r = s->val;

		if (r->ok) {
			snprintf(key, sizeof(key), "%u", r->u.sbc.tunnel_id);
			vr_map_put(&gone, key, r);
		}
	}
	i = 0;
	while ((s = vr_map_next(&ds->sbcs, &i)) != NULL) {
		struct vr_ctl_sbc *p = s->val;

		if (vr_map_get(&gone, s->key) != NULL)
			continue;
		ref.id = p->id;
		rc = vr_ctl_request(&ds->ctl, VR_CTL_SBC_DEL, &ref, sizeof(ref), NULL, 0, NULL);
		if (rc == -EBUSY)
			continue; /* calls still use it: the next pass */
		if (rc < 0 && rc != -ENOENT) {
			ds->up = 0;
			vr_map_free(&gone);
			return -1;
		}
		vr_log(LOG_INFO, "SBC with tunnel id %u removed", p->id);
		memset(p, 0, sizeof(*p));
		free(vr_map_del(&ds->sbcs, s->key));
		i = 0; /* the map changed under the walk */
		n++;
	}
	vr_map_free(&gone);
	return n;
}

/* Why a bound call is unbound, from its record (NULL: deleted). */
static const char *
end_reason(const struct vr_rec *r)
{
	return r == NULL ? "deleted" : r->ended ? "final_timeout" : "rejected";
}

/*
 * Whether every relay address of c's legs is held by this host: 1 (leases
 * off: always), 0, or -1 while that is not known yet (bound calls stay,
 * none is added).
 */
static int
here(const struct vr_dpsync *ds, const struct vr_ctl_call *c)
{
	unsigned int l;
	int h = 1;

	if (ds->leases == NULL)
		return 1;
	for (l = 0; l < 2; l++) {
		int x = c->leg[l].addr != 0 ? vr_leases_here(ds->leases, c->leg[l].addr) : 1;

		if (x == 0)
			return 0;
		if (x < 0)
			h = -1;
	}
	return h;
}

/* Ends call id's hold (its record returned, or it was released). */
static void
unhold(struct vr_dpsync *ds, const char *id)
{
	free(vr_map_del(&ds->held, id));
	if (ds->held.n == 0)
		ds->held_since_ms = 0;
}

/*
 * The bound calls in absent have no record in Redis any more, and no
 * notification named their delete. A few gone at once is a PBX that
 * deleted them while control did not hear (they go into gone, to be
 * unbound); most of them at once is a Redis that lost its data, and they
 * are held.
 */
static void
hold_or_drop(struct vr_dpsync *ds, struct vr_map *absent, struct vr_map *gone)
{
	struct vr_map_slot *s;
	size_t i = 0;
	int hold = ds->hold_pct <= 100 && absent->n > 0 && (ds->hold_any ||
		absent->n * 100 >= (size_t)ds->hold_pct * ds->programmed.n);

	if (hold && ds->hold_any)
		vr_log(LOG_ERR, "%zu of the %zu bound calls have no record on the new Redis primary "
			"(writes lost in the failover): they are held, still forwarding; each ends "
			"when its record returns and is then deleted, or all with 'voxrelayctl "
			"accept-missing'", absent->n, ds->programmed.n);
	else if (hold)
		vr_log(LOG_ERR, "%zu of the %zu bound calls are missing from Redis at once (an empty "
			"or different Redis?): they are held, still forwarding; each ends when its "
			"record returns and is then deleted, or all with 'voxrelayctl accept-missing'",
			absent->n, ds->programmed.n);
	while ((s = vr_map_next(absent, &i)) != NULL) {
		struct vr_ctl_call *copy;

		if (!hold) {
			vr_map_put(gone, s->key, s->val);
			continue;
		}
		copy = malloc(sizeof(*copy));
		if (copy == NULL)
			abort();
		*copy = *(struct vr_ctl_call *)s->val;
		free(vr_map_put(&ds->held, s->key, copy));
	}
	if (hold && ds->held_since_ms == 0)
		ds->held_since_ms = vr_unix_ms();
}

/* Held calls a restarted dataplane lacks, bound again. Returns the number, or -1. */
static int
rebind_held(struct vr_dpsync *ds)
{
	struct vr_map_slot *s;
	size_t i = 0;
	int n = 0, rc;

	while ((s = vr_map_next(&ds->held, &i)) != NULL) {
		if (vr_map_get(&ds->programmed, s->key) != NULL)
			continue;
		rc = vr_ctl_request(&ds->ctl, VR_CTL_CALL_ADD, s->val, sizeof(struct vr_ctl_call),
			NULL, 0, NULL);
		if (link_broken(rc)) {
			ds->up = 0;
			return -1;
		}
		if (rc < 0) {
			vr_log(LOG_WARNING, "held call %s: the dataplane refused it again: %s", s->key,
				ds->ctl.error);
			continue;
		}
		remember(ds, s->val);
		n++;
	}
	if (n > 0)
		vr_log(LOG_WARNING, "%d held calls bound again in the restarted dataplane", n);
	return n;
}

/*
 * A bulk change goes to the dataplane in batches (VR_CTL_CALL_BATCH): up to
 * VR_CTL_BATCH_MAX adds, mods and dels in one message and one reply,
 * instead of a round trip, and two context switches on a shared core, per
 * call. A del's result carries the call's last stats, for its end record.
 * Results are handled in order as single requests' would have been.
 */
struct pipe {
	struct vr_ctl_batch b;
	const char *why[VR_CTL_BATCH_MAX];  /* a del's end-record reason */
	struct vr_rec *r[VR_CTL_BATCH_MAX]; /* an add's or mod's record */
	int changes;                        /* calls bound, rebound or unbound so far */
};

/* A bound, rebound or refused call's result (what a single request's caller did). */
static void
call_done(struct vr_dpsync *ds, struct pipe *pp, uint16_t type, struct vr_rec *r,
	const struct vr_ctl_batch_result *res)
{
	if (res->status < 0) {
		r->ok = 0;
		snprintf(r->error, sizeof(r->error), "call:%s: the dataplane refused it: %.*s",
			r->def.id, (int)sizeof(res->error), res->error);
		ds->n_fail++;
		/* It was live before the dataplane restarted: it ends here. */
		if (vr_map_del(&ds->was_bound, r->def.id) != NULL && ds->on_end != NULL)
			ds->on_end(ds->on_end_arg, r->def.id, NULL, "refused_after_restart");
		vr_log(LOG_WARNING, "%s", r->error);
		return;
	}
	if (type == VR_CTL_CALL_ADD)
		ds->n_add++;
	else
		ds->n_mod++;
	if (pp->changes < LOG_EACH)
		vr_log(LOG_INFO, "call %s %s", r->def.id, type == VR_CTL_CALL_ADD ? "bound" : "rebound");
	remember(ds, &r->def);
	vr_map_del(&ds->was_bound, r->def.id);
	pp->changes++;
}

/* Sends what pp holds and handles the results. -1 when the link broke. */
static int
pipe_flush(struct vr_dpsync *ds, struct pipe *pp)
{
	static struct vr_ctl_batch_reply rep;
	uint32_t k, n = pp->b.n;
	int rc;

	if (n == 0)
		return 0;
	rc = vr_ctl_request(&ds->ctl, VR_CTL_CALL_BATCH, &pp->b, sizeof(pp->b), &rep, sizeof(rep),
		NULL);
	pp->b.n = 0;
	if (rc < 0 || rep.n != n) {
		if (rc == 0)
			snprintf(ds->ctl.error, sizeof(ds->ctl.error),
				"a batch of %u changes was answered with %u results", n, rep.n);
		ds->up = 0;
		return -1;
	}
	for (k = 0; k < n; k++) {
		const struct vr_ctl_batch_op *op = &pp->b.op[k];
		const struct vr_ctl_batch_result *res = &rep.r[k];

		if (op->type != VR_CTL_CALL_DEL) {
			call_done(ds, pp, op->type, pp->r[k], res);
			continue;
		}
		/* A call the dataplane no longer has is unbound too. */
		if (res->status < 0 && res->status != -ENOENT) {
			snprintf(ds->ctl.error, sizeof(ds->ctl.error), "%.*s", (int)sizeof(res->error),
				res->error);
			ds->up = 0;
			return -1;
		}
		if (ds->on_end != NULL)
			ds->on_end(ds->on_end_arg, op->call.id, res->has_last ? &res->last : NULL,
				pp->why[k]);
		free(vr_map_del(&ds->programmed, op->call.id));
		ds->n_del++;
		if (++pp->changes <= LOG_EACH)
			vr_log(LOG_INFO, "call %s unbound", op->call.id);
	}
	return 0;
}

/* The next change of pp's batch, sending the batch first when it is full; NULL: link broke. */
static struct vr_ctl_batch_op *
pipe_next(struct vr_dpsync *ds, struct pipe *pp)
{
	struct vr_ctl_batch_op *op;

	if (pp->b.n == VR_CTL_BATCH_MAX && pipe_flush(ds, pp) < 0)
		return NULL;
	op = &pp->b.op[pp->b.n++];
	memset(op, 0, sizeof(*op));
	return op;
}

/* Binds (type ADD) or rebinds (MOD) r's call, batched. */
static int
pipe_call(struct vr_dpsync *ds, struct pipe *pp, uint16_t type, struct vr_rec *r)
{
	struct vr_ctl_batch_op *op = pipe_next(ds, pp);

	if (op == NULL)
		return -1;
	op->type = type;
	op->call = r->def;
	pp->r[pp->b.n - 1] = r;
	if (type == VR_CTL_CALL_ADD && ds->restore.n > 0) {
		const struct vr_ctl_call *lt = vr_map_get(&ds->restore, r->def.id);
		unsigned int l;

		for (l = 0; lt != NULL && l < 2; l++) {
			if (!(lt->leg[l].flags & VR_CTL_LEG_F_LATCHED))
				continue;
			op->call.leg[l].flags |= VR_CTL_LEG_F_LATCHED;
			op->call.leg[l].latch_ip = lt->leg[l].latch_ip;
			op->call.leg[l].latch_port = lt->leg[l].latch_port;
			op->call.leg[l].latch_rtcp_port = lt->leg[l].latch_rtcp_port;
			op->call.leg[l].latch_ssrc = lt->leg[l].latch_ssrc;
			op->call.leg[l].latch_seq = lt->leg[l].latch_seq;
		}
	}
	return 0;
}

/* Unbinds call id (why: for its end record), batched. */
static int
pipe_unbind(struct vr_dpsync *ds, struct pipe *pp, const char *id, const char *why)
{
	struct vr_ctl_batch_op *op = pipe_next(ds, pp);

	if (op == NULL)
		return -1;
	op->type = VR_CTL_CALL_DEL;
	snprintf(op->call.id, sizeof(op->call.id), "%s", id);
	pp->why[pp->b.n - 1] = why;
	return 0;
}

int
vr_dpsync_release(struct vr_dpsync *ds)
{
	static struct pipe pp;
	struct vr_map_slot *s;
	size_t i = 0;
	int n = 0;

	if (!ds->up)
		return -1;
	pp.b.n = 0;
	pp.changes = 0;
	while ((s = vr_map_next(&ds->held, &i)) != NULL) {
		if (pipe_unbind(ds, &pp, s->key, "accepted_missing") < 0)
			return -1;
		n++;
	}
	if (pipe_flush(ds, &pp) < 0)
		return -1;
	i = 0;
	while ((s = vr_map_next(&ds->held, &i)) != NULL)
		free(s->val);
	vr_map_free(&ds->held);
	ds->held_since_ms = 0;
	vr_log(LOG_WARNING, "held calls released: %d unbound", n);
	return n;
}

int
vr_dpsync_apply(struct vr_dpsync *ds, struct vr_model *m, const struct vr_map *deleted)
{
	struct vr_map_slot *s;
	struct vr_map gone = { 0 }, absent = { 0 }, moved = { 0 };
	static struct pipe pp;
	size_t i = 0;
	int changes = 0, rc;
	uint64_t add0 = ds->n_add, mod0 = ds->n_mod, del0 = ds->n_del;

	if (!ds->up)
		return -1;
	pp.b.n = 0;
	rc = sbcs_set(ds, m);
	if (rc < 0)
		return -1;
	changes += rc;
	rc = rebind_held(ds);
	if (rc < 0)
		return -1;
	changes += rc;
	/* Deletions first: they may free ports that additions need. */
	while ((s = vr_map_next(&ds->programmed, &i)) != NULL) {
		struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], s->key);

		if (r != NULL)
			unhold(ds, s->key);
		if (r == NULL && vr_map_get(&ds->held, s->key) != NULL)
			continue;
		if (r == NULL && deleted != NULL && vr_map_get(deleted, s->key) != NULL)
			vr_map_put(&gone, s->key, s->val);
		else if (r == NULL)
			vr_map_put(&absent, s->key, s->val);
		else if (!r->ok)
			vr_map_put(&gone, s->key, s->val);
		else if (here(ds, &r->def) == 0)
			vr_map_put(&moved, s->key, s->val);
	}
	hold_or_drop(ds, &absent, &gone);
	vr_map_free(&absent);
	i = 0;
	pp.changes = changes;
	while ((s = vr_map_next(&gone, &i)) != NULL) {
		if (pipe_unbind(ds, &pp, s->key,
				end_reason(vr_map_get(&m->recs[VR_REC_CALL], s->key))) < 0) {
			vr_map_free(&gone);
			vr_map_free(&moved);
			return -1;
		}
	}
	vr_map_free(&gone);
	i = 0;
	while ((s = vr_map_next(&moved, &i)) != NULL) {
		if (pipe_unbind(ds, &pp, s->key, "moved") < 0) {
			vr_map_free(&moved);
			return -1;
		}
	}
	vr_map_free(&moved);
	/* The unbinds' replies first: they may free ports that additions need. */
	if (pipe_flush(ds, &pp) < 0)
		return -1;
	i = 0;
	while ((s = vr_map_next(&m->recs[VR_REC_CALL], &i)) != NULL) {
		struct vr_rec *r = s->val;
		struct vr_ctl_call *p;

		if (!r->ok || here(ds, &r->def) != 1)
			continue;
		p = vr_map_get(&ds->programmed, s->key);
		if (p != NULL && memcmp(p, &r->def, sizeof(*p)) == 0)
			continue;
		if (pipe_call(ds, &pp, p == NULL ? VR_CTL_CALL_ADD : VR_CTL_CALL_MOD, r) < 0)
			return -1;
	}
	if (pipe_flush(ds, &pp) < 0)
		return -1;
	changes = pp.changes;
	log_rest(ds, changes, add0, mod0, del0);
	/* Every call of the model was sent: what is left was not valid any more. */
	vr_map_free(&ds->was_bound);
	rc = sbcs_del(ds, m);
	if (rc < 0)
		return -1;
	return changes + rc;
}

int
vr_dpsync_apply_ids(struct vr_dpsync *ds, struct vr_model *m, const struct vr_map *touched)
{
	static struct pipe pp;
	struct vr_map_slot *s;
	size_t i = 0;
	int changes, pass;
	uint64_t add0 = ds->n_add, mod0 = ds->n_mod, del0 = ds->n_del;

	if (!ds->up)
		return -1;
	/* Deletions first (their replies read before any addition is sent):
	 * they may free ports that additions need. */
	pp.b.n = 0;
	pp.changes = 0;
	for (pass = 0; pass < 2; pass++) {
		i = 0;
		while ((s = vr_map_next(touched, &i)) != NULL) {
			struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], s->key);
			struct vr_ctl_call *p = vr_map_get(&ds->programmed, s->key);
			int where = r != NULL && r->ok ? here(ds, &r->def) : 1;
			int want = r != NULL && r->ok && where == 1;

			/* A held call whose record is still missing stays as it is. */
			if (r == NULL && vr_map_get(&ds->held, s->key) != NULL)
				continue;
			if (r != NULL)
				unhold(ds, s->key);
			/* Not known yet whether its address is ours: left as it is. */
			if (where < 0)
				continue;
			if (pass == 0 && !want && p != NULL && pipe_unbind(ds, &pp, s->key,
					r != NULL && r->ok ? "moved" : end_reason(r)) < 0)
				return -1;
			if (pass == 1 && want && (p == NULL || memcmp(p, &r->def, sizeof(*p)) != 0) &&
					pipe_call(ds, &pp, p == NULL ? VR_CTL_CALL_ADD : VR_CTL_CALL_MOD,
						r) < 0)
				return -1;
		}
		if (pipe_flush(ds, &pp) < 0)
			return -1;
	}
	changes = pp.changes;
	log_rest(ds, changes, add0, mod0, del0);
	return changes;
}
