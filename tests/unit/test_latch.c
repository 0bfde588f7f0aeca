/* SPDX-License-Identifier: BSD-3-Clause */
/* Source rules and latching (dataplane/latch.c): RTP Bleed and NAT rebinding. */
#include <arpa/inet.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/latch.h"

static struct vr_latch_rule rule;
static struct vr_shm_flow flow;
static struct vr_latch l;

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static struct vr_latch_pkt
pkt(const char *src, uint16_t port, uint16_t seq, uint32_t ssrc)
{
	struct vr_latch_pkt k = {
		.src_ip = ip(src), .src_port = htons(port), .seq = seq, .ssrc = ssrc, .is_rtp = 1,
	};

	return k;
}

static int
feed(const char *src, uint16_t port, uint16_t seq, uint32_t ssrc, uint64_t now)
{
	struct vr_latch_pkt k = pkt(src, port, seq, ssrc);
	int v = vr_latch_check(&rule, &flow, &l, &k, now);

	/* The relay tracks the highest sequence number of accepted packets. */
	if (v >= 0 && (uint16_t)(seq - (uint16_t)flow.rtp_ext_max) < 0x8000)
		flow.rtp_ext_max = seq;
	return v;
}

static void
setup(void)
{
	memset(&rule, 0, sizeof(rule));
	memset(&flow, 0, sizeof(flow));
	memset(&l, 0, sizeof(l));
	rule.learn_deadline_tsc = 1000;
	rule.relatch_pkts = 5;
}

TestSuite(latch, .init = setup);

Test(latch, learns_first_valid_source)
{
	cr_assert_eq(feed("203.0.113.2", 14000, 10, 0xaaaa, 1), VR_LATCH_LEARNED);
	cr_assert_eq(flow.latch, VR_LATCH_LATCHED);
	cr_assert_eq(flow.peer_ip, ip("203.0.113.2"));
	cr_assert_eq(flow.peer_port, htons(14000));
	cr_assert_eq(flow.ssrc, 0xaaaa);
	cr_assert_eq(feed("203.0.113.2", 14000, 11, 0xaaaa, 2), VR_LATCH_PASS);
}

Test(latch, expected_peer_address_and_port_block)
{
	rule.expect_ip = ip("203.0.113.2");
	rule.expect_lo = 14000;
	rule.expect_hi = 14019;
	cr_assert_eq(feed("192.0.2.66", 14000, 1, 1, 1), -VR_DROP_BAD_SOURCE);
	cr_assert_eq(feed("203.0.113.2", 14020, 1, 1, 1), -VR_DROP_BAD_SOURCE);
	cr_assert_eq(feed("203.0.113.2", 13999, 1, 1, 1), -VR_DROP_BAD_SOURCE);
	cr_assert_eq(flow.latch, VR_LATCH_LEARNING, "a rejected source must not latch");
	cr_assert_eq(feed("203.0.113.2", 14019, 1, 1, 1), VR_LATCH_LEARNED);
}

Test(latch, learning_window_expires)
{
	cr_assert_eq(feed("203.0.113.2", 14000, 1, 1, 1001), -VR_DROP_LEARN_EXPIRED);
	cr_assert_eq(flow.latch, VR_LATCH_EXPIRED);
	cr_assert_eq(feed("203.0.113.2", 14000, 2, 1, 1002), -VR_DROP_LEARN_EXPIRED);
}

