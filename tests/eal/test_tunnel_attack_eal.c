/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SBC tunnel against an attacker who recorded it (docs/tunnel.md, the
 * threat model), on a real EAL with a net_ring port, once per engine and
 * device (tests/common/tun_harness.h), and with each engine for both
 * suites: packets of two SSRCs of one channel
 * replayed alternately; an earlier call's packets replayed into a later
 * call on the same channel; a phone that repeats and alternates sequence
 * numbers and SSRCs, whose packets are never encrypted twice under one key
 * and IV, in one call or across two on one channel; and the SSRCs a leg may
 * carry, bounded. Each refused packet is counted under its reason, none is
 * relayed, and none moves the SBC's address.
 */
#include "tests/common/tun_harness.h"

/* The same with AEAD_AES_128_GCM, on each engine (ipsec-mb's CPU-crypto path). */
static void
setup_cdev_gcm(void)
{
	tun_suite = VR_SRTP_AEAD_AES_128_GCM;
	setup_cdev();
}

static void
setup_libsrtp_gcm(void)
{
	tun_suite = VR_SRTP_AEAD_AES_128_GCM;
	setup_libsrtp();
}

TestSuite(tunnel_cdev_gcm, .init = setup_cdev_gcm, .fini = eal_teardown);
TestSuite(tunnel_libsrtp_gcm, .init = setup_libsrtp_gcm, .fini = eal_teardown);

