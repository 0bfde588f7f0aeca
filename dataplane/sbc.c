/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SBCs and the SRTP state of their tunnel legs: runs on the main lcore only
 * (from ctl.c, calls.c and slowpath.c), the single writer of the SBC table
 * (dp->sbc), of every struct vr_tun_leg's key slots and of the SBC rows in
 * the shared memory. Workers read dp->sbc and use a leg's sessions without
 * locks; a slot is marked invalid, then its sessions are freed only after an
 * RCU grace period, and a replaced struct vr_sbc likewise. The SBCs' hellos
 * are answered in hello.c, with the SBC's own channel-0 sessions made here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ctlmsg.h"
#include "dp.h"
#include "sbc.h"
#include "tuntab.h"

/* n random bytes from the kernel into p; 0 or -EIO. */
static int
random_bytes(void *p, size_t n)
{
	ssize_t got = getrandom(p, n, 0);

	return got == (ssize_t)n ? 0 : -EIO;
}

uint64_t
vr_sbc_random_nonzero(void)
{
	uint64_t v = 0;

	while (v == 0)
		if (random_bytes(&v, sizeof(v)) < 0)
			v = rte_rand();
	return v;
}

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

/* A fingerprint of key k's suite, master key and salt (FNV-1a, 64 bits; never 0). */
static uint64_t
key_print(const struct vr_srtp_key *k)
{
	size_t i, len = vr_srtp_master_len(k->suite);
	uint64_t h = (0xcbf29ce484222325ull ^ k->suite) * 0x100000001b3ull;

	for (i = 0; i < len && i < VR_SRTP_MASTER_MAX; i++)
		h = (h ^ k->master[i]) * 0x100000001b3ull;
	return h != 0 ? h : 1;
}

/* Whether key k was used on channel under the call's epoch since start. */
static int
used(struct vr_dp *dp, const struct vr_srtp_key *k, uint32_t channel, uint64_t a_epoch)
{
	uint64_t x[3] = { key_print(k), channel, a_epoch };

	return rte_hash_lookup(dp->used_legs, x) >= 0;
}

