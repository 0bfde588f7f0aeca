/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental Internet checksum update (RFC 1624, eqn. 3). The relay rewrites
 * addresses and ports but never the payload, so it updates the sender's UDP
 * checksum instead of recomputing it: O(1) per packet, and a payload corrupted
 * before it reached us still fails at the receiver (a recomputed or offloaded
 * checksum would bless it). Pure functions, used by lcores.
 */
#ifndef VR_DP_CKSUM_H
#define VR_DP_CKSUM_H

#include <stdint.h>

/* Folds a 32-bit one's-complement accumulator to 16 bits. */
static inline uint16_t
vr_cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Adds a 32-bit value as two 16-bit words, byte order as stored. */
static inline uint32_t
vr_cksum_add32(uint32_t sum, uint32_t v)
{
	return sum + (v & 0xffff) + (v >> 16);
}

/*
 * Returns checksum ck (as stored in the header) updated for the replacement
 * of the words summed in old_sum by those summed in new_sum: both sums are
 * plain one's-complement sums of 16-bit words in stored byte order.
 */
static inline uint16_t
vr_cksum_replace(uint16_t ck, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t sum = (uint16_t)~ck;

	sum += (uint16_t)~vr_cksum_fold(old_sum);
	sum += vr_cksum_fold(new_sum);
	return (uint16_t)~vr_cksum_fold(sum);
}

/*
 * UDP checksum ck after the source/destination addresses and ports change
 * from (osip, odip, osp, odp) to (nsip, ndip, nsp, ndp), all in network
 * order. A zero checksum (none sent, RFC 768) stays zero; a computed zero is
 * sent as 0xffff.
 */
static inline uint16_t
vr_udp_cksum_rewrite(uint16_t ck, uint32_t osip, uint32_t odip, uint16_t osp, uint16_t odp,
	uint32_t nsip, uint32_t ndip, uint16_t nsp, uint16_t ndp)
{
	uint32_t o, n;

	if (ck == 0)
		return 0;
	o = vr_cksum_add32(vr_cksum_add32(0, osip), odip) + osp + odp;
	n = vr_cksum_add32(vr_cksum_add32(0, nsip), ndip) + nsp + ndp;
	ck = vr_cksum_replace(ck, o, n);
	return ck == 0 ? 0xffff : ck;
}

#endif /* VR_DP_CKSUM_H */
