/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr-csrtp-bench: the cryptodev SRTP engine (dataplane/csrtp.c) on one core,
 * beside vr-srtp-bench's libsrtp figure: protects, then unprotects, --count
 * RTP packets of --payload bytes in bursts of 32, round robin over --streams
 * streams, on the --device cryptodev (default the software ipsec-mb one), and
 * prints one JSON line: nanoseconds per packet for each and their mean.
 * Bounded by --count. Every packet has a buffer of its own, so its data
 * comes from memory, as does a session's when there are many streams;
 * with --warm, 256 buffers are used over and over (the sequence numbers
 * moved on between rounds, untimed), so that what is timed is the
 * engine's and the device's own work on data in the cache, as a worker
 * finds a burst a NIC just wrote: the figure to set beside
 * dpdk-test-crypto-perf's, which works the same way.
 *
 * Usage: vr-csrtp-bench [EAL options] -- [--suite S] [--count N] [--payload B]
 *                       [--streams N] [--device NAME] [--warm]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "dataplane/csrtp.h"

/*
 * Packets m[0..n) (packet i the (first + i)th of the run) protected
 * (outbound) or unprotected in bursts of 32, round robin over streams
 * s[0..n_streams): the cycles it took; the packets that failed are added
 * to *bad.
 */
static uint64_t
timed_pass(struct vr_csrtp_dev *dev, struct rte_mbuf **m, unsigned long n, unsigned long first,
	struct vr_csrtp_stream *s, unsigned long n_streams, int outbound, uint64_t *bad)
{
	struct vr_csrtp_stream *sp[32];
	uint16_t off[32] = { 0 };
	uint8_t st[32];
	unsigned long i, j;
	uint64_t t0 = rte_rdtsc();

	for (i = 0; i < n; i += 32) {
		for (j = 0; j < 32; j++)
			sp[j] = &s[(first + i + j) % n_streams];
		if (outbound)
			vr_csrtp_protect(dev, 0, m + i, off, sp, st, 32);
		else
			vr_csrtp_unprotect(dev, 0, m + i, off, sp, st, 32);
		for (j = 0; j < 32; j++)
			*bad += st[j] != VR_CSRTP_OK;
	}
	return rte_rdtsc() - t0;
}

int
main(int argc, char **argv)
{
	enum vr_srtp_suite suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80;
	unsigned long count = 200000, payload = 160, streams = 1, nbuf, i, r;
	int warm = 0;
	const char *devname = "crypto_aesni_mb";
	struct vr_srtp_key k = { 0 };
	struct vr_csrtp_dev dev;
	struct vr_csrtp_stream *tx, *rx;
	struct rte_mempool *mp;
	struct rte_mbuf **m;
	uint64_t t_prot, t_unprot, hz, bad = 0;
	int ret = rte_eal_init(argc, argv);

	if (ret < 0)
		return 1;
	for (int a = ret + 1; a < argc; a++) {
		if (strcmp(argv[a], "--suite") == 0 && a + 1 < argc)
			suite = vr_srtp_suite_parse(argv[++a]);
		else if (strcmp(argv[a], "--count") == 0 && a + 1 < argc)
			count = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--payload") == 0 && a + 1 < argc)
			payload = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--streams") == 0 && a + 1 < argc)
			streams = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--device") == 0 && a + 1 < argc)
			devname = argv[++a];
		else if (strcmp(argv[a], "--warm") == 0)
			warm = 1;
		else
			suite = 0;
	}
	if (suite == 0 || count < 1024 || count > 1000000 || payload > 1400 || streams < 1 ||
			streams > 20000) {
		fprintf(stderr, "usage: vr-csrtp-bench [EAL options] -- [--suite S] [--count 1024-1000000] "
			"[--payload BYTES] [--streams 1-20000] [--device NAME] [--warm]\n");
		return 2;
	}
	count &= ~255ul;
	nbuf = warm ? 256 : count;
	if (vr_csrtp_dev_init(&dev, devname, 2, (uint32_t)(2 * streams), 0) < 0) {
		fprintf(stderr, "vr-csrtp-bench: no crypto device '%s'\n", devname);
		return 1;
	}
	k.suite = (uint8_t)suite;
	for (i = 0; i < sizeof(k.master); i++)
		k.master[i] = (uint8_t)(i * 31 + 7);
	tx = calloc(streams, sizeof(*tx));
	rx = calloc(streams, sizeof(*rx));
	m = calloc(nbuf, sizeof(*m));
	mp = rte_pktmbuf_pool_create("b_mbufs", (unsigned int)nbuf + 1023, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (tx == NULL || rx == NULL || m == NULL || mp == NULL ||
			rte_pktmbuf_alloc_bulk(mp, m, (unsigned int)nbuf) != 0)
		return 1;
	for (i = 0; i < streams; i++)
		if (vr_csrtp_stream_init(&dev, &tx[i], &k, VR_TUN_UP, (uint32_t)i + 1, 1, 1) < 0 ||
				vr_csrtp_stream_init(&dev, &rx[i], &k, VR_TUN_UP, (uint32_t)i + 1, 1, 0) < 0)
			return 1;
	for (i = 0; i < nbuf; i++) {
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m[i], (uint16_t)(12 + payload));

		memset(p, (int)(i & 0xff), 12 + payload);
		p[0] = 0x80;
		p[1] = 8;
		p[8] = 0x12;
	}
	hz = rte_get_tsc_hz();
	t_prot = t_unprot = 0;
	/* Rounds of nbuf packets (one round without --warm): each protected,
	 * then unprotected, which gives back the packet as it was. */
	for (r = 0; r < count / nbuf; r++) {
		for (i = 0; i < nbuf; i++) {
			uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
			uint16_t seq = (uint16_t)((r * nbuf + i) / streams);
			uint32_t ssrc = 0x12000000u + (uint32_t)((r * nbuf + i) % streams);

			/* One SSRC per stream, as a phone's: the engine refuses a
			 * stream's ninth SSRC (VR_SRTP_SSRC_MAX). */
			p[2] = (uint8_t)(seq >> 8);
			p[3] = (uint8_t)seq;
			p[8] = (uint8_t)(ssrc >> 24);
			p[9] = (uint8_t)(ssrc >> 16);
			p[10] = (uint8_t)(ssrc >> 8);
			p[11] = (uint8_t)ssrc;
		}
		t_prot += timed_pass(&dev, m, nbuf, r * nbuf, tx, streams, 1, &bad);
		t_unprot += timed_pass(&dev, m, nbuf, r * nbuf, rx, streams, 0, &bad);
	}
	printf("{\"engine\":\"cryptodev\",\"device\":\"%s\",\"suite\":\"%s\",\"payload\":%lu,"
		"\"warm\":%d,\"streams\":%lu,\"count\":%lu,\"failed\":%lu,\"protect_ns\":%.1f,\"unprotect_ns\":%.1f,"
		"\"op_ns\":%.1f}\n", devname, vr_srtp_suite_name(suite), payload, warm, streams, count,
		(unsigned long)bad, (double)t_prot * 1e9 / (double)hz / (double)count,
		(double)t_unprot * 1e9 / (double)hz / (double)count,
		(double)(t_prot + t_unprot) * 1e9 / (double)hz / (2.0 * (double)count));
	for (i = 0; i < nbuf; i++)
		rte_pktmbuf_free(m[i]);
	for (i = 0; i < streams; i++) {
		vr_csrtp_stream_fini(&dev, &tx[i]);
		vr_csrtp_stream_fini(&dev, &rx[i]);
	}
	vr_csrtp_dev_fini(&dev);
	rte_eal_cleanup();
	return bad != 0;
}
