/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP packets through a DPDK cryptodev (csrtp.h). The main lcore sets up
 * the device (csrtp_dev.c) and each stream (csrtp_session.c); a worker
 * lcore hands bursts of packets to its own queue pair (vr_csrtp_submit) and
 * takes them back as the device finishes them (vr_csrtp_poll), possibly
 * polls later: the worker leaves
 * packets with the device from one poll to the next, so that ipsec-mb fills
 * HMAC-SHA1's multi-buffer lanes (16 on AVX-512) with the next burst's
 * packets instead of flushing them half empty after each burst (about 40
 * cycles a packet, measured). Each operation carries what finishing its
 * packet needs (struct op_ctx). The worker keeps the streams' packet
 * index, rollover counter and replay window per SSRC, which only that
 * lcore writes; a received index is checked when the packet is handed over
 * and again when it comes back (a copy of it may have passed in between);
 * an index to send is taken when the packet is handed over, and refused if
 * it was taken before (a key and IV are never used twice). vr_csrtp_protect
 * and the others are the same, waiting for every packet (tests, the main
 * lcore).
 *
 * GCM's RTP takes a shorter way where the device has one: its synchronous
 * CPU-crypto entry (rte_cryptodev_sym_cpu_crypto_process), the same session
 * and code without an operation, a queue or a poll: finished when submitted.
 * It takes one session per call, so one packet per call here (a burst's
 * packets are of many streams); that costs GCM nothing, whose jobs complete
 * as they are submitted, but would cost AES-CM dearly, whose HMAC-SHA1 runs
 * its lanes nearly empty when flushed after every packet: about six times
 * the cycles, measured. So AES-CM, and SRTCP (rare), stay on the queue pair.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "csrtp.h"
#include "csrtp_op.h"

