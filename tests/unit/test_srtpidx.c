/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev engine's SRTP index state (dataplane/srtpidx.h), without an
 * EAL: the rollover counter across the 16-bit wrap, the replay window's
 * edges, SRTCP's window, and the SSRCs a stream may carry.
 */
#include <criterion/criterion.h>

#include "dataplane/srtpidx.h"

/* Index (roc, seq) of x, as a receiver takes it: 0 accepted (and recorded), -1 refused. */
static int
take(struct vr_csrtp_ssrc *x, uint16_t seq)
{
	uint32_t roc;

	if (vr_sidx_guess_roc(x, seq, &roc) < 0 || vr_sidx_check(x, roc, seq) < 0)
		return -1;
	vr_sidx_commit(x, roc, seq);
	return 0;
}

Test(srtpidx, rollover_counter_across_the_wrap)
{
	struct vr_csrtp_ssrc x = { .ssrc = 1 };
	uint32_t roc;

	for (uint32_t i = 65530; i < 65545; i++)
		cr_assert_eq(take(&x, (uint16_t)i), 0, "seq %u", i);
	cr_assert_eq(x.roc, 1);
	cr_assert_eq(x.s_l, (uint16_t)65544);
	/* A late packet from before the wrap belongs to the previous period. */
	cr_assert_eq(vr_sidx_guess_roc(&x, 65500, &roc), 0);
	cr_assert_eq(roc, 0);
	/* Before the first period there is nothing: refused, not wrapped. */
	x = (struct vr_csrtp_ssrc){ .ssrc = 1 };
	cr_assert_eq(take(&x, 10), 0);
	cr_assert_eq(vr_sidx_guess_roc(&x, 60000, &roc), -1);
}

Test(srtpidx, replay_window_edges)
{
	struct vr_csrtp_ssrc x = { .ssrc = 1 };

	cr_assert_eq(take(&x, 1000), 0);
	cr_assert_eq(take(&x, 1000), -1, "a repeat");
	cr_assert_eq(take(&x, 1063), 0);
	cr_assert_eq(take(&x, 1000), -1, "63 back, seen");
	cr_assert_eq(take(&x, 1001), 0, "62 back, new: late but fine");
	cr_assert_eq(take(&x, 1001), -1);
	cr_assert_eq(take(&x, 1100), 0);
	cr_assert_eq(take(&x, 1036), -1, "64 back: too old");
	cr_assert_eq(take(&x, 1037), 0, "63 back, new");
}

Test(srtpidx, rtcp_window)
{
	struct vr_csrtp_ssrc x = { .ssrc = 1 };

	cr_assert_eq(vr_sidx_rtcp_check(NULL, 5), 0, "a new SSRC takes any index");
	vr_sidx_rtcp_commit(&x, 5);
	cr_assert_eq(vr_sidx_rtcp_check(&x, 5), -1);
	cr_assert_eq(vr_sidx_rtcp_check(&x, 4), 0);
	vr_sidx_rtcp_commit(&x, 100);
	cr_assert_eq(vr_sidx_rtcp_check(&x, 36), -1, "64 back: too old");
	cr_assert_eq(vr_sidx_rtcp_check(&x, 37), 0);
}

Test(srtpidx, ssrcs_bounded_and_kept)
{
	struct vr_csrtp_ssrc ss[VR_SRTP_SSRC_MAX];
	uint8_t n = 0;
	struct vr_csrtp_ssrc *x;

	for (uint32_t i = 0; i < VR_SRTP_SSRC_MAX; i++) {
		x = vr_sidx_get(ss, &n, 100 + i);
		cr_assert_not_null(x);
		cr_assert_eq(take(x, 7), 0);
	}
	cr_assert_null(vr_sidx_get(ss, &n, 999), "a ninth SSRC");
	cr_assert_null(vr_sidx_find(ss, n, 999));
	/* Alternating between two SSRCs resets nothing: each keeps its window. */
	for (uint32_t i = 0; i < VR_SRTP_SSRC_MAX; i++)
		cr_assert_eq(take(vr_sidx_find(ss, n, 100 + i), 7), -1, "SSRC %u forgot", 100 + i);
}
