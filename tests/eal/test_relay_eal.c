/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay on a real EAL (--no-huge) with a net_ring port the test feeds and
 * drains (tests/common/eal_harness.h): the exact bytes of the ARP request, of
 * a relayed RTP packet and of an ICMP echo reply, compared with frames built
 * independently (tests/common/pktbuild.h); and the counters after malformed,
 * unbound and unlatched traffic.
 */
#include <rte_rcu_qsbr.h>

#include "tests/common/eal_harness.h"

TestSuite(relay_eal, .init = eal_setup, .fini = eal_teardown);
TestSuite(relay_eal2, .init = eal_setup2, .fini = eal_teardown);

static struct vr_ctl_call
call_def(const char *id)
{
	struct vr_ctl_call c;

	memset(&c, 0, sizeof(c));
	strcpy(c.id, id);
	inet_pton(AF_INET, "198.51.100.10", &c.leg[0].addr);
	c.leg[0].port = 20000;
	c.leg[0].flags = VR_CTL_LEG_F_EXPECT;
	inet_pton(AF_INET, "203.0.113.2", &c.leg[0].expect_ip);
	c.leg[0].expect_lo = 14000;
	c.leg[0].expect_hi = 14019;
	c.leg[1] = c.leg[0];
	c.leg[1].port = 20002;
	c.leg[1].expect_lo = 14020;
	c.leg[1].expect_hi = 14039;
	return c;
}

static void
add_call(void)
{
	struct vr_ctl_call c = call_def("eal-call");

	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);
}

static size_t
phone_frame(uint8_t *f, uint16_t sport, uint16_t dport, uint16_t seq, uint8_t fill)
{
	uint8_t rtp[172];

	build_rtp(rtp, seq, 160u * seq, sport, 160, fill);
	return build_udp(f, our_mac, gw_mac, "203.0.113.2", sport, "198.51.100.10", dport, rtp,
		sizeof(rtp));
}

/* RTP from the expected peer's host at sport to relay port dport, under ssrc. */
static size_t
rtp_frame(uint8_t *f, uint16_t sport, uint16_t dport, uint16_t seq, uint32_t ssrc)
{
	uint8_t rtp[172];

	build_rtp(rtp, seq, 160u * seq, ssrc, 160, 0);
	return build_udp(f, our_mac, gw_mac, "203.0.113.2", sport, "198.51.100.10", dport, rtp,
		sizeof(rtp));
}

/* An RTCP receiver report without report blocks, sender ssrc, from sport to
 * relay port dport: on an RTP port, RTCP multiplexed (RFC 5761). */
static size_t
rtcp_frame(uint8_t *f, uint16_t sport, uint16_t dport, uint32_t ssrc)
{
	uint8_t rr[8] = { 0x80, 201, 0, 1 };

	ssrc = htonl(ssrc);
	memcpy(rr + 4, &ssrc, 4);
	return build_udp(f, our_mac, gw_mac, "203.0.113.2", sport, "198.51.100.10", dport, rr,
		sizeof(rr));
}

Test(relay_eal, relayed_packet_bytes)
{
	uint8_t in[256], out[256], want[256];
	uint8_t *ip = want + 14;
	size_t n, wn;
	uint16_t ck;

	resolve_gateway();
	add_call();
	/* Phone 2 speaks first: leg b latches, leg a has no peer yet. */
	inject(in, phone_frame(in, 14020, 20002, 1, 0x22));
	run();
	cr_assert_eq(sent(out), 0, "nothing can be relayed before leg a latches");
	cr_assert_eq(drops(VR_DROP_PEER_UNLATCHED), 1);
	/* Phone 1: relayed to phone 2's latched address, from leg b's port. */
	n = phone_frame(in, 14000, 20000, 7, 0x11);
	inject(in, n);
	run();
	wn = sent(out);
	cr_assert_eq(wn, n, "relayed frame of %zu bytes, want %zu", wn, n);
	build_rtp(want + 42, 7, 160u * 7, 14000, 160, 0x11);
	build_udp(want, gw_mac, our_mac, "198.51.100.10", 20002, "203.0.113.2", 14020,
		want + 42, 172);
	ip[1] = 46 << 2;     /* DSCP EF */
	ip[8] = 64;          /* fresh TTL */
	ck = ref_ip_cksum(ip);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	cr_assert_arr_eq(out, want, wn, "relayed bytes differ from the reference frame");
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_FWD_PKTS, 0), 1);
	cr_assert_eq(dp.shm_calls[0].flow[0].c[VR_FC_PKTS], 1);
	cr_assert_eq(dp.shm_calls[0].flow[0].peer_port, htons(14000));
}

