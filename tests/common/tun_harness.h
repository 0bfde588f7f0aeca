/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the EAL tunnel tests share (test_tunnel_eal.c, test_tunnel_attack_eal.c):
 * the four suites (the cryptodev engine on ipsec-mb, on OpenSSL's device, on
 * OpenSSL's made to answer late as hardware does, and libsrtp) and BOTH(),
 * which runs a test body in each; an SBC with its keys, a call whose leg a
 * is channel CHAN of its tunnel and leg b a remote phone; the SBC's and the
 * phone's frames, and the checks of what the relay sends the SBC. The test
 * plays the SBC with its own libsrtp sessions (dataplane/srtp.c, the same
 * per-stream keys an SBC derives).
 */
#ifndef VR_TEST_TUN_HARNESS_H
#define VR_TEST_TUN_HARNESS_H

#include <rte_cryptodev.h>

#include "dataplane/srtp.h"
#include "tests/common/eal_harness.h"

static inline void
setup_cdev(void)
{
	harness_engine = VR_SRTP_ENGINE_CRYPTODEV;
	eal_setup();
	cr_assert(dp.use_cdev, "the cryptodev engine did not start");
}

static inline void
setup_libsrtp(void)
{
	harness_engine = VR_SRTP_ENGINE_LIBSRTP;
	eal_setup();
	cr_assert(!dp.use_cdev);
}

/* Two workers, for handoffs between them (the drop happens before any SRTP). */
static inline void
setup_libsrtp2(void)
{
	harness_engine = VR_SRTP_ENGINE_LIBSRTP;
	eal_setup2();
}

/* The cryptodev engine on another driver: OpenSSL's software device, whose
 * sessions and operation handling are not ipsec-mb's (as a hardware
 * device's would not be). */
static inline void
setup_openssl(void)
{
	harness_engine = VR_SRTP_ENGINE_CRYPTODEV;
	harness_crypto_dev = "crypto_openssl";
	eal_setup();
	cr_assert(dp.use_cdev, "the cryptodev engine did not start on crypto_openssl");
}

/*
 * OpenSSL's device made to answer as a hardware one does: an operation is
 * not back at the first poll after it was handed over (the software
 * devices give everything back at once), or, with async_dead set, never (a
 * hung device). Its own enqueue and dequeue, wrapped in the device's
 * fast-path table.
 */
static enqueue_pkt_burst_t real_enq;
static dequeue_pkt_burst_t real_deq;
static int async_fresh, async_dead;

static inline uint16_t
async_enq(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	uint16_t r = real_enq(qp, ops, n);

	if (r > 0)
		async_fresh = 1;
	return r;
}

static inline uint16_t
async_deq(void *qp, struct rte_crypto_op **ops, uint16_t n)
{
	if (async_dead || async_fresh) {
		async_fresh = 0;
		return 0;
	}
	return real_deq(qp, ops, n);
}

static inline void
setup_async(void)
{
	setup_openssl();
	real_enq = rte_crypto_fp_ops[dp.cdev.dev_id].enqueue_burst;
	real_deq = rte_crypto_fp_ops[dp.cdev.dev_id].dequeue_burst;
	rte_crypto_fp_ops[dp.cdev.dev_id].enqueue_burst = async_enq;
	rte_crypto_fp_ops[dp.cdev.dev_id].dequeue_burst = async_deq;
}

TestSuite(tunnel_cdev, .init = setup_cdev, .fini = eal_teardown);
TestSuite(tunnel_libsrtp, .init = setup_libsrtp, .fini = eal_teardown);
TestSuite(tunnel_libsrtp2, .init = setup_libsrtp2, .fini = eal_teardown);
TestSuite(tunnel_openssl, .init = setup_openssl, .fini = eal_teardown);
TestSuite(tunnel_async, .init = setup_async, .fini = eal_teardown);

/* A test body run in every suite: each engine, the cryptodev engine on a
 * second driver, and on a device that answers late. */
#define BOTH_TESTS(name)                                                       \
	Test(tunnel_cdev, name) { name##_body(); }                            \
	Test(tunnel_libsrtp, name) { name##_body(); }                         \
	Test(tunnel_openssl, name) { name##_body(); }                         \
	Test(tunnel_async, name) { name##_body(); }
#define BOTH(name)                                                             \
	static void name##_body(void);                                         \
	BOTH_TESTS(name)                                                       \
	static void name##_body(void)

#define SBC 7u
#define CHAN 3u
#define TPORT VR_TUN_DEFAULT_PORT

/* The epoch the PBX gives the call on channel ch (a_epoch). */
#define LEG_EPOCH(ch) (0xabc000000000ull | (ch))

/* The epoch of channel ch's keys in this boot: the leg's XOR the relay's. */
static inline uint64_t
tep(uint32_t ch)
{
	return (LEG_EPOCH(ch) ^ dp.boot_epoch) & VR_TUN_EPOCH_MASK;
}

/* The suite key() gives: AES_CM_128_HMAC_SHA1_80 unless a suite's init says otherwise. */
static enum vr_srtp_suite tun_suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80;

static inline struct vr_srtp_key
key(uint8_t id, uint8_t fill)
{
	struct vr_srtp_key k = { .suite = (uint8_t)tun_suite, .id = id };

	for (size_t i = 0; i < sizeof(k.master); i++)
		k.master[i] = (uint8_t)(fill ^ (i * 13));
	return k;
}

/*
 * Request type with body[0..len): refused with status want, its error
 * naming text.
 */
static inline void
ctl_refused(uint16_t type, const void *body, size_t len, int want, const char *text)
{
	const struct vr_ctl_reply *r = ctl_reply(type, body, len);

	cr_assert_eq(r->status, want, "status %d (%s)", r->status, r->error);
	cr_assert(strstr(r->error, text) != NULL, "'%s' lacks '%s'", r->error, text);
}

/* An SBC_SET body into d: key cur is current, and prev (when given) still accepted. */
static inline void
sbc_def(struct vr_ctl_sbc *d, uint32_t id, const struct vr_srtp_key *cur,
	const struct vr_srtp_key *prev)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	d->suite = cur->suite;
	d->n_keys = prev != NULL ? 2 : 1;
	d->prev_ms = prev != NULL ? 60000 : 0;
	d->key[0].id = cur->id;
	d->key[0].len = (uint8_t)vr_srtp_master_len(cur->suite);
	memcpy(d->key[0].master, cur->master, d->key[0].len);
	if (prev != NULL) {
		d->key[1].id = prev->id;
		d->key[1].len = d->key[0].len;
		memcpy(d->key[1].master, prev->master, d->key[1].len);
	}
}

/* SBC_SET: key cur is current, and prev (when given) still accepted. */
static inline void
set_sbc(uint32_t id, const struct vr_srtp_key *cur, const struct vr_srtp_key *prev)
{
	struct vr_ctl_sbc d;

	sbc_def(&d, id, cur, prev);
	ctl(VR_CTL_SBC_SET, &d, sizeof(d), 0);
}

/* A call body into c: id, leg a SBC sbc channel CHAN under epoch ep, leg b relay port 20002. */
static inline void
tun_call_def(struct vr_ctl_call *c, const char *id, uint32_t sbc, uint64_t ep)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	inet_pton(AF_INET, "198.51.100.10", &c->leg[0].addr);
	c->leg[0].flags = VR_CTL_LEG_F_TUNNEL;
	c->leg[0].sbc_id = sbc;
	c->leg[0].channel = CHAN;
	c->leg[0].epoch = ep;
	c->leg[1].addr = c->leg[0].addr;
	c->leg[1].port = 20002;
}


/*
 * Call id, leg a SBC 7 channel 3 under epoch ep; leg b the remote phone on
 * port 20002: added, or refused with want (a negative errno).
 */
static inline void
add_tun_call_want(const char *id, uint64_t ep, int want)
{
	struct vr_ctl_call c;

	tun_call_def(&c, id, SBC, ep);
	c.leg[1].flags = VR_CTL_LEG_F_EXPECT;
	inet_pton(AF_INET, "203.0.113.2", &c.leg[1].expect_ip);
	c.leg[1].expect_lo = 14020;
	c.leg[1].expect_hi = 14039;
	ctl(VR_CTL_CALL_ADD, &c, sizeof(c), want);
}

static inline void
add_tun_call_x(const char *id, uint64_t ep)
{
	add_tun_call_want(id, ep, 0);
}

/* Call "tun-call": leg a SBC 7 channel 3; leg b the remote phone on port 20002. */
static inline void
add_tun_call(void)
{
	add_tun_call_x("tun-call", LEG_EPOCH(CHAN));
}

/* The remote phone's RTP to leg b, under SSRC ssrc. */
static inline size_t
phone_x(uint8_t *f, uint16_t seq, uint32_t ssrc, uint8_t fill)
{
	uint8_t rtp[172];

	build_rtp(rtp, seq, 160u * seq, ssrc, 160, fill);
	return build_udp(f, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.10", 20002, rtp,
		sizeof(rtp));
}

static inline size_t
phone(uint8_t *f, uint16_t seq, uint8_t fill)
{
	return phone_x(f, seq, 0xb0b0, fill);
}

/*
 * A tunnel datagram from the SBC at src:sport: an RTP packet (seq, ssrc,
 * fill) protected with session s, under header (key_id, sbc, channel, ep).
 */
static inline size_t
sbc_frame_x(uint8_t *f, srtp_t s, uint8_t key_id, uint32_t sbc, uint32_t channel, uint64_t ep,
	uint16_t seq, uint32_t ssrc, uint8_t fill, const char *src, uint16_t sport)
{
	uint8_t pl[512];
	int len = (int)build_rtp(pl + VR_TUN_HDR_LEN, seq, 160u * seq, ssrc, 160, fill);

	cr_assert_eq(srtp_protect(s, pl + VR_TUN_HDR_LEN, &len), srtp_err_status_ok);
	vr_tun_write(pl, VR_TUN_RTP, key_id, sbc, channel, ep);
	return build_udp(f, our_mac, gw_mac, src, sport, "198.51.100.10", TPORT, pl,
		VR_TUN_HDR_LEN + (size_t)len);
}

/* sbc_frame_x under this boot's epoch of the channel and SSRC 0x5bc0. */
static inline size_t
sbc_frame(uint8_t *f, srtp_t s, uint8_t key_id, uint32_t sbc, uint32_t channel, uint16_t seq,
	uint8_t fill, const char *src, uint16_t sport)
{
	return sbc_frame_x(f, s, key_id, sbc, channel, tep(channel), seq, 0x5bc0, fill, src,
		sport);
}

/* Checks out[0..n) is a tunnel datagram to dst:dport from the tunnel port with
 * a valid IP checksum, a UDP checksum that is zero (none, the default) or
 * valid (--tunnel-checksum on), and header (key_id), and decrypts it with s
 * into rtp. */
static inline int
open_sbc_frame_ch(const uint8_t *out, size_t n, const char *dst, uint16_t dport, uint8_t key_id,
	uint32_t channel, srtp_t s, uint8_t *rtp)
{
	const uint8_t *ip = out + 14, *udp = ip + 20;
	struct vr_tun_hdr h;
	struct in_addr a;
	int len;

	cr_assert_gt(n, 42 + VR_TUN_HDR_LEN);
	cr_assert_eq(memcmp(out, gw_mac, 6), 0, "not sent to the gateway");
	inet_pton(AF_INET, dst, &a);
	cr_assert_eq(memcmp(ip + 16, &a, 4), 0, "not sent to the SBC's address");
	inet_pton(AF_INET, "198.51.100.10", &a);
	cr_assert_eq(memcmp(ip + 12, &a, 4), 0);
	cr_assert_eq(udp[0] << 8 | udp[1], TPORT, "not from the tunnel port");
	cr_assert_eq(udp[2] << 8 | udp[3], dport);
	cr_assert_eq(ref_ip_cksum(ip), (uint16_t)(ip[10] << 8 | ip[11]), "IP checksum");
	cr_assert_eq(dp.cfg.tunnel_cksum ? ref_udp_cksum(ip) : 0, (uint16_t)(udp[6] << 8 | udp[7]),
		"UDP checksum");
	cr_assert_eq((size_t)(ip[2] << 8 | ip[3]), n - 14);
	cr_assert_eq(vr_tun_parse(udp + 8, n - 42, &h), VR_TUN_OK);
	cr_assert_eq(h.type, VR_TUN_RTP);
	cr_assert_eq(h.sbc_id, SBC);
	cr_assert_eq(h.channel, channel);
	cr_assert_eq(h.key_id, key_id, "sent under key %u, want %u", h.key_id, key_id);
	len = (int)(n - 42 - VR_TUN_HDR_LEN);
	memcpy(rtp, udp + 8 + VR_TUN_HDR_LEN, (size_t)len);
	cr_assert_eq(srtp_unprotect(s, rtp, &len), srtp_err_status_ok, "SBC cannot decrypt it");
	return len;
}

static inline int
open_sbc_frame(const uint8_t *out, size_t n, const char *dst, uint16_t dport, uint8_t key_id,
	srtp_t s, uint8_t *rtp)
{
	return open_sbc_frame_ch(out, n, dst, dport, key_id, CHAN, s, rtp);
}

static inline uint64_t
sbc_drops(uint32_t id, enum vr_drop_reason r)
{
	uint32_t row = dp.sbc[id]->row;
	uint64_t sum = 0;

	for (unsigned int l = 0; l <= dp.n_workers; l++)
		sum += vr_dp_sbc_ctr(&dp, l, row)->drops[r];
	return sum;
}

/*
 * A hello from the SBC at 203.0.113.50:sport, protected with hup (sequence
 * seq), saying hello (its TLVs), into hf; returns its length.
 */
static inline size_t
hello_frame(uint8_t *hf, srtp_t hup, uint16_t seq, const struct vr_tun_hello *hello,
	uint16_t sport)
{
	uint8_t pl[512];
	int len, tl;

	build_rtp(pl + VR_TUN_HDR_LEN, seq, 0, 0x5bc, 0, 0);
	tl = vr_tun_hello_build(hello, pl + VR_TUN_HDR_LEN + 12, 128);
	cr_assert_gt(tl, 0);
	len = 12 + tl;
	cr_assert_eq(srtp_protect(hup, pl + VR_TUN_HDR_LEN, &len), srtp_err_status_ok);
	vr_tun_write(pl, VR_TUN_HELLO, 1, SBC, VR_TUN_CHANNEL_SBC, 0);
	return build_udp(hf, our_mac, gw_mac, "203.0.113.50", sport, "198.51.100.10", TPORT, pl,
		VR_TUN_HDR_LEN + (size_t)len);
}

/* The relay's answer in out[0..n), decrypted with hdown into ans. */
static inline void
hello_answer(const uint8_t *out, size_t n, srtp_t hdown, struct vr_tun_hello *ans)
{
	uint8_t rtp[512];
	struct vr_tun_hdr h;
	int len;

	cr_assert_gt(n, 42 + VR_TUN_HDR_LEN, "no answer to the hello");
	cr_assert_eq(ref_udp_cksum(out + 14), (uint16_t)(out[40] << 8 | out[41]));
	cr_assert_eq(vr_tun_parse(out + 42, n - 42, &h), VR_TUN_OK);
	cr_assert_eq(h.type, VR_TUN_HELLO_ACK);
	cr_assert_eq(h.epoch, dp.boot_epoch, "the answer is not under this boot's epoch");
	len = (int)(n - 42 - VR_TUN_HDR_LEN);
	memcpy(rtp, out + 42 + VR_TUN_HDR_LEN, (size_t)len);
	cr_assert_eq(srtp_unprotect(hdown, rtp, &len), srtp_err_status_ok);
	cr_assert_eq(vr_tun_hello_parse(rtp + 12, (size_t)len - 12, ans), 0);
	cr_assert(strncmp(ans->version, "voxrelay-dp", 11) == 0, "answer says '%s'", ans->version);
	cr_assert(ans->has_nonce, "the answer carries no challenge");
}

#endif /* VR_TEST_TUN_HARNESS_H */
