/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore: burst receive, classify, relay, buffered transmit. Runs on
 * every worker lcore, one RX and one TX queue each. Reads the flow table and
 * the neighbour words without locks (the main lcore is their only writer and
 * frees nothing before this lcore's next quiescent report); writes its own
 * counter row and the state of the calls it owns. A packet for a call owned
 * by another lcore is passed to that lcore's handoff ring, so that each flow's
 * state has exactly one writer. ARP goes to the main lcore; ICMP echo for the
 * relay's addresses is answered here.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "cksum.h"
#include "dp.h"
#include "flow.h"
#include "relay.h"
#include "sbc.h"
#include "tunnel.h"
#include "tx.h"
#include "pkt.h"
#include "worker.h"

/* Answers an ICMP echo request addressed to one of our addresses, in place. */
static __rte_noinline void
icmp_input(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_pkt *p)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)p->payload;
	struct vr_dp *dp = lc->dp;
	uint32_t tmp;

	if (vr_addr_active_index(dp, p->ip->dst_addr) < 0)
		return drop(lc, m, VR_DROP_NOT_OURS);
	if (p->payload_len < sizeof(*icmp) || icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
			icmp->icmp_code != 0)
		return drop(lc, m, VR_DROP_ICMP_OTHER);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&dp->mac, &eth->src_addr);
	tmp = p->ip->src_addr;
	p->ip->src_addr = p->ip->dst_addr;
	p->ip->dst_addr = tmp;
	p->ip->time_to_live = dp->cfg.ttl;
	p->ip->hdr_checksum = 0;
	p->ip->hdr_checksum = rte_ipv4_cksum(p->ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	/* Type 8 -> 0 changes one 16-bit word (type, code) by 0x0800. */
	icmp->icmp_cksum = vr_cksum_replace(icmp->icmp_cksum,
		rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REQUEST << 8),
		rte_cpu_to_be_16(RTE_IP_ICMP_ECHO_REPLY << 8));
	rte_pktmbuf_trim(m, m->pkt_len - (sizeof(*eth) + p->ip_len));
	m->ol_flags = 0;
	count(lc, VR_GC_ICMP_ECHO, 1);
	tx_enqueue(lc, m, UINT64_MAX);
}

/* Handles what is not UDP: ARP to the main lcore, ICMP, or a drop. */
static __rte_noinline void
slow_input(struct vr_lcore *lc, struct rte_mbuf *m, int kind, struct vr_pkt *p)
{
	if (kind == VR_PKT_ARP) {
		if (rte_ring_mp_enqueue(lc->dp->slow_rx, m) != 0)
			return drop(lc, m, VR_DROP_SLOWPATH_FULL);
		count(lc, VR_GC_ARP_IN, 1);
		return;
	}
	if (kind == VR_PKT_ICMP)
		return icmp_input(lc, m, p);
	drop(lc, m, -kind);
}

/* f latched, moved or was reset: the other leg's flows that send to its peer follow. */
static __rte_noinline void
latch_changed(struct vr_dp *dp, const struct vr_flow *f)
{
	vr_flow_dest_refresh(dp, f->slot, f->fidx ^ 2u);
	if (!(f->kind & VR_FLOW_RTCP))
		vr_flow_dest_refresh(dp, f->slot, (f->fidx ^ 2u) | 1u);
}

/* Applies a reprogrammed call's new rule to the flow's state. */
static __rte_noinline void
flow_reprogram(struct vr_dp *dp, const struct vr_flow *f)
{
	vr_latch_reprogram(&f->rule, vr_flow_st(dp, f), &f->priv->latch);
	f->priv->gen = f->gen;
	latch_changed(dp, f);
}

/* Asks the main lcore to resolve host (rate-limited there). */
static __rte_noinline void
neigh_miss(struct vr_lcore *lc, uint32_t host, uint64_t word)
{
	if (word == 0)
		rte_ring_mp_enqueue_elem(lc->dp->resolve, &host, sizeof(host));
}

