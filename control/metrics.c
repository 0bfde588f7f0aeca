/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics; see metrics.h and docs/metrics.md. Counters come
 * straight from the dataplane's shared memory at scrape time (they restart
 * from 0 with a new boot, which Prometheus's rate() handles); gauges from
 * control's health sample, its model and the last publication pass.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "voxrelay/counters.h"

#include "clock.h"
#include "metrics.h"

/* The global counters, by index: metric name (without _total), unit, or NULL to skip. */
static const struct {
	const char *name, *unit;
} gc_metric[VR_GC_MAX] = {
	[VR_GC_RX_PKTS] = { "voxrelay_received_packets", NULL },
	[VR_GC_RX_BYTES] = { "voxrelay_received_bytes", "bytes" },
	[VR_GC_TX_PKTS] = { "voxrelay_sent_packets", NULL },
	[VR_GC_TX_BYTES] = { "voxrelay_sent_bytes", "bytes" },
	[VR_GC_FWD_PKTS] = { "voxrelay_relayed_packets", NULL },
	[VR_GC_FWD_BYTES] = { "voxrelay_relayed_bytes", "bytes" },
	[VR_GC_ARP_IN] = { "voxrelay_arp_received_packets", NULL },
	[VR_GC_ARP_OUT] = { "voxrelay_arp_sent_packets", NULL },
	[VR_GC_ICMP_ECHO] = { "voxrelay_icmp_echo_answered_packets", NULL },
	[VR_GC_HANDOFF] = { "voxrelay_handoff_packets", NULL },
	[VR_GC_RELATCH] = { "voxrelay_relatches", NULL },
	[VR_GC_BUSY_TSC] = { NULL, NULL },  /* per worker, in seconds */
	[VR_GC_TUN_RX] = { "voxrelay_tunnel_received_packets", NULL },
	[VR_GC_TUN_TX] = { "voxrelay_tunnel_sent_packets", NULL },
};

#define VR_DESC_(e, n, d) d,
static const char *const gc_help[] = { VR_GLOBAL_COUNTERS(VR_DESC_) };
#undef VR_DESC_
_Static_assert(sizeof(gc_help) / sizeof(gc_help[0]) == VR_GC_MAX,
	"every global counter has a metric in gc_metric[]");

/* A scrape's writer: the format, and the family being written. */
struct om {
	FILE *f;
	int om;             /* OpenMetrics, else text 0.0.4 */
	const char *name;
	const char *sfx;    /* of the family's samples: "_total", "_info" or "" */
};

static void
fam(struct om *o, const char *name, const char *type, const char *unit, const char *help)
{
	int ctr = strcmp(type, "counter") == 0, info = strcmp(type, "info") == 0;

	o->name = name;
	o->sfx = ctr ? "_total" : info ? "_info" : "";
	if (o->om) {
		fprintf(o->f, "# TYPE %s %s\n", name, type);
		if (unit != NULL)
			fprintf(o->f, "# UNIT %s %s\n", name, unit);
		fprintf(o->f, "# HELP %s %s\n", name, help);
		return;
	}
	/* Text 0.0.4 names the family as its samples, and has no info type. */
	fprintf(o->f, "# HELP %s%s %s\n", name, o->sfx, help);
	fprintf(o->f, "# TYPE %s%s %s\n", name, o->sfx, info ? "gauge" : type);
}

/* A label value, escaped as both formats want: backslash, quote, newline. */
static void
label(struct om *o, const char *k, const char *v, int first)
{
	fprintf(o->f, "%s%s=\"", first ? "{" : ",", k);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(o->f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", o->f);
		else
			fputc(*v, o->f);
	}
	fputc('"', o->f);
}

/* A sample's name and up to two labels (k2 NULL: one; k1 NULL: none). */
static void
sample(struct om *o, const char *k1, const char *v1, const char *k2, const char *v2)
{
	fprintf(o->f, "%s%s", o->name, o->sfx);
	if (k1 != NULL) {
		label(o, k1, v1, 1);
		if (k2 != NULL)
			label(o, k2, v2, 0);
		fputc('}', o->f);
	}
}

