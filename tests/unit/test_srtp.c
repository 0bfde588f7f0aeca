/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel's SRTP sessions (dataplane/srtp.c) against libsrtp: suites,
 * per-stream keys bound to SBC channel and direction, authentication,
 * replay, and libsrtp's published AES_CM_128_HMAC_SHA1_80 test vector.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <srtp2/srtp.h>

#include "dataplane/srtp.h"

/* libsrtp's validation vector (srtp_driver.c, srtp_validate). */
static const uint8_t kat_master[30] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41,
	0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};
static const uint8_t kat_plain[28] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
};
static const uint8_t kat_cipher[38] = {
	0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e,
	0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d,
	0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb,
};

static void
setup(void)
{
	cr_assert_eq(vr_srtp_init(), 0);
}

static struct vr_srtp_key
key(enum vr_srtp_suite suite, uint8_t fill)
{
	struct vr_srtp_key k = { .suite = (uint8_t)suite, .id = 1 };

	for (size_t i = 0; i < sizeof(k.master); i++)
		k.master[i] = (uint8_t)(fill + i * 7);
	return k;
}

/* A 20 ms G.711 RTP packet; returns its length. buf has room for the tag. */
static int
rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc)
{
	buf[0] = 0x80;
	buf[1] = 8;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	memset(buf + 4, 0, 4);
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
	for (int i = 0; i < 160; i++)
		buf[12 + i] = (uint8_t)(i ^ seq);
	return 172;
}

TestSuite(srtp, .init = setup);

Test(srtp, suites)
{
	cr_assert_eq(vr_srtp_suite_parse("AES_CM_128_HMAC_SHA1_80"), VR_SRTP_AES_CM_128_HMAC_SHA1_80);
	cr_assert_eq(vr_srtp_suite_parse("AEAD_AES_128_GCM"), VR_SRTP_AEAD_AES_128_GCM);
	cr_assert_eq(vr_srtp_suite_parse("AES_CM_128_HMAC_SHA1_32"), 0);
	cr_assert_eq(vr_srtp_suite_parse("aead_aes_128_gcm"), 0);
	cr_assert_eq(vr_srtp_suite_parse(NULL), 0);
	cr_assert_str_eq(vr_srtp_suite_name(VR_SRTP_AEAD_AES_128_GCM), "AEAD_AES_128_GCM");
	cr_assert_null(vr_srtp_suite_name(0));
	cr_assert_eq(vr_srtp_master_len(VR_SRTP_AES_CM_128_HMAC_SHA1_80), 30);
	cr_assert_eq(vr_srtp_master_len(VR_SRTP_AEAD_AES_128_GCM), 28);
	cr_assert_eq(vr_srtp_master_len(0), 0);
	cr_assert_eq(vr_srtp_tag_len(VR_SRTP_AES_CM_128_HMAC_SHA1_80), 10);
	cr_assert_eq(vr_srtp_tag_len(VR_SRTP_AEAD_AES_128_GCM), 16);
}

Test(srtp, unknown_suite_refused)
{
	struct vr_srtp_key k = key(0, 1);

	cr_assert_null(vr_srtp_stream_new(&k, VR_TUN_UP, 1, 1, 1));
}

/*
 * The published vector through our session: its master salt, pre-tweaked
 * for (down, channel 77, an epoch), comes out of the tweak as the vector's own.
 */
