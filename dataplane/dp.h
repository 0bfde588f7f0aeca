/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's shared types: the process-wide context (struct vr_dp), a
 * worker lcore's context (struct vr_lcore), a bound flow (struct vr_flow) and
 * the neighbour table. Every field says who writes it. Threads:
 *  - worker lcores run relay.c: receive, relay, answer ICMP echo, transmit;
 *  - the main lcore runs the slow path (slowpath.c): the control socket
 *    (ctl.c) and with it the only writer of the flow table (calls.c) and of
 *    the SBC table and tunnel sessions (sbc.c, which also answers SBC
 *    hellos), ARP and the neighbour table (neigh.c), and the clock in the
 *    shared memory;
 *  - tunnel.c is the workers' side of SBC tunnels: decrypt, encrypt;
 *    hellolimit.c rate-limits the hellos they pass to the main lcore.
 * Workers read the flow and neighbour tables without locks; the main lcore
 * frees what it unlinked only after an RCU grace period (rte_rcu_qsbr).
 */
#ifndef VR_DP_DP_H
#define VR_DP_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>

#include "voxrelay/ctl.h"
#include "voxrelay/shm.h"

#include "config.h"
#include "latch.h"
#include "rtpstat.h"
#include "csrtp.h"
#include "pkt.h"
#include "tuntab.h"
#include "srtp.h"

extern int vr_logtype_dp;
#define VR_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vr_logtype_dp, "voxrelay-dp: " fmt "\n", ##__VA_ARGS__)

#define VR_BURST 32          /* RX burst and TX flush threshold */
#define VR_TX_BUF (VR_BURST * 2)
#define VR_TX_DRAIN_US 100   /* buffered packets wait at most this long */
#define VR_MAX_WORKERS 64

/*
 * A flow's hot private state, one cache line: the last line of its shm row
 * (vr_shm_flow.dp_private), so that it outlives rebinds on the same ports
 * and shares a page with the row's first line. Written by the call's owner
 * lcore only (all four flows of a call have the same owner), zeroed with the
 * row before the call is bound.
 */
struct vr_flow_priv {
	struct vr_rtp_track rtp;
	struct vr_latch latch;
	uint32_t gen;          /* the vr_flow.gen last applied by the owner */
	/* Where this flow's packets go: the other leg's latched peer (for an
	 * RTCP flow whose partner has not latched, the other leg's RTP peer,
	 * port + 1), kept by the owner whenever one of those latches changes
	 * (relay.c, dest_refresh), so that a packet reads no state of the other
	 * leg. Unused by flows into a tunnel, which send where their SBC is. */
	uint32_t dest_ip;      /* network order */
	uint16_t dest_port;    /* network order */
	uint8_t dest_ok;       /* 0: the other leg has no peer yet */
} __rte_cache_aligned;

/*
 * Where an SBC was last heard from: the source of its last authenticated
 * packet, media on any channel or hello, as ip << 16 | port (both network
 * order); 0 until then. One SBC sends every channel over one 5-tuple, so
 * this is where every tunnel leg of the SBC sends. One per SBC row, a cache
 * line each: written by whichever lcore authenticated the packet (only when
 * it changes), read by every worker that sends into the tunnel.
 */
struct vr_sbc_addr {
	uint64_t v;
} __rte_cache_aligned;

/*
 * A configured SBC. Replaced whole by the main lcore when its keys change
 * (workers read dp->sbc[id] and what it points to, freed after a grace
 * period); hello_* are the main lcore's own.
 */
/* Slots of a worker's stale-epoch hint timestamps (SBC rows share them modulo). */
#define VR_STALE_HINT_SLOTS 64

/* Hello challenges an SBC may answer: the last few sent, for answers lost or crossed. */
#define VR_SBC_CHALLENGES 4
/* Retired keys remembered per SBC, so that none comes back. */
#define VR_SBC_RETIRED_KEYS 16