/* A test body run in every suite of BOTH, and with GCM on both engines. */
#define ATTACK(name)                                                           \
	static void name##_body(void);                                         \
	BOTH_TESTS(name)                                                       \
	Test(tunnel_cdev_gcm, name) { name##_body(); }                        \
	Test(tunnel_libsrtp_gcm, name) { name##_body(); }                     \
	static void name##_body(void)

#define ATTACKER "192.0.2.66"
#define SBC_IP "203.0.113.50"

/* Deletes call id. */
static void
del_call(const char *id)
{
	struct vr_ctl_call_ref ref;

	memset(&ref, 0, sizeof(ref));
	snprintf(ref.id, sizeof(ref.id), "%s", id);
	ctl(VR_CTL_CALL_DEL, &ref, sizeof(ref), 0);
}

/* The address the relay sends SBC 7's media to now (network order). */
static uint32_t
sbc_ip_now(void)
{
	return (uint32_t)(__atomic_load_n(&dp.sbc_addr[dp.sbc[SBC]->row].v, __ATOMIC_RELAXED) >> 16);
}

/*
 * Takes every frame sent: how many were media (not the hints a stale
 * packet under the SBC's own keys gets: hello answers from the tunnel port).
 */
static unsigned int
relayed(void)
{
	uint8_t out[2048];
	struct vr_tun_hdr h;
	unsigned int media = 0;
	size_t n;

	while ((n = sent(out)) > 0)
		if (n < 42 + VR_TUN_HDR_LEN || (out[34] << 8 | out[35]) != TPORT ||
				vr_tun_parse(out + 42, n - 42, &h) != VR_TUN_OK ||
				h.type != VR_TUN_HELLO_ACK)
			media++;
	return media;
}

/* Rewrites the source address of frame f (built from SBC_IP) to ATTACKER. */
static void
from_attacker(uint8_t *f)
{
	struct in_addr a;
	uint16_t ck;

	inet_pton(AF_INET, ATTACKER, &a);
	memcpy(f + 14 + 12, &a, 4);
	f[14 + 10] = f[14 + 11] = 0;
	ck = ref_ip_cksum(f + 14);
	f[14 + 10] = (uint8_t)(ck >> 8);
	f[14 + 11] = (uint8_t)ck;
	f[40] = f[41] = 0; /* UDP checksum: none */
}

/* Finding 1: two SSRCs of one channel (a re-INVITE), replayed in turns. */
ATTACK(replays_of_two_ssrcs_alternately_refused)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	static uint8_t rec[10][512];
	size_t rn[10];
	uint8_t in[512], out[512];
	unsigned int i;
	uint32_t sbc_ip;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	inject(in, phone(in, 1, 0x22));
	run();
	/* Genuine: SSRC A, then after a re-INVITE SSRC B; all relayed. */
	for (i = 0; i < 10; i++) {
		rn[i] = sbc_frame_x(rec[i], up, 1, SBC, CHAN, tep(CHAN),
			(uint16_t)(i < 5 ? 10 + i : 500 + i), i < 5 ? 0xaaaa : 0xbbbb, 0x11,
			SBC_IP, 40000);
		inject(rec[i], rn[i]);
		run();
		cr_assert_gt(sent(out), 0, "genuine packet %u not relayed", i);
	}
	sbc_ip = sbc_ip_now();
	cr_assert_neq(sbc_ip, 0);
	/* Replayed from the attacker, A and B in turns, twice over. */
	for (unsigned int round = 0; round < 2; round++) {
		for (i = 0; i < 5; i++) {
			memcpy(in, rec[i], rn[i]);
			from_attacker(in);
			inject(in, rn[i]);
			memcpy(in, rec[5 + i], rn[5 + i]);
			from_attacker(in);
			inject(in, rn[5 + i]);
			run();
			cr_assert_eq(sent(out), 0, "a replayed packet was relayed");
		}
	}
	cr_assert_eq(drops(VR_DROP_SRTP_REPLAY), 20);
	cr_assert_eq(sbc_drops(SBC, VR_DROP_SRTP_REPLAY), 20);
	cr_assert_eq(sbc_ip_now(), sbc_ip, "a replay moved the SBC's address");
	cr_assert_eq(dp.shm_calls[0].flow[0].peer_ip, sbc_ip);
	vr_srtp_stream_free(up);
}

/* Finding 2: a call's packets replayed into the next call on the channel. */
ATTACK(an_earlier_calls_packets_refused)
{
	struct vr_srtp_key k = key(1, 0x42);
	uint64_t e1 = LEG_EPOCH(CHAN), e2 = LEG_EPOCH(CHAN) ^ 0x5a5a00;
	uint64_t t1 = (e1 ^ dp.boot_epoch) & VR_TUN_EPOCH_MASK;
	uint64_t t2 = (e2 ^ dp.boot_epoch) & VR_TUN_EPOCH_MASK;
	srtp_t up1 = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, t1, 0);
	srtp_t up2 = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, t2, 0);
	static uint8_t rec[5][512];
	size_t rn[5];
	uint8_t in[512], out[512];
	unsigned int i;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call_x("call-1", e1);
	inject(in, phone(in, 1, 0x22));
	run();
	for (i = 0; i < 5; i++) {
		rn[i] = sbc_frame_x(rec[i], up1, 1, SBC, CHAN, t1, (uint16_t)(100 + i), 0xaaaa,
			0x11, SBC_IP, 40000);
		inject(rec[i], rn[i]);
		run();
		cr_assert_gt(sent(out), 0);
	}
	del_call("call-1");
	add_tun_call_x("call-2", e2);
	/* Call 2's phone latches its leg (its packet goes to where the SBC is). */
	inject(in, phone(in, 1, 0x22));
	run();
	while (sent(out) > 0)
		;
	/* Call 1's packets, as sent and from the attacker: under call 1's keys. */
	for (i = 0; i < 5; i++) {
		inject(rec[i], rn[i]);
		memcpy(in, rec[i], rn[i]);
		from_attacker(in);
		inject(in, rn[i]);
	}
	run();
	cr_assert_eq(relayed(), 0, "an earlier call's packet was relayed");
	cr_assert_eq(drops(VR_DROP_TUN_STALE_EPOCH), 10);
	cr_assert_eq(dp.shm_calls[0].flow[0].latch, VR_LATCH_LEARNING,
		"an earlier call's packet latched the SBC");
	/* Call 1's packets under call 2's epoch in the header: not its keys. */
	for (i = 0; i < 5; i++) {
		memcpy(in, rec[i], rn[i]);
		vr_tun_put64(in + 42 + 12, t2);
		inject(in, rn[i]);
	}
	run();
	cr_assert_eq(sent(out), 0);
	cr_assert_eq(drops(VR_DROP_SRTP_AUTH), 5);
	/* The SBC in call 2: relayed, though its indices are call 1's again. */
	inject(in, sbc_frame_x(in, up2, 1, SBC, CHAN, t2, 100, 0xaaaa, 0x12, SBC_IP, 40000));
	run();
	cr_assert_gt(sent(out), 0, "call 2's own packet was not relayed");
	vr_srtp_stream_free(up1);
	vr_srtp_stream_free(up2);
}