Test(relay_eal, drops_are_counted_by_reason)
{
	uint8_t in[256], out[256];
	size_t n;

	resolve_gateway();
	add_call();
	/* Truncated: IP total length beyond the frame. */
	n = phone_frame(in, 14000, 20000, 1, 0);
	inject(in, n - 10);
	/* A relay port with no call. */
	inject(in, phone_frame(in, 14000, 20010, 1, 0));
	/* Outside the relay range. */
	inject(in, phone_frame(in, 14000, 5060, 1, 0));
	/* Not RTP on an RTP port. */
	n = phone_frame(in, 14000, 20000, 1, 0);
	in[42] = 0x00;
	inject(in, n);
	/* From outside the leg's expected port block. */
	inject(in, phone_frame(in, 14100, 20000, 1, 0));
	run();
	cr_assert_eq(sent(out), 0, "a dropped packet was sent");
	cr_assert_eq(drops(VR_DROP_MALFORMED), 1);
	cr_assert_eq(drops(VR_DROP_NO_FLOW), 1);
	cr_assert_eq(drops(VR_DROP_NOT_RELAY_PORT), 1);
	cr_assert_eq(drops(VR_DROP_NOT_RTP), 1);
	cr_assert_eq(drops(VR_DROP_BAD_SOURCE), 1);
	cr_assert_eq(dp.shm_calls[0].flow[0].drops[VR_DROP_BAD_SOURCE], 1);
	/* A malformed request (a DEL with a 9-byte body) is refused; the call stays. */
	ctl(VR_CTL_CALL_DEL, "eal-call", 9, -EBADMSG);
	cr_assert_not_null(vr_calls_find(&dp, "eal-call"));
}

Test(relay_eal, delete_stops_forwarding)
{
	uint8_t in[256], out[256];
	struct vr_ctl_call_ref ref;

	resolve_gateway();
	add_call();
	inject(in, phone_frame(in, 14020, 20002, 1, 0));
	inject(in, phone_frame(in, 14000, 20000, 1, 0));
	run();
	cr_assert_gt(sent(out), 0);
	memset(&ref, 0, sizeof(ref));
	strcpy(ref.id, "eal-call");
	ctl(VR_CTL_CALL_DEL, &ref, sizeof(ref), 0);
	ctl(VR_CTL_CALL_DEL, &ref, sizeof(ref), -ENOENT);
	inject(in, phone_frame(in, 14000, 20000, 2, 0));
	run();
	cr_assert_eq(sent(out), 0);
	cr_assert_eq(drops(VR_DROP_NO_FLOW), 1);
	cr_assert_eq(dp.shm_calls[0].state, VR_SHM_CALL_FREE);
}

