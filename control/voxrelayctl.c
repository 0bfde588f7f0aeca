/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * voxrelayctl: the operator's command line for voxrelay-dp. Speaks the control
 * channel (ctl_client.c), prints human-readable text or, with --json, one JSON
 * document for scripts. Exits 0 on success, 1 when the dataplane refused or
 * failed the request, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "voxrelay/counters.h"
#include "voxrelay/ctl.h"
#include "voxrelay/shm.h"

#include "clock.h"
#include "ctl_client.h"
#include "model.h"
#include "redis_sync.h"

static int json;

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: voxrelayctl [-s SOCKET] [--json] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  health                       dataplane status\n"
		"  stats                        global counters and drops by reason\n"
		"  list                         bound calls\n"
		"  show CALL                    one call's per-flow counters\n"
		"  add CALL LEG_A LEG_B [--learn-window SEC] [--clock-rate HZ]\n"
		"                               bind a call\n"
		"  mod CALL LEG_A LEG_B [...]   rebind a call (same ports keep counters and latches)\n"
		"  del CALL                     unbind a call\n"
		"  addr IP on|off               make a relay address active (announced with\n"
		"                               gratuitous ARP) or inactive (another host's)\n"
		"  plan SITE [--redis HOST:PORT|unix:PATH] [--db N] [--prefix P]\n"
		"            [--password-file F]  the port forwards SITE's firewall needs,\n"
		"                               from the extensions in Redis\n"
		"  accept-missing [--redis ...]  unbind the calls voxrelay-control holds because\n"
		"                               their records went missing from Redis at once\n"
		"\n"
		"LEG: RELAY_ADDR:RTP_PORT[,peer=IP[:LO[-HI]]]\n"
		"  RTP_PORT is even; RTCP uses RTP_PORT + 1. peer= restricts the leg to that\n"
		"  address (and source ports LO-HI): packets from elsewhere are dropped.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default %s)\n"
		"  -j, --json          JSON output\n"
		"  -h, --help          this text\n",
		VR_CTL_DEFAULT_PATH);
}

