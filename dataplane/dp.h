/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's two contexts: the process (struct vr_dp) and a worker
 * lcore (struct vr_lcore), with the accessors of what they hold. Every field
 * says who writes it. Threads, and the files they run:
 *  - worker lcores: relay.c (receive, classify, relay, answer ICMP echo),
 *    tunnel.c (SBC tunnels: decrypt, encrypt), tx.c (buffered transmit),
 *    hellolimit.c (the hellos they pass to the main lcore, rate-limited);
 *  - the main lcore: slowpath.c, its loop, which serves the control socket
 *    (ctl.c) and with it the only writer of the flow table (calls.c) and of
 *    the SBC table and tunnel sessions (sbc.c; hello.c answers the SBCs'
 *    hellos), ARP and the neighbour table (neigh.c), and the clock in the
 *    shared memory (shm.c);
 *  - dp.c sets everything up before the workers start and tears it down.
 * Workers read the flow and neighbour tables without locks; the main lcore
 * frees what it unlinked only after an RCU grace period (rte_rcu_qsbr).
 * The types of each part are in its own header (flow.h, neigh.h, sbc.h,
 * calls.h, tunnel.h); this one needs only those it embeds.
 */
#ifndef VR_DP_DP_H
#define VR_DP_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>

#include "voxrelay/shm.h"

#include "config.h"
#include "csrtp.h"
#include "flow.h"
#include "neigh.h"
#include "tunnel.h"

struct rte_hash;
struct rte_mempool;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;
struct rte_ring;
struct vr_call;
struct vr_hello_limit;
struct vr_sbc;
struct vr_sbc_addr;
struct vr_tun_leg;
struct vr_tuntab;

extern int vr_logtype_dp;
#define VR_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vr_logtype_dp, "voxrelay-dp: " fmt "\n", ##__VA_ARGS__)

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
	/* Bit i set while cfg.addrs[i] is active; main writes (VR_CTL_ADDR_SET),
	 * workers read. */
	uint64_t addrs_active;
	uint64_t announce_again;       /* main: addresses whose announcement is repeated ... */
	uint64_t announce_tsc;         /* main: ... at this time */
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
	struct vr_tuntab *tun_ft;      /* sbc id << 32 | channel -> RTP flow; main writes (calls.c) */
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
	struct vr_tun_leg **tun_legs;  /* [slot * 2 + leg]; tunleg.c */
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
	/* The same in the thread's CPU time (ns), which a host that preempts
	 * the main lcore does not inflate: the work of the longest pass. */
	uint64_t busy_max_ns, busy_cur_ns, busy_prev_ns;
	uint64_t ctl_wait_tsc;         /* this pass's sleep in poll (ctl.c) */
	int ctl_fd;
	int ctl_clients[16];
	volatile int quit;             /* set by the signal handler or the owner of dp */
};

/*
 * Index of ip (network order) among the relay addresses that are active on
 * this host (answered for and relayed on), or -1: an inactive one is
 * another host's (docs/ha.md).
 */
static inline int
vr_addr_active_index(const struct vr_dp *dp, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < dp->cfg.n_addrs; i++)
		if (dp->cfg.addrs[i] == ip)
			return __atomic_load_n(&dp->addrs_active, __ATOMIC_RELAXED) >> i & 1 ?
				(int)i : -1;
	return -1;
}

/* Index of ip (network order) among the relay addresses, active or not, or -1. */
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

/*
 * Recomputes where flow j of slot sends (its priv's dest) from the latches of
 * the other leg: its flow of the same kind, else, for RTCP, its RTP flow's
 * peer at port + 1. The owner lcore, or the main lcore while the call is
 * not reachable yet (a bind with latches restored).
 */
static inline void
vr_flow_dest_refresh(const struct vr_dp *dp, uint32_t slot, unsigned int j)
{
	const struct vr_shm_flow *fl = dp->shm_calls[slot].flow;
	const struct vr_shm_flow *o = &fl[j ^ 2], *rtp = &fl[(j ^ 2) & ~1u];
	struct vr_flow_priv *pv = vr_flow_priv(dp, slot, j);

	if (o->latch == VR_LATCH_LATCHED) {
		pv->dest_ip = o->peer_ip;
		pv->dest_port = o->peer_port;
		pv->dest_ok = 1;
	} else if ((j & 1) && rtp->latch == VR_LATCH_LATCHED) {
		pv->dest_ip = rtp->peer_ip;
		pv->dest_port = rte_cpu_to_be_16(rte_be_to_cpu_16(rtp->peer_port) + 1);
		pv->dest_ok = 1;
	} else {
		pv->dest_ok = 0;
	}
}

/* The counter row of worker idx. */
static inline struct vr_shm_lcore *
vr_dp_lcore_row(struct vr_dp *dp, unsigned int idx)
{
	return (struct vr_shm_lcore *)((char *)dp->shm + dp->shm->lcores_off) + idx;
}

/* The SBC counter row of lcore idx (n_workers: the main lcore) for SBC row r. */
static inline struct vr_shm_sbc_ctr *
vr_dp_sbc_ctr(struct vr_dp *dp, unsigned int idx, uint32_t r)
{
	return &dp->shm_sbc_ctrs[(uint64_t)idx * dp->cfg.max_sbcs + r];
}

/* dp.c: set-up and tear-down, shared by main.c and the EAL tests. */
int vr_dp_init(struct vr_dp *dp, const struct vr_config *cfg, uint16_t port_id,
	const unsigned int *worker_lcores, unsigned int n_workers);
void vr_dp_fini(struct vr_dp *dp);

#endif /* VR_DP_DP_H */
