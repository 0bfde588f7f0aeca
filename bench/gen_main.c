/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr-gen: the bundled RTP load generator. One lcore plays N concurrent calls
 * over any DPDK port (net_memif against the relay in bench/run.sh): both legs
 * of every call, each stream with its own SSRC, sequence and timestamp, and
 * its send time in the payload (gen_stream.h). It is the relay's gateway on
 * the link: it answers ARP for its address and resolves the relay's MAC.
 * Sends at a fixed rate or as fast as it can, receives what the relay
 * forwards, and prints one JSON line: packets per second each way, loss,
 * reordering, latency percentiles. Packets sent during the warm-up (while
 * the relay latches every leg) are not counted. Bounded by --duration.
 *
 * --loopback measures a plain forwarder (dpdk-testpmd io mode): no ARP, and
 * whatever comes back counts.
 *
 * --probes N measures the control path while the load runs: N times, spread
 * over the measured time, it writes one new call into Redis (as a PBX would,
 * HSET) on --probe-addr, sends that call's two legs a packet each every 20 us,
 * and times the write to the first packet the relay forwards; then deletes
 * the call. The Redis reply is read without blocking the load.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <hiredis/hiredis.h>

#include "dataplane/csrtp.h"
#include "dataplane/srtp.h"
#include "gen_stream.h"

#define BURST 32
#define LAT_BUCKETS 20000 /* 1 us each: up to 20 ms, then one overflow bucket */
#define PROBE_PEER 0xc6130001u /* 198.19.0.1: the probe calls' phones */
#define PROBE_MAX 10000
#define PROBE_TIMEOUT_S 2

/* The control-path probe: one call written to Redis at a time. */
struct probe {
	redisContext *rc;
	const char *prefix;
	uint32_t addr;              /* relay address of the probe calls, host order */
	uint32_t n, started, done, failed;
	int running;                /* probe `started - 1` written, waiting for its first packet */
	unsigned int replies;       /* Redis replies still to read */
	uint64_t t0, next_send, next_start, gap;
	struct vr_gen_stream st[2];
	double *ms;                 /* done of them, write to first packet */
};

struct gen {
	uint16_t port;
	struct rte_mempool *pool;
	struct rte_ether_addr mac, relay_mac;
	uint32_t gw_ip, relay_base;     /* host order */
	uint32_t calls, n_streams;
	double rate;                    /* packets per second, 0: as fast as possible */
	uint16_t frame;
	uint32_t ptime_ts;
	double duration, warmup;
	double linger;                 /* seconds connected after the results (--linger) */
	int loopback;
	int tunnel;                     /* leg a of every call is a channel of SBC 1's tunnel */
	int legs;                       /* after the warm-up only leg a (0) or b (1) sends; -1: both */
	int full_bursts;                /* paced: only whole bursts (--full-bursts) */
	struct vr_srtp_key tkey;
	uint64_t tepoch;                /* the relay's tunnel epoch (--tunnel-epoch) */
	srtp_t *tx_sess;                /* per call: what SBC 1 sends on channel call + 1 */
	int use_cdev;                   /* ... through this process's own cryptodev instead */
	struct vr_csrtp_dev cdev;
	struct vr_csrtp_stream *tx_cs;
	uint64_t rx_tunnel;             /* packets that came back through the tunnel */
	struct vr_gen_stream *streams;
	uint64_t lat[LAT_BUCKETS + 1];
	uint64_t lat_n;                 /* packets in lat[]: not those back through the tunnel */
	uint64_t hz, measure_tsc;
	uint64_t offered_measured;      /* built to send after the warm-up, taken by the link or not */
	uint64_t sent_measured, rx_measured, rx_all, rx_foreign, arp_answered;
	struct probe pr;
};

static volatile int stop;