Test(latch, rtp_bleed_attempt_is_dropped)
{
	unsigned int i;

	cr_assert_eq(feed("203.0.113.2", 14000, 100, 0x1234, 1), VR_LATCH_LEARNED);
	/* The attacker does not know the SSRC: never moves the latch. */
	for (i = 0; i < 50; i++)
		cr_assert_eq(feed("192.0.2.66", 40000, (uint16_t)(101 + i), 0x9999, 2),
			-VR_DROP_NOT_LATCHED_SOURCE);
	/* Knowing the SSRC but spraying out of sequence does not do it either. */
	for (i = 0; i < 50; i++)
		cr_assert_eq(feed("192.0.2.66", 40000, (uint16_t)(101 + 2 * i), 0x1234, 2),
			-VR_DROP_NOT_LATCHED_SOURCE);
	/* Nor does replaying old sequence numbers in order. */
	for (i = 0; i < 50; i++)
		cr_assert_eq(feed("192.0.2.66", 40000, (uint16_t)(50 + i), 0x1234, 2),
			-VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(flow.peer_ip, ip("203.0.113.2"));
	cr_assert_eq(flow.peer_port, htons(14000));
	/* The phone itself still passes. */
	cr_assert_eq(feed("203.0.113.2", 14000, 101, 0x1234, 3), VR_LATCH_PASS);
}

Test(latch, nat_rebinding_moves_after_n_in_sequence)
{
	uint16_t s;

	cr_assert_eq(feed("203.0.113.2", 14000, 500, 0x1234, 1), VR_LATCH_LEARNED);
	cr_assert_eq(feed("203.0.113.2", 14000, 501, 0x1234, 2), VR_LATCH_PASS);
	/* The NAT mapping moves: same SSRC, sequence continues, new port. */
	for (s = 502; s < 506; s++)
		cr_assert_eq(feed("203.0.113.2", 31337, s, 0x1234, 3), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(feed("203.0.113.2", 31337, 506, 0x1234, 3), VR_LATCH_MOVED);
	cr_assert_eq(flow.peer_port, htons(31337));
	cr_assert_eq(feed("203.0.113.2", 31337, 507, 0x1234, 4), VR_LATCH_PASS);
	cr_assert_eq(feed("203.0.113.2", 14000, 508, 0x1234, 4), -VR_DROP_NOT_LATCHED_SOURCE,
		"the old mapping is now the stranger");
}

Test(latch, rebinding_count_restarts_on_a_gap)
{
	cr_assert_eq(feed("203.0.113.2", 14000, 500, 7, 1), VR_LATCH_LEARNED);
	feed("198.51.100.77", 5000, 501, 7, 2);
	feed("198.51.100.77", 5000, 502, 7, 2);
	feed("198.51.100.77", 5000, 503, 7, 2);
	feed("198.51.100.77", 5000, 504, 7, 2);
	/* A gap: the run starts over. */
	cr_assert_eq(feed("198.51.100.77", 5000, 506, 7, 2), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(feed("198.51.100.77", 5000, 507, 7, 2), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(feed("198.51.100.77", 5000, 508, 7, 2), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(feed("198.51.100.77", 5000, 509, 7, 2), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(feed("198.51.100.77", 5000, 510, 7, 2), VR_LATCH_MOVED);
}

Test(latch, rebinding_must_respect_expected_peer)
{
	uint16_t s;

	rule.expect_ip = ip("203.0.113.2");
	cr_assert_eq(feed("203.0.113.2", 14000, 500, 7, 1), VR_LATCH_LEARNED);
	for (s = 501; s < 520; s++)
		cr_assert_eq(feed("192.0.2.66", 14000, s, 7, 2), -VR_DROP_BAD_SOURCE);
	cr_assert_eq(flow.peer_ip, ip("203.0.113.2"));
}

Test(latch, rtcp_follows_its_rtp_sibling_at_once)
{
	struct vr_latch_pkt k;

	k = pkt("203.0.113.2", 14001, 0, 0x1234);
	k.is_rtp = 0;
	k.rtcp_flow = 1;
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 1), VR_LATCH_LEARNED);
	/* From a new address that the RTP flow already moved to: one packet. */
	k = pkt("198.51.100.77", 5001, 0, 0x1234);
	k.is_rtp = 0;
	k.rtcp_flow = 1;
	k.sibling_ip = ip("198.51.100.77");
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 2), VR_LATCH_MOVED);
	/* From an address the RTP flow has not vouched for: relatch_pkts packets. */
	k = pkt("192.0.2.66", 5001, 0, 0x1234);
	k.is_rtp = 0;
	k.rtcp_flow = 1;
	k.sibling_ip = ip("198.51.100.77");
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 3), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 3), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 3), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 3), -VR_DROP_NOT_LATCHED_SOURCE);
	cr_assert_eq(vr_latch_check(&rule, &flow, &l, &k, 3), VR_LATCH_MOVED);
}

Test(latch, reprogram_drops_a_latch_the_new_rule_forbids)
{
	cr_assert_eq(feed("203.0.113.2", 14000, 1, 1, 1), VR_LATCH_LEARNED);
	rule.expect_ip = ip("203.0.113.2");
	vr_latch_reprogram(&rule, &flow, &l);
	cr_assert_eq(flow.latch, VR_LATCH_LATCHED, "still allowed: kept");
	rule.expect_ip = ip("203.0.113.9");
	rule.learn_deadline_tsc = 5000;
	vr_latch_reprogram(&rule, &flow, &l);
	cr_assert_eq(flow.latch, VR_LATCH_LEARNING);
	cr_assert_eq(flow.peer_ip, 0);
	cr_assert_eq(feed("203.0.113.9", 14000, 1, 1, 2000), VR_LATCH_LEARNED);
}

