/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/resp.c: commands in RESP byte for byte as hiredis writes them,
 * and decimals as printf writes them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>

#include "control/resp.h"

static void
same_as_hiredis(int argc, const char **argv)
{
	char *want = NULL, buf[4096];
	int wlen = redisFormatCommandArgv(&want, argc, argv, NULL);
	size_t len = vr_resp_format(buf, sizeof(buf), argc, argv);

	cr_assert_gt(wlen, 0);
	cr_assert_eq(len, (size_t)wlen, "length %zu, hiredis %d", len, wlen);
	cr_assert_eq(memcmp(buf, want, len), 0, "'%.*s' is not hiredis's '%s'", (int)len, buf, want);
	free(want);
}

Test(resp, commands_are_what_hiredis_writes)
{
	const char *hset[] = { "HSET", "voxrelay:stats:call:c1", "a_packets", "123", "b_peer", "" };
	const char *one[] = { "PING" };
	static char big[3000];
	const char *longer[] = { "SET", "k", big };
	const char *many[12] = { "XADD", "s", "*", "a", "1", "b", "2", "c", "3", "d", "4", "e" };

	memset(big, 'x', sizeof(big) - 1);
	same_as_hiredis(6, hset);
	same_as_hiredis(1, one);
	same_as_hiredis(3, longer);
	same_as_hiredis(12, many);
}

Test(resp, a_short_buffer_is_told_the_length_and_left_alone)
{
	const char *argv[] = { "DEL", "voxrelay:status:call:abc" };
	char buf[8] = "XXXXXXX";
	size_t need = vr_resp_format(buf, sizeof(buf), 2, argv);

	cr_assert_eq(need, strlen("*2\r\n$3\r\nDEL\r\n$24\r\nvoxrelay:status:call:abc\r\n"));
	cr_assert_str_eq(buf, "XXXXXXX");
}

Test(resp, decimals_are_what_printf_writes)
{
	const uint64_t v[] = { 0, 1, 9, 10, 99, 100, 12345, 4294967295u, 4294967296u,
		999999999999ull, UINT64_MAX };
	char out[VR_U64_DEC_MAX + 1], want[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = vr_u64_dec(out, v[i]);

		snprintf(want, sizeof(want), "%" PRIu64, v[i]);
		cr_assert_str_eq(out, want);
		cr_assert_eq(n, strlen(want));
	}
	cr_assert_eq(vr_fixed_dec(out, 1234, 2), 5);
	cr_assert_str_eq(out, "12.34");
	vr_fixed_dec(out, 5, 2);
	cr_assert_str_eq(out, "0.05");
	vr_fixed_dec(out, 0, 1);
	cr_assert_str_eq(out, "0.0");
	vr_fixed_dec(out, 1000, 3);
	cr_assert_str_eq(out, "1.000");
	vr_fixed_dec(out, 77, 0);
	cr_assert_str_eq(out, "77");
}