static void
on_signal(int s)
{
	(void)s;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: vr-gen [EAL options] -- --relay IP --gw IP [options]\n"
		"  --relay IP       the relay's first address (calls spread 10,000 per address)\n"
		"  --gw IP          this generator's address: the relay's gateway\n"
		"  --calls N        concurrent calls, two streams each (default 1000)\n"
		"  --rate PPS       total packets per second, 0 = as fast as possible (default 0)\n"
		"  --frame BYTES    Ethernet frame size, 64-1500 (default 214: G.711, 20 ms)\n"
		"  --ptime MS       packetization time, sets the RTP timestamp step (default 20)\n"
		"  --duration SEC   measured time (default 5)\n"
		"  --warmup SEC     unmeasured time first, while legs latch (default 1)\n"
		"  --loopback       measure a plain forwarder (testpmd): no ARP, count all\n"
		"  --probes N       time N Redis writes of a new call to its first relayed packet\n"
		"  --probe-addr IP  the relay address for the probe calls (not used by the load)\n"
		"  --redis H:P      Redis for the probes (default 127.0.0.1:6379)\n"
		"  --prefix P       Redis key prefix (default voxrelay:)\n"
		"  --tunnel SUITE:BASE64\n"
		"                   leg a of call i is channel i + 1 of the tunnel of SBC 1 (key id\n"
		"                   0): its packets go SRTP-protected to the relay's tunnel port;\n"
		"                   what comes back through the tunnel is counted by its clear\n"
		"                   RTP header (no latency); bench/provision.sh --tunnel writes it\n"
		"  --tunnel-epoch HEX\n"
		"                   the relay's tunnel epoch (voxrelayctl health): channel c's\n"
		"                   keys are those of epoch c (its a_epoch) XOR HEX\n"
		"  --legs a|b|both  after the warm-up (every leg sends during it, so that the relay\n"
		"                   learns each), only legs a or b send; with --tunnel, b is the\n"
		"                   direction the relay encrypts into the tunnel (default both)\n"
		"  --full-bursts    with --rate, send only whole bursts of 32, as a NIC's receive\n"
		"                   ring fills, instead of what the rate allows at each turn: a\n"
		"                   full memif ring then sees 32 packets offered at a time, not\n"
		"                   one or two polls of its indexes a microsecond\n"
		"  --linger SEC     after the results, a line {\"linger\":SEC}, then stay\n"
		"                   connected (sending nothing) for SEC or until SIGTERM, so that\n"
		"                   the relay's counters can be read before the link goes down\n");
	exit(2);
}

static uint32_t
ip_arg(const char *s, const char *name)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "vr-gen: %s: '%s' is not an IPv4 address\n", name, s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

static double
num_arg(const char *s, const char *name, double lo, double hi)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || end == s || v < lo || v > hi) {
		fprintf(stderr, "vr-gen: %s: '%s' is not a number in %g-%g\n", name, s, lo, hi);
		exit(2);
	}
	return v;
}

static void
probe_connect(struct probe *pr, const char *redis)
{
	char host[256];
	const char *colon = strrchr(redis, ':');
	struct timeval tv = { 2, 0 };

	if (pr->addr == 0) {
		fprintf(stderr, "vr-gen: --probes needs --probe-addr\n");
		exit(2);
	}
	if (colon == NULL || colon == redis || (size_t)(colon - redis) >= sizeof(host)) {
		fprintf(stderr, "vr-gen: --redis: '%s' is not HOST:PORT\n", redis);
		exit(2);
	}
	memcpy(host, redis, (size_t)(colon - redis));
	host[colon - redis] = '\0';
	pr->rc = redisConnectWithTimeout(host, (int)num_arg(colon + 1, "--redis port", 1, 65535), tv);
	if (pr->rc == NULL || pr->rc->err) {
		fprintf(stderr, "vr-gen: cannot connect to Redis at %s: %s\n", redis,
			pr->rc != NULL ? pr->rc->errstr : "out of memory");
		exit(1);
	}
	if (pr->prefix == NULL)
		pr->prefix = "voxrelay:";
	pr->ms = calloc(pr->n, sizeof(*pr->ms));
	if (pr->ms == NULL)
		exit(1);
}

/* Sends what hiredis has buffered: a few hundred bytes, never blocks long. */
static void
probe_flush(struct probe *pr)
{
	int done = 0;

	while (!done)
		if (redisBufferWrite(pr->rc, &done) != REDIS_OK) {
			fprintf(stderr, "vr-gen: Redis write failed: %s\n", pr->rc->errstr);
			exit(1);
		}
}

static void
probe_endpoint(char *buf, size_t len, uint32_t i, unsigned int leg)
{
	unsigned int port = 10000 + 2 * i + leg;

	snprintf(buf, len, "%u.%u.%u.%u:%u-%u", PROBE_PEER >> 24, PROBE_PEER >> 16 & 255,
		PROBE_PEER >> 8 & 255, PROBE_PEER & 255, port, port);
}

