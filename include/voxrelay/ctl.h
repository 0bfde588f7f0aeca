/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel between voxrelay-dp and its clients (voxrelayctl,
 * voxrelay-control). Transport: a Unix SOCK_SEQPACKET socket (default
 * VR_CTL_DEFAULT_PATH, mode 0600), one request per message, answered by one
 * reply carrying the request's seq. All integers are in host byte order
 * (the peers share a host); addresses and ports inside struct vr_ctl_leg are
 * noted per field. See docs/control-channel.md.
 *
 * Versioning: the dataplane answers a request whose version differs from
 * VR_CTL_VERSION with -EPROTONOSUPPORT and its own version in the reply
 * header. New message types and new fields at the end of a body are minor
 * changes that keep the version; anything else bumps it.
 */
#ifndef VOXRELAY_CTL_H
#define VOXRELAY_CTL_H

#include <stdint.h>

#include "voxrelay/counters.h"
#include "voxrelay/shm.h"
#include "voxrelay/tunnel.h"

/* "VRCT" in a little-endian dump. */
#define VR_CTL_MAGIC 0x54435256u
/* Protocol version. */
#define VR_CTL_VERSION 5
/* Default socket path. */
#define VR_CTL_DEFAULT_PATH "/run/voxrelay/dp.sock"
/* Largest message either side sends or accepts, header included. */
#define VR_CTL_MSG_MAX 65536
/* Longest error text in a reply, NUL included. */
#define VR_CTL_ERR_MAX 192
/* Most calls in one VR_CTL_CALL_LIST reply. */
#define VR_CTL_LIST_MAX 256

/* Message types. A reply has the request's type with VR_CTL_REPLY set. */
enum vr_ctl_type {
	VR_CTL_HEALTH = 1,   /* body: none; reply: struct vr_ctl_health */
	VR_CTL_CALL_ADD = 2, /* body: struct vr_ctl_call; reply: none */
	VR_CTL_CALL_MOD = 3, /* body: struct vr_ctl_call; reply: none */
	VR_CTL_CALL_DEL = 4, /* body: struct vr_ctl_call_ref; reply: none */
	VR_CTL_CALL_LIST = 5, /* body: struct vr_ctl_list_req; reply: struct vr_ctl_list */
	VR_CTL_CALL_GET = 6, /* body: struct vr_ctl_call_ref; reply: struct vr_ctl_call_stats */
	VR_CTL_STATS = 7,    /* body: none; reply: struct vr_ctl_stats */
	VR_CTL_SBC_SET = 8,  /* body: struct vr_ctl_sbc; reply: none (version 3) */
	VR_CTL_SBC_DEL = 9,  /* body: struct vr_ctl_sbc_ref; reply: none (version 3) */
	VR_CTL_CALL_BATCH = 10, /* body: struct vr_ctl_batch; reply: struct vr_ctl_batch_reply,
	                         * its first n results (added later in version 4) */
	VR_CTL_ADDR_SET = 11, /* body: struct vr_ctl_addr; reply: none (added later in version 4) */
	VR_CTL_TYPE_MAX,
};
#define VR_CTL_REPLY 0x8000

/* Every message starts with this header. */
struct vr_ctl_hdr {
	uint32_t magic;   /* VR_CTL_MAGIC */
	uint16_t version; /* VR_CTL_VERSION */
	uint16_t type;    /* enum vr_ctl_type, | VR_CTL_REPLY in replies */
	uint32_t len;     /* whole message length, header included */
	uint32_t seq;     /* chosen by the client, echoed in the reply */
};

/* Every reply starts with this; the type's reply body follows on success. */
struct vr_ctl_reply {
	struct vr_ctl_hdr hdr;
	int32_t status;              /* 0, or a negative errno */
	char error[VR_CTL_ERR_MAX];  /* when status < 0: what was wrong, with the value */
};

/* Leg flags (vr_ctl_leg.flags). */
#define VR_CTL_LEG_F_EXPECT 0x1 /* expect_ip (and expect_lo/hi) restrict the peer */
#define VR_CTL_LEG_F_TUNNEL 0x2 /* a channel of an SBC's tunnel (sbc_id, channel) */
#define VR_CTL_LEG_F_LATCHED 0x4 /* CALL_ADD only: bound latched to latch_* (version 5) */

/*
 * One leg of a call: a relay port of its own, or a channel of an SBC's
 * tunnel (VR_CTL_LEG_F_TUNNEL: port is 0, the leg's media comes and goes
 * through the tunnel port, and the SBC's address is learned from
 * authenticated packets, so no expected peer).
 */
