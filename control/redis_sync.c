/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Redis access; see redis_sync.h. Runs on the control process's thread (and
 * in voxrelayctl). Parses each hash with schema.c and stores the verdict in
 * the model; the cross-record checks are model.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "redis_sync.h"
#include "resp.h"
#include "schema.h"

void
vr_redis_cfg_defaults(struct vr_redis_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->host, "127.0.0.1");
	cfg->port = 6379;
	strcpy(cfg->prefix, "voxrelay:");
	cfg->timeout_ms = 2000;
}

int
vr_redis_cfg_addr(struct vr_redis_cfg *cfg, const char *spec, char *err, size_t errlen)
{
	const char *colon;
	char *end;
	long port;

	if (strncmp(spec, "unix:", 5) == 0) {
		if (spec[5] == '\0' || strlen(spec + 5) >= sizeof(cfg->unix_path)) {
			snprintf(err, errlen, "--redis: '%s' is not unix:PATH", spec);
			return -1;
		}
		strcpy(cfg->unix_path, spec + 5);
		cfg->host[0] = '\0';
		return 0;
	}
	colon = strrchr(spec, ':');
	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= sizeof(cfg->host)) {
		snprintf(err, errlen, "--redis: '%s' is not HOST:PORT or unix:PATH", spec);
		return -1;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port < 1 || port > 65535) {
		snprintf(err, errlen, "--redis: '%s' has no valid port", spec);
		return -1;
	}
	memcpy(cfg->host, spec, (size_t)(colon - spec));
	cfg->host[colon - spec] = '\0';
	cfg->port = (int)port;
	cfg->unix_path[0] = '\0';
	return 0;
}

int
vr_redis_cfg_sentinels(struct vr_redis_cfg *cfg, const char *spec, char *err, size_t errlen)
{
	char one[300];
	const char *p = spec;

	cfg->n_sentinels = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		struct vr_redis_cfg tmp;
		char e[256];

		if (cfg->n_sentinels == VR_SENTINELS_MAX) {
			snprintf(err, errlen, "--sentinel: '%s' names more than %d sentinels", spec,
				VR_SENTINELS_MAX);
			return -1;
		}
		if (len == 0 || len >= sizeof(one) || strncmp(p, "unix:", 5) == 0) {
			snprintf(err, errlen, "--sentinel: '%.*s' in '%s' is not HOST:PORT", (int)len,
				p, spec);
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		vr_redis_cfg_defaults(&tmp);
		if (vr_redis_cfg_addr(&tmp, one, e, sizeof(e)) < 0) {
			snprintf(err, errlen, "--sentinel: '%s' in '%s' is not HOST:PORT", one, spec);
			return -1;
		}
		snprintf(cfg->sentinel[cfg->n_sentinels].host, sizeof(cfg->sentinel[0].host), "%s",
			tmp.host);
		cfg->sentinel[cfg->n_sentinels++].port = tmp.port;
		p += len;
		if (*p == ',' && *++p == '\0') {
			snprintf(err, errlen, "--sentinel: '%s' ends with a comma", spec);
			return -1;
		}
	}
	if (cfg->n_sentinels == 0) {
		snprintf(err, errlen, "--sentinel: no sentinel given");
		return -1;
	}
	return 0;
}