/* Writes probe call `started` to Redis and starts its clock. */
static void
probe_start(struct gen *g, uint64_t now)
{
	struct probe *pr = &g->pr;
	uint32_t i = pr->started;
	unsigned int port = VR_GEN_PORT_BASE + 4 * (i % VR_GEN_CALLS_PER_ADDR);
	char ea[64], eb[64], addr[32];

	probe_endpoint(ea, sizeof(ea), i, 0);
	probe_endpoint(eb, sizeof(eb), i, 1);
	snprintf(addr, sizeof(addr), "%u.%u.%u.%u", pr->addr >> 24, pr->addr >> 16 & 255,
		pr->addr >> 8 & 255, pr->addr & 255);
	redisAppendCommand(pr->rc, "HSET %scall:vrprobe%u a_endpoint %s a_port %u a_addr %s "
		"b_endpoint %s b_port %u b_addr %s", pr->prefix, i, ea, port, addr, eb, port + 2, addr);
	pr->t0 = rte_rdtsc();
	probe_flush(pr);
	pr->replies++;
	pr->running = 1;
	pr->started++;
	pr->next_send = now;
	memset(pr->st, 0, sizeof(pr->st));
	pr->st[0].ssrc = 0x5b000000u + 2 * i;
	pr->st[1].ssrc = 0x5b000001u + 2 * i;
}

/* The probe in flight got its first packet back (or timed out): record, delete its call. */
static void
probe_end(struct gen *g, uint64_t now, int ok)
{
	struct probe *pr = &g->pr;

	if (ok)
		pr->ms[pr->done++] = (double)(now - pr->t0) * 1000.0 / (double)g->hz;
	else
		pr->failed++;
	redisAppendCommand(pr->rc, "DEL %scall:vrprobe%u", pr->prefix, pr->started - 1);
	probe_flush(pr);
	pr->replies++;
	pr->running = 0;
	pr->next_start = now + pr->gap;
}

/* Runs the probe's state machine from the load loop: never blocks. */
static void
probe_poll(struct gen *g, uint64_t now)
{
	struct probe *pr = &g->pr;
	struct pollfd pfd = { .fd = pr->rc->fd, .events = POLLIN };
	struct rte_mbuf *m[2];
	void *reply;
	unsigned int leg;

	if (pr->replies > 0 && poll(&pfd, 1, 0) > 0) {
		if (redisBufferRead(pr->rc) != REDIS_OK) {
			fprintf(stderr, "vr-gen: Redis read failed: %s\n", pr->rc->errstr);
			exit(1);
		}
		while (pr->replies > 0 && redisGetReplyFromReader(pr->rc, &reply) == REDIS_OK &&
				reply != NULL) {
			if (((redisReply *)reply)->type == REDIS_REPLY_ERROR) {
				fprintf(stderr, "vr-gen: Redis refused a probe write: %s\n",
					((redisReply *)reply)->str);
				exit(1);
			}
			freeReplyObject(reply);
			pr->replies--;
		}
	}
	if (!pr->running) {
		if (pr->started < pr->n && now >= pr->next_start)
			probe_start(g, now);
		return;
	}
	if (now - pr->t0 > PROBE_TIMEOUT_S * g->hz) {
		probe_end(g, now, 0);
		return;
	}
	if (now < pr->next_send || rte_pktmbuf_alloc_bulk(g->pool, m, 2) != 0)
		return;
	/* Leg b first: a packet on leg a is relayed once b has latched. */
	for (leg = 0; leg < 2; leg++) {
		uint32_t i = pr->started - 1;
		uint16_t port = (uint16_t)(VR_GEN_PORT_BASE + 4 * (i % VR_GEN_CALLS_PER_ADDR) +
			2 * (1 - leg));
		uint8_t *f = (uint8_t *)rte_pktmbuf_append(m[leg], g->frame);

		vr_gen_frame(f, g->frame, &g->relay_mac, &g->mac, PROBE_PEER,
			(uint16_t)(10000 + 2 * i + 1 - leg), pr->addr, port,
			g->n_streams + 2 * i + 1 - leg, &pr->st[1 - leg], g->ptime_ts, now);
	}
	leg = rte_eth_tx_burst(g->port, 0, m, 2);
	if (leg < 2)
		rte_pktmbuf_free_bulk(m + leg, 2 - leg);
	pr->next_send = now + g->hz / 50000;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* --tunnel SUITE:BASE64: the SBC's suite and key (id 0). */
static void
tunnel_arg(struct gen *g, const char *spec)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char suite[32];
	const char *colon = strchr(spec, ':'), *c;
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(suite))
		goto bad;
	memcpy(suite, spec, (size_t)(colon - spec));
	suite[colon - spec] = '\0';
	g->tkey.suite = (uint8_t)vr_srtp_suite_parse(suite);
	if (g->tkey.suite == 0)
		goto bad;
	for (c = colon + 1; *c != '\0' && *c != '='; c++) {
		const char *p = strchr(alpha, *c);

		if (p == NULL)
			goto bad;
		acc = acc << 6 | (uint32_t)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == sizeof(g->tkey.master))
				goto bad;
			g->tkey.master[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (n != vr_srtp_master_len(g->tkey.suite))
		goto bad;
	g->tunnel = 1;
	return;
bad:
	fprintf(stderr, "vr-gen: --tunnel: '%s' is not SUITE:BASE64 of its master key and salt\n",
		spec);
	exit(2);
}

