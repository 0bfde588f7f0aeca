/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev SRTP engine (dataplane/csrtp.c) on a real EAL with the
 * software ipsec-mb device, checked against the published vectors (RFC 3711
 * B.3 key derivation, RFC 7714 16.1.1 AEAD_AES_128_GCM, libsrtp's
 * AES_CM_128_HMAC_SHA1_80) and packet for packet against libsrtp (the
 * reference engine, dataplane/srtp.c): every packet one engine protects, the
 * other unprotects, both ways, for both suites, across the 16-bit sequence
 * rollover and out of order; replays and tampered tags refused. GCM's RTP
 * takes the device's CPU-crypto entry on ipsec-mb (suite csrtp): the GCM
 * tests run again with it turned off (suite csrtp_queue), through the queue
 * pair as on a device without it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <rte_eal.h>
#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_mbuf.h>

#include "dataplane/csrtp.h"

/* The epoch every stream here is keyed under (any will do: both engines take it). */
#define EP 0x5eed0000cafeull

static struct vr_csrtp_dev dev;
static struct rte_mempool *mp;

static void
setup(void)
{
	char prefix[32];
	char *argv[] = { "test", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--file-prefix", prefix, "--log-level", "*:warning", NULL };
	int rc;

	snprintf(prefix, sizeof(prefix), "vrcs%d", getpid());
	cr_assert_geq(rte_eal_init(12, argv), 0, "EAL init failed");
	cr_assert_eq(vr_srtp_init(), 0);
	rc = vr_csrtp_dev_init(&dev, "crypto_aesni_mb", 2, 64, 0);
	cr_assert_eq(rc, 0, "no ipsec-mb crypto device: %d", rc);
	mp = rte_pktmbuf_pool_create("t_mbufs", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	cr_assert_not_null(mp);
}

static void
teardown(void)
{
	vr_csrtp_dev_fini(&dev);
	rte_eal_cleanup();
}

static void
setup_queue(void)
{
	setup();
	cr_assert(dev.cpu_gcm, "crypto_aesni_mb offers no CPU crypto: nothing to turn off");
	dev.cpu_gcm = 0;
}

TestSuite(csrtp, .init = setup, .fini = teardown);
TestSuite(csrtp_queue, .init = setup_queue, .fini = teardown);

/* A GCM test body run both ways: CPU crypto (csrtp) and the queue pair (csrtp_queue). */
#define GCM_BOTH(name)                                                         \
	static void name##_body(void);                                         \
	Test(csrtp, name) { name##_body(); }                                  \
	Test(csrtp_queue, name) { name##_body(); }                            \
	static void name##_body(void)

static struct vr_srtp_key
key(enum vr_srtp_suite suite, uint8_t fill)
{
	struct vr_srtp_key k = { .suite = (uint8_t)suite, .id = 0 };

	for (size_t i = 0; i < sizeof(k.master); i++)
		k.master[i] = (uint8_t)(fill + i * 11);
	return k;
}

/* A 172-byte RTP packet (seq, ssrc) in buf; returns its length. */
static int
rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc)
{
	buf[0] = 0x80;
	buf[1] = 8;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[4] = 0;
	buf[5] = 1;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
	for (int i = 0; i < 160; i++)
		buf[12 + i] = (uint8_t)(i * 3 + seq);
	return 172;
}

/* An mbuf holding buf[0..len) at offset 42 (behind room for headers). */
static struct rte_mbuf *
mb(const uint8_t *buf, int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	cr_assert_not_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(42 + len));
	cr_assert_not_null(p);
	memset(p, 0xee, 42);
	memcpy(p + 42, buf, (size_t)len);
	return m;
}

/* Runs one packet through the engine; returns its status and copies the result. */
static int
one(struct vr_csrtp_stream *s, uint8_t *buf, int *len, int outbound)
{
	struct rte_mbuf *m = mb(buf, *len);
	uint16_t off = 42;
	uint8_t st;

	if (outbound)
		vr_csrtp_protect(&dev, 0, &m, &off, &s, &st, 1);
	else
		vr_csrtp_unprotect(&dev, 0, &m, &off, &s, &st, 1);
	if (st == VR_CSRTP_OK) {
		*len = (int)m->data_len - 42;
		memcpy(buf, rte_pktmbuf_mtod_offset(m, uint8_t *, 42), (size_t)*len);
		cr_assert_eq(memcmp(rte_pktmbuf_mtod(m, uint8_t *), "\xee\xee\xee\xee", 4), 0,
			"bytes in front of the packet changed");
	}
	rte_pktmbuf_free(m);
	return st;
}

/* Hex string to bytes; returns the length. */
static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] != '\0' && h[1] != '\0'; h += 2) {
		unsigned int v;

		cr_assert_eq(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* RFC 3711 appendix B.3: the session keys of a master key, key derivation rate 0. */
Test(csrtp, rfc3711_key_derivation)
{
	uint8_t key[16], salt[14], out[32], want[32];
	size_t n;

	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", key);
	unhex("0EC675AD498AFEEBB6960B3AABE6", salt);
	cr_assert_eq(vr_csrtp_derive(&dev, key, salt, 0, out, 16), 0);
	n = unhex("C61E7A93744F39EE10734AFE3FF7A087", want);
	cr_assert_arr_eq(out, want, n, "cipher key");
	cr_assert_eq(vr_csrtp_derive(&dev, key, salt, 2, out, 14), 0);
	n = unhex("30CBBC08863D8C85D49DB34A9AE1", want);
	cr_assert_arr_eq(out, want, n, "cipher salt");
	cr_assert_eq(vr_csrtp_derive(&dev, key, salt, 1, out, 20), 0);
	n = unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want);
	cr_assert_arr_eq(out, want, n, "auth key");
}

/* RFC 7714 16.1.1: AEAD_AES_128_GCM with the published session key and salt. */
GCM_BOTH(rfc7714_gcm_vector)
{
	uint8_t key[16], salt[12], plain[64], srtp[80], buf[128];
	struct vr_csrtp_stream tx, rx;
	size_t pn, sn;
	int len;

	unhex("000102030405060708090a0b0c0d0e0f", key);
	unhex("517569642070726f2071756f", salt);
	pn = unhex("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e6973206469766973"
		"6120696e207061727465732074726573", plain);
	sn = unhex("8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e"
		"6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce", srtp);
	cr_assert_eq(vr_csrtp_stream_init_keys(&dev, &tx, VR_SRTP_AEAD_AES_128_GCM, key, NULL, salt,
		1), 0);
	cr_assert_eq(vr_csrtp_stream_init_keys(&dev, &rx, VR_SRTP_AEAD_AES_128_GCM, key, NULL, salt,
		0), 0);
	memcpy(buf, plain, pn);
	len = (int)pn;
	cr_assert_eq(one(&tx, buf, &len, 1), VR_CSRTP_OK);
	cr_assert_eq((size_t)len, sn);
	cr_assert_arr_eq(buf, srtp, sn, "the cryptodev engine differs from RFC 7714 16.1.1");
	memcpy(buf, srtp, sn);
	len = (int)sn;
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_OK);
	cr_assert_eq((size_t)len, pn);
	cr_assert_arr_eq(buf, plain, pn);
	vr_csrtp_stream_fini(&dev, &tx);
	vr_csrtp_stream_fini(&dev, &rx);
}