/* Remembers key k as used on t's channel and epoch, forgetting the oldest when full. */
static void
used_add(struct vr_dp *dp, const struct vr_tun_leg *t, const struct vr_srtp_key *k)
{
	uint64_t x[3] = { key_print(k), t->channel, t->a_epoch };

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
vr_sbc_leg_bound(struct vr_dp *dp, struct vr_tun_leg *t)
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
vr_sbc_leg_register(struct vr_dp *dp, uint32_t slot, unsigned int l, struct vr_tun_leg *t)
{
	dp->tun_legs[slot * 2 + l] = t;
	vr_sbc_leg_bound(dp, t);
}

int
vr_sbc_init(struct vr_dp *dp)
{
	/* Two tunnel legs a call at most, and room for the legs a rebind
	 * replaces while their nodes wait out the grace period. */
	uint32_t i, n_tun = dp->cfg.max_calls * 2 + 64;
	void *tab;

	if (vr_srtp_init() < 0) {
		VR_LOG(ERR, "libsrtp did not initialise");
		return -EIO;
	}
	/* This boot's keys are its own: a random epoch, never an earlier boot's
	 * (48 random bits: two boots share one with odds of 2^-48). */
	while ((dp->boot_epoch & VR_TUN_EPOCH_MASK) == 0) {
		if (random_bytes(&dp->boot_epoch, sizeof(dp->boot_epoch)) < 0) {
			VR_LOG(ERR, "no random bytes from the kernel for the tunnel epoch");
			return -EIO;
		}
	}
	dp->boot_epoch &= VR_TUN_EPOCH_MASK;
	dp->sbc = rte_zmalloc("vr_sbc", sizeof(*dp->sbc) * (VR_TUN_SBC_ID_MAX + 1), 0);
	dp->tun_legs = rte_zmalloc("vr_tun_legs", sizeof(*dp->tun_legs) * 2 * dp->cfg.max_calls, 0);
	dp->free_sbc_rows = rte_malloc("vr_sbc_rows", sizeof(uint32_t) * dp->cfg.max_sbcs, 0);
	dp->sbc_addr = rte_zmalloc("vr_sbc_addr", sizeof(*dp->sbc_addr) * dp->cfg.max_sbcs,
		RTE_CACHE_LINE_SIZE);
	tab = rte_malloc("vr_tun_ft", vr_tuntab_memsize(n_tun), RTE_CACHE_LINE_SIZE);
	dp->tun_ft = tab == NULL ? NULL : vr_tuntab_init(tab, n_tun);
	if (dp->sbc == NULL || dp->tun_legs == NULL || dp->free_sbc_rows == NULL ||
			dp->sbc_addr == NULL || dp->tun_ft == NULL)
		return -ENOMEM;
	for (i = 0; i < dp->cfg.max_sbcs; i++)
		dp->free_sbc_rows[i] = dp->cfg.max_sbcs - 1 - i;
	dp->n_free_sbc_rows = dp->cfg.max_sbcs;
	return used_init(dp);
}

static void
sbc_free(struct vr_sbc *s)
{
	unsigned int k;

	if (s == NULL)
		return;
	for (k = 0; k < 2; k++) {
		vr_srtp_stream_free(s->hello_rx[k]);
		vr_srtp_stream_free(s->hello_tx[k]);
	}
	memset(s->key, 0, sizeof(s->key));
	rte_free(s);
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
vr_sbc_leg_free(struct vr_dp *dp, struct vr_tun_leg *t)
{
	unsigned int k;

	if (t == NULL)
		return;
	for (k = 0; k < 2; k++)
		slot_free(dp, t, k);
	memset(t->master, 0, sizeof(t->master));
	rte_free(t);
}

void
vr_sbc_fini(struct vr_dp *dp)
{
	uint32_t i;

	if (dp->tun_legs != NULL)
		for (i = 0; i < 2 * dp->cfg.max_calls; i++)
			vr_sbc_leg_free(dp, dp->tun_legs[i]);
	if (dp->sbc != NULL)
		for (i = 0; i <= VR_TUN_SBC_ID_MAX; i++)
			sbc_free(dp->sbc[i]);
	rte_hash_free(dp->used_legs);
	rte_free(dp->used_ring);
	dp->used_legs = NULL;
	dp->used_ring = NULL;
	rte_free(dp->tun_ft);
	rte_free(dp->tun_legs);
	rte_free(dp->sbc);
	rte_free(dp->free_sbc_rows);
	rte_free(dp->sbc_addr);
	dp->tun_ft = NULL;
	dp->tun_legs = NULL;
	dp->sbc = NULL;
	dp->free_sbc_rows = NULL;
}

uint64_t
vr_sbc_unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct vr_shm_sbc *
vr_sbc_row_begin(struct vr_dp *dp, uint32_t row)
{
	struct vr_shm_sbc *r = &dp->shm_sbcs[row];

	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELEASE);
	rte_smp_wmb();
	return r;
}

void
vr_sbc_row_end(struct vr_shm_sbc *r)
{
	rte_smp_wmb();
	__atomic_store_n(&r->seq, r->seq + 1, __ATOMIC_RELEASE);
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

static int
key_in(const struct vr_sbc *s, uint8_t id, const uint8_t *master)
{
	unsigned int k;

	for (k = 0; k < s->n_keys; k++)
		if (s->key[k].id == id && memcmp(s->key[k].master, master, VR_SRTP_MASTER_MAX) == 0)
			return 1;
	return 0;
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
vr_sbc_leg_new(struct vr_dp *dp, uint32_t sbc_id, uint32_t channel, uint64_t epoch, char *err,
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
	vr_sbc_leg_free(dp, t);
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

/* Step 1 of a key change: slots whose key the new SBC does not have stop being used. */
static void
leg_retire(struct vr_dp *dp, struct vr_tun_leg *t, void *arg)
{
	const struct vr_sbc *n = arg;
	unsigned int j;

	for (j = 0; j < 2; j++)
		if (t->valid[j] && !key_in(n, t->key_id[j], t->master[j]))
			__atomic_store_n(&t->valid[j], 0, __ATOMIC_RELEASE);
}

/* Step 2, after a grace period: free the retired sessions, add the new keys. */
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

/*
 * Whether def's keys may be used: neither the key of another SBC (its
 * legs' keys would be this one's: the SBC id is not in the derivation), nor
 * one of old's under another id, nor one old had and retired since start.
 * Any of them would give a leg new index state under keys already used.
 * 0, or -EINVAL with err naming the key.
 */
static int
keys_new(struct vr_dp *dp, const struct vr_ctl_sbc *def, const struct vr_sbc *old, char *err,
	size_t errlen)
{
	unsigned int k, j;
	uint32_t row;

	for (k = 0; k < def->n_keys; k++) {
		struct vr_srtp_key dk = { .suite = def->suite, .id = def->key[k].id };
		const uint8_t *m = dk.master;
		uint64_t fp;

		/* The key as the SBC will hold it: zeros past the suite's length. */
		memcpy(dk.master, def->key[k].master, vr_srtp_master_len(def->suite));
		fp = key_print(&dk);

		for (j = 0; old != NULL && j < old->n_keys; j++) {
			if (memcmp(old->key[j].master, m, VR_SRTP_MASTER_MAX) == 0 &&
					old->key[j].id != def->key[k].id) {
				snprintf(err, errlen, "SBC %u: key %u is key %u under another id: a "
					"new key must be new", def->id, def->key[k].id, old->key[j].id);
				return -EINVAL;
			}
		}
		for (j = 0; old != NULL && j < VR_SBC_RETIRED_KEYS; j++) {
			if (old->retired_key[j] == fp) {
				snprintf(err, errlen, "SBC %u: key %u is a key this SBC had before and "
					"retired since voxrelay-dp started: a new key must be new", def->id,
					def->key[k].id);
				return -EINVAL;
			}
		}
		for (row = 0; row < dp->cfg.max_sbcs; row++) {
			uint32_t id = dp->shm_sbcs[row].id;
			const struct vr_sbc *o = id != 0 ? dp->sbc[id] : NULL;

			if (o == NULL || id == def->id)
				continue;
			for (j = 0; j < o->n_keys; j++) {
				if (memcmp(o->key[j].master, m, VR_SRTP_MASTER_MAX) == 0) {
					snprintf(err, errlen, "SBC %u: key %u is a key of SBC %u: every "
						"SBC needs keys of its own", def->id, def->key[k].id, id);
					return -EINVAL;
				}
			}
		}
	}
	return 0;
}

int
vr_sbc_set(struct vr_dp *dp, const struct vr_ctl_sbc *def, char *err, size_t errlen)
{
	struct vr_sbc *old, *n;
	struct vr_shm_sbc *r;
	unsigned int k, j;
	int rc = vr_ctl_check_sbc(def, err, errlen);

	if (rc < 0)
		return rc;
	old = dp->sbc[def->id];
	rc = keys_new(dp, def, old, err, errlen);
	if (rc < 0)
		return rc;
	if (old == NULL && dp->n_free_sbc_rows == 0) {
		snprintf(err, errlen, "SBC %u: all %u SBC rows are in use (--max-sbcs)", def->id,
			dp->cfg.max_sbcs);
		return -ENOSPC;
	}
	n = rte_zmalloc("vr_sbc", sizeof(*n), RTE_CACHE_LINE_SIZE);
	if (n == NULL)
		goto nomem;
	n->id = def->id;
	n->suite = def->suite;
	n->n_keys = def->n_keys;
	for (k = 0; k < def->n_keys; k++) {
		n->key[k].suite = def->suite;
		n->key[k].id = def->key[k].id;
		memcpy(n->key[k].master, def->key[k].master, def->key[k].len);
	}
	if (def->n_keys == 2)
		n->prev_until_tsc = rte_rdtsc() + dp->tsc_hz / 1000 * def->prev_ms;
	/* The hello sessions of a kept key carry over; the others are new. */
	for (k = 0; k < n->n_keys; k++) {
		for (j = 0; old != NULL && j < old->n_keys; j++) {
			if (old->hello_rx[j] != NULL && old->key[j].suite == n->suite &&
					old->key[j].id == n->key[k].id &&
					memcmp(old->key[j].master, n->key[k].master,
						VR_SRTP_MASTER_MAX) == 0) {
				n->hello_rx[k] = old->hello_rx[j];
				n->hello_tx[k] = old->hello_tx[j];
				n->hello_ssrcs[k] = old->hello_ssrcs[j];
				old->hello_rx[j] = old->hello_tx[j] = NULL;
				break;
			}
		}
		if (n->hello_rx[k] == NULL) {
			/* Hellos come under epoch 0 (the SBC may not know ours yet:
			 * their freshness is the challenge they echo); the answers
			 * go under this boot's epoch. */
			n->hello_rx[k] = vr_srtp_stream_new(&n->key[k], VR_TUN_UP,
				VR_TUN_CHANNEL_SBC, 0, 1);
			n->hello_tx[k] = vr_srtp_stream_new(&n->key[k], VR_TUN_DOWN,
				VR_TUN_CHANNEL_SBC, dp->boot_epoch, 0);
			if (n->hello_rx[k] == NULL || n->hello_tx[k] == NULL)
				goto nomem_n;
		}
	}
	if (old != NULL) {
		n->row = old->row;
		n->hello_seq = old->hello_seq;
		n->hello_ssrc = old->hello_ssrc;
		memcpy(n->chal, old->chal, sizeof(n->chal));
		memcpy(n->chal_next, old->chal_next, sizeof(n->chal_next));
		memcpy(n->retired_key, old->retired_key, sizeof(n->retired_key));
		n->retired_next = old->retired_next;
		/* Keys the SBC had and does not keep are retired for good. */
		for (j = 0; j < old->n_keys; j++) {
			if (key_in(n, old->key[j].id, old->key[j].master) &&
					old->key[j].suite == n->suite)
				continue;
			n->retired_key[n->retired_next] = key_print(&old->key[j]);
			n->retired_next = (uint8_t)((n->retired_next + 1) % VR_SBC_RETIRED_KEYS);
		}
		if (old->suite != n->suite) {
			/* A new suite: every session is new. */
			legs_of(dp, n->id, leg_retire, &(struct vr_sbc){ .n_keys = 0 });
		} else {
			legs_of(dp, n->id, leg_retire, n);
		}
	} else {
		uint64_t rnd = vr_sbc_random_nonzero();

		/* A random SSRC and first sequence number for the answers (RFC
		 * 3550), the sequence below 2^15: it never wraps (see the answer). */
		n->hello_ssrc = (uint32_t)rnd;
		n->hello_seq = (uint16_t)((rnd >> 32) & 0x7fff);
		n->row = dp->free_sbc_rows[--dp->n_free_sbc_rows];
		__atomic_store_n(&dp->sbc_addr[n->row].v, 0, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&dp->sbc[n->id], n, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
	legs_of(dp, n->id, leg_rekey, n);
	sbc_free(old);
	if (old == NULL)
		dp->n_sbcs++;
	r = vr_sbc_row_begin(dp, n->row);
	if (old == NULL) {
		memset((char *)r + sizeof(r->seq), 0, sizeof(*r) - sizeof(r->seq));
		for (k = 0; k <= dp->n_workers; k++)
			memset(vr_dp_sbc_ctr(dp, k, n->row), 0, sizeof(struct vr_shm_sbc_ctr));
	}
	r->id = n->id;
	r->n_keys = n->n_keys;
	r->suite = n->suite;
	r->configured_unix_ns = vr_sbc_unix_ns();
	vr_sbc_row_end(r);
	return 0;
nomem_n:
	/* The sessions taken from old go back to it: it stays in use. */
	for (k = 0; old != NULL && k < n->n_keys; k++) {
		for (j = 0; j < old->n_keys; j++) {
			if (n->hello_rx[k] != NULL && old->hello_rx[j] == NULL &&
					old->key[j].id == n->key[k].id &&
					memcmp(old->key[j].master, n->key[k].master,
						VR_SRTP_MASTER_MAX) == 0) {
				old->hello_rx[j] = n->hello_rx[k];
				old->hello_tx[j] = n->hello_tx[k];
				n->hello_rx[k] = n->hello_tx[k] = NULL;
			}
		}
	}
	sbc_free(n);
nomem:
	snprintf(err, errlen, "SBC %u: out of memory", def->id);
	return -ENOMEM;
}

int
vr_sbc_del(struct vr_dp *dp, uint32_t id, char *err, size_t errlen)
{
	struct vr_sbc *s = id >= 1 && id <= VR_TUN_SBC_ID_MAX ? dp->sbc[id] : NULL;
	struct vr_shm_sbc *r;
	unsigned int n;

	if (s == NULL) {
		snprintf(err, errlen, "SBC %u is not configured", id);
		return -ENOENT;
	}
	n = legs_of(dp, id, NULL, NULL);
	if (n > 0) {
		snprintf(err, errlen, "SBC %u still carries %u call leg(s): unbind them first", id, n);
		return -EBUSY;
	}
	__atomic_store_n(&dp->sbc[id], NULL, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
	r = vr_sbc_row_begin(dp, s->row);
	memset((char *)r + sizeof(r->seq), 0, sizeof(*r) - sizeof(r->seq));
	vr_sbc_row_end(r);
	dp->free_sbc_rows[dp->n_free_sbc_rows++] = s->row;
	dp->n_sbcs--;
	sbc_free(s);
	return 0;
}

void
vr_sbc_timers(struct vr_dp *dp, uint64_t now)
{
	struct vr_ctl_sbc def;
	char err[VR_CTL_ERR_MAX];
	uint32_t row;

	if (now < dp->next_key_check_tsc || dp->n_sbcs == 0)
		return;
	dp->next_key_check_tsc = now + dp->tsc_hz / 10;
	for (row = 0; row < dp->cfg.max_sbcs; row++) {
		uint32_t id = dp->shm_sbcs[row].id;
		struct vr_sbc *s = id != 0 ? dp->sbc[id] : NULL;

		uint8_t prev_id;

		if (s == NULL || s->n_keys != 2 || now < s->prev_until_tsc)
			continue;
		prev_id = s->key[1].id;
		/* The previous key's time is up: the SBC keeps its current key only. */
		memset(&def, 0, sizeof(def));
		def.id = s->id;
		def.suite = s->suite;
		def.n_keys = 1;
		def.key[0].id = s->key[0].id;
		def.key[0].len = (uint8_t)vr_srtp_master_len(s->suite);
		memcpy(def.key[0].master, s->key[0].master, def.key[0].len);
		if (vr_sbc_set(dp, &def, err, sizeof(err)) < 0)
			VR_LOG(ERR, "%s", err);
		else
			VR_LOG(INFO, "SBC %u: previous key %u retired", id, prev_id);
		memset(&def, 0, sizeof(def));
	}
}