Test(relay_eal, icmp_echo_reply_bytes)
{
	uint8_t f[128], out[128];
	uint8_t *ip = f + 14, *icmp = ip + 20;
	struct in_addr a;
	uint16_t ck;
	size_t n;

	resolve_gateway();
	memset(f, 0, sizeof(f));
	memcpy(f, our_mac, 6);
	memcpy(f + 6, gw_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 20 + 16;
	ip[8] = 63;
	ip[9] = 1;
	inet_pton(AF_INET, "198.51.100.1", &a);
	memcpy(ip + 12, &a, 4);
	inet_pton(AF_INET, "198.51.100.10", &a);
	memcpy(ip + 16, &a, 4);
	ck = ref_ip_cksum(ip);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	icmp[0] = 8;
	memcpy(icmp + 4, "\x12\x34\x00\x01pingpong", 12);
	ck = ref_fold(ref_sum(icmp, 16, 0));
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	inject(f, 14 + 36);
	run();
	n = sent(out);
	cr_assert_eq(n, 50);
	cr_assert_arr_eq(out, gw_mac, 6);
	cr_assert_arr_eq(out + 6, our_mac, 6);
	cr_assert_arr_eq(out + 14 + 12, "\xc6\x33\x64\x0a\xc6\x33\x64\x01", 8, "addresses swapped");
	cr_assert_eq(out[14 + 20], 0, "echo reply type");
	cr_assert_eq(ref_fold(ref_sum(out + 34, 16, 0)), 0, "ICMP checksum verifies");
	cr_assert_eq(ref_fold(ref_sum(out + 14, 20, 0)), 0, "IP checksum verifies");
	cr_assert_arr_eq(out + 38, "\x12\x34\x00\x01pingpong", 12, "identifier, sequence, data kept");
}

Test(relay_eal, mod_keeps_or_moves_state)
{
	struct vr_ctl_call c = call_def("eal-call");
	uint8_t in[256], out[256];
	struct vr_call *vc;
	uint32_t slot;

	resolve_gateway();
	add_call();
	inject(in, phone_frame(in, 14020, 20002, 1, 0));
	inject(in, phone_frame(in, 14000, 20000, 1, 0));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(dp.shm_calls[0].flow[0].latch, VR_LATCH_LATCHED);
	/* Adding the same call again is a no-op; another definition is refused. */
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);
	c.leg[0].expect_lo = 14001;
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), -EEXIST);
	/* Same ports, a rule the latch still meets: latch and counters kept. */
	c = call_def("eal-call");
	c.leg[0].expect_hi = 14009;
	ctl(VR_CTL_CALL_MOD, &c, sizeof(c), 0);
	inject(in, phone_frame(in, 14000, 20000, 2, 0));
	run();
	cr_assert_gt(sent(out), 0, "a still-allowed latch must keep forwarding");
	cr_assert_eq(dp.shm_calls[0].flow[0].c[VR_FC_PKTS], 2, "counters survive a mod");
	/* Same ports, a rule the latch breaks: the old peer is refused, learning restarts. */
	inet_pton(AF_INET, "203.0.113.9", &c.leg[0].expect_ip);
	ctl(VR_CTL_CALL_MOD, &c, sizeof(c), 0);
	inject(in, phone_frame(in, 14000, 20000, 3, 0));
	run();
	cr_assert_eq(sent(out), 0);
	cr_assert_eq(dp.shm_calls[0].flow[0].latch, VR_LATCH_LEARNING);
	cr_assert_eq(dp.shm_calls[0].flow[0].drops[VR_DROP_BAD_SOURCE], 1);
	/* New ports, leg b on the second address: a new slot, the old port unbound. */
	c = call_def("eal-call");
	inet_pton(AF_INET, "198.51.100.11", &c.leg[1].addr);
	c.leg[1].port = 20004;
	ctl(VR_CTL_CALL_MOD, &c, sizeof(c), 0);
	vc = vr_calls_find(&dp, "eal-call");
	cr_assert_not_null(vc);
	slot = vc->slot;
	cr_assert_neq(slot, 0, "moved to a fresh slot");
	cr_assert_eq(dp.shm_calls[0].state, VR_SHM_CALL_FREE);
	inject(in, phone_frame(in, 14020, 20002, 4, 0));
	run();
	cr_assert_eq(drops(VR_DROP_NO_FLOW), 1, "the old port is unbound");
	{
		uint8_t rtp[172];
		size_t n;

		build_rtp(rtp, 5, 800, 14020, 160, 0);
		n = build_udp(in, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.11", 20004,
			rtp, sizeof(rtp));
		inject(in, n);
	}
	inject(in, phone_frame(in, 14000, 20000, 6, 0));
	run();
	cr_assert_gt(sent(out), 0);
	/* The fresh slot starts unlatched: leg b's packet latched b, leg a's was relayed. */
	cr_assert_eq(dp.shm_calls[slot].flow[2].latch, VR_LATCH_LATCHED);
	cr_assert_eq(dp.shm_calls[slot].flow[0].c[VR_FC_PKTS], 1, "leg a relays to leg b");
	cr_assert_eq(memcmp(out + 14 + 12, "\xc6\x33\x64\x0b", 4), 0,
		"sent from leg b's new address 198.51.100.11");
	cr_assert_eq(out[34] << 8 | out[35], 20004, "sent from leg b's new port");
}

Test(relay_eal2, packets_reach_the_owning_lcore)
{
	struct vr_ctl_call c0 = call_def("first"), c1 = call_def("second");
	uint8_t in[256], out[256];

	resolve_gateway();
	ctl(VR_CTL_CALL_ADD, &c0, sizeof(c0), 0);
	c1.leg[0].port = 20010;
	c1.leg[1].port = 20012;
	ctl(VR_CTL_CALL_ADD, &c1, sizeof(c1), 0);
	cr_assert_eq(vr_calls_find(&dp, "second")->owner, 1, "round-robin owners");
	/* Both legs of the call owned by worker 1 arrive on queue 0. */
	inject_q(0, in, phone_frame(in, 14020, 20012, 1, 0));
	inject_q(0, in, phone_frame(in, 14000, 20010, 1, 0));
	run();
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_HANDOFF, 0), 2);
	cr_assert_eq(sent_q(0, out), 0, "worker 0 relays nothing it does not own");
	cr_assert_gt(sent_q(1, out), 0, "worker 1 relays its call");
	cr_assert_eq(vr_dp_lcore_row(&dp, 1)->c[VR_GC_FWD_PKTS], 1);
	cr_assert_eq(vr_dp_lcore_row(&dp, 0)->c[VR_GC_FWD_PKTS], 0);
}

