/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Binds, rebinds and unbinds calls: the only writer of the flow table. Runs on
 * the main lcore (from ctl.c). A call is applied whole or not at all: every
 * check is made before the first pointer is published. Workers keep reading
 * the table throughout; what is unlinked is freed, and a call slot reused,
 * only after every worker passed a quiescent point: it goes on an RCU defer
 * queue (rte_rcu_qsbr_dq), which the main lcore's loop drains, so that an
 * unbind never waits for a grace period (ARP, hellos and the control socket
 * go on meanwhile) and a bulk delete pays one wait, not one per call. Writes
 * the header part of the call's shm slot (under its seq) and zeroes the
 * flows' state before they are bound. A tunnel leg (a channel of an SBC's
 * tunnel) has no cell of its own: its RTP flow is found by (SBC, channel) in
 * dp->tun_ft (tuntab.c), and its SRTP state (tunleg.c) follows the call when it
 * is rebound to the same channel.
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
#include "calls.h"
#include "dp.h"
#include "flow.h"
#include "tunleg.h"
#include "tuntab.h"

/*
 * Unlinked calls freed at most per reclaim (each pass of the main loop and
 * each control request): freeing one costs a few rte_free()s, so a bulk
 * delete's backlog is spread over passes instead of pausing one.
 */
#define VR_RECLAIM_MAX 32

/* What an unbind or a rebind unlinked, freed once no worker can hold it. */
struct vr_retired {
	struct vr_call *call;       /* unbound: its flows, tunnel legs and slot; or NULL */
	struct vr_flow *flows[4];   /* a rebind on the same ports: the flows it replaced */
	int32_t pos[2];             /* tunnel-table positions to give back, or -1 */
};

static void retired_free(void *p, void *e, unsigned int n);
static void retire(struct vr_dp *dp, struct vr_retired *r);

int
vr_calls_init(struct vr_dp *dp)
{
	struct rte_rcu_qsbr_dq_parameters dq = {
		.name = "vr_retired",
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,   /* the main lcore only */
		.size = dp->cfg.max_calls + 64,
		.esize = sizeof(struct vr_retired),
		/* Entries are freed by vr_calls_reclaim() from the main loop, and by
		 * an enqueue that finds the queue this full. */
		.trigger_reclaim_limit = dp->cfg.max_calls / 2 + 32,
		.max_reclaim_size = VR_RECLAIM_MAX,
		.free_fn = retired_free,
		.p = dp,
		.v = dp->qs,
	};
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
	if (dp->call_ids == NULL || dp->slot_call == NULL || dp->free_slots == NULL)
		return -ENOMEM;
	/* Hand out low slots first: readers scanning the region stop early. */
	for (i = 0; i < dp->cfg.max_calls; i++)
		dp->free_slots[i] = dp->cfg.max_calls - 1 - i;
	dp->n_free = dp->cfg.max_calls;
	dp->retired = rte_rcu_qsbr_dq_create(&dq);
	if (dp->retired == NULL)
		return -ENOMEM;
	return 0;
}

void
vr_calls_reclaim(struct vr_dp *dp)
{
	if (dp->retired != NULL)
		rte_rcu_qsbr_dq_reclaim(dp->retired, VR_RECLAIM_MAX, NULL, NULL, NULL);
}

static int
is_tun(const struct vr_ctl_leg *l)
{
	return (l->flags & VR_CTL_LEG_F_TUNNEL) != 0;
}

static uint64_t
tun_key(const struct vr_ctl_leg *l)
{
	return (uint64_t)l->sbc_id << 32 | l->channel;
}

/* Frees c, its flows and the tunnel state it still holds (after a grace period). */
static void
call_free(struct vr_dp *dp, struct vr_call *c)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		rte_free(c->flows[i]);
	for (i = 0; i < 2; i++)
		vr_tun_leg_free(dp, c->tun[i]);
	rte_free(c);
}

