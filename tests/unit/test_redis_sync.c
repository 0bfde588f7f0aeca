/* SPDX-License-Identifier: BSD-3-Clause */
/* The pure parts of control/redis_sync.c: the keyspace notification flags to set, the --sentinel list. */
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

Test(sentinels, a_list_is_taken_in_order)
{
	struct vr_redis_cfg cfg;
	char err[256];

	vr_redis_cfg_defaults(&cfg);
	cr_assert_eq(vr_redis_cfg_sentinels(&cfg, "10.0.0.1:26379,sentinel-b:26380,::1:7", err,
		sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.n_sentinels, 3);
	cr_assert_str_eq(cfg.sentinel[0].host, "10.0.0.1");
	cr_assert_eq(cfg.sentinel[0].port, 26379);
	cr_assert_str_eq(cfg.sentinel[1].host, "sentinel-b");
	cr_assert_eq(cfg.sentinel[1].port, 26380);
	cr_assert_str_eq(cfg.sentinel[2].host, "::1");
	cr_assert_eq(cfg.sentinel[2].port, 7);
}

Test(sentinels, a_bad_list_is_refused_naming_the_bad_part)
{
	static const struct {
		const char *spec, *named;
	} bad[] = {
		{ "", "no sentinel" },
		{ "10.0.0.1:26379,", "ends with a comma" },
		{ "10.0.0.1:26379,,10.0.0.2:1", "'' in" },
		{ "10.0.0.1", "'10.0.0.1' in" },
		{ "10.0.0.1:0", "'10.0.0.1:0' in" },
		{ "10.0.0.1:26379,h:99999", "'h:99999' in" },
		{ "unix:/run/sentinel.sock", "is not HOST:PORT" },
		{ "a:1,a:2,a:3,a:4,a:5,a:6,a:7,a:8,a:9", "more than 8" },
	};
	struct vr_redis_cfg cfg;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vr_redis_cfg_defaults(&cfg);
		err[0] = '\0';
		cr_assert_eq(vr_redis_cfg_sentinels(&cfg, bad[i].spec, err, sizeof(err)), -1,
			"'%s' was taken", bad[i].spec);
		cr_assert(strstr(err, bad[i].named) != NULL, "'%s': the error '%s' does not say '%s'",
			bad[i].spec, err, bad[i].named);
	}
}