/*
 * Fills worker w's handoff ring with placeholders that stand for packets
 * queued earlier (the harness has too few mbufs to fill it with real ones);
 * handoff_unfill() takes them out before w polls or the dataplane is torn
 * down. Returns how many went in.
 */
static unsigned int
handoff_fill(unsigned int w)
{
	static uint64_t placeholder;
	void *objs[64];
	unsigned int i, n = 0, got;

	for (i = 0; i < 64; i++)
		objs[i] = &placeholder;
	do {
		got = rte_ring_mp_enqueue_burst(dp.lc[w]->handoff, objs, 64, NULL);
		n += got;
	} while (got > 0);
	return n;
}

static void
handoff_unfill(unsigned int w, unsigned int n)
{
	void *objs[64];
	unsigned int got;

	while (n > 0 && (got = rte_ring_sc_dequeue_burst(dp.lc[w]->handoff, objs, 64, NULL)) > 0)
		n -= got;
	cr_assert_eq(n, 0);
}

/*
 * A packet for a call owned by worker 1 arrives on worker 0 while worker 1's
 * handoff ring is full: worker 0 drops it and counts it on its own row only.
 * The flow's counters are worker 1's alone (single writer: an increment from
 * worker 0 racing one of worker 1's would lose one).
 */
Test(relay_eal2, handoff_full_counted_on_the_non_owner_row)
{
	struct vr_ctl_call c0 = call_def("first"), c1 = call_def("second");
	uint8_t in[256], out[256];
	const struct vr_shm_flow *st;
	unsigned int n, i;

	resolve_gateway();
	ctl(VR_CTL_CALL_ADD, &c0, sizeof(c0), 0);
	c1.leg[0].port = 20010;
	c1.leg[1].port = 20012;
	ctl(VR_CTL_CALL_ADD, &c1, sizeof(c1), 0);
	cr_assert_eq(vr_calls_find(&dp, "second")->owner, 1);
	st = &dp.shm_calls[vr_calls_find(&dp, "second")->slot].flow[0];
	n = handoff_fill(1);
	cr_assert_gt(n, 0);
	inject_q(0, in, phone_frame(in, 14000, 20010, 1, 0));
	for (i = 0; i < 32; i++)
		vr_worker_poll(dp.lc[0]);
	vr_worker_flush(dp.lc[0]);
	handoff_unfill(1, n);
	cr_assert_eq(vr_dp_lcore_row(&dp, 0)->drops[VR_DROP_HANDOFF_FULL], 1,
		"worker 0 did not count the drop on its own row");
	cr_assert_eq(st->drops[VR_DROP_HANDOFF_FULL], 0,
		"worker 0 wrote the counters of a flow worker 1 owns");
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_HANDOFF, 0), 0);
	cr_assert_eq(sent_q(0, out), 0);
	/* Once the ring has room, the call's packets reach worker 1 again. */
	inject_q(0, in, phone_frame(in, 14000, 20010, 2, 0));
	run();
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_HANDOFF, 0), 1);
	cr_assert_eq(st->drops[VR_DROP_HANDOFF_FULL], 0);
}

/*
 * The main lcore sleeps (up to 1 ms, in the control socket's poll) only when
 * none of its rings holds packets: 960 ARP requests waiting, 30 passes' worth,
 * take 30 passes and not 30 sleeps. Best of three, as a busy host can only
 * slow a run down.
 */
Test(relay_eal, main_lcore_does_not_sleep_with_packets_waiting)
{
	uint8_t f[128];
	char path[64];
	unsigned int try, i, passes = 0, replies;
	uint64_t t0, best = UINT64_MAX;

	snprintf(path, sizeof(path), "/tmp/vr-eal-%d.sock", getpid());
	snprintf(dp.cfg.ctl_path, sizeof(dp.cfg.ctl_path), "%s", path);
	cr_assert_eq(vr_ctl_open(&dp), 0);
	for (try = 0; try < 3; try++) {
		for (i = 0; i < 960; i++)
			inject(f, build_arp_request(f, gw_mac, "198.51.100.1", "198.51.100.10"));
		for (i = 0; i < 1000 && rte_ring_count(rxr[0]) > 0; i++)
			vr_worker_poll(dp.lc[0]);
		cr_assert_eq(rte_ring_count(dp.slow_rx), 960);
		t0 = rte_rdtsc();
		for (passes = 0; rte_ring_count(dp.slow_rx) > 0 && passes < 100; passes++)
			vr_slow_poll(&dp);
		best = RTE_MIN(best, rte_rdtsc() - t0);
		for (i = 0, replies = 0; i < 2000 && replies < 960; i++) {
			vr_worker_poll(dp.lc[0]);
			while (sent(f) > 0)
				replies += f[12] == 0x08 && f[13] == 0x06 && f[21] == 2;
		}
		cr_assert_eq(replies, 960);
	}
	cr_assert_eq(passes, 30);
	cr_assert_lt(best, rte_get_tsc_hz() / 1000 * 15, "30 passes took %.1f ms",
		(double)best * 1000 / (double)rte_get_tsc_hz());
	unlink(path);
}

