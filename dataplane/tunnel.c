/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' side of SBC tunnels (docs/tunnel.md): a tunnel packet in is
 * authenticated and decrypted with its stream's libsrtp session, the SBC's
 * address latched from it, and its headers moved over the tunnel header so
 * that relay.c forwards the inner RTP like any other; a packet out to a
 * tunnel leg is encrypted in place and given the tunnel header. RTP and RTCP
 * go through the cryptodev engine when the dataplane has one (csrtp.c; the
 * lcore's queue pair is its worker index, a burst's packets at once; what
 * the device keeps across polls waits in the lcore's flight table, and
 * holds its flow: see vr_worker_poll), else through libsrtp. Runs on the
 * lcore that owns the call (packets that arrive elsewhere are handed over
 * first), which is the only user of the leg's sessions and the only writer
 * of its flows' state; reads the SBC and tunnel tables lock-free (sbc.c and
 * calls.c write them, freeing only after a grace period) and writes this
 * lcore's counter rows.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "cksum.h"
#include "dp.h"
#include "flow.h"
#include "sbc.h"
#include "tunleg.h"
#include "tunnel.h"
#include "tuntab.h"
#include "tx.h"
#include "hellolimit.h"
#include "pkt.h"
#include "worker.h"

/* Drops m for reason: globally, for SBC row (if known) and flow st (if known). */
static __rte_noinline void
drop_tun(struct vr_lcore *lc, int64_t row, struct vr_shm_flow *st, struct rte_mbuf *m,
	int reason)
{
	if (row >= 0)
		vr_dp_sbc_ctr(lc->dp, lc->idx, (uint32_t)row)->drops[reason]++;
	if (st != NULL)
		st->drops[reason]++;
	drop(lc, m, reason);
}

/*
 * A packet the crypto device took and did not give back (VR_CSRTP_LOST):
 * counted as dropped, for SBC row and flow st, but not freed, since the
 * device may still write it.
 */
static __rte_noinline void
lost_tun(struct vr_lcore *lc, uint32_t row, struct vr_shm_flow *st, unsigned int *n_lost)
{
	drop_tun(lc, row, st, NULL, VR_DROP_SRTP_ERROR); /* counted; no mbuf to free */
	if ((*n_lost)++ == 0)
		VR_LOG(ERR, "worker %u: crypto device %u did not answer within 1 s: its "
			"packets are left to it and counted as srtp_error, and the tunnels' "
			"RTP fails from now on (restart voxrelay-dp, or use --srtp-engine "
			"libsrtp)", lc->idx, lc->dp->cdev.dev_id);
}

static int
srtp_reason(srtp_err_status_t st)
{
	if (st == srtp_err_status_auth_fail)
		return VR_DROP_SRTP_AUTH;
	if (st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old)
		return VR_DROP_SRTP_REPLAY;
	return VR_DROP_SRTP_ERROR;
}

static int
csrtp_reason(uint8_t st)
{
	if (st == VR_CSRTP_AUTH)
		return VR_DROP_SRTP_AUTH;
	if (st == VR_CSRTP_REPLAY)
		return VR_DROP_SRTP_REPLAY;
	if (st == VR_CSRTP_SSRC_LIMIT)
		return VR_DROP_SRTP_SSRC_LIMIT;
	return VR_DROP_SRTP_ERROR;
}

/* The SSRC of SRTP packet p (RTP) or SRTCP packet p (rtcp) of len bytes, or 0 when too short. */
static inline uint32_t
pkt_ssrc(const uint8_t *p, uint32_t len, int rtcp)
{
	if (len < (rtcp ? 8u : 12u))
		return 0;
	return vr_tun_get32(rtcp ? p + 4 : p + 8);
}

/* The SBC sent an authenticated packet from src: latch it there (the SBC's address may move). */
static inline void
latch_sbc(struct vr_lcore *lc, struct vr_shm_flow *st, uint32_t ip, uint16_t port)
{
	if (likely(st->latch == VR_LATCH_LATCHED && st->peer_ip == ip && st->peer_port == port))
		return;
	if (st->latch == VR_LATCH_LATCHED) {
		st->c[VR_FC_RELATCHES]++;
		count(lc, VR_GC_RELATCH, 1);
	}
	__atomic_store_n(&st->peer_ip, ip, __ATOMIC_RELAXED);
	__atomic_store_n(&st->peer_port, port, __ATOMIC_RELAXED);
	__atomic_store_n(&st->latch, VR_LATCH_LATCHED, __ATOMIC_RELEASE);
}