/* What identifies the key and IV of an SRTP packet the relay sent the SBC. */
struct kiv {
	uint64_t epoch;
	uint32_t channel, ssrc;
	uint16_t seq;
	uint8_t key_id;
};

/* Takes every tunnel frame sent into ks[*n...), checking none is a (key, IV) seen before. */
static void
collect(struct kiv *ks, unsigned int *n, unsigned int cap)
{
	uint8_t out[512];
	size_t len;

	while ((len = sent(out)) > 0) {
		struct vr_tun_hdr h;
		const uint8_t *srtp = out + 42 + VR_TUN_HDR_LEN;
		struct kiv x;

		cr_assert_eq(vr_tun_parse(out + 42, len - 42, &h), VR_TUN_OK);
		memset(&x, 0, sizeof(x));
		x.epoch = h.epoch;
		x.channel = h.channel;
		x.key_id = h.key_id;
		x.ssrc = vr_tun_get32(srtp + 8);
		x.seq = (uint16_t)(srtp[2] << 8 | srtp[3]);
		for (unsigned int j = 0; j < *n; j++)
			cr_assert(memcmp(&ks[j], &x, sizeof(x)) != 0,
				"SSRC %x sequence %u encrypted twice under epoch %llx", x.ssrc, x.seq,
				(unsigned long long)x.epoch);
		cr_assert_lt(*n, cap);
		ks[(*n)++] = x;
	}
}

/*
 * Findings 2 and 3: whatever the phone sends (duplicates with other audio,
 * SSRCs in turns, the same sequence numbers in the next call on the
 * channel), the relay encrypts no two packets under one key and IV.
 */
ATTACK(no_key_and_iv_used_twice_toward_the_sbc)
{
	struct vr_srtp_key k = key(1, 0x42);
	uint64_t e2 = LEG_EPOCH(CHAN) ^ 0x777;
	uint64_t t2 = (e2 ^ dp.boot_epoch) & VR_TUN_EPOCH_MASK;
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t up2 = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, t2, 0);
	static const struct { uint16_t seq; uint32_t ssrc; } plan[] = {
		{ 1, 0xb0b0 }, { 2, 0xb0b0 }, { 3, 0xb0b0 }, { 3, 0xb0b0 }, { 2, 0xb0b0 },
		{ 1, 0xc0c0 }, { 2, 0xc0c0 }, { 4, 0xb0b0 }, { 3, 0xc0c0 }, { 3, 0xb0b0 },
		{ 5, 0xb0b0 }, { 4, 0xc0c0 }, { 4, 0xc0c0 }, { 6, 0xb0b0 },
	};
	const unsigned int n_plan = sizeof(plan) / sizeof(plan[0]), repeats = 4;
	struct kiv ks[64];
	unsigned int i, n = 0, call;
	uint8_t in[512], out[512];

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	for (call = 0; call < 2; call++) {
		uint64_t before = drops(VR_DROP_SRTP_REPLAY);

		if (call == 0) {
			add_tun_call();
		} else {
			del_call("tun-call");
			add_tun_call_x("tun-call-2", e2);
		}
		/* The SBC speaks first, so that the phone's packets have somewhere to
		 * go (it is not relayed: the phone has not spoken yet). */
		inject(in, sbc_frame_x(in, call == 0 ? up : up2, 1, SBC, CHAN,
			call == 0 ? tep(CHAN) : t2, 1, 0x5bc0, 0x11, SBC_IP, 40000));
		run();
		cr_assert_eq(sent(out), 0);
		/* Each packet its own burst, so that the order is the plan's. */
		for (i = 0; i < n_plan; i++) {
			inject(in, phone_x(in, plan[i].seq, plan[i].ssrc, (uint8_t)(0x30 + i)));
			run();
			collect(ks, &n, 64);
		}
		cr_assert_eq(drops(VR_DROP_SRTP_REPLAY) - before, repeats,
			"call %u: %llu repeats refused, want %u", call + 1,
			(unsigned long long)(drops(VR_DROP_SRTP_REPLAY) - before), repeats);
	}
	cr_assert_eq(n, 2 * (n_plan - repeats), "%u packets encrypted", n);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(up2);
}

