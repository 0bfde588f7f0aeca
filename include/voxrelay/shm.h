/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats shared-memory layout: how voxrelay-dp exports its counters to
 * processes without DPDK (voxrelayctl, voxrelay-control, monitoring).
 *
 * voxrelay-dp creates the POSIX shared-memory object named by --shm (default
 * /voxrelay-stats, so /dev/shm/voxrelay-stats) with mode 0640 and keeps it
 * current: the worker lcores write their counters straight into it (no copy),
 * the main lcore refreshes the clock fields. Readers map it read-only, check
 * magic, version and the sizes in the header, and read every counter with a
 * relaxed 64-bit atomic load. All integers are in host byte order, addresses
 * and ports in network byte order. See docs/counters.md.
 *
 * Layout: struct vr_shm_hdr at offset 0, then n_lcores rows of struct
 * vr_shm_lcore at lcores_off, then max_calls slots of struct vr_shm_call at
 * calls_off; from version 2.1, max_sbcs rows of struct vr_shm_sbc at
 * sbcs_off and (n_lcores + 1) x max_sbcs struct vr_shm_sbc_ctr at
 * sbc_ctrs_off. Offsets and sizes come from the header, so a reader built
 * against an older minor version still finds everything it knows.
 */
#ifndef VOXRELAY_SHM_H
#define VOXRELAY_SHM_H

#include <stdint.h>

#include "voxrelay/counters.h"

/* "VRST" in a little-endian dump. */
#define VR_SHM_MAGIC 0x54535256u
/* Layout version: a reader refuses a different major version. */
#define VR_SHM_VERSION_MAJOR 3
#define VR_SHM_VERSION_MINOR 0
/* Default object name (shm_open). */
#define VR_SHM_DEFAULT_NAME "/voxrelay-stats"
/* Longest call id, including the terminating NUL. */
#define VR_CALL_ID_MAX 64

/* The header. Written by the dataplane's main lcore only. */
struct vr_shm_hdr {
	uint32_t magic;           /* VR_SHM_MAGIC once the region is ready */
	uint16_t version_major;   /* VR_SHM_VERSION_MAJOR */
	uint16_t version_minor;   /* VR_SHM_VERSION_MINOR */
	uint32_t hdr_size;        /* sizeof(struct vr_shm_hdr) */
	uint32_t lcore_size;      /* sizeof(struct vr_shm_lcore) */
	uint32_t call_size;       /* sizeof(struct vr_shm_call) */
	uint32_t n_global;        /* VR_GC_MAX of the writer */
	uint32_t n_drop;          /* VR_DROP_MAX of the writer */
	uint32_t n_flow;          /* VR_FC_MAX of the writer */
	uint32_t n_lcores;        /* rows at lcores_off */
	uint32_t max_calls;       /* slots at calls_off */
	uint64_t lcores_off;      /* byte offset of the first lcore row */
	uint64_t calls_off;       /* byte offset of the first call slot */
	uint64_t total_size;      /* size of the whole object */
	uint64_t boot_id;         /* random per dataplane start: a change means a restart */
	uint64_t pid;             /* the dataplane's process id */
	uint64_t tsc_hz;          /* units of every *_tsc field */
	uint64_t start_unix_ns;   /* wall clock when the dataplane started */
	uint64_t now_tsc;         /* refreshed by the main lcore about every millisecond */
	uint64_t now_unix_ns;     /* wall clock at now_tsc */
	uint64_t heartbeat;       /* incremented with now_tsc: stalls mean a hung dataplane */
	uint64_t idle_timeout_ms; /* a leg idle this long is reported idle */
	uint64_t n_calls;         /* calls bound now */
	uint32_t n_addrs;         /* relay addresses in addrs[] */
	uint16_t port_lo;         /* relay UDP port range, host order */
	uint16_t port_hi;
	uint32_t addrs[64];       /* relay addresses, network order */
	/* Version 2.1: */
	uint32_t max_sbcs;        /* rows at sbcs_off; counter rows per lcore at sbc_ctrs_off */
	uint32_t sbc_size;        /* sizeof(struct vr_shm_sbc) */
	uint32_t sbc_ctr_size;    /* sizeof(struct vr_shm_sbc_ctr) */
	uint16_t tunnel_port;     /* the SBC tunnel's UDP port, host order */
	uint16_t pad0;
	uint64_t sbcs_off;
	uint64_t sbc_ctrs_off;    /* row (lcore * max_sbcs + sbc); lcore n_lcores is the main lcore */
};