/*
 * Relays m, which arrived on flow f (owned by this lcore), to the other leg:
 * validates the payload, applies the source rules, updates the stats, and
 * rewrites the headers. kind (f->kind) and hw_cksum (the port computes IPv4
 * header checksums) are constants: relay_fn[] holds a copy of this body for
 * each, so that a packet tests none of them.
 */
static __rte_always_inline void
relay_body(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m, struct vr_pkt *p,
	uint64_t now, const unsigned int kind, const int hw_cksum)
{
	const int rtcp = kind & VR_FLOW_RTCP, tun_in = kind & VR_FLOW_TUN_IN,
		tun_out = kind & VR_FLOW_TUN_OUT;
	struct vr_dp *dp = lc->dp;
	struct vr_flow_priv *pv = f->priv;
	struct vr_shm_flow *st = vr_flow_st(dp, f);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip = p->ip;
	struct rte_udp_hdr *udp = p->udp;
	struct vr_rtp_info info;
	struct vr_latch_pkt k;
	uint32_t dip, host, sip, odip;
	uint16_t dport, sport;
	uint64_t word;
	int v, queued = 0;

	if (unlikely(pv->gen != f->gen))
		flow_reprogram(dp, f);
	/* The expected-peer rule first: cheapest, and the reason an operator wants.
	 * A tunnel leg's packet was authenticated, and its SBC latched, in tunnel.c. */
	if (!tun_in && unlikely(!vr_latch_allowed(&f->rule, ip->src_addr, udp->src_port)))
		return drop_flow(lc, st, m, VR_DROP_BAD_SOURCE);
	if (rtcp) {
		if (unlikely(!vr_rtcp_check(p->payload, p->payload_len, &info)))
			return drop_flow(lc, st, m, VR_DROP_NOT_RTCP);
	} else if (unlikely(!vr_rtp_check(p->payload, p->payload_len, &info))) {
		return drop_flow(lc, st, m, VR_DROP_NOT_RTP);
	}
	if (!tun_in) {
		k.src_ip = ip->src_addr;
		k.src_port = udp->src_port;
		k.seq = info.seq;
		k.ssrc = info.ssrc;
		k.is_rtp = info.is_rtp;
		k.rtcp_flow = rtcp != 0;
		k.sibling_ip = rtcp ? dp->shm_calls[f->slot].flow[f->fidx ^ 1].peer_ip : 0;
		v = vr_latch_check(&f->rule, st, &pv->latch, &k, now);
		if (unlikely(v != VR_LATCH_PASS)) {
			if (v < 0)
				return drop_flow(lc, st, m, -v);
			if (v == VR_LATCH_MOVED) {
				st->c[VR_FC_RELATCHES]++;
				count(lc, VR_GC_RELATCH, 1);
			}
			latch_changed(dp, f);
		}
	}
	if (info.is_rtp) {
		if (unlikely(info.ssrc != st->ssrc)) {
			__atomic_store_n(&st->ssrc, info.ssrc, __ATOMIC_RELAXED);
			vr_rtp_track_reset(&pv->rtp);
			st->c[VR_FC_SSRC_CHANGES]++;
		}
		vr_rtp_track_update(&pv->rtp, st, info.seq, info.ts,
			(uint32_t)(((unsigned __int128)now * f->clock_mult) >> 40));
	}
	__atomic_store_n(&st->last_tsc, now, __ATOMIC_RELAXED);

	/* Where to: into a tunnel, where its SBC was last heard from (any channel
	 * or hello, authenticated); else the other leg's latched peer. */
	if (tun_out) {
		uint64_t a = __atomic_load_n(&dp->sbc_addr[f->out_tun->sbc_row].v, __ATOMIC_RELAXED);

		if (unlikely(a == 0))
			return drop_flow(lc, st, m, VR_DROP_PEER_UNLATCHED);
		dip = (uint32_t)(a >> 16);
		dport = (uint16_t)a;
	} else if (likely(pv->dest_ok)) {
		dip = pv->dest_ip;
		dport = pv->dest_port;
	} else {
		return drop_flow(lc, st, m, VR_DROP_PEER_UNLATCHED);
	}
	host = rte_be_to_cpu_32(dip) - dp->neigh.net;
	if (host >= dp->neigh.size)
		host = dp->neigh.gw_idx;
	word = __atomic_load_n(&dp->neigh.word[host], __ATOMIC_ACQUIRE);
	if (unlikely(!(word & VR_NEIGH_VALID))) {
		neigh_miss(lc, host, word);
		return drop_flow(lc, st, m, VR_DROP_NO_NEIGH);
	}

	if (tun_out) {
		queued = vr_tun_encap(lc, f, m, p);
		if (queued < 0)
			return;
		ip = p->ip;
		udp = p->udp;
	}

	/* Rewrite: L2, then IPv4 (DSCP, TTL, addresses), then UDP. */
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memcpy(&eth->dst_addr, &word, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->mac, &eth->src_addr);
	sip = ip->src_addr;
	odip = ip->dst_addr;
	sport = udp->src_port;
	ip->type_of_service = (uint8_t)(dp->cfg.dscp << 2 | (ip->type_of_service & 3));
	ip->time_to_live = dp->cfg.ttl;
	ip->src_addr = f->out_ip;
	ip->dst_addr = dip;
	if (!tun_in && !tun_out) {
		udp->dgram_cksum = vr_udp_cksum_rewrite(udp->dgram_cksum, sip, odip,
			sport, udp->dst_port, f->out_ip, dip, f->out_port, dport);
		udp->src_port = f->out_port;
		udp->dst_port = dport;
	} else {
		/* Decrypted or encrypted: the payload is new, so is its checksum
		 * (for one the device encrypts, once it has: vr_tun_encap_flush).
		 * Into a tunnel, none unless asked: the SRTP tag covers the payload. */
		udp->src_port = f->out_port;
		udp->dst_port = dport;
		udp->dgram_cksum = 0;
		if (!queued && (!tun_out || dp->cfg.tunnel_cksum))
			udp->dgram_cksum = vr_ipv4_udp_cksum(ip, udp);
	}
	ip->hdr_checksum = 0;
	if (m->pkt_len > sizeof(*eth) + p->ip_len)
		rte_pktmbuf_trim(m, m->pkt_len - (sizeof(*eth) + p->ip_len));
	if (hw_cksum) {
		m->l2_len = sizeof(*eth);
		m->l3_len = sizeof(*ip);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	} else {
		m->ol_flags = 0;
		ip->hdr_checksum = vr_ipv4_hdr_cksum(ip);
	}
	st->c[VR_FC_PKTS]++;
	st->c[VR_FC_BYTES] += p->ip_len;
	count(lc, VR_GC_FWD_PKTS, 1);
	count(lc, VR_GC_FWD_BYTES, p->ip_len);
	if (!queued)
		tx_enqueue(lc, m, tx_tag(f));
}

