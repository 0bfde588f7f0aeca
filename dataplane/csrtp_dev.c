/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev SRTP engine's device (csrtp.h): picks one that does both
 * suites, sets it up with a queue pair per worker and one for the main
 * lcore, its session and operation pools, and stops it; and runs operations
 * to completion for key derivation. Main lcore only.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "csrtp.h"
#include "csrtp_op.h"

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

int
vr_csrtp_run(struct vr_csrtp_dev *d, uint16_t qp, struct rte_crypto_op **ops, unsigned int n)
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
