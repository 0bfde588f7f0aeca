/* SPDX-License-Identifier: BSD-3-Clause */
/* The SBC tunnel's wire format (include/voxrelay/tunnel.h): header and hello TLVs. */
#include <arpa/inet.h>
#include <string.h>

#include <criterion/criterion.h>

#include "voxrelay/tunnel.h"

/* A header for (type, sbc, channel) followed by a minimal payload. */
static size_t
msg(uint8_t *buf, enum vr_tun_type type, uint32_t sbc, uint32_t channel)
{
	vr_tun_write(buf, type, 3, sbc, channel, 0x0000a1b2c3d4e5f6ull);
	memset(buf + VR_TUN_HDR_LEN, 0x80, VR_TUN_MIN_PAYLOAD);
	return VR_TUN_HDR_LEN + VR_TUN_MIN_PAYLOAD;
}

Test(tunnel, header_bytes)
{
	uint8_t b[64];
	const uint8_t want[VR_TUN_HDR_LEN] = {
		0xE2, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00, 0x07,
		0x00, 0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6,
	};

	msg(b, VR_TUN_RTP, 258, 65543);
	cr_assert_arr_eq(b, want, sizeof(want));
}

Test(tunnel, round_trip)
{
	uint8_t b[64];
	struct vr_tun_hdr h;
	size_t n = msg(b, VR_TUN_RTCP, 65535, 0xfffffffe);

	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_OK);
	cr_assert_eq(h.version, 2);
	cr_assert_eq(h.epoch, 0x0000a1b2c3d4e5f6ull);
	cr_assert_eq(h.type, VR_TUN_RTCP);
	cr_assert_eq(h.key_id, 3);
	cr_assert_eq(h.flags, 0);
	cr_assert_eq(h.sbc_id, 65535);
	cr_assert_eq(h.channel, 0xfffffffe);

	n = msg(b, VR_TUN_HELLO, 1, VR_TUN_CHANNEL_SBC);
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_OK);
	cr_assert_eq(h.type, VR_TUN_HELLO);
}

Test(tunnel, flags_ignored)
{
	uint8_t b[64];
	struct vr_tun_hdr h;
	size_t n = msg(b, VR_TUN_RTP, 9, 4);

	b[3] = 0xff;
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_OK);
	cr_assert_eq(h.flags, 0xff);
}

Test(tunnel, malformed)
{
	uint8_t b[64];
	struct vr_tun_hdr h;
	size_t n = msg(b, VR_TUN_RTP, 9, 4);

	cr_assert_eq(vr_tun_parse(b, 0, &h), VR_TUN_ERR_SHORT);
	cr_assert_eq(vr_tun_parse(b, VR_TUN_HDR_LEN, &h), VR_TUN_ERR_SHORT);
	cr_assert_eq(vr_tun_parse(b, n - 1, &h), VR_TUN_ERR_SHORT);

	b[0] = 0x80; /* an RTP packet sent to the tunnel port */
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_MARK);
	b[0] = 0x01; /* STUN */
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_MARK);
	b[0] = 0xE1; /* version 1: no epoch, keys shared by every call and boot */
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_VERSION);
	b[0] = 0xE3;
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_VERSION);
	b[0] = 0xE0;
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_VERSION);

	n = msg(b, VR_TUN_RTP, 9, 4);
	b[1] = 0;
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_TYPE);
	b[1] = VR_TUN_TYPE_MAX;
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_TYPE);

	n = msg(b, VR_TUN_RTP, 0, 4);
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_SBC_ID);
	n = msg(b, VR_TUN_RTP, VR_TUN_SBC_ID_MAX + 1, 4);
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_SBC_ID);

	n = msg(b, VR_TUN_RTP, 9, VR_TUN_CHANNEL_SBC);
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_CHANNEL);
	n = msg(b, VR_TUN_HELLO, 9, 1);
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_CHANNEL);
	n = msg(b, VR_TUN_HELLO_ACK, 9, 1);
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_CHANNEL);

	/* The epoch's reserved top 16 bits. */
	n = msg(b, VR_TUN_RTP, 9, 4);
	b[13] = 1;
	cr_assert_eq(vr_tun_parse(b, n, &h), VR_TUN_ERR_EPOCH);
}

Test(tunnel, salt_tweak)
{
	uint8_t s[14], z[14];

	memset(s, 0xAA, sizeof(s));
	vr_tun_salt_tweak(s, sizeof(s), VR_TUN_DOWN, 0x01020304, 0x0000a1b2c3d4e5f6ull);
	/* Direction and channel in the first five bytes, the epoch in 5-6 and
	 * 8-11: the label byte (7) and the last two untouched. */
	cr_assert_eq(s[0], 0xAA ^ 2);
	cr_assert_eq(s[1], 0xAA ^ 1);
	cr_assert_eq(s[2], 0xAA ^ 2);
	cr_assert_eq(s[3], 0xAA ^ 3);
	cr_assert_eq(s[4], 0xAA ^ 4);
	cr_assert_eq(s[5], 0xAA ^ 0xa1);
	cr_assert_eq(s[6], 0xAA ^ 0xb2);
	cr_assert_eq(s[7], 0xAA);
	cr_assert_eq(s[8], 0xAA ^ 0xc3);
	cr_assert_eq(s[9], 0xAA ^ 0xd4);
	cr_assert_eq(s[10], 0xAA ^ 0xe5);
	cr_assert_eq(s[11], 0xAA ^ 0xf6);
	memset(z, 0xAA, sizeof(z));
	cr_assert_arr_eq(s + 12, z + 12, 2);
	/* Its own inverse. */
	vr_tun_salt_tweak(s, sizeof(s), VR_TUN_DOWN, 0x01020304, 0x0000a1b2c3d4e5f6ull);
	cr_assert_arr_eq(s, z, sizeof(z));
	/* Up and down differ even on channel 0, epoch 0. */
	vr_tun_salt_tweak(s, 12, VR_TUN_UP, 0, 0);
	cr_assert_neq(s[0], z[0]);
	/* A GCM salt (12 bytes) takes the whole epoch too. */
	memset(s, 0, sizeof(s));
	vr_tun_salt_tweak(s, 12, VR_TUN_UP, 0, 1);
	cr_assert_eq(s[11], 1);
}