typedef void relay_fn_t(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m,
	struct vr_pkt *p, uint64_t now);

/* relay_body's copy for flow kind K (VR_FLOW_*) and checksum offload H. */
#define RELAY_VARIANT(K, H) \
	static void \
	relay_##K##_##H(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m, \
		struct vr_pkt *p, uint64_t now) \
	{ \
		relay_body(lc, f, m, p, now, K, H); \
	}
#define RELAY_VARIANTS(H) \
	RELAY_VARIANT(0, H) RELAY_VARIANT(1, H) RELAY_VARIANT(2, H) RELAY_VARIANT(3, H) \
	RELAY_VARIANT(4, H) RELAY_VARIANT(5, H) RELAY_VARIANT(6, H) RELAY_VARIANT(7, H)
RELAY_VARIANTS(0)
RELAY_VARIANTS(1)

/* [kind | hw_cksum << 3] */
static relay_fn_t *const relay_fn[16] = {
	relay_0_0, relay_1_0, relay_2_0, relay_3_0, relay_4_0, relay_5_0, relay_6_0, relay_7_0,
	relay_0_1, relay_1_1, relay_2_1, relay_3_1, relay_4_1, relay_5_1, relay_6_1, relay_7_1,
};

/* Relays m, which arrived on flow f (owned by this lcore), with f's variant. */
static inline void
relay_flow(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m, struct vr_pkt *p,
	uint64_t now)
{
	relay_fn[(f->kind & 7) | (unsigned int)lc->dp->tx_ip_cksum << 3](lc, f, m, p, now);
}

