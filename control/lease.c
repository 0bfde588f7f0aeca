/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Leases on relay addresses; see lease.h. Runs on the control process's
 * thread: one pipelined round of Lua scripts (each atomic in Redis) every
 * quarter lease.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "resp.h"

/*
 * KEYS[1] the lease, KEYS[2] its epoch counter; ARGV host, epoch (0: none),
 * TTL in ms, mode: "keep" renews ours (and takes it back under the same
 * epoch if it expired and nobody took it since: Redis was away), "take"
 * takes it if it is free, under a new epoch, "peek" only reads. Returns
 * {1, epoch} kept, {2, epoch} taken, {3, ""} free, {0, holder} another's.
 */
static const char script[] =
	"local v = redis.call('GET', KEYS[1]) "
	"local mine = ARGV[1] .. ' ' .. ARGV[2] "
	"if v then "
	"  if v == mine and ARGV[2] ~= '0' then "
	"    redis.call('PEXPIRE', KEYS[1], ARGV[3]) return {1, ARGV[2]} end "
	"  return {0, v} end "
	"if ARGV[4] == 'peek' then return {3, ''} end "
	"if ARGV[4] == 'keep' then "
	"  if redis.call('GET', KEYS[2]) == ARGV[2] then "
	"    redis.call('SET', KEYS[1], mine, 'PX', ARGV[3]) return {1, ARGV[2]} end "
	"  return {0, 'a later epoch'} end "
	"local e = redis.call('INCR', KEYS[2]) "
	"redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. e, 'PX', ARGV[3]) "
	"return {2, tostring(e)}";

int
vr_leases_own(struct vr_leases *l, const char *spec, char *err, size_t errlen)
{
	char one[32];
	const char *p = spec;

	l->n_own = 0;
	l->own_all = strcmp(spec, "all") == 0;
	if (l->own_all || strcmp(spec, "none") == 0)
		return 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		uint32_t ip;

		if (len == 0 || len >= sizeof(one)) {
			snprintf(err, errlen, "--own: '%.*s' in '%s' is not an IPv4 address", (int)len,
				p, spec);
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		if (inet_pton(AF_INET, one, &ip) != 1) {
			snprintf(err, errlen, "--own: '%s' in '%s' is not an IPv4 address", one, spec);
			return -1;
		}
		if (l->n_own == VR_LEASE_ADDRS) {
			snprintf(err, errlen, "--own: '%s' names more than %d addresses", spec,
				VR_LEASE_ADDRS);
			return -1;
		}
		l->own[l->n_own++] = ip;
		p += len;
		if (*p == ',' && *++p == '\0') {
			snprintf(err, errlen, "--own: '%s' ends with a comma", spec);
			return -1;
		}
	}
	if (l->n_own == 0) {
		snprintf(err, errlen, "--own: no address (say all or none)");
		return -1;
	}
	return 0;
}

void
vr_leases_addrs(struct vr_leases *l, const uint32_t *addrs, unsigned int n)
{
	if (n > VR_LEASE_ADDRS)
		n = VR_LEASE_ADDRS;
	if (n == l->n_addrs && memcmp(addrs, l->addrs, sizeof(*addrs) * n) == 0)
		return;
	/* Another dataplane (or the first): nothing of it is held yet. */
	memcpy(l->addrs, addrs, sizeof(*addrs) * n);
	l->n_addrs = n;
	l->known = 0;
	l->held = 0;
	memset(l->epoch, 0, sizeof(l->epoch));
	memset(l->free_since_ms, 0, sizeof(l->free_since_ms));
	memset(l->holder, 0, sizeof(l->holder));
	l->next_ms = 0;
}

void
vr_leases_redis_back(struct vr_leases *l)
{
	memset(l->free_since_ms, 0, sizeof(l->free_since_ms));
	l->next_ms = 0;
}

static int
own(const struct vr_leases *l, uint32_t ip)
{
	unsigned int i;

	if (l->own_all)
		return 1;
	for (i = 0; i < l->n_own; i++)
		if (l->own[i] == ip)
			return 1;
	return 0;
}