/* Sentinel s's answer for master into host/port: 0, or -1 with why. */
static int
ask_sentinel(const struct vr_redis_sentinel *s, const char *master, char *host, size_t hostlen,
	int *port, char *why, size_t whylen)
{
	/* Short: a dead sentinel must not stall control's loop for long. */
	struct timeval tv = { 0, 300 * 1000 };
	redisContext *c = redisConnectWithTimeout(s->host, s->port, tv);
	redisReply *r;
	int rc = -1;

	if (c == NULL || c->err) {
		snprintf(why, whylen, "%s", c != NULL ? c->errstr : "out of memory");
		if (c != NULL)
			redisFree(c);
		return -1;
	}
	redisSetTimeout(c, tv);
	r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", master);
	if (r == NULL)
		snprintf(why, whylen, "%s", c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(why, whylen, "%s", r->str);
	else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
			r->element[0]->type != REDIS_REPLY_STRING ||
			r->element[1]->type != REDIS_REPLY_STRING)
		snprintf(why, whylen, "it monitors no master named '%s'", master);
	else if (strlen(r->element[0]->str) >= hostlen || atoi(r->element[1]->str) < 1 ||
			atoi(r->element[1]->str) > 65535)
		snprintf(why, whylen, "it named '%s:%s'", r->element[0]->str, r->element[1]->str);
	else {
		strcpy(host, r->element[0]->str);
		*port = atoi(r->element[1]->str);
		rc = 0;
	}
	if (r != NULL)
		freeReplyObject(r);
	redisFree(c);
	return rc;
}

int
vr_redis_locate(struct vr_redis_cfg *cfg, char *err, size_t errlen)
{
	size_t at = 0;
	unsigned int i;

	at = (size_t)snprintf(err, errlen, "no sentinel named the primary of '%s':", cfg->master);
	for (i = 0; i < cfg->n_sentinels; i++) {
		const struct vr_redis_sentinel *s = &cfg->sentinel[i];
		char why[160];

		if (ask_sentinel(s, cfg->master, cfg->host, sizeof(cfg->host), &cfg->port, why,
				sizeof(why)) == 0)
			return 0;
		if (at < errlen)
			at += (size_t)snprintf(err + at, errlen - at, "%s %s:%d: %s", i ? ";" : "",
				s->host, s->port, why);
	}
	return -1;
}

redisContext *
vr_redis_sentinel_watch(const struct vr_redis_cfg *cfg, char *err, size_t errlen)
{
	struct timeval tv = { 0, 300 * 1000 };
	size_t at = 0;
	unsigned int i;

	at = (size_t)snprintf(err, errlen, "no sentinel to watch:");
	for (i = 0; i < cfg->n_sentinels; i++) {
		const struct vr_redis_sentinel *s = &cfg->sentinel[i];
		redisContext *c = redisConnectWithTimeout(s->host, s->port, tv);
		redisReply *r = NULL;

		if (c != NULL && !c->err) {
			redisSetTimeout(c, tv);
			r = redisCommand(c, "SUBSCRIBE +switch-master");
		}
		if (r != NULL && r->type == REDIS_REPLY_ARRAY) {
			freeReplyObject(r);
			return c;
		}
		if (at < errlen)
			at += (size_t)snprintf(err + at, errlen - at, "%s %s:%d: %s", i ? ";" : "",
				s->host, s->port, c == NULL ? "out of memory" : r != NULL &&
				r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
		if (r != NULL)
			freeReplyObject(r);
		if (c != NULL)
			redisFree(c);
	}
	return NULL;
}

int
vr_redis_sentinel_switched(redisContext *w, const struct vr_redis_cfg *cfg, char *addr,
	size_t addrlen)
{
	size_t len = strlen(cfg->master);
	redisReply *r;
	int switched = 0;

	if (redisBufferRead(w) != REDIS_OK)
		return -1;
	for (;;) {
		if (redisGetReplyFromReader(w, (void **)&r) != REDIS_OK)
			return -1;
		if (r == NULL)
			break;
		/* message, +switch-master, "NAME OLD-IP OLD-PORT NEW-IP NEW-PORT" */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
				r->element[2]->type == REDIS_REPLY_STRING &&
				strncmp(r->element[2]->str, cfg->master, len) == 0 &&
				r->element[2]->str[len] == ' ') {
			char ip[256];
			unsigned int port;

			if (sscanf(r->element[2]->str + len, " %*s %*u %255s %u", ip, &port) == 2 &&
					port >= 1 && port <= 65535) {
				snprintf(addr, addrlen, "%s:%u", ip, port);
				switched = 1;
			}
		}
		freeReplyObject(r);
	}
	return switched;
}

