/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A batch of changed keys, as keyspace notifications named them: taken from
 * the dirty map before the Redis reads empty it, then, once their records are
 * read again, what the batch means: the calls to re-check, the statuses of
 * the records that are gone, or a change that needs everything re-checked.
 * Control process's thread; no Redis access of its own.
 */
#ifndef VR_CTL_CHANGES_H
#define VR_CTL_CHANGES_H

#include <stddef.h>

#include "map.h"
#include "model.h"

/* One batch. */
struct vr_changes {
	char **keys;  /* whole copies of the changed keys, however long */
	size_t n;
	char **ids;   /* after vr_changes_resolve: each key's call id, into keys */
	int full;     /* not only calls changed: re-check everything */
	struct vr_map deleted; /* after vr_changes_resolve: ids of calls whose record is gone */
};

/* Takes copies of the keys of dirty into ch (dirty is left as it is). Aborts on OOM. */
void vr_changes_take(struct vr_changes *ch, const struct vr_map *dirty);

/*
 * Once the keys' records are read again into m: sets ch->ids (the call of
 * each key) and ch->full (a key of another type changed), puts in
 * ch->deleted the ids of the calls that no longer exist, and in gone (key
 * -> anything) the status key of each record that no longer exists.
 */
void vr_changes_resolve(struct vr_changes *ch, const struct vr_model *m, struct vr_map *gone);

/* Frees what ch holds; it is then an empty batch. */
void vr_changes_free(struct vr_changes *ch);

#endif /* VR_CTL_CHANGES_H */