/* The RTP header length of p[0..len), or 0 when it is not RTP v2 or runs past len. */
static uint32_t
rtp_hdr_len(const uint8_t *p, uint32_t len)
{
	uint32_t h;

	if (len < 12 || (p[0] >> 6) != 2)
		return 0;
	h = 12 + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < h + 4)
			return 0;
		h += 4 + 4u * (uint32_t)(p[h + 2] << 8 | p[h + 3]);
	}
	return h <= len ? h : 0;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The IV in iv[0..16) for packet (ssrc, roc, seq) of stream s, from salt (16
 * bytes, zero beyond the suite's salt): two big-endian 64-bit halves, each
 * the salt's half XOR the packet's fields in their places.
 */
static void
make_iv(uint8_t *iv, const struct vr_csrtp_stream *s, const uint8_t *salt, uint32_t ssrc,
	uint32_t roc, uint16_t seq)
{
	uint64_t hi, lo;

	memcpy(&hi, salt, 8);
	memcpy(&lo, salt + 8, 8);
	if (s->suite == VR_SRTP_AEAD_AES_128_GCM) {
		/* RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the 12-byte salt. */
		hi ^= rte_cpu_to_be_64((uint64_t)ssrc << 16 | roc >> 16);
		lo ^= rte_cpu_to_be_64((uint64_t)(roc & 0xffff) << 48 | (uint64_t)seq << 32);
	} else {
		/* RFC 3711 4.1.1: salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16. */
		hi ^= rte_cpu_to_be_64(ssrc);
		lo ^= rte_cpu_to_be_64((uint64_t)roc << 32 | (uint64_t)seq << 16);
	}
	memcpy(iv, &hi, 8);
	memcpy(iv + 8, &lo, 8);
}

/* make_iv into op's IV. */
static void
set_iv(struct rte_crypto_op *op, const struct vr_csrtp_stream *s, const uint8_t *salt,
	uint32_t ssrc, uint32_t roc, uint16_t seq)
{
	make_iv(rte_crypto_op_ctod_offset(op, uint8_t *, IV_OFF), s, salt, ssrc, roc, seq);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}


/*
 * Fills op for RTCP packet p[0..len) of stream s (in m at offset off): SRTCP,
 * RFC 3711 3.4 (AES-CM: E flag and index, then the tag) or RFC 7714 9 (GCM:
 * the tag, then E flag and index; the header and that word are the AAD).
 * Returns a status: VR_CSRTP_OK when the op is ready.
 */
static int
rtcp_op(struct rte_crypto_op *op, struct rte_mbuf *m, uint16_t off, uint32_t len,
	struct vr_csrtp_stream *s, struct pkt_state *ps, int outbound)
{
	struct rte_crypto_sym_op *sym = op->sym;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	uint8_t *scratch = ctx_of(op)->digest;
	int gcm = s->suite == VR_SRTP_AEAD_AES_128_GCM;
	uint32_t tag = gcm ? GCM_TAG : CM_TAG, word;
	struct vr_csrtp_ssrc *x;

	if (len < 8 || (p[0] >> 6) != 2)
		return VR_CSRTP_BAD;
	ps->ssrc = get32(p + 4);
	if (outbound) {
		if (rte_pktmbuf_tailroom(m) < tag + 4)
			return VR_CSRTP_BAD;
		x = vr_sidx_get(s->ss, &s->n_ssrc, ps->ssrc);
		if (x == NULL)
			return VR_CSRTP_SSRC_LIMIT;
		/* Our own index: taken now, never given out again under this key
		 * (at 2^31 the SSRC's SRTCP is refused rather than wrapped). */
		if (x->rtcp_started && x->rtcp_index == 0x7fffffffu)
			return VR_CSRTP_REPLAY;
		ps->idx = x->rtcp_started ? x->rtcp_index + 1 : 1;
		x->rtcp_started = 1;
		x->rtcp_index = ps->idx;
		ps->plen = len - 8;
		word = 0x80000000u | ps->idx;
	} else {
		if (len < 8 + tag + 4)
			return VR_CSRTP_BAD;
		word = get32(gcm ? p + len - 4 : p + len - tag - 4);
		if (!(word & 0x80000000u))
			return VR_CSRTP_BAD; /* unencrypted SRTCP: not used here */
		ps->idx = word & 0x7fffffffu;
		x = vr_sidx_find(s->ss, s->n_ssrc, ps->ssrc);
		if (vr_sidx_rtcp_check(x, ps->idx) < 0)
			return VR_CSRTP_REPLAY;
		if (x == NULL && s->n_ssrc == VR_SRTP_SSRC_MAX)
			return VR_CSRTP_SSRC_LIMIT;
		ps->plen = len - 8 - tag - 4;
	}
	set_iv(op, s, s->rtcp_salt, ps->ssrc, ps->idx >> 16, (uint16_t)ps->idx);
	rte_crypto_op_attach_sym_session(op, s->rtcp_sess);
	sym->m_src = m;
	if (gcm) {
		uint8_t *tagp = p + 8 + ps->plen;

		if (outbound)
			rte_pktmbuf_append(m, GCM_TAG);
		memcpy(scratch, p, 8);
		put32(scratch + 8, word);
		sym->aead.data.offset = off + 8u;
		sym->aead.data.length = ps->plen;
		sym->aead.aad.data = scratch;
		sym->aead.aad.phys_addr = rte_crypto_op_ctophys_offset(op, DIGEST_OFF);
		sym->aead.digest.data = tagp;
		sym->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, off + 8 + ps->plen);
	} else {
		uint8_t *wordp = p + 8 + ps->plen;

		if (outbound)
			rte_pktmbuf_append(m, 4);
		else
			memcpy(scratch, wordp + 4, CM_TAG);
		put32(wordp, word);
		sym->cipher.data.offset = off + 8u;
		sym->cipher.data.length = ps->plen;
		sym->auth.data.offset = off;
		sym->auth.data.length = 8 + ps->plen + 4;
		sym->auth.digest.data = scratch;
		sym->auth.digest.phys_addr = rte_crypto_op_ctophys_offset(op, DIGEST_OFF);
	}
	return VR_CSRTP_OK;
}