/*
 * RTCP multiplexed on an RTP port (RFC 5761) from a new source in the
 * expected peer's port block, carrying the latched SSRC: it has no sequence
 * number to prove a NAT rebinding with, so it never moves the RTP latch, and
 * is dropped as not_latched_source. From the latched peer it is relayed. A
 * real rebinding (RTP in sequence) still moves the latch after five packets,
 * muxed RTCP from the new source in the middle of them or not.
 */
Test(relay_eal, muxed_rtcp_never_moves_the_rtp_latch)
{
	const struct vr_shm_flow *st = &dp.shm_calls[0].flow[0];
	uint8_t in[256], out[256];
	unsigned int i;
	uint16_t s;

	resolve_gateway();
	add_call();
	inject(in, rtp_frame(in, 14020, 20002, 1, 0xb0b0));
	inject(in, rtp_frame(in, 14000, 20000, 1, 0xa0a0));
	run();
	while (sent(out) > 0)
		;
	cr_assert_eq(st->peer_port, htons(14000));
	for (i = 0; i < 10; i++)
		inject(in, rtcp_frame(in, 14010, 20000, 0xa0a0));
	run();
	cr_assert_eq(sent(out), 0, "muxed RTCP from a new source was relayed");
	cr_assert_eq(st->peer_port, htons(14000), "muxed RTCP moved the RTP latch");
	cr_assert_eq(st->c[VR_FC_RELATCHES], 0);
	cr_assert_eq(st->drops[VR_DROP_NOT_LATCHED_SOURCE], 10);
	cr_assert_eq(drops(VR_DROP_NOT_LATCHED_SOURCE), 10);
	/* From the latched peer: relayed to leg b's peer, on its RTP port. */
	inject(in, rtcp_frame(in, 14000, 20000, 0xa0a0));
	run();
	cr_assert_eq(sent(out), 42 + 8u);
	cr_assert_eq(out[36] << 8 | out[37], 14020);
	cr_assert_eq(out[43], 201);
	/* The NAT mapping really moves: five RTP packets in sequence, muxed
	 * RTCP from the new source between them. */
	for (s = 2; s < 6; s++) {
		inject(in, rtp_frame(in, 14010, 20000, s, 0xa0a0));
		inject(in, rtcp_frame(in, 14010, 20000, 0xa0a0));
	}
	run();
	cr_assert_eq(sent(out), 0);
	cr_assert_eq(st->peer_port, htons(14000), "muxed RTCP counted towards the move");
	inject(in, rtp_frame(in, 14010, 20000, 6, 0xa0a0));
	run();
	cr_assert_gt(sent(out), 0, "the packet that completes the move is relayed");
	cr_assert_eq(st->peer_port, htons(14010));
	cr_assert_eq(st->c[VR_FC_RELATCHES], 1);
	cr_assert_eq(st->drops[VR_DROP_NOT_LATCHED_SOURCE], 18);
}

/*
 * An unbind does not wait for the workers: with worker 0 online and never
 * reporting a quiescent state (a worker in the middle of a burst, for as
 * long as it likes), 60 calls (of the harness's 64) are unbound, each
 * request answered (rte_rcu_qsbr_synchronize here waited for ever: the
 * test hung until its timeout); their slots are not reused, and their
 * flows not freed, until the worker reports, and then they are.
 */
