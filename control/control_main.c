/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * voxrelay-control: Redis is the source of truth for the relay. One thread:
 * loads every record under the key prefix, follows changes by keyspace
 * notifications (and heals anything missed with a periodic full resync),
 * keeps voxrelay-dp's call table equal to the valid calls (dpsync.c),
 * publishes each record's status and, every interval, the stats read from the
 * dataplane's shared memory (publish.c).
 *
 * Failure rules: while Redis is away nothing is changed in the dataplane (it
 * keeps forwarding what it has) and control retries with backoff, resyncing
 * on return; a dataplane restart (a new boot id) is noticed within 200 ms and
 * every call programmed again; a control restart finds the calls already
 * programmed and changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "voxrelay/counters.h"
#include "voxrelay/ctl.h"
#include "voxrelay/shm.h"

#include "changes.h"
#include "clock.h"
#include "dpsync.h"
#include "health.h"
#include "lease.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "model.h"
#include "publish.h"
#include "redis_sync.h"
#include "resp.h"
#include "schema.h"
#include "shm_reader.h"

/* Calls published per step: a few milliseconds of Redis work between events. */
#define PUBLISH_STEP 2048

struct opts {
	struct vr_redis_cfg redis;
	char ctl_path[108];
	char shm_name[64];
	unsigned int interval_ms;
	unsigned int resync_s;
	unsigned int key_overlap_s;
	unsigned int hold_pct;
	int ttl_s;
	char metrics[64];           /* HOST:PORT of /metrics, "" when off */
	int metrics_calls;
	unsigned int idle_s, final_s, cdr_maxlen;
	int keep_ended;
	struct vr_leases leases;    /* its settings (--host, --own, --takeover, --lease-ms) */
};

/* The control process's whole state. */
struct control {
	struct opts o;
	redisContext *rc;        /* commands */
	redisContext *sc;        /* keyspace subscription */
	int notify;              /* notifications are flowing */
	int loaded;              /* the model holds a complete load */
	uint64_t redis_retry_ms, redis_backoff_ms, resync_at_ms, stats_at_ms, dp_check_ms;
	uint64_t hold_check_ms, hold_said_ms, health_at_ms;
	struct vr_health health;
	struct vr_metrics metrics;
	struct vr_lifecycle life;
	uint64_t life_at_ms;
	struct vr_model model;
	struct vr_map dirty;
	struct vr_dpsync ds;
	struct vr_shm_map shm;
	struct vr_publisher pub;
	/* Sentinel mode: the primary last reached ("" before the first), when
	 * the connection to it was lost (0: it was not), and when the sentinels
	 * are asked next whether it is still the primary. */
	char primary[300];
	uint64_t lost_ms, sentinel_check_ms, watch_retry_ms;
	redisContext *watch;     /* a sentinel's +switch-master announcements */
	int after_failover;      /* the next full load holds every call the new primary lacks */
	/* With --host: the addresses this host holds, and which of them the
	 * dataplane was last told are active (addr_sent_ok: it was told). */
	struct vr_leases leases;
	uint64_t addr_sent;
	int addr_sent_ok;
	uint64_t host_pub_ms, host_pub_fwd; /* stats:host:ID's last write, for its pps */
};

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: voxrelay-control [options]\n"
		"\n"
		"Follows the voxrelay records in Redis, programs voxrelay-dp, publishes stats.\n"
		"\n"
		"  --redis HOST:PORT|unix:PATH  Redis server (default 127.0.0.1:6379)\n"
		"  --sentinel HOST:PORT,...     find the Redis primary through these Sentinels\n"
		"                               instead, and follow its failovers (with --master)\n"
		"  --master NAME                the name the Sentinels monitor the primary under\n"
		"  --host ID                    this relay host's id: relay addresses are held\n"
		"                               under leases in Redis, one host each (docs/ha.md)\n"
		"  --own all|none|IP,...        with --host: the addresses taken whenever free\n"
		"                               (default all)\n"
		"  --takeover                   with --host: also take the dataplane's other\n"
		"                               addresses once free for a whole lease\n"
		"  --lease-ms MS                with --host: the lease (default 600, 200-60000)\n"
		"  --db N                       database number (default 0)\n"
		"  --user NAME                  ACL user (or VOXRELAY_REDIS_USER)\n"
		"  --password-file PATH         password, first line (or VOXRELAY_REDIS_PASSWORD)\n"
		"  --prefix P                   key prefix (default voxrelay:)\n"
		"  --ctl PATH                   voxrelay-dp control socket (default %s)\n"
		"  --shm NAME                   voxrelay-dp stats shared memory (default %s)\n"
		"  --interval MS                stats publication interval (default 1000; 0: off)\n"
		"  --stats-ttl SEC              TTL of the stats hashes (default 3 intervals, >= 3 s)\n"
		"  --resync SEC                 full reload from Redis every SEC (default 30)\n"
		"  --key-overlap SEC            after an SBC's key changes (with its key_id), how\n"
		"                               long its previous key stays accepted (default 60)\n"
		"  --hold-missing PCT|off       when one full load from Redis finds at least PCT%%\n"
		"                               of the bound calls without a record (an empty or\n"
		"                               different Redis), keep them forwarding until their\n"
		"                               records return or 'voxrelayctl accept-missing'\n"
		"                               (default 50)\n"
		"  --metrics IPV4:PORT|off      Prometheus metrics at http://IPV4:PORT/metrics\n"
		"                               (default 127.0.0.1:9470)\n"
		"  --metrics-calls              per-call series too (one set per call: mind\n"
		"                               Prometheus's cardinality)\n"
		"  --idle-timeout SEC           a call with no media on either leg for SEC is\n"
		"                               idle in its status (default 60; 0: never)\n"
		"  --final-timeout SEC          ... and ended after SEC: unbound, its record\n"
		"                               removed (default 3600; 0: never)\n"
		"  --keep-ended                 keep the records of calls the final timeout ended\n"
		"  --cdr-maxlen N               end-of-call records kept in PREFIXcdr, about\n"
		"                               (default 100000; 0: to the log only)\n"
		"  --help                       this text\n",
		VR_CTL_DEFAULT_PATH, VR_SHM_DEFAULT_NAME);
}

