/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RESP and decimals without printf; see resp.h. The control process's
 * thread (voxrelay-control's publication, statuses and end-of-call records).
 */
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "resp.h"

size_t
vr_u64_dec(char *out, uint64_t v)
{
	char tmp[VR_U64_DEC_MAX];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

size_t
vr_fixed_dec(char *out, uint64_t v, unsigned int decimals)
{
	static const uint64_t scale[] = { 1, 10, 100, 1000 };
	uint64_t s;
	size_t n;
	unsigned int i;

	if (decimals > 3)
		decimals = 3;
	s = scale[decimals];
	n = vr_u64_dec(out, v / s);
	if (decimals == 0)
		return n;
	out[n++] = '.';
	v %= s;
	for (i = decimals; i > 0; i--) {
		out[n + i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	n += decimals;
	out[n] = '\0';
	return n;
}

/* "<c><n>\r\n" at p (when p is not NULL); returns its length. */
static size_t
head(char *p, char c, uint64_t n)
{
	char d[VR_U64_DEC_MAX];
	size_t len = vr_u64_dec(d, n);

	if (p != NULL) {
		p[0] = c;
		memcpy(p + 1, d, len);
		p[1 + len] = '\r';
		p[2 + len] = '\n';
	}
	return len + 3;
}

size_t
vr_resp_format(char *buf, size_t cap, int argc, const char *const *argv)
{
	size_t need = head(NULL, '*', (uint64_t)argc), at;
	int i;

	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);

		need += head(NULL, '$', l) + l + 2;
	}
	if (need > cap)
		return need;
	at = head(buf, '*', (uint64_t)argc);
	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);

		at += head(buf + at, '$', l);
		memcpy(buf + at, argv[i], l);
		at += l;
		buf[at++] = '\r';
		buf[at++] = '\n';
	}
	return at;
}

int
vr_resp_append(redisContext *c, int argc, const char *const *argv)
{
	char stack[2048], *buf = stack;
	size_t len = vr_resp_format(stack, sizeof(stack), argc, argv);
	int rc;

	if (len > sizeof(stack)) {
		buf = malloc(len);
		if (buf == NULL)
			return REDIS_ERR;
		vr_resp_format(buf, len, argc, argv);
	}
	rc = redisAppendFormattedCommand(c, buf, len);
	if (buf != stack)
		free(buf);
	return rc;
}
