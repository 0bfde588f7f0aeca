/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Redis access for the control process and voxrelayctl plan: connecting
 * (TCP or Unix socket, ACL user and password, database), loading every record
 * under the key prefix into the model, reading one key again, and following
 * changes through keyspace notifications on a second connection. Blocking
 * calls with timeouts on the main connection; the subscription is read
 * without blocking.
 */
#ifndef VR_CTL_REDIS_SYNC_H
#define VR_CTL_REDIS_SYNC_H

#include <hiredis/hiredis.h>

#include "map.h"
#include "model.h"

/* Sentinels --sentinel takes. */
#define VR_SENTINELS_MAX 8

/* Where Redis is and how to log in. The password never comes from argv. */
struct vr_redis_cfg {
	char host[256];       /* TCP host, or "" with unix_path */
	int port;
	char unix_path[108];
	int db;
	char user[64];        /* ACL user, or "" */
	char password[256];   /* from --password-file or VOXRELAY_REDIS_PASSWORD */
	char prefix[64];      /* key prefix, default "voxrelay:" */
	int timeout_ms;
	/* Sentinel mode (n_sentinels > 0): host and port are the primary of
	 * master as the sentinels last said, asked in this order. */
	struct vr_redis_sentinel {
		char host[256];
		int port;
	} sentinel[VR_SENTINELS_MAX];
	unsigned int n_sentinels;
	char master[64];      /* the name the sentinels monitor the primary under */
};

/* Sets the defaults: 127.0.0.1:6379, db 0, prefix "voxrelay:", 2 s timeout. */
void vr_redis_cfg_defaults(struct vr_redis_cfg *cfg);

/*
 * Parses "HOST:PORT" or "unix:PATH" into cfg. Returns 0 or -1 with err
 * naming the value.
 */
int vr_redis_cfg_addr(struct vr_redis_cfg *cfg, const char *spec, char *err, size_t errlen);

/*
 * Parses "HOST:PORT[,HOST:PORT...]" (at most VR_SENTINELS_MAX) into cfg's
 * sentinels. Returns 0 or -1 with err naming the value.
 */
int vr_redis_cfg_sentinels(struct vr_redis_cfg *cfg, const char *spec, char *err, size_t errlen);

/*
 * Sentinel mode: asks the sentinels in turn (each with a short timeout)
 * which server is the primary of cfg->master, and sets cfg->host and
 * cfg->port to the first answer. Returns 0, or -1 with err saying what each
 * sentinel answered. Sentinels are asked without a password.
 */
int vr_redis_locate(struct vr_redis_cfg *cfg, char *err, size_t errlen);

/*
 * Sentinel mode: a connection to the first sentinel that answers,
 * subscribed to its +switch-master announcements (read without blocking
 * with vr_redis_sentinel_switched), or NULL with err.
 */
redisContext *vr_redis_sentinel_watch(const struct vr_redis_cfg *cfg, char *err, size_t errlen);

/*
 * Reads what the watch w has received: 1 when a sentinel announced a new
 * primary for cfg->master (the last one into addr as "HOST:PORT"), 0 when
 * not, -1 when the connection failed.
 */
int vr_redis_sentinel_switched(redisContext *w, const struct vr_redis_cfg *cfg, char *addr,
	size_t addrlen);

/* Reads the password from file path (first line). 0 or -1 with err. */
int vr_redis_cfg_password_file(struct vr_redis_cfg *cfg, const char *path, char *err,
	size_t errlen);

/*
 * Connects, authenticates and selects the database. In sentinel mode the
 * server must also say it is a primary (ROLE): a replica, such as a demoted
 * primary the sentinels have not told us about yet, is refused. NULL with
 * err on failure.
 */
redisContext *vr_redis_connect(const struct vr_redis_cfg *cfg, char *err, size_t errlen);

/*
 * Loads every record under the prefix into m (which it empties first): SCAN,
 * then HGETALL pipelined. Records that do not parse are stored as rejected.
 * Returns the number of keys read, or -1 on a connection error (err set).
 */
long vr_redis_load(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m,
	char *err, size_t errlen);

/*
 * Marks the SBCs of m whose status in Redis says ok as holding their tunnel
 * ids, so that a control process just started keeps each tunnel id with the
 * SBC that had it rather than giving it to the first by id. Returns 0, or -1
 * on a connection error (err set).
 */
int vr_redis_load_held(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m,
	char *err, size_t errlen);

/*
 * Reads the records named by the keys of dirty again (a deleted key removes
 * its record; one whose last notification was a delete, an expiry or an
 * eviction is removed without a read) and empties dirty. Returns 0 or -1 on
 * a connection error.
 */
int vr_redis_reload(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_model *m,
	struct vr_map *dirty, char *err, size_t errlen);

/*
 * The notify-keyspace-events flags to set: have, the server's, with K, h, g
 * and x added where missing ("A" already means h, g and x), written to
 * flags (len bytes). Returns 0, or -1 when they do not fit in len bytes:
 * flags is then not to be set, as a cut value would drop the server's.
 */
int vr_redis_notify_flags(const char *have, char *flags, size_t len);

/*
 * Makes sure the server sends keyspace notifications for hashes, generic
 * commands and expiry (CONFIG SET notify-keyspace-events), keeping flags
 * already set. Returns 0, or -1 with err when the server refuses (an ACL,
 * a renamed CONFIG): the caller then relies on periodic resyncs.
 */
int vr_redis_enable_notify(redisContext *c, char *err, size_t errlen);

/* Subscribes c to the keyspace channels of the records (ext, sbc, call) under the prefix. */
int vr_redis_subscribe(redisContext *c, const struct vr_redis_cfg *cfg, char *err,
	size_t errlen);

/*
 * Reads whatever notifications have arrived on the subscribed c, without
 * blocking, and adds the keys they name to dirty, each with what its last
 * event said (for vr_redis_reload). Returns the number of
 * notifications, or -1 when the connection failed.
 */
int vr_redis_drain_events(redisContext *c, const struct vr_redis_cfg *cfg, struct vr_map *dirty);

#endif /* VR_CTL_REDIS_SYNC_H */