struct vr_ctl_leg {
	uint32_t addr;      /* relay address, network order: one of the dataplane's */
	uint16_t port;      /* relay RTP port, host order: even, in range; RTCP is port + 1 */
	uint16_t flags;     /* VR_CTL_LEG_F_* */
	uint32_t expect_ip; /* expected peer address, network order */
	uint16_t expect_lo; /* expected peer RTP port range, host order; 0-0: any port */
	uint16_t expect_hi;
	uint32_t sbc_id;    /* tunnel legs: the SBC's tunnel id (version 3) */
	uint32_t channel;   /* tunnel legs: the channel, 1 or more */
	uint64_t epoch;     /* tunnel legs: the leg's key epoch, 1 to 2^48 - 1 (version 4) */
	/*
	 * VR_CTL_LEG_F_LATCHED (version 5): the leg's RTP flow is bound latched
	 * to latch_ip:latch_port with SSRC latch_ssrc, its highest sequence
	 * number latch_seq, and its RTCP flow to latch_ip:latch_rtcp_port when
	 * that is not 0: the latches another host recorded before it failed,
	 * restored on a takeover (docs/ha.md). The peer must be one the leg's
	 * rule allows. Not kept with the call: a later bind learns again.
	 */
	uint32_t latch_ip;       /* network order */
	uint16_t latch_port;     /* host order */
	uint16_t latch_rtcp_port; /* host order; 0: the RTCP flow learns */
	uint32_t latch_ssrc;
	uint32_t latch_seq;      /* 0-65535 */
};

/*
 * Whether a latch to ip (network order) at port, and RTCP at rtcp_port (0:
 * none; ports in host order), is one leg l could have learned: 0 when it
 * is, 1 when the RTP peer is outside l's expected peer, 2 when the RTCP
 * port is outside the RTCP flow's (the same range, or one above a single
 * port). The dataplane refuses a VR_CTL_LEG_F_LATCHED leg that does not
 * fit; voxrelay-control checks a recorded latch the same way first.
 */
static inline int
vr_ctl_latch_fits(const struct vr_ctl_leg *l, uint32_t ip, uint16_t port, uint16_t rtcp_port)
{
	if (!(l->flags & VR_CTL_LEG_F_EXPECT))
		return 0;
	if (ip != l->expect_ip || (l->expect_lo != 0 &&
			(port < l->expect_lo || port > l->expect_hi)))
		return 1;
	if (rtcp_port != 0 && l->expect_lo != 0 &&
			(l->expect_lo == l->expect_hi ? rtcp_port != l->expect_lo + 1 :
			rtcp_port < l->expect_lo || rtcp_port > l->expect_hi))
		return 2;
	return 0;
}

/* A call: the body of VR_CTL_CALL_ADD and VR_CTL_CALL_MOD. */
struct vr_ctl_call {
	char id[VR_CALL_ID_MAX];   /* printable, non-empty, NUL-terminated */
	struct vr_ctl_leg leg[2];
	uint32_t learn_window_ms;  /* 0: the dataplane's --learn-window */
	uint32_t clock_rate;       /* RTP clock rate for jitter; 0: 8000 */
};

/* One SBC key: its id in the tunnel header, and master key then salt. */
struct vr_ctl_sbc_key {
	uint8_t id;
	uint8_t len;                        /* of master: 30 or 28, by suite */
	uint8_t master[VR_SRTP_MASTER_MAX];
};

/*
 * An SBC: the body of VR_CTL_SBC_SET, which adds it or replaces its keys.
 * key[0] is the current key; during a rollover key[1] is the previous one,
 * still accepted for prev_ms. A key kept from one SET to the next (same id
 * and bytes) keeps its streams' SRTP state, so no packet is lost.
 */
struct vr_ctl_sbc {
	uint32_t id;        /* tunnel id, 1-VR_TUN_SBC_ID_MAX */
	uint8_t suite;      /* enum vr_srtp_suite */
	uint8_t n_keys;     /* 1, or 2 during a rollover */
	uint16_t pad;
	uint32_t prev_ms;   /* how long key[1] stays accepted; 1-86400000 */
	struct vr_ctl_sbc_key key[2];
};

/* Names an SBC: the body of VR_CTL_SBC_DEL. */
struct vr_ctl_sbc_ref {
	uint32_t id;
};

/* Names a call: the body of VR_CTL_CALL_DEL and VR_CTL_CALL_GET. */
struct vr_ctl_call_ref {
	char id[VR_CALL_ID_MAX];
};

/* VR_CTL_CALL_LIST request: start at cursor (0 first), at most max calls. */
struct vr_ctl_list_req {
	uint32_t cursor;
	uint32_t max;
};

/* One call in a list reply. */
struct vr_ctl_call_brief {
	struct vr_ctl_call call;
	uint32_t owner;     /* owning worker lcore index */
	uint8_t idle[2];    /* per leg: 1 when idle (see vr_shm_leg_idle) */
	uint8_t latch[4];   /* per flow (leg * 2 + rtcp): enum vr_latch_state */
	uint8_t pad[2];
	uint64_t pkts[4];   /* per flow: packets relayed */
};

/* VR_CTL_CALL_LIST reply body: n entries follow. */
struct vr_ctl_list {
	uint32_t next_cursor; /* 0 when this page is the last */
	uint32_t n;
	struct vr_ctl_call_brief calls[];
};