/* libsrtp's validation vector (srtp_driver.c), as in tests/unit/test_srtp.c. */
Test(csrtp, libsrtp_known_answer)
{
	static const uint8_t master[30] = {
		0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde,
		0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a,
		0xab, 0xe6,
	};
	static const uint8_t plain[28] = {
		0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab,
		0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	};
	static const uint8_t cipher[38] = {
		0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e,
		0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d,
		0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
	};
	struct vr_srtp_key k = { .suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80 };
	struct vr_csrtp_stream tx, rx;
	uint8_t buf[128];
	int len = sizeof(plain);

	memcpy(k.master, master, sizeof(master));
	vr_tun_salt_tweak(k.master + 16, 14, VR_TUN_DOWN, 77, EP);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &tx, &k, VR_TUN_DOWN, 77, EP, 1), 0);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &rx, &k, VR_TUN_DOWN, 77, EP, 0), 0);
	memcpy(buf, plain, sizeof(plain));
	cr_assert_eq(one(&tx, buf, &len, 1), VR_CSRTP_OK);
	cr_assert_eq(len, sizeof(cipher));
	cr_assert_arr_eq(buf, cipher, sizeof(cipher), "the cryptodev engine differs from the vector");
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_OK);
	cr_assert_arr_eq(buf, plain, sizeof(plain));
	vr_csrtp_stream_fini(&dev, &tx);
	vr_csrtp_stream_fini(&dev, &rx);
}

