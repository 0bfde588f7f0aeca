/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A batch of changed keys and what it means; see changes.h. Runs on the
 * control process's thread, between the notifications that fill the dirty
 * map and the re-check of the model.
 */
#include <stdlib.h>
#include <string.h>

#include "changes.h"

void
vr_changes_take(struct vr_changes *ch, const struct vr_map *dirty)
{
	struct vr_map_slot *s;
	size_t i = 0;

	memset(ch, 0, sizeof(*ch));
	/* Whole copies: Redis keys have no length that matters here, and a key
	 * cut short could name another record. */
	ch->keys = malloc(sizeof(*ch->keys) * (dirty->n + 1));
	ch->ids = malloc(sizeof(*ch->ids) * (dirty->n + 1));
	if (ch->keys == NULL || ch->ids == NULL)
		abort();
	while ((s = vr_map_next(dirty, &i)) != NULL) {
		ch->ids[ch->n] = NULL;
		if ((ch->keys[ch->n++] = strdup(s->key)) == NULL)
			abort();
	}
}

void
vr_changes_resolve(struct vr_changes *ch, const struct vr_model *m, struct vr_map *gone)
{
	static char dummy;
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const char *id;
		int t = vr_model_key_type(m->prefix, ch->keys[i], &id);

		if (t != VR_REC_CALL)
			ch->full = 1;
		if (t < 0)
			continue;
		ch->ids[i] = (char *)id;
		if (vr_map_get(&m->recs[t], id) == NULL) {
			char *key = vr_model_status_key(m->prefix, (enum vr_rec_type)t, id);

			vr_map_put(gone, key, &dummy);
			free(key);
			if (t == VR_REC_CALL)
				vr_map_put(&ch->deleted, id, &dummy);
		}
	}
}

void
vr_changes_free(struct vr_changes *ch)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		free(ch->keys[i]);
	free(ch->keys);
	free(ch->ids);
	vr_map_free(&ch->deleted);
	memset(ch, 0, sizeof(*ch));
}
