/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP on a DPDK cryptodev (the ipsec-mb software device where the CPU has
 * AES-NI, a hardware device where present): the relay does what libsrtp
 * would around the cipher (RFC 3711 key derivation, packet index, rollover
 * counter, replay window, IVs; RFC 7714 for AEAD_AES_128_GCM) and the device
 * does the crypto, a burst of packets per call through a queue pair. On a
 * software device that offers it (RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO, as
 * crypto_aesni_mb does), GCM's RTP goes through the device's synchronous
 * CPU-crypto entry instead, a packet at a time (see csrtp.c). Streams are keyed as
 * dataplane/srtp.c keys its libsrtp sessions (vr_tun_salt_tweak), so the two
 * engines interoperate packet for packet. A stream is created and freed by
 * the main lcore and used by one lcore at a time; each lcore has its own
 * queue pair.
 */
#ifndef VR_DP_CSRTP_H
#define VR_DP_CSRTP_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "srtp.h"
#include "srtpidx.h"

/* A cryptodev set up for SRTP: the device, its pools. */
struct vr_csrtp_dev {
	uint8_t dev_id;
	/* Set by vr_csrtp_dev_init when the device has synchronous CPU crypto:
	 * GCM's RTP goes that way (tests clear it to use the queue pair). */
	uint8_t cpu_gcm;
	/* Set by the lcore whose queue pair stopped answering (1 s): the queue
	 * pairs are not used again, their packets fail with VR_CSRTP_DEVICE,
	 * and the sessions freed from then on are parked until it is stopped. */
	uint8_t hung;
	uint8_t started;  /* main lcore: between rte_cryptodev_start and _stop */
	/* A further line of a session that the driver reads for every op, to
	 * prefetch with the first two (0: none known). */
	uint8_t sess_line;
	uint16_t n_qp;
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool;
	/* Main lcore only: the sessions vr_csrtp_stream_fini did not free
	 * because the device was hung and still running. It may hold
	 * operations on them (their packets were left to it), and a driver's
	 * session free releases what the session points to, so they are freed
	 * only once the device is stopped (vr_csrtp_dev_stop). One slot per
	 * session of sess_pool: it cannot fill. */
	void **parked;
	uint32_t n_parked, max_parked;
};

/*
 * One direction of one stream: its session, keys and the index state of
 * each SSRC it has carried (at most VR_SRTP_SSRC_MAX, kept while the keys
 * live: a further SSRC is refused, VR_CSRTP_SSRC_LIMIT). Receiving, an
 * index seen under an SSRC is refused (replay); sending, an index already
 * sent under an SSRC is refused too, so that no two packets are ever
 * encrypted under the same key and IV, whatever the sender sends.
 */
struct vr_csrtp_stream {
	void *sess;                    /* cryptodev session (cipher+auth, or AEAD) */
	uint8_t suite;                 /* enum vr_srtp_suite */
	uint8_t n_ssrc;                /* ss[0..n_ssrc) in use */
	uint8_t salt[16];              /* session salt: 14 bytes (12 for GCM), then zeros */
	struct vr_csrtp_ssrc ss[VR_SRTP_SSRC_MAX];
	/* SRTCP (RFC 3711 3.4; RFC 7714 9): its own keys; index and window per SSRC above. */
	void *rtcp_sess;
	uint8_t rtcp_salt[16];
};

/* Results of vr_csrtp_protect / vr_csrtp_unprotect per packet. */
enum vr_csrtp_status {
	VR_CSRTP_OK = 0,
	VR_CSRTP_AUTH,     /* the tag did not verify */
	VR_CSRTP_REPLAY,   /* index seen, or older than the window */
	VR_CSRTP_BAD,      /* not an RTP packet this engine handles, or no room */
	VR_CSRTP_DEVICE,   /* the device refused or failed the operation */
	VR_CSRTP_LOST,     /* the device did not answer: it may still write the mbuf, so
	                    * the caller must not free or reuse it (it is leaked) */
	VR_CSRTP_QUEUED,   /* vr_csrtp_submit: the device has it; vr_csrtp_poll gives
	                    * its outcome */
	VR_CSRTP_SSRC_LIMIT, /* a new SSRC on a stream that has carried VR_SRTP_SSRC_MAX */
};

/*
 * Creates (or finds) the cryptodev named name (a vdev such as
 * "crypto_aesni_mb" is created if it does not exist) with n_qp queue pairs
 * and room for max_streams sessions, and starts it. 0 or a negative errno.
 */
int vr_csrtp_dev_init(struct vr_csrtp_dev *d, const char *name, uint16_t n_qp,
	uint32_t max_streams, int socket);

/*
 * The first crypto device the EAL already has (a hardware one probed on the
 * bus, or a --vdev) that does both suites' transforms: its name in name.
 * 0, or -ENODEV when there is none.
 */
int vr_csrtp_dev_pick(char *name, size_t len);

/*
 * Stops the device (from then on it reads no session) and frees the
 * sessions parked while it was hung; a stopped device's sessions are freed
 * at once. Main lcore. vr_csrtp_dev_fini does it first; again, it does
 * nothing.
 */
