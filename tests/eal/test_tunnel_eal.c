/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SBC tunnel termination on a real EAL with a net_ring port
 * (tests/common/eal_harness.h). The test plays the SBC with its own libsrtp
 * sessions (dataplane/srtp.c, the same per-stream keys an SBC derives) and
 * a remote phone with plain RTP: media both ways between a tunnel leg and a
 * plain leg, compared byte for byte after decryption; every kind of bad
 * tunnel packet dropped under its reason and never forwarded; the SBC's
 * address moving only on authenticated packets, and every channel moving
 * with it; a key rollover with no
 * packet lost; hellos answered and recorded. Every test runs four times:
 * with the cryptodev engine on the ipsec-mb device (suite tunnel_cdev), on
 * OpenSSL's (tunnel_openssl) and on OpenSSL's made to answer late, as
 * hardware does (tunnel_async), and with libsrtp (tunnel_libsrtp). The
 * late device also shows the RCU rule for packets the device holds, and a
 * hung device given up, its sessions kept until it is stopped.
 */
#include "tests/common/tun_harness.h"

BOTH(media_both_ways_bytes)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down = vr_srtp_stream_new(&k, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	uint8_t in[512], out[512], want[512], rtp[512];
	uint8_t *ip = want + 14;
	size_t n;
	uint16_t ck;
	int len;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	/* The phone first: nowhere to send yet (the SBC has said nothing). */
	inject(in, phone(in, 1, 0x22));
	run();
	cr_assert_eq(sent(out), 0);
	cr_assert_eq(drops(VR_DROP_PEER_UNLATCHED), 1);

	/* The SBC's media: decrypted, relayed to the phone as plain RTP. */
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 9, 0x11, "203.0.113.50", 40000));
	run();
	n = sent(out);
	build_rtp(want + 42, 9, 160u * 9, 0x5bc0, 160, 0x11);
	build_udp(want, gw_mac, our_mac, "198.51.100.10", 20002, "203.0.113.2", 14020,
		want + 42, 172);
	ip[1] = 46 << 2;
	ip[8] = 64;
	ck = ref_ip_cksum(ip);
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	cr_assert_eq(n, 42 + 172u, "relayed frame of %zu bytes", n);
	cr_assert_arr_eq(out, want, n, "decapsulated bytes differ from the reference frame");
	cr_assert_eq(dp.shm_calls[0].flow[0].latch, VR_LATCH_LATCHED);
	cr_assert_eq(dp.shm_calls[0].flow[0].peer_port, htons(40000));

	/* The phone again: encrypted into the tunnel, to where the SBC sent from. */
	inject(in, phone(in, 2, 0x33));
	run();
	n = sent(out);
	len = open_sbc_frame(out, n, "203.0.113.50", 40000, 1, down, rtp);
	build_rtp(want, 2, 160u * 2, 0xb0b0, 160, 0x33);
	cr_assert_eq(len, 172);
	cr_assert_arr_eq(rtp, want, 172, "the SBC got other bytes than the phone sent");
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_TUN_RX, 0), 1);
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_TUN_TX, 0), 1);
	cr_assert_eq(vr_dp_sbc_ctr(&dp, 0, dp.sbc[SBC]->row)->rx_pkts, 1);
	cr_assert_eq(vr_dp_sbc_ctr(&dp, 0, dp.sbc[SBC]->row)->tx_pkts, 1);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(down);
}

/*
 * Media both ways under key k: the SBC's packet decrypted to the phone (its
 * UDP checksum always right), then three of the phone's into the tunnel
 * (open_sbc_frame checks their checksum: zero, or right with
 * --tunnel-checksum on) that the SBC decrypts to what the phone sent.
 */
static void
media_exchange(const struct vr_srtp_key *k)
{
	srtp_t up = vr_srtp_stream_new(k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down = vr_srtp_stream_new(k, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	uint8_t in[512], out[512], rtp[512], want[172];
	unsigned int i;

	resolve_gateway();
	set_sbc(SBC, k, NULL);
	add_tun_call();
	inject(in, phone(in, 1, 0x22)); /* latches the phone; the SBC's address is not known yet */
	run();
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 9, 0x11, "203.0.113.50", 40000));
	run();
	cr_assert_eq(sent(out), 42 + 172u);
	cr_assert_eq(ref_udp_cksum(out + 14), (uint16_t)(out[40] << 8 | out[41]),
		"UDP checksum to the phone");
	build_rtp(want, 9, 160u * 9, 0x5bc0, 160, 0x11);
	cr_assert_arr_eq(out + 42, want, 172, "the phone got other bytes than the SBC sent");
	for (i = 0; i < 3; i++) {
		inject(in, phone(in, (uint16_t)(2 + i), (uint8_t)(0x33 + i)));
		run();
		cr_assert_eq(open_sbc_frame(out, sent(out), "203.0.113.50", 40000, 1, down, rtp),
			172);
		build_rtp(want, (uint16_t)(2 + i), 160u * (2 + i), 0xb0b0, 160,
			(uint8_t)(0x33 + i));
		cr_assert_arr_eq(rtp, want, 172, "the SBC got other bytes than the phone sent");
	}
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(down);
}

