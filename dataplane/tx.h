/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's buffered transmit (tx.c): packets wait in the lcore's buffer
 * until a burst is full or VR_TX_DRAIN_US passed (relay.c's loop flushes
 * it), each tagged with its flow so that one the port refuses is counted on
 * that flow. Worker lcores only; the buffer is the lcore's own.
 */
#ifndef VR_DP_TX_H
#define VR_DP_TX_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"
#include "flow.h"

/* Tags a buffered packet with its flow, for per-flow TX_FULL accounting. */
static inline uint64_t
tx_tag(const struct vr_flow *f)
{
	return (uint64_t)f->slot_seq << 32 | (uint64_t)f->slot << 2 | f->fidx;
}

/* Sends what lc buffered; counts what the port refused as tx_full. */
void vr_tx_flush(struct vr_lcore *lc);

/* Buffers m (tag: tx_tag() of its flow, or UINT64_MAX), sending a full burst at once. */
static inline void
tx_enqueue(struct vr_lcore *lc, struct rte_mbuf *m, uint64_t tag)
{
	lc->tx[lc->tx_n] = m;
	lc->tx_tag[lc->tx_n] = tag;
	if (++lc->tx_n >= VR_BURST)
		vr_tx_flush(lc);
}

#endif /* VR_DP_TX_H */