/* packet_cell() for a packet to the SBC tunnel port: tunnel.c finds its flow. */
#define CELL_TUNNEL (-2)

/*
 * Classifies one received packet: returns its flow table cell, CELL_TUNNEL,
 * or -1 when the packet is not for a relay port (then it has been dropped,
 * answered or passed to the slow path).
 */
static inline int64_t
packet_cell(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_pkt *p)
{
	struct vr_dp *dp = lc->dp;
	uint32_t port;
	int kind, a;

	if (unlikely(m->nb_segs != 1)) {
		drop(lc, m, VR_DROP_MALFORMED);
		return -1;
	}
	kind = vr_pkt_classify(rte_pktmbuf_mtod(m, uint8_t *), m->data_len, p);
	if (unlikely(kind != VR_PKT_UDP)) {
		slow_input(lc, m, kind, p);
		return -1;
	}
	if (unlikely((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
			(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD)) {
		drop(lc, m, VR_DROP_BAD_CKSUM);
		return -1;
	}
	a = vr_addr_active_index(dp, p->ip->dst_addr);
	if (unlikely(a < 0)) {
		drop(lc, m, VR_DROP_NOT_OURS);
		return -1;
	}
	port = rte_be_to_cpu_16(p->udp->dst_port) - dp->cfg.port_lo;
	if (unlikely(port >= dp->n_ports)) {
		if (p->udp->dst_port == rte_cpu_to_be_16(dp->cfg.tunnel_port))
			return CELL_TUNNEL;
		drop(lc, m, VR_DROP_NOT_RELAY_PORT);
		return -1;
	}
	return (int64_t)a * dp->n_ports + port;
}

/*
 * The flow in cell for m, when this lcore owns it; NULL when m has been
 * dropped or passed to its owner. handed is set for packets another lcore
 * passed here, which are not passed on again.
 */
static inline struct vr_flow *
packet_flow(struct vr_lcore *lc, struct rte_mbuf *m, int64_t cell, int handed)
{
	struct vr_dp *dp = lc->dp;
	struct vr_flow *f = __atomic_load_n(&dp->ft[cell], __ATOMIC_ACQUIRE);

	if (unlikely(f == NULL)) {
		drop(lc, m, VR_DROP_NO_FLOW);
		return NULL;
	}
	return likely(flow_owned(lc, f, m, handed)) ? f : NULL;
}

/*
 * What relay_flow reads beyond f's first line, prefetched a stage before it
 * runs: f's private line and its exported row (the latch and the counters);
 * the tunnel paths also read f's second line.
 */
static inline void
prefetch_flow_state(const struct vr_dp *dp, const struct vr_flow *f)
{
	rte_prefetch0(f->priv);
	rte_prefetch0(&vr_flow_st(dp, f)->last_tsc);
	if (unlikely(f->kind & (VR_FLOW_TUN_IN | VR_FLOW_TUN_OUT)))
		rte_prefetch0((const char *)f + RTE_CACHE_LINE_SIZE);
}

/*
 * The tunnel packets the crypto device finished (tunnel.c holds them until
 * then): the decrypted relayed, the encrypted sent; up to four bursts of
 * them. Returns how many came back.
 */
static unsigned int
crypto_poll(struct vr_lcore *lc, uint64_t now)
{
	struct rte_mbuf *m[VR_BURST];
	struct vr_flow *f[VR_BURST];
	struct vr_pkt p[VR_BURST];
	uint32_t slot[VR_BURST];
	uint8_t st[VR_BURST];
	unsigned int i, n, nf, total = 0, round;

	for (round = 0; round < 4; round++) {
		n = vr_tun_poll(lc, now, slot, st, VR_BURST);
		/* In stages, as burst_input: the flows' state prefetched for all. */
		for (i = 0, nf = 0; i < n; i++) {
			f[nf] = vr_tun_back(lc, slot[i], st[i], &m[nf], &p[nf]);
			if (f[nf] == NULL)
				continue;
			prefetch_flow_state(lc->dp, f[nf]);
			nf++;
		}
		for (i = 0; i < nf; i++)
			relay_flow(lc, f[i], m[i], &p[i], now);
		if (unlikely(lc->n_enc > 0))
			vr_tun_encap_flush(lc);
		total += n;
		if (n < VR_BURST)
			break;
	}
	return total;
}

/*
 * Waits until the crypto device holds none of lc's packets: a poll that
 * finds none finished makes a software device finish what it holds, and
 * a hung one is given up after a second (vr_tun_poll).
 */
static __rte_noinline unsigned int
crypto_drain(struct vr_lcore *lc)
{
	unsigned int n = 0;

	while (lc->n_free < VR_FLIGHT)
		n += crypto_poll(lc, rte_rdtsc());
	return n;
}

/* One packet, start to end: for the few that other lcores hand over. */
static inline void
packet_input(struct vr_lcore *lc, struct rte_mbuf *m, uint64_t now, int handed)
{
	struct vr_flow *f;
	struct vr_pkt p;
	int64_t cell = packet_cell(lc, m, &p);

	if (cell == CELL_TUNNEL) {
		struct vr_tun_pending pend;

		f = vr_tun_rx(lc, m, &p, handed, &pend);
		if (pend.m != NULL)
			vr_tun_rx_finish(lc, &pend, 1, &f);
	} else if (cell >= 0)
		f = packet_flow(lc, m, cell, handed);
	else
		f = NULL;
	if (f != NULL)
		relay_flow(lc, f, m, &p, now);
	if (unlikely(lc->n_enc > 0))
		vr_tun_encap_flush(lc);
}

/*
 * A received burst, in stages over all its packets, so that the memory each
 * stage needs was prefetched by the stage before while other packets were
 * worked on: with a million flows every flow's state is a cache miss, and
 * the chain cell -> flow -> (private line, exported row) would otherwise be
 * paid one miss after another for every packet.
 */
static inline void
burst_input(struct vr_lcore *lc, struct rte_mbuf **pkts, unsigned int n, uint64_t now)
{
	struct vr_dp *dp = lc->dp;
	struct vr_pkt p[VR_BURST];
	struct vr_flow *f[VR_BURST], *done[VR_BURST];
	struct vr_tun_pending pend[VR_BURST];
	uint8_t pend_at[VR_BURST];
	int64_t cell[VR_BURST];
	unsigned int i, npend = 0;

	for (i = 0; i < n; i++) {
		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		cell[i] = packet_cell(lc, pkts[i], &p[i]);
		if (likely(cell[i] >= 0))
			rte_prefetch0(&dp->ft[cell[i]]);
	}
	/* The flows' first lines; the tunnel's packets are authenticated (and
	 * with libsrtp decrypted) here already, and have their flows. */
	for (i = 0; i < n; i++) {
		if (unlikely(cell[i] == CELL_TUNNEL)) {
			f[i] = vr_tun_rx(lc, pkts[i], &p[i], 0, &pend[npend]);
			if (pend[npend].m != NULL)
				pend_at[npend++] = i;
			continue;
		}
		f[i] = NULL;
		if (unlikely(cell[i] < 0))
			continue;
		f[i] = __atomic_load_n(&dp->ft[cell[i]], __ATOMIC_ACQUIRE);
		if (likely(f[i] != NULL))
			rte_prefetch0(f[i]);
		else
			drop(lc, pkts[i], VR_DROP_NO_FLOW);
	}
	/* The burst's tunnel packets through the crypto device at once. */
	if (unlikely(npend > 0)) {
		vr_tun_rx_finish(lc, pend, npend, done);
		for (i = 0; i < npend; i++)
			f[pend_at[i]] = done[i];
	}
	/* Whose flows (their owners hand packets of other lcores' calls over),
	 * and the state of those that are this lcore's. */
	for (i = 0; i < n; i++) {
		if (unlikely(f[i] == NULL))
			continue;
		if (likely(cell[i] >= 0) && unlikely(!flow_owned(lc, f[i], pkts[i], 0))) {
			f[i] = NULL;
			continue;
		}
		prefetch_flow_state(dp, f[i]);
	}
	for (i = 0; i < n; i++)
		if (likely(f[i] != NULL))
			relay_flow(lc, f[i], pkts[i], &p[i], now);
	if (unlikely(lc->n_enc > 0))
		vr_tun_encap_flush(lc);
}

void
vr_worker_poll(struct vr_lcore *lc)
{
	struct vr_dp *dp = lc->dp;
	struct rte_mbuf *pkts[VR_BURST];
	uint64_t now = rte_rdtsc();
	uint64_t bytes = 0;
	unsigned int n, i, busy;

	busy = unlikely(lc->n_free < VR_FLIGHT_ROOM) ? crypto_drain(lc) : 0;
	n = rte_eth_rx_burst(dp->port_id, lc->idx, pkts, VR_BURST);
	busy += n;
	if (n > 0) {
		for (i = 0; i < n && i < 4; i++)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		for (i = 0; i < n; i++)
			bytes += pkts[i]->pkt_len;
		burst_input(lc, pkts, n, now);
		count(lc, VR_GC_RX_PKTS, n);
		count(lc, VR_GC_RX_BYTES, bytes);
	}
	/* Other lcores' handoffs and the main lcore's packets: checked every 16 loops. */
	if (unlikely((++lc->iter & 15) == 0)) {
		n = rte_ring_sc_dequeue_burst(lc->handoff, (void **)pkts, VR_BURST, NULL);
		busy += n;
		for (i = 0; i < n; i++)
			packet_input(lc, pkts[i], now, 1);
		n = rte_ring_sc_dequeue_burst(lc->slow_tx, (void **)pkts, VR_BURST, NULL);
		for (i = 0; i < n; i++) {
			/* ARP, or the main lcore's answers to SBC hellos. */
			if (rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *)->ether_type ==
					rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
				count(lc, VR_GC_ARP_OUT, 1);
			tx_enqueue(lc, pkts[i], UINT64_MAX);
		}
	}
	/* The tunnel packets the crypto device finished. It may keep a few
	 * until the next poll (HMAC-SHA1's lanes wait to be filled by the next
	 * burst), but not for long: the worker reports a quiescent state only
	 * when the device holds none of its packets (they point into flows). */
	if (lc->n_free < VR_FLIGHT) {
		busy += crypto_poll(lc, now);
		if (lc->n_free < VR_FLIGHT && (++lc->flight_polls & 63) == 0)
			busy += crypto_drain(lc);
	}
	if (lc->tx_n > 0 && now - lc->last_flush_tsc > lc->drain_tsc)
		vr_tx_flush(lc);
	/* Busy time over packets is the lcore's cycles per packet (bench/run.sh). */
	if (busy > 0)
		count(lc, VR_GC_BUSY_TSC, rte_rdtsc() - now);
}

void
vr_worker_flush(struct vr_lcore *lc)
{
	crypto_drain(lc);
	if (lc->tx_n > 0)
		vr_tx_flush(lc);
}

int
vr_worker_quiesce(struct vr_lcore *lc)
{
	if (lc->n_free < VR_FLIGHT)
		return 0;
	rte_rcu_qsbr_quiescent(lc->dp->qs, lc->idx);
	return 1;
}

int
vr_worker_main(void *arg)
{
	struct vr_lcore *lc = arg;
	struct vr_dp *dp = lc->dp;

	VR_LOG(INFO, "worker %u on lcore %u: rx/tx queue %u", lc->idx, lc->lcore_id, lc->idx);
	rte_rcu_qsbr_thread_online(dp->qs, lc->idx);
	while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
		vr_worker_poll(lc);
		vr_worker_quiesce(lc);
	}
	vr_worker_flush(lc);
	rte_rcu_qsbr_thread_offline(dp->qs, lc->idx);
	return 0;
}