Test(srtp, known_answer)
{
	struct vr_srtp_key k = { .suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80 };
	uint8_t buf[64];
	int len = sizeof(kat_plain);
	srtp_t tx, rx;

	memcpy(k.master, kat_master, sizeof(kat_master));
	vr_tun_salt_tweak(k.master + 16, 14, VR_TUN_DOWN, 77, 0x123456789abcull);
	tx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 77, 0x123456789abcull, 0);
	rx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 77, 0x123456789abcull, 1);
	cr_assert_not_null(tx);
	cr_assert_not_null(rx);
	memcpy(buf, kat_plain, sizeof(kat_plain));
	cr_assert_eq(srtp_protect(tx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, sizeof(kat_cipher));
	cr_assert_arr_eq(buf, kat_cipher, sizeof(kat_cipher));
	cr_assert_eq(srtp_unprotect(rx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, sizeof(kat_plain));
	cr_assert_arr_eq(buf, kat_plain, sizeof(kat_plain));
	vr_srtp_stream_free(tx);
	vr_srtp_stream_free(rx);
}

/*
 * An SBC that is not voxrelay needs only libsrtp and the tweak: a plain
 * libsrtp session keyed with the tweaked salt talks to ours.
 */
Test(srtp, plain_libsrtp_interop)
{
	struct vr_srtp_key k = key(VR_SRTP_AES_CM_128_HMAC_SHA1_80, 3);
	uint8_t master[30], buf[256], ref[256];
	srtp_policy_t pol;
	srtp_t sbc, rx;
	int len;

	memcpy(master, k.master, sizeof(master));
	vr_tun_salt_tweak(master + 16, 14, VR_TUN_UP, 4242, 0xfedcba987654ull);
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_any_outbound;
	pol.key = master;
	cr_assert_eq(srtp_create(&sbc, &pol), srtp_err_status_ok);
	rx = vr_srtp_stream_new(&k, VR_TUN_UP, 4242, 0xfedcba987654ull, 1);
	cr_assert_not_null(rx);
	len = rtp(buf, 1, 0x1234);
	memcpy(ref, buf, (size_t)len);
	cr_assert_eq(srtp_protect(sbc, buf, &len), srtp_err_status_ok);
	cr_assert_eq(srtp_unprotect(rx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, 172);
	cr_assert_arr_eq(buf, ref, 172);
	srtp_dealloc(sbc);
	vr_srtp_stream_free(rx);
}

/*
 * Protects one packet with (dir, ch, ep) of k; returns the status of
 * unprotecting it with (dir2, ch2, ep2) of k2.
 */
static srtp_err_status_t
cross_ep(const struct vr_srtp_key *k, enum vr_tun_dir dir, uint32_t ch, uint64_t ep,
	const struct vr_srtp_key *k2, enum vr_tun_dir dir2, uint32_t ch2, uint64_t ep2)
{
	uint8_t buf[256], ref[256];
	srtp_t tx = vr_srtp_stream_new(k, dir, ch, ep, 0);
	srtp_t rx = vr_srtp_stream_new(k2, dir2, ch2, ep2, 1);
	srtp_err_status_t st;
	int len = rtp(buf, 100, 0xcafe);

	cr_assert_not_null(tx);
	cr_assert_not_null(rx);
	memcpy(ref, buf, (size_t)len);
	cr_assert_eq(srtp_protect(tx, buf, &len), srtp_err_status_ok);
	cr_assert_eq(len, 172 + (int)vr_srtp_tag_len(k->suite));
	/* The payload is encrypted, the header is not. */
	cr_assert_arr_eq(buf, ref, 12);
	cr_assert(memcmp(buf + 12, ref + 12, 160) != 0);
	st = srtp_unprotect(rx, buf, &len);
	if (st == srtp_err_status_ok) {
		cr_assert_eq(len, 172);
		cr_assert_arr_eq(buf, ref, 172);
	}
	vr_srtp_stream_free(tx);
	vr_srtp_stream_free(rx);
	return st;
}

/* cross_ep with one epoch on both sides. */
static srtp_err_status_t
cross(const struct vr_srtp_key *k, enum vr_tun_dir dir, uint32_t ch, const struct vr_srtp_key *k2,
	enum vr_tun_dir dir2, uint32_t ch2)
{
	return cross_ep(k, dir, ch, 5, k2, dir2, ch2, 5);
}

static void
binding(enum vr_srtp_suite s)
{
	struct vr_srtp_key k = key(s, 1), other = key(s, 2);

	cr_assert_eq(cross(&k, VR_TUN_UP, 7, &k, VR_TUN_UP, 7), srtp_err_status_ok);
	cr_assert_eq(cross(&k, VR_TUN_DOWN, 7, &k, VR_TUN_DOWN, 7), srtp_err_status_ok);
	/* Another channel, another direction, another key: the tag does not verify. */
	cr_assert_eq(cross(&k, VR_TUN_UP, 7, &k, VR_TUN_UP, 8), srtp_err_status_auth_fail);
	cr_assert_eq(cross(&k, VR_TUN_UP, 7, &k, VR_TUN_DOWN, 7), srtp_err_status_auth_fail);
	cr_assert_eq(cross(&k, VR_TUN_UP, 7, &other, VR_TUN_UP, 7), srtp_err_status_auth_fail);
	cr_assert_eq(cross(&k, VR_TUN_UP, 0, &k, VR_TUN_UP, 1u << 31), srtp_err_status_auth_fail);
	/* Another epoch (another call on the channel, another boot): neither. */
	cr_assert_eq(cross_ep(&k, VR_TUN_UP, 7, 1, &k, VR_TUN_UP, 7, 1), srtp_err_status_ok);
	cr_assert_eq(cross_ep(&k, VR_TUN_UP, 7, 1, &k, VR_TUN_UP, 7, 2), srtp_err_status_auth_fail);
	cr_assert_eq(cross_ep(&k, VR_TUN_UP, 7, 1ull << 47, &k, VR_TUN_UP, 7, 0),
		srtp_err_status_auth_fail);
	cr_assert_eq(cross_ep(&k, VR_TUN_UP, 7, 1ull << 32, &k, VR_TUN_UP, 7, 1ull << 33),
		srtp_err_status_auth_fail);
}

Test(srtp, binding_aes_cm)
{
	binding(VR_SRTP_AES_CM_128_HMAC_SHA1_80);
}

Test(srtp, binding_gcm)
{
	binding(VR_SRTP_AEAD_AES_128_GCM);
}

static void
tamper_and_replay(enum vr_srtp_suite s)
{
	struct vr_srtp_key k = key(s, 9);
	srtp_t tx = vr_srtp_stream_new(&k, VR_TUN_UP, 3, 9, 0);
	srtp_t rx = vr_srtp_stream_new(&k, VR_TUN_UP, 3, 9, 1);
	uint8_t a[256], b[256];
	int len, lb;

	cr_assert_not_null(tx);
	cr_assert_not_null(rx);
	/* Tampered: one payload bit, then the sequence number. */
	len = rtp(a, 10, 5);
	cr_assert_eq(srtp_protect(tx, a, &len), srtp_err_status_ok);
	memcpy(b, a, (size_t)len);
	lb = len;
	a[40] ^= 1;
	cr_assert_eq(srtp_unprotect(rx, a, &len), srtp_err_status_auth_fail);
	b[3] ^= 1;
	cr_assert_eq(srtp_unprotect(rx, b, &lb), srtp_err_status_auth_fail);
	/* Good, then replayed. */
	len = rtp(a, 11, 5);
	cr_assert_eq(srtp_protect(tx, a, &len), srtp_err_status_ok);
	memcpy(b, a, (size_t)len);
	lb = len;
	cr_assert_eq(srtp_unprotect(rx, a, &len), srtp_err_status_ok);
	cr_assert_eq(srtp_unprotect(rx, b, &lb), srtp_err_status_replay_fail);
	/* Late but new is fine (reordering), inside the window. */
	len = rtp(a, 13, 5);
	cr_assert_eq(srtp_protect(tx, a, &len), srtp_err_status_ok);
	lb = rtp(b, 12, 5);
	cr_assert_eq(srtp_protect(tx, b, &lb), srtp_err_status_ok);
	cr_assert_eq(srtp_unprotect(rx, a, &len), srtp_err_status_ok);
	cr_assert_eq(srtp_unprotect(rx, b, &lb), srtp_err_status_ok);
	vr_srtp_stream_free(tx);
	vr_srtp_stream_free(rx);
}

Test(srtp, tamper_and_replay_aes_cm)
{
	tamper_and_replay(VR_SRTP_AES_CM_128_HMAC_SHA1_80);
}

Test(srtp, tamper_and_replay_gcm)
{
	tamper_and_replay(VR_SRTP_AEAD_AES_128_GCM);
}

/* Sequence numbers wrap (16 bits) without losing a packet: the rollover counter. */
Test(srtp, sequence_rollover)
{
	struct vr_srtp_key k = key(VR_SRTP_AEAD_AES_128_GCM, 4);
	srtp_t tx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 12, 4, 0);
	srtp_t rx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 12, 4, 1);
	uint8_t a[256];
	int len;

	for (uint32_t i = 65530; i < 65545; i++) {
		len = rtp(a, (uint16_t)i, 77);
		cr_assert_eq(srtp_protect(tx, a, &len), srtp_err_status_ok);
		cr_assert_eq(srtp_unprotect(rx, a, &len), srtp_err_status_ok, "seq %u", i);
	}
	vr_srtp_stream_free(tx);
	vr_srtp_stream_free(rx);
}