/*
 * How long a call's stats must stay after its host's last publication:
 * one interval, or with leases a whole takeover (the lease expires, stays
 * free a lease, a round takes it) and a second to spare.
 */
static unsigned int
stats_spare_ms(const struct opts *o)
{
	return o->leases.host[0] != '\0' ? 3 * o->leases.lease_ms + 1000 : o->interval_ms;
}

static int
parse_opts(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "redis", 1, NULL, 'r' }, { "db", 1, NULL, 'd' }, { "user", 1, NULL, 'u' },
		{ "password-file", 1, NULL, 'p' }, { "prefix", 1, NULL, 'P' },
		{ "ctl", 1, NULL, 'c' }, { "shm", 1, NULL, 's' }, { "interval", 1, NULL, 'i' },
		{ "stats-ttl", 1, NULL, 't' }, { "resync", 1, NULL, 'R' }, { "help", 0, NULL, 'h' },
		{ "key-overlap", 1, NULL, 'K' }, { "hold-missing", 1, NULL, 'H' },
		{ "metrics", 1, NULL, 'M' }, { "metrics-calls", 0, NULL, 'C' },
		{ "idle-timeout", 1, NULL, 'I' }, { "final-timeout", 1, NULL, 'F' },
		{ "keep-ended", 0, NULL, 'E' }, { "cdr-maxlen", 1, NULL, 'X' },
		{ "sentinel", 1, NULL, 'S' }, { "master", 1, NULL, 'm' },
		{ "host", 1, NULL, 'o' }, { "own", 1, NULL, 'O' }, { "takeover", 0, NULL, 'T' },
		{ "lease-ms", 1, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	const char *env;
	unsigned long v;
	char *end;
	int opt, idx = 0, direct = 0, own_given = 0;

	memset(o, 0, sizeof(*o));
	vr_redis_cfg_defaults(&o->redis);
	snprintf(o->ctl_path, sizeof(o->ctl_path), "%s", VR_CTL_DEFAULT_PATH);
	snprintf(o->shm_name, sizeof(o->shm_name), "%s", VR_SHM_DEFAULT_NAME);
	o->interval_ms = 1000;
	o->resync_s = 30;
	o->key_overlap_s = 60;
	o->hold_pct = 50;
	o->idle_s = 60;
	o->final_s = 3600;
	o->cdr_maxlen = 100000;
	o->leases.lease_ms = 600;
	snprintf(o->metrics, sizeof(o->metrics), "127.0.0.1:9470");
	if ((env = getenv("VOXRELAY_REDIS_USER")) != NULL)
		snprintf(o->redis.user, sizeof(o->redis.user), "%s", env);
	if ((env = getenv("VOXRELAY_REDIS_PASSWORD")) != NULL)
		snprintf(o->redis.password, sizeof(o->redis.password), "%s", env);
	while ((opt = getopt_long(argc, argv, "", lo, &idx)) != -1) {
		switch (opt) {
		case 'r':
			if (vr_redis_cfg_addr(&o->redis, optarg, err, sizeof(err)) < 0)
				goto bad_msg;
			direct = 1;
			break;
		case 'S':
			if (vr_redis_cfg_sentinels(&o->redis, optarg, err, sizeof(err)) < 0)
				goto bad_msg;
			break;
		case 'o':
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(o->leases.host) ||
					strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						"0123456789._-") != strlen(optarg))
				goto bad;
			strcpy(o->leases.host, optarg);
			break;
		case 'O':
			if (vr_leases_own(&o->leases, optarg, err, sizeof(err)) < 0)
				goto bad_msg;
			own_given = 1;
			break;
		case 'T':
			o->leases.takeover = 1;
			break;
		case 'L':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '\0' || v < 200 || v > 60000)
				goto bad;
			o->leases.lease_ms = (unsigned int)v;
			break;
		case 'm':
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(o->redis.master) ||
					strpbrk(optarg, " \t\r\n") != NULL)
				goto bad;
			strcpy(o->redis.master, optarg);
			break;
		case 'p':
			if (vr_redis_cfg_password_file(&o->redis, optarg, err, sizeof(err)) < 0)
				goto bad_msg;
			break;
		case 'u':
			snprintf(o->redis.user, sizeof(o->redis.user), "%s", optarg);
			break;
		case 'P':
			if (optarg[0] == '\0' || strlen(optarg) >= sizeof(o->redis.prefix) ||
					strpbrk(optarg, "*?[] ") != NULL)
				goto bad;
			strcpy(o->redis.prefix, optarg);
			break;
		case 'c':
			if (strlen(optarg) >= sizeof(o->ctl_path))
				goto bad;
			strcpy(o->ctl_path, optarg);
			break;
		case 's':
			if (optarg[0] != '/' || strlen(optarg) >= sizeof(o->shm_name))
				goto bad;
			strcpy(o->shm_name, optarg);
			break;
		case 'M':
			if (strlen(optarg) >= sizeof(o->metrics))
				goto bad;
			snprintf(o->metrics, sizeof(o->metrics), "%s",
				strcmp(optarg, "off") == 0 ? "" : optarg);
			break;
		case 'C':
			o->metrics_calls = 1;
			break;
		case 'E':
			o->keep_ended = 1;
			break;
		case 'H':
			if (strcmp(optarg, "off") == 0) {
				o->hold_pct = 101;
				break;
			}
			/* fall through - a percentage */
		case 'd':
		case 'i':
		case 't':
		case 'R':
		case 'K':
		case 'I':
		case 'F':
		case 'X':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '\0' ||
					(opt == 'd' && v > 1000) ||
					(opt == 'i' && v != 0 && (v < 100 || v > 60000)) ||
					(opt == 't' && (v < 1 || v > 86400)) ||
					(opt == 'R' && (v < 1 || v > 86400)) ||
					(opt == 'K' && (v < 1 || v > 86400)) ||
					((opt == 'I' || opt == 'F') && v > 30 * 86400ul) ||
					(opt == 'X' && v > 100000000ul) ||
					(opt == 'H' && (v < 1 || v > 100)))
				goto bad;
			switch (opt) {
			case 'd': o->redis.db = (int)v; break;
			case 'i': o->interval_ms = (unsigned int)v; break;
			case 't': o->ttl_s = (int)v; break;
			case 'K': o->key_overlap_s = (unsigned int)v; break;
			case 'R': o->resync_s = (unsigned int)v; break;
			case 'I': o->idle_s = (unsigned int)v; break;
			case 'F': o->final_s = (unsigned int)v; break;
			case 'X': o->cdr_maxlen = (unsigned int)v; break;
			default: o->hold_pct = (unsigned int)v; break;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "voxrelay-control: unknown option or missing value '%s'\n",
				argv[optind - 1]);
			return -1;
		}
		continue;
