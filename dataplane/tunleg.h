/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tunnel legs (tunleg.c): per call leg that is a channel of an SBC tunnel,
 * its SRTP sessions for each of the SBC's keys, the registry of the legs by
 * call slot, and the keys legs used since start (never given to a later
 * leg). The main lcore makes, rekeys and frees them; the call's owner lcore
 * uses the sessions without locks, and a slot it may still be using is
 * freed only after an RCU grace period.
 */
#ifndef VR_DP_TUNLEG_H
#define VR_DP_TUNLEG_H

#include <stddef.h>
#include <stdint.h>

#include "csrtp.h"
#include "srtp.h"

struct vr_dp;
struct vr_sbc;

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

/* The registry, the tunnel flow table and the used-keys table; 0 or -ENOMEM. */
int vr_tun_legs_init(struct vr_dp *dp);
/* Frees every leg still registered, then the tables. */
void vr_tun_legs_fini(struct vr_dp *dp);

/*
 * A new leg for channel of SBC sbc_id under the call's epoch, with a
 * session per key the SBC has; NULL with err set when the SBC is unknown,
 * when one of its keys was used on that channel and epoch since start, or
 * out of memory.
 */
struct vr_tun_leg *vr_tun_leg_new(struct vr_dp *dp, uint32_t sbc_id, uint32_t channel,
	uint64_t epoch, char *err, size_t errlen);
/* Frees t and its sessions (no reader may use them any more); t may be NULL. */
void vr_tun_leg_free(struct vr_dp *dp, struct vr_tun_leg *t);
/*
 * t's call is bound: its keys count as used on its channel and epoch from
 * now on (a later leg with them is refused), and so does any key it gets.
 */
void vr_tun_leg_bound(struct vr_dp *dp, struct vr_tun_leg *t);
/* The call in slot binds t as its leg l (NULL: none any more); key changes find legs there. */
void vr_tun_leg_register(struct vr_dp *dp, uint32_t slot, unsigned int l, struct vr_tun_leg *t);

/* How many registered legs SBC sbc_id carries. */
unsigned int vr_tun_legs_count(struct vr_dp *dp, uint32_t sbc_id);
/*
 * Step 1 of SBC n's key change: in every leg of the SBC, slots whose key n
 * does not have stop being used (all of them when n has no key). The
 * caller then waits out a grace period before step 2.
 */
void vr_tun_legs_retire(struct vr_dp *dp, uint32_t sbc_id, const struct vr_sbc *n);
/* Step 2: frees the retired slots' sessions and adds n's new keys. */
void vr_tun_legs_rekey(struct vr_dp *dp, const struct vr_sbc *n);

#endif /* VR_DP_TUNLEG_H */