static const char *
ip_str(uint32_t ip, char *buf)
{
	return inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

/* A leg for people: ADDR:PORT, or SBC tunnel id and channel for a tunnel leg. */
static void
leg_str(const struct vr_ctl_leg *l, char *out, size_t cap)
{
	char a[INET_ADDRSTRLEN];

	if (l->flags & VR_CTL_LEG_F_TUNNEL)
		snprintf(out, cap, "sbc%u/ch%u", l->sbc_id, l->channel);
	else
		snprintf(out, cap, "%s:%u", ip_str(l->addr, a), l->port);
}

static const char *
latch_str(unsigned int l)
{
	return l == VR_LATCH_LATCHED ? "latched" : l == VR_LATCH_EXPIRED ? "expired" : "learning";
}

/* Prints j (which it frees) as one line of compact JSON. */
static int
emit(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (s == NULL) {
		fprintf(stderr, "voxrelayctl: could not write the JSON (out of memory, or a "
			"value that is not UTF-8)\n");
		return -ENOMEM;
	}
	puts(s);
	free(s);
	return 0;
}

static json_t *
u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static int
cmd_health(struct vr_ctl_client *c)
{
	struct vr_ctl_health h;
	char a[INET_ADDRSTRLEN];
	unsigned int i;
	int rc;

	memset(&h, 0, sizeof(h)); /* an older dataplane's reply may be shorter */
	rc = vr_ctl_request(c, VR_CTL_HEALTH, NULL, 0, &h, sizeof(h), NULL);
	if (rc < 0)
		return rc;
	h.srtp_engine[sizeof(h.srtp_engine) - 1] = '\0';
	h.crypto_dev[sizeof(h.crypto_dev) - 1] = '\0';
	h.shm_name[sizeof(h.shm_name) - 1] = '\0';
	if (json) {
		char boot[20], epoch[16];
		json_t *o, *addrs = json_array(), *active = json_array();

		snprintf(boot, sizeof(boot), "%016llx", (unsigned long long)h.boot_id);
		snprintf(epoch, sizeof(epoch), "%012llx", (unsigned long long)h.tunnel_epoch);
		for (i = 0; i < h.n_addrs && i < 64; i++) {
			json_array_append_new(addrs, json_string(ip_str(h.addrs[i], a)));
			if (h.addrs_active >> i & 1)
				json_array_append_new(active, json_string(ip_str(h.addrs[i], a)));
		}
		o = json_pack("{s:s,s:o,s:i,s:i,s:i,s:b,s:b,s:i,s:i,s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
			"boot_id", boot, "uptime_ms", u64(h.uptime_ms), "workers", (int)h.n_workers,
			"calls", (int)h.n_calls, "max_calls", (int)h.max_calls, "link_up", (int)h.link_up,
			"gateway_resolved", (int)h.neigh_resolved, "port_lo", (int)h.port_lo,
			"port_hi", (int)h.port_hi, "shm", h.shm_name, "tsc_hz", u64(h.tsc_hz),
			"srtp_engine", h.srtp_engine, "crypto_dev", h.crypto_dev,
			"tunnel_epoch", epoch, "addrs", addrs, "addrs_active", active,
			"loop_pause_max_us", u64(h.loop_pause_max_ns / 1000),
			"loop_pause_recent_us", u64(h.loop_pause_recent_ns / 1000),
			"loop_busy_max_us", u64(h.loop_busy_max_ns / 1000),
			"loop_busy_recent_us", u64(h.loop_busy_recent_ns / 1000));
		return emit(o);
	}
	printf("uptime         %llu.%03llu s (boot id %016llx)\n",
		(unsigned long long)h.uptime_ms / 1000, (unsigned long long)h.uptime_ms % 1000,
		(unsigned long long)h.boot_id);
	printf("link           %s\n", h.link_up ? "up" : "DOWN");
	printf("gateway        %s\n", h.neigh_resolved ? "resolved" : "UNRESOLVED");
	printf("workers        %u\n", h.n_workers);
	printf("calls          %u of %u\n", h.n_calls, h.max_calls);
	printf("main loop      longest pass %.3f ms since start, %.3f ms lately (CPU %.3f, %.3f)\n",
		(double)h.loop_pause_max_ns / 1e6, (double)h.loop_pause_recent_ns / 1e6,
		(double)h.loop_busy_max_ns / 1e6, (double)h.loop_busy_recent_ns / 1e6);
	if (h.srtp_engine[0] != '\0')
		printf("tunnel SRTP    %s%s%s%s\n", h.srtp_engine, h.crypto_dev[0] ? " (" : "",
			h.crypto_dev, h.crypto_dev[0] ? ")" : "");
	if (h.tunnel_epoch != 0)
		printf("tunnel epoch   %012llx\n", (unsigned long long)h.tunnel_epoch);
	printf("relay ports    %u-%u on", h.port_lo, h.port_hi);
	for (i = 0; i < h.n_addrs && i < 64; i++)
		printf(" %s%s", ip_str(h.addrs[i], a), h.addrs_active >> i & 1 ? "" : " (inactive)");
	printf("\nstats shm      %s\n", h.shm_name);
	return 0;
}

static int
cmd_stats(struct vr_ctl_client *c)
{
	struct vr_ctl_stats s;
	unsigned int i, any = 0;
	int rc;

	rc = vr_ctl_request(c, VR_CTL_STATS, NULL, 0, &s, sizeof(s), NULL);
	if (rc < 0)
		return rc;
	if (json) {
		json_t *o = json_object(), *d = json_object();

		for (i = 0; i < VR_GC_MAX; i++)
			json_object_set_new(o, vr_global_counter_name(i), u64(s.c[i]));
		for (i = 0; i < VR_DROP_MAX; i++)
			json_object_set_new(d, vr_drop_name(i), u64(s.drops[i]));
		json_object_set_new(o, "drops", d);
		return emit(o);
	}
	for (i = 0; i < VR_GC_MAX; i++)
		printf("%-20s %llu\n", vr_global_counter_name(i), (unsigned long long)s.c[i]);
	printf("drops:\n");
	for (i = 0; i < VR_DROP_MAX; i++) {
		if (s.drops[i] == 0)
			continue;
		printf("  %-18s %llu\n", vr_drop_name(i), (unsigned long long)s.drops[i]);
		any = 1;
	}
	if (!any)
		printf("  none\n");
	return 0;
}

static json_t *
leg_json(const struct vr_ctl_leg *l)
{
	char a[INET_ADDRSTRLEN];
	json_t *o = json_pack("{s:s,s:i}", "addr", ip_str(l->addr, a), "port", (int)l->port);

	if (o != NULL && (l->flags & VR_CTL_LEG_F_EXPECT)) {
		json_object_set_new(o, "peer", json_string(ip_str(l->expect_ip, a)));
		json_object_set_new(o, "peer_ports", json_pack("[i,i]", (int)l->expect_lo,
			(int)l->expect_hi));
	}
	if (o != NULL && (l->flags & VR_CTL_LEG_F_TUNNEL)) {
		json_object_set_new(o, "sbc", json_integer(l->sbc_id));
		json_object_set_new(o, "channel", json_integer(l->channel));
	}
	return o;
}

static int
cmd_list(struct vr_ctl_client *c)
{
	static uint8_t buf[VR_CTL_MSG_MAX];
	struct vr_ctl_list_req rq = { .cursor = 0, .max = VR_CTL_LIST_MAX };
	struct vr_ctl_list *l = (struct vr_ctl_list *)buf;
	unsigned int i, n = 0;
	json_t *all = json ? json_array() : NULL;
	int rc;

	if (!json)
		printf("%-24s %-22s %-22s %-9s %-9s %s\n", "CALL", "LEG A", "LEG B", "A", "B",
			"PKTS A>B/B>A");
	do {
		rc = vr_ctl_request(c, VR_CTL_CALL_LIST, &rq, sizeof(rq), buf, sizeof(buf), NULL);
		if (rc < 0) {
			json_decref(all);
			return rc;
		}
		for (i = 0; i < l->n; i++, n++) {
			const struct vr_ctl_call_brief *e = &l->calls[i];
			char la[40], lb[40];

			if (json) {
				json_t *j = json_pack("{s:s,s:i,s:[o,o],s:[b,b],s:[s,s,s,s],"
					"s:[o,o,o,o]}", "id", e->call.id, "owner", (int)e->owner,
					"legs", leg_json(&e->call.leg[0]), leg_json(&e->call.leg[1]),
					"idle", (int)e->idle[0], (int)e->idle[1],
					"latch", latch_str(e->latch[0]), latch_str(e->latch[1]),
					latch_str(e->latch[2]), latch_str(e->latch[3]),
					"pkts", u64(e->pkts[0]), u64(e->pkts[1]), u64(e->pkts[2]),
					u64(e->pkts[3]));

				if (j == NULL || json_array_append_new(all, j) < 0) {
					json_decref(all);
					return emit(NULL);
				}
				continue;
			}
			leg_str(&e->call.leg[0], la, sizeof(la));
			leg_str(&e->call.leg[1], lb, sizeof(lb));
			printf("%-24s %-22s %-22s %-9s %-9s %llu/%llu\n", e->call.id, la, lb,
				e->idle[0] ? "idle" : latch_str(e->latch[0]),
				e->idle[1] ? "idle" : latch_str(e->latch[2]),
				(unsigned long long)e->pkts[0], (unsigned long long)e->pkts[2]);
		}
		rq.cursor = l->next_cursor;
	} while (rq.cursor != 0);
	if (json)
		return emit(all);
	printf("%u call(s)\n", n);
	return 0;
}

static int
cmd_show(struct vr_ctl_client *c, const char *id)
{
	static const char *const fname[4] = { "a.rtp", "a.rtcp", "b.rtp", "b.rtcp" };
	struct vr_ctl_call_ref ref;
	struct vr_ctl_call_stats s;
	char a[INET_ADDRSTRLEN];
	unsigned int i, k;
	int rc;

	memset(&ref, 0, sizeof(ref));
	snprintf(ref.id, sizeof(ref.id), "%s", id);
	rc = vr_ctl_request(c, VR_CTL_CALL_GET, &ref, sizeof(ref), &s, sizeof(s), NULL);
	if (rc < 0)
		return rc;
	s.call.id[sizeof(s.call.id) - 1] = '\0';
	if (json) {
		json_t *flows = json_object();

		for (i = 0; i < 4; i++) {
			const struct vr_shm_flow *f = &s.flow[i];
			json_t *o, *d = json_object();
			char peer[32];

			snprintf(peer, sizeof(peer), "%s:%u", ip_str(f->peer_ip, a), ntohs(f->peer_port));
			o = json_pack("{s:s,s:s,s:o}", "latch", latch_str(f->latch), "peer", peer,
				"ssrc", u64(f->ssrc));
			for (k = 0; k < VR_FC_MAX; k++)
				json_object_set_new(o, vr_flow_counter_name(k), u64(f->c[k]));
			json_object_set_new(o, "rtp_lost", u64(vr_shm_flow_lost(f)));
			json_object_set_new(o, "jitter", u64(f->jitter));
			json_object_set_new(o, "clock_rate", u64(f->clock_rate));
			json_object_set_new(o, "last_tsc", u64(f->last_tsc));
			for (k = 0; k < VR_DROP_MAX; k++)
				json_object_set_new(d, vr_drop_name(k), u64(f->drops[k]));
			json_object_set_new(o, "drops", d);
			json_object_set_new(flows, fname[i], o);
		}
		return emit(json_pack("{s:s,s:i,s:i,s:o,s:[o,o],s:[b,b],s:o}", "id", s.call.id,
			"slot", (int)s.slot, "owner", (int)s.owner, "bound_unix_ns", u64(s.bound_unix_ns),
			"legs", leg_json(&s.call.leg[0]), leg_json(&s.call.leg[1]),
			"idle", (int)s.idle[0], (int)s.idle[1], "flows", flows));
	}
	printf("call %s (slot %u, lcore %u)\n", s.call.id, s.slot, s.owner);
	for (i = 0; i < 2; i++) {
		const struct vr_ctl_leg *l = &s.call.leg[i];

		char ls[48];

		leg_str(l, ls, sizeof(ls));
		printf("  leg %c: %s%s", 'a' + i, ls, s.idle[i] ? " IDLE" : "");
		if (l->flags & VR_CTL_LEG_F_EXPECT)
			printf(", peer %s ports %u-%u", ip_str(l->expect_ip, a), l->expect_lo,
				l->expect_hi);
		printf("\n");
	}
	for (i = 0; i < 4; i++) {
		const struct vr_shm_flow *f = &s.flow[i];

		printf("  %-7s %-8s peer %s:%u  pkts %llu  bytes %llu", fname[i],
			latch_str(f->latch), ip_str(f->peer_ip, a), ntohs(f->peer_port),
			(unsigned long long)f->c[VR_FC_PKTS], (unsigned long long)f->c[VR_FC_BYTES]);
		if (!(i & 1))
			printf("  lost %llu  dup %llu  reordered %llu  jitter %.2f ms",
				(unsigned long long)vr_shm_flow_lost(f),
				(unsigned long long)f->c[VR_FC_RTP_DUP],
				(unsigned long long)f->c[VR_FC_RTP_REORDERED],
				f->clock_rate ? f->jitter * 1000.0 / f->clock_rate : 0.0);
		printf("\n");
		for (k = 0; k < VR_DROP_MAX; k++)
			if (f->drops[k] != 0)
				printf("          drop %-18s %llu\n", vr_drop_name(k),
					(unsigned long long)f->drops[k]);
	}
	return 0;
}

static int
cmd_bind(struct vr_ctl_client *c, uint16_t type, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "learn-window", required_argument, NULL, 'w' },
		{ "clock-rate", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct vr_ctl_call call;
	char err[VR_CTL_ERR_MAX];
	char *end;
	unsigned long v;
	int opt, i;

	memset(&call, 0, sizeof(call));
	optind = 0; /* 0: glibc re-reads the optstring (main used "+" ordering) */
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'w' && opt != 'r')
			return -EINVAL;
		errno = 0;
		v = strtoul(optarg, &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 || v > 192000) {
			fprintf(stderr, "voxrelayctl: --%s: bad value '%s'\n",
				opt == 'w' ? "learn-window" : "clock-rate", optarg);
			return -EINVAL;
		}
		if (opt == 'w')
			call.learn_window_ms = (uint32_t)v * 1000;
		else
			call.clock_rate = (uint32_t)v;
	}
	if (argc - optind != 3) {
		fprintf(stderr, "voxrelayctl: %s needs CALL LEG_A LEG_B\n", argv[0]);
		return -EINVAL;
	}
	if (strlen(argv[optind]) >= sizeof(call.id)) {
		fprintf(stderr, "voxrelayctl: call id '%s' is longer than %zu bytes\n", argv[optind],
			sizeof(call.id) - 1);
		return -EINVAL;
	}
	strcpy(call.id, argv[optind]);
	for (i = 0; i < 2; i++) {
		if (vr_ctl_parse_leg(argv[optind + 1 + i], &call.leg[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "voxrelayctl: %s\n", err);
			return -EINVAL;
		}
	}
	return vr_ctl_request(c, type, &call, sizeof(call), NULL, 0, NULL);
}