/*
 * n packets from seq0 on: protected by one engine, unprotected by the other,
 * compared with what was sent. cdev_sends picks which engine protects.
 */
static void
cross(enum vr_srtp_suite suite, int cdev_sends, uint16_t seq0, unsigned int n)
{
	struct vr_srtp_key k = key(suite, 5);
	struct vr_csrtp_stream cs;
	uint8_t buf[256], ref[256];
	srtp_t ls;

	ls = vr_srtp_stream_new(&k, VR_TUN_UP, 9, EP, cdev_sends ? 1 : 0);
	cr_assert_not_null(ls);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &cs, &k, VR_TUN_UP, 9, EP, cdev_sends), 0);
	for (unsigned int i = 0; i < n; i++) {
		uint16_t seq = (uint16_t)(seq0 + i);
		int len = rtp(buf, seq, 0x1234);

		memcpy(ref, buf, (size_t)len);
		if (cdev_sends) {
			cr_assert_eq(one(&cs, buf, &len, 1), VR_CSRTP_OK, "seq %u", seq);
			cr_assert_eq(srtp_unprotect(ls, buf, &len), srtp_err_status_ok,
				"libsrtp refused the cryptodev's packet seq %u", seq);
		} else {
			cr_assert_eq(srtp_protect(ls, buf, &len), srtp_err_status_ok);
			cr_assert_eq(one(&cs, buf, &len, 0), VR_CSRTP_OK,
				"the cryptodev refused libsrtp's packet seq %u", seq);
		}
		cr_assert_eq(len, 172);
		cr_assert_arr_eq(buf, ref, 172, "seq %u differs", seq);
	}
	vr_srtp_stream_free(ls);
	vr_csrtp_stream_fini(&dev, &cs);
}

Test(csrtp, cross_aes_cm_over_rollover)
{
	cross(VR_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 65500, 80);
	cross(VR_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 65500, 80);
}

GCM_BOTH(cross_gcm_over_rollover)
{
	cross(VR_SRTP_AEAD_AES_128_GCM, 1, 65500, 80);
	cross(VR_SRTP_AEAD_AES_128_GCM, 0, 65500, 80);
}

static void
replay_reorder_tamper(enum vr_srtp_suite suite)
{
	struct vr_srtp_key k = key(suite, 7);
	struct vr_csrtp_stream rx;
	uint8_t pk[8][256], buf[256];
	int pl[8], len;
	srtp_t tx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 3, EP, 0);

	cr_assert_not_null(tx);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &rx, &k, VR_TUN_DOWN, 3, EP, 0), 0);
	for (int i = 0; i < 8; i++) {
		pl[i] = rtp(pk[i], (uint16_t)(100 + i), 0xabcd);
		cr_assert_eq(srtp_protect(tx, pk[i], &pl[i]), srtp_err_status_ok);
	}
	/* In order, then late but new, then a replay. */
	for (int i = 0; i < 3; i++) {
		len = pl[i];
		memcpy(buf, pk[i], (size_t)len);
		cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_OK);
	}
	len = pl[5];
	memcpy(buf, pk[5], (size_t)len);
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_OK);
	len = pl[4];
	memcpy(buf, pk[4], (size_t)len);
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_OK, "a late packet was refused");
	len = pl[4];
	memcpy(buf, pk[4], (size_t)len);
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_REPLAY, "a replay was accepted");
	/* Tampered payload and tampered tag: refused, and the index stays free. */
	len = pl[6];
	memcpy(buf, pk[6], (size_t)len);
	buf[40] ^= 1;
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_AUTH);
	len = pl[6];
	memcpy(buf, pk[6], (size_t)len);
	buf[len - 1] ^= 0x80;
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_AUTH);
	len = pl[6];
	memcpy(buf, pk[6], (size_t)len);
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_OK);
	/* Not RTP. */
	len = pl[7];
	memcpy(buf, pk[7], (size_t)len);
	buf[0] = 0x40;
	cr_assert_eq(one(&rx, buf, &len, 0), VR_CSRTP_BAD);
	vr_srtp_stream_free(tx);
	vr_csrtp_stream_fini(&dev, &rx);
}