/*
 * m, from tunnel leg f under key slot k, authenticated and decrypted to an
 * RTP or RTCP packet of len bytes behind the tunnel header: latch the SBC,
 * count, and move the headers over the tunnel header.
 */
static void
rx_done(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_pkt *p, struct vr_flow *f, uint8_t k,
	uint32_t len)
{
	struct vr_tun_leg *t = f->tun;
	uint8_t *frame;
	uint32_t hdrs;

	/* Authenticated: this is the SBC, from wherever it is now (for every
	 * channel: all of them go back to where the SBC was last heard from). */
	latch_sbc(lc, vr_flow_st(lc->dp, f), p->ip->src_addr, p->udp->src_port);
	vr_sbc_addr_note(&lc->dp->sbc_addr[t->sbc_row], p->ip->src_addr, p->udp->src_port);
	t->tx_slot = k;
	vr_dp_sbc_ctr(lc->dp, lc->idx, t->sbc_row)->rx_pkts++;
	vr_dp_sbc_ctr(lc->dp, lc->idx, t->sbc_row)->rx_bytes += p->payload_len;
	count(lc, VR_GC_TUN_RX, 1);

	/* Decapsulate: the Ethernet, IP and UDP headers move over the tunnel header. */
	frame = rte_pktmbuf_mtod(m, uint8_t *);
	hdrs = (uint32_t)(p->payload - frame);
	memmove(frame + VR_TUN_HDR_LEN, frame, hdrs);
	frame = (uint8_t *)rte_pktmbuf_adj(m, VR_TUN_HDR_LEN);
	rte_pktmbuf_trim(m, m->pkt_len - (hdrs + len));
	p->ip = (struct rte_ipv4_hdr *)((uint8_t *)p->ip + VR_TUN_HDR_LEN);
	p->udp = (struct rte_udp_hdr *)((uint8_t *)p->udp + VR_TUN_HDR_LEN);
	p->payload = frame + hdrs;
	p->payload_len = len;
	p->ip_len = (uint32_t)(p->payload - (uint8_t *)p->ip) + len;
	p->ip->total_length = rte_cpu_to_be_16((uint16_t)p->ip_len);
	p->udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(struct rte_udp_hdr) + len));
}

/*
 * m, for tunnel leg t of flow f, is under another epoch than the leg's:
 * dropped (tun_stale_epoch). At most five a second per SBC (and worker)
 * also go up to the main lcore, on the hellos' ring: if one authenticates
 * under its own epoch it is the SBC, behind our restart, and the main lcore
 * tells it to say hello now (vr_sbc_hello_input), instead of at its next
 * hello, seconds later.
 */
static __rte_noinline void
stale_epoch(struct vr_lcore *lc, const struct vr_tun_leg *t, struct vr_flow *f,
	struct rte_mbuf *m)
{
	uint64_t now = rte_rdtsc(), *last = &lc->stale_hint_tsc[t->sbc_row % VR_STALE_HINT_SLOTS];

	drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), NULL, VR_DROP_TUN_STALE_EPOCH);
	if (now - *last < lc->dp->tsc_hz / 5 ||
			rte_ring_mp_enqueue(lc->dp->hello_rx, m) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	*last = now;
}

struct vr_flow *
vr_tun_rx(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_pkt *p, int handed,
	struct vr_tun_pending *pend)
{
	struct vr_dp *dp = lc->dp;
	struct vr_tun_leg *t;
	struct vr_tun_hdr h;
	struct vr_sbc *sbc;
	struct vr_flow *f;
	srtp_err_status_t st;
	uint8_t *srtp;
	uint32_t ssrc;
	int k, len;