/* addr IP on|off: makes a relay address active or inactive on this dataplane. */
static int
cmd_addr(struct vr_ctl_client *c, const char *ip, const char *state)
{
	struct vr_ctl_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, ip, &a.ip) != 1) {
		fprintf(stderr, "voxrelayctl: addr: '%s' is not an IPv4 address\n", ip);
		return -EINVAL;
	}
	if (strcmp(state, "on") != 0 && strcmp(state, "off") != 0) {
		fprintf(stderr, "voxrelayctl: addr: '%s' is not on or off\n", state);
		return -EINVAL;
	}
	a.active = strcmp(state, "on") == 0;
	return vr_ctl_request(c, VR_CTL_ADDR_SET, &a, sizeof(a), NULL, 0, NULL);
}

static int
cmd_del(struct vr_ctl_client *c, const char *id)
{
	struct vr_ctl_call_ref ref;

	memset(&ref, 0, sizeof(ref));
	snprintf(ref.id, sizeof(ref.id), "%s", id);
	return vr_ctl_request(c, VR_CTL_CALL_DEL, &ref, sizeof(ref), NULL, 0, NULL);
}

/*
 * The Redis options of a command that talks to Redis (plan, accept-missing)
 * into cfg; the arguments left start at optind. 0 or -EINVAL.
 */
