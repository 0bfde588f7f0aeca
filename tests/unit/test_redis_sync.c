/* SPDX-License-Identifier: BSD-3-Clause */
/* The pure parts of control/redis_sync.c: the keyspace notification flags to set. */
#include <string.h>

#include <criterion/criterion.h>

#include "control/redis_sync.h"

/* flags[] with a guard after the len bytes the function may write. */
static char buf[64 + 16];

static int
flags_of(const char *have, size_t len)
{
	memset(buf, 0x55, sizeof(buf));
	return vr_redis_notify_flags(have, buf, len);
}

static void
guard_intact(size_t len)
{
	size_t i;

	for (i = len; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0x55, "byte %zu written past the %zu-byte buffer", i, len);
}

Test(notify_flags, adds_what_is_missing)
{
	cr_assert_eq(flags_of("", 64), 0);
	cr_assert_str_eq(buf, "Khgx");
	cr_assert_eq(flags_of("Ex", 64), 0);
	cr_assert_str_eq(buf, "ExKhg");
	cr_assert_eq(flags_of("AKE", 64), 0);
	cr_assert_str_eq(buf, "AKE", "A already means h, g and x");
	cr_assert_eq(flags_of("AE", 64), 0);
	cr_assert_str_eq(buf, "AEK");
}

Test(notify_flags, a_long_value_is_refused_not_overrun)
{
	/* 60 flags without K, h, g or x: with the four added, 64 characters and
	 * the NUL do not fit in 64 bytes. */
	const char *have = "E$lszetdmnE$lszetdmnE$lszetdmnE$lszetdmnE$lszetdmnE$lszetdmn";

	cr_assert_eq(strlen(have), 60);
	cr_assert_eq(flags_of(have, 64), -1, "'%.64s' accepted", buf);
	guard_intact(64);
	/* What does fit is built whole: 59 and the four. */
	cr_assert_eq(flags_of(have + 1, 64), 0);
	cr_assert_eq(strlen(buf), 63);
	cr_assert(strncmp(buf, have + 1, 59) == 0 && strcmp(buf + 59, "Khgx") == 0, "%s", buf);
	guard_intact(64);
	/* A value that does not fit even alone is refused, not cut. */
	cr_assert_eq(flags_of("KhgxE$lszetdmnE$lszetdmnE$lszetdmnE$lszetdmnE$lszetdmnE$lszetdmn", 64),
		-1);
	guard_intact(64);
}