	pend->m = NULL;
	if (unlikely(vr_tun_parse(p->payload, p->payload_len, &h) != VR_TUN_OK)) {
		drop(lc, m, VR_DROP_TUN_MALFORMED);
		return NULL;
	}
	sbc = __atomic_load_n(&dp->sbc[h.sbc_id], __ATOMIC_ACQUIRE);
	if (unlikely(sbc == NULL)) {
		drop(lc, m, VR_DROP_TUN_UNKNOWN_SBC);
		return NULL;
	}
	if (unlikely(h.type == VR_TUN_HELLO)) {
		vr_hello_up(lc, sbc->row, m, p);
		return NULL;
	}
	if (unlikely(h.type == VR_TUN_HELLO_ACK)) {
		drop_tun(lc, sbc->row, NULL, m, VR_DROP_TUN_MALFORMED);
		return NULL;
	}
	f = vr_tuntab_lookup(dp->tun_ft, (uint64_t)h.sbc_id << 32 | h.channel);
	if (unlikely(f == NULL)) {
		drop_tun(lc, sbc->row, NULL, m, VR_DROP_TUN_UNKNOWN_CHANNEL);
		return NULL;
	}
	if (h.type == VR_TUN_RTCP)
		f = f->sibling;
	if (unlikely(!flow_owned(lc, f, m, handed)))
		return NULL;
	t = f->tun;
	/* Another call's, or an earlier boot's, packet on this channel (or the
	 * SBC has not heard of our restart yet): its keys are not this leg's. */
	if (unlikely(h.epoch != t->epoch)) {
		stale_epoch(lc, t, f, m);
		return NULL;
	}
	for (k = 0; k < 2; k++)
		if (__atomic_load_n(&t->valid[k], __ATOMIC_ACQUIRE) && t->key_id[k] == h.key_id)
			break;
	if (unlikely(k == 2)) {
		drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), m, VR_DROP_TUN_UNKNOWN_KEY);
		return NULL;
	}
	srtp = p->payload + VR_TUN_HDR_LEN;
	len = (int)(p->payload_len - VR_TUN_HDR_LEN);
	if (dp->use_cdev) {
		/* The UDP payload ends the frame: trim what a short datagram left behind.
		 * The device decrypts it with the rest of the burst (vr_tun_rx_finish). */
		uint16_t off = (uint16_t)(srtp - rte_pktmbuf_mtod(m, uint8_t *));

		if (m->pkt_len > (uint32_t)off + (uint32_t)len)
			rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - off - (uint32_t)len));
		/* rx_done latches the SBC in the flow's state when the device is
		 * done with the burst: by then the line is in the cache. */
		rte_prefetch0(vr_flow_st(lc->dp, f));
		pend->m = m;
		pend->p = p;
		pend->f = f;
		pend->off = off;
		pend->k = (uint8_t)k;
		pend->rtcp = h.type == VR_TUN_RTCP;
		return f;
	}
	/* libsrtp keeps a stream per SSRC it authenticates: bounded per leg. */
	ssrc = pkt_ssrc(srtp, (uint32_t)len, h.type == VR_TUN_RTCP);
	if (unlikely(!vr_srtp_ssrc_admit(&t->ssrc_rx, ssrc, 0))) {
		drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), m, VR_DROP_SRTP_SSRC_LIMIT);
		return NULL;
	}
	st = h.type == VR_TUN_RTP ? srtp_unprotect(t->rx[k], srtp, &len) :
		srtp_unprotect_rtcp(t->rx[k], srtp, &len);
	if (unlikely(st != srtp_err_status_ok)) {
		drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), m, srtp_reason(st));
		return NULL;
	}
	vr_srtp_ssrc_admit(&t->ssrc_rx, ssrc, 1);
	rx_done(lc, m, p, f, (uint8_t)k, (uint32_t)len);
	return f;
}

/* A free slot of lc's flight table for m (there is one: the caller made room). */
static inline struct vr_tun_flight *
flight_get(struct vr_lcore *lc, struct rte_mbuf *m, uint32_t *slot)
{
	struct vr_tun_flight *fl;

	RTE_ASSERT(lc->n_free > 0);
	if (lc->n_free == VR_FLIGHT)
		lc->flight_tsc = rte_rdtsc(); /* the device held nothing until now */
	*slot = lc->free_slot[--lc->n_free];
	fl = &lc->flight[*slot];
	fl->m = m;
	return fl;
}