void
vr_calls_fini(struct vr_dp *dp)
{
	uint32_t i;

	/* The workers have stopped: whatever waits on the defer queue goes now. */
	if (dp->retired != NULL)
		rte_rcu_qsbr_dq_delete(dp->retired);
	dp->retired = NULL;
	if (dp->slot_call != NULL) {
		for (i = 0; i < dp->cfg.max_calls; i++) {
			if (dp->slot_call[i] == NULL)
				continue;
			/* tunleg.c frees the tunnel legs it registered. */
			dp->slot_call[i]->tun[0] = dp->slot_call[i]->tun[1] = NULL;
			call_free(dp, dp->slot_call[i]);
		}
	}
	rte_hash_free(dp->call_ids);
	rte_free(dp->slot_call);
	rte_free(dp->free_slots);
	dp->call_ids = NULL;
	dp->slot_call = NULL;
	dp->free_slots = NULL;
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
		if (is_tun(&def->leg[l])) {
			f = vr_tuntab_lookup(dp->tun_ft, tun_key(&def->leg[l]));
			if (f == NULL)
				continue;
			if (self != NULL && f->slot == self->slot)
				continue;
			snprintf(err, errlen, "call '%s' leg %c: SBC %u channel %u is bound to call '%s'",
				def->id, 'a' + l, def->leg[l].sbc_id, def->leg[l].channel,
				dp->slot_call[f->slot]->def.id);
			return -EADDRINUSE;
		}
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
		f->priv = vr_flow_priv(dp, c->slot, i);
		f->tun = c->tun[i / 2];
		f->out_tun = c->tun[(i ^ 2) / 2];
		f->partner = out[i ^ 2];
		f->sibling = out[i ^ 1];
		f->clock_mult = (uint64_t)(((unsigned __int128)rate << 40) / dp->tsc_hz);
		f->local_ip = l->addr;
		f->local_port = is_tun(l) ? htons(dp->cfg.tunnel_port) : htons(l->port + (i & 1));
		f->out_ip = def->leg[(i ^ 2) / 2].addr;
		f->out_port = is_tun(&def->leg[(i ^ 2) / 2]) ? htons(dp->cfg.tunnel_port) :
			htons(def->leg[(i ^ 2) / 2].port + (i & 1));
		f->owner = c->owner;
		f->gen = c->gen;
		f->slot = c->slot;
		f->slot_seq = __atomic_load_n(&sc->seq, __ATOMIC_RELAXED);
		f->fidx = (uint8_t)i;
		f->kind = (uint8_t)((i & 1 ? VR_FLOW_RTCP : 0) | (f->tun != NULL ? VR_FLOW_TUN_IN : 0) |
			(f->out_tun != NULL ? VR_FLOW_TUN_OUT : 0));
	}
	return 0;
}

/* A slot's header is rewritten between these two: seq odd, readers retry. */
static void
slot_begin(struct vr_shm_call *sc)
{
	__atomic_store_n(&sc->seq, sc->seq + 1, __ATOMIC_RELEASE);
	rte_smp_wmb();
}

static void
slot_end(struct vr_shm_call *sc)
{
	rte_smp_wmb();
	__atomic_store_n(&sc->seq, sc->seq + 1, __ATOMIC_RELEASE);
}

