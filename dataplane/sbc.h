/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SBC table (sbc.c): SBCs with their keys and key rollovers, the
 * address each was last heard from, and their rows in the shared memory.
 * The main lcore is the only writer of the table; workers read dp->sbc[]
 * without locks, and an SBC that is replaced is freed after a grace period.
 * The legs' sessions are tunleg.h's, the hello answers hello.h's.
 */
#ifndef VR_DP_SBC_H
#define VR_DP_SBC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "voxrelay/ctl.h"

#include "srtp.h"

struct rte_mbuf;
struct vr_dp;

/*
 * Where an SBC was last heard from: the source of its last authenticated
 * packet, media on any channel or hello, as ip << 16 | port (both network
 * order); 0 until then. One SBC sends every channel over one 5-tuple, so
 * this is where every tunnel leg of the SBC sends. One per SBC row, a cache
 * line each: written by whichever lcore authenticated the packet (only when
 * it changes), read by every worker that sends into the tunnel.
 */
struct vr_sbc_addr {
	uint64_t v;
} __rte_cache_aligned;

/* An authenticated packet of the SBC whose address is a came from ip:port (network order). */
static inline void
vr_sbc_addr_note(struct vr_sbc_addr *a, uint32_t ip, uint16_t port)
{
	uint64_t v = (uint64_t)ip << 16 | port;

	if (__atomic_load_n(&a->v, __ATOMIC_RELAXED) != v)
		__atomic_store_n(&a->v, v, __ATOMIC_RELAXED);
}

/*
 * A configured SBC. Replaced whole by the main lcore when its keys change
 * (workers read dp->sbc[id] and what it points to, freed after a grace
 * period); hello_* are the main lcore's own.
 */
/* Hello challenges an SBC may answer: the last few sent, for answers lost or crossed. */
#define VR_SBC_CHALLENGES 4
/* Retired keys remembered per SBC, so that none comes back. */
#define VR_SBC_RETIRED_KEYS 16

struct vr_sbc {
	uint32_t id;
	uint32_t row;                  /* its rows in the shared memory */
	uint8_t suite;                 /* enum vr_srtp_suite */
	uint8_t n_keys;                /* key[0] current; key[1] previous during a rollover */
	uint16_t hello_seq;            /* main: RTP sequence of the hello answers */
	uint32_t hello_ssrc;           /* main: SSRC of the hello answers, random per SBC */
	uint64_t prev_until_tsc;       /* main: key[1] accepted until then */
	/* main: the challenges sent in the last answers, each good for one
	 * hello (0: used or none): [0] to hellos from where the SBC was last
	 * heard from, [1] to hellos from elsewhere (a replay from another
	 * address cannot push the SBC's own out); chal_next[k] is where the
	 * next one goes. */
	uint64_t chal[2][VR_SBC_CHALLENGES];
	uint8_t chal_next[2];
	/* main: fingerprints of keys this SBC had and retired since start: a
	 * key that came back would start every leg's index state over. */
	uint64_t retired_key[VR_SBC_RETIRED_KEYS];
	uint8_t retired_next;
	struct vr_srtp_key key[2];
	srtp_t hello_rx[2];            /* main: per key, channel 0, SBC to relay */
	struct vr_srtp_ssrcs hello_ssrcs[2]; /* main: per key, the SSRCs hello_rx has taken */
	srtp_t hello_tx[2];            /* main: per key, channel 0, relay to SBC */
};

/* Whether SBC s has key id with these master bytes (VR_SRTP_MASTER_MAX of them). */
static inline int
vr_sbc_has_key(const struct vr_sbc *s, uint8_t id, const uint8_t *master)
{
	unsigned int k;

	for (k = 0; k < s->n_keys; k++)
		if (s->key[k].id == id && memcmp(s->key[k].master, master, VR_SRTP_MASTER_MAX) == 0)
			return 1;
	return 0;
}

/* sbc.c: main lcore, the only writer of the SBC table and the tunnel sessions. */
int vr_sbc_init(struct vr_dp *dp);
void vr_sbc_fini(struct vr_dp *dp);
int vr_sbc_set(struct vr_dp *dp, const struct vr_ctl_sbc *def, char *err, size_t errlen);
int vr_sbc_del(struct vr_dp *dp, uint32_t id, char *err, size_t errlen);
void vr_sbc_timers(struct vr_dp *dp, uint64_t now);

/* Helpers sbc.c shares with hello.c. */
/* A random 64-bit value that is not 0 (a challenge; 0 marks a used one). */
uint64_t vr_sbc_random_nonzero(void);
/* The wall clock in ns. */
uint64_t vr_sbc_unix_ns(void);
/* Opens SBC row row's write section in the shm (odd seq); vr_sbc_row_end closes it. */
struct vr_shm_sbc *vr_sbc_row_begin(struct vr_dp *dp, uint32_t row);
void vr_sbc_row_end(struct vr_shm_sbc *r);

#endif /* VR_DP_SBC_H */
