/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The latching rules of latch.h. Runs on the flow's owning lcore; the only
 * writer of the flow's latch, peer_ip, peer_port and ssrc fields, stored with
 * relaxed atomics so that readers of the shared memory see whole values.
 */
#include <string.h>

#include "voxrelay/counters.h"

#include "latch.h"

static void
set_peer(struct vr_shm_flow *f, uint32_t ip, uint16_t port, uint32_t ssrc)
{
	__atomic_store_n(&f->peer_port, port, __ATOMIC_RELAXED);
	__atomic_store_n(&f->peer_ip, ip, __ATOMIC_RELAXED);
	__atomic_store_n(&f->ssrc, ssrc, __ATOMIC_RELAXED);
	__atomic_store_n(&f->latch, VR_LATCH_LATCHED, __ATOMIC_RELEASE);
}

/* Counts k towards moving the latch; returns 1 when it should move now. */
static int
relatch_candidate(const struct vr_latch_rule *r, const struct vr_shm_flow *f, struct vr_latch *l,
	const struct vr_latch_pkt *k)
{
	int same = l->cand_ip == k->src_ip && l->cand_port == k->src_port;
	uint16_t ahead;

	/* A packet that cannot be the peer's (another SSRC, or not ahead of
	 * its sequence) breaks a run of its own source only: from elsewhere
	 * (an attacker spraying the block while a phone's NAT mapping moves)
	 * it must not hold the phone's move back. */
	if (k->ssrc != f->ssrc) {
		if (same) {
			l->cand_ip = 0;
			l->cand_n = 0;
		}
		return 0;
	}
	if (!k->is_rtp) {
		if (k->sibling_ip != 0 && k->sibling_ip == k->src_ip)
			return 1;
		l->cand_n = same ? l->cand_n + 1 : 1;
	} else {
		ahead = (uint16_t)(k->seq - (uint16_t)f->rtp_ext_max);
		if (ahead == 0 || ahead >= 0x8000) {
			if (same) {
				l->cand_ip = 0;
				l->cand_n = 0;
			}
			return 0;
		}
		l->cand_n = same && k->seq == (uint16_t)(l->cand_seq + 1) ? l->cand_n + 1 : 1;
		l->cand_seq = k->seq;
	}
	l->cand_ip = k->src_ip;
	l->cand_port = k->src_port;
	return l->cand_n >= r->relatch_pkts;
}

int
vr_latch_check(const struct vr_latch_rule *r, struct vr_shm_flow *f, struct vr_latch *l,
	const struct vr_latch_pkt *k, uint64_t now)
{
	if (!vr_latch_allowed(r, k->src_ip, k->src_port))
		return -VR_DROP_BAD_SOURCE;
	switch (f->latch) {
	case VR_LATCH_LATCHED:
		if (k->src_ip == f->peer_ip && k->src_port == f->peer_port) {
			l->cand_n = 0;
			return VR_LATCH_PASS;
		}
		/* Muxed RTCP on an RTP flow: no sequence number to prove a move
		 * with. Left out of the count altogether, so that a phone's own
		 * reports between its RTP packets do not break a real move. */
		if (!k->is_rtp && !k->rtcp_flow)
			return -VR_DROP_NOT_LATCHED_SOURCE;
		if (!relatch_candidate(r, f, l, k))
			return -VR_DROP_NOT_LATCHED_SOURCE;
		memset(l, 0, sizeof(*l));
		set_peer(f, k->src_ip, k->src_port, k->ssrc);
		return VR_LATCH_MOVED;
	case VR_LATCH_LEARNING:
		if (now > r->learn_deadline_tsc) {
			__atomic_store_n(&f->latch, VR_LATCH_EXPIRED, __ATOMIC_RELAXED);
			return -VR_DROP_LEARN_EXPIRED;
		}
		set_peer(f, k->src_ip, k->src_port, k->ssrc);
		return VR_LATCH_LEARNED;
	default:
		return -VR_DROP_LEARN_EXPIRED;
	}
}

void
vr_latch_reprogram(const struct vr_latch_rule *r, struct vr_shm_flow *f, struct vr_latch *l)
{
	memset(l, 0, sizeof(*l));
	if (f->latch == VR_LATCH_LATCHED && vr_latch_allowed(r, f->peer_ip, f->peer_port))
		return;
	__atomic_store_n(&f->peer_ip, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->peer_port, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->latch, VR_LATCH_LEARNING, __ATOMIC_RELEASE);
}