/*
 * Reads RTP packet p[0..len) (in m) of stream s into ps: header and payload
 * lengths, SSRC, sequence number, the rollover counter it belongs to, and
 * whether its index was seen (unprotecting) or sent (protecting). A packet
 * to protect takes its index now. Returns a status, VR_CSRTP_OK when the
 * packet can go to the device.
 */
static int
rtp_read(const uint8_t *p, uint32_t len, const struct rte_mbuf *m, struct vr_csrtp_stream *s,
	struct pkt_state *ps, int outbound)
{
	int gcm = s->suite == VR_SRTP_AEAD_AES_128_GCM;
	uint32_t tag = gcm ? GCM_TAG : CM_TAG;
	struct vr_csrtp_ssrc *x;

	ps->hdr = rtp_hdr_len(p, len);
	if (ps->hdr == 0 || (gcm && ps->hdr != 12) || (!outbound && len < ps->hdr + tag) ||
			(outbound && rte_pktmbuf_tailroom(m) < tag))
		return VR_CSRTP_BAD;
	ps->plen = len - ps->hdr - (outbound ? 0 : tag);
	ps->seq = (uint16_t)(p[2] << 8 | p[3]);
	ps->ssrc = get32(p + 8);
	x = outbound ? vr_sidx_get(s->ss, &s->n_ssrc, ps->ssrc) :
		vr_sidx_find(s->ss, s->n_ssrc, ps->ssrc);
	if (x == NULL && (outbound || s->n_ssrc == VR_SRTP_SSRC_MAX))
		return VR_CSRTP_SSRC_LIMIT;
	if (vr_sidx_guess_roc(x, ps->seq, &ps->roc) < 0 || vr_sidx_check(x, ps->roc, ps->seq) < 0)
		return VR_CSRTP_REPLAY;
	if (outbound)
		vr_sidx_commit(x, ps->roc, ps->seq);
	return VR_CSRTP_OK;
}

/*
 * Received RTP packet ps of stream s passed authentication: its index is
 * recorded under its SSRC. Checked again first: a copy of it may have
 * passed since it was read. Returns a status.
 */
static int
rtp_passed(struct vr_csrtp_stream *s, const struct pkt_state *ps)
{
	struct vr_csrtp_ssrc *x = vr_sidx_get(s->ss, &s->n_ssrc, ps->ssrc);

	if (x == NULL)
		return VR_CSRTP_SSRC_LIMIT;
	if (vr_sidx_check(x, ps->roc, ps->seq) < 0)
		return VR_CSRTP_REPLAY;
	vr_sidx_commit(x, ps->roc, ps->seq);
	return VR_CSRTP_OK;
}

/*
 * RTP packet p[0..len) (in m at offset off) of GCM stream s, through the
 * device's CPU crypto, done when this returns: the tag appended or checked
 * and removed, the stream's index moved. Returns a status.
 */
static int
rtp_cpu(struct vr_csrtp_dev *d, struct rte_mbuf *m, uint16_t off, uint32_t len,
	struct vr_csrtp_stream *s, struct pkt_state *ps, int outbound)
{
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	uint8_t iv[16];
	int32_t err = 0;
	struct rte_crypto_vec data;
	struct rte_crypto_sgl sgl = { .vec = &data, .num = 1 };
	struct rte_crypto_va_iova_ptr ivp = { .va = iv }, aad = { .va = p }, tag;
	struct rte_crypto_sym_vec v = {
		.num = 1, .src_sgl = &sgl, .iv = &ivp, .aad = &aad, .digest = &tag, .status = &err,
	};
	union rte_crypto_sym_ofs ofs = { .raw = 0 };
	int rc = rtp_read(p, len, m, s, ps, outbound);

