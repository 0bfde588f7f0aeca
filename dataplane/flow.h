/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A bound relay port (struct vr_flow) and its owner lcore's private line
 * (struct vr_flow_priv). Flows are built and replaced by the main lcore
 * (calls.c), the only writer of the flow table, and read without locks by
 * the workers (relay.c, tunnel.c); a flow's mutable state is written by its
 * call's owner lcore only. What a relayed packet reads here is laid out in
 * docs/architecture.md (The hot loop: cache lines per packet).
 */
#ifndef VR_DP_FLOW_H
#define VR_DP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "voxrelay/shm.h"

#include "latch.h"
#include "rtpstat.h"

struct vr_tun_leg;

/*
 * A flow's hot private state, one cache line: the last line of its shm row
 * (vr_shm_flow.dp_private), so that it outlives rebinds on the same ports
 * and shares a page with the row's first line. Written by the call's owner
 * lcore only (all four flows of a call have the same owner), zeroed with the
 * row before the call is bound.
 */
struct vr_flow_priv {
	struct vr_rtp_track rtp;
	struct vr_latch latch;
	uint32_t gen;          /* the vr_flow.gen last applied by the owner */
	/* Where this flow's packets go: the other leg's latched peer (for an
	 * RTCP flow whose partner has not latched, the other leg's RTP peer,
	 * port + 1), kept by the owner whenever one of those latches changes
	 * (relay.c, dest_refresh), so that a packet reads no state of the other
	 * leg. Unused by flows into a tunnel, which send where their SBC is. */
	uint32_t dest_ip;      /* network order */
	uint16_t dest_port;    /* network order */
	uint8_t dest_ok;       /* 0: the other leg has no peer yet */
} __rte_cache_aligned;

/* What a flow is, for the relay's compile-time variants (relay.c). */
#define VR_FLOW_RTCP 0x1       /* an RTCP port */
#define VR_FLOW_TUN_IN 0x2     /* a tunnel leg: its packets were decrypted (tunnel.c) */
#define VR_FLOW_TUN_OUT 0x4    /* the other leg is a tunnel leg: packets are encrypted */

/*
 * A bound relay port: one leg's RTP or RTCP port. Immutable once published in
 * the flow table; the main lcore replaces it whole and frees the old one after
 * a grace period. Its mutable state is priv (private, one line) and its shm
 * row (vr_flow_st(): the latch and the counters, exported), both written
 * only by the owner lcore. A relayed plain packet reads the first line only: where to
 * send is in priv, not in the other leg's flow or state.
 */
struct vr_flow {
	/* Line 0: all that a relayed plain packet reads here. */
	struct vr_latch_rule rule;
	struct vr_flow_priv *priv;
	uint64_t clock_mult;      /* tsc * clock_mult >> 40 = RTP clock units */
	uint32_t out_ip;          /* partner->local_ip: the relayed packet's source */
	uint32_t gen;             /* call programming generation */
	uint32_t slot;            /* call slot in the shm region: st is its flow[fidx] */
	uint32_t slot_seq;        /* that slot's seq while this flow is bound */
	uint16_t out_port;        /* partner->local_port */
	uint16_t owner;           /* worker index */
	uint8_t fidx;             /* leg * 2 + rtcp */
	uint8_t kind;             /* VR_FLOW_* */
	/* Line 1: the tunnel paths and the slow paths. */
	struct vr_tun_leg *tun;   /* tunnel legs: the leg's SRTP state; else NULL */
	struct vr_tun_leg *out_tun; /* partner->tun */
	struct vr_flow *partner;  /* the other leg's flow of the same kind */
	struct vr_flow *sibling;  /* this leg's RTCP flow for the RTP one and back */
	uint32_t local_ip;        /* network order */
	uint16_t local_port;      /* network order */
} __rte_cache_aligned;

_Static_assert(offsetof(struct vr_flow, tun) == RTE_CACHE_LINE_SIZE,
	"a plain packet's part of struct vr_flow is one cache line");
_Static_assert(sizeof(struct vr_flow_priv) == sizeof(((struct vr_shm_flow *)0)->dp_private),
	"struct vr_flow_priv is the shm row's private line");

#endif /* VR_DP_FLOW_H */