static void
val_u64(struct om *o, const char *k1, const char *v1, const char *k2, const char *v2, uint64_t v)
{
	sample(o, k1, v1, k2, v2);
	fprintf(o->f, " %" PRIu64 "\n", v);
}

static void
val_dbl(struct om *o, const char *k1, const char *v1, const char *k2, const char *v2, double v)
{
	sample(o, k1, v1, k2, v2);
	/* Whole numbers as such: "1", not "1.000000". */
	if (v == (double)(int64_t)v && v < 1e15 && v > -1e15)
		fprintf(o->f, " %" PRId64 "\n", (int64_t)v);
	else
		fprintf(o->f, " %.6f\n", v);
}

/* One gauge family with a single unlabelled sample. */
static void
gauge(struct om *o, const char *name, const char *unit, const char *help, double v)
{
	fam(o, name, "gauge", unit, help);
	val_dbl(o, NULL, NULL, NULL, NULL, v);
}

static const struct vr_shm_lcore *
lcore_row(const struct vr_shm_hdr *h, unsigned int i)
{
	return (const struct vr_shm_lcore *)((const char *)h + h->lcores_off +
		(uint64_t)i * h->lcore_size);
}

/* The dataplane's counters: global, per worker, drops by reason. */
static void
write_counters(struct om *o, const struct vr_shm_hdr *h)
{
	char w[16];
	unsigned int k, i;

	for (k = 0; k < VR_GC_MAX; k++) {
		if (gc_metric[k].name == NULL)
			continue;
		fam(o, gc_metric[k].name, "counter", gc_metric[k].unit, gc_help[k]);
		val_u64(o, NULL, NULL, NULL, NULL, vr_shm_sum(h, k, 0));
	}
	fam(o, "voxrelay_dropped_packets", "counter", NULL,
		"packets dropped, by reason (docs/counters.md)");
	for (k = 0; k < VR_DROP_MAX; k++)
		val_u64(o, "reason", vr_drop_name(k), NULL, NULL, vr_shm_sum(h, k, 1));
	fam(o, "voxrelay_worker_received_packets", "counter", NULL,
		"packets a worker lcore received from its queue");
	for (i = 0; i < h->n_lcores; i++) {
		snprintf(w, sizeof(w), "%u", i);
		val_u64(o, "worker", w, NULL, NULL,
			__atomic_load_n(&lcore_row(h, i)->c[VR_GC_RX_PKTS], __ATOMIC_RELAXED));
	}
	fam(o, "voxrelay_worker_busy_seconds", "counter", "seconds",
		"time a worker lcore spent in loops that had packets: its busy share is the rate");
	for (i = 0; i < h->n_lcores; i++) {
		snprintf(w, sizeof(w), "%u", i);
		val_dbl(o, "worker", w, NULL, NULL, h->tsc_hz == 0 ? 0 :
			(double)__atomic_load_n(&lcore_row(h, i)->c[VR_GC_BUSY_TSC],
				__ATOMIC_RELAXED) / (double)h->tsc_hz);
	}
}