static int
redis_opts(int argc, char **argv, const char *cmd, struct vr_redis_cfg *cfg)
{
	static const struct option opts[] = {
		{ "redis", required_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'd' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	const char *env;
	int opt;

	vr_redis_cfg_defaults(cfg);
	if ((env = getenv("VOXRELAY_REDIS_PASSWORD")) != NULL)
		snprintf(cfg->password, sizeof(cfg->password), "%s", env);
	if ((env = getenv("VOXRELAY_REDIS_USER")) != NULL)
		snprintf(cfg->user, sizeof(cfg->user), "%s", env);
	optind = 0; /* 0: glibc re-reads the optstring (main used "+" ordering) */
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'r' && vr_redis_cfg_addr(cfg, optarg, err, sizeof(err)) == 0)
			continue;
		if (opt == 'w' && vr_redis_cfg_password_file(cfg, optarg, err, sizeof(err)) == 0)
			continue;
		if (opt == 'd' && atoi(optarg) >= 0) {
			cfg->db = atoi(optarg);
			continue;
		}
		if (opt == 'p' && optarg[0] != '\0' && strlen(optarg) < sizeof(cfg->prefix)) {
			strcpy(cfg->prefix, optarg);
			continue;
		}
		if (opt == 'r' || opt == 'w')
			fprintf(stderr, "voxrelayctl: %s\n", err);
		else
			fprintf(stderr, "voxrelayctl: %s: bad option or value\n", cmd);
		return -EINVAL;
	}
	return 0;
}

