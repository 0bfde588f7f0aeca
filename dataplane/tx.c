/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's buffered transmit: sends the lcore's buffer as one burst, and
 * counts what the port refused as tx_full, globally and on the packet's flow
 * when that flow's call is still bound (its slot's seq unchanged). Worker
 * lcores only: the buffer and the counters written are the lcore's own and
 * those of the flows it owns.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "tx.h"
#include "worker.h"

__rte_noinline void
vr_tx_flush(struct vr_lcore *lc)
{
	struct vr_dp *dp = lc->dp;
	uint64_t bytes = 0;
	uint16_t sent, i;

	for (i = 0; i < lc->tx_n; i++)
		bytes += lc->tx[i]->pkt_len;
	sent = rte_eth_tx_burst(dp->port_id, lc->idx, lc->tx, lc->tx_n);
	for (i = sent; i < lc->tx_n; i++) {
		uint64_t tag = lc->tx_tag[i];

		bytes -= lc->tx[i]->pkt_len;
		if (tag != UINT64_MAX) {
			uint32_t slot = (uint32_t)tag >> 2;
			struct vr_shm_call *c = &dp->shm_calls[slot];

			/* The call may have been unbound since: count only if not. */
			if (__atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) == (uint32_t)(tag >> 32))
				c->flow[tag & 3].drops[VR_DROP_TX_FULL]++;
		}
		lc->ctr->drops[VR_DROP_TX_FULL]++;
		rte_pktmbuf_free(lc->tx[i]);
	}
	count(lc, VR_GC_TX_PKTS, sent);
	count(lc, VR_GC_TX_BYTES, bytes);
	lc->tx_n = 0;
	lc->last_flush_tsc = rte_rdtsc();
}
