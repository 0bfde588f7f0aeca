/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr-srtp-bench: raw libsrtp throughput on one core, the reference that
 * bench/run.sh divides the relay's SBC tunnel termination by. Protects, then
 * unprotects, --count RTP packets of --payload bytes, round robin over
 * --streams sessions of the suite (one per stream, keyed as the relay keys
 * them, dataplane/srtp.c), and prints one JSON line: nanoseconds and million
 * packets per second for each, and their mean, the cost of one SRTP
 * operation. Bounded by --count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/srtp.h"

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	enum vr_srtp_suite suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80;
	unsigned long count = 200000, payload = 160, streams = 1, i;
	struct vr_srtp_key k = { 0 };
	uint64_t t0, t_prot, t_unprot;
	size_t stride;
	uint8_t *buf;
	int *len;
	srtp_t *tx, *rx;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--suite") == 0 && a + 1 < argc) {
			suite = vr_srtp_suite_parse(argv[++a]);
			if (suite == 0) {
				fprintf(stderr, "vr-srtp-bench: --suite: '%s' is not a suite\n", argv[a]);
				return 2;
			}
		} else if (strcmp(argv[a], "--count") == 0 && a + 1 < argc) {
			count = strtoul(argv[++a], NULL, 10);
		} else if (strcmp(argv[a], "--payload") == 0 && a + 1 < argc) {
			payload = strtoul(argv[++a], NULL, 10);
		} else if (strcmp(argv[a], "--streams") == 0 && a + 1 < argc) {
			streams = strtoul(argv[++a], NULL, 10);
		} else {
			fprintf(stderr, "usage: vr-srtp-bench [--suite S] [--count N] [--payload BYTES] "
				"[--streams N]\n");
			return 2;
		}
	}
	if (count < 1000 || count > 2000000 || payload > 1400 || streams < 1 || streams > 100000) {
		fprintf(stderr, "vr-srtp-bench: --count 1000-2000000, --payload up to 1400, "
			"--streams 1-100000\n");
		return 2;
	}
	if (vr_srtp_init() < 0)
		return 1;
	k.suite = (uint8_t)suite;
	for (i = 0; i < sizeof(k.master); i++)
		k.master[i] = (uint8_t)(i * 31 + 7);
	tx = calloc(streams, sizeof(*tx));
	rx = calloc(streams, sizeof(*rx));
	if (tx == NULL || rx == NULL)
		return 1;
	for (i = 0; i < streams; i++) {
		tx[i] = vr_srtp_stream_new(&k, VR_TUN_UP, (uint32_t)i + 1, 1, 0);
		rx[i] = vr_srtp_stream_new(&k, VR_TUN_UP, (uint32_t)i + 1, 1, 1);
		if (tx[i] == NULL || rx[i] == NULL)
			return 1;
	}
	stride = (12 + payload + SRTP_MAX_TRAILER_LEN + 63) & ~(size_t)63;
	buf = malloc(stride * count);
	len = malloc(sizeof(*len) * count);
	if (buf == NULL || len == NULL)
		return 1;
	for (i = 0; i < count; i++) {
		uint8_t *p = buf + i * stride;

		memset(p, (int)(i & 0xff), 12 + payload);
		p[0] = 0x80;
		p[1] = 8;
		p[2] = (uint8_t)((i / streams) >> 8);
		p[3] = (uint8_t)(i / streams);
		p[8] = 0x12;
		len[i] = (int)(12 + payload);
	}
	t0 = now_ns();
	for (i = 0; i < count; i++)
		if (srtp_protect(tx[i % streams], buf + i * stride, &len[i]) != srtp_err_status_ok)
			return 1;
	t_prot = now_ns() - t0;
	t0 = now_ns();
	for (i = 0; i < count; i++)
		if (srtp_unprotect(rx[i % streams], buf + i * stride, &len[i]) != srtp_err_status_ok)
			return 1;
	t_unprot = now_ns() - t0;
	printf("{\"suite\":\"%s\",\"payload\":%lu,\"streams\":%lu,\"count\":%lu,\"protect_ns\":%.1f,"
		"\"unprotect_ns\":%.1f,\"op_ns\":%.1f,\"protect_mpps\":%.3f,\"unprotect_mpps\":%.3f}\n",
		vr_srtp_suite_name(suite), payload, streams, count, (double)t_prot / (double)count,
		(double)t_unprot / (double)count, (double)(t_prot + t_unprot) / (2.0 * (double)count),
		(double)count * 1000.0 / (double)t_prot, (double)count * 1000.0 / (double)t_unprot);
	for (i = 0; i < streams; i++) {
		vr_srtp_stream_free(tx[i]);
		vr_srtp_stream_free(rx[i]);
	}
	free(tx);
	free(rx);
	free(buf);
	free(len);
	return 0;
}
