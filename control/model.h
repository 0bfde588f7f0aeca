/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state: every record read from Redis (parsed or rejected), the
 * cross-record checks (unknown extension, relay port clashes, overlapping
 * port plans at one site), and the dataplane call each valid call becomes.
 * Owned by the control process's thread; voxrelayctl plan uses it too.
 */
#ifndef VR_CTL_MODEL_H
#define VR_CTL_MODEL_H

#include <stdint.h>
#include <stdio.h>

#include "voxrelay/ctl.h"

#include "map.h"
#include "schema.h"

enum vr_rec_type { VR_REC_EXT = 0, VR_REC_SBC, VR_REC_CALL, VR_REC_TYPES };

/* What a record says: one of these, by its type. */
union vr_rec_body {
	struct vr_ext ext;
	struct vr_sbc sbc;
	struct vr_call_rec call;
};

/*
 * One record as read, with its verdict. A record that was in force and is
 * replaced by a version that is rejected (a typo, a clash) keeps its last
 * good version in force, as a server keeps its running configuration when a
 * reload fails: u is then that version, kept is set and rejected says why
 * the version in Redis was refused. A good version or a delete ends that.
 */
struct vr_rec {
	enum vr_rec_type type;
	int parsed;                 /* the record itself is well-formed */
	int ok;                     /* parsed and consistent with the others */
	int clash;                  /* calls: rejected only because a port is taken */
	int held;                   /* SBCs: held its tunnel id after the last pass; kept while
	                             * the record is rewritten with the same tunnel id */
	int kept;                   /* u is the last good version, not the one in Redis */
	int ended;                  /* calls: ended by control (a final timeout): not bound
	                             * again while the record says the same */
	char error[VR_ERR_MAX];     /* why not ok */
	char rejected[VR_ERR_MAX];  /* kept: why the version in Redis was refused */
	char published[VR_ERR_MAX + 16]; /* the status last written to Redis */
	union vr_rec_body u;
	union vr_rec_body *good;    /* the version in force before this one, if it differs */
	struct vr_ctl_call def;     /* calls that are ok: what the dataplane gets */
};

/* What the model needs to know of the dataplane. */
struct vr_dp_view {
	uint32_t addrs[64];         /* network order */
	unsigned int n_addrs;
	uint16_t port_lo, port_hi;
};

/* All records by type, keyed by id. */
struct vr_model {
	struct vr_map recs[VR_REC_TYPES];
	char prefix[64];            /* the key prefix, for naming records in errors */
	struct vr_map ports;        /* "ip:port" -> the valid call holding it */
	struct vr_map clashed;      /* call id -> call rejected for a taken port */
	int ports_freed;            /* a valid call went away or changed since the last pass */
};

/* Type of a key's record ("ext", "sbc", "call" after prefix) and its id, or -1. */
int vr_model_key_type(const char *prefix, const char *key, const char **id);

/*
 * The status key of record id of type t, "PREFIXstatus:TYPE:ID", whole
 * however long id is; the caller frees it. Aborts on OOM.
 */
char *vr_model_status_key(const char *prefix, enum vr_rec_type t, const char *id);

/*
 * Stores a parsed record (parsed = 1) or a rejection (parsed = 0, error set).
 * The version it replaces, if it was in force and differs, is kept as the
 * last good one for the next resolve to fall back on.
 */
void vr_model_put(struct vr_model *m, struct vr_rec *r, const char *id);

/*
 * Ends call id (a final timeout): it gives back its ports and is not valid
 * again while its record says the same. Re-check it with
 * vr_model_resolve_calls(). Returns 1 if it was a valid call.
 */
int vr_model_end_call(struct vr_model *m, const char *id);

/* Removes a record; returns 1 if it existed. */
int vr_model_del(struct vr_model *m, enum vr_rec_type t, const char *id);

/*
 * Carries over from old, the model m replaces on a full reload, what the
 * records themselves do not say: the status last published of each, which
 * SBC held each tunnel id, and each record's last good version.
 */
void vr_model_inherit(struct vr_model *m, const struct vr_model *old);

/*
 * Re-runs the cross-record checks and fills each valid call's def. An SBC
 * that held its tunnel id keeps it against a newcomer with the same id. Calls
 * that were valid before this pass, or are in keep (a map of call ids the
 * dataplane has, may be NULL), win port clashes, so that a live call is never
 * displaced by a newcomer. Among newcomers, the first by id wins. A record
 * whose new version is rejected and that has a last good version is
 * resolved again with that version (kept).
 */
void vr_model_resolve(struct vr_model *m, const struct vr_dp_view *dp, const struct vr_map *keep);

/*
 * Re-checks only the calls named in ids[0..n) (added, changed or deleted
 * since the last pass; in id order, whatever the order of ids) and, when
 * ports were freed, the calls that were
 * waiting for them. Extensions and SBCs must be unchanged since the last
 * full vr_model_resolve(). Every call whose verdict may have changed is put
 * in touched (id -> anything). A rejected new version falls back on the
 * call's last good one, as in vr_model_resolve().
 */
void vr_model_resolve_calls(struct vr_model *m, const struct vr_dp_view *dp, char *const *ids,
	size_t n, struct vr_map *touched);

/* Prints the port-forward plan of site; returns the number of phones, -1 if none. */
int vr_model_plan(const struct vr_model *m, const char *site, FILE *out);

/* Frees every record. */
void vr_model_free(struct vr_model *m);

#endif /* VR_CTL_MODEL_H */