int
vr_leases_here(const struct vr_leases *l, uint32_t ip)
{
	unsigned int i;

	if (l->host[0] == '\0')
		return 1;
	if (!l->known)
		return -1;
	for (i = 0; i < l->n_addrs; i++)
		if (l->addrs[i] == ip)
			return (int)(l->held >> i & 1);
	return 0;
}

int
vr_leases_round(struct vr_leases *l, redisContext *c, const char *prefix, uint64_t now_ms,
	uint64_t *gained, uint64_t *lost)
{
	const char *mode[VR_LEASE_ADDRS];
	size_t hlen = strlen(l->host);
	unsigned int i;

	*gained = *lost = 0;
	if (l->host[0] == '\0' || l->n_addrs == 0 || now_ms < l->next_ms)
		return 0;
	l->next_ms = now_ms + l->lease_ms / 4;
	for (i = 0; i < l->n_addrs; i++) {
		char ip[INET_ADDRSTRLEN], key[128], ekey[128], epoch[24], ttl[24];
		const char *argv[9];

		if (l->held >> i & 1)
			mode[i] = "keep";
		else if (own(l, l->addrs[i]))
			mode[i] = "take";
		else if (l->takeover && l->free_since_ms[i] != 0 &&
				now_ms - l->free_since_ms[i] >= l->lease_ms)
			mode[i] = "take";
		else
			mode[i] = "peek";
		inet_ntop(AF_INET, &l->addrs[i], ip, sizeof(ip));
		snprintf(key, sizeof(key), "%slease:%s", prefix, ip);
		snprintf(ekey, sizeof(ekey), "%slease_epoch:%s", prefix, ip);
		vr_u64_dec(epoch, l->held >> i & 1 ? l->epoch[i] : 0);
		vr_u64_dec(ttl, l->lease_ms);
		argv[0] = "EVAL";
		argv[1] = script;
		argv[2] = "2";
		argv[3] = key;
		argv[4] = ekey;
		argv[5] = l->host;
		argv[6] = epoch;
		argv[7] = ttl;
		argv[8] = mode[i];
		if (vr_resp_append(c, 9, argv) != REDIS_OK)
			return -1;
	}
	for (i = 0; i < l->n_addrs; i++) {
		redisReply *r;
		long long code;
		const char *val;

		if (redisGetReply(c, (void **)&r) != REDIS_OK)
			return -1;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
				r->element[0]->type != REDIS_REPLY_INTEGER ||
				r->element[1]->type != REDIS_REPLY_STRING) {
			/* A refused script (an ACL without EVAL): nothing changes. */
			freeReplyObject(r);
			continue;
		}
		code = r->element[0]->integer;
		val = r->element[1]->str;
		/* Ours from before a restart of this control (same host id): kept
		 * under its epoch, renewed from the next round. */
		if (code == 0 && strncmp(val, l->host, hlen) == 0 && val[hlen] == ' ' &&
				!(l->held >> i & 1)) {
			code = 1;
			val += hlen + 1;
		}
		if (code == 1 || code == 2) {
			if (!(l->held >> i & 1))
				*gained |= 1ull << i;
			l->held |= 1ull << i;
			l->epoch[i] = strtoull(val, NULL, 10);
			l->holder[i][0] = '\0';
			l->free_since_ms[i] = 0;
			if (code == 2)
				l->taken++;
		} else {
			if (l->held >> i & 1) {
				*lost |= 1ull << i;
				l->fenced++;
			}
			l->held &= ~(1ull << i);
			snprintf(l->holder[i], sizeof(l->holder[i]), "%s", val);
			if (code == 3 && l->free_since_ms[i] == 0)
				l->free_since_ms[i] = now_ms;
			else if (code != 3)
				l->free_since_ms[i] = 0;
		}
		freeReplyObject(r);
	}
	l->known = 1;
	return 1;
}
