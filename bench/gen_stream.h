/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator's streams: which phone plays which leg of which call, the
 * frames it sends, and the accounting of what comes back. Pure functions on
 * byte buffers and a stream table, used by gen_main.c's single lcore and by
 * the unit tests.
 *
 * Layout, shared with bench/run.sh's provisioning: call i binds relay address
 * relay_base + i / 10000 (host order), RTP ports 20000 + 4 * (i % 10000)
 * (leg a) and that + 2 (leg b). Stream 2i is leg a's phone, 2i + 1 leg b's;
 * stream s sends from peer_ip(s):peer_port(s), inside RFC 2544's
 * 198.18.0.0/15 benchmark range.
 */
#ifndef VR_GEN_STREAM_H
#define VR_GEN_STREAM_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#define VR_GEN_CALLS_PER_ADDR 10000
#define VR_GEN_PORT_BASE 20000
#define VR_GEN_PEER_BASE 0xc6120000u /* 198.18.0.0 */
#define VR_GEN_PEER_PORTS 50000
#define VR_GEN_MAGIC 0x76726765u     /* "vrge" */

/* What the generator writes after the RTP header. */
struct vr_gen_payload {
	uint32_t magic;
	uint32_t stream;   /* the sending stream */
	uint64_t tx_tsc;   /* when it was sent */
} __attribute__((packed));

/* One stream's state: sending side and receiving side (of its partner's packets). */
struct vr_gen_stream {
	uint32_t ssrc;
	uint16_t seq;       /* next sequence number to send */
	uint32_t ts;        /* next RTP timestamp */
	uint64_t sent;
	uint64_t received;  /* this stream's packets that came back (to the partner) */
	uint64_t reordered;
	uint16_t rx_max;    /* highest sequence number received */
	uint8_t rx_init;
};

static inline uint32_t
vr_gen_peer_ip(uint32_t s)
{
	return VR_GEN_PEER_BASE + s / VR_GEN_PEER_PORTS + 1;
}

static inline uint16_t
vr_gen_peer_port(uint32_t s)
{
	return (uint16_t)(10000 + s % VR_GEN_PEER_PORTS);
}

/* Relay address (host order) and RTP port of the leg that stream s sends to. */
static inline void
vr_gen_leg(uint32_t relay_base, uint32_t s, uint32_t *addr, uint16_t *port)
{
	uint32_t call = s / 2;

	*addr = relay_base + call / VR_GEN_CALLS_PER_ADDR;
	*port = (uint16_t)(VR_GEN_PORT_BASE + 4 * (call % VR_GEN_CALLS_PER_ADDR) + 2 * (s & 1));
}

/*
 * Writes a frame of frame_len bytes (at least 14 + 20 + 8 + 12 + 16) into f:
 * the next RTP packet of stream id (its state st), from sip:sport to
 * dip:dport (host order), stamped with tsc; advances the stream.
 */
static inline void
vr_gen_frame(uint8_t *f, uint16_t frame_len, const struct rte_ether_addr *dst,
	const struct rte_ether_addr *src, uint32_t sip, uint16_t sport, uint32_t dip,
	uint16_t dport, uint32_t id, struct vr_gen_stream *st, uint32_t ptime_ts, uint64_t tsc)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *rtp = (uint8_t *)(udp + 1);
	struct vr_gen_payload pl = { VR_GEN_MAGIC, id, tsc };
	uint16_t ip_len = (uint16_t)(frame_len - sizeof(*eth));
	uint32_t v;

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0; /* none (RFC 768): the relay keeps it so */
	rtp[0] = 0x80;
	rtp[1] = 0;
	rtp[2] = (uint8_t)(st->seq >> 8);
	rtp[3] = (uint8_t)st->seq;
	v = rte_cpu_to_be_32(st->ts);
	memcpy(rtp + 4, &v, 4);
	v = rte_cpu_to_be_32(st->ssrc);
	memcpy(rtp + 8, &v, 4);
	memcpy(rtp + 12, &pl, sizeof(pl));
	st->seq++;
	st->ts += ptime_ts;
	st->sent++;
}

/* Writes stream s's next frame, addressed by the layout above (see vr_gen_frame). */
static inline void
vr_gen_build(uint8_t *f, uint16_t frame_len, const struct rte_ether_addr *dst,
	const struct rte_ether_addr *src, uint32_t relay_base, uint32_t s,
	struct vr_gen_stream *st, uint32_t ptime_ts, uint64_t tsc)
{
	uint32_t addr;
	uint16_t port;

	vr_gen_leg(relay_base, s, &addr, &port);
	vr_gen_frame(f, frame_len, dst, src, vr_gen_peer_ip(s), vr_gen_peer_port(s), addr, port, s,
		st, ptime_ts, tsc);
}

/*
 * Reads the generator's payload of a received frame into *pl and returns the
 * RTP header, or NULL when the frame is not one of the generator's.
 */
static inline const uint8_t *
vr_gen_payload_of(const uint8_t *f, uint32_t len, struct vr_gen_payload *pl)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)f;
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const uint8_t *rtp = f + sizeof(*eth) + sizeof(*ip) + sizeof(struct rte_udp_hdr);

	if (len < sizeof(*eth) + sizeof(*ip) + 8 + 12 + sizeof(*pl) ||
			eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
			ip->next_proto_id != IPPROTO_UDP)
		return NULL;
	memcpy(pl, rtp + 12, sizeof(*pl));
	return pl->magic == VR_GEN_MAGIC ? rtp : NULL;
}

/* Accounts sequence number seq of st's packets coming back. */
static inline void
vr_gen_account_seq(struct vr_gen_stream *st, uint16_t seq)
{
	uint16_t d;

	st->received++;
	if (!st->rx_init) {
		st->rx_init = 1;
		st->rx_max = seq;
		return;
	}
	d = (uint16_t)(seq - st->rx_max);
	if (d != 0 && d < 0x8000)
		st->rx_max = seq;
	else
		st->reordered++;
}

/*
 * Accounts a received frame. Returns the sending stream's index, or -1 when
 * the frame is not one of ours (n_streams streams); *tx_tsc gets its send time.
 */
static inline int64_t
vr_gen_account(const uint8_t *f, uint32_t len, struct vr_gen_stream *streams, uint32_t n_streams,
	uint64_t *tx_tsc)
{
	const uint8_t *rtp;
	struct vr_gen_payload pl;
	struct vr_gen_stream *st;
	uint16_t seq;

	rtp = vr_gen_payload_of(f, len, &pl);
	if (rtp == NULL || pl.stream >= n_streams)
		return -1;
	st = &streams[pl.stream];
	seq = (uint16_t)(rtp[2] << 8 | rtp[3]);
	vr_gen_account_seq(st, seq);
	*tx_tsc = pl.tx_tsc;
	return pl.stream;
}

#endif /* VR_GEN_STREAM_H */
