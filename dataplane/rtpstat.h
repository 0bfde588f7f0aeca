/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP receive statistics of one flow: sequence tracking with loss, duplicate
 * and reorder detection (RFC 3550 A.1 and A.3) and interarrival jitter
 * (RFC 3550 A.8). Called by the flow's owning lcore only; writes the flow's
 * exported row (struct vr_shm_flow) and its private struct vr_rtp_track.
 */
#ifndef VR_DP_RTPSTAT_H
#define VR_DP_RTPSTAT_H

#include <stdint.h>

#include "voxrelay/shm.h"

/* A jump of this many sequence numbers or more restarts tracking (A.1). */
#define VR_RTP_MAX_DROPOUT 3000
/* Late packets up to this far behind are counted as reordered (A.1). */
#define VR_RTP_MAX_MISORDER 100

/* Private tracking state; owner lcore only. Zero is "no packet yet". */
struct vr_rtp_track {
	uint64_t seen;        /* bit i: max_seq - i was received */
	uint32_t bad_seq;     /* RFC 3550 A.1 resync candidate, 0x10000 = none */
	uint32_t transit;     /* last (arrival - timestamp), timestamp units */
	uint32_t jitter16;    /* jitter times 16, as in A.8 */
	uint16_t max_seq;
	uint8_t init;
};

/* What vr_rtp_track_update made of a packet. */
enum vr_rtp_seq_result {
	VR_RTP_SEQ_NEW = 0,   /* in order, possibly after a gap */
	VR_RTP_SEQ_LATE,      /* behind the highest, not seen before */
	VR_RTP_SEQ_DUP,       /* seen before */
	VR_RTP_SEQ_JUMP,      /* far outside the window; tracking restarts if repeated */
};

/*
 * Accounts an accepted RTP packet with sequence seq and timestamp ts that
 * arrived at arrival (in the flow's RTP clock units). Updates f's RTP
 * counters, rtp_ext_max, rtp_base and jitter.
 */
enum vr_rtp_seq_result vr_rtp_track_update(struct vr_rtp_track *t, struct vr_shm_flow *f,
	uint16_t seq, uint32_t ts, uint32_t arrival);

/* Restarts tracking (new SSRC) keeping the cumulative counters. */
void vr_rtp_track_reset(struct vr_rtp_track *t);

#endif /* VR_DP_RTPSTAT_H */