/* Finding 5: a leg carries at most VR_SRTP_SSRC_MAX SSRCs each way while its keys live. */
ATTACK(ssrcs_per_leg_bounded)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	uint8_t in[512], out[512];
	uint32_t i;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	inject(in, phone(in, 1, 0x22));
	run();
	/* From the SBC: eight SSRCs relayed, the ninth refused, the first still fine. */
	for (i = 0; i <= VR_SRTP_SSRC_MAX; i++) {
		inject(in, sbc_frame_x(in, up, 1, SBC, CHAN, tep(CHAN), (uint16_t)(10 + i),
			0x1000 + i, 0x11, SBC_IP, 40000));
		run();
		if (i < VR_SRTP_SSRC_MAX)
			cr_assert_gt(sent(out), 0, "SSRC %u of the SBC refused", i);
		else
			cr_assert_eq(sent(out), 0, "a ninth SSRC of the SBC relayed");
	}
	inject(in, sbc_frame_x(in, up, 1, SBC, CHAN, tep(CHAN), 30, 0x1000, 0x11, SBC_IP, 40000));
	run();
	cr_assert_gt(sent(out), 0);
	/* From the phone: a new SSRC in every packet (the phone latched on
	 * 0xb0b0 already counts as one toward the SBC once sent). */
	for (i = 0; i < 2 * VR_SRTP_SSRC_MAX; i++) {
		inject(in, phone_x(in, (uint16_t)(100 + i), 0x2000 + i, 0x22));
		run();
		if (i < VR_SRTP_SSRC_MAX)
			cr_assert_gt(sent(out), 0, "SSRC %u of the phone refused", i);
		else
			cr_assert_eq(sent(out), 0, "SSRC %u of the phone encrypted", i);
	}
	cr_assert_eq(drops(VR_DROP_SRTP_SSRC_LIMIT), 1 + VR_SRTP_SSRC_MAX);
	cr_assert_eq(sbc_drops(SBC, VR_DROP_SRTP_SSRC_LIMIT), 1 + VR_SRTP_SSRC_MAX);
	vr_srtp_stream_free(up);
}

/* CALL_ADD of call id on channel CHAN under epoch ep: refused, its error naming want. */
static void
add_refused(const char *id, uint64_t ep, const char *want)
{
	struct vr_ctl_call c;

	tun_call_def(&c, id, SBC, ep);
	ctl_refused(VR_CTL_CALL_ADD, &c, sizeof(c), -EINVAL, want);
	cr_assert_null(vr_calls_find(&dp, id));
}

/*
 * A leg's epoch is good for one call since the dataplane started: a call
 * bound again with the epoch of one that was unbound (a PBX that reuses
 * epochs, or writes back a call it deleted) would start the index state
 * over under the same keys, and is refused, saying so; with a fresh epoch
 * it is bound. Rewriting a bound call keeps its leg, and is fine.
 */
