/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel legs (tunleg.h): runs on the main lcore only (from calls.c when a
 * call with a tunnel leg is bound, rebound or freed, and from sbc.c when an
 * SBC's keys change), the single writer of every struct vr_tun_leg's key
 * slots, of the registry dp->tun_legs and of the used-keys table. The
 * call's owner lcore uses a leg's sessions (tunnel.c): a slot is marked
 * invalid first, and its sessions freed only after a grace period.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "dp.h"
#include "sbc.h"
#include "tunleg.h"
#include "tuntab.h"

/*
 * The table of keys that tunnel legs used since start, by (master key,
 * channel, the call's epoch): four times --max-calls (at least 4,096) of
 * the newest. A leg bound again with those (a PBX that reuses an epoch, or
 * writes back a call it deleted, or the key moved to another SBC id) would
 * start its index state over under the same keys. An entry is made when a
 * leg is bound, for each of its keys, and when a bound leg gets a new key.
 */
static int
used_init(struct vr_dp *dp)
{
	struct rte_hash_parameters hp = {
		.name = "vr_used_legs",
		.key_len = 3 * sizeof(uint64_t),
		.socket_id = (int)rte_socket_id(),
	};

	dp->n_used_max = RTE_MAX(4096u, 4 * dp->cfg.max_calls);
	hp.entries = dp->n_used_max + 1;
	dp->used_legs = rte_hash_create(&hp);
	dp->used_ring = rte_zmalloc("vr_used_ring", sizeof(*dp->used_ring) * dp->n_used_max, 0);
	return dp->used_legs != NULL && dp->used_ring != NULL ? 0 : -ENOMEM;
}

/* Whether key k was used on channel under the call's epoch since start. */
static int
used(struct vr_dp *dp, const struct vr_srtp_key *k, uint32_t channel, uint64_t a_epoch)
{
	uint64_t x[3] = { vr_srtp_key_print(k), channel, a_epoch };

	return rte_hash_lookup(dp->used_legs, x) >= 0;
}

/* Remembers key k as used on t's channel and epoch, forgetting the oldest when full. */
static void
used_add(struct vr_dp *dp, const struct vr_tun_leg *t, const struct vr_srtp_key *k)
{
	uint64_t x[3] = { vr_srtp_key_print(k), t->channel, t->a_epoch };

	if (rte_hash_lookup(dp->used_legs, x) >= 0)
		return;
	if (dp->used_ring[dp->used_next][0] != 0)
		rte_hash_del_key(dp->used_legs, dp->used_ring[dp->used_next]);
	memcpy(dp->used_ring[dp->used_next], x, sizeof(x));
	dp->used_next = (dp->used_next + 1) % dp->n_used_max;
	rte_hash_add_key(dp->used_legs, x);
}

/* t's key in slot j, as a key. */
static struct vr_srtp_key
slot_key(const struct vr_tun_leg *t, unsigned int j)
{
	struct vr_srtp_key k = { .suite = t->suite, .id = t->key_id[j] };

	memcpy(k.master, t->master[j], sizeof(k.master));
	return k;
}

void
vr_tun_leg_bound(struct vr_dp *dp, struct vr_tun_leg *t)
{
	unsigned int j;

	if (t == NULL || t->bound)
		return;
	t->bound = 1;
	for (j = 0; j < 2; j++) {
		if (t->valid[j]) {
			struct vr_srtp_key k = slot_key(t, j);

			used_add(dp, t, &k);
		}
	}
}

void
vr_tun_leg_register(struct vr_dp *dp, uint32_t slot, unsigned int l, struct vr_tun_leg *t)
{
	dp->tun_legs[slot * 2 + l] = t;
	vr_tun_leg_bound(dp, t);
}

int
vr_tun_legs_init(struct vr_dp *dp)
{
	/* Two tunnel legs a call at most, and room for the legs a rebind
	 * replaces while their nodes wait out the grace period. */
	uint32_t n_tun = dp->cfg.max_calls * 2 + 64;
	void *tab;

	dp->tun_legs = rte_zmalloc("vr_tun_legs", sizeof(*dp->tun_legs) * 2 * dp->cfg.max_calls, 0);
	tab = rte_malloc("vr_tun_ft", vr_tuntab_memsize(n_tun), RTE_CACHE_LINE_SIZE);
	dp->tun_ft = tab == NULL ? NULL : vr_tuntab_init(tab, n_tun);
	if (dp->tun_legs == NULL || dp->tun_ft == NULL)
		return -ENOMEM;
	return used_init(dp);
}

void
vr_tun_legs_fini(struct vr_dp *dp)
{
	uint32_t i;

	if (dp->tun_legs != NULL)
		for (i = 0; i < 2 * dp->cfg.max_calls; i++)
			vr_tun_leg_free(dp, dp->tun_legs[i]);
	rte_hash_free(dp->used_legs);
	rte_free(dp->used_ring);
	rte_free(dp->tun_ft);
	rte_free(dp->tun_legs);
	dp->used_legs = NULL;
	dp->used_ring = NULL;
	dp->tun_ft = NULL;
	dp->tun_legs = NULL;
}

/* Frees key slot j's sessions of t (no reader may use them any more). */
static void
slot_free(struct vr_dp *dp, struct vr_tun_leg *t, unsigned int j)
{
	vr_srtp_stream_free(t->rx[j]);
	vr_srtp_stream_free(t->tx[j]);
	t->rx[j] = t->tx[j] = NULL;
	if (dp->use_cdev) {
		vr_csrtp_stream_fini(&dp->cdev, &t->crx[j]);
		vr_csrtp_stream_fini(&dp->cdev, &t->ctx[j]);
	}
}

void
vr_tun_leg_free(struct vr_dp *dp, struct vr_tun_leg *t)
{
	unsigned int k;

	if (t == NULL)
		return;
	for (k = 0; k < 2; k++)
		slot_free(dp, t, k);
	memset(t->master, 0, sizeof(t->master));
	rte_free(t);
}

/* Slot of t that holds key k (same id and bytes), or -1. */
static int
leg_slot_of(const struct vr_tun_leg *t, const struct vr_srtp_key *k)
{
	unsigned int j;

	for (j = 0; j < 2; j++)
		if (t->valid[j] && t->key_id[j] == k->id &&
				memcmp(t->master[j], k->master, sizeof(k->master)) == 0)
			return (int)j;
	return -1;
}

/* Fills a free slot of t with key k's sessions; 0 or -ENOMEM. */
static int
leg_fill(struct vr_dp *dp, struct vr_tun_leg *t, const struct vr_srtp_key *k)
{
	unsigned int j = t->valid[0] ? 1 : 0;

	if (t->valid[j])
		return -ENOSPC;
	slot_free(dp, t, j);
	/* One engine's sessions only: libsrtp's (on NSS) cost grows with every
	 * live session in the process, even unused ones. */
	if (dp->use_cdev) {
		if (vr_csrtp_stream_init(&dp->cdev, &t->crx[j], k, VR_TUN_UP, t->channel, t->epoch,
				0) < 0 ||
				vr_csrtp_stream_init(&dp->cdev, &t->ctx[j], k, VR_TUN_DOWN, t->channel,
					t->epoch, 1) < 0)
			return -ENOMEM;
	} else {
		t->rx[j] = vr_srtp_stream_new(k, VR_TUN_UP, t->channel, t->epoch, 1);
		t->tx[j] = vr_srtp_stream_new(k, VR_TUN_DOWN, t->channel, t->epoch, 0);
		if (t->rx[j] == NULL || t->tx[j] == NULL)
			return -ENOMEM;
	}
	t->key_id[j] = k->id;
	memcpy(t->master[j], k->master, sizeof(t->master[j]));
	if (t->bound)
		used_add(dp, t, k);
	__atomic_store_n(&t->valid[j], 1, __ATOMIC_RELEASE);
	return 0;
}

/* Points t's current slot at the SBC's current key. */
static void
leg_set_cur(struct vr_tun_leg *t, const struct vr_sbc *s)
{
	int j = leg_slot_of(t, &s->key[0]);

	if (j >= 0)
		__atomic_store_n(&t->cur, (uint8_t)j, __ATOMIC_RELEASE);
}

struct vr_tun_leg *
vr_tun_leg_new(struct vr_dp *dp, uint32_t sbc_id, uint32_t channel, uint64_t epoch, char *err,
	size_t errlen)
{
	struct vr_sbc *s = sbc_id <= VR_TUN_SBC_ID_MAX ? dp->sbc[sbc_id] : NULL;
	struct vr_tun_leg *t;
	unsigned int k;

	if (s == NULL) {
		snprintf(err, errlen, "SBC %u is not configured", sbc_id);
		return NULL;
	}
	for (k = 0; k < s->n_keys; k++) {
		if (used(dp, &s->key[k], channel, epoch)) {
			snprintf(err, errlen, "SBC %u channel %u: epoch %llx was an earlier call's "
				"on this channel since voxrelay-dp started, and its keys were used: "
				"give the call a fresh epoch", sbc_id, channel,
				(unsigned long long)epoch);
			return NULL;
		}
	}
	t = rte_zmalloc("vr_tun_leg", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		goto nomem;
	t->sbc_id = sbc_id;
	t->channel = channel;
	t->suite = s->suite;
	t->epoch = (epoch ^ dp->boot_epoch) & VR_TUN_EPOCH_MASK;
	t->a_epoch = epoch;
	t->sbc_row = s->row;
	for (k = 0; k < s->n_keys; k++)
		if (leg_fill(dp, t, &s->key[k]) < 0)
			goto nomem;
	leg_set_cur(t, s);
	t->tx_slot = t->cur;
	return t;
nomem:
	vr_tun_leg_free(dp, t);
	snprintf(err, errlen, "SBC %u channel %u: out of memory for its SRTP sessions", sbc_id,
		channel);
	return NULL;
}

/* The tunnel legs of SBC id (main's registry): calls back fn on each. */
static unsigned int
legs_of(struct vr_dp *dp, uint32_t id, void (*fn)(struct vr_dp *, struct vr_tun_leg *, void *),
	void *arg)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < 2 * dp->cfg.max_calls; i++) {
		struct vr_tun_leg *t = dp->tun_legs[i];

		if (t != NULL && t->sbc_id == id) {
			if (fn != NULL)
				fn(dp, t, arg);
			n++;
		}
	}
	return n;
}

