/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binds, rebinds and unbinds calls: the only writer of the flow table. Runs on
 * the main lcore (from ctl.c). A call is applied whole or not at all: every
 * check is made before the first pointer is published. Workers keep reading
 * the table throughout; what is unlinked is freed, and a call slot reused,
 * only after rte_rcu_qsbr_synchronize() has seen every worker pass a
 * quiescent point. Writes the header part of the call's shm slot (under its
 * seq) and zeroes the flows' state before they are bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ctlmsg.h"
#include "dp.h"

int
vr_calls_init(struct vr_dp *dp)
{
	struct rte_hash_parameters hp = {
		.name = "vr_call_ids",
		.entries = dp->cfg.max_calls < 8 ? 8 : dp->cfg.max_calls,
		.key_len = VR_CALL_ID_MAX,
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	uint32_t i;

	dp->call_ids = rte_hash_create(&hp);
	dp->slot_call = rte_zmalloc("vr_slot_call", sizeof(*dp->slot_call) * dp->cfg.max_calls, 0);
	dp->free_slots = rte_malloc("vr_free_slots", sizeof(uint32_t) * dp->cfg.max_calls, 0);
	dp->priv = rte_zmalloc("vr_flow_priv", sizeof(*dp->priv) * 4 * dp->cfg.max_calls, 0);
	if (dp->call_ids == NULL || dp->slot_call == NULL || dp->free_slots == NULL ||
			dp->priv == NULL)
		return -ENOMEM;
	/* Hand out low slots first: readers scanning the region stop early. */
	for (i = 0; i < dp->cfg.max_calls; i++)
		dp->free_slots[i] = dp->cfg.max_calls - 1 - i;
	dp->n_free = dp->cfg.max_calls;
	return 0;
}

static void
call_free(struct vr_call *c)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		rte_free(c->flows[i]);
	rte_free(c);
}

void
vr_calls_fini(struct vr_dp *dp)
{
	uint32_t i;

	if (dp->slot_call != NULL)
		for (i = 0; i < dp->cfg.max_calls; i++)
			if (dp->slot_call[i] != NULL)
				call_free(dp->slot_call[i]);
	rte_hash_free(dp->call_ids);
	rte_free(dp->slot_call);
	rte_free(dp->free_slots);
	rte_free(dp->priv);
	dp->call_ids = NULL;
	dp->slot_call = NULL;
	dp->free_slots = NULL;
	dp->priv = NULL;
}

static void
key_of(const char *id, char key[VR_CALL_ID_MAX])
{
	memset(key, 0, VR_CALL_ID_MAX);
	snprintf(key, VR_CALL_ID_MAX, "%s", id);
}

struct vr_call *
vr_calls_find(struct vr_dp *dp, const char *id)
{
	char key[VR_CALL_ID_MAX];
	void *data;

	key_of(id, key);
	if (rte_hash_lookup_data(dp->call_ids, key, &data) < 0)
		return NULL;
	return data;
}

/* The flow-table cell of leg l's RTP (rtcp = 0) or RTCP port. */
static struct vr_flow **
cell(struct vr_dp *dp, const struct vr_ctl_leg *l, unsigned int rtcp)
{
	int a = vr_addr_index(dp, l->addr);

	return &dp->ft[(uint32_t)a * dp->n_ports + l->port + rtcp - dp->cfg.port_lo];
}

/*
 * Checks that the ports def needs are free or held by call self (may be
 * NULL). Returns 0 or -EADDRINUSE with err naming the port and its holder.
 */
static int
check_ports_free(struct vr_dp *dp, const struct vr_ctl_call *def, const struct vr_call *self,
	char *err, size_t errlen)
{
	char a[INET_ADDRSTRLEN];
	struct vr_flow *f;
	unsigned int l, r;

	for (l = 0; l < 2; l++) {
		for (r = 0; r < 2; r++) {
			f = *cell(dp, &def->leg[l], r);
			if (f == NULL || (self != NULL && f->slot == self->slot))
				continue;
			inet_ntop(AF_INET, &def->leg[l].addr, a, sizeof(a));
			snprintf(err, errlen, "call '%s' leg %c: port %u on %s is bound to call '%s'",
				def->id, 'a' + l, def->leg[l].port + r, a,
				dp->slot_call[f->slot]->def.id);
			return -EADDRINUSE;
		}
	}
	return 0;
}