/*
 * Ends voxrelay-control's hold on calls whose records went missing from
 * Redis: they are unbound within a second. Control acts on a time later than
 * the start of its hold, so an old acceptance never ends a new hold.
 */
static int
cmd_accept_missing(int argc, char **argv)
{
	struct vr_redis_cfg cfg;
	redisContext *c;
	redisReply *r;
	char err[256], key[96], now[32];

	if (redis_opts(argc, argv, "accept-missing", &cfg) < 0)
		return -EINVAL;
	if (argc - optind != 0) {
		fprintf(stderr, "voxrelayctl: accept-missing takes no argument\n");
		return -EINVAL;
	}
	c = vr_redis_connect(&cfg, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "voxrelayctl: %s\n", err);
		return -EIO;
	}
	snprintf(now, sizeof(now), "%llu", (unsigned long long)vr_unix_ms());
	snprintf(key, sizeof(key), "%scontrol:accept_missing", cfg.prefix);
	r = redisCommand(c, "SET %s %s EX 3600", key, now);
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "voxrelayctl: redis SET %s: %s\n", key, r != NULL ? r->str : c->errstr);
		if (r != NULL)
			freeReplyObject(r);
		redisFree(c);
		return -EIO;
	}
	freeReplyObject(r);
	redisFree(c);
	printf("accepted: voxrelay-control unbinds the calls it holds (their records are missing "
		"from Redis) within a second; see held_calls in %sstats:summary\n", cfg.prefix);
	return 0;
}

