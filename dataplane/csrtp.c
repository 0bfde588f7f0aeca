/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP through a DPDK cryptodev (csrtp.h). The main lcore sets up the device
 * and each stream (its keys derived through the device itself: RFC 3711's
 * AES-CM PRF is AES-CTR over zeros); a worker lcore hands bursts of packets
 * to its own queue pair (vr_csrtp_submit) and takes them back as the device
 * finishes them (vr_csrtp_poll), possibly polls later: the worker leaves
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

#include <rte_bus_vdev.h>
#include <rte_byteorder.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

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

/* Does device id do AES-CTR-128 with HMAC-SHA1-80, and AES-GCM-128 with 16-byte tags? */
static int
supports(uint8_t id)
{
	struct rte_cryptodev_sym_capability_idx c = {
		.type = RTE_CRYPTO_SYM_XFORM_CIPHER, .algo.cipher = RTE_CRYPTO_CIPHER_AES_CTR,
	};
	struct rte_cryptodev_sym_capability_idx a = {
		.type = RTE_CRYPTO_SYM_XFORM_AUTH, .algo.auth = RTE_CRYPTO_AUTH_SHA1_HMAC,
	};
	struct rte_cryptodev_sym_capability_idx g = {
		.type = RTE_CRYPTO_SYM_XFORM_AEAD, .algo.aead = RTE_CRYPTO_AEAD_AES_GCM,
	};
	const struct rte_cryptodev_symmetric_capability *cc, *ac, *gc;

	cc = rte_cryptodev_sym_capability_get(id, &c);
	ac = rte_cryptodev_sym_capability_get(id, &a);
	gc = rte_cryptodev_sym_capability_get(id, &g);
	return cc != NULL && ac != NULL && gc != NULL &&
		rte_cryptodev_sym_capability_check_cipher(cc, 16, 16) == 0 &&
		rte_cryptodev_sym_capability_check_auth(ac, 20, CM_TAG, 0) == 0 &&
		rte_cryptodev_sym_capability_check_aead(gc, 16, GCM_TAG, 12, 12) == 0;
}

int
vr_csrtp_dev_pick(char *name, size_t len)
{
	uint8_t id;

	for (id = 0; id < rte_cryptodev_count(); id++) {
		if (supports(id)) {
			snprintf(name, len, "%s", rte_cryptodev_name_get(id));
			return 0;
		}
	}
	return -ENODEV;
}

int
vr_csrtp_dev_init(struct vr_csrtp_dev *d, const char *name, uint16_t n_qp, uint32_t max_streams,
	int socket)
{
	struct rte_cryptodev_config conf = { .socket_id = socket, .nb_queue_pairs = n_qp };
	struct rte_cryptodev_qp_conf qc = { .nb_descriptors = 2048 };
	struct rte_cryptodev_info info;
	char pname[64];
	int id;
	uint16_t q;

	memset(d, 0, sizeof(*d));
	id = rte_cryptodev_get_dev_id(name);
	if (id < 0) {
		char args[64];

		snprintf(args, sizeof(args), "max_nb_queue_pairs=%u,socket_id=%d", n_qp,
			socket < 0 ? 0 : socket);
		if (rte_vdev_init(name, args) != 0)
			return -ENODEV;
		id = rte_cryptodev_get_dev_id(name);
		if (id < 0)
			return -ENODEV;
	}
	d->dev_id = (uint8_t)id;
	d->n_qp = n_qp;
	if (!supports(d->dev_id))
		return -ENOTSUP;
	rte_cryptodev_info_get(d->dev_id, &info);
	d->cpu_gcm = (info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO) != 0;
	/* ipsec-mb's session (DPDK 22.11 with ipsec-mb 1.3) keeps its auth
	 * algorithm and HMAC inner pad in line 17, behind the cipher keys'
	 * union: read for every op, and a cache miss with thousands of
	 * sessions (AES-CM through the queue: 13 cycles a packet less). */
	if (strcmp(info.driver_name, "crypto_aesni_mb") == 0)
		d->sess_line = 17;
	snprintf(pname, sizeof(pname), "vr_csess_%d", id);
	/* Two sessions per stream (each direction), one more for key derivation. */
	d->max_parked = 2 * max_streams + 64;
	d->sess_pool = rte_cryptodev_sym_session_pool_create(pname, d->max_parked,
		rte_cryptodev_sym_get_private_session_size(d->dev_id), 0, 0, socket);
	snprintf(pname, sizeof(pname), "vr_cops_%d", id);
	d->op_pool = rte_crypto_op_pool_create(pname, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
		4096 * n_qp, 128, OP_PRIV, socket);
	/* Room to park every session of the pool (vr_csrtp_stream_fini). */
	d->parked = rte_zmalloc_socket("vr_csrtp_parked", d->max_parked * sizeof(void *), 0,
		socket);
	if (d->sess_pool == NULL || d->op_pool == NULL || d->parked == NULL)
		goto nomem;
	qc.mp_session = d->sess_pool;
	if (rte_cryptodev_configure(d->dev_id, &conf) < 0)
		goto fail;
	for (q = 0; q < n_qp; q++)
		if (rte_cryptodev_queue_pair_setup(d->dev_id, q, &qc, socket) < 0)
			goto fail;
	if (rte_cryptodev_start(d->dev_id) < 0)
		goto fail;
	d->started = 1;
	return 0;
nomem:
	vr_csrtp_dev_fini(d);
	return -ENOMEM;
fail:
	vr_csrtp_dev_fini(d);
	return -EIO;
}