struct vr_sbc {
	uint32_t id;
	uint32_t row;                  /* its rows in the shared memory */
	uint8_t suite;                 /* enum vr_srtp_suite */
	uint8_t n_keys;                /* key[0] current; key[1] previous during a rollover */
	uint16_t hello_seq;            /* main: RTP sequence of the hello answers */
	uint32_t hello_ssrc;           /* main: SSRC of the hello answers, random per SBC */
	uint64_t prev_until_tsc;       /* main: key[1] accepted until then */
	/* main: the challenges sent in the last answers, each good for one
	 * hello (0: used or none): [0] to hellos from where the SBC was last
	 * heard from, [1] to hellos from elsewhere (a replay from another
	 * address cannot push the SBC's own out); chal_next[k] is where the
	 * next one goes. */
	uint64_t chal[2][VR_SBC_CHALLENGES];
	uint8_t chal_next[2];
	/* main: fingerprints of keys this SBC had and retired since start: a
	 * key that came back would start every leg's index state over. */
	uint64_t retired_key[VR_SBC_RETIRED_KEYS];
	uint8_t retired_next;
	struct vr_srtp_key key[2];
	srtp_t hello_rx[2];            /* main: per key, channel 0, SBC to relay */
	struct vr_srtp_ssrcs hello_ssrcs[2]; /* main: per key, the SSRCs hello_rx has taken */
	srtp_t hello_tx[2];            /* main: per key, channel 0, relay to SBC */
};

/*
 * The SRTP state of one tunnel leg (a call leg that is a channel of an SBC
 * tunnel), per key slot: kept across rebinds of the call and key changes
 * that keep the key, so replay windows and rollover counters carry on.
 * Created and freed by the main lcore (after a grace period); the sessions
 * are used by the call's owner lcore only.
 */
struct vr_tun_leg {
	uint32_t sbc_id;
	uint32_t channel;
	uint32_t sbc_row;
	uint64_t epoch;                /* the leg's key epoch: its a_epoch XOR dp->boot_epoch */
	uint64_t a_epoch;              /* the epoch its call gave it */
	uint8_t bound;                 /* main: its call was bound (its keys may have been used) */
	uint8_t suite;                 /* the SBC's suite when the leg was made */
	uint8_t key_id[2];             /* main: the key id a valid slot holds */
	uint8_t valid[2];              /* main: 1 while slot k may be used */
	uint8_t cur;                   /* main: the slot of the SBC's current key */
	uint8_t tx_slot;               /* owner: the slot the SBC last sent with */
	uint8_t master[2][VR_SRTP_MASTER_MAX]; /* main: slot k's key, to tell keys apart */
	srtp_t rx[2];                  /* owner uses, with libsrtp: SBC to relay */
	srtp_t tx[2];                  /* owner uses, with libsrtp: relay to SBC */
	struct vr_csrtp_stream crx[2]; /* with the cryptodev engine: SBC to relay, RTP and RTCP */
	struct vr_csrtp_stream ctx[2]; /* with the cryptodev engine: relay to SBC */
	struct vr_srtp_ssrcs ssrc_rx;  /* owner, with libsrtp: SSRCs the SBC sent (all slots) */
	struct vr_srtp_ssrcs ssrc_tx;  /* owner, with libsrtp: SSRCs sent to the SBC */
};

/* What a flow is, for the relay's compile-time variants (relay.c). */
#define VR_FLOW_RTCP 0x1       /* an RTCP port */
#define VR_FLOW_TUN_IN 0x2     /* a tunnel leg: its packets were decrypted (tunnel.c) */
#define VR_FLOW_TUN_OUT 0x4    /* the other leg is a tunnel leg: packets are encrypted */

/*
 * A bound relay port: one leg's RTP or RTCP port. Immutable once published in
 * the flow table; the main lcore replaces it whole and frees the old one after
 * a grace period. Its mutable state is priv (private, one line) and the shm
 * row st (exported: the latch and the counters), both written only by the
 * owner lcore. A relayed plain packet reads the first line only: where to
 * send is in priv, not in the other leg's flow or state.
 */