/* Each SBC record: its tunnel as the dataplane sees it, and its calls. */
static void
write_sbcs(struct om *o, const struct vr_metrics_src *src, uint64_t now_ms)
{
	static const char *const name[] = {
		"voxrelay_sbc_online", "voxrelay_sbc_last_hello_timestamp_seconds",
		"voxrelay_sbc_hellos", "voxrelay_sbc_tunnel_received_packets",
		"voxrelay_sbc_tunnel_sent_packets", "voxrelay_sbc_tunnel_received_bytes",
		"voxrelay_sbc_tunnel_sent_bytes", "voxrelay_sbc_tunnel_dropped_packets",
		"voxrelay_sbc_devices", "voxrelay_sbc_calls", "voxrelay_sbc_active_calls",
	};
	static const char *const help[] = {
		"1 while an authenticated hello came within three of its hello intervals (15 s at least)",
		"when its last authenticated hello came (0: none since the dataplane started)",
		"authenticated hellos answered",
		"authenticated packets that came through its tunnel",
		"packets sent into its tunnel",
		"UDP payload bytes that came through its tunnel, authenticated",
		"UDP payload bytes sent into its tunnel",
		"packets from its tunnel dropped, by reason",
		"valid extensions behind it",
		"bound calls with a leg in its tunnel",
		"of those, calls whose legs both had media within the idle timeout",
	};
	/* Each SBC as the dataplane sees it, read once for all the families. */
	struct sbc_seen {
		const char *id;
		const struct vr_pub_agg *a;
		struct vr_shm_sbc row;
		struct vr_shm_sbc_ctr sum;
	} *all;
	const struct vr_shm_hdr *h = src->shm->hdr;
	const struct vr_map *recs = &src->model->recs[VR_REC_SBC];
	struct vr_map_slot *s;
	unsigned int m, k;
	size_t i = 0, n = 0, j;

	all = calloc(recs->n + 1, sizeof(*all));
	if (all == NULL)
		abort();
	while ((s = vr_map_next(recs, &i)) != NULL) {
		const struct vr_rec *r = s->val;

		all[n].id = s->key;
		all[n].a = vr_map_get(&src->pub->last_sbcs, s->key);
		if (h != NULL && r->ok)
			vr_publish_sbc_view(h, r->u.sbc.tunnel_id, &all[n].row, &all[n].sum);
		n++;
	}
	for (m = 0; m < sizeof(name) / sizeof(name[0]); m++) {
		const char *type = m == 0 || m == 1 || m >= 8 ? "gauge" : "counter";

		fam(o, name[m], type, m == 1 ? "seconds" : m == 5 || m == 6 ? "bytes" : NULL, help[m]);
		for (j = 0; j < n; j++) {
			const char *id = all[j].id;
			const struct vr_pub_agg *a = all[j].a;
			const struct vr_shm_sbc *row = &all[j].row;
			const struct vr_shm_sbc_ctr *sum = &all[j].sum;

			switch (m) {
			case 0: val_u64(o, "sbc", id, NULL, NULL,
					(uint64_t)vr_publish_sbc_online(row, now_ms)); break;
			case 1: val_dbl(o, "sbc", id, NULL, NULL,
					(double)row->last_hello_unix_ns / 1e9); break;
			case 2: val_u64(o, "sbc", id, NULL, NULL, row->hellos); break;
			case 3: val_u64(o, "sbc", id, NULL, NULL, sum->rx_pkts); break;
			case 4: val_u64(o, "sbc", id, NULL, NULL, sum->tx_pkts); break;
			case 5: val_u64(o, "sbc", id, NULL, NULL, sum->rx_bytes); break;
			case 6: val_u64(o, "sbc", id, NULL, NULL, sum->tx_bytes); break;
			case 7:
				for (k = 0; k < VR_DROP_MAX; k++)
					val_u64(o, "sbc", id, "reason", vr_drop_name(k), sum->drops[k]);
				break;
			case 8: val_u64(o, "sbc", id, NULL, NULL, a != NULL ? a->devices : 0); break;
			case 9: val_u64(o, "sbc", id, NULL, NULL, a != NULL ? a->calls : 0); break;
			default:
				val_u64(o, "sbc", id, NULL, NULL, a != NULL ? a->active_calls : 0);
				break;
			}
		}
	}
	free(all);
}

/* Each site (of the last publication pass): devices, calls, active calls. */
static void
write_sites(struct om *o, const struct vr_metrics_src *src)
{
	static const char *const name[] = {
		"voxrelay_site_devices", "voxrelay_site_calls", "voxrelay_site_active_calls",
	};
	static const char *const help[] = {
		"valid remote STUN and LAN extensions at the site",
		"bound calls with a phone at the site",
		"of those, calls whose legs both had media within the idle timeout",
	};
	struct vr_map_slot *s;
	unsigned int m;
	size_t i;

	for (m = 0; m < 3; m++) {
		fam(o, name[m], "gauge", NULL, help[m]);
		i = 0;
		while ((s = vr_map_next(&src->pub->last_sites, &i)) != NULL) {
			const struct vr_pub_agg *a = s->val;

			val_u64(o, "site", s->key, NULL, NULL,
				m == 0 ? a->devices : m == 1 ? a->calls : a->active_calls);
		}
	}
}

