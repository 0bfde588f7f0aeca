/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev SRTP engine's internals that its three files share
 * (csrtp_dev.c: the device; csrtp_session.c: key derivation and sessions;
 * csrtp.c: packets through the device): the tag sizes, the layout of an
 * operation's private area, and running operations to completion. Not for
 * use outside the engine: its API is csrtp.h.
 */
#ifndef VR_DP_CSRTP_OP_H
#define VR_DP_CSRTP_OP_H

#include <stddef.h>
#include <stdint.h>

#include <rte_crypto.h>

#include "csrtp.h"

#define CM_TAG 10
#define GCM_TAG 16
#define MAX_BURST 64
#define MAX_POLL 128

/* What each packet of a burst needs between building its op and reading the result. */
struct pkt_state {
	uint32_t ssrc, roc, hdr, plen, idx;
	uint16_t seq;
	uint8_t rtcp;
};

/*
 * An operation's private area, right after its symmetric op: the IV (where
 * the sessions look for it: IV_OFF), a digest scratch, and what finishing
 * the packet needs once the device gives the op back.
 */
struct op_ctx {
	uint8_t iv[16];
	uint8_t digest[20];
	uint8_t outbound;
	uint16_t off;                  /* of the RTP or RTCP packet in the mbuf */
	uint32_t cookie;               /* the submitter's, returned by vr_csrtp_poll */
	struct vr_csrtp_stream *s;
	struct pkt_state ps;
};
#define IV_OFF (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define DIGEST_OFF (IV_OFF + offsetof(struct op_ctx, digest))
#define OP_PRIV sizeof(struct op_ctx)

static inline struct op_ctx *
ctx_of(struct rte_crypto_op *op)
{
	return rte_crypto_op_ctod_offset(op, struct op_ctx *, IV_OFF);
}

/*
 * Runs ops[0..n) through queue pair qp and waits for all of them (at most
 * 1 s; then the device is marked hung). For key derivation, main lcore.
 */
int vr_csrtp_run(struct vr_csrtp_dev *d, uint16_t qp, struct rte_crypto_op **ops, unsigned int n);

#endif /* VR_DP_CSRTP_OP_H */