bad:
		fprintf(stderr, "voxrelay-control: --%s: bad value '%s' (see --help)\n", lo[idx].name,
			optarg);
		return -1;
bad_msg:
		fprintf(stderr, "voxrelay-control: %s\n", err);
		return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "voxrelay-control: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->leases.host[0] == '\0' && (own_given || o->leases.takeover)) {
		fprintf(stderr, "voxrelay-control: --own and --takeover need --host\n");
		return -1;
	}
	if (!own_given)
		o->leases.own_all = 1;
	if (direct && o->redis.n_sentinels > 0) {
		fprintf(stderr, "voxrelay-control: --redis and --sentinel: give one of them (with "
			"--sentinel the primary is whatever the Sentinels say)\n");
		return -1;
	}
	if ((o->redis.n_sentinels > 0) != (o->redis.master[0] != '\0')) {
		fprintf(stderr, "voxrelay-control: --sentinel and --master go together\n");
		return -1;
	}
	if (o->ttl_s == 0) {
		o->ttl_s = (int)(3 * o->interval_ms / 1000) < 3 ? 3 : (int)(3 * o->interval_ms / 1000);
		/* With leases a call's stats also carry its latches to the host that
		 * takes it over: they must outlive a takeover, and an interval more. */
		if (o->leases.host[0] != '\0' && o->ttl_s * 1000u < stats_spare_ms(o) + 2 * o->interval_ms)
			o->ttl_s = (int)((stats_spare_ms(o) + 2 * o->interval_ms + 999) / 1000);
	} else if (o->leases.host[0] != '\0' && o->interval_ms > 0 &&
			o->ttl_s * 1000u < stats_spare_ms(o) + o->interval_ms) {
		fprintf(stderr, "voxrelay-control: warning: --stats-ttl %d s is shorter than a takeover "
			"(%u ms with --lease-ms %u): the host that takes a call over may not find its "
			"latches\n", o->ttl_s, stats_spare_ms(o), o->leases.lease_ms);
	}
	return 0;
}

static void
redis_down(struct control *c, const char *why)
{
	uint64_t max;

	if (c->rc != NULL)
		vr_log(LOG_ERR, "redis lost: %s; the dataplane keeps forwarding, retrying", why);
	if (c->rc != NULL)
		redisFree(c->rc);
	if (c->sc != NULL)
		redisFree(c->sc);
	c->rc = NULL;
	c->sc = NULL;
	c->notify = 0;
	c->health.redis_since_ms = 0;
	/* Redis may come back empty: publish every field again. */
	vr_publish_forget(&c->pub);
	if (c->lost_ms == 0)
		c->lost_ms = vr_mono_ms();
	c->redis_retry_ms = vr_mono_ms() + c->redis_backoff_ms;
	/* Behind Sentinel a new primary is expected within seconds: look often. */
	max = c->o.redis.n_sentinels > 0 ? 500 : 5000;
	c->redis_backoff_ms = c->redis_backoff_ms * 2 > max ? max : c->redis_backoff_ms * 2;
}

/* Status keys of the records in old that are not in cur, into gone. */
static void
vanished(struct control *c, struct vr_model *old, struct vr_map *gone)
{
	static char dummy;
	struct vr_map_slot *s;
	char *key;
	size_t i;
	int t;

	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&old->recs[t], &i)) != NULL) {
			if (vr_map_get(&c->model.recs[t], s->key) != NULL)
				continue;
			key = vr_model_status_key(c->o.redis.prefix, (enum vr_rec_type)t, s->key);
			vr_map_put(gone, key, &dummy);
			free(key);
		}
	}
}

/*
 * The statuses while the dataplane is unreachable: no verdict, and why; of
 * the calls in only, or of the records that have no status yet.
 */
static void
pending(struct control *c, struct vr_map *gone, const struct vr_map *only)
{
	char why[320];

	if (!c->loaded || c->rc == NULL)
		return;
	snprintf(why, sizeof(why), "not programmed: the dataplane %s is unreachable (%s)",
		c->o.ctl_path, c->health.dp_error);
	vr_publish_status(c->rc, c->o.redis.prefix, &c->model, gone, only, why);
}

/*
 * Re-checks the model and brings the dataplane and the statuses in line;
 * deleted: the calls whose delete notifications named (never held), or NULL.
 */
static void
converge(struct control *c, struct vr_map *gone, const struct vr_map *deleted)
{
	if (c->loaded && !c->ds.up)
		pending(c, gone, NULL);
	if (!c->loaded || !c->ds.up)
		return;
	vr_model_resolve(&c->model, &c->ds.view, &c->ds.programmed);
	if (vr_dpsync_apply(&c->ds, &c->model, deleted) < 0) {
		vr_log(LOG_ERR, "dataplane %s lost while programming calls", c->o.ctl_path);
		return;
	}
	/* The end-of-call records of calls unbound: their replies before the statuses'. */
	if (vr_lifecycle_flush(&c->life) < 0)
		redis_down(c, "redis failed writing end-of-call records");
	if (c->rc != NULL)
		vr_publish_status(c->rc, c->o.redis.prefix, &c->model, gone, NULL, NULL);
}

/* As converge, when only the calls in ids changed: touches nothing else. */
static void
converge_calls(struct control *c, char *const *ids, size_t n, struct vr_map *gone)
{
	static char one;
	struct vr_map touched = { 0 };
	size_t i;

	if (c->loaded && !c->ds.up) {
		for (i = 0; i < n; i++)
			vr_map_put(&touched, ids[i], &one);
		pending(c, gone, &touched);
		vr_map_free(&touched);
	}
	if (!c->loaded || !c->ds.up)
		return;
	vr_model_resolve_calls(&c->model, &c->ds.view, ids, n, &touched);
	if (vr_dpsync_apply_ids(&c->ds, &c->model, &touched) < 0)
		vr_log(LOG_ERR, "dataplane %s lost while programming calls", c->o.ctl_path);
	else if (vr_lifecycle_flush(&c->life) < 0)
		redis_down(c, "redis failed writing end-of-call records");
	else if (c->rc != NULL)
		vr_publish_status(c->rc, c->o.redis.prefix, &c->model, gone, &touched, NULL);
	vr_map_free(&touched);
}

