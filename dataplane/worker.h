/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the worker lcore's packet code shares between relay.c and tunnel.c:
 * counting, dropping (globally, and per flow once the flow is known) and the
 * buffered transmit. Worker lcores only; every counter written here is the
 * calling lcore's own.
 */
#ifndef VR_DP_WORKER_H
#define VR_DP_WORKER_H

#include <rte_mbuf.h>

#include "dp.h"
#include "pkt.h"

/* Tags a buffered packet with its flow, for per-flow TX_FULL accounting. */
static inline uint64_t
tx_tag(const struct vr_flow *f)
{
	return (uint64_t)f->slot_seq << 32 | (uint64_t)f->slot << 2 | f->fidx;
}

static inline void
count(struct vr_lcore *lc, enum vr_global_counter c, uint64_t n)
{
	lc->ctr->c[c] += n;
}

static inline void
drop(struct vr_lcore *lc, struct rte_mbuf *m, int reason)
{
	lc->ctr->drops[reason]++;
	rte_pktmbuf_free(m);
}

static inline void
drop_flow(struct vr_lcore *lc, struct vr_shm_flow *st, struct rte_mbuf *m, int reason)
{
	st->drops[reason]++;
	drop(lc, m, reason);
}

/* Sends what lc buffered (relay.c). */
void vr_tx_flush(struct vr_lcore *lc);

/*
 * f's owner lcore's handoff ring is full: m is dropped and counted on lc's
 * own rows only (globally, and for a tunnel packet in lc's row of its SBC),
 * never in f's state, which only its owner writes.
 */
static inline void
handoff_full(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m)
{
	if (f->tun != NULL)
		vr_dp_sbc_ctr(lc->dp, lc->idx, f->tun->sbc_row)->drops[VR_DROP_HANDOFF_FULL]++;
	drop(lc, m, VR_DROP_HANDOFF_FULL);
}

/*
 * Whether lc owns flow f, m's flow: 1, or 0 when m went to its owner lcore's
 * handoff ring, or was dropped (handed: another lcore passed it here already,
 * so it is not passed on again; or the owner's ring is full).
 */
static inline int
flow_owned(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m, int handed)
{
	struct vr_dp *dp = lc->dp;

	if (likely(f->owner == lc->idx))
		return 1;
	if (handed)
		drop(lc, m, VR_DROP_NO_FLOW);
	else if (rte_ring_mp_enqueue(dp->lc[f->owner]->handoff, m) != 0)
		handoff_full(lc, f, m);
	else
		count(lc, VR_GC_HANDOFF, 1);
	return 0;
}

static inline void
tx_enqueue(struct vr_lcore *lc, struct rte_mbuf *m, uint64_t tag)
{
	lc->tx[lc->tx_n] = m;
	lc->tx_tag[lc->tx_n] = tag;
	if (++lc->tx_n >= VR_BURST)
		vr_tx_flush(lc);
}

/* A tunnel packet waiting for the crypto device (vr_tun_rx, vr_tun_rx_finish). */
struct vr_tun_pending {
	struct rte_mbuf *m;     /* NULL: nothing pending */
	struct vr_pkt *p;
	struct vr_flow *f;
	uint16_t off;           /* of the SRTP packet in m */
	uint8_t k;              /* the leg's key slot */
	uint8_t rtcp;           /* SRTCP */
};

/*
 * tunnel.c. vr_tun_rx: m arrived on the tunnel port (p classified): returns
 * its flow, owned by lc, with m authenticated, decrypted and decapsulated and
 * p describing the inner RTP or RTCP packet; or NULL when m was dropped,
 * handed to its owner lcore (not when handed is set) or passed to the main
 * lcore (a hello). With the cryptodev engine an RTP packet is only prepared:
 * pend->m is set, and vr_tun_rx_finish() hands a batch of them to the device
 * at once, setting out[i] to the flow of one it finished at once, or NULL
 * (dropped, or left with the device: vr_tun_back gives it back).
 * vr_tun_encap: turns the plain RTP or RTCP packet at p into an SRTP packet
 * in f's partner tunnel leg, with p updated; 0, or -1 when m was dropped, or
 * 1 when the crypto device will encrypt it: the caller finishes the headers
 * but leaves the UDP checksum and the sending to vr_tun_encap_flush(), which
 * hands every queued packet to the device at once (call it after each
 * burst) and sends those it finished at once.
 * vr_tun_poll: up to max packets the device finished (their flight slots
 * and outcomes), or none; after a second with nothing back the device is
 * taken as hung and what it holds is counted as lost (srtp_error).
 * vr_tun_back: one of those: an encrypted packet is sent (or dropped), and
 * NULL returned; a decrypted one that passed returns its flow, with m and p
 * set as vr_tun_rx would have (else it was dropped: NULL). Either way its
 * slot is free again. lc must have VR_FLIGHT_ROOM free slots (lc->n_free)
 * before a burst.
 */
struct vr_flow *vr_tun_rx(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_pkt *p, int handed,
	struct vr_tun_pending *pend);
void vr_tun_rx_finish(struct vr_lcore *lc, struct vr_tun_pending *pend, unsigned int n,
	struct vr_flow **out);
int vr_tun_encap(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m,
	struct vr_pkt *p);
void vr_tun_encap_flush(struct vr_lcore *lc);
unsigned int vr_tun_poll(struct vr_lcore *lc, uint64_t now, uint32_t *slot, uint8_t *st,
	unsigned int max);
struct vr_flow *vr_tun_back(struct vr_lcore *lc, uint32_t slot, uint8_t st, struct rte_mbuf **m,
	struct vr_pkt *p);

#endif /* VR_DP_WORKER_H */