/* Builds the four flows of call c (slot, owner and gen set) from def. */
static int
flows_build(struct vr_dp *dp, struct vr_call *c, const struct vr_ctl_call *def,
	struct vr_flow *out[4])
{
	uint64_t now = rte_rdtsc();
	uint32_t window = def->learn_window_ms != 0 ? def->learn_window_ms :
		dp->cfg.learn_window_ms;
	uint32_t rate = def->clock_rate != 0 ? def->clock_rate : 8000;
	struct vr_shm_call *sc = &dp->shm_calls[c->slot];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		out[i] = rte_zmalloc("vr_flow", sizeof(struct vr_flow), RTE_CACHE_LINE_SIZE);
		if (out[i] == NULL) {
			while (i-- > 0)
				rte_free(out[i]);
			return -ENOMEM;
		}
	}
	for (i = 0; i < 4; i++) {
		const struct vr_ctl_leg *l = &def->leg[i / 2];
		struct vr_flow *f = out[i];

		f->rule.learn_deadline_tsc = now + dp->tsc_hz / 1000 * window;
		f->rule.relatch_pkts = (uint16_t)dp->cfg.relatch_pkts;
		if (l->flags & VR_CTL_LEG_F_EXPECT) {
			f->rule.expect_ip = l->expect_ip;
			/* The block covers RTP and RTCP; a lone port means RTP there, RTCP + 1. */
			f->rule.expect_lo = l->expect_lo;
			f->rule.expect_hi = l->expect_hi;
			if (l->expect_lo != 0 && l->expect_lo == l->expect_hi && (i & 1)) {
				f->rule.expect_lo++;
				f->rule.expect_hi++;
			}
		}
		f->st = &sc->flow[i];
		f->priv = &dp->priv[c->slot * 4 + i];
		f->out_st = &sc->flow[i ^ 2];
		f->partner = out[i ^ 2];
		f->sibling = out[i ^ 1];
		f->clock_mult = (uint64_t)(((unsigned __int128)rate << 40) / dp->tsc_hz);
		f->local_ip = l->addr;
		f->local_port = htons(l->port + (i & 1));
		f->out_ip = def->leg[(i ^ 2) / 2].addr;
		f->out_port = htons(def->leg[(i ^ 2) / 2].port + (i & 1));
		f->owner = c->owner;
		f->gen = c->gen;
		f->slot = c->slot;
		f->slot_seq = __atomic_load_n(&sc->seq, __ATOMIC_RELAXED);
		f->fidx = (uint8_t)i;
		f->is_rtcp = i & 1;
	}
	return 0;
}

/* Writes the control-owned part of slot c->slot; zeroes the flows if fresh. */
static void
slot_write(struct vr_dp *dp, struct vr_call *c, int fresh)
{
	struct vr_shm_call *sc = &dp->shm_calls[c->slot];
	struct timespec ts;
	unsigned int i;

	__atomic_store_n(&sc->seq, sc->seq + 1, __ATOMIC_RELEASE);
	rte_smp_wmb();
	if (fresh) {
		memset(sc->flow, 0, sizeof(sc->flow));
		memset(&dp->priv[c->slot * 4], 0, 4 * sizeof(*dp->priv));
		clock_gettime(CLOCK_REALTIME, &ts);
		sc->bound_unix_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		for (i = 0; i < 4; i++)
			sc->flow[i].clock_rate = c->def.clock_rate != 0 ? c->def.clock_rate : 8000;
	}
	snprintf(sc->id, sizeof(sc->id), "%s", c->def.id);
	sc->state = VR_SHM_CALL_BOUND;
	sc->owner = c->owner;
	sc->bound_tsc = rte_rdtsc();
	for (i = 0; i < 2; i++) {
		const struct vr_ctl_leg *l = &c->def.leg[i];

		sc->leg[i].addr = l->addr;
		sc->leg[i].port = l->port;
		sc->leg[i].expect_ip = (l->flags & VR_CTL_LEG_F_EXPECT) ? l->expect_ip : 0;
		sc->leg[i].expect_lo = (l->flags & VR_CTL_LEG_F_EXPECT) ? l->expect_lo : 0;
		sc->leg[i].expect_hi = (l->flags & VR_CTL_LEG_F_EXPECT) ? l->expect_hi : 0;
	}
	rte_smp_wmb();
	__atomic_store_n(&sc->seq, sc->seq + 1, __ATOMIC_RELEASE);
}

