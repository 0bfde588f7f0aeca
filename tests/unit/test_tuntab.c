/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel table (dataplane/tuntab.c): entries set, replaced, removed and
 * their nodes reused, chains of colliding keys, a full table, and a reader
 * thread that never misses a key that stays while the writer churns others
 * and frees their nodes only after the reader has passed a quiescent point.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <criterion/criterion.h>

#include "dataplane/tuntab.h"

static struct vr_tuntab *
table(uint32_t n)
{
	void *mem = malloc(vr_tuntab_memsize(n));

	cr_assert_not_null(mem);
	return vr_tuntab_init(mem, n);
}

static uint64_t
key(uint32_t sbc, uint32_t channel)
{
	return (uint64_t)sbc << 32 | channel;
}

Test(tuntab, set_replace_remove_reuse)
{
	struct vr_tuntab *t = table(4);
	int a, b, c, d, e;
	int32_t pos;

	cr_assert_null(vr_tuntab_lookup(t, key(7, 1)));
	cr_assert_eq(vr_tuntab_set(t, key(7, 1), &a), 0);
	cr_assert_eq(vr_tuntab_set(t, key(7, 2), &b), 0);
	cr_assert_eq(vr_tuntab_set(t, key(8, 1), &c), 0);
	cr_assert_eq(vr_tuntab_lookup(t, key(7, 1)), &a);
	cr_assert_eq(vr_tuntab_lookup(t, key(7, 2)), &b);
	cr_assert_eq(vr_tuntab_lookup(t, key(8, 1)), &c);
	cr_assert_null(vr_tuntab_lookup(t, key(1, 7)), "another key matched");
	/* Replacing takes no node: the fourth key still fits, a fifth does not. */
	cr_assert_eq(vr_tuntab_set(t, key(7, 1), &d), 0);
	cr_assert_eq(vr_tuntab_lookup(t, key(7, 1)), &d);
	cr_assert_eq(vr_tuntab_set(t, key(9, 9), &e), 0);
	cr_assert_eq(vr_tuntab_set(t, key(9, 10), &e), -ENOSPC);
	/* Removed: gone at once; its node comes back only when freed. */
	pos = vr_tuntab_del(t, key(7, 2));
	cr_assert_geq(pos, 0);
	cr_assert_null(vr_tuntab_lookup(t, key(7, 2)));
	cr_assert_eq(vr_tuntab_del(t, key(7, 2)), -1, "removed twice");
	cr_assert_eq(vr_tuntab_set(t, key(9, 10), &e), -ENOSPC, "a node reused before it was freed");
	vr_tuntab_free_position(t, pos);
	cr_assert_eq(vr_tuntab_set(t, key(9, 10), &e), 0);
	cr_assert_eq(vr_tuntab_lookup(t, key(9, 10)), &e);
	cr_assert_eq(vr_tuntab_lookup(t, key(7, 1)), &d);
	cr_assert_eq(vr_tuntab_lookup(t, key(8, 1)), &c);
	cr_assert_eq(vr_tuntab_lookup(t, key(9, 9)), &e);
	free(t);
}

/* Eight keys of one bucket: removed from the head, the middle and the tail of the chain. */
Test(tuntab, chains)
{
	static int v[8];
	struct vr_tuntab *t = table(64);
	uint64_t k[8];
	uint32_t n = 0, c, len = 0, i;

	for (c = 0; n < 8; c++)
		if (vr_tuntab_bucket(t, key(3, c)) == 5)
			k[n++] = key(3, c);
	for (i = 0; i < 8; i++)
		cr_assert_eq(vr_tuntab_set(t, k[i], &v[i]), 0);
	for (i = t->head[5]; i != VR_TUNTAB_NONE; i = t->node[i].next)
		len++;
	cr_assert_eq(len, 8);
	/* k[7] is the head (linked last), k[0] the tail */
	cr_assert_geq(vr_tuntab_del(t, k[7]), 0);
	cr_assert_geq(vr_tuntab_del(t, k[3]), 0);
	cr_assert_geq(vr_tuntab_del(t, k[0]), 0);
	for (i = 0; i < 8; i++) {
		void *want = i == 0 || i == 3 || i == 7 ? NULL : &v[i];

		cr_assert_eq(vr_tuntab_lookup(t, k[i]), want, "key %u of the chain", i);
	}
	cr_assert_null(vr_tuntab_lookup(t, key(3, c)), "a key past the chain matched");
	free(t);
}

/* The reader's side of the concurrent test. */
struct reader {
	struct vr_tuntab *t;
	int *stable;                   /* keys 1..64 of SBC 1: always there, data stable[k] or stable[k + 64] */
	volatile int stop;
	volatile unsigned long passes; /* quiescent points passed */
	volatile unsigned long bad;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;

	while (!r->stop) {
		for (uint32_t k = 0; k < 64; k++) {
			int *d = vr_tuntab_lookup(r->t, key(1, k));

			if (d != &r->stable[k] && d != &r->stable[k + 64])
				r->bad++;
		}
		__atomic_fetch_add(&r->passes, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Waits until the reader has passed a quiescent point after now: a grace period. */
static void
grace(struct reader *r)
{
	unsigned long p = __atomic_load_n(&r->passes, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&r->passes, __ATOMIC_ACQUIRE) < p + 2)
		;
}

Test(tuntab, reader_never_misses_while_the_writer_churns)
{
	static int stable[128], churn[256];
	struct vr_tuntab *t = table(64 + 256 + 32);
	struct reader r = { .t = t, .stable = stable };
	pthread_t th;
	time_t end = time(NULL) + 3;
	unsigned long ops = 0;

	for (uint32_t k = 0; k < 64; k++)
		cr_assert_eq(vr_tuntab_set(t, key(1, k), &stable[k]), 0);
	cr_assert_eq(pthread_create(&th, NULL, reader_main, &r), 0);
	srand(5);
	while (ops < 2000000 && time(NULL) < end) {
		int32_t pos[32];
		uint32_t np = 0, j;

		/* Churn keys removed (some re-added at once, on other nodes), their
		 * nodes freed after one grace period; the others added. */
		for (j = 0; j < 32; j++, ops++) {
			uint32_t k = (uint32_t)rand() % 256;

			if (vr_tuntab_lookup(t, key(2, k)) == NULL) {
				cr_assert_eq(vr_tuntab_set(t, key(2, k), &churn[k]), 0);
				continue;
			}
			pos[np] = vr_tuntab_del(t, key(2, k));
			cr_assert_geq(pos[np], 0);
			np++;
			if (ops & 1)
				cr_assert_eq(vr_tuntab_set(t, key(2, k), &churn[k]), 0);
			/* and a stable key's data replaced in place */
			vr_tuntab_set(t, key(1, k % 64), &stable[k % 64 + (ops & 2) * 32]);
		}
		grace(&r);
		for (j = 0; j < np; j++)
			vr_tuntab_free_position(t, pos[j]);
	}
	r.stop = 1;
	pthread_join(th, NULL);
	cr_assert_eq(r.bad, 0, "the reader missed a stable key %lu times", r.bad);
	cr_assert_gt(r.passes, 10, "the reader hardly ran: the test tested nothing");
	cr_assert_gt(ops, 1000);
	free(t);
}