Test(csrtp, replay_reorder_tamper_aes_cm)
{
	replay_reorder_tamper(VR_SRTP_AES_CM_128_HMAC_SHA1_80);
}

GCM_BOTH(replay_reorder_tamper_gcm)
{
	replay_reorder_tamper(VR_SRTP_AEAD_AES_128_GCM);
}

/* A burst of packets of several streams in one call. */
GCM_BOTH(burst_of_streams)
{
	struct vr_srtp_key k = key(VR_SRTP_AEAD_AES_128_GCM, 1);
	struct vr_csrtp_stream cs[4], *sp[32];
	struct rte_mbuf *m[32];
	uint16_t off[32];
	uint8_t st[32], buf[256];
	srtp_t ls[4];
	int len;

	for (int c = 0; c < 4; c++) {
		cr_assert_eq(vr_csrtp_stream_init(&dev, &cs[c], &k, VR_TUN_UP, (uint32_t)c + 1, EP, 1), 0);
		ls[c] = vr_srtp_stream_new(&k, VR_TUN_UP, (uint32_t)c + 1, EP, 1);
	}
	for (int i = 0; i < 32; i++) {
		len = rtp(buf, (uint16_t)(i / 4), 0x100u + (uint32_t)(i % 4));
		m[i] = mb(buf, len);
		off[i] = 42;
		sp[i] = &cs[i % 4];
	}
	vr_csrtp_protect(&dev, 0, m, off, sp, st, 32);
	for (int i = 0; i < 32; i++) {
		cr_assert_eq(st[i], VR_CSRTP_OK, "packet %d", i);
		len = (int)m[i]->data_len - 42;
		memcpy(buf, rte_pktmbuf_mtod_offset(m[i], uint8_t *, 42), (size_t)len);
		cr_assert_eq(srtp_unprotect(ls[i % 4], buf, &len), srtp_err_status_ok, "packet %d", i);
		rte_pktmbuf_free(m[i]);
	}
	for (int c = 0; c < 4; c++) {
		vr_srtp_stream_free(ls[c]);
		vr_csrtp_stream_fini(&dev, &cs[c]);
	}
}

/* An RTCP sender report of 48 bytes from ssrc, its body marked with n. */
static int
rtcp(uint8_t *buf, uint32_t ssrc, uint8_t n)
{
	buf[0] = 0x80;
	buf[1] = 200;
	buf[2] = 0;
	buf[3] = 11; /* 12 words in all */
	buf[4] = (uint8_t)(ssrc >> 24);
	buf[5] = (uint8_t)(ssrc >> 16);
	buf[6] = (uint8_t)(ssrc >> 8);
	buf[7] = (uint8_t)ssrc;
	for (int i = 8; i < 48; i++)
		buf[i] = (uint8_t)(i * 5 + n);
	return 48;
}

/* One RTCP packet through the engine. */
static int
one_rtcp(struct vr_csrtp_stream *s, uint8_t *buf, int *len, int outbound)
{
	struct rte_mbuf *m = mb(buf, *len);
	uint16_t off = 42;
	const uint8_t is_rtcp = 1;
	uint8_t st;

	if (outbound)
		vr_csrtp_protect_mixed(&dev, 0, &m, &off, &s, &is_rtcp, &st, 1);
	else
		vr_csrtp_unprotect_mixed(&dev, 0, &m, &off, &s, &is_rtcp, &st, 1);
	if (st == VR_CSRTP_OK) {
		*len = (int)m->data_len - 42;
		memcpy(buf, rte_pktmbuf_mtod_offset(m, uint8_t *, 42), (size_t)*len);
	}
	rte_pktmbuf_free(m);
	return st;
}