/* Frees slot after its flows are unreachable (the caller synchronized). */
static void
slot_release(struct vr_dp *dp, uint32_t slot)
{
	struct vr_shm_call *sc = &dp->shm_calls[slot];

	__atomic_store_n(&sc->seq, sc->seq + 1, __ATOMIC_RELEASE);
	rte_smp_wmb();
	sc->state = VR_SHM_CALL_FREE;
	memset(sc->id, 0, sizeof(sc->id));
	memset(sc->leg, 0, sizeof(sc->leg));
	memset(sc->flow, 0, sizeof(sc->flow));
	rte_smp_wmb();
	__atomic_store_n(&sc->seq, sc->seq + 1, __ATOMIC_RELEASE);
	dp->slot_call[slot] = NULL;
	dp->free_slots[dp->n_free++] = slot;
}

static void
publish(struct vr_dp *dp, const struct vr_ctl_call *def, struct vr_flow *const flows[4])
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		__atomic_store_n(cell(dp, &def->leg[i / 2], i & 1), flows[i], __ATOMIC_RELEASE);
}

static int
same_ports(const struct vr_ctl_call *a, const struct vr_ctl_call *b)
{
	return a->leg[0].addr == b->leg[0].addr && a->leg[0].port == b->leg[0].port &&
		a->leg[1].addr == b->leg[1].addr && a->leg[1].port == b->leg[1].port;
}

int
vr_calls_add(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen)
{
	char key[VR_CALL_ID_MAX];
	struct vr_call *c;
	int rc;

	rc = vr_ctl_check_call(&dp->cfg, def, err, errlen);
	if (rc < 0)
		return rc;
	c = vr_calls_find(dp, def->id);
	if (c != NULL) {
		if (memcmp(&c->def, def, sizeof(*def)) == 0)
			return 0;
		snprintf(err, errlen, "call '%s' already exists with other legs (use mod)", def->id);
		return -EEXIST;
	}
	rc = check_ports_free(dp, def, NULL, err, errlen);
	if (rc < 0)
		return rc;
	if (dp->n_free == 0) {
		snprintf(err, errlen, "call '%s': all %u call slots are in use (--max-calls)",
			def->id, dp->cfg.max_calls);
		return -ENOSPC;
	}
	c = rte_zmalloc("vr_call", sizeof(*c), 0);
	if (c == NULL)
		goto nomem;
	c->def = *def;
	c->slot = dp->free_slots[dp->n_free - 1];
	c->owner = (uint16_t)(dp->next_owner++ % dp->n_workers);
	slot_write(dp, c, 1);
	if (flows_build(dp, c, def, c->flows) < 0)
		goto nomem_slot;
	key_of(def->id, key);
	if (rte_hash_add_key_data(dp->call_ids, key, c) < 0) {
		call_free(c);
		c = NULL;
		goto nomem_slot;
	}
	dp->n_free--;
	dp->slot_call[c->slot] = c;
	publish(dp, def, c->flows);
	__atomic_store_n(&dp->shm->n_calls, dp->shm->n_calls + 1, __ATOMIC_RELAXED);
	return 0;
nomem_slot:
	rte_free(c);
nomem:
	snprintf(err, errlen, "call '%s': out of memory", def->id);
	return -ENOMEM;
}