/* A full load from Redis into a fresh model. */
static int
full_load(struct control *c)
{
	struct vr_model old = c->model;
	struct vr_map gone = { 0 };
	char err[256];
	long n;

	memset(&c->model, 0, sizeof(c->model));
	n = vr_redis_load(c->rc, &c->o.redis, &c->model, err, sizeof(err));
	/* Just started: which SBC held each tunnel id is only in the statuses. */
	if (n >= 0 && !c->loaded && vr_redis_load_held(c->rc, &c->o.redis, &c->model, err,
			sizeof(err)) < 0)
		n = -1;
	if (n < 0) {
		vr_model_free(&c->model);
		c->model = old;
		redis_down(c, err);
		return -1;
	}
	vanished(c, &old, &gone);
	vr_lifecycle_keep_status(&c->life, &gone);
	vr_model_inherit(&c->model, &old);
	vr_model_free(&old);
	c->loaded = 1;
	c->ds.hold_any = c->after_failover;
	converge(c, &gone, NULL);
	c->ds.hold_any = 0;
	if (c->ds.up)
		c->after_failover = 0;
	vr_map_free(&gone);
	c->resync_at_ms = vr_mono_ms() + c->o.resync_s * 1000ull;
	return 0;
}

/*
 * Sentinel mode: which server the sentinels say is the primary now, into
 * c->o.redis. A primary other than the last one reached is a failover: the
 * next full load holds (never unbinds) the calls it lacks, writes the old
 * primary took that did not reach it. 0, or -1 with err.
 */
static int
locate(struct control *c, char *err, size_t errlen)
{
	char addr[sizeof(c->primary)];

	if (c->o.redis.n_sentinels == 0)
		return 0;
	if (vr_redis_locate(&c->o.redis, err, errlen) < 0)
		return -1;
	snprintf(addr, sizeof(addr), "%s:%d", c->o.redis.host, c->o.redis.port);
	if (c->primary[0] != '\0' && strcmp(addr, c->primary) != 0) {
		vr_log(LOG_WARNING, "redis: the sentinels name %s the primary of '%s' (was %s): "
			"following; calls it lacks are held, not unbound", addr, c->o.redis.master,
			c->primary);
		c->after_failover = 1;
		c->health.redis_failovers++;
	}
	snprintf(c->primary, sizeof(c->primary), "%s", addr);
	return 0;
}

/* Sentinel mode, once a second while connected: a primary the sentinels moved is left. */
static void
check_primary(struct control *c, uint64_t t)
{
	struct vr_redis_cfg probe = c->o.redis;
	char err[1024], addr[sizeof(c->primary)];

	if (c->o.redis.n_sentinels == 0 || c->rc == NULL || t < c->sentinel_check_ms)
		return;
	c->sentinel_check_ms = t + 1000;
	/* No sentinel answering is no news: the primary in use stays. */
	if (vr_redis_locate(&probe, err, sizeof(err)) < 0)
		return;
	snprintf(addr, sizeof(addr), "%s:%d", probe.host, probe.port);
	if (strcmp(addr, c->primary) == 0)
		return;
	snprintf(err, sizeof(err), "the sentinels moved the primary of '%s' from %s to %s",
		c->o.redis.master, c->primary, addr);
	redis_down(c, err);
	c->redis_retry_ms = t;
}

/*
 * Sentinel mode: keeps a subscription to a sentinel's +switch-master (one
 * more attempt a second while there is none); on an announcement for our
 * primary, leaves the one in use and looks for the new one now, not at the
 * next check or retry.
 */
static void
watch_sentinels(struct control *c, uint64_t t, int readable)
{
	char err[1024], addr[300];
	int rc;

	if (c->o.redis.n_sentinels == 0)
		return;
	if (c->watch == NULL) {
		if (t < c->watch_retry_ms)
			return;
		c->watch_retry_ms = t + 1000;
		c->watch = vr_redis_sentinel_watch(&c->o.redis, err, sizeof(err));
		return;
	}
	if (!readable)
		return;
	rc = vr_redis_sentinel_switched(c->watch, &c->o.redis, addr, sizeof(addr));
	if (rc < 0) {
		redisFree(c->watch);
		c->watch = NULL;
		return;
	}
	/* Already there (found by a retry before the announcement came). */
	if (rc == 0 || (c->rc != NULL && strcmp(addr, c->primary) == 0))
		return;
	if (c->rc != NULL)
		redis_down(c, "a sentinel announced a new primary");
	c->redis_backoff_ms = 100;
	c->redis_retry_ms = t;
}

static void
redis_up(struct control *c)
{
	char err[1024];

	if (locate(c, err, sizeof(err)) < 0) {
		if (c->redis_backoff_ms <= 100)
			vr_log(LOG_ERR, "%s; retrying", err);
		redis_down(c, err);
		return;
	}
	c->rc = vr_redis_connect(&c->o.redis, err, sizeof(err));
	if (c->rc == NULL) {
		if (c->redis_backoff_ms <= 100)
			vr_log(LOG_ERR, "%s; retrying", err);
		redis_down(c, err);
		return;
	}
	c->sc = vr_redis_connect(&c->o.redis, err, sizeof(err));
	if (c->sc == NULL) {
		redis_down(c, err);
		return;
	}
	if (vr_redis_enable_notify(c->rc, err, sizeof(err)) < 0)
		vr_log(LOG_WARNING, "could not enable keyspace notifications (%s): unless the "
			"server's notify-keyspace-events has K, h, g and x, changes wait for the "
			"full resync every %u s", err, c->o.resync_s);
	if (vr_redis_subscribe(c->sc, &c->o.redis, err, sizeof(err)) < 0) {
		redis_down(c, err);
		return;
	}
	c->notify = 1;
	c->redis_backoff_ms = 100;
	vr_leases_redis_back(&c->leases);
	c->health.redis_since_ms = vr_unix_ms();
	snprintf(c->health.redis_primary, sizeof(c->health.redis_primary), "%s", c->primary);
	if (c->lost_ms != 0 && c->loaded) {
		c->health.redis_reached_ms = vr_mono_ms() - c->lost_ms;
		vr_log(LOG_INFO, "redis %s reached %llu ms after the connection was lost",
			c->primary[0] ? c->primary : "server",
			(unsigned long long)c->health.redis_reached_ms);
	}
	c->lost_ms = 0;
	vr_log(LOG_INFO, "redis connected%s%s, prefix '%s', db %d", c->o.redis.unix_path[0] ?
		" on " : "", c->o.redis.unix_path, c->o.redis.prefix, c->o.redis.db);
	if (full_load(c) == 0)
		vr_log(LOG_INFO, "loaded %zu extensions, %zu SBCs, %zu calls from redis",
			c->model.recs[VR_REC_EXT].n, c->model.recs[VR_REC_SBC].n,
			c->model.recs[VR_REC_CALL].n);
}