/* The packets the device finishes at once take no slot: their cookie. */
#define NO_SLOT UINT32_MAX

static inline void
flight_put(struct vr_lcore *lc, uint32_t slot)
{
	lc->flight[slot].m = NULL;
	lc->free_slot[lc->n_free++] = (uint16_t)slot;
}

/* Decrypted packet m of flow f (pend or flight entry) passed or failed: out gets f or NULL. */
static inline struct vr_flow *
rx_outcome(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_pkt *p, struct vr_flow *f,
	uint8_t k, uint16_t off, uint8_t st)
{
	if (likely(st == VR_CSRTP_OK)) {
		rx_done(lc, m, p, f, k, m->data_len - off);
		return f;
	}
	drop_tun(lc, f->tun->sbc_row, vr_flow_st(lc->dp, f), m, csrtp_reason(st));
	return NULL;
}

void
vr_tun_rx_finish(struct vr_lcore *lc, struct vr_tun_pending *pend, unsigned int n,
	struct vr_flow **out)
{
	struct rte_mbuf *m[VR_BURST];
	struct vr_csrtp_stream *cs[VR_BURST];
	uint32_t slot[VR_BURST] = { 0 };
	uint16_t off[VR_BURST] = { 0 };
	uint8_t st[VR_BURST], rtcp[VR_BURST] = { 0 };
	unsigned int i;

	if (n > VR_BURST)
		n = VR_BURST;
	for (i = 0; i < n; i++) {
		m[i] = pend[i].m;
		off[i] = pend[i].off;
		rtcp[i] = pend[i].rtcp;
		/* An RTCP flow's leg state is its RTP sibling's (one per leg). */
		cs[i] = &pend[i].f->tun->crx[pend[i].k];
		slot[i] = NO_SLOT;
		if (vr_csrtp_queues(&lc->dp->cdev, cs[i], rtcp[i])) {
			struct vr_tun_flight *fl = flight_get(lc, m[i], &slot[i]);

			fl->f = pend[i].f;
			fl->p = *pend[i].p;
			fl->k = pend[i].k;
			fl->off = pend[i].off;
		}
	}
	vr_csrtp_submit(&lc->dp->cdev, lc->idx, m, off, cs, rtcp, slot, st, n, 0);
	for (i = 0; i < n; i++) {
		if (st[i] == VR_CSRTP_QUEUED) {
			out[i] = NULL; /* vr_tun_back gives it back */
			continue;
		}
		if (slot[i] != NO_SLOT)
			flight_put(lc, slot[i]);
		out[i] = rx_outcome(lc, m[i], pend[i].p, pend[i].f, pend[i].k, off[i], st[i]);
	}
}