struct vr_flow {
	/* Line 0: all that a relayed plain packet reads here. */
	struct vr_latch_rule rule;
	struct vr_flow_priv *priv;
	uint64_t clock_mult;      /* tsc * clock_mult >> 40 = RTP clock units */
	uint32_t out_ip;          /* partner->local_ip: the relayed packet's source */
	uint32_t gen;             /* call programming generation */
	uint32_t slot;            /* call slot in the shm region: st is its flow[fidx] */
	uint32_t slot_seq;        /* that slot's seq while this flow is bound */
	uint16_t out_port;        /* partner->local_port */
	uint16_t owner;           /* worker index */
	uint8_t fidx;             /* leg * 2 + rtcp */
	uint8_t kind;             /* VR_FLOW_* */
	/* Line 1: the tunnel paths and the slow paths. */
	struct vr_shm_flow *st;
	struct vr_tun_leg *tun;   /* tunnel legs: the leg's SRTP state; else NULL */
	struct vr_tun_leg *out_tun; /* partner->tun */
	struct vr_flow *partner;  /* the other leg's flow of the same kind */
	struct vr_flow *sibling;  /* this leg's RTCP flow for the RTP one and back */
	uint32_t local_ip;        /* network order */
	uint16_t local_port;      /* network order */
} __rte_cache_aligned;

_Static_assert(offsetof(struct vr_flow, st) == RTE_CACHE_LINE_SIZE,
	"a plain packet's part of struct vr_flow is one cache line");
_Static_assert(sizeof(struct vr_flow_priv) == sizeof(((struct vr_shm_flow *)0)->dp_private),
	"struct vr_flow_priv is the shm row's private line");

/* Neighbour word: MAC in bits 0-47, state in the top bits. */
#define VR_NEIGH_VALID (1ull << 63)
#define VR_NEIGH_PENDING (1ull << 62)
#define VR_NEIGH_MAC_MASK ((1ull << 48) - 1)

/*
 * The on-link neighbours, indexed by host number within the subnet. word[] is
 * written by the main lcore only and read by workers with one atomic load;
 * the other arrays are the main lcore's.
 */
struct vr_neigh {
	uint64_t *word;          /* VR_NEIGH_* | MAC */
	uint64_t *stamp;         /* main: tsc of the last confirmation or request */
	uint8_t *tries;          /* main: unanswered requests */
	uint32_t *active;        /* main: host numbers with a non-zero word */
	uint32_t n_active;
	uint32_t size;           /* 2^(32 - prefix) */
	uint32_t net;            /* subnet address, host order */
	uint32_t gw_idx;         /* the gateway's host number */
	uint64_t log_tsc;        /* main: when the current second of change logs began */
	uint32_t log_n;          /* main: changes logged in it */
	uint32_t log_quiet;      /* main: changes not logged in it */
};

/* A packet waiting for the crypto device to encrypt it into a tunnel (tunnel.c). */
struct vr_tun_enc {
	struct rte_mbuf *m;
	struct vr_csrtp_stream *cs;
	struct vr_shm_flow *st;        /* the flow it came from, for a drop */
	uint64_t tag;                  /* its TX tag */
	uint32_t sbc_row;
	uint16_t off;                  /* of its RTP or RTCP packet in m */
	uint8_t rtcp;
};

/*
 * Tunnel packets a worker may leave with the crypto device across its polls
 * (tunnel.c), and the free slots each poll starts with at least (else it
 * first waits for the device to give packets back).
 */
#define VR_FLIGHT 512
#define VR_FLIGHT_ROOM (4 * VR_BURST)

/* A tunnel packet the crypto device holds: being decrypted (f set) or encrypted. */
struct vr_tun_flight {
	struct rte_mbuf *m;            /* NULL: a free slot */
	struct vr_flow *f;             /* decrypting: the flow it arrived on */
	struct vr_shm_flow *st;        /* encrypting: the flow it came from, for a drop */
	uint64_t tag;                  /* encrypting: its TX tag */
	struct vr_pkt p;               /* decrypting: the packet as vr_tun_rx saw it */
	uint32_t sbc_row;              /* encrypting */
	uint16_t off;                  /* decrypting: of the SRTP packet in m */
	uint8_t k;                     /* decrypting: the leg's key slot */
};

