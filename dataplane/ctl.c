/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a Unix SOCK_SEQPACKET listener (mode 0600) served from
 * the main lcore's loop without blocking. Each request is checked whole
 * (ctlmsg.c), then applied (calls.c) or answered from the shared memory. Logs
 * one line per change of the call table, never per packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "ctlmsg.h"
#include "calls.h"
#include "ctl.h"
#include "dp.h"
#include "neigh.h"
#include "sbc.h"

#define N_CLIENTS ((int)(sizeof(((struct vr_dp *)0)->ctl_clients) / sizeof(int)))

int
vr_ctl_open(struct vr_dp *dp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[VR_PATH_MAX];
	char *slash;
	mode_t old;
	int fd, i;

	for (i = 0; i < N_CLIENTS; i++)
		dp->ctl_clients[i] = -1;
	snprintf(dir, sizeof(dir), "%s", dp->cfg.ctl_path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
			VR_LOG(ERR, "cannot create control socket directory '%s': %s", dir,
				strerror(errno));
			return -errno;
		}
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", dp->cfg.ctl_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(sa.sun_path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		int e = errno;

		umask(old);
		VR_LOG(ERR, "cannot listen on control socket '%s': %s", sa.sun_path, strerror(e));
		close(fd);
		return -e;
	}
	umask(old);
	dp->ctl_fd = fd;
	VR_LOG(INFO, "control socket %s", sa.sun_path);
	return 0;
}

void
vr_ctl_close(struct vr_dp *dp)
{
	int i;

	if (dp->ctl_fd < 0)
		return;
	for (i = 0; i < N_CLIENTS; i++)
		if (dp->ctl_clients[i] >= 0)
			close(dp->ctl_clients[i]);
	close(dp->ctl_fd);
	unlink(dp->cfg.ctl_path);
	dp->ctl_fd = -1;
}

static uint64_t
tsc_ns(const struct vr_dp *dp, uint64_t tsc)
{
	return (uint64_t)((unsigned __int128)tsc * 1000000000u / dp->tsc_hz);
}

static void
health(struct vr_dp *dp, struct vr_ctl_health *h)
{
	struct rte_eth_link link;
	uint64_t gw;

	memset(h, 0, sizeof(*h));
	h->boot_id = dp->shm->boot_id;
	h->tunnel_epoch = dp->boot_epoch;
	h->uptime_ms = (rte_rdtsc() - dp->start_tsc) / (dp->tsc_hz / 1000);
	h->n_workers = dp->n_workers;
	h->n_calls = (uint32_t)dp->shm->n_calls;
	h->max_calls = dp->cfg.max_calls;
	if (rte_eth_link_get_nowait(dp->port_id, &link) == 0)
		h->link_up = link.link_status == RTE_ETH_LINK_UP;
	gw = __atomic_load_n(&dp->neigh.word[dp->neigh.gw_idx], __ATOMIC_RELAXED);
	h->neigh_resolved = (gw & VR_NEIGH_VALID) != 0;
	h->port_lo = dp->cfg.port_lo;
	h->port_hi = dp->cfg.port_hi;
	h->n_addrs = dp->cfg.n_addrs;
	memcpy(h->addrs, dp->cfg.addrs, sizeof(uint32_t) * dp->cfg.n_addrs);
	snprintf(h->shm_name, sizeof(h->shm_name), "%s", dp->cfg.shm_name);
	h->tsc_hz = rte_get_tsc_hz();
	snprintf(h->srtp_engine, sizeof(h->srtp_engine), "%s", dp->use_cdev ? "cryptodev" : "libsrtp");
	if (dp->use_cdev)
		snprintf(h->crypto_dev, sizeof(h->crypto_dev), "%s", dp->cfg.crypto_dev);
	h->loop_pause_max_ns = tsc_ns(dp, dp->pause_max_tsc);
	h->loop_pause_recent_ns = tsc_ns(dp, RTE_MAX(dp->pause_cur_tsc, dp->pause_prev_tsc));
	h->loop_busy_max_ns = dp->busy_max_ns;
	h->loop_busy_recent_ns = RTE_MAX(dp->busy_cur_ns, dp->busy_prev_ns);
	h->addrs_active = __atomic_load_n(&dp->addrs_active, __ATOMIC_RELAXED);
}

