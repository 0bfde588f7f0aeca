/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 3550 sequence, loss, duplicate, reorder and jitter tracking (dataplane/rtpstat.c). */
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/rtpstat.h"

static struct vr_rtp_track t;
static struct vr_shm_flow f;

static void
setup(void)
{
	memset(&t, 0, sizeof(t));
	memset(&f, 0, sizeof(f));
}

TestSuite(rtpstat, .init = setup);

/* Packet i of a 20 ms, 8 kHz stream arriving on time plus late units. */
static enum vr_rtp_seq_result
pkt(uint16_t seq, uint32_t i, uint32_t late)
{
	return vr_rtp_track_update(&t, &f, seq, 160 * i, 100000 + 160 * i + late);
}

Test(rtpstat, in_order_no_loss)
{
	uint32_t i;

	for (i = 0; i < 100; i++)
		cr_assert_eq(pkt((uint16_t)(1000 + i), i, 0), VR_RTP_SEQ_NEW);
	cr_assert_eq(f.c[VR_FC_RTP_RECEIVED], 100);
	cr_assert_eq(vr_shm_flow_lost(&f), 0);
	cr_assert_eq(f.jitter, 0);
}

Test(rtpstat, loss_is_counted)
{
	uint32_t i;

	for (i = 0; i < 100; i++)
		if (i % 10 != 3)
			pkt((uint16_t)(1000 + i), i, 0);
	cr_assert_eq(f.c[VR_FC_RTP_RECEIVED], 90);
	cr_assert_eq(vr_shm_flow_lost(&f), 10);
}

Test(rtpstat, sequence_wrap)
{
	uint32_t i;

	for (i = 0; i < 200; i++)
		pkt((uint16_t)(65500 + i), i, 0);
	cr_assert_eq(vr_shm_flow_lost(&f), 0);
	cr_assert_eq(f.rtp_ext_max - f.rtp_base + 1, 200);
}

Test(rtpstat, duplicates_and_reordering)
{
	pkt(10, 0, 0);
	pkt(11, 1, 0);
	pkt(13, 3, 0);
	cr_assert_eq(pkt(12, 2, 0), VR_RTP_SEQ_LATE);
	cr_assert_eq(pkt(12, 2, 0), VR_RTP_SEQ_DUP);
	cr_assert_eq(pkt(13, 3, 0), VR_RTP_SEQ_DUP);
	cr_assert_eq(f.c[VR_FC_RTP_REORDERED], 1);
	cr_assert_eq(f.c[VR_FC_RTP_DUP], 2);
	cr_assert_eq(f.c[VR_FC_RTP_RECEIVED], 4);
	cr_assert_eq(vr_shm_flow_lost(&f), 0, "the late packet filled the hole");
}

Test(rtpstat, jitter_follows_rfc3550)
{
	uint32_t i;

	/* Alternate 0 and 80 units late: |D| = 80 for every packet after the first,
	 * and J += (|D| - J) / 16 converges to 80 from below. */
	for (i = 0; i < 200; i++)
		pkt((uint16_t)i, i, (i & 1) ? 80 : 0);
	cr_assert(f.jitter >= 78 && f.jitter <= 80, "jitter %u, want about 80", f.jitter);
	/* After 10 packets it is well below: the estimator smooths. */
	setup();
	for (i = 0; i < 10; i++)
		pkt((uint16_t)i, i, (i & 1) ? 80 : 0);
	cr_assert(f.jitter > 20 && f.jitter < 60, "jitter %u after 10 packets", f.jitter);
}

Test(rtpstat, large_jump_restarts_after_two_in_a_row)
{
	pkt(100, 0, 0);
	pkt(101, 1, 0);
	cr_assert_eq(pkt(40000, 2, 0), VR_RTP_SEQ_JUMP);
	cr_assert_eq(pkt(40001, 3, 0), VR_RTP_SEQ_NEW);
	cr_assert_eq(pkt(40002, 4, 0), VR_RTP_SEQ_NEW);
	cr_assert_eq(vr_shm_flow_lost(&f), 0, "a restart is not loss");
	cr_assert_eq(f.c[VR_FC_RTP_RECEIVED], 4);
}

Test(rtpstat, loss_stays_cumulative_across_ssrc_change)
{
	pkt(1, 0, 0);
	pkt(3, 2, 0);
	cr_assert_eq(vr_shm_flow_lost(&f), 1);
	vr_rtp_track_reset(&t);
	pkt(5000, 0, 0);
	pkt(5001, 1, 0);
	cr_assert_eq(vr_shm_flow_lost(&f), 1);
	pkt(5003, 3, 0);
	cr_assert_eq(vr_shm_flow_lost(&f), 2);
}