void
vr_csrtp_dev_stop(struct vr_csrtp_dev *d)
{
	if (d->started)
		rte_cryptodev_stop(d->dev_id);
	d->started = 0;
	while (d->n_parked > 0)
		rte_cryptodev_sym_session_free(d->dev_id, d->parked[--d->n_parked]);
}

void
vr_csrtp_dev_fini(struct vr_csrtp_dev *d)
{
	vr_csrtp_dev_stop(d);
	rte_mempool_free(d->op_pool);
	rte_mempool_free(d->sess_pool);
	rte_free(d->parked);
	d->op_pool = NULL;
	d->sess_pool = NULL;
	d->parked = NULL;
	d->max_parked = 0;
}

/*
 * Runs ops[0..n) through queue pair qp and waits for all of them (at most
 * 1 s; then the device is marked hung). For key derivation, main lcore.
 */
static int
run(struct vr_csrtp_dev *d, uint16_t qp, struct rte_crypto_op **ops, unsigned int n)
{
	struct rte_crypto_op *done[MAX_BURST];
	unsigned int in = 0, out = 0;
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz();

	while (out < n) {
		if (in < n)
			in += rte_cryptodev_enqueue_burst(d->dev_id, qp, ops + in, (uint16_t)(n - in));
		out += rte_cryptodev_dequeue_burst(d->dev_id, qp, done, (uint16_t)(n - out));
		if (out < n && rte_rdtsc() > end) {
			__atomic_store_n(&d->hung, 1, __ATOMIC_RELAXED);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/*
 * RFC 3711 4.3.1 (and RFC 7714 11): len bytes of the AES-CM PRF keyed with
 * master[0..16) for label, with the 14-byte (GCM: 12, zero-padded) master
 * salt, key derivation rate 0.
 */
int
vr_csrtp_derive(struct vr_csrtp_dev *d, const uint8_t *key, const uint8_t *salt14, uint8_t label,
	uint8_t *out, unsigned int len)
{
	static struct rte_mempool *mp;
	struct rte_crypto_sym_xform x = {
		.type = RTE_CRYPTO_SYM_XFORM_CIPHER,
		.cipher = {
			.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT,
			.algo = RTE_CRYPTO_CIPHER_AES_CTR,
			.key = { .data = key, .length = 16 },
			.iv = { .offset = IV_OFF, .length = 16 },
		},
	};
	struct rte_crypto_op *op = NULL;
	struct rte_mbuf *m = NULL;
	uint8_t *iv, *buf;
	void *sess;
	int rc = -EIO;

	if (len > 32)
		return -EINVAL;
	if (mp == NULL) {
		mp = rte_pktmbuf_pool_create("vr_csrtp_kdf", 63, 0, 0, 256, SOCKET_ID_ANY);
		if (mp == NULL)
			return -ENOMEM;
	}
	sess = rte_cryptodev_sym_session_create(d->dev_id, &x, d->sess_pool);
	if (sess == NULL)
		return -ENOMEM;
	op = rte_crypto_op_alloc(d->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	m = rte_pktmbuf_alloc(mp);
	if (op == NULL || m == NULL)
		goto out;
	buf = (uint8_t *)rte_pktmbuf_append(m, 32);
	if (buf == NULL)
		goto out;
	memset(buf, 0, 32);
	iv = rte_crypto_op_ctod_offset(op, uint8_t *, IV_OFF);
	memcpy(iv, salt14, 14);
	iv[14] = iv[15] = 0;
	iv[7] ^= label;   /* key_id = label || r, right-aligned in the 112-bit salt */
	rte_crypto_op_attach_sym_session(op, sess);
	op->sym->m_src = m;
	op->sym->cipher.data.offset = 0;
	op->sym->cipher.data.length = 32;
	if (__atomic_load_n(&d->hung, __ATOMIC_RELAXED))
		goto out;
	if (run(d, (uint16_t)(d->n_qp - 1), &op, 1) < 0)
		return -EIO; /* the op, its mbuf and the session stay with the device */
	if (op->status == RTE_CRYPTO_OP_STATUS_SUCCESS) {
		memcpy(out, buf, len);
		rc = 0;
	}
	memset(buf, 0, 32);
out:
	rte_pktmbuf_free(m);
	rte_crypto_op_free(op);
	rte_cryptodev_sym_session_free(d->dev_id, sess);
	return rc;
}

/* A device session for suite with keys ekey/akey, protecting or unprotecting; NULL on failure. */
static void *
session(struct vr_csrtp_dev *d, uint8_t suite, const uint8_t *ekey, const uint8_t *akey,
	int outbound)
{
	struct rte_crypto_sym_xform x[2];

	memset(x, 0, sizeof(x));
	if (suite == VR_SRTP_AEAD_AES_128_GCM) {
		x[0].type = RTE_CRYPTO_SYM_XFORM_AEAD;
		x[0].aead.op = outbound ? RTE_CRYPTO_AEAD_OP_ENCRYPT : RTE_CRYPTO_AEAD_OP_DECRYPT;
		x[0].aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
		x[0].aead.key.data = ekey;
		x[0].aead.key.length = 16;
		x[0].aead.iv.offset = IV_OFF;
		x[0].aead.iv.length = 12;
		x[0].aead.digest_length = GCM_TAG;
		/* RTP: a 12-byte header; RTCP: 8 bytes of header and the index word. */
		x[0].aead.aad_length = 12;
	} else if (suite == VR_SRTP_AES_CM_128_HMAC_SHA1_80) {
		struct rte_crypto_sym_xform *c = outbound ? &x[0] : &x[1];
		struct rte_crypto_sym_xform *a = outbound ? &x[1] : &x[0];

		/* Protect: encrypt, then MAC; unprotect: verify, then decrypt. */
		c->type = RTE_CRYPTO_SYM_XFORM_CIPHER;
		c->cipher.op = outbound ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
		c->cipher.algo = RTE_CRYPTO_CIPHER_AES_CTR;
		c->cipher.key.data = ekey;
		c->cipher.key.length = 16;
		c->cipher.iv.offset = IV_OFF;
		c->cipher.iv.length = 16;
		a->type = RTE_CRYPTO_SYM_XFORM_AUTH;
		a->auth.op = outbound ? RTE_CRYPTO_AUTH_OP_GENERATE : RTE_CRYPTO_AUTH_OP_VERIFY;
		a->auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
		a->auth.key.data = akey;
		a->auth.key.length = 20;
		a->auth.digest_length = CM_TAG;
		x[0].next = &x[1];
	} else {
		return NULL;
	}
	return rte_cryptodev_sym_session_create(d->dev_id, x, d->sess_pool);
}

int
vr_csrtp_stream_init_keys(struct vr_csrtp_dev *d, struct vr_csrtp_stream *s, uint8_t suite,
	const uint8_t *ekey, const uint8_t *akey, const uint8_t *salt, int outbound)
{
	memset(s, 0, sizeof(*s));
	s->suite = suite;
	memcpy(s->salt, salt, suite == VR_SRTP_AEAD_AES_128_GCM ? 12 : 14);
	s->sess = session(d, suite, ekey, akey, outbound);
	return s->sess != NULL ? 0 : -ENOMEM;
}

int
vr_csrtp_stream_init(struct vr_csrtp_dev *d, struct vr_csrtp_stream *s, const struct vr_srtp_key *k,
	enum vr_tun_dir dir, uint32_t channel, uint64_t epoch, int outbound)
{
	uint8_t salt14[14] = { 0 }, ekey[16], akey[20], ssalt[14];
	size_t slen = k->suite == VR_SRTP_AES_CM_128_HMAC_SHA1_80 ? 14 : 12;
	int rc;

	memset(s, 0, sizeof(*s));
	if (k->suite != VR_SRTP_AES_CM_128_HMAC_SHA1_80 && k->suite != VR_SRTP_AEAD_AES_128_GCM)
		return -EINVAL;
	/* A 12-byte (GCM) master salt enters the derivation padded with zeros. */
	memcpy(salt14, k->master + 16, slen);
	vr_tun_salt_tweak(salt14, slen, dir, channel, epoch);
	if (vr_csrtp_derive(d, k->master, salt14, 0, ekey, 16) < 0 ||
			vr_csrtp_derive(d, k->master, salt14, 2, ssalt, (unsigned int)slen) < 0 ||
			(k->suite == VR_SRTP_AES_CM_128_HMAC_SHA1_80 &&
				vr_csrtp_derive(d, k->master, salt14, 1, akey, 20) < 0))
		return -EIO;
	rc = vr_csrtp_stream_init_keys(d, s, k->suite, ekey, akey, ssalt, outbound);
	/* SRTCP's keys: labels 3, 4 and 5 (RFC 3711 4.3.2). */
	if (rc == 0 && (vr_csrtp_derive(d, k->master, salt14, 3, ekey, 16) < 0 ||
			vr_csrtp_derive(d, k->master, salt14, 5, s->rtcp_salt, (unsigned int)slen) < 0 ||
			(k->suite == VR_SRTP_AES_CM_128_HMAC_SHA1_80 &&
				vr_csrtp_derive(d, k->master, salt14, 4, akey, 20) < 0)))
		rc = -EIO;
	if (rc == 0) {
		s->rtcp_sess = session(d, k->suite, ekey, akey, outbound);
		if (s->rtcp_sess == NULL)
			rc = -ENOMEM;
	}
	memset(ekey, 0, sizeof(ekey));
	memset(akey, 0, sizeof(akey));
	if (rc < 0)
		vr_csrtp_stream_fini(d, s);
	return rc;
}

/*
 * Frees sess, unless the device was given up while running: it may still
 * hold operations on sess, so sess waits for vr_csrtp_dev_stop. A relaxed
 * load suffices: an lcore that gave the device up with packets of sess in
 * it set hung before the quiescent report that ended the caller's grace
 * period (tunnel.c: hung, then lose_all); any other lcore had none of
 * them in the device at its report.
 */
static void
session_release(struct vr_csrtp_dev *d, void *sess)
{
	if (sess == NULL)
		return;
	if (d->started && __atomic_load_n(&d->hung, __ATOMIC_RELAXED)) {
		/* Cannot fill (a slot per session of the pool); if it did, the
		 * session would be left in the pool rather than freed under
		 * the device. */
		if (d->n_parked < d->max_parked)
			d->parked[d->n_parked++] = sess;
		return;
	}
	rte_cryptodev_sym_session_free(d->dev_id, sess);
}

void
vr_csrtp_stream_fini(struct vr_csrtp_dev *d, struct vr_csrtp_stream *s)
{
	session_release(d, s->sess);
	session_release(d, s->rtcp_sess);
	memset(s, 0, sizeof(*s));
}

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