static void
stats(struct vr_dp *dp, struct vr_ctl_stats *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->n_global = VR_GC_MAX;
	s->n_drop = VR_DROP_MAX;
	for (i = 0; i < VR_GC_MAX; i++)
		s->c[i] = vr_shm_sum(dp->shm, i, 0);
	for (i = 0; i < VR_DROP_MAX; i++)
		s->drops[i] = vr_shm_sum(dp->shm, i, 1);
}

/* Copies an owner-written flow row with relaxed loads. */
static void
flow_copy(struct vr_shm_flow *dst, const struct vr_shm_flow *src)
{
	const uint64_t *s = (const uint64_t *)src;
	uint64_t *d = (uint64_t *)dst;
	size_t i;

	for (i = 0; i < sizeof(*src) / sizeof(uint64_t); i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

static void
call_stats(struct vr_dp *dp, const struct vr_call *c, struct vr_ctl_call_stats *s)
{
	const struct vr_shm_call *sc = &dp->shm_calls[c->slot];
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->call = c->def;
	s->slot = c->slot;
	s->owner = c->owner;
	s->bound_unix_ns = sc->bound_unix_ns;
	for (i = 0; i < 2; i++)
		s->idle[i] = (uint8_t)vr_shm_leg_idle(dp->shm, sc, i);
	for (i = 0; i < 4; i++)
		flow_copy(&s->flow[i], &sc->flow[i]);
}

static size_t
list(struct vr_dp *dp, const struct vr_ctl_list_req *rq, struct vr_ctl_list *l, size_t cap)
{
	uint32_t max = rq->max == 0 || rq->max > VR_CTL_LIST_MAX ? VR_CTL_LIST_MAX : rq->max;
	uint32_t slot;
	unsigned int i;

	if ((cap - sizeof(*l)) / sizeof(l->calls[0]) < max)
		max = (uint32_t)((cap - sizeof(*l)) / sizeof(l->calls[0]));
	l->n = 0;
	l->next_cursor = 0;
	for (slot = rq->cursor; slot < dp->cfg.max_calls; slot++) {
		const struct vr_call *c = dp->slot_call[slot];
		const struct vr_shm_call *sc = &dp->shm_calls[slot];
		struct vr_ctl_call_brief *b;

		if (c == NULL)
			continue;
		if (l->n == max) {
			l->next_cursor = slot;
			break;
		}
		b = &l->calls[l->n++];
		memset(b, 0, sizeof(*b));
		b->call = c->def;
		b->owner = c->owner;
		for (i = 0; i < 2; i++)
			b->idle[i] = (uint8_t)vr_shm_leg_idle(dp->shm, sc, i);
		for (i = 0; i < 4; i++) {
			b->latch[i] = __atomic_load_n(&sc->flow[i].latch, __ATOMIC_RELAXED);
			b->pkts[i] = __atomic_load_n(&sc->flow[i].c[VR_FC_PKTS], __ATOMIC_RELAXED);
		}
	}
	return sizeof(*l) + l->n * sizeof(l->calls[0]);
}

/*
 * Calls bound, rebound and unbound are logged one by one up to
 * LOG_CALLS_PER_S a second; the rest are counted and said in one line once
 * the second is over (vr_ctl_poll), so that a bulk change of 100,000 calls
 * costs the main lcore a few lines, not 100,000. Main lcore only.
 */
#define LOG_CALLS_PER_S 20
static uint64_t log_since_tsc;
static unsigned int log_n, log_quiet;

/* Says how many call changes went unlogged once their second is over. */
static void
log_calls_tick(const struct vr_dp *dp, uint64_t now)
{
	if (now - log_since_tsc < dp->tsc_hz)
		return;
	if (log_quiet > 0)
		VR_LOG(INFO, "%u more call changes not logged one by one", log_quiet);
	log_since_tsc = now;
	log_n = 0;
	log_quiet = 0;
}

/* Whether this call change may have a line of its own. */
static int
log_calls_ok(const struct vr_dp *dp)
{
	log_calls_tick(dp, rte_rdtsc());
	if (log_n < LOG_CALLS_PER_S) {
		log_n++;
		return 1;
	}
	log_quiet++;
	return 0;
}

static void
log_call(const struct vr_dp *dp, const char *what, const struct vr_ctl_call *c)
{
	char leg[2][48], a[16];
	unsigned int i;

	if (!log_calls_ok(dp))
		return;
	for (i = 0; i < 2; i++) {
		const struct vr_ctl_leg *l = &c->leg[i];

		inet_ntop(AF_INET, &l->addr, a, sizeof(a));
		if (l->flags & VR_CTL_LEG_F_TUNNEL)
			snprintf(leg[i], sizeof(leg[i]), "SBC %u channel %u", l->sbc_id, l->channel);
		else
			snprintf(leg[i], sizeof(leg[i]), "%s:%u", a, l->port);
	}
	VR_LOG(INFO, "%s call '%s': a %s, b %s", what, c->id, leg[0], leg[1]);
}

/* Binds (type VR_CTL_CALL_ADD) or rebinds (_MOD) call c, and logs it. */
static int
call_set(struct vr_dp *dp, uint16_t type, const struct vr_ctl_call *c, char *err, size_t errlen)
{
	int rc = type == VR_CTL_CALL_ADD ? vr_calls_add(dp, c, err, errlen) :
		vr_calls_mod(dp, c, err, errlen);

	if (rc == 0)
		log_call(dp, type == VR_CTL_CALL_ADD ? "bound" : "rebound", c);
	else
		VR_LOG(WARNING, "%s", err);
	return rc;
}

/* Unbinds call id; its stats just before into *last when one was unbound (*has_last). */
static int
call_del(struct vr_dp *dp, const char *id, struct vr_ctl_call_stats *last, uint32_t *has_last,
	char *err, size_t errlen)
{
	struct vr_call *c;
	int rc = vr_ctl_check_id(id, err, errlen);

	if (rc < 0)
		return rc;
	c = last != NULL ? vr_calls_find(dp, id) : NULL;
	if (c != NULL) {
		call_stats(dp, c, last);
		*has_last = 1;
	}
	rc = vr_calls_del(dp, id, err, errlen);
	if (rc == 0 && log_calls_ok(dp))
		VR_LOG(INFO, "unbound call '%s'", id);
	return rc;
}

/* Applies a batch's changes in order, each as its own request would be. */
static size_t
batch(struct vr_dp *dp, const struct vr_ctl_batch *b, struct vr_ctl_batch_reply *out,
	char *err, size_t errlen)
{
	uint32_t i;
	int rc = vr_ctl_check_batch(b, err, errlen);

	if (rc < 0)
		return 0;
	out->n = b->n;
	for (i = 0; i < b->n; i++) {
		const struct vr_ctl_batch_op *op = &b->op[i];
		struct vr_ctl_batch_result *res = &out->r[i];

		res->has_last = 0;
		res->error[0] = '\0';
		if (op->type == VR_CTL_CALL_DEL) {
			char id[VR_CALL_ID_MAX];

			memcpy(id, op->call.id, sizeof(id));
			res->status = call_del(dp, id, &res->last, &res->has_last, res->error,
				sizeof(res->error));
			continue;
		}
		res->status = call_set(dp, op->type, &op->call, res->error, sizeof(res->error));
	}
	return offsetof(struct vr_ctl_batch_reply, r) + b->n * sizeof(out->r[0]);
}

static size_t
handle(struct vr_dp *dp, const void *req, size_t len, void *reply, size_t cap)
{
	/* Bodies are built here, aligned, then copied behind the reply header
	 * (which leaves them at an offset no struct of ours is aligned to). */
	static uint8_t out[VR_CTL_MSG_MAX] __rte_aligned(RTE_CACHE_LINE_SIZE);
	struct vr_ctl_reply *r = reply;
	const struct vr_ctl_hdr *h = req;
	const void *body = h + 1;
	size_t out_len = 0;
	int type;

	memset(r, 0, sizeof(*r));
	type = vr_ctl_check_request(req, len, r->error, sizeof(r->error));
	r->hdr.magic = VR_CTL_MAGIC;
	r->hdr.version = VR_CTL_VERSION;
	if (len >= sizeof(*h)) {
		r->hdr.type = (uint16_t)(h->type | VR_CTL_REPLY);
		r->hdr.seq = h->seq;
	}
	if (type < 0) {
		r->status = type;
		VR_LOG(WARNING, "control request rejected: %s", r->error);
		goto done;
	}
	switch (type) {
	case VR_CTL_HEALTH:
		health(dp, (struct vr_ctl_health *)out);
		out_len = sizeof(struct vr_ctl_health);
		break;
	case VR_CTL_STATS:
		stats(dp, (struct vr_ctl_stats *)out);
		out_len = sizeof(struct vr_ctl_stats);
		break;
	case VR_CTL_CALL_ADD:
	case VR_CTL_CALL_MOD: {
		struct vr_ctl_call c;

		memcpy(&c, body, sizeof(c));
		r->status = call_set(dp, (uint16_t)type, &c, r->error, sizeof(r->error));
		break;
	}
	case VR_CTL_CALL_DEL: {
		struct vr_ctl_call_ref ref;

		memcpy(&ref, body, sizeof(ref));
		r->status = call_del(dp, ref.id, NULL, NULL, r->error, sizeof(r->error));
		break;
	}
	case VR_CTL_CALL_BATCH: {
		static struct vr_ctl_batch b;

		memcpy(&b, body, sizeof(b));
		out_len = batch(dp, &b, (struct vr_ctl_batch_reply *)out, r->error,
			sizeof(r->error));
		if (out_len == 0) {
			r->status = -EINVAL;
			VR_LOG(WARNING, "control request rejected: %s", r->error);
		}
		break;
	}
	case VR_CTL_CALL_GET: {
		struct vr_ctl_call_ref ref;
		struct vr_call *c;

		memcpy(&ref, body, sizeof(ref));
		r->status = vr_ctl_check_id(ref.id, r->error, sizeof(r->error));
		if (r->status < 0)
			break;
		c = vr_calls_find(dp, ref.id);
		if (c == NULL) {
			snprintf(r->error, sizeof(r->error), "call '%s' does not exist", ref.id);
			r->status = -ENOENT;
			break;
		}
		call_stats(dp, c, (struct vr_ctl_call_stats *)out);
		out_len = sizeof(struct vr_ctl_call_stats);
		break;
	}
	case VR_CTL_CALL_LIST: {
		struct vr_ctl_list_req rq;

		memcpy(&rq, body, sizeof(rq));
		out_len = list(dp, &rq, (struct vr_ctl_list *)out, cap - sizeof(*r));
		break;
	}
	case VR_CTL_SBC_SET: {
		struct vr_ctl_sbc sbc;

		memcpy(&sbc, body, sizeof(sbc));
		r->status = vr_sbc_set(dp, &sbc, r->error, sizeof(r->error));
		if (r->status == 0)
			VR_LOG(INFO, "SBC %u set: %s, key %u%s", sbc.id,
				vr_srtp_suite_name(sbc.suite), sbc.key[0].id,
				sbc.n_keys == 2 ? " (previous key still accepted)" : "");
		else
			VR_LOG(WARNING, "%s", r->error);
		memset(&sbc, 0, sizeof(sbc));
		break;
	}
	case VR_CTL_ADDR_SET: {
		struct vr_ctl_addr a;

		memcpy(&a, body, sizeof(a));
		r->status = vr_ctl_check_addr(&a, r->error, sizeof(r->error));
		if (r->status == 0)
			r->status = vr_neigh_addr_set(dp, a.ip, a.active, r->error,
				sizeof(r->error));
		if (r->status < 0)
			VR_LOG(WARNING, "%s", r->error);
		break;
	}
	case VR_CTL_SBC_DEL: {
		struct vr_ctl_sbc_ref ref;

		memcpy(&ref, body, sizeof(ref));
		r->status = vr_sbc_del(dp, ref.id, r->error, sizeof(r->error));
		if (r->status == 0)
			VR_LOG(INFO, "SBC %u removed", ref.id);
		else
			VR_LOG(WARNING, "%s", r->error);
		break;
	}
	}
done:
	if (r->status < 0)
		out_len = 0;
	memcpy(r + 1, out, out_len);
	r->hdr.len = (uint32_t)(sizeof(*r) + out_len);
	return r->hdr.len;
}

size_t
vr_ctl_handle(struct vr_dp *dp, const void *req, size_t len, void *reply, size_t cap)
{
	size_t n = handle(dp, req, len, reply, cap);

	/* What an unbind left on the defer queue goes as soon as it can (and
	 * with no worker online, as in the in-process tests, at once). */
	vr_calls_reclaim(dp);
	return n;
}

/*
 * Calls a client may have changed in one pass of the main loop (a request
 * counts one, a batch as many as it carries): a client that pipelines or
 * batches (voxrelay-control applying a bulk change) gets through them
 * without a round of the loop each, and the pass stays short.
 */
#define SERVE_MAX 64

/* Answers client i's waiting requests, up to SERVE_MAX calls' worth. */
static void
serve(struct vr_dp *dp, int i)
{
	static uint8_t req[VR_CTL_MSG_MAX] __rte_aligned(8), rep[VR_CTL_MSG_MAX];
	const struct vr_ctl_hdr *h = (const struct vr_ctl_hdr *)req;
	unsigned int k = 0;
	ssize_t n;
	size_t len;

	while (k < SERVE_MAX) {
		n = recv(dp->ctl_clients[i], req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			close(dp->ctl_clients[i]);
			dp->ctl_clients[i] = -1;
			return;
		}
		/* With MSG_TRUNC, n is the real size: an oversized message fails the size
		 * check in ctlmsg.c, which reads nothing past the header. */
		len = vr_ctl_handle(dp, req, (size_t)n, rep, sizeof(rep));
		k += (size_t)n == sizeof(*h) + sizeof(struct vr_ctl_batch) &&
			h->type == VR_CTL_CALL_BATCH ?
			((const struct vr_ctl_batch *)(h + 1))->n : 1;
		if (send(dp->ctl_clients[i], rep, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
			close(dp->ctl_clients[i]);
			dp->ctl_clients[i] = -1;
			return;
		}
	}
}

void
vr_ctl_poll(struct vr_dp *dp, int wait_ms)
{
	struct pollfd pfd[N_CLIENTS + 1];
	int n = 0, i, fd, rc, map[N_CLIENTS + 1];
	uint64_t t;

	pfd[n].fd = dp->ctl_fd;
	pfd[n].events = POLLIN;
	map[n++] = -1;
	for (i = 0; i < N_CLIENTS; i++) {
		if (dp->ctl_clients[i] < 0)
			continue;
		pfd[n].fd = dp->ctl_clients[i];
		pfd[n].events = POLLIN;
		map[n++] = i;
	}
	/* The main lcore's only sleep (slowpath.c: 1 ms, when it has nothing else to do). */
	t = rte_rdtsc();
	log_calls_tick(dp, t);
	rc = poll(pfd, (nfds_t)n, wait_ms);
	if (wait_ms > 0)
		dp->ctl_wait_tsc = rte_rdtsc() - t;
	if (rc <= 0)
		return;
	for (i = 1; i < n; i++)
		if (pfd[i].revents != 0)
			serve(dp, map[i]);
	if (pfd[0].revents & POLLIN) {
		fd = accept4(dp->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (i = 0; i < N_CLIENTS; i++) {
			if (dp->ctl_clients[i] < 0) {
				dp->ctl_clients[i] = fd;
				return;
			}
		}
		VR_LOG(WARNING, "control socket: %d clients already connected, refusing one",
			N_CLIENTS);
		close(fd);
	}
}
