/* SPDX-License-Identifier: BSD-3-Clause */
/* What a batch of changed keys means (control/changes.c), for keys of any length. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "control/changes.h"

static struct vr_model m;
static struct vr_changes ch;
static struct vr_map dirty, gone;
static char dummy;

static void
setup(void)
{
	memset(&m, 0, sizeof(m));
	/* The longest prefix --prefix takes: 63 characters. */
	memset(m.prefix, 'p', 62);
	m.prefix[62] = ':';
	m.prefix[63] = '\0';
}

static void
teardown(void)
{
	vr_changes_free(&ch);
	vr_map_free(&dirty);
	vr_map_free(&gone);
	vr_model_free(&m);
}

TestSuite(changes, .init = setup, .fini = teardown);

/* A call record id in the model (its verdict does not matter here). */
static void
call(const char *id)
{
	struct vr_rec r;

	memset(&r, 0, sizeof(r));
	r.type = VR_REC_CALL;
	vr_model_put(&m, &r, id);
}

/* The changed keys as the notifications left them, taken; then the Redis reads empty dirty. */
static void
take(void)
{
	vr_changes_take(&ch, &dirty);
	vr_map_free(&dirty);
}

static char *
key_of(const char *type, const char *id)
{
	char *k;

	cr_assert(asprintf(&k, "%s%s%s", m.prefix, type, id) > 0);
	return k;
}

Test(changes, a_long_prefix_and_call_id_name_that_call)
{
	/* Two valid call ids, of 63 characters and of its first 59: the long
	 * one's key is 131 characters, the short one's its first 127. */
	const char *l_id = "c-0123456789012345678901234567890123456789012345678901234567890";
	char s_id[64], *l_key = key_of("call:", l_id), *status = key_of("status:call:", l_id);

	cr_assert_eq(strlen(l_id), 63);
	snprintf(s_id, sizeof(s_id), "%.59s", l_id);
	call(s_id);
	call(l_id);
	vr_map_put(&dirty, l_key, &dummy);
	take();
	vr_changes_resolve(&ch, &m, &gone);
	cr_assert_not(ch.full);
	cr_assert_eq(ch.n, 1);
	cr_assert_str_eq(ch.ids[0], l_id, "the change of %s re-checks call '%s'", l_key, ch.ids[0]);
	cr_assert_eq(gone.n, 0, "a status deleted for a call that exists");
	/* Deleted: its status goes, whole. */
	vr_model_del(&m, VR_REC_CALL, l_id);
	vr_changes_free(&ch);
	vr_map_put(&dirty, l_key, &dummy);
	take();
	vr_changes_resolve(&ch, &m, &gone);
	cr_assert_str_eq(ch.ids[0], l_id);
	cr_assert_eq(gone.n, 1);
	cr_assert_not_null(vr_map_get(&gone, status), "%s not among the statuses to delete", status);
	free(l_key);
	free(status);
}

Test(changes, keys_of_any_length_are_taken_whole)
{
	/* Not a valid id (the schema rejects it), but Redis may send it: its
	 * record's status is named by the whole of it. */
	size_t len = 100000;
	char *id = malloc(len + 1), *key, *status;

	cr_assert_not_null(id);
	memset(id, 'x', len);
	id[len] = '\0';
	key = key_of("call:", id);
	status = key_of("status:call:", id);
	vr_map_put(&dirty, key, &dummy);
	take();
	vr_changes_resolve(&ch, &m, &gone);
	cr_assert_eq(ch.n, 1);
	cr_assert_eq(strlen(ch.ids[0]), len);
	cr_assert_not_null(vr_map_get(&gone, status));
	free(id);
	free(key);
	free(status);
}

Test(changes, a_large_batch_of_calls_is_rechecked_call_by_call)
{
	char id[16], *key;
	int i;

	/* 3,000 calls deleted at once: only they are re-checked, each status
	 * goes, and each is named deleted (never held). */
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		key = key_of("call:", id);
		vr_map_put(&dirty, key, &dummy);
		free(key);
	}
	take();
	vr_changes_resolve(&ch, &m, &gone);
	cr_assert_not(ch.full);
	cr_assert_eq(gone.n, 3000);
	cr_assert_eq(ch.deleted.n, 3000);
	key = key_of("status:call:", "c2999");
	cr_assert_not_null(vr_map_get(&gone, key));
	free(key);
	cr_assert_not_null(vr_map_get(&ch.deleted, "c2999"));
}

Test(changes, an_extension_among_deleted_calls_rechecks_everything_and_names_the_calls)
{
	char id[16], *key;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		key = key_of("call:", id);
		vr_map_put(&dirty, key, &dummy);
		free(key);
	}
	key = key_of("ext:", "101");
	vr_map_put(&dirty, key, &dummy);
	free(key);
	take();
	vr_changes_resolve(&ch, &m, &gone);
	cr_assert(ch.full);
	cr_assert_eq(ch.deleted.n, 3, "the deleted calls are not named: %zu", ch.deleted.n);
	cr_assert_null(vr_map_get(&ch.deleted, "101"), "an extension is named as a deleted call");
}