/* A worker lcore's context, allocated on its NUMA node. */
struct vr_lcore {
	struct vr_dp *dp;              /* read-only */
	struct vr_shm_lcore *ctr;      /* this lcore's counter row: it is the only writer */
	struct rte_ring *handoff;      /* MP/SC: packets for calls this lcore owns */
	struct rte_ring *slow_tx;      /* SP/SC: packets the main lcore wants sent */
	struct vr_hello_limit *hello;  /* this lcore's hello buckets (hellolimit.c): its own */
	/* When this lcore last passed an SBC's stale-epoch packet up for a
	 * hint (tunnel.c), by SBC row modulo VR_STALE_HINT_SLOTS: its own. */
	uint64_t stale_hint_tsc[VR_STALE_HINT_SLOTS];
	struct rte_mbuf *tx[VR_TX_BUF];
	uint64_t tx_tag[VR_TX_BUF];    /* flow of tx[i] (see tx_tag()), or UINT64_MAX */
	uint64_t last_flush_tsc;
	uint64_t drain_tsc;
	unsigned int lcore_id;
	uint16_t idx;                  /* worker index: RX/TX queue and RCU thread id */
	uint16_t tx_n;
	uint16_t n_enc;
	uint32_t iter;
	struct vr_tun_enc enc[VR_BURST]; /* queued for vr_tun_encap_flush() */
	/* The crypto device's packets (tunnel.c): flight[free_slot[0..n_free)]
	 * are free; flight_tsc is when the device last gave one back, or was
	 * given one while it held none. */
	uint16_t n_free;
	uint32_t flight_polls;         /* polls that left packets with the device */
	uint16_t free_slot[VR_FLIGHT];
	uint64_t flight_tsc;
	struct vr_tun_flight flight[VR_FLIGHT];
} __rte_cache_aligned;

/* The call registry: main lcore only. */
struct vr_call {
	struct vr_ctl_call def;
	struct vr_flow *flows[4];
	struct vr_tun_leg *tun[2];     /* per leg: its tunnel state when it is a tunnel leg */
	uint32_t slot;
	uint32_t gen;
	uint16_t owner;
};

/* The process-wide context. Set up before workers start, then read-only
 * except where a field says otherwise. */
