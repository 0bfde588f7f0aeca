/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source rules and latching for one flow, with RTP Bleed protection
 * (CVE-2017-14099 family). Called by the flow's owning lcore only; writes the
 * latch fields of the flow's exported row and its private struct vr_latch.
 *
 * The rules (docs/architecture.md, "Latching"):
 *  1. A leg with an expected peer accepts only that address, and only source
 *     ports in its range when one is set; anything else is BAD_SOURCE.
 *  2. An unlatched flow latches to the source of the first valid packet that
 *     passes rule 1 within its learning window; after the window, packets are
 *     LEARN_EXPIRED until the call is programmed again.
 *  3. A latched flow forwards only packets from its peer; any other source is
 *     NOT_LATCHED_SOURCE, except that a new source takes over the latch
 *     (the phone's NAT mapping moved) once it has sent relatch_pkts
 *     consecutive in-sequence RTP packets carrying the latched SSRC, ahead of
 *     the latched stream's highest sequence number. An RTCP flow moves with
 *     the same rule counted on consecutive packets with the latched sender
 *     SSRC, or at once when the new source's address is the one the sibling
 *     RTP flow already re-latched to. RTCP multiplexed on an RTP flow's port
 *     (RFC 5761) passes from the latched peer but never moves the RTP latch:
 *     it has no sequence number to prove the move with, so an attacker who
 *     knows the SSRC could otherwise take the media with a few reports.
 */
#ifndef VR_DP_LATCH_H
#define VR_DP_LATCH_H

#include <stdint.h>

#include "voxrelay/shm.h"

/* The programmed rule of a flow; immutable while published. */
struct vr_latch_rule {
	uint64_t learn_deadline_tsc; /* no learning after this tsc */
	uint32_t expect_ip;          /* network order; 0: any */
	uint16_t expect_lo;          /* host order; 0-0: any port */
	uint16_t expect_hi;
	uint16_t relatch_pkts;
};

/* Private re-latch candidate; owner lcore only. */
struct vr_latch {
	uint32_t cand_ip;   /* network order; 0: none */
	uint16_t cand_port; /* network order */
	uint16_t cand_seq;  /* last in-sequence number seen from the candidate */
	uint32_t cand_n;    /* consecutive qualifying packets from the candidate */
};

/* A packet as the latch sees it. */
struct vr_latch_pkt {
	uint32_t src_ip;      /* network order */
	uint16_t src_port;    /* network order */
	uint16_t seq;         /* RTP only */
	uint32_t ssrc;
	uint8_t is_rtp;       /* 0: RTCP, on either port */
	uint8_t rtcp_flow;    /* arrived on an RTCP flow (odd port); 0: an RTP flow */
	uint32_t sibling_ip;  /* RTCP flows: the sibling RTP flow's peer, 0 if none */
};

/* Verdicts of vr_latch_check besides the negated drop reasons. */
enum vr_latch_verdict {
	VR_LATCH_PASS = 0,   /* from the latched peer */
	VR_LATCH_LEARNED,    /* first packet: the flow latched to its source */
	VR_LATCH_MOVED,      /* the flow re-latched to this packet's source */
};

/* Does the rule allow source ip:port (network order)? */
static inline int
vr_latch_allowed(const struct vr_latch_rule *r, uint32_t ip, uint16_t port_be)
{
	uint16_t port = (uint16_t)(port_be << 8 | port_be >> 8);

	if (r->expect_ip != 0 && ip != r->expect_ip)
		return 0;
	if (r->expect_lo != 0 && (port < r->expect_lo || port > r->expect_hi))
		return 0;
	return 1;
}

/*
 * Applies the rules to packet k arriving at tsc now on flow f. Returns a
 * verdict (the packet may be forwarded) or a negated drop reason:
 * -VR_DROP_BAD_SOURCE, -VR_DROP_NOT_LATCHED_SOURCE, -VR_DROP_LEARN_EXPIRED.
 */
int vr_latch_check(const struct vr_latch_rule *r, struct vr_shm_flow *f, struct vr_latch *l,
	const struct vr_latch_pkt *k, uint64_t now);

/*
 * Re-applies a changed rule to f: a latch that the new rule no longer allows,
 * or an expired learning window, goes back to learning.
 */
void vr_latch_reprogram(const struct vr_latch_rule *r, struct vr_shm_flow *f, struct vr_latch *l);

#endif /* VR_DP_LATCH_H */