ATTACK(an_epoch_used_since_start_is_refused)
{
	struct vr_srtp_key k = key(1, 0x42);

	set_sbc(SBC, &k, NULL);
	add_tun_call_x("call-1", 0x1111);
	add_tun_call_x("call-1", 0x1111); /* the same call again: a no-op rewrite */
	del_call("call-1");
	add_refused("call-1", 0x1111, "SBC 7 channel 3: epoch 1111 was an earlier call's");
	add_refused("call-2", 0x1111, "give the call a fresh epoch");
	add_tun_call_x("call-1", 0x2222);
	cr_assert_not_null(vr_calls_find(&dp, "call-1"));
}

/*
 * A key this SBC had and retired since start does not come back: every leg
 * would start its index state under it over (the same key, the same epoch).
 * A key kept across a change, and a new one, are fine.
 */
ATTACK(a_retired_key_does_not_come_back)
{
	struct vr_srtp_key k1 = key(1, 0x42), k1b = k1, k2 = key(2, 0x43), k3 = key(3, 0x44);
	struct vr_ctl_sbc d;

	k1b.id = 5;
	set_sbc(SBC, &k1, NULL);
	set_sbc(SBC, &k2, &k1);  /* a rollover: k1 kept as the previous key */
	set_sbc(SBC, &k2, NULL); /* k1 retired */
	/* k1 again, under another id: refused, k2 kept. */
	sbc_def(&d, SBC, &k1b, NULL);
	ctl_refused(VR_CTL_SBC_SET, &d, sizeof(d), -EINVAL, "key 5 is a key this SBC had before");
	cr_assert_eq(dp.sbc[SBC]->key[0].id, 2);
	set_sbc(SBC, &k3, &k2);
}

/*
 * Hellos replayed from elsewhere are answered, each with a challenge of its
 * own: however many, they do not push out the challenge the SBC is about to
 * echo from where it is, so its next hello is believed.
 */
ATTACK(replayed_hellos_do_not_crowd_out_the_sbcs_challenge)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t hup = vr_srtp_stream_new(&k, VR_TUN_UP, VR_TUN_CHANNEL_SBC, 0, 0);
	srtp_t hdown = vr_srtp_stream_new(&k, VR_TUN_DOWN, VR_TUN_CHANNEL_SBC, dp.boot_epoch, 1);
	struct vr_tun_hello hello = { .interval_s = 5, .has_nonce = 1 }, ans;
	static uint8_t rec[8][512];
	size_t rn[8];
	uint8_t f[512], out[512];
	const struct vr_shm_sbc *row;
	unsigned int i;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	row = &dp.shm_sbcs[dp.sbc[SBC]->row];
	/* An earlier run of the SBC's hellos, recorded by the attacker (they
	 * echo nothing the relay will take again). */
	for (i = 0; i < 8; i++) {
		hello.nonce = 100 + i;
		rn[i] = hello_frame(rec[i], hup, (uint16_t)(1 + i), &hello, 40000);
	}
	/* The SBC: a hello, the answer's challenge echoed: believed. */
	hello.nonce = 1;
	inject(f, hello_frame(f, hup, 20, &hello, 40000));
	run();
	hello_answer(out, sent(out), hdown, &ans);
	hello.has_echo = 1;
	hello.echo = ans.nonce;
	hello.nonce = 2;
	inject(f, hello_frame(f, hup, 21, &hello, 40000));
	run();
	hello_answer(out, sent(out), hdown, &ans);
	cr_assert_eq(row->hellos, 1);
	/* The attacker replays the recording from its own address. */
	for (i = 0; i < 8; i++) {
		memcpy(f, rec[i], rn[i]);
		from_attacker(f);
		inject(f, rn[i]);
	}
	run();
	while (sent(out) > 0)
		;
	cr_assert_eq(sbc_drops(SBC, VR_DROP_TUN_HELLO_STALE), 1 + 8);
	/* The SBC's next hello echoes its challenge: still believed, still home. */
	hello.echo = ans.nonce;
	hello.nonce = 3;
	inject(f, hello_frame(f, hup, 22, &hello, 40000));
	run();
	hello_answer(out, sent(out), hdown, &ans);
	cr_assert_eq(row->hellos, 2, "the attacker's replays crowded out the SBC's challenge");
	cr_assert_eq(row->public_port, htons(40000));
	vr_srtp_stream_free(hup);
	vr_srtp_stream_free(hdown);
}