/*
 * Re-reads the keys named by notifications. When only calls changed, only
 * they (and calls waiting for ports they freed) are re-checked and
 * reprogrammed; a change of an extension or an SBC re-checks everything.
 */
static void
apply_events(struct control *c)
{
	struct vr_changes ch;
	struct vr_map gone = { 0 };
	char err[256];

	/* Remember which keys were touched: calls to re-check, deleted records' statuses. */
	vr_changes_take(&ch, &c->dirty);
	if (vr_redis_reload(c->rc, &c->o.redis, &c->model, &c->dirty, err, sizeof(err)) < 0) {
		vr_changes_free(&ch);
		redis_down(c, err);
		return;
	}
	vr_changes_resolve(&ch, &c->model, &gone);
	vr_lifecycle_keep_status(&c->life, &gone);
	if (ch.full)
		converge(c, &gone, &ch.deleted);
	else
		converge_calls(c, ch.ids, ch.n, &gone);
	vr_map_free(&gone);
	vr_changes_free(&ch);
}

/*
 * While calls are held: says so every minute, and ends the hold when an
 * operator accepted the missing records ('voxrelayctl accept-missing' sets
 * PREFIXcontrol:accept_missing to the time it was run, after the hold began).
 */
static void
check_hold(struct control *c, uint64_t t)
{
	redisReply *r;
	char key[96];
	int accept;

	if (c->ds.held.n == 0 || c->rc == NULL || !c->ds.up)
		return;
	if (t >= c->hold_said_ms) {
		if (c->hold_said_ms != 0)
			vr_log(LOG_ERR, "%zu calls still held: their records are missing from Redis "
				"(voxrelayctl accept-missing unbinds them)", c->ds.held.n);
		c->hold_said_ms = t + 60000;
	}
	snprintf(key, sizeof(key), "%scontrol:accept_missing", c->o.redis.prefix);
	r = redisCommand(c->rc, "GET %s", key);
	if (r == NULL) {
		redis_down(c, c->rc->errstr);
		return;
	}
	accept = r->type == REDIS_REPLY_STRING &&
		strtoull(r->str, NULL, 10) >= c->ds.held_since_ms;
	freeReplyObject(r);
	if (!accept)
		return;
	vr_log(LOG_WARNING, "accept-missing: the operator accepts Redis as it is");
	if (vr_dpsync_release(&c->ds) < 0) {
		vr_log(LOG_ERR, "dataplane %s lost while unbinding held calls", c->o.ctl_path);
		return;
	}
	if (vr_lifecycle_flush(&c->life) < 0) {
		redis_down(c, "redis failed writing end-of-call records");
		return;
	}
	freeReplyObject(redisCommand(c->rc, "DEL %s", key));
	c->hold_said_ms = 0;
}

/* With --host: makes the dataplane's active addresses those this host holds. */
static void
addrs_sync(struct control *c)
{
	unsigned int i;

	/* Until a round says what is ours, the dataplane keeps what it has. */
	if (c->leases.host[0] == '\0' || !c->ds.up || !c->leases.known)
		return;
	for (i = 0; i < c->leases.n_addrs; i++) {
		uint64_t bit = 1ull << i;
		struct vr_ctl_addr a = { .ip = c->leases.addrs[i], .active = !!(c->leases.held & bit) };
		char ip[INET_ADDRSTRLEN];

		if (c->addr_sent_ok && !!(c->addr_sent & bit) == a.active)
			continue;
		if (vr_ctl_request(&c->ds.ctl, VR_CTL_ADDR_SET, &a, sizeof(a), NULL, 0, NULL) < 0) {
			inet_ntop(AF_INET, &a.ip, ip, sizeof(ip));
			vr_log(LOG_ERR, "dataplane %s: address %s not made %s: %s", c->o.ctl_path, ip,
				a.active ? "active" : "inactive", c->ds.ctl.error);
			c->addr_sent_ok = 0;
			return;
		}
		c->addr_sent = a.active ? c->addr_sent | bit : c->addr_sent & ~bit;
	}
	c->addr_sent_ok = 1;
}

/*
 * The latches another host recorded (its last stats of each call) for the
 * calls this host is about to bind on the addresses in gained, into
 * c->ds.restore: media from those peers is relayed from the first packet.
 * A call whose record says nothing usable learns, as at any bind.
 */
