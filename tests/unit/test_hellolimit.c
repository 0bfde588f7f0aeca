/* SPDX-License-Identifier: BSD-3-Clause */
/* The token bucket and source hash of the hello limits (dataplane/hellolimit.h). */
#include <criterion/criterion.h>

#include "dataplane/hellolimit.h"

#define HZ 1000000000ull /* a 1 GHz TSC */

/* How many of n packets at TSC now the bucket takes. */
static unsigned int
take_n(uint64_t *tat, const struct vr_rate *r, uint64_t now, unsigned int n)
{
	unsigned int got = 0;

	while (n-- > 0)
		got += (unsigned int)vr_rate_take(tat, r, now);
	return got;
}

Test(hellolimit, burst_then_the_rate)
{
	struct vr_rate r;
	uint64_t tat = 0, t = 5 * HZ;

	vr_rate_init(&r, 20, 20, HZ);
	cr_assert_eq(take_n(&tat, &r, t, 100), 20, "a full bucket passes its burst at once");
	cr_assert_eq(take_n(&tat, &r, t + HZ / 20 - 1, 10), 0, "a token before its interval");
	cr_assert_eq(take_n(&tat, &r, t + HZ / 20, 10), 1);
	/* A second later: 20 more, one an interval. */
	cr_assert_eq(take_n(&tat, &r, t + HZ / 20 + HZ, 100), 20);
	/* Idle for a minute: the bucket is full again, and no fuller. */
	cr_assert_eq(take_n(&tat, &r, t + 60 * HZ, 100), 20);
}

Test(hellolimit, steady_rate_under_the_limit_always_passes)
{
	struct vr_rate r;
	uint64_t tat = 0, t;
	unsigned int got = 0, i;

	vr_rate_init(&r, 10, 10, HZ);
	/* A real SBC: one hello every 5 s, for an hour. */
	for (i = 0; i < 720; i++)
		got += (unsigned int)vr_rate_take(&tat, &r, HZ + i * 5 * HZ);
	cr_assert_eq(got, 720);
	/* A flood of 1,000 a second for 10 s passes the burst and 10 a second. */
	tat = 0;
	got = 0;
	for (t = HZ; t < 11 * HZ; t += HZ / 1000)
		got += (unsigned int)vr_rate_take(&tat, &r, t);
	cr_assert(got >= 10 + 99 && got <= 10 + 100, "%u", got);
}

Test(hellolimit, source_slots_in_range_and_spread)
{
	static unsigned int hits[VR_HELLO_SRC_SLOTS];
	uint32_t ip, max = 0, used = 0, s;

	/* A /22 of consecutive addresses (network order) over 1,024 slots. */
	for (ip = 0; ip < 1024; ip++) {
		s = vr_hello_src_slot(__builtin_bswap32(0xc0000000u + ip), 0x1234567890abcdefull,
			0x9e3779b97f4a7c15ull);
		cr_assert_lt(s, VR_HELLO_SRC_SLOTS);
		hits[s]++;
	}
	for (s = 0; s < VR_HELLO_SRC_SLOTS; s++) {
		used += hits[s] > 0;
		max = hits[s] > max ? hits[s] : max;
	}
	cr_assert_gt(used, 512, "1,024 addresses in %u slots", used);
	cr_assert_leq(max, 8);
}