/* --tunnel-checksum on: the tunnel datagrams carry their UDP checksum. */
BOTH(tunnel_checksum_when_asked)
{
	struct vr_srtp_key k = key(1, 0x42);

	dp.cfg.tunnel_cksum = 1;
	media_exchange(&k);
}

/* An SBC whose tunnel runs AEAD_AES_128_GCM (on crypto_aesni_mb: the CPU-crypto path). */
BOTH(gcm_media_both_ways)
{
	struct vr_srtp_key k = key(1, 0x47);

	k.suite = VR_SRTP_AEAD_AES_128_GCM;
	media_exchange(&k);
}

/*
 * Bursts both ways under key k, with the worker only polling (no flush):
 * whatever the crypto device keeps from one poll to the next (the
 * cryptodev engine leaves packets with it), every packet comes out, each
 * direction in order and byte for byte, and the device is left holding
 * none of the worker's packets.
 */
static void
bursts_both_ways(const struct vr_srtp_key *k)
{
	srtp_t up = vr_srtp_stream_new(k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down = vr_srtp_stream_new(k, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	uint8_t in[512], out[512], rtp[512], want[172];
	unsigned int i, to_phone = 0, to_sbc = 0, polls;
	size_t n;

	resolve_gateway();
	set_sbc(SBC, k, NULL);
	add_tun_call();
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	run();
	inject(in, phone(in, 1, 0x22));
	run();
	while (sent(out) > 0)
		;
	for (i = 0; i < 40; i++) {
		inject(in, sbc_frame(in, up, 1, SBC, CHAN, (uint16_t)(10 + i), (uint8_t)i,
			"203.0.113.50", 40000));
		inject(in, phone(in, (uint16_t)(10 + i), (uint8_t)(0x80 + i)));
	}
	for (polls = 0; polls < 100000 && to_phone + to_sbc < 80; polls++) {
		vr_worker_poll(dp.lc[0]);
		while ((n = sent(out)) > 0) {
			if (out[30] == 203 && out[33] == 2) { /* to the phone, 203.0.113.2 */
				cr_assert_eq(n, 42 + 172u);
				build_rtp(want, (uint16_t)(10 + to_phone), 160u * (10 + to_phone),
					0x5bc0, 160, (uint8_t)to_phone);
				cr_assert_arr_eq(out + 42, want, 172, "packet %u to the phone",
					to_phone);
				to_phone++;
			} else {
				cr_assert_eq(open_sbc_frame(out, n, "203.0.113.50", 40000, 1, down,
					rtp), 172);
				build_rtp(want, (uint16_t)(10 + to_sbc), 160u * (10 + to_sbc), 0xb0b0,
					160, (uint8_t)(0x80 + to_sbc));
				cr_assert_arr_eq(rtp, want, 172, "packet %u to the SBC", to_sbc);
				to_sbc++;
			}
		}
		rte_delay_us(5); /* lets TX's 100 us drain timer run out */
	}
	cr_assert_eq(to_phone, 40, "%u of 40 to the phone", to_phone);
	cr_assert_eq(to_sbc, 40, "%u of 40 to the SBC", to_sbc);
	cr_assert_eq(dp.lc[0]->n_free, VR_FLIGHT, "the device still holds %u packets",
		VR_FLIGHT - dp.lc[0]->n_free);
	cr_assert_eq(drops(VR_DROP_SRTP_AUTH) + drops(VR_DROP_SRTP_REPLAY) +
		drops(VR_DROP_SRTP_ERROR), 0);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(down);
}

BOTH(bursts_both_ways_aes_cm)
{
	struct vr_srtp_key k = key(1, 0x42);

	bursts_both_ways(&k);
}

BOTH(bursts_both_ways_gcm)
{
	struct vr_srtp_key k = key(1, 0x47);

	k.suite = VR_SRTP_AEAD_AES_128_GCM;
	bursts_both_ways(&k);
}

BOTH(bad_tunnel_packets_dropped_by_reason)
{
	struct vr_srtp_key k = key(1, 0x42), other = key(1, 0x99), k9 = key(4, 0x07);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t wrong = vr_srtp_stream_new(&other, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t up4 = vr_srtp_stream_new(&k, VR_TUN_UP, 4, tep(4), 0);
	uint8_t in[512], good[512], out[512];
	size_t gn;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	set_sbc(9, &k9, NULL);
	add_tun_call();
	/* Leg b latched, so that anything that got through would be sent. */
	inject(in, phone(in, 1, 0x22));
	run();
	cr_assert_eq(drops(VR_DROP_PEER_UNLATCHED), 1);

	gn = sbc_frame(good, up, 1, SBC, CHAN, 100, 0x11, "203.0.113.50", 40000);
	/* Tampered payload. */
	memcpy(in, good, gn);
	in[gn - 20] ^= 0x01;
	inject(in, gn);
	/* Under another key with the right key id. */
	inject(in, sbc_frame(in, wrong, 1, SBC, CHAN, 101, 0x11, "203.0.113.50", 40000));
	/* A key id the SBC does not have. */
	inject(in, sbc_frame(in, up, 5, SBC, CHAN, 102, 0x11, "203.0.113.50", 40000));
	/* An SBC id that is not configured, and a configured one without that channel. */
	inject(in, sbc_frame(in, up, 1, 8, CHAN, 103, 0x11, "203.0.113.50", 40000));
	inject(in, sbc_frame(in, up, 4, 9, CHAN, 104, 0x11, "203.0.113.50", 40000));
	/* A channel of this SBC with no call. */
	inject(in, sbc_frame(in, up4, 1, SBC, 4, 105, 0x11, "203.0.113.50", 40000));
	/* Not a tunnel message at all: an RTP packet sent to the tunnel port. */
	memcpy(in, good, gn);
	in[42] = 0x80;
	inject(in, gn);
	/* Moved to another channel on the way (the header is bound to the keys). */
	memcpy(in, good, gn);
	in[42 + 11] = 4;
	inject(in, gn);
	run();
	cr_assert_eq(sent(out), 0, "a bad tunnel packet was forwarded");
	cr_assert_eq(drops(VR_DROP_SRTP_AUTH), 2);
	cr_assert_eq(drops(VR_DROP_TUN_UNKNOWN_KEY), 1);
	cr_assert_eq(drops(VR_DROP_TUN_UNKNOWN_SBC), 1);
	cr_assert_eq(drops(VR_DROP_TUN_UNKNOWN_CHANNEL), 3);
	cr_assert_eq(drops(VR_DROP_TUN_MALFORMED), 1);
	cr_assert_eq(sbc_drops(SBC, VR_DROP_SRTP_AUTH), 2);
	cr_assert_eq(sbc_drops(9, VR_DROP_TUN_UNKNOWN_CHANNEL), 1);
	cr_assert_eq(dp.shm_calls[0].flow[0].drops[VR_DROP_SRTP_AUTH], 2);
	cr_assert_eq(dp.shm_calls[0].flow[0].latch, VR_LATCH_LEARNING,
		"an unauthenticated packet latched the SBC");

	/* The good packet passes once; its replay does not. */
	inject(good, gn);
	run();
	cr_assert_gt(sent(out), 0);
	inject(good, gn);
	run();
	cr_assert_eq(sent(out), 0, "a replayed packet was forwarded");
	cr_assert_eq(drops(VR_DROP_SRTP_REPLAY), 1);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(wrong);
	vr_srtp_stream_free(up4);
}

BOTH(sbc_address_moves_on_authenticated_packets_only)
{
	struct vr_srtp_key k = key(1, 0x42), other = key(1, 0x99);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down = vr_srtp_stream_new(&k, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	srtp_t forged = vr_srtp_stream_new(&other, VR_TUN_UP, CHAN, tep(CHAN), 0);
	uint8_t in[512], out[512], rtp[512];

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	run();
	/* An attacker without the key cannot move the SBC. */
	inject(in, sbc_frame(in, forged, 1, SBC, CHAN, 2, 0x11, "203.0.113.66", 40000));
	run();
	cr_assert_eq(drops(VR_DROP_SRTP_AUTH), 1);
	inject(in, phone(in, 1, 0x22));
	run();
	open_sbc_frame(out, sent(out), "203.0.113.50", 40000, 1, down, rtp);
	/* The SBC's NAT mapping changes: its next authenticated packet moves it. */
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 3, 0x11, "203.0.113.60", 41000));
	run();
	cr_assert_gt(sent(out), 0);
	inject(in, phone(in, 2, 0x22));
	run();
	open_sbc_frame(out, sent(out), "203.0.113.60", 41000, 1, down, rtp);
	cr_assert_eq(dp.shm_calls[0].flow[0].c[VR_FC_RELATCHES], 1);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(down);
	vr_srtp_stream_free(forged);
}

/*
 * One SBC sends every channel over one 5-tuple: when it moves, every
 * channel's media goes to the new address after the first authenticated
 * packet from there on any channel, also a channel that has sent nothing
 * (a phone behind the SBC that is silent, or on hold).
 */
BOTH(every_channel_follows_the_sbc)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down4 = vr_srtp_stream_new(&k, VR_TUN_DOWN, 4, tep(4), 1);
	uint8_t in[512], out[512], rtp[512], pl[172];
	struct vr_ctl_call c;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	/* A second call: SBC channel 4 and a phone at 203.0.113.3 on port 20006. */
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "tun-call-4");
	inet_pton(AF_INET, "198.51.100.10", &c.leg[0].addr);
	c.leg[0].flags = VR_CTL_LEG_F_TUNNEL;
	c.leg[0].sbc_id = SBC;
	c.leg[0].channel = 4;
	c.leg[0].epoch = LEG_EPOCH(4);
	inet_pton(AF_INET, "198.51.100.10", &c.leg[1].addr);
	c.leg[1].port = 20006;
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);

	/* Call 1's phone latches its leg (nowhere to send yet: dropped). */
	inject(in, phone(in, 1, 0x22));
	run();
	cr_assert_eq(sent(out), 0);
	/* The SBC speaks on channel 3 only; channel 4's phone talks into the tunnel. */
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	run();
	cr_assert_gt(sent(out), 0);
	build_rtp(pl, 1, 160, 0xc4c4, 160, 0x44);
	inject(in, build_udp(in, our_mac, gw_mac, "203.0.113.3", 14040, "198.51.100.10", 20006,
		pl, sizeof(pl)));
	run();
	cr_assert_eq(open_sbc_frame_ch(out, sent(out), "203.0.113.50", 40000, 1, 4, down4, rtp),
		172);
	/* The SBC moves, and says so on channel 3: channel 4 follows. */
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 2, 0x11, "203.0.113.60", 41000));
	run();
	cr_assert_gt(sent(out), 0);
	build_rtp(pl, 2, 320, 0xc4c4, 160, 0x44);
	inject(in, build_udp(in, our_mac, gw_mac, "203.0.113.3", 14040, "198.51.100.10", 20006,
		pl, sizeof(pl)));
	run();
	cr_assert_eq(open_sbc_frame_ch(out, sent(out), "203.0.113.60", 41000, 1, 4, down4, rtp),
		172);
	cr_assert_arr_eq(rtp, pl, 172);
	cr_assert_eq(drops(VR_DROP_PEER_UNLATCHED), 1);
	/* Channel 4's own leg has received nothing: its latch state says so. */
	cr_assert_eq(dp.shm_calls[1].flow[0].latch, VR_LATCH_LEARNING);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(down4);
}