static void
latches_read(struct control *c, uint64_t gained)
{
	static const char *const f[2][4] = {
		{ "a_peer", "a_ssrc", "a_seq", "a_rtcp_peer" },
		{ "b_peer", "b_ssrc", "b_seq", "b_rtcp_peer" },
	};
	struct vr_map_slot *s;
	struct vr_rec **todo;
	size_t i = 0, n = 0, k;
	unsigned int a, l, got = 0;

	todo = malloc(sizeof(*todo) * (c->model.recs[VR_REC_CALL].n + 1));
	if (todo == NULL)
		abort();
	while ((s = vr_map_next(&c->model.recs[VR_REC_CALL], &i)) != NULL) {
		struct vr_rec *r = s->val;
		int mine = 0;

		if (!r->ok || vr_map_get(&c->ds.programmed, s->key) != NULL)
			continue;
		for (l = 0; l < 2; l++)
			for (a = 0; a < c->leases.n_addrs; a++)
				if ((gained >> a & 1) && r->def.leg[l].addr == c->leases.addrs[a])
					mine = 1;
		if (mine)
			todo[n++] = r;
	}
	for (k = 0; k < n; k++) {
		char key[192];
		const char *argv[10];

		snprintf(key, sizeof(key), "%sstats:call:%s", c->o.redis.prefix, todo[k]->def.id);
		argv[0] = "HMGET";
		argv[1] = key;
		for (l = 0; l < 8; l++)
			argv[2 + l] = f[l / 4][l % 4];
		vr_resp_append(c->rc, 10, argv);
	}
	for (k = 0; k < n; k++) {
		struct vr_ctl_call *lt;
		redisReply *r;
		char err[160] = "";
		int any = 0;

		if (redisGetReply(c->rc, (void **)&r) != REDIS_OK) {
			free(todo);
			redis_down(c, c->rc->errstr);
			return;
		}
		lt = calloc(1, sizeof(*lt));
		if (lt == NULL)
			abort();
		*lt = todo[k]->def;
		for (l = 0; r->type == REDIS_REPLY_ARRAY && r->elements == 8 && l < 2; l++) {
			const char *v[4];
			unsigned int j;

			for (j = 0; j < 4; j++)
				v[j] = r->element[l * 4 + j]->type == REDIS_REPLY_STRING ?
					r->element[l * 4 + j]->str : NULL;
			if (vr_schema_latch(v[0], v[1], v[2], v[3], &lt->leg[l], err, sizeof(err)) == 0)
				any = 1;
		}
		if (!any && k - got < 5)
			vr_log(LOG_INFO, "call %s: no latch restored (%s)", todo[k]->def.id,
				r->type == REDIS_REPLY_ARRAY ? err : "unexpected reply");
		freeReplyObject(r);
		if (any) {
			free(vr_map_put(&c->ds.restore, todo[k]->def.id, lt));
			got++;
		} else {
			free(lt);
		}
	}
	if (n > 0)
		vr_log(LOG_INFO, "latches recorded by the previous holder: %u of %zu calls", got, n);
	free(todo);
}

/* Empties c->ds.restore. */
static void
latches_forget(struct control *c)
{
	struct vr_map_slot *s;
	size_t i = 0;

	while ((s = vr_map_next(&c->ds.restore, &i)) != NULL)
		free(s->val);
	vr_map_free(&c->ds.restore);
}

/*
 * With --host, each quarter lease: renews, takes and reads the leases. An
 * address lost to another host stops being relayed here at once, then its
 * calls are unbound (they go on there); one taken gets its calls bound,
 * then is made active (and announced).
 */
static void
leases_step(struct control *c, uint64_t t)
{
	uint64_t gained, lost;
	unsigned int i;
	int rc;

	if (c->leases.host[0] == '\0' || c->rc == NULL || !c->ds.up || !c->loaded)
		return;
	vr_leases_addrs(&c->leases, c->ds.view.addrs, c->ds.view.n_addrs);
	rc = vr_leases_round(&c->leases, c->rc, c->o.redis.prefix, t, &gained, &lost);
	if (rc < 0) {
		redis_down(c, c->rc->errstr[0] ? c->rc->errstr : "lease round failed");
		return;
	}
	for (i = 0; i < c->leases.n_addrs; i++) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->leases.addrs[i], ip, sizeof(ip));
		if (lost >> i & 1)
			vr_log(LOG_ERR, "address %s: its lease is '%s' now, not ours (host %s): "
				"fenced, no longer relayed here; its calls go on there", ip,
				c->leases.holder[i], c->leases.host);
		if (gained >> i & 1)
			vr_log(LOG_WARNING, "address %s: lease taken by host %s (epoch %llu): binding "
				"its calls and announcing it", ip, c->leases.host,
				(unsigned long long)c->leases.epoch[i]);
	}
	if (lost != 0) {
		addrs_sync(c);
		converge(c, NULL, NULL);
	}
	if (gained != 0) {
		latches_read(c, gained);
		if (c->rc != NULL)
			converge(c, NULL, NULL);
		latches_forget(c);
	}
	addrs_sync(c);
}

/* Appends an item to the comma-separated list at buf (len bytes, *at used so far). */
static void
list_add(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
list_add(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;

	/* Room for the comma and a NUL, or the list stays as it is (cut). */
	if (*at + 1 >= len)
		return;
	if (*at > 0)
		buf[(*at)++] = ',';
	va_start(ap, fmt);
	*at += (size_t)vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
}

/*
 * With --host: PREFIXstats:host:ID, what this host holds and what it sees,
 * and the estate's PREFIXstats:summary, who relays each address (every host
 * writes the same, as the leases say).
 */
static void
host_publish(struct control *c)
{
	char key[160], skey[160], held[VR_LEASE_ADDRS * 17], others[VR_LEASE_ADDRS * 100];
	char owners[VR_LEASE_ADDRS * 90];
	char calls[24], taken[24], fenced[24], lease[24], now[24], fwd_s[24], pps_s[24];
	size_t hl = 0, ol = 0, wl = 0;
	unsigned int i;
	redisReply *r;
	uint64_t t = vr_mono_ms(), fwd;

	if (c->leases.host[0] == '\0' || c->rc == NULL)
		return;
	/* Its traffic: packets relayed, and the rate since the last write. */
	fwd = c->shm.hdr != NULL ? vr_shm_sum(c->shm.hdr, VR_GC_FWD_PKTS, 0) : 0;
	vr_u64_dec(fwd_s, fwd);
	vr_u64_dec(pps_s, c->host_pub_ms != 0 && t > c->host_pub_ms && fwd >= c->host_pub_fwd ?
		(fwd - c->host_pub_fwd) * 1000 / (t - c->host_pub_ms) : 0);
	c->host_pub_ms = t;
	c->host_pub_fwd = fwd;
	held[0] = others[0] = owners[0] = '\0';
	for (i = 0; i < c->leases.n_addrs; i++) {
		const char *who = c->leases.holder[i][0] ? c->leases.holder[i] : "free";
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->leases.addrs[i], ip, sizeof(ip));
		if (c->leases.held >> i & 1) {
			list_add(held, sizeof(held), &hl, "%s", ip);
			list_add(owners, sizeof(owners), &wl, "%s=%s", ip, c->leases.host);
		} else {
			list_add(others, sizeof(others), &ol, "%s=%s", ip, who);
			/* The holder's id, without its epoch. */
			list_add(owners, sizeof(owners), &wl, "%s=%.*s", ip,
				(int)strcspn(who, " "), who);
		}
	}
	snprintf(key, sizeof(key), "%sstats:host:%s", c->o.redis.prefix, c->leases.host);
	snprintf(skey, sizeof(skey), "%sstats:summary", c->o.redis.prefix);
	vr_u64_dec(calls, c->ds.programmed.n);
	vr_u64_dec(taken, c->leases.taken);
	vr_u64_dec(fenced, c->leases.fenced);
	vr_u64_dec(lease, c->leases.lease_ms);
	vr_u64_dec(now, vr_unix_ms());
	{
		const char *hargv[] = { "HSET", key, "addrs", held, "others", others,
			"calls", calls, "leases_taken", taken, "leases_fenced", fenced,
			"lease_ms", lease, "updated_ms", now,
			"state", !c->ds.up ? "dataplane_unreachable" :
				c->leases.held != 0 ? "relaying" : "standby",
			"fwd_pkts", fwd_s, "pps", pps_s };
		const char *sargv[] = { "HSET", skey, "owners", owners, "updated_ms", now };

		vr_resp_append(c->rc, (int)(sizeof(hargv) / sizeof(hargv[0])), hargv);
		redisAppendCommand(c->rc, "EXPIRE %s %d", key, c->o.ttl_s);
		vr_resp_append(c->rc, (int)(sizeof(sargv) / sizeof(sargv[0])), sargv);
		redisAppendCommand(c->rc, "EXPIRE %s %d", skey, c->o.ttl_s);
	}
	for (i = 0; i < 4; i++) {
		if (redisGetReply(c->rc, (void **)&r) != REDIS_OK) {
			redis_down(c, c->rc->errstr);
			return;
		}
		freeReplyObject(r);
	}
}