	if (rc != VR_CSRTP_OK)
		return rc;
	make_iv(iv, s, s->salt, ps->ssrc, ps->roc, ps->seq);
	data.base = p + ps->hdr;
	data.len = ps->plen;
	data.tot_len = ps->plen;
	tag.va = p + ps->hdr + ps->plen;
	if (rte_cryptodev_sym_cpu_crypto_process(d->dev_id, s->sess, ofs, &v) != 1)
		return !outbound && err == EBADMSG ? VR_CSRTP_AUTH : VR_CSRTP_DEVICE;
	if (outbound) {
		rte_pktmbuf_append(m, GCM_TAG);
		return VR_CSRTP_OK;
	}
	rte_pktmbuf_trim(m, GCM_TAG);
	return rtp_passed(s, ps);
}

/*
 * The lines of session sess the device reads for every packet: the first
 * of its driver data (after the session's own header line), where drivers
 * keep what every op needs, and the line d knows of.
 */
static inline void
prefetch_session(const struct vr_csrtp_dev *d, const void *sess)
{
	rte_prefetch0((const char *)sess + RTE_CACHE_LINE_SIZE);
	rte_prefetch0((const char *)sess + 2 * RTE_CACHE_LINE_SIZE);
	if (d->sess_line != 0)
		rte_prefetch0((const char *)sess + d->sess_line * RTE_CACHE_LINE_SIZE);
}

/* Fills op for RTP packet p[0..len) of stream s; returns a status, VR_CSRTP_OK when ready. */
static int
rtp_op(struct rte_crypto_op *op, struct rte_mbuf *m, uint16_t off, uint32_t len,
	struct vr_csrtp_stream *s, struct pkt_state *ps, int outbound)
{
	struct rte_crypto_sym_op *sym = op->sym;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	int gcm = s->suite == VR_SRTP_AEAD_AES_128_GCM;
	int rc = rtp_read(p, len, m, s, ps, outbound);

	if (rc != VR_CSRTP_OK)
		return rc;
	set_iv(op, s, s->salt, ps->ssrc, ps->roc, ps->seq);
	rte_crypto_op_attach_sym_session(op, s->sess);
	sym->m_src = m;
	if (gcm) {
		if (outbound)
			rte_pktmbuf_append(m, GCM_TAG);
		sym->aead.data.offset = off + ps->hdr;
		sym->aead.data.length = ps->plen;
		sym->aead.aad.data = p;
		sym->aead.aad.phys_addr = rte_pktmbuf_iova_offset(m, off);
		sym->aead.digest.data = p + ps->hdr + ps->plen;
		sym->aead.digest.phys_addr = rte_pktmbuf_iova_offset(m, off + ps->hdr + ps->plen);
	} else {
		uint8_t *dig = ctx_of(op)->digest;
		uint8_t *rocp = p + ps->hdr + ps->plen;

		/* The tag authenticates header, payload and ROC: the ROC goes where the
		 * tag is (is to be), the tag to the op's scratch. */
		if (outbound)
			rte_pktmbuf_append(m, 4);
		else
			memcpy(dig, rocp, CM_TAG);
		put32(rocp, ps->roc);
		sym->cipher.data.offset = off + ps->hdr;
		sym->cipher.data.length = ps->plen;
		sym->auth.data.offset = off;
		sym->auth.data.length = ps->hdr + ps->plen + 4;
		sym->auth.digest.data = dig;
		sym->auth.digest.phys_addr = rte_crypto_op_ctophys_offset(op, DIGEST_OFF);
	}
	return VR_CSRTP_OK;
}

/*
 * Queued op, back from the device: the outcome of its packet. The tag is
 * moved or removed, and the stream's index recorded, only for one that
 * passed.
 */