/* SBC_SET of SBC id with keys cur (and prev): refused, its error naming want. */
static void
sbc_set_refused(uint32_t id, const struct vr_srtp_key *cur, const struct vr_srtp_key *prev,
	const char *want)
{
	struct vr_ctl_sbc d;

	sbc_def(&d, id, cur, prev);
	ctl_refused(VR_CTL_SBC_SET, &d, sizeof(d), -EINVAL, want);
}

/*
 * Keys a leg's index state lives under are never given to new state: not a
 * key of the SBC again under another id, nor another SBC's key, nor a key
 * and epoch of a leg unbound since start under another SBC id.
 */
ATTACK(a_key_under_another_id_or_sbc_is_refused)
{
	struct vr_srtp_key k1 = key(1, 0x42), k1b = k1, k2 = key(2, 0x43);
	struct vr_ctl_sbc_ref ref = { SBC };
	struct vr_ctl_call c;

	k1b.id = 3;
	set_sbc(SBC, &k1, NULL);
	add_tun_call_x("call-1", 0x1234);
	sbc_set_refused(SBC, &k1b, NULL, "key 3 is key 1 under another id");
	sbc_set_refused(SBC, &k2, &k1b, "key 3 is key 1 under another id");
	sbc_set_refused(9, &k1, NULL, "key 1 is a key of SBC 7");
	/* SBC 7 goes; its key comes back as SBC 8's: call-1's epoch on the
	 * channel is an earlier leg's keys. */
	del_call("call-1");
	ctl(VR_CTL_SBC_DEL, &ref, sizeof(ref), 0);
	set_sbc(8, &k1, NULL);
	tun_call_def(&c, "call-8", 8, 0x1234);
	ctl_refused(VR_CTL_CALL_ADD, &c, sizeof(c), -EINVAL, "epoch 1234 was an earlier call's");
}

/*
 * A call rewritten with its tunnel leg moved from a to b keeps the leg, its
 * keys and its index state: what the SBC sent before is still a replay.
 */
ATTACK(a_tunnel_leg_moved_to_the_other_side_keeps_its_state)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	uint8_t in[512], out[512], rec[512];
	struct vr_ctl_call c;
	struct vr_ctl_leg swap;
	size_t rn;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	inject(in, phone(in, 1, 0x22));
	run();
	rn = sbc_frame(rec, up, 1, SBC, CHAN, 50, 0x11, SBC_IP, 40000);
	inject(rec, rn);
	run();
	cr_assert_gt(sent(out), 0);
	/* The same call, its legs the other way round. */
	tun_call_def(&c, "tun-call", SBC, LEG_EPOCH(CHAN));
	swap = c.leg[0];
	c.leg[0] = c.leg[1];
	c.leg[1] = swap;
	ctl(VR_CTL_CALL_MOD, &c, sizeof(c), 0);
	inject(in, phone(in, 2, 0x22));
	run();
	while (sent(out) > 0)
		;
	inject(rec, rn);
	run();
	cr_assert_eq(sent(out), 0, "a packet seen before the rewrite was relayed again");
	cr_assert_eq(drops(VR_DROP_SRTP_REPLAY), 1);
	vr_srtp_stream_free(up);
}

/*
 * RTCP that a phone muxes on its RTP port (RFC 5761) goes into the tunnel
 * as SRTCP, as from an RTCP port: were it taken for SRTP, the NTP seconds
 * of each sender report would count as a new SSRC, fill the leg's table
 * and leave the phone's next real SSRC refused.
 */
