/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the worker lcore's packet code shares between relay.c, tunnel.c and
 * tx.c: counting, dropping (globally, and per flow once the flow is known)
 * and passing a packet to the lcore that owns its call. Worker lcores only;
 * every counter written here is the calling lcore's own.
 */
#ifndef VR_DP_WORKER_H
#define VR_DP_WORKER_H

#include <rte_mbuf.h>

#include "dp.h"
#include "flow.h"
#include "tunleg.h"

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

#endif /* VR_DP_WORKER_H */