struct vr_dp {
	struct vr_config cfg;
	struct rte_ether_addr mac;
	uint64_t tsc_hz;
	uint16_t port_id;
	uint16_t n_workers;
	bool tx_ip_cksum;              /* the port computes IPv4 header checksums */
	bool rx_cksum;                 /* the port flags bad checksums */
	uint32_t n_ports;              /* relay ports per address */
	struct vr_flow **ft;           /* [addr * n_ports + port - lo]; main writes, workers read */
	struct vr_neigh neigh;
	struct rte_rcu_qsbr *qs;
	struct rte_rcu_qsbr_dq *retired; /* main: what calls.c unlinked, freed after a grace period */
	struct rte_mempool *pool;
	struct rte_ring *slow_rx;      /* MP/SC: ARP from workers to the main lcore */
	struct rte_ring *hello_rx;     /* MP/SC: SBC hellos from workers, rate-limited */
	struct rte_ring *resolve;      /* MP/SC: next hops (host numbers) to resolve */
	struct vr_lcore *lc[VR_MAX_WORKERS];
	struct vr_shm_hdr *shm;        /* main writes the header; lcores their rows */
	struct vr_shm_call *shm_calls;
	uint64_t shm_size;
	struct vr_sbc **sbc;           /* [tunnel id]; main writes, workers read */
	struct vr_tuntab *tun_ft;      /* sbc id << 32 | channel -> RTP flow; main writes */
	struct vr_shm_sbc *shm_sbcs;   /* [row]; main writes */
	struct vr_shm_sbc_ctr *shm_sbc_ctrs; /* [lcore * max_sbcs + row]; each lcore its own */
	struct vr_sbc_addr *sbc_addr;  /* [row]; any lcore writes (vr_sbc_addr_note), workers read */
	bool use_cdev;                 /* tunnels' RTP through cdev (queue pair = worker index) */
	/* This boot's tunnel epoch (48 random bits, never 0): XORed into every
	 * tunnel leg's epoch and used for the hello answers' keys, so that no
	 * key of this boot is one of an earlier boot's (docs/tunnel.md). */
	uint64_t boot_epoch;
	struct vr_csrtp_dev cdev;      /* its last queue pair is the main lcore's */
	/* Main lcore only: */
	struct vr_tun_leg **tun_legs;  /* [slot * 2 + leg] */
	uint32_t *free_sbc_rows;
	uint32_t n_free_sbc_rows;
	uint32_t n_sbcs;
	uint64_t next_key_check_tsc;
	/* The (SBC, channel, epoch) of tunnel legs unbound since start: their
	 * keys were used, so no later call may have them (the newest
	 * n_used_max, as a ring of keys and a hash for the lookup). */
	struct rte_hash *used_legs;
	uint64_t (*used_ring)[3];
	uint32_t n_used_max, used_next;
	struct rte_hash *call_ids;     /* call id -> struct vr_call * */
	struct vr_call **slot_call;    /* [slot] */
	uint32_t *free_slots;
	uint32_t n_free;
	uint32_t next_owner;
	uint64_t start_tsc;
	/* How long the main lcore's loop stays away from its rings: the
	 * longest pass (its sleep in the control socket's poll left out) since
	 * start, in the current second and in the one before (slowpath.c). */
	uint64_t pause_max_tsc;
	uint64_t pause_cur_tsc, pause_prev_tsc;
	uint64_t pause_window_tsc;     /* when the current second began */
	uint64_t ctl_wait_tsc;         /* this pass's sleep in poll (ctl.c) */
	int ctl_fd;
	int ctl_clients[16];
	volatile int quit;             /* set by the signal handler or the owner of dp */
};

/* Index of ip (network order) among the relay addresses, or -1. */
static inline int
vr_addr_index(const struct vr_dp *dp, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < dp->cfg.n_addrs; i++)
		if (dp->cfg.addrs[i] == ip)
			return (int)i;
	return -1;
}

/* f's exported row: its call slot's flow[fidx] (st, computed from line 0). */
static inline struct vr_shm_flow *
vr_flow_st(const struct vr_dp *dp, const struct vr_flow *f)
{
	return &dp->shm_calls[f->slot].flow[f->fidx];
}

/* The private line of flow fidx of call slot. */
static inline struct vr_flow_priv *
vr_flow_priv(const struct vr_dp *dp, uint32_t slot, unsigned int fidx)
{
	return (struct vr_flow_priv *)dp->shm_calls[slot].flow[fidx].dp_private;
}

/* The counter row of worker idx. */
static inline struct vr_shm_lcore *
vr_dp_lcore_row(struct vr_dp *dp, unsigned int idx)
{
	return (struct vr_shm_lcore *)((char *)dp->shm + dp->shm->lcores_off) + idx;
}

/* dp.c: set-up and tear-down, shared by main.c and the EAL tests. */
int vr_dp_init(struct vr_dp *dp, const struct vr_config *cfg, uint16_t port_id,
	const unsigned int *worker_lcores, unsigned int n_workers);
void vr_dp_fini(struct vr_dp *dp);

/* relay.c: one worker loop iteration; the loop itself. */
void vr_worker_poll(struct vr_lcore *lc);
void vr_worker_flush(struct vr_lcore *lc);
/* Reports lc quiescent (RCU) unless its crypto device holds some of its
 * packets, which point into flows: 1 when it did. After each poll. */
int vr_worker_quiesce(struct vr_lcore *lc);
int vr_worker_main(void *arg);