BOTH(key_rollover_loses_nothing)
{
	struct vr_srtp_key k1 = key(1, 0x42), k2 = key(2, 0x24);
	srtp_t up1 = vr_srtp_stream_new(&k1, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down1 = vr_srtp_stream_new(&k1, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	srtp_t up2 = vr_srtp_stream_new(&k2, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down2 = vr_srtp_stream_new(&k2, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	uint8_t in[512], out[512], out2[512], rtp[512];
	uint16_t seq = 1;
	size_t n, n2;

	resolve_gateway();
	set_sbc(SBC, &k1, NULL);
	add_tun_call();
	/* The SBC's address is learned once its packet is decrypted, which the
	 * crypto device may finish after the phone's packet behind it was
	 * relayed: the SBC's first, then the phone's. */
	inject(in, sbc_frame(in, up1, 1, SBC, CHAN, seq, 0x11, "203.0.113.50", 40000));
	run();
	inject(in, phone(in, seq, 0x22));
	run();
	open_sbc_frame(out, sent(out), "203.0.113.50", 40000, 1, down1, rtp);
	cr_assert_eq(sent(out), 0);
	/* The new key arrives; the SBC has not switched yet: both keys work, and the
	 * relay keeps sending under the key the SBC last used. */
	set_sbc(SBC, &k2, &k1);
	seq++;
	inject(in, sbc_frame(in, up1, 1, SBC, CHAN, seq, 0x11, "203.0.113.50", 40000));
	inject(in, phone(in, seq, 0x22));
	run();
	/* Both relayed, in either order (each direction keeps its own). */
	n = sent(out);
	n2 = sent(out2);
	cr_assert(n > 0 && n2 > 0, "a packet under the previous key was lost");
	cr_assert((out[33] == 2) != (out2[33] == 2), "not one to the phone and one to the SBC");
	if (out[33] == 2) /* to the phone, 203.0.113.2: the other went to the SBC */
		open_sbc_frame(out2, n2, "203.0.113.50", 40000, 1, down1, rtp);
	else
		open_sbc_frame(out, n, "203.0.113.50", 40000, 1, down1, rtp);
	/* The SBC switches: the relay follows, from the SBC's first packet under
	 * the new key (decrypted, as above, before the phone's is relayed). */
	seq++;
	inject(in, sbc_frame(in, up2, 2, SBC, CHAN, seq, 0x11, "203.0.113.50", 40000));
	run();
	inject(in, phone(in, seq, 0x22));
	run();
	cr_assert_gt(sent(out), 0, "a packet under the new key was lost");
	open_sbc_frame(out, sent(out), "203.0.113.50", 40000, 2, down2, rtp);
	/* The previous key is retired: packets under it are refused. */
	set_sbc(SBC, &k2, NULL);
	seq++;
	inject(in, sbc_frame(in, up1, 1, SBC, CHAN, seq, 0x11, "203.0.113.50", 40000));
	run();
	cr_assert_eq(sent(out), 0);
	cr_assert_eq(drops(VR_DROP_TUN_UNKNOWN_KEY), 1);
	cr_assert_eq(drops(VR_DROP_SRTP_AUTH) + drops(VR_DROP_SRTP_REPLAY), 0);
	vr_srtp_stream_free(up1);
	vr_srtp_stream_free(down1);
	vr_srtp_stream_free(up2);
	vr_srtp_stream_free(down2);
}

BOTH(hello_answered_and_recorded)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t hup = vr_srtp_stream_new(&k, VR_TUN_UP, VR_TUN_CHANNEL_SBC, 0, 0);
	srtp_t hdown = vr_srtp_stream_new(&k, VR_TUN_DOWN, VR_TUN_CHANNEL_SBC, dp.boot_epoch, 1);
	srtp_t down = vr_srtp_stream_new(&k, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	struct vr_tun_hello hello = { .interval_s = 5 }, ans;
	uint8_t in[512], out[512], rtp[512], hf[512], hf2[512];
	const struct vr_shm_sbc *row;
	size_t hn, hn2;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	row = &dp.shm_sbcs[dp.sbc[SBC]->row];
	inet_pton(AF_INET, "192.168.7.2", &hello.local_ip);
	strcpy(hello.version, "sbc-emu 1.0");
	/* The first hello echoes no challenge: answered (with one, and with
	 * the hello's own echoed), believed in nothing. */
	hello.has_nonce = 1;
	hello.nonce = 0x1111;
	hn = hello_frame(hf, hup, 1, &hello, 40000);
	inject(hf, hn);
	run();
	hello_answer(out, sent(out), hdown, &ans);
	cr_assert(ans.has_echo && ans.echo == 0x1111, "the answer does not echo the hello's nonce");
	cr_assert_eq(row->hellos, 0, "a hello that echoed no challenge was believed");
	cr_assert_eq(row->public_port, 0);
	cr_assert_eq(sbc_drops(SBC, VR_DROP_TUN_HELLO_STALE), 1);
	/* The next echoes the challenge: believed. */
	hello.has_echo = 1;
	hello.echo = ans.nonce;
	hello.nonce = 0x2222;
	hn2 = hello_frame(hf2, hup, 2, &hello, 40000);
	inject(hf2, hn2);
	run();
	hello_answer(out, sent(out), hdown, &ans);
	cr_assert_eq(ans.echo, 0x2222);
	cr_assert_eq(row->id, SBC);
	cr_assert_eq(row->hellos, 1);
	cr_assert_eq(row->public_port, htons(40000));
	cr_assert_eq(row->local_ip, hello.local_ip);
	cr_assert_eq(row->hello_interval_s, 5);
	cr_assert_str_eq(row->version, "sbc-emu 1.0");
	cr_assert_gt(row->last_hello_unix_ns, 0);
	/* With no media from the SBC on the channel yet, the phone's RTP goes to
	 * where the hello came from. */
	inject(in, phone(in, 1, 0x22));
	run();
	open_sbc_frame(out, sent(out), "203.0.113.50", 40000, 1, down, rtp);
	/* A replayed hello is dropped, not answered, and counted for the SBC. */
	inject(hf2, hn2);
	run();
	cr_assert_eq(sent(out), 0, "a replayed hello was answered");
	cr_assert_eq(row->hellos, 1);
	cr_assert_eq(sbc_drops(SBC, VR_DROP_SRTP_REPLAY), 1);
	/* A hello that echoes a challenge already used, from elsewhere (as if
	 * the attacker had held the SBC's back and sent it himself): answered,
	 * not believed; the SBC's address stays. */
	hello.nonce = 0x3333;
	hn = hello_frame(hf, hup, 3, &hello, 41000);
	inject(hf, hn);
	run();
	hello_answer(out, sent(out), hdown, &ans);
	cr_assert_eq(row->hellos, 1);
	cr_assert_eq(row->public_port, htons(40000), "a stale hello moved the SBC");
	cr_assert_eq(sbc_drops(SBC, VR_DROP_TUN_HELLO_STALE), 2);
	vr_srtp_stream_free(hup);
	vr_srtp_stream_free(hdown);
	vr_srtp_stream_free(down);
}

/* An SBC_SET with (suite, n_keys, len, ids) as given is refused with status and err naming want. */
static void
sbc_refused(uint8_t suite, uint8_t n_keys, uint8_t len, uint8_t id0, uint8_t id1, uint32_t id,
	int status, const char *want)
{
	struct vr_ctl_sbc d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.suite = suite;
	d.n_keys = n_keys;
	d.prev_ms = 1000;
	d.key[0] = (struct vr_ctl_sbc_key){ .id = id0, .len = len };
	d.key[1] = (struct vr_ctl_sbc_key){ .id = id1, .len = len };
	ctl_refused(VR_CTL_SBC_SET, &d, sizeof(d), status, want);
}

BOTH(sbc_requests_checked_and_refused_whole)
{
	struct vr_srtp_key k = key(1, 0x42);
	struct vr_ctl_sbc_ref ref = { SBC };
	struct vr_ctl_call_ref cref;
	struct vr_ctl_call c;

	sbc_refused(1, 1, 30, 1, 0, 0, -EINVAL, "SBC id 0 is outside");
	sbc_refused(9, 1, 30, 1, 0, SBC, -EINVAL, "unknown SRTP suite 9");
	sbc_refused(2, 1, 30, 1, 0, SBC, -EINVAL, "key 1 is 30 bytes, AEAD_AES_128_GCM wants 28");
	sbc_refused(1, 3, 30, 1, 0, SBC, -EINVAL, "3 keys");
	sbc_refused(1, 2, 30, 5, 5, SBC, -EINVAL, "both have id 5");
	cr_assert_null(dp.sbc[SBC]);
	/* A call on an SBC that is not configured is refused. */
	tun_call_def(&c, "orphan", SBC, LEG_EPOCH(CHAN));
	ctl_refused(VR_CTL_CALL_ADD, &c, sizeof(c), -EINVAL, "SBC 7 is not configured");
	cr_assert_null(vr_calls_find(&dp, "orphan"));
	/* An SBC that carries a call cannot go; once the call is gone it can. */
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	ctl(VR_CTL_SBC_DEL, &ref, sizeof(ref), -EBUSY);
	memset(&cref, 0, sizeof(cref));
	strcpy(cref.id, "tun-call");
	ctl(VR_CTL_CALL_DEL, &cref, sizeof(cref), 0);
	ctl(VR_CTL_SBC_DEL, &ref, sizeof(ref), 0);
	ctl(VR_CTL_SBC_DEL, &ref, sizeof(ref), -ENOENT);
	cr_assert_null(dp.sbc[SBC]);
}

/*
 * RCU: a worker whose packet the crypto device still holds does not report
 * itself quiescent (the packet points into its flow, which the control side
 * frees only after a grace period); once the packet is back it does.
 */
Test(tunnel_async, quiescent_only_with_nothing_in_flight)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	uint8_t in[512], out[512];
	uint64_t token;
	unsigned int i;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	rte_rcu_qsbr_thread_online(dp.qs, 0);
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	token = rte_rcu_qsbr_start(dp.qs);
	vr_worker_poll(dp.lc[0]);
	cr_assert_lt(dp.lc[0]->n_free, VR_FLIGHT, "the device held nothing: nothing tested");
	cr_assert_eq(vr_worker_quiesce(dp.lc[0]), 0);
	cr_assert_eq(rte_rcu_qsbr_check(dp.qs, token, false), 0,
		"a grace period ended while the device held a packet of the worker's");
	for (i = 0; i < 100 && dp.lc[0]->n_free < VR_FLIGHT; i++)
		vr_worker_poll(dp.lc[0]);
	cr_assert_eq(vr_worker_quiesce(dp.lc[0]), 1);
	cr_assert_eq(rte_rcu_qsbr_check(dp.qs, token, false), 1);
	rte_rcu_qsbr_thread_offline(dp.qs, 0);
	vr_worker_flush(dp.lc[0]);
	cr_assert_eq(vr_shm_sum(dp.shm, VR_GC_TUN_RX, 0), 1);
	while (sent(out) > 0)
		;
	vr_srtp_stream_free(up);
}

/*
 * A device that stops answering: after a second the worker gives its
 * packets up (counted as srtp_error, left to the device, their slots free
 * again), says so once, and the tunnel's packets that need the device fail
 * from then on while the worker goes on relaying.
 */
Test(tunnel_async, hung_device_given_up_after_a_second)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	uint8_t in[512], out[512];
	uint64_t end;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	async_dead = 1;
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 2, 0x12, "203.0.113.50", 40000));
	vr_worker_poll(dp.lc[0]);
	cr_assert_eq(dp.lc[0]->n_free, VR_FLIGHT - 2);
	end = rte_rdtsc() + 3 * rte_get_tsc_hz();
	while (!dp.cdev.hung && rte_rdtsc() < end)
		vr_worker_poll(dp.lc[0]);
	cr_assert(dp.cdev.hung, "not given up within 3 s");
	cr_assert_eq(dp.lc[0]->n_free, VR_FLIGHT, "slots still taken");
	cr_assert_eq(drops(VR_DROP_SRTP_ERROR), 2);
	cr_assert_eq(vr_dp_sbc_ctr(&dp, 0, dp.sbc[SBC]->row)->drops[VR_DROP_SRTP_ERROR], 2);
	/* Later packets fail at once, and nothing is held. */
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 3, 0x13, "203.0.113.50", 40000));
	run();
	cr_assert_eq(drops(VR_DROP_SRTP_ERROR), 3);
	cr_assert_eq(dp.lc[0]->n_free, VR_FLIGHT);
	cr_assert_eq(sent(out), 0);
	vr_srtp_stream_free(up);
}