/* Sets the lengths and checksum of a tunnel datagram whose SRTP packet is len bytes. */
static void
tunnel_fix(struct gen *g, uint8_t *f, int len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	ip->dst_addr = rte_cpu_to_be_32(g->relay_base);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) +
		VR_TUN_HDR_LEN + (size_t)len));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dst_port = rte_cpu_to_be_16(VR_TUN_DEFAULT_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + VR_TUN_HDR_LEN + (size_t)len));
}

/*
 * Rewrites the plain frame of stream s (a tunnel leg's phone, f[0..frame) in
 * m) into SBC 1's tunnel datagram for channel s / 2 + 1, to the relay's first
 * address and tunnel port. Through the generator's own cryptodev (so that it
 * is not the bottleneck) the SRTP protection is left to the caller, who runs
 * a burst's packets at once and then tunnel_fix(); returns the SRTP packet's
 * offset in m then. Through libsrtp it protects and fixes here; returns 0.
 * -1 if SRTP refused.
 */
static int
tunnel_frame(struct gen *g, struct rte_mbuf *m, uint8_t *f, uint16_t frame, uint32_t s)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(f + sizeof(struct rte_ether_hdr) +
		sizeof(struct rte_ipv4_hdr));
	uint8_t *pl = (uint8_t *)(udp + 1);
	uint16_t off = (uint16_t)((pl - f) + VR_TUN_HDR_LEN);
	int len = (int)(frame - (pl - f));

	if (rte_pktmbuf_append(m, VR_TUN_HDR_LEN) == NULL)
		return -1;
	memmove(pl + VR_TUN_HDR_LEN, pl, (size_t)len);
	vr_tun_write(pl, VR_TUN_RTP, 0, 1, s / 2 + 1, (s / 2 + 1) ^ g->tepoch);
	if (g->use_cdev)
		return off;
	if (rte_pktmbuf_append(m, SRTP_MAX_TRAILER_LEN) == NULL ||
			srtp_protect(g->tx_sess[s / 2], pl + VR_TUN_HDR_LEN, &len) != srtp_err_status_ok)
		return -1;
	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - off - (uint32_t)len));
	tunnel_fix(g, f, len);
	return 0;
}

/*
 * A packet the relay sent SBC 1 through its tunnel: leg b's phone's stream,
 * counted by the clear RTP header of its channel. Returns 1 if it was one.
 */
static int
tunnel_account(struct gen *g, const uint8_t *f, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	const uint8_t *pl = (const uint8_t *)(udp + 1);
	struct vr_tun_hdr h;
	uint32_t s;

	if (len < (uint32_t)(pl - f) || ip->next_proto_id != IPPROTO_UDP ||
			udp->src_port != rte_cpu_to_be_16(VR_TUN_DEFAULT_PORT) ||
			vr_tun_parse(pl, len - (uint32_t)(pl - f), &h) != VR_TUN_OK ||
			h.type != VR_TUN_RTP || h.channel == 0 || h.channel > g->calls)
		return 0;
	s = 2 * (h.channel - 1) + 1;
	vr_gen_account_seq(&g->streams[s], (uint16_t)(pl[VR_TUN_HDR_LEN + 2] << 8 |
		pl[VR_TUN_HDR_LEN + 3]));
	return 1;
}