static uint8_t
finish(struct rte_crypto_op *op)
{
	struct op_ctx *c = ctx_of(op);
	struct vr_csrtp_stream *s = c->s;
	struct pkt_state *ps = &c->ps;
	struct rte_mbuf *m = op->sym->m_src;
	int gcm = s->suite == VR_SRTP_AEAD_AES_128_GCM, outbound = c->outbound;

	if (op->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
		/* The packet is dropped: whatever it holds now does not matter. */
		return op->status == RTE_CRYPTO_OP_STATUS_AUTH_FAILED ? VR_CSRTP_AUTH :
			VR_CSRTP_DEVICE;
	if (ps->rtcp) {
		uint8_t *tail = rte_pktmbuf_mtod_offset(m, uint8_t *, c->off + 8 + ps->plen);

		if (outbound && gcm) {
			/* ciphertext, tag, then E flag and index */
			rte_pktmbuf_append(m, 4);
			put32(tail + GCM_TAG, 0x80000000u | ps->idx);
		} else if (outbound) {
			/* ciphertext, E flag and index, then the tag */
			rte_pktmbuf_append(m, CM_TAG);
			memcpy(tail + 4, c->digest, CM_TAG);
		} else {
			/* Checked again: a copy of it queued before it may have passed. */
			struct vr_csrtp_ssrc *x = vr_sidx_get(s->ss, &s->n_ssrc, ps->ssrc);

			if (x == NULL)
				return VR_CSRTP_SSRC_LIMIT;
			if (vr_sidx_rtcp_check(x, ps->idx) < 0)
				return VR_CSRTP_REPLAY;
			rte_pktmbuf_trim(m, (uint16_t)((gcm ? GCM_TAG : CM_TAG) + 4));
			vr_sidx_rtcp_commit(x, ps->idx);
		}
		return VR_CSRTP_OK;
	}
	if (outbound) {
		if (!gcm) {
			uint8_t *rocp = rte_pktmbuf_mtod_offset(m, uint8_t *,
				c->off + ps->hdr + ps->plen);

			memcpy(rocp, c->digest, CM_TAG);
			rte_pktmbuf_append(m, CM_TAG - 4);
		}
		return VR_CSRTP_OK;
	}
	/* Checked again in rtp_passed: a copy of it queued before it may have passed. */
	rte_pktmbuf_trim(m, (uint16_t)(gcm ? GCM_TAG : CM_TAG));
	return (uint8_t)rtp_passed(s, ps);
}

unsigned int
vr_csrtp_submit(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts, const uint16_t *off,
	struct vr_csrtp_stream **st, const uint8_t *rtcp, const uint32_t *cookie, uint8_t *status,
	unsigned int n, int outbound)
{
	struct rte_crypto_op *ops[MAX_BURST], *live[MAX_BURST], *spare[MAX_BURST];
	struct pkt_state ps;
	uint8_t queued[MAX_BURST], at[MAX_BURST];
	unsigned int i, k, nq = 0, nl = 0, ns = 0, in;

	if (n > MAX_BURST)
		n = MAX_BURST;
	/* Every packet's session, a packet ahead: on the CPU path the next one's
	 * is read while this one's crypto runs; a queued op's, when the device
	 * takes it, a burst later or more. */
	if (n > 0)
		prefetch_session(d, st[0]->sess);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 1 < n)
			prefetch_session(d, st[i + 1]->sess);
		if (m->nb_segs != 1)
			status[i] = VR_CSRTP_BAD;
		else if (!vr_csrtp_queues(d, st[i], rtcp != NULL && rtcp[i]))
			status[i] = (uint8_t)rtp_cpu(d, m, off[i], m->data_len - off[i], st[i], &ps,
				outbound);
		else
			queued[nq++] = (uint8_t)i;
	}
	if (nq == 0)
		return 0;
	if (__atomic_load_n(&d->hung, __ATOMIC_RELAXED) ||
			rte_crypto_op_bulk_alloc(d->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops, nq) != nq) {
		for (k = 0; k < nq; k++)
			status[queued[k]] = VR_CSRTP_DEVICE;
		return 0;
	}
	for (k = 0; k < nq; k++) {
		struct op_ctx *c = ctx_of(ops[k]);
		struct rte_mbuf *m;
		uint32_t len;

		i = queued[k];
		m = pkts[i];
		len = m->data_len - off[i];
		c->s = st[i];
		c->off = off[i];
		c->cookie = cookie[i];
		c->outbound = (uint8_t)outbound;
		c->ps.rtcp = rtcp != NULL && rtcp[i];
		if (c->ps.rtcp)
			status[i] = (uint8_t)rtcp_op(ops[k], m, off[i], len, st[i], &c->ps, outbound);
		else
			status[i] = (uint8_t)rtp_op(ops[k], m, off[i], len, st[i], &c->ps, outbound);
		if (status[i] == VR_CSRTP_OK) {
			at[nl] = (uint8_t)i;
			live[nl++] = ops[k];
		} else {
			spare[ns++] = ops[k];
		}
	}
	in = nl > 0 ? rte_cryptodev_enqueue_burst(d->dev_id, qp, live, (uint16_t)nl) : 0;
	for (k = 0; k < in; k++)
		status[at[k]] = VR_CSRTP_QUEUED;
	for (k = in; k < nl; k++) {
		status[at[k]] = VR_CSRTP_DEVICE; /* the queue is full */
		spare[ns++] = live[k];
	}
	if (ns > 0)
		rte_mempool_put_bulk(d->op_pool, (void **)spare, ns);
	return in;
}

