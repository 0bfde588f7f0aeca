/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control/map.c: what is put is found, what is deleted is not, across
 * growth and tombstones.
 */
#include <stdio.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "control/map.h"

Test(map, finds_what_was_put_across_deletes_and_growth)
{
	struct vr_map m = { 0 };
	static int val[20000];
	char key[32];
	struct vr_map_slot *s;
	size_t i, seen = 0;
	int round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 20000; i++) {
			snprintf(key, sizeof(key), "call-%zu", i);
			vr_map_put(&m, key, &val[i]);
		}
		/* Every other one deleted: tombstones the next round probes over. */
		for (i = 0; i < 20000; i += 2) {
			snprintf(key, sizeof(key), "call-%zu", i);
			cr_assert_eq(vr_map_del(&m, key), &val[i], "%s", key);
		}
		cr_assert_eq(m.n, 10000);
		for (i = 0; i < 20000; i++) {
			snprintf(key, sizeof(key), "call-%zu", i);
			cr_assert_eq(vr_map_get(&m, key), i % 2 ? &val[i] : NULL, "%s", key);
		}
	}
	i = 0;
	while ((s = vr_map_next(&m, &i)) != NULL)
		seen++;
	cr_assert_eq(seen, 10000);
	cr_assert_null(vr_map_get(&m, "call-"));
	cr_assert_null(vr_map_get(&m, "call-200000"));
	vr_map_free(&m);
	cr_assert_eq(m.n, 0);
}