/* SRTCP both ways against libsrtp, then a replay and a tampered packet refused. */
static void
cross_rtcp(enum vr_srtp_suite suite)
{
	struct vr_srtp_key k = key(suite, 21);
	struct vr_csrtp_stream ctx, crx;
	uint8_t buf[256], ref[256], keep[256];
	srtp_t ltx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 5, EP, 0);
	srtp_t lrx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 5, EP, 1);
	int len, klen = 0;

	cr_assert_not_null(ltx);
	cr_assert_not_null(lrx);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &ctx, &k, VR_TUN_DOWN, 5, EP, 1), 0);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &crx, &k, VR_TUN_DOWN, 5, EP, 0), 0);
	for (uint8_t i = 0; i < 5; i++) {
		/* cryptodev protects, libsrtp unprotects */
		len = rtcp(buf, 0x4d617273, i);
		memcpy(ref, buf, (size_t)len);
		cr_assert_eq(one_rtcp(&ctx, buf, &len, 1), VR_CSRTP_OK);
		cr_assert_eq(srtp_unprotect_rtcp(lrx, buf, &len), srtp_err_status_ok,
			"libsrtp refused the cryptodev's SRTCP %u", i);
		cr_assert_eq(len, 48);
		cr_assert_arr_eq(buf, ref, 48);
		/* libsrtp protects, cryptodev unprotects */
		len = rtcp(buf, 0x4d617274, (uint8_t)(i + 100));
		memcpy(ref, buf, (size_t)len);
		cr_assert_eq(srtp_protect_rtcp(ltx, buf, &len), srtp_err_status_ok);
		memcpy(keep, buf, (size_t)len);
		klen = len;
		cr_assert_eq(one_rtcp(&crx, buf, &len, 0), VR_CSRTP_OK,
			"the cryptodev refused libsrtp's SRTCP %u", i);
		cr_assert_eq(len, 48);
		cr_assert_arr_eq(buf, ref, 48);
	}
	len = klen;
	memcpy(buf, keep, (size_t)len);
	cr_assert_eq(one_rtcp(&crx, buf, &len, 0), VR_CSRTP_REPLAY, "an SRTCP replay was accepted");
	len = rtcp(buf, 0x4d617274, 200);
	cr_assert_eq(srtp_protect_rtcp(ltx, buf, &len), srtp_err_status_ok);
	buf[20] ^= 4;
	cr_assert_eq(one_rtcp(&crx, buf, &len, 0), VR_CSRTP_AUTH, "a tampered SRTCP was accepted");
	vr_srtp_stream_free(ltx);
	vr_srtp_stream_free(lrx);
	vr_csrtp_stream_fini(&dev, &ctx);
	vr_csrtp_stream_fini(&dev, &crx);
}

Test(csrtp, srtcp_aes_cm)
{
	cross_rtcp(VR_SRTP_AES_CM_128_HMAC_SHA1_80);
}

Test(csrtp, srtcp_gcm)
{
	cross_rtcp(VR_SRTP_AEAD_AES_128_GCM);
}

/*
 * One burst of GCM RTP (CPU crypto), GCM RTCP and AES-CM RTP (the queue
 * pair) interleaved: every packet comes back right, through the engine both
 * ways, with one packet of each kind tampered and refused alone; only the
 * packets that use the queue pair go through it, and every operation goes
 * back to the pool.
 */