/*
 * A device given up may still read the sessions of the operations it holds
 * (a hardware device could answer late): deleting the call must not free
 * them while the device runs; once it is stopped they are freed.
 */
Test(tunnel_async, hung_device_keeps_the_sessions_it_may_read)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	struct vr_ctl_call_ref ref;
	uint8_t in[512];
	unsigned int base, used;
	uint64_t end;

	resolve_gateway();
	base = rte_mempool_in_use_count(dp.cdev.sess_pool);
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	used = rte_mempool_in_use_count(dp.cdev.sess_pool);
	cr_assert_gt(used, base, "the call's key has no device sessions: nothing tested");
	async_dead = 1;
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	end = rte_rdtsc() + 3 * rte_get_tsc_hz();
	while (!dp.cdev.hung && rte_rdtsc() < end)
		vr_worker_poll(dp.lc[0]);
	cr_assert(dp.cdev.hung, "not given up within 3 s");
	memset(&ref, 0, sizeof(ref));
	strcpy(ref.id, "tun-call");
	ctl(VR_CTL_CALL_DEL, &ref, sizeof(ref), 0);
	cr_assert_eq(rte_mempool_in_use_count(dp.cdev.sess_pool), used,
		"sessions freed while the hung device may still read them");
	cr_assert_eq(dp.cdev.n_parked, used - base);
	/* Stopped (as vr_csrtp_dev_fini does first): freed, none leaked. */
	vr_csrtp_dev_stop(&dp.cdev);
	cr_assert_eq(dp.cdev.n_parked, 0);
	cr_assert_eq(rte_mempool_in_use_count(dp.cdev.sess_pool), base,
		"the parked sessions were not freed once the device stopped");
	vr_srtp_stream_free(up);
}

