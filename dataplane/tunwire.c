/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel's hello TLVs (include/voxrelay/tunnel.h): parsed by the
 * dataplane's main lcore from authenticated hellos, built by the SBC
 * emulator and for the relay's answers. Reads and writes only the buffers
 * it is given.
 */
#include <string.h>

#include "voxrelay/tunnel.h"

/*
 * Parses hello TLVs (the RTP payload of an authenticated hello). Returns 0,
 * or -1 when a TLV runs past the end, a known TLV has the wrong length, or
 * the version string is not printable ASCII.
 */
int
vr_tun_hello_parse(const uint8_t *p, size_t len, struct vr_tun_hello *h)
{
	size_t off = 0;

	memset(h, 0, sizeof(*h));
	while (off < len) {
		uint8_t t, l;

		if (len - off < 2)
			return -1;
		t = p[off];
		l = p[off + 1];
		off += 2;
		if (l > len - off)
			return -1;
		switch (t) {
		case VR_TUN_TLV_LOCAL_IP:
			if (l != 4)
				return -1;
			memcpy(&h->local_ip, p + off, 4);
			break;
		case VR_TUN_TLV_VERSION:
			if (l == 0 || l >= VR_TUN_VERSION_STR_MAX)
				return -1;
			for (uint8_t i = 0; i < l; i++)
				if (p[off + i] < 0x20 || p[off + i] > 0x7e)
					return -1;
			memcpy(h->version, p + off, l);
			h->version[l] = '\0';
			break;
		case VR_TUN_TLV_INTERVAL:
			if (l != 2)
				return -1;
			h->interval_s = (uint16_t)(p[off] << 8 | p[off + 1]);
			break;
		case VR_TUN_TLV_NONCE:
			if (l != 8)
				return -1;
			h->nonce = vr_tun_get64(p + off);
			h->has_nonce = 1;
			break;
		case VR_TUN_TLV_ECHO:
			if (l != 8)
				return -1;
			h->echo = vr_tun_get64(p + off);
			h->has_echo = 1;
			break;
		default:
			break;
		}
		off += l;
	}
	return 0;
}

/* Writes h's TLVs (those set) at p, at most cap bytes; returns the length or -1. */
int
vr_tun_hello_build(const struct vr_tun_hello *h, uint8_t *p, size_t cap)
{
	size_t vl = strnlen(h->version, VR_TUN_VERSION_STR_MAX);
	size_t need = (h->local_ip != 0 ? 6 : 0) + (h->interval_s != 0 ? 4 : 0) +
		(vl != 0 ? 2 + vl : 0) + (h->has_nonce ? 10 : 0) + (h->has_echo ? 10 : 0);
	size_t off = 0;

	if (vl >= VR_TUN_VERSION_STR_MAX || need > cap)
		return -1;
	if (h->local_ip != 0) {
		p[off++] = VR_TUN_TLV_LOCAL_IP;
		p[off++] = 4;
		memcpy(p + off, &h->local_ip, 4);
		off += 4;
	}
	if (h->interval_s != 0) {
		p[off++] = VR_TUN_TLV_INTERVAL;
		p[off++] = 2;
		p[off++] = (uint8_t)(h->interval_s >> 8);
		p[off++] = (uint8_t)h->interval_s;
	}
	if (h->has_nonce) {
		p[off++] = VR_TUN_TLV_NONCE;
		p[off++] = 8;
		vr_tun_put64(p + off, h->nonce);
		off += 8;
	}
	if (h->has_echo) {
		p[off++] = VR_TUN_TLV_ECHO;
		p[off++] = 8;
		vr_tun_put64(p + off, h->echo);
		off += 8;
	}
	if (vl != 0) {
		p[off++] = VR_TUN_TLV_VERSION;
		p[off++] = (uint8_t)vl;
		memcpy(p + off, h->version, vl);
		off += vl;
	}
	return (int)off;
}

