/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table (neigh.c): the MAC of every on-link host the relay
 * sends to, gateway included, as one 64-bit word per host number that the
 * workers read with one atomic load. ARP requests and replies, timers and
 * the resolution of next hops the workers asked for run on the main lcore,
 * its only writer.
 */
#ifndef VR_DP_NEIGH_H
#define VR_DP_NEIGH_H

#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;
struct vr_dp;

/* Neighbour word: MAC in bits 0-47, state in the top bits. */
#define VR_NEIGH_VALID (1ull << 63)
#define VR_NEIGH_PENDING (1ull << 62)
#define VR_NEIGH_MAC_MASK ((1ull << 48) - 1)

/*
 * The on-link neighbours, indexed by host number within the subnet. word[] is
 * written by the main lcore only and read by workers with one atomic load;
 * the other arrays are the main lcore's.
 */
struct vr_neigh {
	uint64_t *word;          /* VR_NEIGH_* | MAC */
	uint64_t *stamp;         /* main: tsc of the last confirmation or request */
	uint8_t *tries;          /* main: unanswered requests */
	uint32_t *active;        /* main: host numbers with a non-zero word */
	uint32_t n_active;
	uint32_t size;           /* 2^(32 - prefix) */
	uint32_t net;            /* subnet address, host order */
	uint32_t gw_idx;         /* the gateway's host number */
	uint64_t log_tsc;        /* main: when the current second of change logs began */
	uint32_t log_n;          /* main: changes logged in it */
	uint32_t log_quiet;      /* main: changes not logged in it */
};

/* neigh.c: main lcore. */
int vr_neigh_init(struct vr_dp *dp);
void vr_neigh_fini(struct vr_dp *dp);
void vr_neigh_input(struct vr_dp *dp, struct rte_mbuf *m, uint64_t now);
void vr_neigh_timers(struct vr_dp *dp, uint64_t now);
void vr_neigh_resolve(struct vr_dp *dp, uint32_t host, uint64_t now);
/*
 * Makes relay address ip (network order) active or inactive on this host
 * (VR_CTL_ADDR_SET); made active, it is announced with gratuitous ARP, and
 * again a second later. 0, or -EINVAL with err naming an address that is
 * not one of --addr.
 */
int vr_neigh_addr_set(struct vr_dp *dp, uint32_t ip, int active, char *err, size_t errlen);
/* Passes m (ARP out, a hello answer) to a worker to send; 0 or -ENOBUFS (m freed). */
int vr_slow_send(struct vr_dp *dp, struct rte_mbuf *m);

#endif /* VR_DP_NEIGH_H */
