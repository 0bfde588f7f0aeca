/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Relay addresses owned under leases in Redis, for several voxrelay hosts
 * on one Redis (docs/ha.md). Each address a host relays on is held under
 * PREFIXlease:ADDR = "HOST EPOCH" with a TTL the holder renews; EPOCH comes
 * from PREFIXlease_epoch:ADDR, raised at every change of holder, so that a
 * host whose lease went to another can never renew it (fencing). A host
 * takes its own addresses (--own) whenever they are free, and with
 * --takeover any other address of its dataplane that has been free for a
 * whole lease (its holder stopped renewing). Control process's thread.
 */
#ifndef VR_CTL_LEASE_H
#define VR_CTL_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#define VR_LEASE_ADDRS 64

struct vr_leases {
	/* Configuration. */
	char host[64];               /* this host's id; "" when leases are off */
	uint32_t own[VR_LEASE_ADDRS]; /* addresses taken whenever free (network order) */
	unsigned int n_own;
	int own_all;                 /* every address of the dataplane is own */
	int takeover;                /* also take others' addresses once free for a lease */
	unsigned int lease_ms;
	/* The dataplane's addresses, and what is known of each. */
	uint32_t addrs[VR_LEASE_ADDRS];
	unsigned int n_addrs;
	int known;                   /* a round has run since the addresses were set */
	uint64_t held;               /* bit i: we hold addrs[i]'s lease */
	uint64_t epoch[VR_LEASE_ADDRS];
	uint64_t free_since_ms[VR_LEASE_ADDRS]; /* takeover: first seen free (0: not free) */
	char holder[VR_LEASE_ADDRS][80]; /* who holds it, as last read ("" free or ours) */
	uint64_t next_ms;            /* the next round */
	uint64_t fenced;             /* leases lost to another host since start */
	uint64_t taken;              /* leases taken since start */
};

/*
 * Parses --own: "all", "none" or IPv4 addresses separated by commas. 0 or
 * -1 with err naming the bad value.
 */
int vr_leases_own(struct vr_leases *l, const char *spec, char *err, size_t errlen);

/* The dataplane's addresses (network order): what holds them is read again. */
void vr_leases_addrs(struct vr_leases *l, const uint32_t *addrs, unsigned int n);

/*
 * Redis came back (a restart, a failover): what was seen free before is
 * forgotten, so that a takeover waits a whole lease again and the holders,
 * which take theirs back at once, go first.
 */
void vr_leases_redis_back(struct vr_leases *l);

/*
 * One round, when its time has come (every lease_ms / 4): renews the
 * leases held, takes the free ones this host may take, reads who holds the
 * others. Sets *gained and *lost (bits of addrs) to what changed. Returns
 * 0, 1 when a round ran, or -1 when Redis failed (what is held stays held:
 * with Redis away nobody can take an address).
 */
int vr_leases_round(struct vr_leases *l, redisContext *c, const char *prefix, uint64_t now_ms,
	uint64_t *gained, uint64_t *lost);

/*
 * Whether ip (network order) is held by this host: 1 (always when leases
 * are off), 0, or -1 while not known yet (no round since start: what is
 * bound stays, nothing new is bound).
 */
int vr_leases_here(const struct vr_leases *l, uint32_t ip);

#endif /* VR_CTL_LEASE_H */