/*
 * A tunnel packet for a call owned by worker 1 arrives on worker 0 while
 * worker 1's handoff ring is full: worker 0 drops it and counts it on its
 * own rows (global, and its row of the SBC), never in the flow's counters,
 * which only worker 1 writes.
 */
Test(tunnel_libsrtp2, handoff_full_counted_on_the_non_owner_rows)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	static uint64_t placeholder;
	void *objs[64];
	uint8_t in[512], out[512];
	const struct vr_shm_flow *st;
	struct vr_ctl_call c;
	unsigned int i, n = 0, got;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	/* A plain call first, owned by worker 0: the tunnel call goes to worker 1. */
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "plain");
	inet_pton(AF_INET, "198.51.100.10", &c.leg[0].addr);
	c.leg[0].port = 20010;
	c.leg[1] = c.leg[0];
	c.leg[1].port = 20012;
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), 0);
	add_tun_call();
	cr_assert_eq(vr_calls_find(&dp, "tun-call")->owner, 1);
	st = &dp.shm_calls[vr_calls_find(&dp, "tun-call")->slot].flow[0];
	/* Worker 1's ring full of placeholders (too few mbufs in the harness for
	 * real packets), taken out again before worker 1 polls. */
	for (i = 0; i < 64; i++)
		objs[i] = &placeholder;
	while ((got = rte_ring_mp_enqueue_burst(dp.lc[1]->handoff, objs, 64, NULL)) > 0)
		n += got;
	inject_q(0, in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, "203.0.113.50", 40000));
	for (i = 0; i < 32; i++)
		vr_worker_poll(dp.lc[0]);
	vr_worker_flush(dp.lc[0]);
	while (n > 0 && (got = rte_ring_sc_dequeue_burst(dp.lc[1]->handoff, objs, 64, NULL)) > 0)
		n -= got;
	cr_assert_eq(n, 0);
	cr_assert_eq(vr_dp_lcore_row(&dp, 0)->drops[VR_DROP_HANDOFF_FULL], 1);
	cr_assert_eq(vr_dp_sbc_ctr(&dp, 0, dp.sbc[SBC]->row)->drops[VR_DROP_HANDOFF_FULL], 1,
		"not counted on worker 0's row of the SBC");
	cr_assert_eq(st->drops[VR_DROP_HANDOFF_FULL], 0,
		"worker 0 wrote the counters of a flow worker 1 owns");
	cr_assert_eq(sent_q(0, out) + sent_q(1, out), 0);
	vr_srtp_stream_free(up);
}

