/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet classification and RTP/RTCP checks (dataplane/pkt.h). */
#include <criterion/criterion.h>

#include "dataplane/pkt.h"
#include "tests/common/pktbuild.h"

static const uint8_t dmac[6] = { 2, 0, 0, 0, 0, 1 }, smac[6] = { 2, 0, 0, 0, 0, 2 };
static uint8_t f[2048], pl[1500];

static size_t
udp_frame(size_t plen)
{
	memset(pl, 0, sizeof(pl));
	build_rtp(pl, 1, 160, 0xabcd, plen > 12 ? plen - 12 : 0, 0xd5);
	return build_udp(f, dmac, smac, "203.0.113.2", 14000, "198.51.100.10", 20000, pl, plen);
}

Test(pkt, udp_ok)
{
	struct vr_pkt p;
	size_t n = udp_frame(172);

	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), VR_PKT_UDP);
	cr_assert_eq(p.payload_len, 172);
	cr_assert_eq(p.payload, f + 42);
	cr_assert_eq(p.ip_len, 200);
}

Test(pkt, ethernet_padding_is_fine)
{
	struct vr_pkt p;
	size_t n = udp_frame(4);

	/* 46-byte frame padded to the 60-byte Ethernet minimum. */
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)(n < 60 ? 60 : n), &p), VR_PKT_UDP);
	cr_assert_eq(p.payload_len, 4);
}

Test(pkt, truncated)
{
	struct vr_pkt p;
	size_t n = udp_frame(172);

	cr_assert_eq(vr_pkt_classify(f, 10, &p), -VR_DROP_MALFORMED);
	cr_assert_eq(vr_pkt_classify(f, 14 + 19, &p), -VR_DROP_MALFORMED);
	/* IP total length says more than the frame holds. */
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n - 1, &p), -VR_DROP_MALFORMED);
}

Test(pkt, oversized_udp_length)
{
	struct vr_pkt p;
	size_t n = udp_frame(172);

	f[14 + 20 + 4] = 0x05; /* UDP length 0x05xx > IP payload */
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_MALFORMED);
	n = udp_frame(172);
	f[14 + 20 + 4] = 0;
	f[14 + 20 + 5] = 7; /* shorter than the UDP header */
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_MALFORMED);
}

Test(pkt, fragments)
{
	struct vr_pkt p;
	size_t n = udp_frame(172);

	f[14 + 6] = 0x20; /* MF */
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_FRAGMENT);
	f[14 + 6] = 0x00;
	f[14 + 7] = 0x10; /* offset 16 */
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_FRAGMENT);
	f[14 + 6] = 0x40; /* DF only: not a fragment */
	f[14 + 7] = 0x00;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), VR_PKT_UDP);
}

Test(pkt, other_kinds)
{
	struct vr_pkt p;
	size_t n = udp_frame(172);

	f[14] = 0x46;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_IP_OPTIONS);
	f[14] = 0x44;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_MALFORMED);
	f[14] = 0x65;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_MALFORMED);
	f[14] = 0x45;
	f[14 + 9] = 6;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_NOT_UDP);
	f[14 + 9] = 1;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), VR_PKT_ICMP);
	f[12] = 0x08;
	f[13] = 0x06;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), VR_PKT_ARP);
	f[12] = 0x86;
	f[13] = 0xdd;
	cr_assert_eq(vr_pkt_classify(f, (uint32_t)n, &p), -VR_DROP_NOT_IPV4);
}

Test(rtp, well_formed)
{
	struct vr_rtp_info i;
	uint8_t b[200];
	size_t n = build_rtp(b, 0x1234, 0x01020304, 0xdeadbeef, 160, 0);

	cr_assert(vr_rtp_check(b, (uint32_t)n, &i));
	cr_assert_eq(i.seq, 0x1234);
	cr_assert_eq(i.ts, 0x01020304);
	cr_assert_eq(i.ssrc, 0xdeadbeef);
	cr_assert_eq(i.is_rtp, 1);
	cr_assert(vr_rtp_check(b, 12, &i), "a header with no payload is valid RTP");
}

Test(rtp, malformed)
{
	struct vr_rtp_info i;
	uint8_t b[200];
	size_t n = build_rtp(b, 1, 1, 1, 20, 0);

	cr_assert_not(vr_rtp_check(b, 11, &i), "shorter than the fixed header");
	b[0] = 0x40;
	cr_assert_not(vr_rtp_check(b, (uint32_t)n, &i), "version 1");
	b[0] = 0x8f; /* 15 CSRCs: 72 bytes of header */
	cr_assert_not(vr_rtp_check(b, (uint32_t)n, &i), "CSRC list past the end");
	b[0] = 0x82;
	cr_assert(vr_rtp_check(b, (uint32_t)n, &i), "2 CSRCs fit in 32 bytes");
	b[0] = 0x90; /* extension: 4-byte header at 12, length words at 14 */
	b[14] = 0;
	b[15] = 2;
	cr_assert(vr_rtp_check(b, (uint32_t)n, &i), "extension of 2 words fits");
	b[15] = 5;
	cr_assert_not(vr_rtp_check(b, (uint32_t)n, &i), "extension past the end");
	b[0] = 0xa0; /* padding: count in the last byte */
	b[n - 1] = 0;
	cr_assert_not(vr_rtp_check(b, (uint32_t)n, &i), "padding count 0");
	b[n - 1] = 21;
	cr_assert_not(vr_rtp_check(b, (uint32_t)n, &i), "padding larger than the payload");
	b[n - 1] = 20;
	cr_assert(vr_rtp_check(b, (uint32_t)n, &i), "padding of the whole payload");
}

Test(rtp, not_rtp)
{
	struct vr_rtp_info i;
	/* A STUN binding request: first two bits 00. */
	uint8_t stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };

	cr_assert_not(vr_rtp_check(stun, sizeof(stun), &i));
	cr_assert_not(vr_rtcp_check(stun, sizeof(stun), &i));
}

Test(rtcp, checks)
{
	struct vr_rtp_info i;
	uint8_t b[32] = { 0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44 };

	cr_assert(vr_rtcp_check(b, 8, &i));
	cr_assert_eq(i.ssrc, 0x11223344);
	cr_assert_eq(i.is_rtp, 0);
	cr_assert(vr_rtp_check(b, 8, &i), "RTCP multiplexed on the RTP port is accepted");
	cr_assert_eq(i.is_rtp, 0);
	b[3] = 2;
	cr_assert_not(vr_rtcp_check(b, 8, &i), "length word past the end");
	b[3] = 1;
	b[1] = 150;
	cr_assert_not(vr_rtcp_check(b, 8, &i), "packet type outside 192-223");
	b[1] = 200;
	cr_assert_not(vr_rtcp_check(b, 7, &i), "shorter than 8 bytes");
	b[0] = 0x40;
	cr_assert_not(vr_rtcp_check(b, 8, &i), "version 1");
}