int
vr_tun_encap(struct vr_lcore *lc, const struct vr_flow *f, struct rte_mbuf *m, struct vr_pkt *p)
{
	struct vr_tun_leg *t = f->out_tun;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t hdrs = (uint32_t)(p->payload - frame);
	int len = (int)p->payload_len, len0 = len, ret = 0;
	srtp_err_status_t st;
	uint8_t k = t->tx_slot;
	/* RTCP muxed on the RTP port (RFC 5761) goes as SRTCP, as on an RTCP
	 * port: as SRTP its bytes 8-11 would read as an SSRC. */
	int rtcp = (f->kind & VR_FLOW_RTCP) || (len >= 2 && p->payload[1] >= 192 && p->payload[1] <= 223);

	/* The key the SBC last sent with, so that it has it; else the current one. */
	if (unlikely(!__atomic_load_n(&t->valid[k], __ATOMIC_ACQUIRE)))
		k = __atomic_load_n(&t->cur, __ATOMIC_ACQUIRE);
	if (m->pkt_len > hdrs + (uint32_t)len)
		rte_pktmbuf_trim(m, m->pkt_len - (hdrs + (uint32_t)len));
	if (unlikely(!__atomic_load_n(&t->valid[k], __ATOMIC_ACQUIRE) ||
			rte_pktmbuf_headroom(m) < VR_TUN_HDR_LEN ||
			rte_pktmbuf_tailroom(m) < SRTP_MAX_TRAILER_LEN)) {
		drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), m, VR_DROP_SRTP_ERROR);
		return -1;
	}
	frame = (uint8_t *)rte_pktmbuf_prepend(m, VR_TUN_HDR_LEN);
	memmove(frame, frame + VR_TUN_HDR_LEN, hdrs);
	if (lc->dp->use_cdev) {
		/* Queued for the device (vr_tun_encap_flush); the lengths are the
		 * final ones already, with the suite's tag (and SRTCP's index word). */
		struct vr_tun_enc *e = &lc->enc[lc->n_enc++];

		e->m = m;
		e->cs = &t->ctx[k];
		e->st = vr_flow_st(lc->dp, f);
		e->tag = tx_tag(f);
		e->sbc_row = t->sbc_row;
		e->off = (uint16_t)(hdrs + VR_TUN_HDR_LEN);
		e->rtcp = (uint8_t)rtcp;
		len += (int)vr_srtp_tag_len(t->ctx[k].suite) + (rtcp ? 4 : 0);
		ret = 1;
	} else {
		uint8_t *pl = frame + hdrs + VR_TUN_HDR_LEN;

		/* libsrtp makes a stream per SSRC it sends: bounded per leg. */
		if (unlikely(!vr_srtp_ssrc_admit(&t->ssrc_tx, pkt_ssrc(pl, (uint32_t)len, rtcp),
				1))) {
			drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), m, VR_DROP_SRTP_SSRC_LIMIT);
			return -1;
		}
		st = rtcp ? srtp_protect_rtcp(t->tx[k], pl, &len) :
			srtp_protect(t->tx[k], pl, &len);
		if (unlikely(st != srtp_err_status_ok)) {
			/* srtp_err_status_replay_fail: an index already sent (a
			 * duplicate from the phone): never encrypted twice. */
			drop_tun(lc, t->sbc_row, vr_flow_st(lc->dp, f), m, srtp_reason(st));
			return -1;
		}
		rte_pktmbuf_append(m, (uint16_t)(len - len0));
	}
	vr_tun_write(frame + hdrs, rtcp ? VR_TUN_RTCP : VR_TUN_RTP, t->key_id[k], t->sbc_id,
		t->channel, t->epoch);
	p->ip = (struct rte_ipv4_hdr *)((uint8_t *)p->ip - VR_TUN_HDR_LEN);
	p->udp = (struct rte_udp_hdr *)((uint8_t *)p->udp - VR_TUN_HDR_LEN);
	p->payload = frame + hdrs;
	p->payload_len = VR_TUN_HDR_LEN + (uint32_t)len;
	p->ip_len = (uint32_t)(p->payload - (uint8_t *)p->ip) + p->payload_len;
	p->ip->total_length = rte_cpu_to_be_16((uint16_t)p->ip_len);
	p->udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(struct rte_udp_hdr) + p->payload_len));
	vr_dp_sbc_ctr(lc->dp, lc->idx, t->sbc_row)->tx_pkts++;
	vr_dp_sbc_ctr(lc->dp, lc->idx, t->sbc_row)->tx_bytes += p->payload_len;
	count(lc, VR_GC_TUN_TX, 1);
	return ret;
}

/* Encrypted packet m (of flow state fst, TX tag, SBC row) passed or failed: sent, or dropped. */
static inline void
tx_outcome(struct vr_lcore *lc, struct rte_mbuf *m, struct vr_shm_flow *fst, uint64_t tag,
	uint32_t sbc_row, uint8_t st)
{
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (unlikely(st != VR_CSRTP_OK)) {
		drop_tun(lc, (int64_t)sbc_row, fst, m, csrtp_reason(st));
		return;
	}
	/* The payload is final only now: so is the UDP checksum, when there is
	 * one (--tunnel-checksum; relay_flow left it zero). */
	if (lc->dp->cfg.tunnel_cksum) {
		ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
		udp = (struct rte_udp_hdr *)(ip + 1);
		udp->dgram_cksum = vr_ipv4_udp_cksum(ip, udp);
	}
	tx_enqueue(lc, m, tag);
}