/* Per call and leg (--metrics-calls only: a series set per call). */
static void
write_calls(struct om *o, const struct vr_shm_map *shm)
{
	static const char *const name[] = {
		"voxrelay_call_packets", "voxrelay_call_bytes", "voxrelay_call_dropped_packets",
		"voxrelay_call_lost_packets", "voxrelay_call_jitter_seconds",
	};
	static const char *const help[] = {
		"RTP and RTCP packets relayed from the leg's phone",
		"bytes relayed from the leg's phone (IP length)",
		"packets to the leg's ports dropped",
		"RTP packets from the leg's phone lost (RFC 3550: expected less received)",
		"interarrival jitter of the leg's RTP (RFC 3550)",
	};
	struct vr_shm_call c;
	unsigned int m, i, leg;

	for (m = 0; m < 5; m++) {
		fam(o, name[m], m < 3 ? "counter" : "gauge", m == 1 ? "bytes" : m == 4 ? "seconds" :
			NULL, help[m]);
		for (i = 0; i < shm->hdr->max_calls; i++) {
			if (!vr_shm_map_read_call(shm, i, &c))
				continue;
			c.id[sizeof(c.id) - 1] = '\0';
			for (leg = 0; leg < 2; leg++) {
				const struct vr_shm_flow *rtp = &c.flow[leg * 2], *rtcp = &c.flow[leg * 2 + 1];
				const char *l = leg == 0 ? "a" : "b";
				uint64_t v = 0;

				switch (m) {
				case 0: v = rtp->c[VR_FC_PKTS] + rtcp->c[VR_FC_PKTS]; break;
				case 1: v = rtp->c[VR_FC_BYTES] + rtcp->c[VR_FC_BYTES]; break;
				case 2: v = vr_shm_flow_drops(rtp) + vr_shm_flow_drops(rtcp); break;
				case 3: v = vr_shm_flow_lost(rtp); break;
				default:
					val_dbl(o, "call", c.id, "leg", l, rtp->clock_rate == 0 ? 0 :
						(double)rtp->jitter / (double)rtp->clock_rate);
					continue;
				}
				val_u64(o, "call", c.id, "leg", l, v);
			}
		}
	}
}

void
vr_metrics_write(FILE *f, const struct vr_metrics_src *src, int openmetrics)
{
	static const char *const states[] = { "ok", "kept", "rejected" };
	static const char *const types[] = { "ext", "sbc", "call" };
	const struct vr_health *hl = src->health;
	const struct vr_shm_hdr *h = src->shm->hdr;
	struct om o = { f, openmetrics, "", "" };
	uint64_t n[VR_REC_TYPES][3] = { { 0 } };
	struct vr_map_slot *s;
	char boot[20], epoch[16];
	unsigned int t, k;
	size_t i;

	gauge(&o, "voxrelay_dataplane_up", NULL, "1 while voxrelay-dp answers on its control socket",
		hl->dp_up);
	gauge(&o, "voxrelay_link_up", NULL, "1 while the dataplane's port reports link up",
		hl->dp_up && hl->h.link_up);
	gauge(&o, "voxrelay_gateway_resolved", NULL, "1 while the gateway's MAC address is known",
		hl->dp_up && hl->h.neigh_resolved);
	gauge(&o, "voxrelay_dataplane_start_time_seconds", "seconds",
		"when the dataplane started (its counters restart from 0 then)",
		h != NULL ? (double)h->start_unix_ns / 1e9 : 0);
	fam(&o, "voxrelay_dataplane", "info", NULL,
		"the dataplane's boot id (new at every start), SRTP engine and crypto device");
	snprintf(boot, sizeof(boot), "%016" PRIx64, hl->h.boot_id);
	snprintf(epoch, sizeof(epoch), "%012" PRIx64, hl->h.tunnel_epoch);
	fprintf(f, "voxrelay_dataplane_info");
	label(&o, "boot_id", boot, 1);
	label(&o, "srtp_engine", hl->h.srtp_engine, 0);
	label(&o, "crypto_dev", hl->h.crypto_dev, 0);
	label(&o, "tunnel_epoch", epoch, 0);
	fprintf(f, "} 1\n");
	gauge(&o, "voxrelay_calls", NULL, "calls bound in the dataplane", hl->h.n_calls);
	gauge(&o, "voxrelay_calls_max", NULL, "calls the dataplane can hold (--max-calls)",
		hl->h.max_calls);
	gauge(&o, "voxrelay_active_calls", NULL,
		"bound calls whose legs both had media within the idle timeout (last publication)",
		(double)src->pub->last_active);
	gauge(&o, "voxrelay_workers", NULL, "worker lcores", hl->h.n_workers);
	gauge(&o, "voxrelay_redis_up", NULL, "1 while voxrelay-control is connected to Redis",
		src->redis_up);
	gauge(&o, "voxrelay_control_start_time_seconds", "seconds", "when voxrelay-control started",
		(double)hl->started_ms / 1000.0);
	gauge(&o, "voxrelay_held_calls", NULL,
		"calls kept bound while their records are missing from Redis", (double)hl->held_calls);
	gauge(&o, "voxrelay_stats_publish_duration_seconds", "seconds",
		"how long the last publication of the stats to Redis took",
		(double)src->pub->last_cost_ms / 1000.0);
	for (t = 0; t < VR_REC_TYPES; t++) {
		i = 0;
		while ((s = vr_map_next(&src->model->recs[t], &i)) != NULL) {
			const struct vr_rec *r = s->val;

			n[t][!r->ok ? 2 : r->kept ? 1 : 0]++;
		}
	}
	fam(&o, "voxrelay_records", "gauge", NULL,
		"records in Redis by type and verdict: ok, kept (an update refused, the last good "
		"version in force) or rejected");
	for (t = 0; t < VR_REC_TYPES; t++)
		for (k = 0; k < 3; k++)
			val_u64(&o, "type", types[t], "state", states[k], n[t][k]);
	if (h != NULL) {
		write_counters(&o, h);
		if (src->per_call)
			write_calls(&o, src->shm);
	}
	write_sbcs(&o, src, vr_unix_ms());
	write_sites(&o, src);
	if (openmetrics)
		fputs("# EOF\n", f);
}

