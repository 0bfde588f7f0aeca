/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SBC table and the tunnel legs' SRTP state (sbc.c): SBCs with their
 * keys, key rollovers, the hello answers, and per tunnel leg the sessions
 * its call's owner lcore uses. The main lcore is the only writer; workers
 * read dp->sbc[] and the legs' sessions without locks, and what is replaced
 * is freed after a grace period.
 */
#ifndef VR_DP_SBC_H
#define VR_DP_SBC_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "voxrelay/ctl.h"

#include "csrtp.h"
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

/*
 * The SRTP state of one tunnel leg (a call leg that is a channel of an SBC
 * tunnel), per key slot: kept across rebinds of the call and key changes
 * that keep the key, so replay windows and rollover counters carry on.
 * Created and freed by the main lcore (after a grace period); the sessions
 * are used by the call's owner lcore only.
 */
struct vr_tun_leg {
	uint32_t sbc_id;
	uint32_t channel;
	uint32_t sbc_row;
	uint64_t epoch;                /* the leg's key epoch: its a_epoch XOR dp->boot_epoch */
	uint64_t a_epoch;              /* the epoch its call gave it */
	uint8_t bound;                 /* main: its call was bound (its keys may have been used) */
	uint8_t suite;                 /* the SBC's suite when the leg was made */
	uint8_t key_id[2];             /* main: the key id a valid slot holds */
	uint8_t valid[2];              /* main: 1 while slot k may be used */
	uint8_t cur;                   /* main: the slot of the SBC's current key */
	uint8_t tx_slot;               /* owner: the slot the SBC last sent with */
	uint8_t master[2][VR_SRTP_MASTER_MAX]; /* main: slot k's key, to tell keys apart */
	srtp_t rx[2];                  /* owner uses, with libsrtp: SBC to relay */
	srtp_t tx[2];                  /* owner uses, with libsrtp: relay to SBC */
	struct vr_csrtp_stream crx[2]; /* with the cryptodev engine: SBC to relay, RTP and RTCP */
	struct vr_csrtp_stream ctx[2]; /* with the cryptodev engine: relay to SBC */
	struct vr_srtp_ssrcs ssrc_rx;  /* owner, with libsrtp: SSRCs the SBC sent (all slots) */
	struct vr_srtp_ssrcs ssrc_tx;  /* owner, with libsrtp: SSRCs sent to the SBC */
};

/* sbc.c: main lcore, the only writer of the SBC table and the tunnel sessions. */
int vr_sbc_init(struct vr_dp *dp);
void vr_sbc_fini(struct vr_dp *dp);
int vr_sbc_set(struct vr_dp *dp, const struct vr_ctl_sbc *def, char *err, size_t errlen);
int vr_sbc_del(struct vr_dp *dp, uint32_t id, char *err, size_t errlen);
void vr_sbc_timers(struct vr_dp *dp, uint64_t now);
struct vr_tun_leg *vr_sbc_leg_new(struct vr_dp *dp, uint32_t sbc_id, uint32_t channel,
	uint64_t epoch, char *err, size_t errlen);
void vr_sbc_leg_free(struct vr_dp *dp, struct vr_tun_leg *t);
/*
 * t's call is bound: its keys count as used on its channel and epoch from
 * now on (a later leg with them is refused), and so does any key it gets.
 */
void vr_sbc_leg_bound(struct vr_dp *dp, struct vr_tun_leg *t);
/* The call in slot binds t as its leg l (NULL: none any more); sbc.c finds legs there on key changes. */
void vr_sbc_leg_register(struct vr_dp *dp, uint32_t slot, unsigned int l, struct vr_tun_leg *t);

/* Helpers sbc.c shares with hello.c. */
/* A random 64-bit value that is not 0 (a challenge; 0 marks a used one). */
uint64_t vr_sbc_random_nonzero(void);
/* The wall clock in ns. */
uint64_t vr_sbc_unix_ns(void);
/* Opens SBC row row's write section in the shm (odd seq); vr_sbc_row_end closes it. */
struct vr_shm_sbc *vr_sbc_row_begin(struct vr_dp *dp, uint32_t row);
void vr_sbc_row_end(struct vr_shm_sbc *r);

#endif /* VR_DP_SBC_H */
