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

#include "dpsync.h"
#include "log.h"

static void
forget(struct vr_dpsync *ds)
{
	struct vr_map_slot *s;
	size_t i = 0;

	while ((s = vr_map_next(&ds->programmed, &i)) != NULL)
		free(s->val);
	vr_map_free(&ds->programmed);
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
	if (vr_ctl_connect(&ds->ctl, ds->path, 2000) < 0 ||
			vr_ctl_request(&ds->ctl, VR_CTL_HEALTH, NULL, 0, &h, sizeof(h), NULL) < 0)
		goto fail;
	ds->boot_id = h.boot_id;
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

/* Sends one request; a refusal marks the record. Returns 0, 1 refused, -1 broken. */
static int
send_call(struct vr_dpsync *ds, uint16_t type, struct vr_rec *r)
{
	int rc = vr_ctl_request(&ds->ctl, type, &r->def, sizeof(r->def), NULL, 0, NULL);

	if (rc == 0)
		return 0;
	if (rc == -EPIPE || rc == -ECONNRESET || rc == -EAGAIN || rc == -ENOTCONN ||
			rc == -EBADMSG) {
		ds->up = 0;
		return -1;
	}
	r->ok = 0;
	snprintf(r->error, sizeof(r->error), "call:%s: the dataplane refused it: %s",
		r->def.id, ds->ctl.error);
	ds->n_fail++;
	return 1;
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

int
vr_dpsync_apply(struct vr_dpsync *ds, struct vr_model *m)
{
	struct vr_map_slot *s;
	struct vr_ctl_call_ref ref;
	struct vr_map gone = { 0 };
	size_t i = 0;
	int changes = 0, rc;
	uint64_t add0 = ds->n_add, mod0 = ds->n_mod, del0 = ds->n_del;

	if (!ds->up)
		return -1;
	/* Deletions first: they may free ports that additions need. */
	while ((s = vr_map_next(&ds->programmed, &i)) != NULL) {
		struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], s->key);

		if (r == NULL || !r->ok)
			vr_map_put(&gone, s->key, s->val);
	}
	i = 0;
	while ((s = vr_map_next(&gone, &i)) != NULL) {
		memset(&ref, 0, sizeof(ref));
		snprintf(ref.id, sizeof(ref.id), "%s", s->key);
		rc = vr_ctl_request(&ds->ctl, VR_CTL_CALL_DEL, &ref, sizeof(ref), NULL, 0, NULL);
		if (rc < 0 && rc != -ENOENT) {
			ds->up = 0;
			vr_map_free(&gone);
			return -1;
		}
		free(vr_map_del(&ds->programmed, s->key));
		ds->n_del++;
		changes++;
		if (changes <= LOG_EACH)
			vr_log(LOG_INFO, "call %s unbound", ref.id);
	}
	vr_map_free(&gone);
	i = 0;
	while ((s = vr_map_next(&m->recs[VR_REC_CALL], &i)) != NULL) {
		struct vr_rec *r = s->val;
		struct vr_ctl_call *p;

		if (!r->ok)
			continue;
		p = vr_map_get(&ds->programmed, s->key);
		if (p != NULL && memcmp(p, &r->def, sizeof(*p)) == 0)
			continue;
		rc = send_call(ds, p == NULL ? VR_CTL_CALL_ADD : VR_CTL_CALL_MOD, r);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			vr_log(LOG_WARNING, "%s", r->error);
			continue;
		}
		if (p == NULL)
			ds->n_add++;
		else
			ds->n_mod++;
		if (changes < LOG_EACH)
			vr_log(LOG_INFO, "call %s %s", r->def.id, p == NULL ? "bound" : "rebound");
		remember(ds, &r->def);
		changes++;
	}
	log_rest(ds, changes, add0, mod0, del0);
	return changes;
}

int
vr_dpsync_apply_ids(struct vr_dpsync *ds, struct vr_model *m, const struct vr_map *touched)
{
	struct vr_ctl_call_ref ref;
	struct vr_map_slot *s;
	size_t i = 0;
	int changes = 0, pass, rc;
	uint64_t add0 = ds->n_add, mod0 = ds->n_mod, del0 = ds->n_del;

	if (!ds->up)
		return -1;
	/* Deletions first: they may free ports that additions need. */
	for (pass = 0; pass < 2; pass++) {
		i = 0;
		while ((s = vr_map_next(touched, &i)) != NULL) {
			struct vr_rec *r = vr_map_get(&m->recs[VR_REC_CALL], s->key);
			struct vr_ctl_call *p = vr_map_get(&ds->programmed, s->key);
			int want = r != NULL && r->ok;

			if (pass == 0 && !want && p != NULL) {
				memset(&ref, 0, sizeof(ref));
				snprintf(ref.id, sizeof(ref.id), "%s", s->key);
				rc = vr_ctl_request(&ds->ctl, VR_CTL_CALL_DEL, &ref, sizeof(ref), NULL,
					0, NULL);
				if (rc < 0 && rc != -ENOENT) {
					ds->up = 0;
					return -1;
				}
				free(vr_map_del(&ds->programmed, s->key));
				ds->n_del++;
				changes++;
				if (changes <= LOG_EACH)
			vr_log(LOG_INFO, "call %s unbound", ref.id);
			}
			if (pass == 1 && want && (p == NULL || memcmp(p, &r->def, sizeof(*p)) != 0)) {
				rc = send_call(ds, p == NULL ? VR_CTL_CALL_ADD : VR_CTL_CALL_MOD, r);
				if (rc < 0)
					return -1;
				if (rc > 0) {
					vr_log(LOG_WARNING, "%s", r->error);
					continue;
				}
				if (p == NULL)
					ds->n_add++;
				else
					ds->n_mod++;
				if (changes < LOG_EACH)
			vr_log(LOG_INFO, "call %s %s", r->def.id, p == NULL ? "bound" : "rebound");
				remember(ds, &r->def);
				changes++;
			}
		}
	}
	log_rest(ds, changes, add0, mod0, del0);
	return changes;
}