/* Sending, an index already sent under an SSRC is refused: no IV twice. */
Test(srtp, repeat_refused_sending)
{
	struct vr_srtp_key k = key(VR_SRTP_AEAD_AES_128_GCM, 6);
	srtp_t tx = vr_srtp_stream_new(&k, VR_TUN_DOWN, 2, 3, 0);
	uint8_t a[256];
	int len;

	cr_assert_not_null(tx);
	len = rtp(a, 500, 77);
	cr_assert_eq(srtp_protect(tx, a, &len), srtp_err_status_ok);
	len = rtp(a, 500, 77);
	a[40] ^= 0x55; /* other audio, same SSRC and sequence number */
	cr_assert_neq(srtp_protect(tx, a, &len), srtp_err_status_ok);
	/* Another SSRC may use that sequence number: its IV differs. */
	len = rtp(a, 500, 78);
	cr_assert_eq(srtp_protect(tx, a, &len), srtp_err_status_ok);
	vr_srtp_stream_free(tx);
}

/* A leg's SSRCs are bounded, and none is forgotten while the keys live. */
Test(srtp, ssrc_admit_bounded)
{
	struct vr_srtp_ssrcs set = { .n = 0 };
	uint32_t i;

	for (i = 0; i < VR_SRTP_SSRC_MAX; i++) {
		cr_assert_eq(vr_srtp_ssrc_admit(&set, 100 + i, 0), 1);
		cr_assert_eq(set.n, i, "checking does not add");
		cr_assert_eq(vr_srtp_ssrc_admit(&set, 100 + i, 1), 1);
	}
	cr_assert_eq(vr_srtp_ssrc_admit(&set, 999, 1), 0);
	cr_assert_eq(vr_srtp_ssrc_admit(&set, 999, 0), 0);
	for (i = 0; i < VR_SRTP_SSRC_MAX; i++)
		cr_assert_eq(vr_srtp_ssrc_admit(&set, 100 + i, 1), 1, "SSRC %u kept", 100 + i);
	cr_assert_eq(set.n, VR_SRTP_SSRC_MAX);
}
