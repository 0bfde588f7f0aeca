/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev SRTP engine's streams (csrtp.h): a stream's session keys,
 * derived through the device itself (RFC 3711's AES-CM PRF is AES-CTR over
 * zeros), its device sessions, and their release, parked until the device
 * stops when it was given up as hung. Main lcore only; a worker then uses
 * the stream (csrtp.c).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "csrtp.h"
#include "csrtp_op.h"

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
	if (vr_csrtp_run(d, (uint16_t)(d->n_qp - 1), &op, 1) < 0)
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