/* Writes the control-owned part of slot c->slot; zeroes the flows if fresh. */
static void
slot_write(struct vr_dp *dp, struct vr_call *c, int fresh)
{
	struct vr_shm_call *sc = &dp->shm_calls[c->slot];
	struct timespec ts;
	unsigned int i;

	slot_begin(sc);
	if (fresh) {
		memset(sc->flow, 0, sizeof(sc->flow));
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
	slot_end(sc);
}

/*
 * A new call's latches restored as def says (another host recorded them
 * before it failed): its flows start latched, and each flow's destination
 * follows. Main lcore, while slot's flows are not reachable yet.
 */
static void
latch_restore(struct vr_dp *dp, uint32_t slot, const struct vr_ctl_call *def)
{
	struct vr_shm_call *sc = &dp->shm_calls[slot];
	unsigned int l, j, any = 0;

	for (l = 0; l < 2; l++) {
		const struct vr_ctl_leg *g = &def->leg[l];
		struct vr_shm_flow *rtp = &sc->flow[l * 2], *rtcp = &sc->flow[l * 2 + 1];

		if (!(g->flags & VR_CTL_LEG_F_LATCHED))
			continue;
		rtp->peer_ip = g->latch_ip;
		rtp->peer_port = rte_cpu_to_be_16(g->latch_port);
		rtp->ssrc = g->latch_ssrc;
		rtp->rtp_ext_max = g->latch_seq;
		rtp->latch = VR_LATCH_LATCHED;
		if (g->latch_rtcp_port != 0) {
			rtcp->peer_ip = g->latch_ip;
			rtcp->peer_port = rte_cpu_to_be_16(g->latch_rtcp_port);
			rtcp->ssrc = g->latch_ssrc;
			rtcp->latch = VR_LATCH_LATCHED;
		}
		any = 1;
	}
	for (j = 0; any && j < 4; j++)
		vr_flow_dest_refresh(dp, slot, j);
}

/* def without the latches a bind restores once: what the call keeps. */
static struct vr_ctl_call
def_kept(const struct vr_ctl_call *def)
{
	struct vr_ctl_call d = *def;
	unsigned int l;

	for (l = 0; l < 2; l++) {
		d.leg[l].flags &= (uint16_t)~VR_CTL_LEG_F_LATCHED;
		d.leg[l].latch_ip = 0;
		d.leg[l].latch_port = 0;
		d.leg[l].latch_rtcp_port = 0;
		d.leg[l].latch_ssrc = 0;
		d.leg[l].latch_seq = 0;
	}
	return d;
}

/*
 * Slot's call is unbound: readers of the shared memory see it go at once
 * (state RETIRED), but the slot, whose flows workers may still be writing,
 * is freed and reused only after a grace period (slot_release()).
 */
static void
slot_retire(struct vr_dp *dp, uint32_t slot)
{
	struct vr_shm_call *sc = &dp->shm_calls[slot];

	slot_begin(sc);
	sc->state = VR_SHM_CALL_RETIRED;
	slot_end(sc);
	dp->slot_call[slot] = NULL;
}

/* Frees a retired slot after its flows are unreachable (a grace period passed). */
static void
slot_release(struct vr_dp *dp, uint32_t slot)
{
	struct vr_shm_call *sc = &dp->shm_calls[slot];

	slot_begin(sc);
	sc->state = VR_SHM_CALL_FREE;
	memset(sc->id, 0, sizeof(sc->id));
	memset(sc->leg, 0, sizeof(sc->leg));
	memset(sc->flow, 0, sizeof(sc->flow));
	slot_end(sc);
	dp->free_slots[dp->n_free++] = slot;
}

/* Makes flows reachable: a relay port's cells, or a tunnel leg's (SBC, channel). */
static int
publish(struct vr_dp *dp, const struct vr_ctl_call *def, struct vr_flow *const flows[4])
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		const struct vr_ctl_leg *l = &def->leg[i / 2];

		if (!is_tun(l)) {
			__atomic_store_n(cell(dp, l, i & 1), flows[i], __ATOMIC_RELEASE);
		} else if ((i & 1) == 0) {
			/* Setting an existing key replaces its data atomically. */
			if (vr_tuntab_set(dp->tun_ft, tun_key(l), flows[i]) < 0)
				return -ENOSPC;
		}
	}
	return 0;
}

/* Makes leg l of def unreachable unless its flow is no longer old (rebound). */
static int32_t
unpublish_leg(struct vr_dp *dp, const struct vr_ctl_leg *l, struct vr_flow *const old[2])
{
	unsigned int r;

	if (is_tun(l)) {
		if (vr_tuntab_lookup(dp->tun_ft, tun_key(l)) != old[0])
			return -1;
		return vr_tuntab_del(dp->tun_ft, tun_key(l));
	}
	for (r = 0; r < 2; r++) {
		struct vr_flow **oc = cell(dp, l, r);

		if (*oc == old[r])
			__atomic_store_n(oc, NULL, __ATOMIC_RELEASE);
	}
	return -1;
}

/* After the grace period: frees the tunnel-table positions unpublish_leg() left. */
static void
free_positions(struct vr_dp *dp, const int32_t pos[2])
{
	unsigned int l;

	for (l = 0; l < 2; l++)
		if (pos[l] >= 0)
			vr_tuntab_free_position(dp->tun_ft, pos[l]);
}