/* Prints SITE's port-forward plan from the extensions in Redis. */
static int
cmd_plan(int argc, char **argv)
{
	struct vr_redis_cfg cfg;
	struct vr_model m;
	struct vr_dp_view none;
	redisContext *c;
	char err[256];
	int n;

	if (redis_opts(argc, argv, "plan", &cfg) < 0)
		return -EINVAL;
	if (argc - optind != 1) {
		fprintf(stderr, "voxrelayctl: plan needs one SITE\n");
		return -EINVAL;
	}
	c = vr_redis_connect(&cfg, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "voxrelayctl: %s\n", err);
		return -EIO;
	}
	memset(&m, 0, sizeof(m));
	if (vr_redis_load(c, &cfg, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "voxrelayctl: %s\n", err);
		redisFree(c);
		return -EIO;
	}
	redisFree(c);
	memset(&none, 0, sizeof(none));
	vr_model_resolve(&m, &none, NULL);
	n = vr_model_plan(&m, argv[optind], stdout);
	vr_model_free(&m);
	if (n < 0) {
		fprintf(stderr, "voxrelayctl: no remote STUN extension at site '%s'\n", argv[optind]);
		return -ENOENT;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("VOXRELAY_CTL") ? getenv("VOXRELAY_CTL") : VR_CTL_DEFAULT_PATH;
	struct vr_ctl_client c;
	const char *cmd;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "plan") == 0 || strcmp(cmd, "accept-missing") == 0) {
		rc = cmd[0] == 'p' ? cmd_plan(argc, argv) : cmd_accept_missing(argc, argv);
		return rc == -EINVAL ? 2 : rc < 0 ? 1 : 0;
	}
	if (strcmp(cmd, "health") != 0 && strcmp(cmd, "stats") != 0 && strcmp(cmd, "list") != 0 &&
			strcmp(cmd, "show") != 0 && strcmp(cmd, "add") != 0 &&
			strcmp(cmd, "mod") != 0 && strcmp(cmd, "del") != 0 && strcmp(cmd, "addr") != 0) {
		fprintf(stderr, "voxrelayctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "addr") == 0 && argc != 3) {
		fprintf(stderr, "voxrelayctl: addr needs an IP and on or off\n");
		return 2;
	}
	if ((strcmp(cmd, "show") == 0 || strcmp(cmd, "del") == 0) && argc != 2) {
		fprintf(stderr, "voxrelayctl: %s needs one CALL\n", cmd);
		return 2;
	}
	if (vr_ctl_connect(&c, path, 5000) < 0) {
		fprintf(stderr, "voxrelayctl: %s\n", c.error);
		return 1;
	}
	if (strcmp(cmd, "health") == 0)
		rc = cmd_health(&c);
	else if (strcmp(cmd, "stats") == 0)
		rc = cmd_stats(&c);
	else if (strcmp(cmd, "list") == 0)
		rc = cmd_list(&c);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(&c, argv[1]);
	else if (strcmp(cmd, "del") == 0)
		rc = cmd_del(&c, argv[1]);
	else if (strcmp(cmd, "addr") == 0)
		rc = cmd_addr(&c, argv[1], argv[2]);
	else
		rc = cmd_bind(&c, strcmp(cmd, "add") == 0 ? VR_CTL_CALL_ADD : VR_CTL_CALL_MOD,
			argc, argv);
	if (rc == -EINVAL && c.error[0] == '\0') {
		vr_ctl_disconnect(&c);
		return 2;
	}
	if (rc < 0)
		fprintf(stderr, "voxrelayctl: %s\n", c.error[0] ? c.error : strerror(-rc));
	vr_ctl_disconnect(&c);
	return rc < 0 ? 1 : 0;
}