/*
 * Rebinds call id to def. With the same relay ports the call keeps its slot,
 * counters and latches (a latch the new rule forbids is dropped by the owner
 * lcore); with other ports it moves to a fresh slot and starts counting anew.
 */
int
vr_calls_mod(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen)
{
	struct vr_flow *flows[4], *old[4];
	char key[VR_CALL_ID_MAX];
	struct vr_call *c, *n;
	unsigned int i;
	int rc;

	rc = vr_ctl_check_call(&dp->cfg, def, err, errlen);
	if (rc < 0)
		return rc;
	c = vr_calls_find(dp, def->id);
	if (c == NULL) {
		snprintf(err, errlen, "call '%s' does not exist", def->id);
		return -ENOENT;
	}
	rc = check_ports_free(dp, def, c, err, errlen);
	if (rc < 0)
		return rc;
	memcpy(old, c->flows, sizeof(old));
	if (same_ports(&c->def, def)) {
		struct vr_call tmp = *c;

		/* The slot's seq moves in slot_write: build the flows after it. */
		tmp.def = *def;
		tmp.gen = c->gen + 1;
		slot_write(dp, &tmp, 0);
		if (flows_build(dp, &tmp, def, flows) < 0) {
			slot_write(dp, c, 0);
			goto nomem;
		}
		c->def = *def;
		c->gen = tmp.gen;
		memcpy(c->flows, flows, sizeof(flows));
		publish(dp, def, flows);
		rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
		for (i = 0; i < 4; i++)
			rte_free(old[i]);
		return 0;
	}
	if (dp->n_free == 0) {
		snprintf(err, errlen, "call '%s': no free call slot to move it to (--max-calls)",
			def->id);
		return -ENOSPC;
	}
	n = rte_zmalloc("vr_call", sizeof(*n), 0);
	if (n == NULL)
		goto nomem;
	n->def = *def;
	n->slot = dp->free_slots[dp->n_free - 1];
	n->owner = c->owner;
	slot_write(dp, n, 1);
	if (flows_build(dp, n, def, n->flows) < 0) {
		rte_free(n);
		goto nomem;
	}
	dp->n_free--;
	dp->slot_call[n->slot] = n;
	/* Bind the new ports first, then unbind the old ones the call no longer uses. */
	publish(dp, def, n->flows);
	for (i = 0; i < 4; i++) {
		struct vr_flow **oc = cell(dp, &c->def.leg[i / 2], i & 1);

		if (*oc == old[i])
			__atomic_store_n(oc, NULL, __ATOMIC_RELEASE);
	}
	key_of(def->id, key);
	rte_hash_add_key_data(dp->call_ids, key, n);
	rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
	slot_release(dp, c->slot);
	call_free(c);
	return 0;
nomem:
	snprintf(err, errlen, "call '%s': out of memory", def->id);
	return -ENOMEM;
}

int
vr_calls_del(struct vr_dp *dp, const char *id, char *err, size_t errlen)
{
	char key[VR_CALL_ID_MAX];
	struct vr_call *c;
	unsigned int i;

	c = vr_calls_find(dp, id);
	if (c == NULL) {
		snprintf(err, errlen, "call '%s' does not exist", id);
		return -ENOENT;
	}
	for (i = 0; i < 4; i++)
		__atomic_store_n(cell(dp, &c->def.leg[i / 2], i & 1), NULL, __ATOMIC_RELEASE);
	key_of(id, key);
	rte_hash_del_key(dp->call_ids, key);
	rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
	slot_release(dp, c->slot);
	call_free(c);
	__atomic_store_n(&dp->shm->n_calls, dp->shm->n_calls - 1, __ATOMIC_RELAXED);
	return 0;
}