void
vr_tun_encap_flush(struct vr_lcore *lc)
{
	struct rte_mbuf *m[VR_BURST];
	struct vr_csrtp_stream *cs[VR_BURST];
	uint32_t slot[VR_BURST] = { 0 };
	uint16_t off[VR_BURST] = { 0 };
	uint8_t st[VR_BURST], rtcp[VR_BURST] = { 0 };
	unsigned int i, n = lc->n_enc;

	lc->n_enc = 0;
	for (i = 0; i < n; i++) {
		const struct vr_tun_enc *e = &lc->enc[i];

		m[i] = e->m;
		cs[i] = e->cs;
		off[i] = e->off;
		rtcp[i] = e->rtcp;
		slot[i] = NO_SLOT;
		if (vr_csrtp_queues(&lc->dp->cdev, cs[i], rtcp[i])) {
			struct vr_tun_flight *fl = flight_get(lc, m[i], &slot[i]);

			fl->f = NULL;
			fl->st = e->st;
			fl->tag = e->tag;
			fl->sbc_row = e->sbc_row;
		}
	}
	vr_csrtp_submit(&lc->dp->cdev, lc->idx, m, off, cs, rtcp, slot, st, n, 1);
	for (i = 0; i < n; i++) {
		const struct vr_tun_enc *e = &lc->enc[i];

		if (st[i] == VR_CSRTP_QUEUED)
			continue; /* vr_tun_back sends it */
		tx_outcome(lc, m[i], e->st, e->tag, e->sbc_row, st[i]);
		if (slot[i] != NO_SLOT)
			flight_put(lc, slot[i]);
	}
}

/* The device is hung: every packet of lc's it holds is left to it, and counted as lost. */
static __rte_noinline void
lose_all(struct vr_lcore *lc)
{
	unsigned int i, n_lost = 0;

	for (i = 0; i < VR_FLIGHT; i++) {
		struct vr_tun_flight *fl = &lc->flight[i];

		if (fl->m == NULL)
			continue;
		if (fl->f != NULL)
			lost_tun(lc, fl->f->tun->sbc_row, vr_flow_st(lc->dp, fl->f), &n_lost);
		else
			lost_tun(lc, fl->sbc_row, fl->st, &n_lost);
		flight_put(lc, i);
	}
}

unsigned int
vr_tun_poll(struct vr_lcore *lc, uint64_t now, uint32_t *slot, uint8_t *st, unsigned int max)
{
	unsigned int got;

	if (unlikely(__atomic_load_n(&lc->dp->cdev.hung, __ATOMIC_RELAXED))) {
		lose_all(lc);
		return 0;
	}
	got = vr_csrtp_poll(&lc->dp->cdev, lc->idx, slot, st, max);
	if (got > 0) {
		lc->flight_tsc = now;
	} else if (lc->n_free < VR_FLIGHT &&
			(int64_t)(now - lc->flight_tsc) > (int64_t)lc->dp->tsc_hz) {
		/* Nothing back for a second: a hung device (every lcore stops using
		 * it). Signed: flight_tsc may be later than this poll's now, set
		 * when a packet was handed over during the poll. */
		__atomic_store_n(&lc->dp->cdev.hung, 1, __ATOMIC_RELAXED);
		lose_all(lc);
	}
	return got;
}

struct vr_flow *
vr_tun_back(struct vr_lcore *lc, uint32_t slot, uint8_t st, struct rte_mbuf **m, struct vr_pkt *p)
{
	struct vr_tun_flight *fl = &lc->flight[slot];
	struct vr_flow *f = NULL;

	*m = fl->m;
	if (fl->f != NULL) {
		f = rx_outcome(lc, fl->m, &fl->p, fl->f, fl->k, fl->off, st);
		*p = fl->p;
	} else {
		tx_outcome(lc, fl->m, fl->st, fl->tag, fl->sbc_row, st);
	}
	flight_put(lc, slot);
	return f;
}