/* The SBC's hello number seq, echoing challenge echo (0: none), protected with hup. */
static size_t
sbc_hello(uint8_t *f, srtp_t hup, uint16_t seq, uint64_t echo)
{
	struct vr_tun_hello hello = { .interval_s = 5, .has_nonce = 1, .nonce = 0x77,
		.has_echo = echo != 0, .echo = echo };

	strcpy(hello.version, "sbc-emu 1.0");
	return hello_frame(f, hup, seq, &hello, 40000);
}

/*
 * A forged hello: a valid header under SBC id sbc and 40 bytes of anything
 * (the worker passes hellos on before any authentication), from src:sport.
 */
static size_t
forged_hello(uint8_t *f, uint32_t sbc, const char *src, uint16_t sport)
{
	uint8_t pl[VR_TUN_HDR_LEN + 40];

	memset(pl, 0xa5, sizeof(pl));
	vr_tun_write(pl, VR_TUN_HELLO, 1, sbc, VR_TUN_CHANNEL_SBC, 0);
	return build_udp(f, our_mac, gw_mac, src, sport, "198.51.100.10", TPORT, pl, sizeof(pl));
}

/*
 * Sum of SBC id's drops on the main lcore's row: the hellos it took and
 * refused (but the SBC's own, answered though it echoed no challenge).
 */