static void
parse(struct gen *g, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "relay", 1, NULL, 'r' }, { "gw", 1, NULL, 'g' }, { "calls", 1, NULL, 'c' },
		{ "rate", 1, NULL, 'R' }, { "frame", 1, NULL, 'f' }, { "ptime", 1, NULL, 'p' },
		{ "duration", 1, NULL, 'd' }, { "warmup", 1, NULL, 'w' },
		{ "loopback", 0, NULL, 'l' }, { "probes", 1, NULL, 'P' },
		{ "probe-addr", 1, NULL, 'A' }, { "redis", 1, NULL, 'D' }, { "prefix", 1, NULL, 'X' },
		{ "tunnel", 1, NULL, 'T' }, { "linger", 1, NULL, 'L' },
		{ "tunnel-epoch", 1, NULL, 'E' }, { "legs", 1, NULL, 'G' },
		{ "full-bursts", 0, NULL, 'F' }, { NULL, 0, NULL, 0 },
	};
	const char *redis = "127.0.0.1:6379";
	int opt;

	g->calls = 1000;
	g->frame = 214;
	g->ptime_ts = 160;
	g->duration = 5;
	g->warmup = 1;
	g->legs = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'r': g->relay_base = ip_arg(optarg, "--relay"); break;
		case 'g': g->gw_ip = ip_arg(optarg, "--gw"); break;
		case 'c': g->calls = (uint32_t)num_arg(optarg, "--calls", 1, 2000000); break;
		case 'R': g->rate = num_arg(optarg, "--rate", 0, 1e9); break;
		case 'f': g->frame = (uint16_t)num_arg(optarg, "--frame", 64, 1500); break;
		case 'p': g->ptime_ts = (uint32_t)num_arg(optarg, "--ptime", 1, 1000) * 8; break;
		case 'd': g->duration = num_arg(optarg, "--duration", 0.1, 3600); break;
		case 'w': g->warmup = num_arg(optarg, "--warmup", 0, 600); break;
		case 'l': g->loopback = 1; break;
		case 'P': g->pr.n = (uint32_t)num_arg(optarg, "--probes", 0, PROBE_MAX); break;
		case 'A': g->pr.addr = ip_arg(optarg, "--probe-addr"); break;
		case 'D': redis = optarg; break;
		case 'X': g->pr.prefix = optarg; break;
		case 'T': tunnel_arg(g, optarg); break;
		case 'E': {
			char *end;

			g->tepoch = strtoull(optarg, &end, 16);
			if (*optarg == '\0' || *end != '\0' || g->tepoch > VR_TUN_EPOCH_MASK) {
				fprintf(stderr, "vr-gen: --tunnel-epoch: '%s' is not 1-12 hex digits\n",
					optarg);
				exit(2);
			}
			break;
		}
		case 'L': g->linger = num_arg(optarg, "--linger", 0, 600); break;
		case 'F': g->full_bursts = 1; break;
		case 'G':
			if (strcmp(optarg, "a") == 0 || strcmp(optarg, "b") == 0) {
				g->legs = optarg[0] - 'a';
			} else if (strcmp(optarg, "both") != 0) {
				fprintf(stderr, "vr-gen: --legs: '%s' is not a, b or both\n", optarg);
				exit(2);
			}
			break;
		default: usage();
		}
	}
	if (g->relay_base == 0 || (!g->loopback && g->gw_ip == 0))
		usage();
	g->n_streams = 2 * g->calls;
	if (g->pr.n > 0)
		probe_connect(&g->pr, redis);
}

static void
port_init(struct gen *g)
{
	struct rte_eth_conf conf;
	uint16_t rxd = 2048, txd = 2048;

	memset(&conf, 0, sizeof(conf));
	g->pool = rte_pktmbuf_pool_create("gen", 16384, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
		(int)rte_socket_id());
	if (g->pool == NULL || rte_eth_dev_configure(g->port, 1, 1, &conf) != 0 ||
			rte_eth_dev_adjust_nb_rx_tx_desc(g->port, &rxd, &txd) != 0 ||
			rte_eth_rx_queue_setup(g->port, 0, rxd, (unsigned int)rte_socket_id(), NULL,
				g->pool) != 0 ||
			rte_eth_tx_queue_setup(g->port, 0, txd, (unsigned int)rte_socket_id(), NULL) != 0 ||
			rte_eth_dev_start(g->port) != 0)
		rte_exit(EXIT_FAILURE, "vr-gen: port %u set-up failed\n", g->port);
	rte_eth_macaddr_get(g->port, &g->mac);
}