GCM_BOTH(mixed_burst)
{
	struct rte_cryptodev_stats before, after;
	unsigned int pool = rte_mempool_avail_count(dev.op_pool);
	enum vr_srtp_suite su[3] = { VR_SRTP_AEAD_AES_128_GCM, VR_SRTP_AEAD_AES_128_GCM,
		VR_SRTP_AES_CM_128_HMAC_SHA1_80 };
	struct vr_csrtp_stream tx[3], rx[3], *sp[30];
	struct rte_mbuf *m[30];
	uint16_t off[30];
	uint8_t st[30], is_rtcp[30], ref[30][256];
	int len[30];

	for (int c = 0; c < 3; c++) {
		struct vr_srtp_key k = key(su[c], (uint8_t)(40 + c));
		uint32_t ch = 9u + (uint32_t)c;

		cr_assert_eq(vr_csrtp_stream_init(&dev, &tx[c], &k, VR_TUN_DOWN, ch, EP, 1), 0);
		cr_assert_eq(vr_csrtp_stream_init(&dev, &rx[c], &k, VR_TUN_DOWN, ch, EP, 0), 0);
	}
	/* Packet i is of kind i % 3: GCM RTP, GCM RTCP, AES-CM RTP. */
	for (int i = 0; i < 30; i++) {
		int c = i % 3;

		is_rtcp[i] = c == 1;
		len[i] = is_rtcp[i] ? rtcp(ref[i], 0x5eed, (uint8_t)i) :
			rtp(ref[i], (uint16_t)(1000 + i), 0x600u + (uint32_t)c);
		m[i] = mb(ref[i], len[i]);
		off[i] = 42;
		sp[i] = &tx[c];
	}
	cr_assert_eq(rte_cryptodev_stats_get(dev.dev_id, &before), 0);
	vr_csrtp_protect_mixed(&dev, 0, m, off, sp, is_rtcp, st, 30);
	for (int i = 0; i < 30; i++) {
		cr_assert_eq(st[i], VR_CSRTP_OK, "protecting packet %d", i);
		cr_assert_neq(memcmp(rte_pktmbuf_mtod_offset(m[i], uint8_t *, 42 + 12), ref[i] + 12,
			16), 0, "packet %d left in the clear", i);
		sp[i] = &rx[i % 3];
	}
	for (int c = 0; c < 3; c++)
		rte_pktmbuf_mtod_offset(m[c + 3], uint8_t *, 42)[m[c + 3]->data_len - 43] ^= 1;
	vr_csrtp_unprotect_mixed(&dev, 0, m, off, sp, is_rtcp, st, 30);
	cr_assert_eq(rte_cryptodev_stats_get(dev.dev_id, &after), 0);
	/* Both ways: 20 of 30 take the queue (GCM RTCP, AES-CM RTP); without CPU crypto, 30. */
	cr_assert_eq(after.enqueued_count - before.enqueued_count, dev.cpu_gcm ? 40u : 60u,
		"%" PRIu64 " operations through the queue pair",
		after.enqueued_count - before.enqueued_count);
	cr_assert_eq(rte_mempool_avail_count(dev.op_pool), pool, "operations not given back");
	for (int i = 0; i < 30; i++) {
		if (i >= 3 && i < 6) {
			cr_assert_eq(st[i], VR_CSRTP_AUTH, "tampered packet %d accepted", i);
		} else {
			cr_assert_eq(st[i], VR_CSRTP_OK, "unprotecting packet %d", i);
			cr_assert_eq((int)m[i]->data_len - 42, len[i], "packet %d", i);
			cr_assert_arr_eq(rte_pktmbuf_mtod_offset(m[i], uint8_t *, 42), ref[i],
				(size_t)len[i], "packet %d changed", i);
		}
		rte_pktmbuf_free(m[i]);
	}
	for (int c = 0; c < 3; c++) {
		vr_csrtp_stream_fini(&dev, &tx[c]);
		vr_csrtp_stream_fini(&dev, &rx[c]);
	}
}

/*
 * Copies of packets in the same burst as the original: the first passes,
 * the copies are refused as replays (for RTP and SRTCP), whichever way the
 * packets go through the device.
 */
