/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rate limits a worker applies to SBC hellos before it passes them to
 * the main lcore (hellolimit.c), and the token bucket they are made of.
 * Hellos are authenticated only on the main lcore, so anyone can send them
 * under a configured SBC id; unlimited, they would fill the main lcore's
 * ring. Every worker keeps its own buckets (single writer, plain stores):
 * per SBC row, and per source address in a small table indexed by a keyed
 * hash of the address (colliding addresses share a bucket: bounded memory,
 * nothing allocated per packet).
 */
#ifndef VR_DP_HELLOLIMIT_H
#define VR_DP_HELLOLIMIT_H

#include <stdint.h>

/*
 * A token bucket as a virtual clock (GCRA): each packet advances tat, the
 * time at which the bucket would be full again, by one interval, and a
 * packet is refused when tat is more than the burst ahead of now. One word
 * of state; burst packets pass at once, then one per interval.
 */
struct vr_rate {
	uint64_t interval;  /* TSC cycles per packet */
	uint64_t tolerance; /* (burst - 1) intervals */
};

/* A rate of per_s packets a second, in bursts of up to burst, on a TSC of hz. */
static inline void
vr_rate_init(struct vr_rate *r, uint32_t per_s, uint32_t burst, uint64_t hz)
{
	r->interval = hz / (per_s > 0 ? per_s : 1);
	r->tolerance = r->interval * (burst > 0 ? burst - 1 : 0);
}

/* Takes a token from the bucket *tat at TSC now: 1, or 0 when it is empty. */
static inline int
vr_rate_take(uint64_t *tat, const struct vr_rate *r, uint64_t now)
{
	uint64_t t = *tat > now ? *tat : now;

	if (t - now > r->tolerance)
		return 0;
	*tat = t + r->interval;
	return 1;
}

/* Source-address buckets per worker (a power of two). */
#define VR_HELLO_SRC_SLOTS 1024

/* The source bucket of address ip (network order) under a worker's keys. */
static inline uint32_t
vr_hello_src_slot(uint32_t ip, uint64_t key_xor, uint64_t key_mul)
{
	/* key_mul is odd: the top bits of the product spread every input bit. */
	return (uint32_t)(((ip ^ key_xor) * key_mul) >> 54) & (VR_HELLO_SRC_SLOTS - 1);
}

/*
 * A worker's hello limits. Allocated on the worker's node at start;
 * written by that worker only.
 */
struct vr_hello_limit {
	struct vr_rate sbc;               /* per SBC */
	struct vr_rate src;               /* per source address */
	uint64_t key_xor, key_mul;        /* of the source hash: random, per worker */
	uint64_t src_tat[VR_HELLO_SRC_SLOTS];
	/* Per SBC row: [2 * row] for hellos from anywhere, [2 * row + 1] for
	 * those from where the SBC was last heard from (authenticated), so
	 * that forged hellos from other addresses cannot starve it. */
	uint64_t sbc_tat[];
};

struct rte_mbuf;
struct vr_dp;
struct vr_lcore;
struct vr_pkt;

/* A worker's limits for dp (cfg's rates, max_sbcs rows) on NUMA node socket, or NULL. */
struct vr_hello_limit *vr_hello_limit_new(const struct vr_dp *dp, int socket);

/*
 * Hello m (classified as p) of the SBC in row arrived at worker lc: passes
 * it to the main lcore's hello ring when the SBC's and the source's buckets
 * allow, else drops it as tun_hello_rate (or slowpath_full when the ring is
 * full), counted on lc's global row and its row of the SBC.
 */
void vr_hello_up(struct vr_lcore *lc, uint32_t row, struct rte_mbuf *m, const struct vr_pkt *p);

#endif /* VR_DP_HELLOLIMIT_H */
