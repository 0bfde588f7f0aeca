/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A batch of changed keys and what it means; see changes.h. Runs on the
 * control process's thread, between the notifications that fill the dirty
 * map and the re-check of the model.
 */
#include <stdio.h>
#include <string.h>

#include "changes.h"

void
vr_changes_take(struct vr_changes *ch, const struct vr_map *dirty)
{
	struct vr_map_slot *s;
	size_t i = 0;

	ch->n = 0;
	ch->full = dirty->n > VR_CHANGES_MAX;
	while (!ch->full && (s = vr_map_next(dirty, &i)) != NULL)
		snprintf(ch->keys[ch->n++], sizeof(ch->keys[0]), "%s", s->key);
}

void
vr_changes_resolve(struct vr_changes *ch, const struct vr_model *m, struct vr_map *gone)
{
	static char dummy;
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const char *id;
		int t = vr_model_key_type(m->prefix, ch->keys[i], &id);
		char key[256];

		if (t != VR_REC_CALL)
			ch->full = 1;
		ch->ids[i] = (char *)id;
		if (t >= 0 && vr_map_get(&m->recs[t], id) == NULL) {
			snprintf(key, sizeof(key), "%sstatus:%s", m->prefix,
				ch->keys[i] + strlen(m->prefix));
			vr_map_put(gone, key, &dummy);
		}
	}
}