/* Idle and final timeouts: ends the calls silent for too long. */
static void
check_lifecycle(struct control *c)
{
	struct vr_map ending = { 0 };
	struct vr_map_slot *s;
	char **ids;
	size_t i = 0, n = 0;

	if (!c->loaded || !c->ds.up || c->shm.hdr == NULL)
		return;
	vr_lifecycle_scan(&c->life, &c->shm, &c->model, &ending);
	if (ending.n > 0) {
		ids = malloc(sizeof(*ids) * ending.n);
		if (ids == NULL)
			abort();
		while ((s = vr_map_next(&ending, &i)) != NULL)
			ids[n++] = s->key;
		converge_calls(c, ids, n, NULL);
		free(ids);
		vr_lifecycle_ended(&c->life, &ending);
	}
	vr_map_free(&ending);
	if (vr_lifecycle_flush(&c->life) < 0)
		redis_down(c, "redis failed writing call statuses");
}

/* Checks on the dataplane: reconnects, and reprograms after a restart. */
/*
 * With --host: an address this host holds that the dataplane made inactive
 * (it yielded to another host's gratuitous ARP for it): the next lease
 * round, now, says whether it is still ours; if so it is made active and
 * announced again, if not its calls are unbound.
 */
static void
yielded(struct control *c, uint64_t active)
{
	uint64_t gone = c->leases.held & c->addr_sent & ~active;
	unsigned int i;

	if (c->leases.host[0] == '\0' || !c->leases.known || !c->addr_sent_ok || gone == 0)
		return;
	for (i = 0; i < c->leases.n_addrs; i++) {
		char ip[INET_ADDRSTRLEN];

		if (!(gone >> i & 1))
			continue;
		inet_ntop(AF_INET, &c->leases.addrs[i], ip, sizeof(ip));
		vr_log(LOG_WARNING, "address %s: the dataplane yielded it to another host's "
			"announcement; asking Redis who holds it", ip);
	}
	c->addr_sent &= ~gone;
	c->leases.next_ms = 0;
}

static void
check_dataplane(struct control *c)
{
	struct vr_ctl_health h;
	char err[256];

	memset(&h, 0, sizeof(h)); /* an older dataplane's reply may be shorter */
	if (c->ds.up) {
		if (vr_ctl_request(&c->ds.ctl, VR_CTL_HEALTH, NULL, 0, &h, sizeof(h), NULL) == 0 &&
				h.boot_id == c->ds.boot_id) {
			vr_health_dp(&c->health, c->o.ctl_path, &h, NULL);
			yielded(c, h.addrs_active);
			return;
		}
		vr_log(LOG_WARNING, "dataplane %s restarted or went away: reprogramming on return",
			c->o.ctl_path);
		vr_dpsync_reset(&c->ds);
		vr_shm_map_close(&c->shm);
		vr_publish_forget(&c->pub);
	}
	if (vr_dpsync_connect(&c->ds, err, sizeof(err)) < 0) {
		vr_health_dp(&c->health, c->o.ctl_path, NULL, err);
		return;
	}
	if (vr_ctl_request(&c->ds.ctl, VR_CTL_HEALTH, NULL, 0, &h, sizeof(h), NULL) == 0)
		vr_health_dp(&c->health, c->o.ctl_path, &h, NULL);
	/* A new dataplane is told which addresses are active before any call. */
	c->addr_sent_ok = 0;
	vr_leases_addrs(&c->leases, c->ds.view.addrs, c->ds.view.n_addrs);
	addrs_sync(c);
	memcpy(c->pub.srtp_engine, c->ds.srtp_engine, sizeof(c->pub.srtp_engine));
	memcpy(c->pub.crypto_dev, c->ds.crypto_dev, sizeof(c->pub.crypto_dev));
	if (vr_shm_map_open(&c->shm, c->o.shm_name, err, sizeof(err)) < 0)
		vr_log(LOG_WARNING, "%s: stats will not be published until it appears", err);
	vr_log(LOG_INFO, "dataplane %s up (boot id %016llx), %zu calls bound", c->o.ctl_path,
		(unsigned long long)c->ds.boot_id, c->ds.programmed.n);
	converge(c, NULL, NULL);
}