static void
copies_in_one_burst(enum vr_srtp_suite suite)
{
	struct vr_srtp_key k = key(suite, 77);
	struct vr_csrtp_stream tx, rx, *sp[8];
	struct rte_mbuf *m[8];
	uint16_t off[8];
	uint8_t st[8], buf[256];
	/* packets 0..2, then copies of 0 and 1, then SRTCP 5 and its copy */
	const uint8_t is_rtcp[8] = { 0, 0, 0, 0, 0, 1, 1, 0 };
	const uint8_t want[8] = { VR_CSRTP_OK, VR_CSRTP_OK, VR_CSRTP_OK, VR_CSRTP_REPLAY,
		VR_CSRTP_REPLAY, VR_CSRTP_OK, VR_CSRTP_REPLAY, VR_CSRTP_OK };
	uint8_t prot[8][256];
	int plen[8], len;

	cr_assert_eq(vr_csrtp_stream_init(&dev, &tx, &k, VR_TUN_UP, 4, EP, 1), 0);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &rx, &k, VR_TUN_UP, 4, EP, 0), 0);
	/* Protected one at a time: 0, 1, 2, 7 (RTP seq 100 + i) and an SRTCP packet. */
	for (int i = 0; i < 8; i++) {
		if (i == 3 || i == 4 || i == 6)
			continue;
		len = is_rtcp[i] ? rtcp(buf, 0x77, 5) : rtp(buf, (uint16_t)(100 + i), 0x77);
		cr_assert_eq(is_rtcp[i] ? one_rtcp(&tx, buf, &len, 1) : one(&tx, buf, &len, 1),
			VR_CSRTP_OK);
		memcpy(prot[i], buf, (size_t)len);
		plen[i] = len;
	}
	memcpy(prot[3], prot[0], (size_t)plen[0]);
	plen[3] = plen[0];
	memcpy(prot[4], prot[1], (size_t)plen[1]);
	plen[4] = plen[1];
	memcpy(prot[6], prot[5], (size_t)plen[5]);
	plen[6] = plen[5];
	for (int i = 0; i < 8; i++) {
		m[i] = mb(prot[i], plen[i]);
		off[i] = 42;
		sp[i] = &rx;
	}
	vr_csrtp_unprotect_mixed(&dev, 0, m, off, sp, is_rtcp, st, 8);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(st[i], want[i], "packet %d: status %u, want %u", i, st[i], want[i]);
		rte_pktmbuf_free(m[i]);
	}
	vr_csrtp_stream_fini(&dev, &tx);
	vr_csrtp_stream_fini(&dev, &rx);
}

Test(csrtp, copies_in_one_burst_aes_cm)
{
	copies_in_one_burst(VR_SRTP_AES_CM_128_HMAC_SHA1_80);
}

GCM_BOTH(copies_in_one_burst_gcm)
{
	copies_in_one_burst(VR_SRTP_AEAD_AES_128_GCM);
}

/*
 * vr_csrtp_submit and vr_csrtp_poll: 40 packets unprotected in three
 * submissions with polls in between that take a few outcomes at a time, a
 * copy of an earlier packet and a tampered one among them. Packets the
 * device queues come back once each, with their cookie, in the order they
 * were queued (ipsec-mb keeps it); the others are finished at once (GCM's
 * RTP on the CPU-crypto entry), as vr_csrtp_queues said; every outcome is
 * the one a burst would give, and the payloads are the originals.
 */