Test(relay_eal, unbind_never_waits_for_a_grace_period)
{
	struct vr_ctl_call_ref ref;
	struct vr_ctl_call c;
	uint32_t free0, i;

	for (i = 0; i < 60; i++) {
		c = call_def("x");
		snprintf(c.id, sizeof(c.id), "bulk-%u", i);
		c.leg[0].port = (uint16_t)(20000 + 4 * i);
		c.leg[1].port = (uint16_t)(20002 + 4 * i);
		ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);
	}
	free0 = dp.n_free;
	rte_rcu_qsbr_thread_online(dp.qs, 0);
	for (i = 0; i < 60; i++) {
		memset(&ref, 0, sizeof(ref));
		snprintf(ref.id, sizeof(ref.id), "bulk-%u", i);
		ctl(VR_CTL_CALL_DEL, &ref, sizeof(ref), 0);
	}
	cr_assert_null(vr_calls_find(&dp, "bulk-7"), "an unbound call is still found");
	cr_assert_eq(dp.shm_calls[0].state, VR_SHM_CALL_RETIRED,
		"the shared memory does not show the slot unbound");
	cr_assert_eq(dp.n_free, free0, "a slot was reused before the worker let go of it");
	cr_assert_eq(dp.shm->n_calls, 0);
	/* Ports are free for a new call at once: its flows are new. */
	c = call_def("x");
	snprintf(c.id, sizeof(c.id), "bulk-new");
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);
	/* The worker lets go: the next pass of the main loop frees them all. */
	rte_rcu_qsbr_quiescent(dp.qs, 0);
	vr_calls_reclaim(&dp);
	vr_calls_reclaim(&dp);
	rte_rcu_qsbr_thread_offline(dp.qs, 0);
	cr_assert_eq(dp.n_free, free0 + 60 - 1, "the slots were not given back: %u of %u",
		dp.n_free, free0 + 60 - 1);
	for (i = 0; i < 60; i++)
		if (dp.shm_calls[i].state == VR_SHM_CALL_RETIRED)
			cr_assert_fail("slot %u is still retired", i);
}

/* The UDP source and destination ports of a sent frame (no IP options). */
static uint16_t
sent_sport(const uint8_t *f)
{
	return (uint16_t)(f[34] << 8 | f[35]);
}

static uint16_t
sent_dport(const uint8_t *f)
{
	return (uint16_t)(f[36] << 8 | f[37]);
}

/*
 * Where a packet goes is kept with its own flow (relay.c, dest_refresh), not
 * read from the other leg per packet: it must follow every latch of the
 * other leg. RTCP first goes to the other leg's RTP peer, port + 1, until
 * that leg's RTCP port latches on its own; RTP follows the other leg's
 * re-latch when a phone's NAT mapping moves; and a rule that breaks the other
 * leg's latch stops it.
 */
Test(relay_eal, sent_where_the_other_leg_latched)
{
	struct vr_ctl_call c = call_def("eal-call");
	uint8_t in[256], out[256];
	uint16_t seq;

	resolve_gateway();
	add_call();
	/* Leg b's phone: RTP from 14020 (its RTCP not heard yet). */
	inject(in, rtp_frame(in, 14020, 20002, 1, 0xb0b));
	run();
	cr_assert_eq(sent(out), 0, "leg a has no peer yet");
	/* Leg a's RTCP: to leg b's RTP peer, port + 1. */
	inject(in, rtcp_frame(in, 14001, 20001, 0xa0a));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(sent_sport(out), 20003);
	cr_assert_eq(sent_dport(out), 14021, "RTCP before b's RTCP latched: b's RTP port + 1");
	/* Leg b's RTCP latches from 14025: leg a's RTCP goes there from now on. */
	inject(in, rtcp_frame(in, 14025, 20003, 0xb0b));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(sent_dport(out), 14001, "b's RTCP to a's latched RTCP peer");
	inject(in, rtcp_frame(in, 14001, 20001, 0xa0a));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(sent_dport(out), 14025, "a's RTCP to b's own RTCP peer");
	/* Leg a's RTP to b's RTP peer; then b's phone moves to 14030. */
	inject(in, rtp_frame(in, 14000, 20000, 1, 0xa0a));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(sent_dport(out), 14020);
	for (seq = 2; seq < 2 + dp.cfg.relatch_pkts; seq++)
		inject(in, rtp_frame(in, 14030, 20002, seq, 0xb0b));
	run();
	while (sent(out) > 0)
		;
	cr_assert_eq(dp.shm_calls[0].flow[2].peer_port, htons(14030), "b re-latched");
	inject(in, rtp_frame(in, 14000, 20000, 2, 0xa0a));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(sent_dport(out), 14030, "a's RTP follows b's re-latch");
	/* A rule that leg b's latch breaks: once b's flow applied it, a has no peer. */
	c.leg[1].expect_lo = 14031;
	ctl(VR_CTL_CALL_MOD, &c, sizeof(c), 0);
	inject(in, rtp_frame(in, 14030, 20002, 2 + dp.cfg.relatch_pkts, 0xb0b));
	inject(in, rtp_frame(in, 14000, 20000, 3, 0xa0a));
	run();
	cr_assert_eq(sent(out), 0, "nothing to b's old peer");
	cr_assert_eq(dp.shm_calls[0].flow[0].drops[VR_DROP_PEER_UNLATCHED], 1);
}

