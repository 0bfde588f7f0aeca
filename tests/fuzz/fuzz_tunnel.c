/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: the SBC tunnel's wire format as the dataplane reads a
 * datagram from the tunnel port (include/voxrelay/tunnel.h vr_tun_parse),
 * and the hello TLVs it reads from an authenticated hello or answer
 * (dataplane/tunwire.c vr_tun_hello_parse). What parses is built again and
 * must parse to the same (vr_tun_write, vr_tun_hello_build). The product's
 * own functions, no copies. scripts/fuzz.sh builds and runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "voxrelay/tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct vr_tun_hdr h, h2;
	struct vr_tun_hello t, t2;
	uint8_t b[VR_TUN_HDR_LEN + VR_TUN_MIN_PAYLOAD], tl[256];
	int len;

	if (vr_tun_parse(d, n, &h) == VR_TUN_OK) {
		/* Written again, the header reads the same (flags are not kept). */
		vr_tun_write(b, h.type, h.key_id, h.sbc_id, h.channel, h.epoch);
		memset(b + VR_TUN_HDR_LEN, 0x80, VR_TUN_MIN_PAYLOAD);
		if (vr_tun_parse(b, sizeof(b), &h2) != VR_TUN_OK || h2.type != h.type ||
				h2.key_id != h.key_id || h2.sbc_id != h.sbc_id ||
				h2.channel != h.channel || h2.epoch != h.epoch)
			abort();
	}
	/* The TLVs of a hello: everything after the 12-byte RTP header. */
	if (n >= 12 && vr_tun_hello_parse(d + 12, n - 12, &t) == 0) {
		len = vr_tun_hello_build(&t, tl, sizeof(tl));
		if (len < 0 || vr_tun_hello_parse(tl, (size_t)len, &t2) != 0 ||
				t2.local_ip != t.local_ip || t2.interval_s != t.interval_s ||
				t2.has_nonce != t.has_nonce || t2.has_echo != t.has_echo ||
				(t.has_nonce && t2.nonce != t.nonce) ||
				(t.has_echo && t2.echo != t.echo) ||
				strcmp(t2.version, t.version) != 0)
			abort();
	}
	return 0;
}