/* VR_CTL_CALL_GET reply body. */
struct vr_ctl_call_stats {
	struct vr_ctl_call call;
	uint32_t slot;              /* index of the call's slot in the shm region */
	uint32_t owner;             /* owning worker lcore index */
	uint64_t bound_unix_ns;
	uint8_t idle[2];
	uint8_t pad[6];
	struct vr_shm_flow flow[4]; /* leg * 2 + rtcp, copied with relaxed loads */
};

/* VR_CTL_HEALTH reply body. */
struct vr_ctl_health {
	uint64_t boot_id;       /* as in the shm header */
	uint64_t uptime_ms;
	uint32_t n_workers;     /* worker lcores */
	uint32_t n_calls;
	uint32_t max_calls;
	uint32_t link_up;       /* 1 when the port reports link up */
	uint32_t neigh_resolved; /* 1 when the gateway's MAC is known */
	uint16_t port_lo;
	uint16_t port_hi;
	uint32_t n_addrs;
	uint32_t addrs[64];     /* network order */
	char shm_name[64];
	uint64_t tsc_hz;        /* units of the *_tsc counters (version 2) */
	/* Added in version 3 (a reply from an older version 3 dataplane ends before). */
	char srtp_engine[16];   /* who does the tunnels' SRTP: "cryptodev" or "libsrtp" */
	char crypto_dev[64];    /* the crypto device, when srtp_engine is "cryptodev" */
	/* Added in version 4. */
	uint64_t tunnel_epoch;  /* this boot's tunnel epoch (docs/tunnel.md): public, in every
	                         * hello answer's header */
	/* Added later in version 4: how long the dataplane's main lcore (ARP,
	 * hellos, this socket) went without looking at its work, its idle
	 * sleep left out: the longest pass of its loop since start, and in the
	 * last one to two seconds. */
	uint64_t loop_pause_max_ns;
	uint64_t loop_pause_recent_ns;
	/* The same passes in the main lcore's own CPU time: what they cost,
	 * without the time a busy host had it preempted. */
	uint64_t loop_busy_max_ns;
	uint64_t loop_busy_recent_ns;
	/* Added later in version 4: bit i set while addrs[i] is active (answered
	 * for and relayed on); an inactive one belongs to another host. */
	uint64_t addrs_active;
};

/*
 * VR_CTL_ADDR_SET body: relay address ip (network order, one of the
 * dataplane's --addr) made active or inactive. Active, the dataplane
 * answers ARP and ICMP for it and relays what is sent to it; made active,
 * it announces it at once with gratuitous ARP (a request and a reply, each
 * sent twice). Inactive (another host owns it), it answers nothing for it
 * and drops what arrives as not_ours, while the calls bound on it stay
 * bound: a standby can bind them ahead and only switch the address on.
 */
struct vr_ctl_addr {
	uint32_t ip;
	uint8_t active;  /* 0 or 1 */
	uint8_t pad[3];
};

/* VR_CTL_STATS reply body: global counters summed over the worker lcores. */
struct vr_ctl_stats {
	uint32_t n_global; /* VR_GC_MAX */
	uint32_t n_drop;   /* VR_DROP_MAX */
	uint64_t c[VR_GC_MAX];
	uint64_t drops[VR_DROP_MAX];
};

/*
 * Changes a VR_CTL_CALL_BATCH carries at most: its reply, with a deleted
 * call's last stats in each result, stays within VR_CTL_MSG_MAX.
 */
#define VR_CTL_BATCH_MAX 24

/* One change of a batch. */
struct vr_ctl_batch_op {
	uint16_t type;           /* VR_CTL_CALL_ADD, VR_CTL_CALL_MOD or VR_CTL_CALL_DEL */
	uint16_t pad[3];
	struct vr_ctl_call call; /* VR_CTL_CALL_DEL reads call.id only */
};

/*
 * VR_CTL_CALL_BATCH body: n changes applied in order, each exactly as its
 * own request would be (one refused does not stop the others). A client
 * applying many changes at once (voxrelay-control after a bulk write to
 * Redis) sends one message for up to VR_CTL_BATCH_MAX of them.
 */
struct vr_ctl_batch {
	uint32_t n;              /* 1 to VR_CTL_BATCH_MAX */
	uint32_t pad;
	struct vr_ctl_batch_op op[VR_CTL_BATCH_MAX];
};

/* The outcome of one change of a batch. */
struct vr_ctl_batch_result {
	int32_t status;              /* 0, or a negative errno */
	char error[VR_CTL_ERR_MAX];  /* when status < 0: what was wrong, with the value */
	uint32_t has_last;           /* a VR_CTL_CALL_DEL that unbound a call: last is set */
	struct vr_ctl_call_stats last; /* the call as it was just before it was unbound */
};

/* VR_CTL_CALL_BATCH reply body: r[0..n), n as in the request (the reply ends there). */
struct vr_ctl_batch_reply {
	uint32_t n;
	uint32_t pad;
	struct vr_ctl_batch_result r[VR_CTL_BATCH_MAX];
};

#endif /* VOXRELAY_CTL_H */