/* The ARP frame f (42 bytes) is a broadcast of op from our MAC, sip to tip. */
static void
assert_arp(const uint8_t *f, size_t n, uint8_t op, const char *sip, const char *tip)
{
	struct in_addr s, t;

	inet_pton(AF_INET, sip, &s);
	inet_pton(AF_INET, tip, &t);
	cr_assert_eq(n, 42, "want a 42-byte ARP frame, got %zu bytes", n);
	cr_assert_arr_eq(f, "\xff\xff\xff\xff\xff\xff", 6, "not a broadcast");
	cr_assert_arr_eq(f + 6, our_mac, 6);
	cr_assert_arr_eq(f + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00", 9);
	cr_assert_eq(f[21], op, "ARP op %u, want %u", f[21], op);
	cr_assert_arr_eq(f + 22, our_mac, 6, "sender MAC");
	cr_assert_arr_eq(f + 28, &s, 4, "sender address is not %s", sip);
	cr_assert_arr_eq(f + 38, &t, 4, "target address is not %s", tip);
}

Test(relay_eal, an_inactive_address_is_silent_and_announced_when_made_active)
{
	struct vr_ctl_addr a = { .active = 0 };
	uint8_t in[256], out[256];
	size_t n;

	resolve_gateway();
	add_call();
	inet_pton(AF_INET, "198.51.100.10", &a.ip);
	ctl(VR_CTL_ADDR_SET, &a, sizeof(a), 0);
	ctl(VR_CTL_ADDR_SET, &a, sizeof(a), 0);
	/* Another host owns .10: no ARP reply, no relaying; .11 still answered. */
	build_arp_request(in, gw_mac, "198.51.100.1", "198.51.100.10");
	inject(in, 60);
	inject(in, phone_frame(in, 14000, 20000, 1, 0));
	inject(in, phone_frame(in, 14020, 20002, 1, 0));
	run();
	cr_assert_eq(sent(out), 0, "something was sent for an inactive address");
	cr_assert_eq(drops(VR_DROP_NOT_OURS), 2);
	build_arp_request(in, gw_mac, "198.51.100.1", "198.51.100.11");
	inject(in, 60);
	run();
	n = sent(out);
	cr_assert_eq(n, 42, "the active .11 was not answered");
	/* With no address active, a request claims none (an ARP probe). */
	inet_pton(AF_INET, "198.51.100.11", &a.ip);
	ctl(VR_CTL_ADDR_SET, &a, sizeof(a), 0);
	vr_neigh_resolve(&dp, 7, rte_rdtsc());
	run();
	n = sent(out);
	assert_arp(out, n, 1, "0.0.0.0", "198.51.100.7");
	/* Made active: announced (a request and a reply), then answered and relayed. */
	inet_pton(AF_INET, "198.51.100.10", &a.ip);
	a.active = 1;
	ctl(VR_CTL_ADDR_SET, &a, sizeof(a), 0);
	run();
	n = sent(out);
	assert_arp(out, n, 1, "198.51.100.10", "198.51.100.10");
	n = sent(out);
	assert_arp(out, n, 2, "198.51.100.10", "198.51.100.10");
	cr_assert_eq(sent(out), 0);
	inject(in, phone_frame(in, 14020, 20002, 2, 0));
	inject(in, phone_frame(in, 14000, 20000, 2, 0));
	run();
	cr_assert_gt(sent(out), 0, "nothing relayed on the address made active");
	/* Not one of --addr, or not 0/1: refused. */
	inet_pton(AF_INET, "198.51.100.99", &a.ip);
	cr_assert_str_eq(ctl_reply(VR_CTL_ADDR_SET, &a, sizeof(a))->error,
		"198.51.100.99 is not one of this dataplane's relay addresses (--addr)");
	inet_pton(AF_INET, "198.51.100.10", &a.ip);
	a.active = 2;
	ctl(VR_CTL_ADDR_SET, &a, sizeof(a), -EINVAL);
}

Test(relay_eal, restored_latches_relay_from_the_first_packet_and_only_from_the_recorded_peer)
{
	struct vr_ctl_call c = call_def("taken-over");
	uint8_t in[256], out[256];
	size_t n;

	resolve_gateway();
	/* As another host recorded them: a at 14004 (SSRC 0xa0a, sequence 900),
	 * b at 14024 (0xb0b, 5000), b's RTCP at 14025. */
	inet_pton(AF_INET, "203.0.113.2", &c.leg[0].latch_ip);
	c.leg[0].flags |= VR_CTL_LEG_F_LATCHED;
	c.leg[0].latch_port = 14004;
	c.leg[0].latch_ssrc = 0xa0a;
	c.leg[0].latch_seq = 900;
	c.leg[1].flags |= VR_CTL_LEG_F_LATCHED;
	c.leg[1].latch_ip = c.leg[0].latch_ip;
	c.leg[1].latch_port = 14024;
	c.leg[1].latch_rtcp_port = 14025;
	c.leg[1].latch_ssrc = 0xb0b;
	c.leg[1].latch_seq = 5000;
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);
	cr_assert_eq(dp.shm_calls[0].flow[0].latch, VR_LATCH_LATCHED);
	cr_assert_eq(dp.shm_calls[0].flow[1].latch, VR_LATCH_LEARNING, "a's RTCP was not recorded");
	/* a's first packet goes to b's recorded peer at once. */
	inject(in, rtp_frame(in, 14004, 20000, 901, 0xa0a));
	run();
	n = sent(out);
	cr_assert_gt(n, 0, "the first packet from a's recorded peer was not relayed");
	cr_assert_eq(sent_dport(out), 14024);
	/* Another port in a's range, never seen by this host: not learned. */
	inject(in, rtp_frame(in, 14006, 20000, 902, 0xbad));
	run();
	cr_assert_eq(sent(out), 0, "a source other than the recorded peer was relayed");
	cr_assert_eq(dp.shm_calls[0].flow[0].drops[VR_DROP_NOT_LATCHED_SOURCE], 1);
	/* a's RTCP learns, and goes to b's recorded RTCP peer. */
	inject(in, rtcp_frame(in, 14005, 20001, 0xa0a));
	run();
	cr_assert_gt(sent(out), 0);
	cr_assert_eq(sent_dport(out), 14025);
	/* b's phone moved while no host relayed: it re-latches as usual, ahead of 5000. */
	for (uint16_t seq = 5001; seq < 5001 + dp.cfg.relatch_pkts; seq++)
		inject(in, rtp_frame(in, 14030, 20002, seq, 0xb0b));
	run();
	while (sent(out) > 0)
		;
	cr_assert_eq(dp.shm_calls[0].flow[2].peer_port, htons(14030), "b did not re-latch");
	/* What the call keeps is its rule, not the restored latch. */
	cr_assert_eq(ctl_reply(VR_CTL_CALL_ADD, &c, sizeof(c))->status, 0, "the same ADD again");
	c.leg[0].latch_port = 14050;
	cr_assert_str_eq(ctl_reply(VR_CTL_CALL_ADD, &c, sizeof(c))->error,
		"call 'taken-over' leg a: restored latch 203.0.113.2:14050 is not the leg's expected "
		"peer");
	c.leg[0].latch_port = 14004;
	c.leg[0].flags &= (uint16_t)~VR_CTL_LEG_F_LATCHED;
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), -EINVAL);
}