unsigned int
vr_csrtp_poll(struct vr_csrtp_dev *d, uint16_t qp, uint32_t *cookie, uint8_t *status,
	unsigned int max)
{
	struct rte_crypto_op *done[MAX_POLL];
	unsigned int i, got;

	got = rte_cryptodev_dequeue_burst(d->dev_id, qp, done,
		(uint16_t)(max < MAX_POLL ? max : MAX_POLL));
	for (i = 0; i < got; i++) {
		cookie[i] = ctx_of(done[i])->cookie;
		status[i] = finish(done[i]);
	}
	if (got > 0)
		rte_mempool_put_bulk(d->op_pool, (void **)done, got);
	return got;
}

/*
 * The burst's packets, done when this returns: submitted, then polled for
 * until every queued one is back (at most 1 s: then the device is marked
 * hung, and what it did not give back is VR_CSRTP_LOST).
 */
static void
burst(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts, const uint16_t *off,
	struct vr_csrtp_stream **st, const uint8_t *rtcp, uint8_t *status, unsigned int n,
	int outbound)
{
	uint32_t cookie[MAX_BURST], back[MAX_POLL];
	uint8_t res[MAX_POLL];
	unsigned int i, got, left;
	uint64_t end;

	if (n > MAX_BURST)
		n = MAX_BURST;
	for (i = 0; i < n; i++)
		cookie[i] = i;
	left = vr_csrtp_submit(d, qp, pkts, off, st, rtcp, cookie, status, n, outbound);
	end = rte_rdtsc() + rte_get_tsc_hz();
	while (left > 0) {
		got = vr_csrtp_poll(d, qp, back, res, left);
		for (i = 0; i < got; i++)
			status[back[i]] = res[i];
		left -= got;
		if (left > 0 && got == 0 && rte_rdtsc() > end) {
			__atomic_store_n(&d->hung, 1, __ATOMIC_RELAXED);
			for (i = 0; i < n; i++)
				if (status[i] == VR_CSRTP_QUEUED)
					status[i] = VR_CSRTP_LOST;
			return;
		}
	}
}

void
vr_csrtp_protect(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts, const uint16_t *off,
	struct vr_csrtp_stream **st, uint8_t *status, unsigned int n)
{
	burst(d, qp, pkts, off, st, NULL, status, n, 1);
}

void
vr_csrtp_unprotect(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, uint8_t *status, unsigned int n)
{
	burst(d, qp, pkts, off, st, NULL, status, n, 0);
}

void
vr_csrtp_protect_mixed(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, const uint8_t *rtcp, uint8_t *status,
	unsigned int n)
{
	burst(d, qp, pkts, off, st, rtcp, status, n, 1);
}

void
vr_csrtp_unprotect_mixed(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, const uint8_t *rtcp, uint8_t *status,
	unsigned int n)
{
	burst(d, qp, pkts, off, st, rtcp, status, n, 0);
}