/* ARP: answers requests for our address, learns the relay's MAC from its replies. */
static int
arp_input(struct gen *g, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) ||
			m->data_len < sizeof(*eth) + sizeof(*arp))
		return 0;
	if (rte_be_to_cpu_32(arp->arp_data.arp_sip) == g->relay_base)
		rte_ether_addr_copy(&arp->arp_data.arp_sha, &g->relay_mac);
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
			rte_be_to_cpu_32(arp->arp_data.arp_tip) == g->gw_ip) {
		uint32_t sip = arp->arp_data.arp_sip;

		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
		rte_ether_addr_copy(&g->mac, &eth->src_addr);
		arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
		rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
		arp->arp_data.arp_tip = sip;
		rte_ether_addr_copy(&g->mac, &arp->arp_data.arp_sha);
		arp->arp_data.arp_sip = rte_cpu_to_be_32(g->gw_ip);
		if (rte_eth_tx_burst(g->port, 0, &m, 1) == 1) {
			g->arp_answered++;
			return 1;
		}
	}
	rte_pktmbuf_free(m);
	return 1;
}

static void
arp_request(struct gen *g)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&g->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&g->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = rte_cpu_to_be_32(g->gw_ip);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = rte_cpu_to_be_32(g->relay_base);
	if (rte_eth_tx_burst(g->port, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

static void
rx_poll(struct gen *g, uint64_t now)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n, i;

	n = rte_eth_rx_burst(g->port, 0, pkts, BURST);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t tx;

		if (!g->loopback && arp_input(g, m))
			continue;
		if (g->tunnel && tunnel_account(g, rte_pktmbuf_mtod(m, uint8_t *), m->data_len)) {
			g->rx_all++;
			g->rx_tunnel++;
			if (now >= g->measure_tsc && g->measure_tsc != 0)
				g->rx_measured++;
		} else if (vr_gen_account(rte_pktmbuf_mtod(m, uint8_t *), m->data_len, g->streams,
				g->n_streams, &tx) < 0) {
			struct vr_gen_payload pl;

			/* The probe in flight's first relayed packet, or a late one. */
			if (g->pr.n > 0 && vr_gen_payload_of(rte_pktmbuf_mtod(m, uint8_t *),
					m->data_len, &pl) != NULL && pl.stream >= g->n_streams) {
				if (g->pr.running && (pl.stream - g->n_streams) / 2 == g->pr.started - 1)
					probe_end(g, now, 1);
			} else {
				g->rx_foreign++;
			}
		} else {
			g->rx_all++;
			if (tx >= g->measure_tsc && g->measure_tsc != 0) {
				uint64_t us = (now - tx) * 1000000 / g->hz;

				g->rx_measured++;
				g->lat[us < LAT_BUCKETS ? us : LAT_BUCKETS]++;
				g->lat_n++;
			}
		}
		rte_pktmbuf_free(m);
	}
}

static double
percentile(const struct gen *g, double p)
{
	uint64_t want = (uint64_t)(p * (double)g->lat_n), acc = 0;
	unsigned int i;

	for (i = 0; i <= LAT_BUCKETS; i++) {
		acc += g->lat[i];
		if (acc > want)
			return i;
	}
	return LAT_BUCKETS;
}