static int
same_leg(const struct vr_ctl_leg *a, const struct vr_ctl_leg *b)
{
	if (is_tun(a) != is_tun(b))
		return 0;
	if (is_tun(a))
		return a->sbc_id == b->sbc_id && a->channel == b->channel && a->epoch == b->epoch;
	return a->addr == b->addr && a->port == b->port;
}

static int
same_ports(const struct vr_ctl_call *a, const struct vr_ctl_call *b)
{
	return same_leg(&a->leg[0], &b->leg[0]) && same_leg(&a->leg[1], &b->leg[1]);
}

/* Whether t is one of from's tunnel legs (from may be NULL). */
static int
tun_of(const struct vr_call *from, const struct vr_tun_leg *t)
{
	return from != NULL && t != NULL && (from->tun[0] == t || from->tun[1] == t);
}

/*
 * Gives call c the tunnel state its tunnel legs need: taken from call from
 * (may be NULL) when it had the same channel there, else new. 0, or -errno
 * with err filled; on failure c holds nothing new.
 */
static int
tun_attach(struct vr_dp *dp, struct vr_call *c, struct vr_call *from, char *err, size_t errlen)
{
	unsigned int l;

	for (l = 0; l < 2; l++) {
		const struct vr_ctl_leg *leg = &c->def.leg[l];
		unsigned int x;

		if (!is_tun(leg))
			continue;
		/* The same tunnel leg, as leg a or b before: its keys and index
		 * state go on (new state under the same keys would repeat IVs). */
		for (x = 0; from != NULL && x < 2; x++)
			if (from->tun[x] != NULL && same_leg(&from->def.leg[x], leg))
				break;
		if (from != NULL && x < 2) {
			c->tun[l] = from->tun[x];
			continue;
		}
		c->tun[l] = vr_tun_leg_new(dp, leg->sbc_id, leg->channel, leg->epoch, err, errlen);
		if (c->tun[l] == NULL) {
			for (; l-- > 0;)
				if (!tun_of(from, c->tun[l]))
					vr_tun_leg_free(dp, c->tun[l]);
			c->tun[0] = c->tun[1] = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

/* Registers c's tunnel legs under its slot (tunleg.c finds them there on key changes). */
static void
tun_register(struct vr_dp *dp, const struct vr_call *c, int on)
{
	unsigned int l;

	for (l = 0; l < 2; l++)
		vr_tun_leg_register(dp, c->slot, l, on ? c->tun[l] : NULL);
}

int
vr_calls_add(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen)
{
	char key[VR_CALL_ID_MAX];
	struct vr_ctl_call kept;
	struct vr_call *c;
	int rc;

	rc = vr_ctl_check_call(&dp->cfg, def, err, errlen);
	if (rc < 0)
		return rc;
	kept = def_kept(def);
	c = vr_calls_find(dp, def->id);
	if (c != NULL) {
		if (memcmp(&c->def, &kept, sizeof(kept)) == 0)
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
	c->def = kept;
	c->slot = dp->free_slots[dp->n_free - 1];
	c->owner = (uint16_t)(dp->next_owner++ % dp->n_workers);
	rc = tun_attach(dp, c, NULL, err, errlen);
	if (rc < 0) {
		rte_free(c);
		return rc;
	}
	slot_write(dp, c, 1);
	slot_begin(&dp->shm_calls[c->slot]);
	latch_restore(dp, c->slot, def);
	slot_end(&dp->shm_calls[c->slot]);
	if (flows_build(dp, c, def, c->flows) < 0)
		goto nomem_call;
	key_of(def->id, key);
	if (rte_hash_add_key_data(dp->call_ids, key, c) < 0)
		goto nomem_call;
	dp->n_free--;
	dp->slot_call[c->slot] = c;
	tun_register(dp, c, 1);
	if (publish(dp, def, c->flows) < 0)
		VR_LOG(ERR, "call '%s': the tunnel table is full", def->id);
	__atomic_store_n(&dp->shm->n_calls, dp->shm->n_calls + 1, __ATOMIC_RELAXED);
	return 0;
nomem_call:
	call_free(dp, c); /* nothing published: no reader can hold it */
	c = NULL;
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
	struct vr_ctl_call kept;
	int32_t pos[2];
	unsigned int i;
	int rc;

	rc = vr_ctl_check_call(&dp->cfg, def, err, errlen);
	if (rc < 0)
		return rc;
	/* A rebind keeps or learns its latches: restored ones are for a new bind. */
	kept = def_kept(def);
	def = &kept;
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
		if (publish(dp, def, flows) < 0)
			VR_LOG(ERR, "call '%s': the tunnel table is full", def->id);
		retire(dp, &(struct vr_retired){ .flows = { old[0], old[1], old[2], old[3] },
			.pos = { -1, -1 } });
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
	rc = tun_attach(dp, n, c, err, errlen);
	if (rc < 0) {
		rte_free(n);
		return rc;
	}
	slot_write(dp, n, 1);
	if (flows_build(dp, n, def, n->flows) < 0) {
		for (i = 0; i < 2; i++)
			if (tun_of(c, n->tun[i]))
				n->tun[i] = NULL;
		call_free(dp, n);
		goto nomem;
	}
	/* The tunnel state that moved to n (as the same leg or the other) is n's now. */
	for (i = 0; i < 2; i++) {
		if (c->tun[i] != NULL && (n->tun[0] == c->tun[i] || n->tun[1] == c->tun[i]))
			c->tun[i] = NULL;
	}
	dp->n_free--;
	dp->slot_call[n->slot] = n;
	tun_register(dp, c, 0);
	tun_register(dp, n, 1);
	/* Bind the new ports first, then unbind the old ones the call no longer uses. */
	if (publish(dp, def, n->flows) < 0)
		VR_LOG(ERR, "call '%s': the tunnel table is full", def->id);
	for (i = 0; i < 2; i++)
		pos[i] = unpublish_leg(dp, &c->def.leg[i], &old[i * 2]);
	key_of(def->id, key);
	rte_hash_add_key_data(dp->call_ids, key, n);
	slot_retire(dp, c->slot);
	retire(dp, &(struct vr_retired){ .call = c, .pos = { pos[0], pos[1] } });
	return 0;
nomem:
	snprintf(err, errlen, "call '%s': out of memory", def->id);
	return -ENOMEM;
}

/* The defer queue's free function: what r unlinked, a grace period later. */
static void
retired_free(void *p, void *e, unsigned int n)
{
	struct vr_dp *dp = p;
	struct vr_retired *r = e;
	unsigned int i;

	for (; n > 0; n--, r++) {
		free_positions(dp, r->pos);
		if (r->call != NULL) {
			tun_register(dp, r->call, 0);
			slot_release(dp, r->call->slot);
			call_free(dp, r->call);
		}
		for (i = 0; i < 4; i++)
			rte_free(r->flows[i]);
	}
}

/*
 * Frees what r unlinked once every worker passed a quiescent point, without
 * waiting for it: on the defer queue. A full queue (a worker that stopped
 * reporting, with more unbinds than calls waiting) is the one case that
 * waits here.
 */
static void
retire(struct vr_dp *dp, struct vr_retired *r)
{
	if (rte_rcu_qsbr_dq_enqueue(dp->retired, r) == 0)
		return;
	VR_LOG(WARNING, "the RCU defer queue is full: waiting for a grace period");
	rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
	retired_free(dp, r, 1);
}

int
vr_calls_del(struct vr_dp *dp, const char *id, char *err, size_t errlen)
{
	char key[VR_CALL_ID_MAX];
	struct vr_call *c;
	int32_t pos[2];
	unsigned int i;

	c = vr_calls_find(dp, id);
	if (c == NULL) {
		snprintf(err, errlen, "call '%s' does not exist", id);
		return -ENOENT;
	}
	for (i = 0; i < 2; i++)
		pos[i] = unpublish_leg(dp, &c->def.leg[i], &c->flows[i * 2]);
	key_of(id, key);
	rte_hash_del_key(dp->call_ids, key);
	slot_retire(dp, c->slot);
	__atomic_store_n(&dp->shm->n_calls, dp->shm->n_calls - 1, __ATOMIC_RELAXED);
	retire(dp, &(struct vr_retired){ .call = c, .pos = { pos[0], pos[1] } });
	return 0;
}