static void
leg_retire(struct vr_dp *dp, struct vr_tun_leg *t, void *arg)
{
	const struct vr_sbc *n = arg;
	unsigned int j;

	for (j = 0; j < 2; j++)
		if (t->valid[j] && !vr_sbc_has_key(n, t->key_id[j], t->master[j]))
			__atomic_store_n(&t->valid[j], 0, __ATOMIC_RELEASE);
}

static void
leg_rekey(struct vr_dp *dp, struct vr_tun_leg *t, void *arg)
{
	const struct vr_sbc *n = arg;
	unsigned int j, k;

	for (j = 0; j < 2; j++)
		if (!t->valid[j])
			slot_free(dp, t, j);
	t->suite = n->suite;
	for (k = 0; k < n->n_keys; k++)
		if (leg_slot_of(t, &n->key[k]) < 0 && leg_fill(dp, t, &n->key[k]) < 0)
			VR_LOG(ERR, "SBC %u channel %u: no SRTP session for key %u", n->id,
				t->channel, n->key[k].id);
	t->sbc_row = n->row;
	leg_set_cur(t, n);
}


unsigned int
vr_tun_legs_count(struct vr_dp *dp, uint32_t sbc_id)
{
	return legs_of(dp, sbc_id, NULL, NULL);
}

void
vr_tun_legs_retire(struct vr_dp *dp, uint32_t sbc_id, const struct vr_sbc *n)
{
	legs_of(dp, sbc_id, leg_retire, (void *)(uintptr_t)n);
}

void
vr_tun_legs_rekey(struct vr_dp *dp, const struct vr_sbc *n)
{
	legs_of(dp, n->id, leg_rekey, (void *)(uintptr_t)n);
}