static uint64_t
main_sbc_drops(uint32_t id)
{
	const struct vr_shm_sbc_ctr *c = vr_dp_sbc_ctr(&dp, dp.n_workers, dp.sbc[id]->row);
	uint64_t sum = 0;

	for (unsigned int r = 0; r < VR_DROP_MAX; r++)
		if (r != VR_DROP_TUN_HELLO_STALE)
			sum += c->drops[r];
	return sum;
}

/*
 * Takes what was sent on queue 0: counts ARP replies to 198.51.100.20 and
 * hello answers, whose challenge (decrypted with hdown) goes to *chal.
 */
static void
take_sent(unsigned int *arp, unsigned int *acks, srtp_t hdown, uint64_t *chal)
{
	uint8_t out[2048];
	struct vr_tun_hdr h;
	struct vr_tun_hello ans;
	size_t n;

	while ((n = sent(out)) > 0) {
		if (n >= 42 && out[12] == 0x08 && out[13] == 0x06 && out[21] == 2 &&
				memcmp(out + 38, "\xc6\x33\x64\x14", 4) == 0) {
			(*arp)++;
		} else if (n > 42 + VR_TUN_HDR_LEN && vr_tun_parse(out + 42, n - 42, &h) == VR_TUN_OK &&
				h.type == VR_TUN_HELLO_ACK) {
			(*acks)++;
			hello_answer(out, n, hdown, &ans);
			*chal = ans.nonce;
		}
	}
}

#define FLOOD_ROUNDS 64
#define FLOOD_BURST 512