int
vr_redis_cfg_password_file(struct vr_redis_cfg *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "--password-file: cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fgets(cfg->password, sizeof(cfg->password), f) == NULL)
		cfg->password[0] = '\0';
	fclose(f);
	n = strcspn(cfg->password, "\r\n");
	cfg->password[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "--password-file: '%s' is empty", path);
		return -1;
	}
	return 0;
}

redisContext *
vr_redis_connect(const struct vr_redis_cfg *cfg, char *err, size_t errlen)
{
	struct timeval tv = { cfg->timeout_ms / 1000, (cfg->timeout_ms % 1000) * 1000 };
	redisContext *c;
	redisReply *r;

	/* Behind Sentinel a primary that does not answer is likely dead, and
	 * another may be named: a short connect, not the command timeout. */
	struct timeval ctv = cfg->n_sentinels > 0 && cfg->timeout_ms > 500 ?
		(struct timeval){ 0, 500 * 1000 } : tv;

	if (cfg->unix_path[0] != '\0')
		c = redisConnectUnixWithTimeout(cfg->unix_path, ctv);
	else
		c = redisConnectWithTimeout(cfg->host, cfg->port, ctv);
	if (c == NULL || c->err) {
		if (cfg->unix_path[0] != '\0')
			snprintf(err, errlen, "redis unix:%s: %s", cfg->unix_path,
				c != NULL ? c->errstr : "out of memory");
		else
			snprintf(err, errlen, "redis %s:%d: %s", cfg->host, cfg->port,
				c != NULL ? c->errstr : "out of memory");
		if (c != NULL)
			redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (cfg->password[0] != '\0') {
		if (cfg->user[0] != '\0')
			r = redisCommand(c, "AUTH %s %s", cfg->user, cfg->password);
		else
			r = redisCommand(c, "AUTH %s", cfg->password);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "redis AUTH%s%s failed: %s", cfg->user[0] ? " as " : "",
				cfg->user, r != NULL ? r->str : c->errstr);
			goto fail;
		}
		freeReplyObject(r);
	}
	if (cfg->n_sentinels > 0) {
		r = redisCommand(c, "ROLE");
		if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
				r->element[0]->type != REDIS_REPLY_STRING ||
				strcmp(r->element[0]->str, "master") != 0) {
			snprintf(err, errlen, "redis %s:%d is not the primary of '%s' (ROLE: %s)",
				cfg->host, cfg->port, cfg->master, r == NULL ? c->errstr :
				r->type == REDIS_REPLY_ERROR ? r->str :
				r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
				r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str :
				"unexpected reply");
			goto fail;
		}
		freeReplyObject(r);
	}
	if (cfg->db != 0) {
		r = redisCommand(c, "SELECT %d", cfg->db);
		if (r == NULL || r->type == REDIS_REPLY_ERROR) {
			snprintf(err, errlen, "redis SELECT %d failed: %s", cfg->db,
				r != NULL ? r->str : c->errstr);
			goto fail;
		}
		freeReplyObject(r);
	}
	return c;
fail:
	if (r != NULL)
		freeReplyObject(r);
	redisFree(c);
	return NULL;
}

/* Parses the HGETALL reply r of key into the model (or deletes the record). */
static void
apply_hash(struct vr_model *m, const struct vr_redis_cfg *cfg, const char *key, redisReply *r)
{
	const char *f[128], *v[128];
	struct vr_rec rec;
	const char *id;
	size_t n = 0, i;
	int t = vr_model_key_type(cfg->prefix, key, &id);
	int rc;

	if (t < 0)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.type = (enum vr_rec_type)t;
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(rec.error, sizeof(rec.error), "%s: %s", key, r->str);
		vr_model_put(m, &rec, id);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY)
		return;
	if (r->elements == 0) {
		vr_model_del(m, rec.type, id);
		return;
	}
	for (i = 0; i + 1 < r->elements && n < 128; i += 2) {
		f[n] = r->element[i]->str;
		v[n] = r->element[i + 1]->str;
		n++;
	}
	switch (rec.type) {
	case VR_REC_EXT:
		rc = vr_schema_ext(key, id, f, v, n, &rec.u.ext, rec.error, sizeof(rec.error));
		break;
	case VR_REC_SBC:
		rc = vr_schema_sbc(key, id, f, v, n, &rec.u.sbc, rec.error, sizeof(rec.error));
		break;
	default:
		rc = vr_schema_call(key, id, f, v, n, &rec.u.call, rec.error, sizeof(rec.error));
		break;
	}
	rec.parsed = rc == 0;
	vr_model_put(m, &rec, id);
}