int
main(int argc, char **argv)
{
	static struct gen g;
	struct rte_mbuf *pkts[BURST];
	uint64_t start, end, now, last, next_arp = 0, sent_tsc0 = 0, sent_tsc1 = 0;
	double tokens = 0;
	uint32_t s = 0;
	uint16_t n, k;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "vr-gen: EAL initialization failed\n");
	argc -= ret;
	argv += ret;
	parse(&g, argc, argv);
	if (rte_eth_dev_count_avail() == 0)
		rte_exit(EXIT_FAILURE, "vr-gen: no port\n");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	g.hz = rte_get_tsc_hz();
	g.streams = rte_zmalloc("streams", sizeof(*g.streams) * g.n_streams, RTE_CACHE_LINE_SIZE);
	if (g.streams == NULL)
		rte_exit(EXIT_FAILURE, "vr-gen: no memory for %u streams\n", g.n_streams);
	for (s = 0; s < g.n_streams; s++) {
		g.streams[s].ssrc = 0x5a000000u + s;
		g.streams[s].seq = (uint16_t)(s * 7919);
	}
	if (g.tunnel) {
		if (vr_srtp_init() < 0)
			rte_exit(EXIT_FAILURE, "vr-gen: libsrtp did not initialise\n");
		g.tx_sess = calloc(g.calls, sizeof(*g.tx_sess));
		if (g.tx_sess == NULL)
			rte_exit(EXIT_FAILURE, "vr-gen: no memory for %u SRTP sessions\n", g.calls);
		g.use_cdev = vr_csrtp_dev_init(&g.cdev, "crypto_aesni_mb", 2, g.calls, 0) == 0;
		g.tx_cs = calloc(g.calls, sizeof(*g.tx_cs));
		if (g.tx_cs == NULL)
			rte_exit(EXIT_FAILURE, "vr-gen: no memory for %u SRTP streams\n", g.calls);
		for (s = 0; s < g.calls; s++) {
			if (g.use_cdev) {
				if (vr_csrtp_stream_init(&g.cdev, &g.tx_cs[s], &g.tkey, VR_TUN_UP, s + 1,
						(s + 1) ^ g.tepoch, 1) < 0)
					rte_exit(EXIT_FAILURE, "vr-gen: the crypto device refused a stream\n");
				continue;
			}
			g.tx_sess[s] = vr_srtp_stream_new(&g.tkey, VR_TUN_UP, s + 1,
				(s + 1) ^ g.tepoch, 0);
			if (g.tx_sess[s] == NULL)
				rte_exit(EXIT_FAILURE, "vr-gen: libsrtp refused a session\n");
		}
		fprintf(stderr, "vr-gen: the SBC side protects through %s\n",
			g.use_cdev ? "cryptodev crypto_aesni_mb" : "libsrtp");
	}
	s = 0;
	port_init(&g);
	memset(&g.relay_mac, 0xff, sizeof(g.relay_mac));
	/* Resolve the relay (and let it resolve us): at most 5 s. */
	if (!g.loopback) {
		end = rte_rdtsc() + 5 * g.hz;
		while (!stop && rte_is_broadcast_ether_addr(&g.relay_mac) && rte_rdtsc() < end) {
			now = rte_rdtsc();
			if (now >= next_arp) {
				arp_request(&g);
				next_arp = now + g.hz / 10;
			}
			rx_poll(&g, now);
		}
		if (rte_is_broadcast_ether_addr(&g.relay_mac))
			rte_exit(EXIT_FAILURE, "vr-gen: the relay did not answer ARP\n");
	}
	start = rte_rdtsc();
	g.measure_tsc = start + (uint64_t)(g.warmup * (double)g.hz);
	end = g.measure_tsc + (uint64_t)(g.duration * (double)g.hz);
	g.pr.next_start = g.measure_tsc;
	g.pr.gap = g.pr.n > 0 ? (uint64_t)(g.duration * (double)g.hz) / (g.pr.n + 1) : 0;
	last = start;
	while (!stop && (now = rte_rdtsc()) < end) {
		n = BURST;
		if (g.rate > 0) {
			tokens += (double)(now - last) * g.rate / (double)g.hz;
			if (tokens > BURST * 4)
				tokens = BURST * 4;
			n = tokens >= BURST ? BURST : g.full_bursts ? 0 : (uint16_t)tokens;
			tokens -= n;
		}
		last = now;
		if (n > 0 && rte_pktmbuf_alloc_bulk(g.pool, pkts, n) == 0) {
			struct rte_mbuf *cm[BURST];
			struct vr_csrtp_stream *cs[BURST];
			uint16_t coff[BURST];
			uint8_t cst[BURST];
			unsigned int nc = 0;

			for (k = 0; k < n; k++) {
				uint8_t *f = (uint8_t *)rte_pktmbuf_append(pkts[k], g.frame);
				int o;

				/* Streams alternate a, b: skip the other leg's (n_streams is even). */
				if (g.legs >= 0 && (s & 1) != (uint32_t)g.legs && now >= g.measure_tsc &&
						++s == g.n_streams)
					s = 0;
				vr_gen_build(f, g.frame, &g.relay_mac, &g.mac, g.relay_base, s,
					&g.streams[s], g.ptime_ts, now);
				if (g.tunnel && (s & 1) == 0) {
					o = tunnel_frame(&g, pkts[k], f, g.frame, s);
					if (o < 0)
						rte_exit(EXIT_FAILURE, "vr-gen: SRTP refused stream %u\n", s);
					if (o > 0) {
						cm[nc] = pkts[k];
						cs[nc] = &g.tx_cs[s / 2];
						coff[nc++] = (uint16_t)o;
					}
				}
				if (++s == g.n_streams)
					s = 0;
			}
			/* The SBC side's packets of this burst through the device at once. */
			if (nc > 0) {
				vr_csrtp_protect(&g.cdev, 0, cm, coff, cs, cst, nc);
				for (k = 0; k < nc; k++) {
					if (cst[k] != VR_CSRTP_OK)
						rte_exit(EXIT_FAILURE, "vr-gen: the crypto device refused a packet\n");
					tunnel_fix(&g, rte_pktmbuf_mtod(cm[k], uint8_t *),
						(int)(cm[k]->data_len - coff[k]));
				}
			}
			/* What the link does not take is dropped here, as a NIC drops
			 * what arrives while its receive ring is full: offered, not sent. */
			k = rte_eth_tx_burst(g.port, 0, pkts, n);
			if (now >= g.measure_tsc) {
				if (sent_tsc0 == 0)
					sent_tsc0 = now;
				g.offered_measured += n;
				g.sent_measured += k;
				sent_tsc1 = now;
			}
			if (k < n)
				rte_pktmbuf_free_bulk(pkts + k, n - k);
		}
		rx_poll(&g, now);
		if (g.pr.n > 0)
			probe_poll(&g, now);
	}
	/* Probes not done yet run to the end, each bounded by its own timeout. */
	g.pr.gap = 0;
	while (g.pr.n > 0 && (g.pr.running || g.pr.started < g.pr.n) && !stop) {
		now = rte_rdtsc();
		rx_poll(&g, now);
		probe_poll(&g, now);
	}
	/* Drain what is still in flight: 200 ms. */
	end = rte_rdtsc() + g.hz / 5;
	while ((now = rte_rdtsc()) < end)
		rx_poll(&g, now);
	{
		double secs = sent_tsc1 > sent_tsc0 ? (double)(sent_tsc1 - sent_tsc0) / (double)g.hz :
			g.duration;
		uint64_t reordered = 0;
		double loss;

		for (s = 0; s < g.n_streams; s++)
			reordered += g.streams[s].reordered;
		loss = g.sent_measured > 0 ? 100.0 * (double)(g.sent_measured > g.rx_measured ?
			g.sent_measured - g.rx_measured : 0) / (double)g.sent_measured : 0;
		printf("{\"calls\":%u,\"streams\":%u,\"frame\":%u,\"rate\":%.0f,\"seconds\":%.3f,"
			"\"offered_pps\":%.0f,\"tx_pps\":%.0f,\"rx_pps\":%.0f,\"sent\":%lu,\"received\":%lu,"
			"\"loss_pct\":%.6f,\"reordered\":%lu,\"foreign\":%lu,\"via_tunnel\":%lu,"
			"\"timed\":%lu,\"lat_us_p50\":%.0f,\"lat_us_p99\":%.0f,\"lat_us_p999\":%.0f}\n",
			g.calls, g.n_streams, g.frame, g.rate, secs,
			(double)g.offered_measured / secs, (double)g.sent_measured / secs,
			(double)g.rx_measured / secs,
			(unsigned long)g.sent_measured, (unsigned long)g.rx_measured, loss,
			(unsigned long)reordered, (unsigned long)g.rx_foreign,
			(unsigned long)g.rx_tunnel, (unsigned long)g.lat_n,
			percentile(&g, 0.5), percentile(&g, 0.99), percentile(&g, 0.999));
		if (g.pr.n > 0) {
			struct probe *pr = &g.pr;

			qsort(pr->ms, pr->done, sizeof(*pr->ms), cmp_double);
			printf("{\"probes\":%u,\"probe_done\":%u,\"probe_failed\":%u,"
				"\"probe_ms_p50\":%.3f,\"probe_ms_p99\":%.3f,\"probe_ms_max\":%.3f}\n",
				pr->n, pr->done, pr->failed,
				pr->done ? pr->ms[pr->done / 2] : 0,
				pr->done ? pr->ms[(size_t)((double)pr->done * 0.99)] : 0,
				pr->done ? pr->ms[pr->done - 1] : 0);
		}
	}
	if (g.linger > 0) {
		printf("{\"linger\":%.1f}\n", g.linger);
		fflush(stdout);
		end = rte_rdtsc() + (uint64_t)(g.linger * (double)g.hz);
		while (!stop && (now = rte_rdtsc()) < end)
			rx_poll(&g, now);
	}
	rte_eth_dev_stop(g.port);
	rte_eth_dev_close(g.port);
	rte_eal_cleanup();
	return 0;
}