static void
submit_and_poll(enum vr_srtp_suite suite)
{
	struct vr_srtp_key k = key(suite, 31);
	struct vr_csrtp_stream tx, rx, *sp[42];
	struct rte_mbuf *m[42];
	uint16_t off[42];
	uint32_t cookie[42], back[42];
	uint8_t res[42], fin[42], buf[256], plain[256];
	unsigned int i, j, got, queued = 0, polls, seen = 0, order[42];
	const unsigned int from[3] = { 0, 16, 31 }, to[3] = { 16, 31, 40 };
	int len;

	cr_assert_eq(vr_csrtp_stream_init(&dev, &tx, &k, VR_TUN_UP, 8, EP, 1), 0);
	cr_assert_eq(vr_csrtp_stream_init(&dev, &rx, &k, VR_TUN_UP, 8, EP, 0), 0);
	/* 0..39: seq 500 + i; 40: a copy of 5; 41: seq 541 with its last byte flipped */
	for (i = 0; i < 42; i++) {
		len = rtp(buf, (uint16_t)(500 + i), 0x31);
		if (i != 40)
			cr_assert_eq(one(&tx, buf, &len, 1), VR_CSRTP_OK);
		else
			memcpy(buf, rte_pktmbuf_mtod_offset(m[5], uint8_t *, 42),
				(size_t)(len = (int)m[5]->data_len - 42));
		if (i == 41)
			buf[len - 1] ^= 1;
		m[i] = mb(buf, len);
		off[i] = 42;
		sp[i] = &rx;
		cookie[i] = 1000 + i;
		fin[i] = 0xff;
	}
	/* Submissions: 0..15; 16..30 and the copy of 5; 31..39 and the tampered one. */
	for (j = 0; j < 3; j++) {
		unsigned int n = to[j] - from[j];
		struct rte_mbuf *bm[17];
		struct vr_csrtp_stream *bs[17];
		uint16_t bo[17];
		uint32_t bc[17];
		uint8_t bst[17];
		unsigned int idx[17];

		for (i = 0; i < n; i++)
			idx[i] = from[j] + i;
		if (j > 0)
			idx[n++] = j == 1 ? 40 : 41;
		for (i = 0; i < n; i++) {
			bm[i] = m[idx[i]];
			bs[i] = sp[idx[i]];
			bo[i] = off[idx[i]];
			bc[i] = cookie[idx[i]];
		}
		got = vr_csrtp_submit(&dev, 0, bm, bo, bs, NULL, bc, bst, n, 0);
		cr_assert_eq(got, vr_csrtp_queues(&dev, &rx, 0) ? n : 0);
		for (i = 0; i < n; i++) {
			cr_assert_eq(bst[i] == VR_CSRTP_QUEUED, vr_csrtp_queues(&dev, &rx, 0),
				"packet %u: status %u", idx[i], bst[i]);
			if (bst[i] != VR_CSRTP_QUEUED)
				fin[idx[i]] = bst[i];
			else
				order[queued++] = idx[i];
		}
		/* a few outcomes now, the rest later */
		got = vr_csrtp_poll(&dev, 0, back, res, 3);
		for (i = 0; i < got; i++, seen++) {
			cr_assert_eq(back[i], 1000 + order[seen], "cookie %u, want %u", back[i],
				1000 + order[seen]);
			fin[back[i] - 1000] = res[i];
		}
	}
	for (polls = 0; seen < queued && polls < 1000; polls++) {
		got = vr_csrtp_poll(&dev, 0, back, res, 42);
		for (i = 0; i < got; i++, seen++) {
			cr_assert_eq(back[i], 1000 + order[seen], "cookie %u, want %u", back[i],
				1000 + order[seen]);
			fin[back[i] - 1000] = res[i];
		}
	}
	cr_assert_eq(seen, queued, "%u of %u queued packets came back", seen, queued);
	cr_assert_eq(vr_csrtp_poll(&dev, 0, back, res, 42), 0, "more came back than were queued");
	for (i = 0; i < 42; i++) {
		uint8_t want = i == 40 ? VR_CSRTP_REPLAY : i == 41 ? VR_CSRTP_AUTH : VR_CSRTP_OK;

		cr_assert_eq(fin[i], want, "packet %u: outcome %u, want %u", i, fin[i], want);
		if (want == VR_CSRTP_OK) {
			cr_assert_eq(m[i]->data_len - 42, 172);
			rtp(plain, (uint16_t)(500 + i), 0x31);
			cr_assert_arr_eq(rte_pktmbuf_mtod_offset(m[i], uint8_t *, 42), plain, 172,
				"packet %u decrypted to other bytes", i);
		}
	}
	for (i = 0; i < 42; i++)
		rte_pktmbuf_free(m[i]);
	vr_csrtp_stream_fini(&dev, &tx);
	vr_csrtp_stream_fini(&dev, &rx);
}

Test(csrtp, submit_and_poll_aes_cm)
{
	submit_and_poll(VR_SRTP_AES_CM_128_HMAC_SHA1_80);
}

GCM_BOTH(submit_and_poll_gcm)
{
	submit_and_poll(VR_SRTP_AEAD_AES_128_GCM);
}

/* A device that cannot do the suites is refused; the pick skips it and finds the one that can. */
Test(csrtp, device_capabilities_and_pick)
{
	struct vr_csrtp_dev nul;
	char name[64] = "";

	cr_assert_eq(rte_vdev_init("crypto_null", NULL), 0, "no crypto_null driver");
	cr_assert_eq(vr_csrtp_dev_init(&nul, "crypto_null", 1, 4, 0), -ENOTSUP,
		"crypto_null accepted, but it does no AES");
	cr_assert_eq(vr_csrtp_dev_pick(name, sizeof(name)), 0);
	cr_assert_str_eq(name, "crypto_aesni_mb");
}