Test(latch, reprogram_reopens_an_expired_window)
{
	cr_assert_eq(feed("203.0.113.2", 14000, 1, 1, 2000), -VR_DROP_LEARN_EXPIRED);
	rule.learn_deadline_tsc = 5000;
	vr_latch_reprogram(&rule, &flow, &l);
	cr_assert_eq(feed("203.0.113.2", 14000, 1, 1, 2001), VR_LATCH_LEARNED);
}

/* RTCP multiplexed on an RTP port (RFC 5761), as the RTP flow sees it. */
static int
feed_mux(const char *src, uint16_t port, uint32_t ssrc, uint64_t now)
{
	struct vr_latch_pkt k = pkt(src, port, 0, ssrc);

	k.is_rtp = 0;
	return vr_latch_check(&rule, &flow, &l, &k, now);
}

/*
 * Muxed RTCP carries no sequence number to prove a NAT rebinding with:
 * from a new source it never counts towards moving the RTP latch, however
 * many packets carry the latched SSRC, and it neither counts nor breaks a
 * real rebinding's run of RTP packets.
 */
Test(latch, muxed_rtcp_never_moves_an_rtp_latch)
{
	unsigned int i;
	uint16_t s;

	rule.expect_ip = ip("203.0.113.2");
	cr_assert_eq(feed("203.0.113.2", 14000, 500, 0x1234, 1), VR_LATCH_LEARNED);
	for (i = 0; i < 50; i++)
		cr_assert_eq(feed_mux("203.0.113.2", 14010, 0x1234, 2), -VR_DROP_NOT_LATCHED_SOURCE,
			"muxed RTCP packet %u from a new source", i);
	cr_assert_eq(flow.peer_port, htons(14000));
	/* From the latched peer it passes. */
	cr_assert_eq(feed_mux("203.0.113.2", 14000, 0x1234, 3), VR_LATCH_PASS);
	/* The NAT mapping really moves: muxed RTCP in the middle of the RTP run. */
	for (s = 501; s < 505; s++) {
		cr_assert_eq(feed("203.0.113.2", 14010, s, 0x1234, 4), -VR_DROP_NOT_LATCHED_SOURCE);
		cr_assert_eq(feed_mux("203.0.113.2", 14010, 0x1234, 4), -VR_DROP_NOT_LATCHED_SOURCE);
	}
	cr_assert_eq(flow.peer_port, htons(14000), "muxed RTCP counted towards the move");
	cr_assert_eq(feed("203.0.113.2", 14010, 505, 0x1234, 5), VR_LATCH_MOVED);
	cr_assert_eq(flow.peer_port, htons(14010));
	cr_assert_eq(feed_mux("203.0.113.2", 14010, 0x1234, 6), VR_LATCH_PASS);
}

/*
 * An attacker in the expected block who sprays while the phone's NAT
 * mapping moves cannot hold the move back: his packets, under another SSRC
 * (he does not know the phone's) or behind the phone's sequence, leave the
 * phone's run of in-sequence packets where it is.
 */
Test(latch, a_spray_between_does_not_hold_a_rebinding_back)
{
	uint16_t s;

	cr_assert_eq(feed("203.0.113.2", 14000, 500, 0x1234, 1), VR_LATCH_LEARNED);
	for (s = 501; s < 505; s++) {
		cr_assert_eq(feed("203.0.113.2", 14002, s, 0x1234, 2), -VR_DROP_NOT_LATCHED_SOURCE);
		cr_assert_eq(feed("203.0.113.2", 14005, 9000, 0xbad, 2), -VR_DROP_NOT_LATCHED_SOURCE);
		cr_assert_eq(feed("203.0.113.2", 14005, 400, 0x1234, 2), -VR_DROP_NOT_LATCHED_SOURCE);
	}
	cr_assert_eq(feed("203.0.113.2", 14002, 505, 0x1234, 3), VR_LATCH_MOVED,
		"the attacker's packets held the phone's move back");
	cr_assert_eq(flow.peer_port, htons(14002));
}