ATTACK(muxed_rtcp_goes_as_srtcp_and_takes_no_ssrc)
{
	struct vr_srtp_key k = key(1, 0x42);
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, tep(CHAN), 0);
	srtp_t down = vr_srtp_stream_new(&k, VR_TUN_DOWN, CHAN, tep(CHAN), 1);
	uint8_t in[512], out[512], sr[28];
	unsigned int i;
	size_t n;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	inject(in, phone(in, 1, 0x22));
	run();
	inject(in, sbc_frame(in, up, 1, SBC, CHAN, 1, 0x11, SBC_IP, 40000));
	run();
	while (sent(out) > 0)
		;
	/* Twelve sender reports (each its own NTP time) on the RTP port. */
	for (i = 0; i < 12; i++) {
		struct vr_tun_hdr h;
		int len;

		memset(sr, 0, sizeof(sr));
		sr[0] = 0x80;
		sr[1] = 200;
		sr[3] = 6;
		vr_tun_put32(sr + 4, 0xb0b0);
		vr_tun_put32(sr + 8, 0xe0000000u + i);
		inject(in, build_udp(in, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.10",
			20002, sr, sizeof(sr)));
		run();
		n = sent(out);
		cr_assert_gt(n, 42u, "sender report %u not sent to the SBC", i);
		cr_assert_eq(vr_tun_parse(out + 42, n - 42, &h), VR_TUN_OK);
		cr_assert_eq(h.type, VR_TUN_RTCP, "muxed RTCP sent as type %u", h.type);
		len = (int)(n - 42 - VR_TUN_HDR_LEN);
		memcpy(in, out + 42 + VR_TUN_HDR_LEN, (size_t)len);
		cr_assert_eq(srtp_unprotect_rtcp(down, in, &len), srtp_err_status_ok);
		cr_assert_eq(len, (int)sizeof(sr));
		cr_assert_arr_eq(in, sr, sizeof(sr));
	}
	/* The phone's RTP under new SSRCs still goes: the table holds real SSRCs. */
	for (i = 0; i < VR_SRTP_SSRC_MAX - 1; i++) {
		inject(in, phone_x(in, (uint16_t)(10 + i), 0xc000 + i, 0x22));
		run();
		cr_assert_gt(sent(out), 0, "the phone's SSRC %u refused", i);
	}
	cr_assert_eq(drops(VR_DROP_SRTP_SSRC_LIMIT), 0);
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(down);
}

/*
 * Hello sequence numbers never wrap, so a peer that restarts reads them
 * with a new session (rollover counter 0): the relay's answers move to the
 * next SSRC and a sequence below 2^15 before theirs would pass 65535. And
 * the SSRCs of hellos the relay keeps state for are bounded: past eight
 * (eight runs of the SBC, or replays of them) the session starts over, and
 * the SBC's hellos still pass.
 */