/* slowpath.c: one pass of the main lcore's duties (never blocks; sleeps up to
 * 1 ms only when none of its rings holds anything). */
void vr_slow_poll(struct vr_dp *dp);

/* neigh.c: main lcore. */
int vr_neigh_init(struct vr_dp *dp);
void vr_neigh_fini(struct vr_dp *dp);
void vr_neigh_input(struct vr_dp *dp, struct rte_mbuf *m, uint64_t now);
void vr_neigh_timers(struct vr_dp *dp, uint64_t now);
void vr_neigh_resolve(struct vr_dp *dp, uint32_t host, uint64_t now);
int vr_slow_send(struct vr_dp *dp, struct rte_mbuf *m);

/* calls.c: main lcore, the only writer of the flow table. */
int vr_calls_init(struct vr_dp *dp);
void vr_calls_fini(struct vr_dp *dp);
/* Frees what unbinds and rebinds left on the defer queue once its grace period passed. */
void vr_calls_reclaim(struct vr_dp *dp);
int vr_calls_add(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen);
int vr_calls_mod(struct vr_dp *dp, const struct vr_ctl_call *def, char *err, size_t errlen);
int vr_calls_del(struct vr_dp *dp, const char *id, char *err, size_t errlen);
struct vr_call *vr_calls_find(struct vr_dp *dp, const char *id);

/* sbc.c: main lcore, the only writer of the SBC table and the tunnel sessions. */
int vr_sbc_init(struct vr_dp *dp);
void vr_sbc_fini(struct vr_dp *dp);
int vr_sbc_set(struct vr_dp *dp, const struct vr_ctl_sbc *def, char *err, size_t errlen);
int vr_sbc_del(struct vr_dp *dp, uint32_t id, char *err, size_t errlen);
void vr_sbc_timers(struct vr_dp *dp, uint64_t now);
void vr_sbc_hello_input(struct vr_dp *dp, struct rte_mbuf *m);
struct vr_tun_leg *vr_sbc_leg_new(struct vr_dp *dp, uint32_t sbc_id, uint32_t channel,
	uint64_t epoch, char *err, size_t errlen);
void vr_sbc_leg_free(struct vr_dp *dp, struct vr_tun_leg *t);
/*
 * t's call is bound: its keys count as used on its channel and epoch from
 * now on (a later leg with them is refused), and so does any key it gets.
 */
void vr_sbc_leg_bound(struct vr_dp *dp, struct vr_tun_leg *t);

/* The SBC counter row of lcore idx (n_workers: the main lcore) for SBC row r. */
/* An authenticated packet of the SBC in row came from ip:port (network order). */
static inline void
vr_sbc_addr_note(struct vr_dp *dp, uint32_t row, uint32_t ip, uint16_t port)
{
	uint64_t v = (uint64_t)ip << 16 | port;

	if (__atomic_load_n(&dp->sbc_addr[row].v, __ATOMIC_RELAXED) != v)
		__atomic_store_n(&dp->sbc_addr[row].v, v, __ATOMIC_RELAXED);
}

static inline struct vr_shm_sbc_ctr *
vr_dp_sbc_ctr(struct vr_dp *dp, unsigned int idx, uint32_t r)
{
	return &dp->shm_sbc_ctrs[(uint64_t)idx * dp->cfg.max_sbcs + r];
}

/* ctl.c: main lcore. */
int vr_ctl_open(struct vr_dp *dp);
void vr_ctl_close(struct vr_dp *dp);
/* Serves the control socket, waiting up to wait_ms for it when nothing is ready. */
void vr_ctl_poll(struct vr_dp *dp, int wait_ms);
size_t vr_ctl_handle(struct vr_dp *dp, const void *req, size_t len, void *reply, size_t cap);

/* shm.c: main lcore. */
int vr_shm_create(struct vr_dp *dp, unsigned int n_workers);
void vr_shm_destroy(struct vr_dp *dp);
void vr_shm_tick(struct vr_dp *dp, uint64_t now);

#endif /* VR_DP_DP_H */