Test(relay_eal, announcements_of_our_address_move_it_only_between_standby_hosts)
{
	uint8_t in[64], out[256];
	const uint8_t other[6] = { 0x02, 0x66, 0x08, 0x00, 0x00, 0x01 };

	resolve_gateway();
	/* Not a --standby dataplane: a gratuitous ARP for .10 from another MAC
	 * (a flood, a misconfigured host) changes nothing. */
	build_arp_request(in, other, "198.51.100.10", "198.51.100.10");
	inject(in, 60);
	run();
	while (sent(out) > 0)
		;
	cr_assert_eq(dp.addrs_active & 1, 1, "a dataplane that is not --standby yielded .10");
	/* A --standby one (hosts that hand addresses over) yields to it, and to
	 * nothing that is not an announcement. */
	dp.cfg.standby = 1;
	build_arp_request(in, other, "198.51.100.10", "198.51.100.11");
	inject(in, 60);
	run();
	cr_assert_eq(dp.addrs_active & 1, 1, "yielded .10 to a request that names it as sender");
	build_arp_request(in, other, "198.51.100.10", "198.51.100.10");
	inject(in, 60);
	run();
	cr_assert_eq(dp.addrs_active & 1, 0, "a --standby dataplane did not yield .10");
	cr_assert_eq(dp.addrs_active & 2, 2, ".11 went with .10");
	dp.cfg.standby = 0;
}