ATTACK(hello_sequences_never_wrap_and_hello_ssrcs_are_bounded)
{
	struct vr_srtp_key k = key(1, 0x42);
	struct vr_tun_hello hello = { .interval_s = 5, .has_nonce = 1, .nonce = 9 }, ans;
	uint8_t f[512], out[512];
	uint32_t ssrc0;
	unsigned int run_no;
	size_t n;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	dp.sbc[SBC]->hello_seq = 0xfffe;
	for (run_no = 0; run_no < 2 * VR_SRTP_SSRC_MAX + 1; run_no++) {
		/* Each hello from a new run of the SBC (a session and SSRC of its
		 * own), its answer read by a new session, as a restarted SBC would. */
		srtp_t hup = vr_srtp_stream_new(&k, VR_TUN_UP, VR_TUN_CHANNEL_SBC, 0, 0);
		srtp_t hdown = vr_srtp_stream_new(&k, VR_TUN_DOWN, VR_TUN_CHANNEL_SBC,
			dp.boot_epoch, 1);
		uint8_t pl[512];
		char src[32];
		int len, tl;

		/* From addresses of their own: one source may say hello 10 times a burst. */
		snprintf(src, sizeof(src), "203.0.113.%u", 100 + run_no);
		build_rtp(pl + VR_TUN_HDR_LEN, 7, 0, 0x1000 + run_no, 0, 0);
		tl = vr_tun_hello_build(&hello, pl + VR_TUN_HDR_LEN + 12, 128);
		len = 12 + tl;
		cr_assert_eq(srtp_protect(hup, pl + VR_TUN_HDR_LEN, &len), srtp_err_status_ok);
		vr_tun_write(pl, VR_TUN_HELLO, 1, SBC, VR_TUN_CHANNEL_SBC, 0);
		inject(f, build_udp(f, our_mac, gw_mac, src, 40000, "198.51.100.10", TPORT, pl,
			VR_TUN_HDR_LEN + (size_t)len));
		run();
		n = sent(out);
		hello_answer(out, n, hdown, &ans);
		if (run_no == 0)
			ssrc0 = vr_tun_get32(out + 42 + VR_TUN_HDR_LEN + 8);
		if (run_no == 1) {
			cr_assert_eq(vr_tun_get32(out + 42 + VR_TUN_HDR_LEN + 8), ssrc0 + 1,
				"the answers did not move to the next SSRC");
			cr_assert_lt(out[42 + VR_TUN_HDR_LEN + 2], 0x80, "a sequence above 2^15");
		}
		cr_assert_leq(dp.sbc[SBC]->hello_ssrcs[0].n, VR_SRTP_SSRC_MAX);
		vr_srtp_stream_free(hup);
		vr_srtp_stream_free(hdown);
	}
	cr_assert_eq(sbc_drops(SBC, VR_DROP_SRTP_AUTH) + sbc_drops(SBC, VR_DROP_SRTP_ERROR), 0);
}

/*
 * The SBC's media under an epoch of its own (it has not heard of our
 * restart): dropped as stale, and the SBC told to say hello now, with a
 * hint (an answer with a challenge and no echo) to where it sent from, at
 * most five a second. A stale packet that does not authenticate, forged or
 * under another key, gets no word.
 */
ATTACK(stale_epoch_media_gets_a_hint)
{
	struct vr_srtp_key k = key(1, 0x42), other = key(1, 0x99);
	uint64_t old = tep(CHAN) ^ 0x1234;
	srtp_t up = vr_srtp_stream_new(&k, VR_TUN_UP, CHAN, old, 0);
	srtp_t forged = vr_srtp_stream_new(&other, VR_TUN_UP, CHAN, old, 0);
	srtp_t hdown = vr_srtp_stream_new(&k, VR_TUN_DOWN, VR_TUN_CHANNEL_SBC, dp.boot_epoch, 1);
	struct vr_tun_hello ans;
	uint8_t in[512], out[512];
	size_t n;

	resolve_gateway();
	set_sbc(SBC, &k, NULL);
	add_tun_call();
	inject(in, sbc_frame_x(in, forged, 1, SBC, CHAN, old, 1, 0x5bc0, 0x11, SBC_IP, 40000));
	run();
	cr_assert_eq(sent(out), 0, "a forged stale packet was answered");
	rte_delay_ms(250);
	inject(in, sbc_frame_x(in, up, 1, SBC, CHAN, old, 2, 0x5bc0, 0x11, SBC_IP, 40000));
	inject(in, sbc_frame_x(in, up, 1, SBC, CHAN, old, 3, 0x5bc0, 0x11, SBC_IP, 40000));
	run();
	n = sent(out);
	cr_assert_gt(n, 0u, "no hint to the SBC behind our restart");
	hello_answer(out, n, hdown, &ans);
	cr_assert(!ans.has_echo, "a hint echoes nothing");
	cr_assert_eq(memcmp(out + 42 - 8 + 2, "\x9c\x40", 2), 0, "the hint is not sent to the SBC's port");
	cr_assert_eq(sent(out), 0, "two hints within 200 ms");
	cr_assert_eq(drops(VR_DROP_TUN_STALE_EPOCH), 3);
	cr_assert_eq(dp.shm_sbcs[dp.sbc[SBC]->row].hellos, 0, "a hint is no hello");
	vr_srtp_stream_free(up);
	vr_srtp_stream_free(forged);
	vr_srtp_stream_free(hdown);
}