int
main(int argc, char **argv)
{
	static struct control c;
	uint64_t t;
	int rc;

	if (parse_opts(&c.o, argc, argv) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	snprintf(c.ds.path, sizeof(c.ds.path), "%s", c.o.ctl_path);
	c.leases = c.o.leases;
	c.ds.leases = c.leases.host[0] != '\0' ? &c.leases : NULL;
	c.ds.ctl.fd = -1;
	c.ds.key_overlap_ms = c.o.key_overlap_s * 1000;
	c.ds.hold_pct = c.o.hold_pct;
	c.health.started_ms = vr_unix_ms();
	c.life.idle_s = c.o.idle_s;
	c.life.final_s = c.o.final_s;
	c.life.keep_ended = c.o.keep_ended;
	c.life.cdr_maxlen = c.o.cdr_maxlen;
	c.life.prefix = c.o.redis.prefix;
	c.life.rc = &c.rc;
	c.ds.on_end = vr_lifecycle_cdr;
	c.ds.on_end_arg = &c.life;
	c.redis_backoff_ms = 100;
	snprintf(c.pub.prefix, sizeof(c.pub.prefix), "%s", c.o.redis.prefix);
	snprintf(c.pub.own_prefix, sizeof(c.pub.own_prefix), "%s%s%s%s", c.o.redis.prefix,
		c.leases.host[0] ? "host:" : "", c.leases.host, c.leases.host[0] ? ":" : "");
	c.pub.ttl_s = c.o.ttl_s;
	/* Refresh a call's TTL so that it always has stats_spare_ms() left. */
	c.pub.ttl_every = c.o.interval_ms > 0 &&
		(unsigned int)c.o.ttl_s * 1000 > stats_spare_ms(&c.o) + c.o.interval_ms ?
		((unsigned int)c.o.ttl_s * 1000 - stats_spare_ms(&c.o)) / c.o.interval_ms : 1;
	c.metrics.fd = -1;
	if (c.o.metrics[0] != '\0') {
		char err[160];

		if (vr_metrics_start(&c.metrics, c.o.metrics, err, sizeof(err)) < 0) {
			fprintf(stderr, "voxrelay-control: %s\n", err);
			return 2;
		}
		c.metrics.src = (struct vr_metrics_src){ &c.health, &c.shm, &c.model, &c.pub, 0,
			c.o.metrics_calls };
	}
	vr_log(LOG_INFO, "starting: dataplane %s, stats every %u ms (TTL %d s), resync every %u s, "
		"metrics %s%s", c.o.ctl_path, c.o.interval_ms, c.o.ttl_s, c.o.resync_s,
		c.o.metrics[0] ? "http://" : "off", c.o.metrics);
	while (!quit) {
		struct pollfd pfd[3] = {
			{ .fd = c.sc != NULL ? c.sc->fd : -1, .events = POLLIN },
			{ .fd = c.metrics.fd, .events = POLLIN },
			{ .fd = c.watch != NULL ? c.watch->fd : -1, .events = POLLIN },
		};
		int ready;

		t = vr_mono_ms();
		if (t >= c.dp_check_ms) {
			check_dataplane(&c);
			c.dp_check_ms = t + 200;
		}
		/* Health every interval, and every second when stats are off. */
		if (c.rc != NULL && t >= c.health_at_ms) {
			c.health_at_ms = t + (c.o.interval_ms > 0 ? c.o.interval_ms : 1000);
			vr_health_sample(&c.health, &c.shm, &c.ds, &c.model);
			if (vr_health_publish(&c.health, c.rc, c.pub.own_prefix, c.o.ttl_s) < 0)
				redis_down(&c, c.rc->errstr);
			else
				host_publish(&c);
		}
		if (t >= c.life_at_ms) {
			check_lifecycle(&c);
			c.life_at_ms = t + 1000;
		}
		check_primary(&c, t);
		leases_step(&c, t);
		if (t >= c.hold_check_ms) {
			check_hold(&c, t);
			c.hold_check_ms = t + 500;
		}
		if (c.rc == NULL && t >= c.redis_retry_ms)
			redis_up(&c);
		if (c.rc != NULL && t >= c.resync_at_ms)
			full_load(&c);
		/* A publication goes in steps of PUBLISH_STEP calls, events served between. */
		if (c.rc != NULL && c.shm.hdr != NULL && c.o.interval_ms > 0 &&
				(c.pub.in_pass || t >= c.stats_at_ms)) {
			if (!c.pub.in_pass)
				c.stats_at_ms = t + c.o.interval_ms;
			c.pub.held_calls = c.ds.held.n;
			c.pub.held_since_ms = c.ds.held_since_ms;
			rc = vr_publish_step(&c.pub, c.rc, &c.shm, &c.model, PUBLISH_STEP);
			if (rc < 0)
				redis_down(&c, c.rc->errstr);
			else if (rc > 0 && c.pub.last_cost_ms > c.o.interval_ms)
				vr_log(LOG_WARNING, "publishing stats took %llu ms, more than the %u ms "
					"interval", (unsigned long long)c.pub.last_cost_ms,
					c.o.interval_ms);
		}
		ready = poll(pfd, 3, c.pub.in_pass ? 0 : 20);
		watch_sentinels(&c, vr_mono_ms(), ready > 0 &&
			(pfd[2].revents & (POLLIN | POLLERR | POLLHUP)));
		if (ready > 0 && c.sc != NULL &&
				(pfd[0].revents & (POLLIN | POLLERR | POLLHUP))) {
			if (vr_redis_drain_events(c.sc, &c.o.redis, &c.dirty) < 0)
				redis_down(&c, c.sc->errstr[0] ? c.sc->errstr : "subscription closed");
		}
		/* A scrape reads control's state as it is between two events. */
		c.metrics.src.redis_up = c.rc != NULL;
		vr_metrics_run(&c.metrics);
		if (c.rc != NULL && c.dirty.n > 0)
			apply_events(&c);
	}
	vr_log(LOG_INFO, "stopping; the dataplane keeps its calls");
	vr_metrics_stop(&c.metrics);
	if (c.rc != NULL)
		redisFree(c.rc);
	if (c.sc != NULL)
		redisFree(c.sc);
	if (c.watch != NULL)
		redisFree(c.watch);
	vr_dpsync_reset(&c.ds);
	vr_shm_map_close(&c.shm);
	vr_model_free(&c.model);
	vr_map_free(&c.dirty);
	vr_publish_forget(&c.pub);
	return 0;
}