void vr_csrtp_dev_stop(struct vr_csrtp_dev *d);
void vr_csrtp_dev_fini(struct vr_csrtp_dev *d);

/*
 * Derives the session keys of key k for (dir, channel, epoch) (RFC 3711
 * 4.3, with the tunnel's salt tweak) and creates the stream's device
 * session, for protecting (outbound) or unprotecting. 0 or a negative errno.
 */
int vr_csrtp_stream_init(struct vr_csrtp_dev *d, struct vr_csrtp_stream *s,
	const struct vr_srtp_key *k, enum vr_tun_dir dir, uint32_t channel, uint64_t epoch,
	int outbound);

/*
 * Frees the stream's sessions, or parks them in d when the device is hung
 * and still running (see struct vr_csrtp_dev). The caller makes sure no
 * lcore can hand the device a packet of s any more (a grace period); an
 * lcore sets d->hung before it reports the quiescent state that ends it.
 */
void vr_csrtp_stream_fini(struct vr_csrtp_dev *d, struct vr_csrtp_stream *s);

/*
 * A stream from session keys already derived: ekey (16 bytes), akey (20,
 * AES_CM_128_HMAC_SHA1_80 only), salt (14, or 12 for GCM). For published
 * test vectors, which give session keys. 0 or a negative errno.
 */
int vr_csrtp_stream_init_keys(struct vr_csrtp_dev *d, struct vr_csrtp_stream *s, uint8_t suite,
	const uint8_t *ekey, const uint8_t *akey, const uint8_t *salt, int outbound);

/*
 * RFC 3711 4.3.1's AES-CM PRF, on the device: len (at most 32) bytes for
 * label from master key key (16 bytes) and master salt salt14 (14 bytes; a
 * 12-byte GCM salt zero-padded), key derivation rate 0. 0 or a negative
 * errno. Main lcore (it uses the device's last queue pair).
 */
int vr_csrtp_derive(struct vr_csrtp_dev *d, const uint8_t *key, const uint8_t *salt14,
	uint8_t label, uint8_t *out, unsigned int len);

/*
 * Protects or unprotects n RTP packets in place on queue pair qp: pkts[i]
 * holds an RTP (or SRTP) packet at byte offset off[i] to the end of the
 * mbuf, for stream st[i]. Protecting appends the tag (the mbufs need that
 * much tailroom); unprotecting removes it. status[i] gets the outcome.
 * Unprotecting, the streams' index state moves only for packets that
 * passed; protecting, an index is taken when the packet is handed over,
 * whatever becomes of it, so that it is never used again. n is at most 64.
 */
void vr_csrtp_protect(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, uint8_t *status, unsigned int n);
void vr_csrtp_unprotect(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, uint8_t *status, unsigned int n);

/*
 * As vr_csrtp_protect / vr_csrtp_unprotect, with rtcp[i] saying that packet
 * i is RTCP (SRTCP: its own keys and index; the trailer carries the E flag
 * and the index, before the tag for AES-CM, after it for GCM).
 */
void vr_csrtp_protect_mixed(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, const uint8_t *rtcp, uint8_t *status,
	unsigned int n);
void vr_csrtp_unprotect_mixed(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, const uint8_t *rtcp, uint8_t *status,
	unsigned int n);

/*
 * The same work split in two, for a worker that keeps packets in the device
 * across its polls instead of waiting for each burst: a software device
 * like ipsec-mb fills HMAC-SHA1's multi-buffer lanes with the next burst's
 * packets instead of flushing them half empty. vr_csrtp_submit protects
 * (outbound) or unprotects n packets as vr_csrtp_*_mixed do (rtcp may be
 * NULL), except that a packet the device queued gets status
 * VR_CSRTP_QUEUED: its outcome comes later from vr_csrtp_poll, with
 * cookie[i]. Others (GCM's RTP on the CPU-crypto entry, refusals) have
 * their final status already. Returns how many were queued; n is at most
 * 64. vr_csrtp_poll gives up to max outcomes of queued packets (cookie and
 * status), in the order the device finishes them (ipsec-mb: the order they
 * were queued), and returns how many: the device may keep some until a
 * later poll, but a poll that finds none finished makes it finish what it
 * holds. A queue pair is used either this way or through the calls above,
 * not both. vr_csrtp_queues tells whether vr_csrtp_submit queues a packet
 * of stream s (else it finishes it at once).
 */
static inline int
vr_csrtp_queues(const struct vr_csrtp_dev *d, const struct vr_csrtp_stream *s, int rtcp)
{
	return rtcp || !d->cpu_gcm || s->suite != VR_SRTP_AEAD_AES_128_GCM;
}

unsigned int vr_csrtp_submit(struct vr_csrtp_dev *d, uint16_t qp, struct rte_mbuf **pkts,
	const uint16_t *off, struct vr_csrtp_stream **st, const uint8_t *rtcp,
	const uint32_t *cookie, uint8_t *status, unsigned int n, int outbound);
unsigned int vr_csrtp_poll(struct vr_csrtp_dev *d, uint16_t qp, uint32_t *cookie,
	uint8_t *status, unsigned int max);

#endif /* VR_DP_CSRTP_H */