/* Fetches keys[0..n) with pipelined HGETALLs into the model. */
static int
fetch(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m, char **keys, size_t n,
	char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *argv[2] = { "HGETALL", keys[i] };

		vr_resp_append(c, 2, argv);
	}
	for (i = 0; i < n; i++) {
		redisReply *r;

		if (redisGetReply(c, (void **)&r) != REDIS_OK) {
			snprintf(err, errlen, "redis: %s", c->errstr);
			return -1;
		}
		apply_hash(m, cfg, keys[i], r);
		freeReplyObject(r);
	}
	return 0;
}

long
vr_redis_load(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m, char *err,
	size_t errlen)
{
	char cursor[32] = "0", pattern[80];
	long total = 0;

	vr_model_free(m);
	snprintf(m->prefix, sizeof(m->prefix), "%s", cfg->prefix);
	snprintf(pattern, sizeof(pattern), "%s*", cfg->prefix);
	do {
		redisReply *r = redisCommand(c, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
		char *keys[4096];
		size_t n = 0, i;
		const char *id;

		if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			snprintf(err, errlen, "redis SCAN: %s", r == NULL ? c->errstr :
				r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
			if (r != NULL)
				freeReplyObject(r);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements && n < 4096; i++) {
			char *k = r->element[1]->element[i]->str;

			if (vr_model_key_type(cfg->prefix, k, &id) >= 0)
				keys[n++] = k;
		}
		if (fetch(c, cfg, m, keys, n, err, errlen) < 0) {
			freeReplyObject(r);
			return -1;
		}
		total += (long)n;
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return total;
}

int
vr_redis_load_held(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m,
	char *err, size_t errlen)
{
	struct vr_map_slot *s;
	size_t i = 0, n = 0;

	while ((s = vr_map_next(&m->recs[VR_REC_SBC], &i)) != NULL) {
		redisAppendCommand(c, "HGET %sstatus:sbc:%s state", cfg->prefix, s->key);
		n++;
	}
	i = 0;
	while (n-- > 0) {
		struct vr_rec *rec;
		redisReply *r;

		s = vr_map_next(&m->recs[VR_REC_SBC], &i);
		if (redisGetReply(c, (void **)&r) != REDIS_OK) {
			snprintf(err, errlen, "redis: %s", c->errstr);
			return -1;
		}
		rec = s->val;
		rec->held = rec->parsed && r->type == REDIS_REPLY_STRING &&
			strcmp(r->str, "ok") == 0;
		freeReplyObject(r);
	}
	return 0;
}

/*
 * What the last notification of a key in the dirty map said: it changed
 * (read it again), or it is gone (deleted, expired or evicted: nothing to
 * read). A bulk delete then costs no read per key.
 */
static char changed, gone;

int
vr_redis_reload(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m,
	struct vr_map *dirty, char *err, size_t errlen)
{
	static const redisReply none = { .type = REDIS_REPLY_ARRAY };
	struct vr_map_slot *s;
	char *keys[1024];
	size_t i = 0, n = 0;
	int rc = 0;

	while ((s = vr_map_next(dirty, &i)) != NULL) {
		if (s->val == &gone) {
			/* As an HGETALL of a key that does not exist would say. */
			apply_hash(m, cfg, s->key, (redisReply *)&none);
			continue;
		}
		keys[n++] = s->key;
		if (n == 1024) {
			if ((rc = fetch(c, cfg, m, keys, n, err, errlen)) < 0)
				break;
			n = 0;
		}
	}
	if (rc == 0 && n > 0)
		rc = fetch(c, cfg, m, keys, n, err, errlen);
	vr_map_free(dirty);
	return rc;
}

int
vr_redis_notify_flags(const char *have, char *flags, size_t len)
{
	const char *need = "Khgx";
	size_t i, n = strlen(have);

	/* Whole or not at all: a value cut short would drop the server's flags. */
	if (n >= len)
		return -1;
	memcpy(flags, have, n + 1);
	/* "A" already means every class but key-miss and new-key. */
	for (i = 0; need[i] != '\0'; i++) {
		if (strchr(flags, need[i]) != NULL)
			continue;
		if (need[i] != 'K' && strchr(flags, 'A') != NULL)
			continue;
		if (n + 1 >= len)
			return -1;
		flags[n++] = need[i];
		flags[n] = '\0';
	}
	return 0;
}

int
vr_redis_enable_notify(redisContext *c, char *err, size_t errlen)
{
	redisReply *r = redisCommand(c, "CONFIG GET notify-keyspace-events");
	char flags[64] = "";

	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
		snprintf(err, errlen, "CONFIG GET notify-keyspace-events: %s", r == NULL ?
			c->errstr : r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		if (r != NULL)
			freeReplyObject(r);
		return -1;
	}
	if (vr_redis_notify_flags(r->element[1]->str, flags, sizeof(flags)) < 0) {
		snprintf(err, errlen, "notify-keyspace-events '%.100s%s' (%zu characters): no "
			"room to add Khgx in %zu bytes, left as it is", r->element[1]->str,
			strlen(r->element[1]->str) > 100 ? "..." : "", strlen(r->element[1]->str),
			sizeof(flags));
		freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	r = redisCommand(c, "CONFIG SET notify-keyspace-events %s", flags);
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "CONFIG SET notify-keyspace-events %s: %s", flags,
			r == NULL ? c->errstr : r->str);
		if (r != NULL)
			freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

int
vr_redis_subscribe(redisContext *c, const struct vr_redis_cfg *cfg, char *err, size_t errlen)
{
	/* Only the records: voxrelay's own stats and status keys share the prefix, and
	 * their notifications would bury the PBX's writes. */
	redisReply *r = redisCommand(c, "PSUBSCRIBE __keyspace@%d__:%sext:* __keyspace@%d__:%ssbc:* "
		"__keyspace@%d__:%scall:*", cfg->db, cfg->prefix, cfg->db, cfg->prefix, cfg->db,
		cfg->prefix);

	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "PSUBSCRIBE: %s", r == NULL ? c->errstr : r->str);
		if (r != NULL)
			freeReplyObject(r);
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

int
vr_redis_drain_events(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_map *dirty)
{
	redisReply *r;
	int n = 0;

	if (redisBufferRead(c) != REDIS_OK)
		return -1;
	for (;;) {
		const char *key;

		if (redisGetReplyFromReader(c, (void **)&r) != REDIS_OK)
			return -1;
		if (r == NULL)
			break;
		/* pmessage, pattern, channel "__keyspace@N__:KEY", event */
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
				r->element[2]->type == REDIS_REPLY_STRING &&
				(key = strstr(r->element[2]->str, "__:")) != NULL) {
			const char *id;
			const char *ev = r->element[3]->type == REDIS_REPLY_STRING ?
				r->element[3]->str : "";

			key += 3;
			/* The key's last event decides whether it is read again. */
			if (vr_model_key_type(cfg->prefix, key, &id) >= 0)
				vr_map_put(dirty, key, strcmp(ev, "del") == 0 ||
					strcmp(ev, "expired") == 0 || strcmp(ev, "evicted") == 0 ?
					&gone : &changed);
			n++;
		}
		freeReplyObject(r);
	}
	return n;
}
