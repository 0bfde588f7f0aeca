/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SBC hellos on their way from a worker to the main lcore (security finding
 * 4: a hello flood stopped the relay). A hello is authenticated only on the
 * main lcore, which takes a few dozen a millisecond, so a worker passes one
 * on only within the limits of hellolimit.h: --hello-source-rate a second
 * per source address, then --hello-rate a second per SBC (a hello from the
 * address the SBC was last heard from has a bucket of its own instead), each
 * with a burst of as many. What is over them is dropped as tun_hello_rate.
 * They reach the main lcore on a ring of their own, so that neither they nor
 * a flood of them can crowd out ARP. Runs on the worker lcores; each writes
 * its own buckets and its own counter rows; reads the SBCs' last addresses
 * (dp->sbc_addr).
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "dp.h"
#include "hellolimit.h"
#include "sbc.h"
#include "pkt.h"
#include "worker.h"

struct vr_hello_limit *
vr_hello_limit_new(const struct vr_dp *dp, int socket)
{
	struct vr_hello_limit *hl;

	hl = rte_zmalloc_socket("vr_hello_limit",
		sizeof(*hl) + 2 * sizeof(hl->sbc_tat[0]) * dp->cfg.max_sbcs, RTE_CACHE_LINE_SIZE,
		socket);
	if (hl == NULL)
		return NULL;
	vr_rate_init(&hl->sbc, dp->cfg.hello_rate, dp->cfg.hello_rate, dp->tsc_hz);
	vr_rate_init(&hl->src, dp->cfg.hello_source_rate, dp->cfg.hello_source_rate, dp->tsc_hz);
	/* Keyed, so that nobody can pick addresses that share a bucket with the SBC's. */
	hl->key_xor = rte_rand();
	hl->key_mul = rte_rand() | 1;
	return hl;
}

/* Drops hello m of SBC row for reason, on lc's own rows. */
static void
hello_drop(struct vr_lcore *lc, uint32_t row, struct rte_mbuf *m, int reason)
{
	vr_dp_sbc_ctr(lc->dp, lc->idx, row)->drops[reason]++;
	drop(lc, m, reason);
}

__rte_noinline void
vr_hello_up(struct vr_lcore *lc, uint32_t row, struct rte_mbuf *m, const struct vr_pkt *p)
{
	struct vr_dp *dp = lc->dp;
	struct vr_hello_limit *hl = lc->hello;
	uint64_t now = rte_rdtsc(), *sbc;
	uint64_t src = (uint64_t)p->ip->src_addr << 16 | p->udp->src_port;

	if (src == __atomic_load_n(&dp->sbc_addr[row].v, __ATOMIC_RELAXED)) {
		sbc = &hl->sbc_tat[2 * row + 1];
	} else {
		/* The source's bucket first: one address then takes no more of
		 * the SBC's than its own share. */
		if (!vr_rate_take(&hl->src_tat[vr_hello_src_slot(p->ip->src_addr, hl->key_xor,
				hl->key_mul)], &hl->src, now))
			return hello_drop(lc, row, m, VR_DROP_TUN_HELLO_RATE);
		sbc = &hl->sbc_tat[2 * row];
	}
	if (!vr_rate_take(sbc, &hl->sbc, now))
		return hello_drop(lc, row, m, VR_DROP_TUN_HELLO_RATE);
	if (unlikely(rte_ring_mp_enqueue(dp->hello_rx, m) != 0))
		hello_drop(lc, row, m, VR_DROP_SLOWPATH_FULL);
}
