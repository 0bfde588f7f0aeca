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
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/*
 * One's-complement sum of buf[0..len) as 16-bit words in stored byte order,
 * folded to 16 bits: what rte_raw_cksum gives, read 4 bytes at a time into
 * four 64-bit accumulators (2^16 = 1 modulo 2^16 - 1, so a 32-bit word adds
 * its two halves) instead of 2 bytes at a time, and with SSE2 32 bytes at a
 * time into two vector registers of two 64-bit lanes. For the packets whose
 * payload the relay itself changes (SRTP decrypted, or encrypted with
 * --tunnel-checksum on), where the UDP checksum is computed whole: about a
 * quarter of the cycles.
 */
static inline uint16_t
vr_cksum_raw(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t a = 0, b = 0, c = 0, d = 0;
	uint32_t w[4];
	uint16_t h;

#ifdef __SSE2__
	{
		/* 32 bytes a round: each 32-bit word widened into a 64-bit lane. */
		const __m128i z = _mm_setzero_si128();
		__m128i s0 = z, s1 = z;
		uint64_t l[2];

		for (; len >= 32; p += 32, len -= 32) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));

			s0 = _mm_add_epi64(s0, _mm_unpacklo_epi32(x, z));
			s1 = _mm_add_epi64(s1, _mm_unpackhi_epi32(x, z));
			s0 = _mm_add_epi64(s0, _mm_unpacklo_epi32(y, z));
			s1 = _mm_add_epi64(s1, _mm_unpackhi_epi32(y, z));
		}
		_mm_storeu_si128((__m128i *)(void *)l, _mm_add_epi64(s0, s1));
		d = l[0] + l[1];
	}
#endif
	for (; len >= 16; p += 16, len -= 16) {
		memcpy(w, p, 16);
		a += w[0];
		b += w[1];
		c += w[2];
		d += w[3];
	}
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(w, p, 4);
		a += w[0];
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		b += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		h = 0;
		memcpy(&h, p, 1); /* the odd byte as the first of a word */
		c += h;
	}
	a += b + c + d;                       /* at most 2^34 words' worth: no overflow */
	a = (a & 0xffffffffu) + (a >> 32);
	a = (a & 0xffffffffu) + (a >> 32);
	return vr_cksum_fold((uint32_t)a);
}

/*
 * The IPv4 header checksum of the header at ip, as rte_ipv4_cksum gives it
 * (its checksum field taken as zero, whatever it holds). Reads every field
 * at its own width, so that a header just rewritten field by field is read
 * back from the store buffer: rte_ipv4_cksum's 16-bit words each span a
 * one-byte field just written (TOS, TTL) and one not, and such a load waits
 * for the stores to reach the cache first, about 15 cycles a packet.
 */
static inline uint16_t
vr_ipv4_hdr_cksum(const void *ip)
{
	const uint8_t *p = ip;
	unsigned int i, words = p[0] & 0x0f;
	uint16_t len, id, frag;
	uint32_t sum, sip, dip, opt;

	memcpy(&len, p + 2, 2);
	memcpy(&id, p + 4, 2);
	memcpy(&frag, p + 6, 2);
	memcpy(&sip, p + 12, 4);
	memcpy(&dip, p + 16, 4);
	/* Words in stored byte order: (version/IHL, TOS) and (TTL, protocol). */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	sum = ((uint32_t)p[0] << 8) + p[1] + len + id + frag + ((uint32_t)p[8] << 8) + p[9];
#else
	sum = (uint32_t)p[0] + ((uint32_t)p[1] << 8) + len + id + frag + p[8] +
		((uint32_t)p[9] << 8);
#endif
	sum = vr_cksum_add32(vr_cksum_add32(sum, sip), dip);
	for (i = 5; i < words; i++) {
		memcpy(&opt, p + 4 * i, 4);
		sum = vr_cksum_add32(sum, opt);
	}
	return (uint16_t)~vr_cksum_fold(sum);
}

/*
 * The UDP checksum of an IPv4 datagram (header ip, no options read beyond
 * the addresses; UDP header and payload at udp, udp->dgram_len bytes), as
 * rte_ipv4_udptcp_cksum computes it: a computed zero is sent as 0xffff.
 * Headers are raw bytes in network order: ip points to the IPv4 header.
 */
static inline uint16_t
vr_ipv4_udp_cksum(const void *ip, const void *udp)
{
	const uint8_t *iph = ip, *u = udp;
	uint16_t ulen_be, ck;
	uint32_t sum, sip, dip;

	memcpy(&sip, iph + 12, 4);
	memcpy(&dip, iph + 16, 4);
	memcpy(&ulen_be, u + 4, 2);
	/* pseudo-header: addresses, zero and protocol (as a stored word), length */
	sum = vr_cksum_add32(vr_cksum_add32(0, sip), dip);
	sum += (uint32_t)(17u << 8); /* bytes 00 11 read as a little-endian word */
	sum += ulen_be;
	sum += vr_cksum_raw(u, (size_t)(u[4] << 8 | u[5]));
	ck = (uint16_t)~vr_cksum_fold(sum);
	return ck == 0 ? 0xffff : ck;
}

#endif /* VR_DP_CKSUM_H */
