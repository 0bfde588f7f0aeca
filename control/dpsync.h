/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeps voxrelay-dp's call table equal to the model's valid calls: knows what
 * is programmed, adds, changes and deletes what differs, and notices a
 * dataplane restart (a new boot id) so that everything is programmed again.
 * Control process's thread only.
 */
#ifndef VR_CTL_DPSYNC_H
#define VR_CTL_DPSYNC_H

#include <stdint.h>

#include "ctl_client.h"
#include "lease.h"
#include "map.h"
#include "model.h"

/* The dataplane as control sees it. */
struct vr_dpsync {
	char path[108];
	struct vr_ctl_client ctl;
	int up;                     /* connected, and programmed is current */
	uint64_t boot_id;
	char srtp_engine[16];       /* the dataplane's tunnel SRTP engine ("" if it does not say) */
	char crypto_dev[64];        /* and its crypto device, for the cryptodev engine */
	struct vr_dp_view view;
	struct vr_map programmed;   /* call id -> struct vr_ctl_call * as programmed */
	struct vr_map sbcs;         /* tunnel id (decimal) -> struct vr_ctl_sbc * as programmed */
	uint32_t key_overlap_ms;    /* how long an SBC's previous key stays accepted */
	/*
	 * Calls held: bound calls whose records went missing from Redis at once
	 * (an empty Redis after a restart, a FLUSHALL, a switch to an empty
	 * server), kept forwarding: call id -> struct vr_ctl_call * as bound, so
	 * that a restarted dataplane gets them again. A record that returns ends
	 * its call's hold; vr_dpsync_release() ends them all.
	 */
	struct vr_map held;
	struct vr_map was_bound;    /* call ids bound in the dataplane before it restarted, until
	                             * each is bound again (or refused: "refused_after_restart") */
	uint64_t held_since_ms;     /* Unix time the hold began, 0: nothing held */
	int hold_any;               /* the next full pass holds every call without a record (a
	                             * Redis failover: writes may be lost, none is a delete) */
	unsigned int hold_pct;      /* a full pass that finds at least this share (%) of the
	                             * bound calls missing holds them; above 100: never */
	/* With leases (docs/ha.md): only calls whose relay addresses this host
	 * holds are bound; a bound call whose address went to another host is
	 * unbound as "moved" (it goes on there). NULL: every call. */
	const struct vr_leases *leases;
	/* Call id -> struct vr_ctl_call *: the legs' latches a takeover restores
	 * at the call's ADD (only the latch fields are used); the caller fills
	 * and empties it. */
	struct vr_map restore;
	uint64_t n_add, n_mod, n_del, n_fail;
	/*
	 * Called just before a bound call is unbound, with its last counters
	 * (NULL when the dataplane did not give them) and why ("deleted",
	 * "final_timeout", "rejected", "accepted_missing", "moved" (its address
	 * went to another host: the call goes on there); "refused_after_restart"
	 * for a call a restarted dataplane would not take back): the end-of-call
	 * record.
	 */
	void (*on_end)(void *arg, const char *id, const struct vr_ctl_call_stats *st,
		const char *why);
	void *on_end_arg;
};

/*
 * Connects (or reconnects) to the dataplane and reads its configuration and
 * its calls. Returns 0, or -1 with err (the dataplane is not there yet).
 */
int vr_dpsync_connect(struct vr_dpsync *ds, char *err, size_t errlen);

/* Drops the connection and forgets what was programmed. */
void vr_dpsync_reset(struct vr_dpsync *ds);

/*
 * Checks the dataplane is the one connected to; returns 1 if it restarted or
 * went away (the caller reconnects and reprograms), 0 if all is well.
 */
int vr_dpsync_changed(struct vr_dpsync *ds, uint64_t shm_boot_id);

/*
 * Makes the dataplane's SBCs and calls equal to m's valid ones: SBCs first
 * (a changed key is sent with the previous one, accepted for key_overlap_ms,
 * when its key_id changed too), then calls, then the removal of SBCs no call
 * uses. A call or SBC the dataplane refuses becomes a rejected record (its
 * error set). When hold_pct or more of the bound calls have no record at
 * all, they are held instead of unbound (one alarm in the log); a call in
 * deleted (ids whose delete a notification named; NULL: none) is never
 * held, being a delete the PBX made. Held calls the dataplane lacks (it
 * restarted) are bound again. Returns the number of changes sent, or -1
 * when the connection failed.
 */
int vr_dpsync_apply(struct vr_dpsync *ds, struct vr_model *m, const struct vr_map *deleted);

/*
 * Ends the hold: unbinds every held call. Returns the number unbound, or -1
 * when the connection failed.
 */
int vr_dpsync_release(struct vr_dpsync *ds);

/*
 * As vr_dpsync_apply, for the calls named in touched only (the others are
 * known to be as programmed). Returns the number of changes, or -1.
 */
int vr_dpsync_apply_ids(struct vr_dpsync *ds, struct vr_model *m, const struct vr_map *touched);

#endif /* VR_CTL_DPSYNC_H */