/*
 * One SBC (by row; id 0 = a free row). Written by the main lcore, which
 * makes seq odd while it rewrites the row; readers copy it and retry when
 * seq was odd or moved, as for call slots.
 */
struct vr_shm_sbc {
	uint32_t seq;
	uint32_t id;                  /* tunnel id */
	uint32_t public_ip;           /* source of its last authenticated hello, network order */
	uint16_t public_port;         /* network order */
	uint16_t hello_interval_s;    /* as the SBC said */
	uint32_t local_ip;            /* its LAN address, as it said; network order */
	uint8_t key_id;               /* key of its last authenticated hello */
	uint8_t n_keys;               /* keys accepted now: 1, 2 during a rollover */
	uint8_t suite;                /* enum vr_srtp_suite */
	uint8_t pad;
	uint64_t configured_unix_ns;  /* when it was (re)configured */
	uint64_t last_hello_unix_ns;  /* 0: no hello yet */
	uint64_t hellos;              /* authenticated hellos answered */
	char version[64];             /* its software version, as it said */
} __attribute__((aligned(64)));

/*
 * One lcore's counters for one SBC: what came in through its tunnel and
 * went out into it, and why its packets were dropped. The lcore is the only
 * writer; readers sum the n_lcores + 1 rows of an SBC.
 */
struct vr_shm_sbc_ctr {
	uint64_t rx_pkts;             /* authenticated tunnel packets */
	uint64_t rx_bytes;            /* their UDP payload */
	uint64_t tx_pkts;             /* packets sent into the tunnel */
	uint64_t tx_bytes;
	uint64_t drops[VR_DROP_MAX];  /* enum vr_drop_reason */
} __attribute__((aligned(64)));

/* One worker lcore's global counters. Its lcore is the only writer. */
struct vr_shm_lcore {
	uint64_t c[VR_GC_MAX];        /* enum vr_global_counter */
	uint64_t drops[VR_DROP_MAX];  /* enum vr_drop_reason */
} __attribute__((aligned(64)));

/* Latch state of a flow (vr_shm_flow.latch). */
enum vr_latch_state {
	VR_LATCH_LEARNING = 0, /* no peer yet, learning window open */
	VR_LATCH_LATCHED = 1,  /* peer_ip:peer_port learned */
	VR_LATCH_EXPIRED = 2,  /* learning window closed without a peer */
};

/*
 * One flow: one relay UDP port of a call (a leg's RTP or RTCP port). Every
 * field is written by the call's owning lcore only; control zeroes the slot
 * before it is bound and after it is unbound. Its last line is the owner
 * lcore's private state (version 3): kept here, on the same page as the
 * first line, so that a relayed packet's writes touch one page of the region.
 */
struct vr_shm_flow {
	/* First cache line: all that a relayed packet reads and writes here. */
	uint64_t last_tsc;            /* arrival of the last accepted packet, 0 = none */
	uint32_t rtp_ext_max;         /* highest sequence number, extended past wraps */
	uint32_t rtp_base;            /* rtp_ext_max - rtp_base + 1 = packets expected */
	uint32_t jitter;              /* RFC 3550 interarrival jitter, timestamp units */
	uint32_t ssrc;                /* SSRC of the latched stream */
	uint32_t peer_ip;             /* latched peer, network order; 0 = none */
	uint16_t peer_port;           /* latched peer port, network order */
	uint8_t latch;                /* enum vr_latch_state */
	uint8_t pad0;
	uint32_t clock_rate;          /* RTP clock rate used for jitter, Hz */
	uint32_t pad1;
	uint64_t c[VR_FC_MAX];        /* enum vr_flow_counter: the first three in line one */
	uint64_t drops[VR_DROP_MAX];  /* enum vr_drop_reason */
	uint64_t dp_private[8] __attribute__((aligned(64))); /* the dataplane's own: not for readers */
} __attribute__((aligned(64)));

/* A leg as programmed (vr_shm_call.leg[]). Written by control only. */
struct vr_shm_leg {
	uint32_t addr;          /* relay address, network order */
	uint16_t port;          /* relay RTP port (RTCP is port + 1), host order */
	uint16_t pad;
	uint32_t expect_ip;     /* expected peer address, network order; 0 = any */
	uint16_t expect_lo;     /* expected peer port range, host order; 0-0 = any */
	uint16_t expect_hi;
};

/* Call slot states (vr_shm_call.state). */
enum vr_shm_call_state {
	VR_SHM_CALL_FREE = 0,
	VR_SHM_CALL_BOUND = 1,
	VR_SHM_CALL_RETIRED = 2,  /* unbound; the slot is reused after workers let go of it */
};

