/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classifies a received frame and checks RTP/RTCP payloads. Pure functions on
 * a byte buffer, inlined into the lcore hot path (relay.c) and unit-tested
 * without EAL. Nothing here writes the packet.
 */
#ifndef VR_DP_PKT_H
#define VR_DP_PKT_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "voxrelay/counters.h"

/* What a frame is, when it is not dropped. */
enum vr_pkt_kind {
	VR_PKT_ARP = 1,
	VR_PKT_ICMP,
	VR_PKT_UDP,
};

/* Where the headers of a classified frame are. */
struct vr_pkt {
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;     /* VR_PKT_UDP only */
	uint8_t *payload;            /* UDP payload (or ICMP message) */
	uint32_t payload_len;        /* from the UDP length (or IP length) */
	uint32_t ip_len;             /* IPv4 total length */
};

/*
 * Classifies frame (len bytes, all contiguous) and fills p. Returns a kind,
 * or the negated drop reason: -VR_DROP_NOT_IPV4, -VR_DROP_MALFORMED (any
 * header or length field that does not fit the frame), -VR_DROP_IP_OPTIONS,
 * -VR_DROP_FRAGMENT, -VR_DROP_NOT_UDP. Addressing is not checked here.
 */
static inline int
vr_pkt_classify(uint8_t *frame, uint32_t len, struct vr_pkt *p)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip;
	uint32_t ip_len, udp_len;

	if (len < sizeof(*eth))
		return -VR_DROP_MALFORMED;
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
		return VR_PKT_ARP;
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return -VR_DROP_NOT_IPV4;
	len -= sizeof(*eth);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	if (len < sizeof(*ip) || (ip->version_ihl >> 4) != 4)
		return -VR_DROP_MALFORMED;
	ip_len = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl & 0xf) < 5 || ip_len > len || ip_len < sizeof(*ip))
		return -VR_DROP_MALFORMED;
	if ((ip->version_ihl & 0xf) != 5)
		return -VR_DROP_IP_OPTIONS;
	if ((ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) != 0)
		return -VR_DROP_FRAGMENT;
	p->ip = ip;
	p->ip_len = ip_len;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		p->udp = NULL;
		p->payload = (uint8_t *)(ip + 1);
		p->payload_len = ip_len - sizeof(*ip);
		return VR_PKT_ICMP;
	}
	if (ip->next_proto_id != IPPROTO_UDP)
		return -VR_DROP_NOT_UDP;
	if (ip_len < sizeof(*ip) + sizeof(struct rte_udp_hdr))
		return -VR_DROP_MALFORMED;
	p->udp = (struct rte_udp_hdr *)(ip + 1);
	udp_len = rte_be_to_cpu_16(p->udp->dgram_len);
	if (udp_len < sizeof(struct rte_udp_hdr) || udp_len > ip_len - sizeof(*ip))
		return -VR_DROP_MALFORMED;
	p->payload = (uint8_t *)(p->udp + 1);
	p->payload_len = udp_len - sizeof(struct rte_udp_hdr);
	return VR_PKT_UDP;
}

/* What an RTP-port or RTCP-port payload carries, for latching and stats. */
struct vr_rtp_info {
	uint32_t ssrc;      /* host order: RTP SSRC, or RTCP sender SSRC */
	uint32_t ts;        /* RTP timestamp, host order */
	uint16_t seq;       /* RTP sequence number, host order */
	uint8_t is_rtp;     /* 0 for RTCP (also RTCP multiplexed on the RTP port) */
};

/*
 * Is b[0..len) a well-formed RTCP compound's first packet (RFC 3550 6.4,
 * RFC 5506 reduced size allowed)? Version 2, packet type 192-223, and its
 * length word within the payload. Fills info on success.
 */
/*
 * The big-endian 32-bit word at p, wherever p points: RTP and RTCP fields
 * sit two bytes off a 4-byte boundary in a frame (42 bytes of headers), and
 * a load through a uint32_t pointer there is undefined behaviour in C (the
 * fuzz harness's UBSan found it); the compiler makes one load of this.
 */
static inline uint32_t
vr_load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static inline int
vr_rtcp_check(const uint8_t *b, uint32_t len, struct vr_rtp_info *info)
{
	uint32_t plen;

	if (len < 8 || (b[0] >> 6) != 2 || b[1] < 192 || b[1] > 223)
		return 0;
	plen = ((uint32_t)b[2] << 8 | b[3]) * 4 + 4;
	if (plen > len)
		return 0;
	info->ssrc = vr_load_be32(b + 4);
	info->ts = 0;
	info->seq = 0;
	info->is_rtp = 0;
	return 1;
}

/*
 * Is b[0..len) a well-formed RTP v2 packet (RFC 3550 5.1)? The CSRC list, the
 * header extension and the padding must fit. RTCP multiplexed on the RTP port
 * (RFC 5761: second byte 192-223) is accepted as RTCP. Fills info.
 */
static inline int
vr_rtp_check(const uint8_t *b, uint32_t len, struct vr_rtp_info *info)
{
	uint32_t hlen, pad;

	if (len < 8 || (b[0] >> 6) != 2)
		return 0;
	if (b[1] >= 192 && b[1] <= 223)
		return vr_rtcp_check(b, len, info);
	if (len < 12)
		return 0;
	hlen = 12 + 4 * (b[0] & 0xf);
	if (hlen > len)
		return 0;
	if (b[0] & 0x10) {
		if (hlen + 4 > len)
			return 0;
		hlen += 4 + 4 * ((uint32_t)b[hlen + 2] << 8 | b[hlen + 3]);
		if (hlen > len)
			return 0;
	}
	if (b[0] & 0x20) {
		pad = b[len - 1];
		if (pad == 0 || hlen + pad > len)
			return 0;
	}
	info->seq = (uint16_t)(b[2] << 8 | b[3]);
	info->ts = vr_load_be32(b + 4);
	info->ssrc = vr_load_be32(b + 8);
	info->is_rtp = 1;
	return 1;
}

#endif /* VR_DP_PKT_H */