Test(tunnel, hello_round_trip)
{
	struct vr_tun_hello h = { .interval_s = 5 }, g;
	uint8_t b[128];
	int n;

	inet_pton(AF_INET, "192.168.7.2", &h.local_ip);
	strcpy(h.version, "vr-sbc-emu 0.1.0");
	n = vr_tun_hello_build(&h, b, sizeof(b));
	cr_assert_eq(n, 6 + 4 + 2 + 16);
	cr_assert_eq(vr_tun_hello_parse(b, (size_t)n, &g), 0);
	cr_assert_eq(g.local_ip, h.local_ip);
	cr_assert_eq(g.interval_s, 5);
	cr_assert_str_eq(g.version, "vr-sbc-emu 0.1.0");
	/* Too small a buffer: nothing written. */
	cr_assert_eq(vr_tun_hello_build(&h, b, (size_t)n - 1), -1);
	/* An empty hello is a valid hello. */
	cr_assert_eq(vr_tun_hello_parse(b, 0, &g), 0);
	cr_assert_eq(g.local_ip, 0);
	cr_assert_eq(g.has_nonce, 0);
	cr_assert_eq(g.has_echo, 0);
}

Test(tunnel, hello_challenges)
{
	struct vr_tun_hello h = { .has_nonce = 1, .nonce = 0x0102030405060708ull, .has_echo = 1,
		.echo = 0xfffefdfcfbfaf9f8ull }, g;
	const uint8_t short_nonce[] = { VR_TUN_TLV_NONCE, 7, 1, 2, 3, 4, 5, 6, 7 };
	const uint8_t long_echo[] = { VR_TUN_TLV_ECHO, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint8_t b[64];
	int n;

	n = vr_tun_hello_build(&h, b, sizeof(b));
	cr_assert_eq(n, 20);
	cr_assert_eq(vr_tun_hello_parse(b, (size_t)n, &g), 0);
	cr_assert(g.has_nonce && g.has_echo);
	cr_assert_eq(g.nonce, h.nonce);
	cr_assert_eq(g.echo, h.echo);
	cr_assert_eq(vr_tun_hello_parse(short_nonce, sizeof(short_nonce), &g), -1);
	cr_assert_eq(vr_tun_hello_parse(long_echo, sizeof(long_echo), &g), -1);
}

Test(tunnel, hello_unknown_tlv_skipped)
{
	const uint8_t b[] = { 9, 3, 'x', 'y', 'z', VR_TUN_TLV_INTERVAL, 2, 0, 30 };
	struct vr_tun_hello g;

	cr_assert_eq(vr_tun_hello_parse(b, sizeof(b), &g), 0);
	cr_assert_eq(g.interval_s, 30);
}

Test(tunnel, hello_malformed)
{
	struct vr_tun_hello g;
	const uint8_t overrun[] = { VR_TUN_TLV_VERSION, 10, 'a', 'b' };
	const uint8_t half[] = { VR_TUN_TLV_INTERVAL };
	const uint8_t ip_len[] = { VR_TUN_TLV_LOCAL_IP, 3, 1, 2, 3 };
	const uint8_t iv_len[] = { VR_TUN_TLV_INTERVAL, 1, 5 };
	const uint8_t ctrl[] = { VR_TUN_TLV_VERSION, 3, 'a', '\n', 'b' };
	const uint8_t empty[] = { VR_TUN_TLV_VERSION, 0 };
	uint8_t longv[2 + VR_TUN_VERSION_STR_MAX];

	cr_assert_eq(vr_tun_hello_parse(overrun, sizeof(overrun), &g), -1);
	cr_assert_eq(vr_tun_hello_parse(half, sizeof(half), &g), -1);
	cr_assert_eq(vr_tun_hello_parse(ip_len, sizeof(ip_len), &g), -1);
	cr_assert_eq(vr_tun_hello_parse(iv_len, sizeof(iv_len), &g), -1);
	cr_assert_eq(vr_tun_hello_parse(ctrl, sizeof(ctrl), &g), -1);
	cr_assert_eq(vr_tun_hello_parse(empty, sizeof(empty), &g), -1);
	longv[0] = VR_TUN_TLV_VERSION;
	longv[1] = VR_TUN_VERSION_STR_MAX;
	memset(longv + 2, 'v', VR_TUN_VERSION_STR_MAX);
	cr_assert_eq(vr_tun_hello_parse(longv, sizeof(longv), &g), -1);
	longv[1] = VR_TUN_VERSION_STR_MAX - 1;
	cr_assert_eq(vr_tun_hello_parse(longv, sizeof(longv) - 1, &g), 0);
	cr_assert_eq(strlen(g.version), VR_TUN_VERSION_STR_MAX - 1);
}
