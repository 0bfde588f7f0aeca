/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SRTP index state of the cryptodev engine (csrtp.c), per SSRC of a
 * stream: RFC 3711's rollover counter guessed from a sequence number
 * (3.3.1), a 64-packet replay window over the packet index (3.3.2), and
 * SRTCP's own index and window (3.4). Pure functions on the state they are
 * given, no DPDK: the lcore that owns a stream is the only one that calls
 * them on its state, and the unit tests call them directly.
 */
#ifndef VR_DP_SRTPIDX_H
#define VR_DP_SRTPIDX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "srtp.h"

/* The index state of one SSRC of a stream (RFC 3711 3.3.1, 3.4). */
struct vr_csrtp_ssrc {
	uint32_t ssrc;                 /* host order */
	uint32_t roc;                  /* rollover counter */
	uint64_t window;               /* replay window: bit i = index (top - i) seen or sent */
	uint64_t rtcp_window;
	uint32_t rtcp_index;           /* last sent, or highest seen (31 bits) */
	uint16_t s_l;                  /* highest sequence number seen or sent */
	uint8_t started;
	uint8_t rtcp_started;
};

/* The index state of SSRC ssrc among ss[0..n), or NULL when it is not there. */
static inline struct vr_csrtp_ssrc *
vr_sidx_find(struct vr_csrtp_ssrc *ss, unsigned int n, uint32_t ssrc)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ss[i].ssrc == ssrc)
			return &ss[i];
	return NULL;
}

/*
 * ssrc's index state among ss[0..*n), or a new one (not started) when there
 * is room for it (*n < VR_SRTP_SSRC_MAX); else NULL.
 */
static inline struct vr_csrtp_ssrc *
vr_sidx_get(struct vr_csrtp_ssrc *ss, uint8_t *n, uint32_t ssrc)
{
	struct vr_csrtp_ssrc *x = vr_sidx_find(ss, *n, ssrc);

	if (x != NULL || *n == VR_SRTP_SSRC_MAX)
		return x;
	x = &ss[(*n)++];
	memset(x, 0, sizeof(*x));
	x->ssrc = ssrc;
	return x;
}

/*
 * RFC 3711 3.3.1: the rollover counter that packet seq of SSRC state x
 * (NULL: a new SSRC) belongs to, in *roc; -1 when it would be before the
 * SSRC's first rollover period.
 */
static inline int
vr_sidx_guess_roc(const struct vr_csrtp_ssrc *x, uint16_t seq, uint32_t *roc)
{
	*roc = 0;
	if (x == NULL || !x->started)
		return 0;
	*roc = x->roc;
	if (x->s_l < 32768) {
		if ((int)seq - (int)x->s_l > 32768) {
			if (x->roc == 0)
				return -1;
			*roc = x->roc - 1;
		}
	} else if ((int)x->s_l - 32768 > (int)seq) {
		*roc = x->roc + 1;
	}
	return 0;
}

/* Replay check of index (roc, seq) of SSRC state x (NULL: new): 0 new, -1 seen or too old. */
static inline int
vr_sidx_check(const struct vr_csrtp_ssrc *x, uint32_t roc, uint16_t seq)
{
	uint64_t idx = (uint64_t)roc << 16 | seq, top;

	if (x == NULL || !x->started)
		return 0;
	top = (uint64_t)x->roc << 16 | x->s_l;
	if (idx > top)
		return 0;
	if (top - idx >= 64 || (x->window >> (top - idx)) & 1)
		return -1;
	return 0;
}

/* Records index (roc, seq) of SSRC state x as seen or sent. */
static inline void
vr_sidx_commit(struct vr_csrtp_ssrc *x, uint32_t roc, uint16_t seq)
{
	uint64_t idx = (uint64_t)roc << 16 | seq, top = (uint64_t)x->roc << 16 | x->s_l;

	if (!x->started) {
		x->started = 1;
		x->roc = roc;
		x->s_l = seq;
		x->window = 1;
		return;
	}
	if (idx > top) {
		x->window = idx - top >= 64 ? 1 : x->window << (idx - top) | 1;
		x->roc = roc;
		x->s_l = seq;
	} else {
		x->window |= 1ull << (top - idx);
	}
}

/* SRTCP replay check of index idx of SSRC state x (NULL: new): 0 new, -1 seen or too old. */
static inline int
vr_sidx_rtcp_check(const struct vr_csrtp_ssrc *x, uint32_t idx)
{
	if (x == NULL || !x->rtcp_started || idx > x->rtcp_index)
		return 0;
	if (x->rtcp_index - idx >= 64 || (x->rtcp_window >> (x->rtcp_index - idx)) & 1)
		return -1;
	return 0;
}

static inline void
vr_sidx_rtcp_commit(struct vr_csrtp_ssrc *x, uint32_t idx)
{
	if (!x->rtcp_started) {
		x->rtcp_started = 1;
		x->rtcp_index = idx;
		x->rtcp_window = 1;
	} else if (idx > x->rtcp_index) {
		x->rtcp_window = idx - x->rtcp_index >= 64 ? 1 :
			x->rtcp_window << (idx - x->rtcp_index) | 1;
		x->rtcp_index = idx;
	} else {
		x->rtcp_window |= 1ull << (x->rtcp_index - idx);
	}
}
#endif /* VR_DP_SRTPIDX_H */