/*
 * One call slot. The header part is written by the dataplane's control
 * thread, which makes seq odd while it (re)assigns the slot and even after;
 * a reader copies the slot, then accepts the copy only if seq was even and
 * unchanged across the copy. flow[leg * 2 + rtcp] belongs to the owner lcore.
 */
struct vr_shm_call {
	uint32_t seq;                 /* odd while control rewrites the slot */
	uint32_t state;               /* enum vr_shm_call_state */
	char id[VR_CALL_ID_MAX];      /* the call id, NUL-terminated */
	uint64_t bound_unix_ns;       /* wall clock when the call was bound */
	uint64_t bound_tsc;           /* tsc when the call was (re)programmed */
	uint32_t owner;               /* index of the owning worker lcore */
	uint32_t pad;
	struct vr_shm_leg leg[2];
	struct vr_shm_flow flow[4];
} __attribute__((aligned(64)));

/*
 * Is the leg (0 or 1) of call c idle at hdr->now_tsc? A leg is idle when
 * neither of its flows accepted a packet for idle_timeout_ms, counting from
 * the time it was bound when it never accepted one.
 */
static inline int
vr_shm_leg_idle(const struct vr_shm_hdr *hdr, const struct vr_shm_call *c, unsigned int leg)
{
	uint64_t last = c->bound_tsc;
	uint64_t t;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		t = __atomic_load_n(&c->flow[leg * 2 + i].last_tsc, __ATOMIC_RELAXED);
		if (t > last)
			last = t;
	}
	t = __atomic_load_n(&hdr->now_tsc, __ATOMIC_RELAXED);
	if (t <= last || hdr->tsc_hz == 0)
		return 0;
	return (t - last) / (hdr->tsc_hz / 1000) >= hdr->idle_timeout_ms;
}

/*
 * Sum over the lcore rows of global counter i (drop = 0) or drop reason i
 * (drop = 1). Readers use this; each row has one writer, so relaxed loads of
 * whole 64-bit words are enough.
 */
static inline uint64_t
vr_shm_sum(const struct vr_shm_hdr *h, unsigned int i, int drop)
{
	const char *rows = (const char *)h + h->lcores_off;
	uint64_t sum = 0;
	unsigned int l;

	for (l = 0; l < h->n_lcores; l++) {
		/* A row is n_global counters then the drops: a newer writer may
		 * have appended counters, so the drops start after its n_global. */
		const uint64_t *row = (const uint64_t *)(rows + (uint64_t)l * h->lcore_size);

		sum += __atomic_load_n(&row[drop ? h->n_global + i : i], __ATOMIC_RELAXED);
	}
	return sum;
}

/* Packets dropped at flow f, all reasons. */
static inline uint64_t
vr_shm_flow_drops(const struct vr_shm_flow *f)
{
	uint64_t d = 0;
	unsigned int k;

	for (k = 0; k < VR_DROP_MAX; k++)
		d += __atomic_load_n(&f->drops[k], __ATOMIC_RELAXED);
	return d;
}

/*
 * RTP packets lost in flow f so far (RFC 3550 A.3): expected minus received,
 * cumulative across SSRC changes, never negative.
 */
static inline uint64_t
vr_shm_flow_lost(const struct vr_shm_flow *f)
{
	uint32_t ext = __atomic_load_n(&f->rtp_ext_max, __ATOMIC_RELAXED);
	uint32_t base = __atomic_load_n(&f->rtp_base, __ATOMIC_RELAXED);
	uint64_t recv = __atomic_load_n(&f->c[VR_FC_RTP_RECEIVED], __ATOMIC_RELAXED);
	uint64_t expected = (uint64_t)(uint32_t)(ext - base) + 1;

	if (recv == 0)
		return 0;
	return expected > recv ? expected - recv : 0;
}

/* The counter row of lcore l (n_lcores: the main lcore) for SBC row r; NULL before 2.1. */
static inline const struct vr_shm_sbc_ctr *
vr_shm_sbc_ctr_row(const struct vr_shm_hdr *h, unsigned int l, unsigned int r)
{
	if (h->version_minor < 1 && h->version_major == 2)
		return NULL;
	return (const struct vr_shm_sbc_ctr *)((const char *)h + h->sbc_ctrs_off +
		((uint64_t)l * h->max_sbcs + r) * h->sbc_ctr_size);
}

#endif /* VOXRELAY_SHM_H */
