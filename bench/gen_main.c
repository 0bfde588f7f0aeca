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
 */
#include <arpa/inet.h>
#include <getopt.h>
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

#include "gen_stream.h"

#define BURST 32
#define LAT_BUCKETS 20000 /* 1 us each: up to 20 ms, then one overflow bucket */

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
	int loopback;
	struct vr_gen_stream *streams;
	uint64_t lat[LAT_BUCKETS + 1];
	uint64_t hz, measure_tsc;
	uint64_t sent_measured, rx_measured, rx_all, rx_foreign, arp_answered;
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
		"  --loopback       measure a plain forwarder (testpmd): no ARP, count all\n");
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
parse(struct gen *g, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "relay", 1, NULL, 'r' }, { "gw", 1, NULL, 'g' }, { "calls", 1, NULL, 'c' },
		{ "rate", 1, NULL, 'R' }, { "frame", 1, NULL, 'f' }, { "ptime", 1, NULL, 'p' },
		{ "duration", 1, NULL, 'd' }, { "warmup", 1, NULL, 'w' },
		{ "loopback", 0, NULL, 'l' }, { NULL, 0, NULL, 0 },
	};
	int opt;

	g->calls = 1000;
	g->frame = 214;
	g->ptime_ts = 160;
	g->duration = 5;
	g->warmup = 1;
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
		default: usage();
		}
	}
	if (g->relay_base == 0 || (!g->loopback && g->gw_ip == 0))
		usage();
	g->n_streams = 2 * g->calls;
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
		if (vr_gen_account(rte_pktmbuf_mtod(m, uint8_t *), m->data_len, g->streams,
				g->n_streams, &tx) < 0) {
			g->rx_foreign++;
		} else {
			g->rx_all++;
			if (tx >= g->measure_tsc && g->measure_tsc != 0) {
				uint64_t us = (now - tx) * 1000000 / g->hz;

				g->rx_measured++;
				g->lat[us < LAT_BUCKETS ? us : LAT_BUCKETS]++;
			}
		}
		rte_pktmbuf_free(m);
	}
}

static double
percentile(const struct gen *g, double p)
{
	uint64_t want = (uint64_t)(p * (double)g->rx_measured), acc = 0;
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
	last = start;
	while (!stop && (now = rte_rdtsc()) < end) {
		n = BURST;
		if (g.rate > 0) {
			tokens += (double)(now - last) * g.rate / (double)g.hz;
			if (tokens > BURST * 4)
				tokens = BURST * 4;
			n = tokens < BURST ? (uint16_t)tokens : BURST;
			tokens -= n;
		}
		last = now;
		if (n > 0 && rte_pktmbuf_alloc_bulk(g.pool, pkts, n) == 0) {
			for (k = 0; k < n; k++) {
				uint8_t *f = (uint8_t *)rte_pktmbuf_append(pkts[k], g.frame);

				vr_gen_build(f, g.frame, &g.relay_mac, &g.mac, g.relay_base, s,
					&g.streams[s], g.ptime_ts, now);
				if (++s == g.n_streams)
					s = 0;
			}
			k = rte_eth_tx_burst(g.port, 0, pkts, n);
			if (now >= g.measure_tsc) {
				if (sent_tsc0 == 0)
					sent_tsc0 = now;
				g.sent_measured += k;
				sent_tsc1 = now;
			}
			if (k < n)
				rte_pktmbuf_free_bulk(pkts + k, n - k);
		}
		rx_poll(&g, now);
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
			"\"tx_pps\":%.0f,\"rx_pps\":%.0f,\"sent\":%lu,\"received\":%lu,"
			"\"loss_pct\":%.6f,\"reordered\":%lu,\"foreign\":%lu,"
			"\"lat_us_p50\":%.0f,\"lat_us_p99\":%.0f,\"lat_us_p999\":%.0f}\n",
			g.calls, g.n_streams, g.frame, g.rate, secs,
			(double)g.sent_measured / secs, (double)g.rx_measured / secs,
			(unsigned long)g.sent_measured, (unsigned long)g.rx_measured, loss,
			(unsigned long)reordered, (unsigned long)g.rx_foreign,
			percentile(&g, 0.5), percentile(&g, 0.99), percentile(&g, 0.999));
	}
	rte_eth_dev_stop(g.port);
	rte_eth_dev_close(g.port);
	rte_eal_cleanup();
	return 0;
}