/*
 * A hello flood (security finding 4): forged hellos under a configured SBC
 * id, each from a new source address, as fast as the worker takes them in:
 * 512 between two passes of the main lcore, which makes 0.5 Mpps against
 * its 1 ms passes when idle (the harness has too few mbufs for a full RX
 * queue). Among them an ARP request for the relay's address before every
 * pass, and once the SBC's own hello from where it said hello before. Every
 * ARP request is answered, and so is the SBC's hello; the hellos over the
 * limits are dropped by the worker as tun_hello_rate on its own rows, and
 * the main lcore sees no more than the per-SBC limit lets through.
 */
Test(tunnel_libsrtp, hello_flood_leaves_arp_and_the_sbc_alone)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t hup = vr_srtp_stream_new(&k, VR_TUN_UP, VR_TUN_CHANNEL_SBC, 0, 0);
	srtp_t hdown = vr_srtp_stream_new(&k, VR_TUN_DOWN, VR_TUN_CHANNEL_SBC, dp.boot_epoch, 1);
	uint8_t f[512];
	unsigned int round, i, polls, arp = 0, acks = 0, forged = 0;
	uint64_t t0, rate, admitted, chal = 0;
	double secs;
	char src[32];

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	/* The SBC's first hello, answered with a challenge; its second, which
	 * echoes it, believed: the relay knows where the SBC is. */
	inject(f, sbc_hello(f, hup, 1, 0));
	run();
	take_sent(&arp, &acks, hdown, &chal);
	inject(f, sbc_hello(f, hup, 2, chal));
	run();
	take_sent(&arp, &acks, hdown, &chal);
	cr_assert_eq(acks, 2, "the SBC's first hellos were not answered");
	acks = 0;
	t0 = rte_rdtsc();
	for (round = 0; round < FLOOD_ROUNDS; round++) {
		for (i = 0; i < FLOOD_BURST; i++) {
			if (i == FLOOD_BURST / 2) {
				inject(f, build_arp_request(f, gw_mac, "198.51.100.20",
					"198.51.100.10"));
			} else if (i == FLOOD_BURST / 2 + 100 && round == FLOOD_ROUNDS / 2) {
				inject(f, sbc_hello(f, hup, 3, chal));
			} else {
				snprintf(src, sizeof(src), "192.0.2.%u", (round * FLOOD_BURST + i) % 250 + 1);
				inject(f, forged_hello(f, SBC, src, (uint16_t)(1024 + round * 7 + i)));
				forged++;
			}
		}
		for (polls = 0; rte_ring_count(rxr[0]) > 0 && polls < 1000; polls++)
			vr_worker_poll(dp.lc[0]);
		vr_slow_poll(&dp);
		take_sent(&arp, &acks, hdown, &chal);
	}
	run();
	run();
	take_sent(&arp, &acks, hdown, &chal);
	secs = (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
	cr_assert_eq(arp, FLOOD_ROUNDS, "%u of %u ARP requests answered during the flood", arp,
		FLOOD_ROUNDS);
	cr_assert_eq(acks, 1, "the SBC's hello during the flood was not answered");
	cr_assert_eq(dp.shm_sbcs[dp.sbc[SBC]->row].hellos, 2,
		"the SBC's hello during the flood was not believed");
	cr_assert_eq(drops(VR_DROP_SLOWPATH_FULL), 0);
	rate = drops(VR_DROP_TUN_HELLO_RATE);
	admitted = main_sbc_drops(SBC);
	cr_assert_eq(rate + admitted, forged, "%lu over the limit + %lu to the main lcore != %u",
		rate, admitted, forged);
	cr_assert_eq(vr_dp_sbc_ctr(&dp, 0, dp.sbc[SBC]->row)->drops[VR_DROP_TUN_HELLO_RATE], rate,
		"not counted on the worker's row of the SBC");
	/* The per-SBC burst (20, two of them the SBC's first hellos), and 20 a second. */
	cr_assert_leq(admitted, 20 + (uint64_t)(20 * secs) + 1, "%lu forged hellos in %.2f s",
		admitted, secs);
	cr_assert_geq(admitted, 10);
	vr_srtp_stream_free(hup);
	vr_srtp_stream_free(hdown);
}

/*
 * The per-source limit: one address (whatever its ports) gets its own 10
 * hellos of the burst and no more, which leaves the rest of the SBC's to
 * other addresses.
 */
Test(tunnel_libsrtp, hello_rate_per_source_leaves_room_for_others)
{
	struct vr_srtp_key k = key(1, 0x42);
	uint8_t f[512];
	unsigned int i;
	uint64_t t0, admitted;
	double secs;
	char src[32];

	set_sbc(SBC, &k, NULL);
	t0 = rte_rdtsc();
	for (i = 0; i < 100; i++)
		inject(f, forged_hello(f, SBC, "192.0.2.66", (uint16_t)(1024 + i)));
	run();
	for (i = 0; i < 5; i++) {
		snprintf(src, sizeof(src), "192.0.2.%u", 100 + i);
		inject(f, forged_hello(f, SBC, src, 5090));
	}
	run();
	secs = (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
	admitted = main_sbc_drops(SBC);
	cr_assert_eq(admitted + drops(VR_DROP_TUN_HELLO_RATE), 105);
	cr_assert_geq(admitted, 15, "the other addresses' hellos were refused");
	cr_assert_leq(admitted, 15 + (uint64_t)(10 * secs), "%lu hellos in %.2f s", admitted, secs);
}
