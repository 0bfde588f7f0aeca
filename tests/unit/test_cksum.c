/* SPDX-License-Identifier: BSD-3-Clause */
/* Incremental UDP checksum update (dataplane/cksum.h) against a full recomputation. */
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "dataplane/cksum.h"
#include "tests/common/pktbuild.h"

static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

/* Rewrites addresses and ports of frame f like the relay does, checks against the reference. */
static void
check_rewrite(uint8_t *f, uint32_t nsip, uint32_t ndip, uint16_t nsp, uint16_t ndp)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint32_t osip, odip;
	uint16_t osp, odp, ck, got;

	memcpy(&osip, ip + 12, 4);
	memcpy(&odip, ip + 16, 4);
	memcpy(&osp, udp, 2);
	memcpy(&odp, udp + 2, 2);
	memcpy(&ck, udp + 6, 2);
	ck = vr_udp_cksum_rewrite(ck, osip, odip, osp, odp, nsip, ndip, nsp, ndp);
	memcpy(ip + 12, &nsip, 4);
	memcpy(ip + 16, &ndip, 4);
	memcpy(udp, &nsp, 2);
	memcpy(udp + 2, &ndp, 2);
	memcpy(udp + 6, &ck, 2);
	got = ntohs(ck);
	cr_assert_eq(got, ref_udp_cksum(ip), "incremental 0x%04x, reference 0x%04x", got,
		ref_udp_cksum(ip));
}

/* A frame in f: random addresses, ports and payload of fewer than max bytes; returns its payload length. */
static size_t
random_udp(uint8_t *f, size_t max)
{
	uint8_t pl[1472];
	size_t plen = (size_t)rand() % max, k;
	char sip[24], dip[24];

	for (k = 0; k < plen; k++)
		pl[k] = (uint8_t)rand();
	snprintf(sip, sizeof(sip), "%d.%d.%d.%d", rand() % 256, rand() % 256, rand() % 256,
		rand() % 256);
	snprintf(dip, sizeof(dip), "%d.%d.%d.%d", rand() % 256, rand() % 256, rand() % 256,
		rand() % 256);
	build_udp(f, mac, mac, sip, (uint16_t)rand(), dip, (uint16_t)rand(), pl, plen);
	return plen;
}

Test(cksum, matches_reference_on_random_packets)
{
	uint8_t f[1600];
	unsigned int i;

	srand(42);
	for (i = 0; i < 5000; i++) {
		random_udp(f, 1400);
		check_rewrite(f, (uint32_t)rand() * 2654435761u, (uint32_t)rand(),
			(uint16_t)rand(), (uint16_t)rand());
	}
}

Test(cksum, zero_means_none_and_stays_zero)
{
	cr_assert_eq(vr_udp_cksum_rewrite(0, 1, 2, 3, 4, 5, 6, 7, 8), 0);
}

Test(cksum, computed_zero_is_sent_as_ffff)
{
	uint8_t f[100], pl[4] = { 0 };
	uint8_t *udp = f + 14 + 20;
	uint16_t ck;
	uint32_t nsip;

	/* Find a source address that makes the true checksum 0xffff (sum 0). */
	build_udp(f, mac, mac, "10.0.0.1", 1000, "10.0.0.2", 2000, pl, sizeof(pl));
	ck = (uint16_t)(udp[6] << 8 | udp[7]);
	/* Adding (ck) to the sum via the source address drives it to 0xffff. */
	nsip = htonl(0x0a000001u + ((uint32_t)ck));
	check_rewrite(f, nsip, htonl(0x0a000002), htons(1000), htons(2000));
	cr_assert_neq(udp[6] << 8 | udp[7], 0, "a computed zero must go out as 0xffff");
}

Test(cksum, ip_header_reference)
{
	/* RFC 1071 example-style check on a known header (Wikipedia's IPv4 sample). */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
		0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	cr_assert_eq(ref_ip_cksum(h), 0xb861);
}

/*
 * vr_ipv4_hdr_cksum: the header checksum of random headers of every length
 * (IHL 5-15), whatever their checksum field holds, and of the sample above.
 */
Test(cksum, ip_header_checksum_every_length)
{
	uint8_t h[60] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xde, 0xad,
		0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t got;

	cr_assert_eq(ntohs(vr_ipv4_hdr_cksum(h)), 0xb861);
	srand(11);
	for (int i = 0; i < 20000; i++) {
		unsigned int ihl = 5 + (unsigned int)i % 11;
		uint8_t z[60];

		for (unsigned int j = 0; j < sizeof(h); j++)
			h[j] = (uint8_t)rand();
		h[0] = (uint8_t)(0x40 | ihl);
		memcpy(z, h, sizeof(z));
		z[10] = z[11] = 0;
		got = ntohs(vr_ipv4_hdr_cksum(h));
		cr_assert_eq(got, ref_fold(ref_sum(z, 4 * ihl, 0)),
			"IHL %u: 0x%04x, reference 0x%04x", ihl, got, ref_fold(ref_sum(z, 4 * ihl, 0)));
	}
}

/* The reference sum of buf[0..len), big-endian words, folded: what vr_cksum_raw gives (byte-swapped). */
static uint16_t
ref_raw(const uint8_t *b, size_t len)
{
	uint32_t sum = ref_sum(b, len, 0);

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

Test(cksum, raw_sum_every_length_and_alignment)
{
	uint8_t buf[1600];
	size_t len, off, k;

	srand(7);
	for (k = 0; k < sizeof(buf); k++)
		buf[k] = (uint8_t)rand();
	for (off = 0; off < 8; off++)
		for (len = 0; len <= 600; len++)
			cr_assert_eq(ntohs(vr_cksum_raw(buf + off, len)), ref_raw(buf + off, len),
				"length %zu at offset %zu", len, off);
	/* All ones: the accumulators carry far, the fold must still be exact. */
	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(ntohs(vr_cksum_raw(buf, sizeof(buf))), ref_raw(buf, sizeof(buf)));
	cr_assert_eq(ntohs(vr_cksum_raw(buf, 1499)), ref_raw(buf, 1499));
}

Test(cksum, full_udp_checksum_matches_reference)
{
	uint8_t f[1600];
	unsigned int i;

	srand(43);
	for (i = 0; i < 5000; i++) {
		size_t plen = random_udp(f, 1472);
		uint8_t *ip = f + 14, *udp = ip + 20;
		uint16_t ck;

		udp[6] = udp[7] = 0;
		ck = vr_ipv4_udp_cksum(ip, udp);
		cr_assert_eq(ntohs(ck), ref_udp_cksum(ip), "length %zu: 0x%04x, reference 0x%04x",
			plen, ntohs(ck), ref_udp_cksum(ip));
	}
}

Test(cksum, full_udp_checksum_never_zero)
{
	uint8_t f[100], pl[4] = { 0 };
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t want;
	uint32_t s;

	/* A payload word that makes the sum 0xffff: the checksum is 0, sent as 0xffff. */
	build_udp(f, mac, mac, "10.0.0.1", 1000, "10.0.0.2", 2000, pl, sizeof(pl));
	want = (uint16_t)(udp[6] << 8 | udp[7]);
	s = (uint32_t)want;
	udp[8] = (uint8_t)(s >> 8);
	udp[9] = (uint8_t)s;
	udp[6] = udp[7] = 0;
	cr_assert_eq(ref_udp_cksum(ip), 0xffff);
	cr_assert_eq(vr_ipv4_udp_cksum(ip, udp), 0xffff);
}
