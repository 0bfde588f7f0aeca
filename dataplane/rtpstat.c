/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3550 receive statistics for one flow; see rtpstat.h. Runs on the flow's
 * owning lcore (and in unit tests). rtp_ext_max and rtp_base describe the
 * current SSRC's sequence space; a restart (new SSRC or a repeated jump)
 * re-bases them so that loss stays cumulative per SSRC run and the exported
 * counters stay monotonic.
 */
#include <string.h>

#include "voxrelay/shm.h"

#include "rtpstat.h"

static inline void
store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void
inc64(uint64_t *p)
{
	__atomic_store_n(p, *p + 1, __ATOMIC_RELAXED);
}

void
vr_rtp_track_reset(struct vr_rtp_track *t)
{
	memset(t, 0, sizeof(*t));
}

/*
 * Starts a sequence space at seq. rtp_base is placed so that
 * rtp_ext_max - rtp_base + 1 (packets expected) keeps counting the packets
 * expected under earlier SSRCs: loss stays cumulative for the flow.
 */
static void
track_start(struct vr_rtp_track *t, struct vr_shm_flow *f, uint16_t seq)
{
	uint64_t prior = f->c[VR_FC_RTP_RECEIVED] + vr_shm_flow_lost(f);

	t->init = 1;
	t->max_seq = seq;
	t->seen = 1;
	t->bad_seq = 0x10000;
	store32(&f->rtp_base, (uint32_t)seq - (uint32_t)prior);
	store32(&f->rtp_ext_max, seq);
}

static void
update_jitter(struct vr_rtp_track *t, struct vr_shm_flow *f, uint32_t ts, uint32_t arrival,
	int first)
{
	uint32_t transit = arrival - ts;
	int32_t d;

	if (!first) {
		d = (int32_t)(transit - t->transit);
		if (d < 0)
			d = -d;
		t->jitter16 += (uint32_t)d - ((t->jitter16 + 8) >> 4);
		store32(&f->jitter, t->jitter16 >> 4);
	}
	t->transit = transit;
}

enum vr_rtp_seq_result
vr_rtp_track_update(struct vr_rtp_track *t, struct vr_shm_flow *f, uint16_t seq, uint32_t ts,
	uint32_t arrival)
{
	uint16_t delta;

	if (!t->init) {
		track_start(t, f, seq);
		inc64(&f->c[VR_FC_RTP_RECEIVED]);
		update_jitter(t, f, ts, arrival, 1);
		return VR_RTP_SEQ_NEW;
	}
	delta = (uint16_t)(seq - t->max_seq);
	if (delta == 0) {
		inc64(&f->c[VR_FC_RTP_DUP]);
		return VR_RTP_SEQ_DUP;
	}
	if (delta < VR_RTP_MAX_DROPOUT) {
		t->max_seq = seq;
		t->seen = delta >= 64 ? 1 : (t->seen << delta) | 1;
		t->bad_seq = 0x10000;
		store32(&f->rtp_ext_max, f->rtp_ext_max + delta);
		inc64(&f->c[VR_FC_RTP_RECEIVED]);
		update_jitter(t, f, ts, arrival, 0);
		return VR_RTP_SEQ_NEW;
	}
	delta = (uint16_t)(t->max_seq - seq);
	if (delta <= VR_RTP_MAX_MISORDER) {
		if (delta < 64) {
			if (t->seen & (1ull << delta)) {
				inc64(&f->c[VR_FC_RTP_DUP]);
				return VR_RTP_SEQ_DUP;
			}
			t->seen |= 1ull << delta;
		}
		inc64(&f->c[VR_FC_RTP_REORDERED]);
		inc64(&f->c[VR_FC_RTP_RECEIVED]);
		return VR_RTP_SEQ_LATE;
	}
	/* A very large jump: the source restarted, or a stray packet (A.1). */
	if (seq == t->bad_seq) {
		track_start(t, f, seq);
		inc64(&f->c[VR_FC_RTP_RECEIVED]);
		update_jitter(t, f, ts, arrival, 1);
		return VR_RTP_SEQ_NEW;
	}
	t->bad_seq = (uint16_t)(seq + 1);
	return VR_RTP_SEQ_JUMP;
}
