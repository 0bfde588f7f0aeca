/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SBC table: runs on the main lcore only (from ctl.c and slowpath.c),
 * the single writer of dp->sbc and of the SBC rows in the shared memory.
 * Workers read dp->sbc without locks; a replaced struct vr_sbc is freed only
 * after an RCU grace period. A key change reaches the SBC's tunnel legs in
 * two steps around that grace period (tunleg.c). The SBCs' hellos are
 * answered in hello.c, with the SBC's own channel-0 sessions made here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ctlmsg.h"
#include "dp.h"
#include "sbc.h"
#include "tunleg.h"

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

int
vr_sbc_init(struct vr_dp *dp)
{
	uint32_t i;

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
	dp->free_sbc_rows = rte_malloc("vr_sbc_rows", sizeof(uint32_t) * dp->cfg.max_sbcs, 0);
	dp->sbc_addr = rte_zmalloc("vr_sbc_addr", sizeof(*dp->sbc_addr) * dp->cfg.max_sbcs,
		RTE_CACHE_LINE_SIZE);
	if (dp->sbc == NULL || dp->free_sbc_rows == NULL || dp->sbc_addr == NULL)
		return -ENOMEM;
	for (i = 0; i < dp->cfg.max_sbcs; i++)
		dp->free_sbc_rows[i] = dp->cfg.max_sbcs - 1 - i;
	dp->n_free_sbc_rows = dp->cfg.max_sbcs;
	return 0;
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

void
vr_sbc_fini(struct vr_dp *dp)
{
	uint32_t i;

	if (dp->sbc != NULL)
		for (i = 0; i <= VR_TUN_SBC_ID_MAX; i++)
			sbc_free(dp->sbc[i]);
	rte_free(dp->sbc);
	rte_free(dp->free_sbc_rows);
	rte_free(dp->sbc_addr);
	dp->sbc = NULL;
	dp->free_sbc_rows = NULL;
	dp->sbc_addr = NULL;
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
		fp = vr_srtp_key_print(&dk);

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
			if (vr_sbc_has_key(n, old->key[j].id, old->key[j].master) &&
					old->key[j].suite == n->suite)
				continue;
			n->retired_key[n->retired_next] = vr_srtp_key_print(&old->key[j]);
			n->retired_next = (uint8_t)((n->retired_next + 1) % VR_SBC_RETIRED_KEYS);
		}
		if (old->suite != n->suite) {
			/* A new suite: every session is new. */
			vr_tun_legs_retire(dp, n->id, &(struct vr_sbc){ .n_keys = 0 });
		} else {
			vr_tun_legs_retire(dp, n->id, n);
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
	vr_tun_legs_rekey(dp, n);
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
	n = vr_tun_legs_count(dp, id);
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
