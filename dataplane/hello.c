/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Answers SBC hellos (docs/tunnel.md, Hellos): runs on the main lcore only,
 * for the hellos workers passed up on dp->hello_rx (rate-limited there,
 * hellolimit.c). Authenticates each with the SBC's own channel-0 sessions
 * (made and replaced by sbc.c; only this lcore uses them), records a fresh
 * one in the SBC's shm row, and answers every one, in the same mbuf, with a
 * new challenge, through a worker's slow_tx ring.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "cksum.h"
#include "dp.h"
#include "hello.h"
#include "neigh.h"
#include "pkt.h"
#include "sbc.h"

#define RELAY_VERSION "voxrelay-dp 0.2.0"

/* Counts a hello dropped for reason on the main lcore's row of SBC s. */
static void
hello_drop(struct vr_dp *dp, const struct vr_sbc *s, struct rte_mbuf *m, int reason)
{
	if (s != NULL)
		vr_dp_sbc_ctr(dp, dp->n_workers, s->row)->drops[reason]++;
	rte_pktmbuf_free(m);
}

/*
 * Whether challenge c is one that s was sent and has not used yet: if so it
 * is used up now (a hello that echoes it is fresh, and no copy of that
 * hello can be).
 */
static int
challenge_take(struct vr_sbc *s, uint64_t c)
{
	unsigned int i, k;

	if (c == 0)
		return 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < VR_SBC_CHALLENGES; i++) {
			if (s->chal[k][i] == c) {
				s->chal[k][i] = 0;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * A new challenge for s's next hello, kept with the last few sent: those
 * answering hellos from where the SBC was last heard from (home) apart
 * from the others, so that hellos replayed from elsewhere, which are
 * answered too, cannot push out the one the SBC is about to echo.
 */
static uint64_t
challenge_new(struct vr_sbc *s, int home)
{
	uint64_t c = vr_sbc_random_nonzero();
	unsigned int k = home ? 0 : 1;

	s->chal[k][s->chal_next[k]] = c;
	s->chal_next[k] = (uint8_t)((s->chal_next[k] + 1) % VR_SBC_CHALLENGES);
	return c;
}

/*
 * Answers an SBC's hello, which a worker checked for form and SBC id. Once
 * its SRTP authentication passes: a fresh hello (it echoes a challenge of
 * ours that it is the first to echo) says where the SBC is, and what it
 * says is recorded in the SBC's row; any other (the SBC's first after its
 * own restart or ours, one whose answer was lost, or a copy replayed from
 * anywhere) teaches the relay nothing and is counted as tun_hello_stale.
 * Both are answered, in the same mbuf, to where they came from: the answer
 * carries a new challenge for the next hello, echoes the hello's own
 * challenge (so that the SBC knows the answer is not a replay), and comes
 * under this boot's epoch (which the SBC then uses for its media).
 */
void
vr_sbc_hello_input(struct vr_dp *dp, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr ea;
	struct vr_tun_hello hello, ans;
	struct vr_tun_hdr h;
	struct vr_shm_sbc *r;
	struct vr_sbc *s;
	struct vr_pkt p;
	uint8_t *srtp;
	uint32_t ip, ssrc;
	uint16_t port;
	int len, k, tl;
	srtp_err_status_t st;

	if (m->nb_segs != 1 || vr_pkt_classify((uint8_t *)eth, m->data_len, &p) != VR_PKT_UDP ||
			vr_tun_parse(p.payload, p.payload_len, &h) != VR_TUN_OK ||
			h.type == VR_TUN_HELLO_ACK) {
		rte_pktmbuf_free(m);
		return;
	}
	s = dp->sbc[h.sbc_id];
	if (s == NULL)
		return hello_drop(dp, NULL, m, VR_DROP_TUN_UNKNOWN_SBC);
	for (k = 0; k < s->n_keys; k++)
		if (s->key[k].id == h.key_id)
			break;
	srtp = p.payload + VR_TUN_HDR_LEN;
	len = (int)(p.payload_len - VR_TUN_HDR_LEN);
	memset(&hello, 0, sizeof(hello));
	ip = p.ip->src_addr;
	port = p.udp->src_port;
	if (h.type != VR_TUN_HELLO) {
		/* Media a worker found under a stale epoch (tunnel.c), counted
		 * there: if it is the SBC's under an epoch of its own, the SBC has
		 * not heard of our restart; a hint (an answer with a challenge and
		 * no echo, which it takes as "say hello now") saves it waiting for
		 * its next hello. Anything else goes without a word. */
		srtp_t old;

		if (k == s->n_keys) {
			rte_pktmbuf_free(m);
			return;
		}
		old = vr_srtp_stream_new(&s->key[k], VR_TUN_UP, h.channel, h.epoch, 1);
		st = old == NULL ? srtp_err_status_fail : h.type == VR_TUN_RTP ?
			srtp_unprotect(old, srtp, &len) : srtp_unprotect_rtcp(old, srtp, &len);
		vr_srtp_stream_free(old);
		if (st != srtp_err_status_ok) {
			rte_pktmbuf_free(m);
			return;
		}
		goto answer;
	}
	if (h.epoch != 0)
		return hello_drop(dp, s, m, VR_DROP_TUN_STALE_EPOCH);
	if (k == s->n_keys)
		return hello_drop(dp, s, m, VR_DROP_TUN_UNKNOWN_KEY);
	/* libsrtp keeps a stream per SSRC it authenticates, for as long as the
	 * session lives: a new SBC run, or a replayed one, adds one. When the
	 * SSRCs fill the set the session starts over: a hello's freshness is
	 * its challenge, not this replay window. */
	ssrc = vr_tun_get32(srtp + 8);
	if (!vr_srtp_ssrc_admit(&s->hello_ssrcs[k], ssrc, 0)) {
		srtp_t fresh = vr_srtp_stream_new(&s->key[k], VR_TUN_UP, VR_TUN_CHANNEL_SBC, 0, 1);

		if (fresh == NULL)
			return hello_drop(dp, s, m, VR_DROP_SRTP_ERROR);
		vr_srtp_stream_free(s->hello_rx[k]);
		s->hello_rx[k] = fresh;
		memset(&s->hello_ssrcs[k], 0, sizeof(s->hello_ssrcs[k]));
	}
	st = srtp_unprotect(s->hello_rx[k], srtp, &len);
	if (st != srtp_err_status_ok)
		return hello_drop(dp, s, m, st == srtp_err_status_auth_fail ? VR_DROP_SRTP_AUTH :
			st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old ?
			VR_DROP_SRTP_REPLAY : VR_DROP_SRTP_ERROR);
	/* A plain RTP header (no CSRC, no extension), then the TLVs. */
	vr_srtp_ssrc_admit(&s->hello_ssrcs[k], ssrc, 1);
	if (len < 12 || (srtp[0] & 0xdf) != 0x80 ||
			vr_tun_hello_parse(srtp + 12, (size_t)len - 12, &hello) < 0)
		return hello_drop(dp, s, m, VR_DROP_TUN_MALFORMED);
	vr_dp_sbc_ctr(dp, dp->n_workers, s->row)->rx_pkts++;
	vr_dp_sbc_ctr(dp, dp->n_workers, s->row)->rx_bytes += p.payload_len;
	if (hello.has_echo && challenge_take(s, hello.echo)) {
		vr_sbc_addr_note(&dp->sbc_addr[s->row], ip, port);
		r = vr_sbc_row_begin(dp, s->row);
		r->public_ip = ip;
		r->public_port = port;
		r->local_ip = hello.local_ip;
		r->hello_interval_s = hello.interval_s;
		r->key_id = h.key_id;
		r->last_hello_unix_ns = vr_sbc_unix_ns();
		r->hellos++;
		memcpy(r->version, hello.version, sizeof(r->version));
		vr_sbc_row_end(r);
	} else {
		vr_dp_sbc_ctr(dp, dp->n_workers, s->row)->drops[VR_DROP_TUN_HELLO_STALE]++;
	}

answer:
	/* The answer: same addresses reversed, a hello answer with our version. */
	memset(&ans, 0, sizeof(ans));
	snprintf(ans.version, sizeof(ans.version), "%s", RELAY_VERSION);
	ans.has_nonce = 1;
	ans.nonce = challenge_new(s, __atomic_load_n(&dp->sbc_addr[s->row].v, __ATOMIC_RELAXED) ==
		((uint64_t)ip << 16 | port));
	ans.has_echo = hello.has_nonce;
	ans.echo = hello.nonce;
	/* Room for the longest answer, checked before anything is written. */
	if (rte_pktmbuf_tailroom(m) + m->data_len < (uint32_t)(srtp - (uint8_t *)eth) + 12 + 96 +
			SRTP_MAX_TRAILER_LEN)
		return hello_drop(dp, s, m, VR_DROP_SRTP_ERROR);
	/* Hello sequence numbers never wrap: before one would, the answers move
	 * to the next SSRC and a new sequence below 2^15, so that their
	 * rollover counter is always 0 and an SBC that restarts reads them
	 * right with a new session (libsrtp takes a new SSRC at counter 0). */
	if (s->hello_seq == 0xffff) {
		s->hello_ssrc++;
		s->hello_seq = (uint16_t)(vr_sbc_random_nonzero() & 0x7fff);
	}
	srtp[0] = 0x80;
	srtp[1] = 0;
	srtp[2] = (uint8_t)(s->hello_seq >> 8);
	srtp[3] = (uint8_t)s->hello_seq;
	s->hello_seq++;
	memset(srtp + 4, 0, 4);
	vr_tun_put32(srtp + 8, s->hello_ssrc);
	tl = vr_tun_hello_build(&ans, srtp + 12, 96);
	len = 12 + tl;
	if (tl < 0 || srtp_protect(s->hello_tx[k], srtp, &len) != srtp_err_status_ok)
		return hello_drop(dp, s, m, VR_DROP_SRTP_ERROR);
	vr_tun_write(p.payload, VR_TUN_HELLO_ACK, h.key_id, h.sbc_id, VR_TUN_CHANNEL_SBC,
		dp->boot_epoch);
	m->data_len = m->pkt_len = (uint32_t)(srtp - (uint8_t *)eth) + (uint32_t)len;
	rte_ether_addr_copy(&eth->src_addr, &ea);
	rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
	rte_ether_addr_copy(&ea, &eth->dst_addr);
	p.ip->src_addr = p.ip->dst_addr;
	p.ip->dst_addr = ip;
	p.ip->time_to_live = dp->cfg.ttl;
	p.ip->total_length = rte_cpu_to_be_16((uint16_t)(m->pkt_len - sizeof(*eth)));
	p.ip->hdr_checksum = 0;
	p.ip->hdr_checksum = rte_ipv4_cksum(p.ip);
	p.udp->src_port = p.udp->dst_port;
	p.udp->dst_port = port;
	p.udp->dgram_len = rte_cpu_to_be_16((uint16_t)(VR_TUN_HDR_LEN + len + sizeof(*p.udp)));
	p.udp->dgram_cksum = 0;
	p.udp->dgram_cksum = vr_ipv4_udp_cksum(p.ip, p.udp);
	m->ol_flags = 0;
	vr_dp_sbc_ctr(dp, dp->n_workers, s->row)->tx_pkts++;
	vr_dp_sbc_ctr(dp, dp->n_workers, s->row)->tx_bytes += VR_TUN_HDR_LEN + (uint64_t)len;
	vr_slow_send(dp, m);
}
