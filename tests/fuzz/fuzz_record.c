/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: voxrelay-control's parsers of Redis records
 * (control/schema.c: vr_schema_ext, vr_schema_sbc, vr_schema_call, and
 * vr_schema_latch, the latch another host's stats recorded), which take
 * whatever any writer put in Redis. The input is a record: its first byte
 * picks the type, then NUL-separated field, value, field, value...
 * (at most 64 pairs, as HGETALL gives them). A refused record must say why.
 * The product's own functions, no copies. scripts/fuzz.sh builds and runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "voxrelay/ctl.h"

#include "control/schema.h"

#define MAX_PAIRS 64

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *f[MAX_PAIRS], *v[MAX_PAIRS];
	char *buf, *p, *end, err[512];
	struct vr_ext e;
	struct vr_sbc s;
	struct vr_call_rec c;
	size_t k = 0;
	int rc;

	if (n < 1 || n > 8192)
		return 0;
	/* A NUL-terminated copy, so that the last value ends too. */
	buf = malloc(n);
	if (buf == NULL)
		return 0;
	memcpy(buf, d + 1, n - 1);
	buf[n - 1] = '\0';
	p = buf;
	end = buf + n - 1;
	while (k < MAX_PAIRS && p < end) {
		f[k] = p;
		p += strlen(p) + 1;
		if (p > end)
			break;
		v[k++] = p;
		p += strlen(p) + 1;
	}
	err[0] = '\0';
	switch (d[0] % 4) {
	case 0:
		rc = vr_schema_ext("voxrelay:ext:101", "101", f, v, k, &e, err, sizeof(err));
		break;
	case 1:
		rc = vr_schema_sbc("voxrelay:sbc:b1", "b1", f, v, k, &s, err, sizeof(err));
		break;
	case 2:
		rc = vr_schema_call("voxrelay:call:c1", "c1", f, v, k, &c, err, sizeof(err));
		break;
	default: {
		/* A leg's latch: the first four strings are peer, SSRC, sequence,
		 * RTCP peer, against a leg expecting 203.0.113.2:14000-14019. */
		struct vr_ctl_leg leg = { .flags = VR_CTL_LEG_F_EXPECT, .expect_lo = 14000,
			.expect_hi = 14019, .expect_ip = 0x020071cb };
		const char *x[4] = { NULL, NULL, NULL, NULL };
		size_t j;

		for (j = 0; j < 4 && j < 2 * k; j++)
			x[j] = j % 2 ? v[j / 2] : f[j / 2];
		rc = vr_schema_latch(x[0], x[1], x[2], x[3], &leg, err, sizeof(err));
		if (rc == 0 && (leg.latch_ip != leg.expect_ip || leg.latch_port < 14000 ||
				leg.latch_port > 14019 || leg.latch_seq > 65535))
			abort(); /* a latch the rule would not have learned */
		break;
	}
	}
	if (rc < 0 && err[0] == '\0')
		abort(); /* refused without a word */
	free(buf);
	return 0;
}
