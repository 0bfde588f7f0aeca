/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers: builds Ethernet/IPv4/UDP/RTP frames byte by byte and computes
 * checksums the plain RFC 1071 way, independently of the dataplane's code, so
 * that tests compare the relay against a reference rather than against itself.
 */
#ifndef VR_TEST_PKTBUILD_H
#define VR_TEST_PKTBUILD_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

/* RFC 1071 sum of len bytes, big-endian words, added to sum. */
static inline uint32_t
ref_sum(const uint8_t *b, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	return sum;
}

static inline uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Reference IPv4 header checksum (host order) of the 20-byte header at ip. */
static inline uint16_t
ref_ip_cksum(const uint8_t *ip)
{
	uint8_t h[20];

	memcpy(h, ip, 20);
	h[10] = h[11] = 0;
	return ref_fold(ref_sum(h, 20, 0));
}

/* Reference UDP checksum (host order) of the datagram behind IPv4 header ip. */
static inline uint16_t
ref_udp_cksum(const uint8_t *ip)
{
	const uint8_t *udp = ip + 20;
	uint16_t ulen = (uint16_t)(udp[4] << 8 | udp[5]);
	uint8_t pseudo[12];
	uint8_t copy[2048];
	uint16_t ck;

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	memcpy(copy, udp, ulen);
	copy[6] = copy[7] = 0;
	ck = ref_fold(ref_sum(copy, ulen, ref_sum(pseudo, 12, 0)));
	return ck == 0 ? 0xffff : ck;
}

/*
 * Writes an Ethernet/IPv4/UDP frame carrying payload[0..plen) into f and
 * returns its length. Addresses are dotted strings, ports host order; both
 * checksums are filled in by the reference functions.
 */
static inline size_t
build_udp(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], const char *sip,
	uint16_t sport, const char *dip, uint16_t dport, const uint8_t *payload, size_t plen)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t tot = (uint16_t)(20 + 8 + plen), ulen = (uint16_t)(8 + plen), ck;
	struct in_addr a;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = 0x00;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[4] = 0x12;
	ip[5] = 0x34;
	ip[6] = 0x40; /* DF */
	ip[8] = 60;
	ip[9] = 17;
	inet_pton(AF_INET, sip, &a);
	memcpy(ip + 12, &a, 4);
	inet_pton(AF_INET, dip, &a);
	memcpy(ip + 16, &a, 4);
	ck = ref_ip_cksum(ip);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	memcpy(udp + 8, payload, plen);
	ck = ref_udp_cksum(ip);
	udp[6] = (uint8_t)(ck >> 8);
	udp[7] = (uint8_t)ck;
	return 14 + tot;
}

/*
 * Writes a 60-byte ARP reply into f: host sip at smac tells dmac, which asked
 * for it from dip (addresses dotted strings). Returns its length.
 */
static inline size_t
build_arp_reply(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6], const char *sip,
	const char *dip)
{
	struct in_addr a;

	memset(f, 0, 60);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	memcpy(f + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x02", 10);
	memcpy(f + 22, smac, 6);
	inet_pton(AF_INET, sip, &a);
	memcpy(f + 28, &a, 4);
	memcpy(f + 32, dmac, 6);
	inet_pton(AF_INET, dip, &a);
	memcpy(f + 38, &a, 4);
	return 60;
}

/*
 * Writes a 60-byte broadcast ARP request into f: host sip at smac asks who
 * has dip (addresses dotted strings). Returns its length.
 */
static inline size_t
build_arp_request(uint8_t *f, const uint8_t smac[6], const char *sip, const char *dip)
{
	struct in_addr a;

	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, smac, 6);
	memcpy(f + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
	memcpy(f + 22, smac, 6);
	inet_pton(AF_INET, sip, &a);
	memcpy(f + 28, &a, 4);
	inet_pton(AF_INET, dip, &a);
	memcpy(f + 38, &a, 4);
	return 60;
}

/* Writes a 12-byte RTP v2 header plus n payload bytes of fill; returns the length. */
static inline size_t
build_rtp(uint8_t *b, uint16_t seq, uint32_t ts, uint32_t ssrc, size_t n, uint8_t fill)
{
	b[0] = 0x80;
	b[1] = 0x00;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	ts = htonl(ts);
	ssrc = htonl(ssrc);
	memcpy(b + 4, &ts, 4);
	memcpy(b + 8, &ssrc, 4);
	memset(b + 12, fill, n);
	return 12 + n;
}

#endif /* VR_TEST_PKTBUILD_H */
