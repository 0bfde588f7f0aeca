/* SPDX-License-Identifier: BSD-3-Clause */
/* The generator's streams (bench/gen_stream.h): layout, frames, accounting. */
#include <arpa/inet.h>

#include <criterion/criterion.h>

#include "bench/gen_stream.h"
#include "tests/common/pktbuild.h"

Test(gen, layout)
{
	uint32_t addr;
	uint16_t port;

	vr_gen_leg(0xc633640a, 0, &addr, &port);
	cr_assert_eq(addr, 0xc633640a);
	cr_assert_eq(port, 20000);
	vr_gen_leg(0xc633640a, 1, &addr, &port);
	cr_assert_eq(port, 20002, "stream 1 is leg b of call 0");
	vr_gen_leg(0xc633640a, 2 * 10000 + 3, &addr, &port);
	cr_assert_eq(addr, 0xc633640b, "call 10001 is on the next address");
	cr_assert_eq(port, 20006, "leg b of its second call there");
	cr_assert_eq(vr_gen_peer_ip(0), 0xc6120001);
	cr_assert_eq(vr_gen_peer_port(7), 10007);
	cr_assert_eq(vr_gen_peer_ip(50000), 0xc6120002);
}

Test(gen, frame_is_valid_rtp_and_accounts_back)
{
	struct rte_ether_addr a = { { 2, 0, 0, 0, 0, 1 } }, b = { { 2, 0, 0, 0, 0, 2 } };
	struct vr_gen_stream st[4];
	uint8_t f[214];
	uint64_t tsc;
	uint16_t first;

	memset(st, 0, sizeof(st));
	st[3].ssrc = 0xabc;
	st[3].seq = 65535;
	vr_gen_build(f, sizeof(f), &a, &b, 0xc633640a, 3, &st[3], 160, 12345);
	cr_assert_eq(ref_fold(ref_sum(f + 14, 20, 0)), 0, "IPv4 checksum verifies");
	cr_assert_eq(f[14 + 9], 17);
	cr_assert_eq((f[16] << 8 | f[17]), 200, "IP length of a 214-byte frame");
	cr_assert_eq((f[36] << 8 | f[37]), 20006, "leg b of call 1");
	cr_assert_eq(f[42], 0x80, "RTP v2");
	cr_assert_eq(st[3].seq, 0, "sequence wraps");
	cr_assert_eq(st[3].ts, 160);
	first = (uint16_t)(f[44] << 8 | f[45]);
	cr_assert_eq(first, 65535);
	cr_assert_eq(vr_gen_account(f, sizeof(f), st, 4, &tsc), 3);
	cr_assert_eq(tsc, 12345);
	cr_assert_eq(st[3].received, 1);
	vr_gen_build(f, sizeof(f), &a, &b, 0xc633640a, 3, &st[3], 160, 1);
	cr_assert_eq(vr_gen_account(f, sizeof(f), st, 4, &tsc), 3);
	cr_assert_eq(st[3].reordered, 0, "0 after 65535 is in order");
	cr_assert_eq(vr_gen_account(f, sizeof(f), st, 4, &tsc), 3);
	cr_assert_eq(st[3].reordered, 1, "a repeat counts as out of order");
	cr_assert_eq(vr_gen_account(f, sizeof(f), st, 3, &tsc), -1, "stream out of range");
	f[42 + 12] ^= 0xff;
	cr_assert_eq(vr_gen_account(f, sizeof(f), st, 4, &tsc), -1, "not our magic");
}
