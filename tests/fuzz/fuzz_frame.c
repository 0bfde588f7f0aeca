/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: what a worker does first with every frame it receives
 * (dataplane/pkt.h): vr_pkt_classify (Ethernet, ARP, IPv4 with options and
 * fragments, UDP length against IP length, ICMP), then on a UDP payload the
 * RTP and RTCP checks (version, CSRC count, extension header, padding,
 * compound RTCP lengths). Whatever they accept must lie inside the frame.
 * The product's own functions, no copies. scripts/fuzz.sh builds and runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct vr_rtp_info info;
	struct vr_pkt p;
	uint8_t *f;
	int k;

	if (n > 2048)
		return 0;
	/* A copy of its own size, so that AddressSanitizer sees any read past it. */
	f = malloc(n == 0 ? 1 : n);
	if (f == NULL)
		return 0;
	memcpy(f, d, n);
	k = vr_pkt_classify(f, (uint32_t)n, &p);
	if (k == VR_PKT_UDP) {
		if (p.payload < f || p.payload + p.payload_len > f + n)
			abort();
		vr_rtp_check(p.payload, p.payload_len, &info);
		vr_rtcp_check(p.payload, p.payload_len, &info);
	}
	free(f);
	return 0;
}
