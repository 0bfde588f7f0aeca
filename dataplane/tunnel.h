/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' side of SBC tunnels (tunnel.c): authenticate, decrypt and
 * decapsulate what an SBC sends on the tunnel port, encrypt what the relay
 * sends into a tunnel, and keep the packets the crypto device holds meanwhile
 * (a worker's flight slots, in its struct vr_lcore). Worker lcores only;
 * each lcore's packets and slots are its own.
 */
#ifndef VR_DP_TUNNEL_H
#define VR_DP_TUNNEL_H

#include <stdint.h>

#include "config.h"
#include "pkt.h"

struct rte_mbuf;
struct vr_csrtp_stream;
struct vr_flow;
struct vr_lcore;
struct vr_shm_flow;

/* Slots of a worker's stale-epoch hint timestamps (SBC rows share them modulo). */
#define VR_STALE_HINT_SLOTS 64

/* A packet waiting for the crypto device to encrypt it into a tunnel (tunnel.c). */
struct vr_tun_enc {
	struct rte_mbuf *m;
	struct vr_csrtp_stream *cs;
	struct vr_shm_flow *st;        /* the flow it came from, for a drop */
	uint64_t tag;                  /* its TX tag */
	uint32_t sbc_row;
	uint16_t off;                  /* of its RTP or RTCP packet in m */
	uint8_t rtcp;
};

/*
 * Tunnel packets a worker may leave with the crypto device across its polls
 * (tunnel.c), and the free slots each poll starts with at least (else it
 * first waits for the device to give packets back).
 */
#define VR_FLIGHT 512
#define VR_FLIGHT_ROOM (4 * VR_BURST)

/* A tunnel packet the crypto device holds: being decrypted (f set) or encrypted. */
struct vr_tun_flight {
	struct rte_mbuf *m;            /* NULL: a free slot */
	struct vr_flow *f;             /* decrypting: the flow it arrived on */
	struct vr_shm_flow *st;        /* encrypting: the flow it came from, for a drop */
	uint64_t tag;                  /* encrypting: its TX tag */
	struct vr_pkt p;               /* decrypting: the packet as vr_tun_rx saw it */
	uint32_t sbc_row;              /* encrypting */
	uint16_t off;                  /* decrypting: of the SRTP packet in m */
	uint8_t k;                     /* decrypting: the leg's key slot */
};

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

#endif /* VR_DP_TUNNEL_H */