static enum MHD_Result
serve(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct vr_metrics *m = cls;
	struct MHD_Response *resp;
	const char *accept, *ctype;
	enum MHD_Result ret;
	char *buf = NULL;
	size_t len = 0;
	unsigned int code = MHD_HTTP_OK;
	int om;
	FILE *f;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	om = accept != NULL && strstr(accept, "application/openmetrics-text") != NULL;
	ctype = om ? "application/openmetrics-text; version=1.0.0; charset=utf-8" :
		"text/plain; version=0.0.4; charset=utf-8";
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
		ctype = "text/plain";
		fprintf(f, "only GET /metrics\n");
	} else if (strcmp(url, "/metrics") != 0) {
		code = MHD_HTTP_NOT_FOUND;
		ctype = "text/plain";
		fprintf(f, "voxrelay-control: the metrics are at /metrics\n");
	} else {
		vr_metrics_write(f, &m->src, om);
		m->scrapes++;
	}
	if (fclose(f) != 0) {
		free(buf);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

int
vr_metrics_start(struct vr_metrics *m, const char *spec, char *err, size_t errlen)
{
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa;
	const char *colon = strrchr(spec, ':');
	char host[64];
	char *end;
	long port;

	m->fd = -1;
	m->d = NULL;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	port = colon != NULL ? strtol(colon + 1, &end, 10) : -1;
	if (colon == NULL || (size_t)(colon - spec) >= sizeof(host) || *end != '\0' ||
			colon[1] == '\0' || port < 1 || port > 65535) {
		snprintf(err, errlen, "--metrics: '%s' is not IPV4:PORT (or off)", spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "--metrics: '%s' is not an IPv4 address", host);
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	/* Polled by the control loop (epoll's fd in its poll set): no thread of its own. */
	m->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
		serve, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16, MHD_OPTION_END);
	if (m->d == NULL) {
		snprintf(err, errlen, "--metrics: cannot listen on %s (in use, or not an address of "
			"this host?)", spec);
		return -1;
	}
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
	m->fd = info != NULL ? info->epoll_fd : -1;
	return 0;
}

void
vr_metrics_run(struct vr_metrics *m)
{
	if (m->d != NULL)
		MHD_run(m->d);
}

void
vr_metrics_stop(struct vr_metrics *m)
{
	if (m->d != NULL)
		MHD_stop_daemon(m->d);
	m->d = NULL;
	m->fd = -1;
}
