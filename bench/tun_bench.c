/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr-tun-bench: SBC tunnel termination per lcore, the dataplane's own worker
 * code at full bursts. voxrelay-dp's worker (vr_worker_poll) runs on this
 * lcore over a net_ring port that this program fills: --calls calls whose
 * leg a is channel i of one SBC's tunnel and leg b a remote phone, every
 * packet relayed (the SBC's decrypted to the phone, the phone's encrypted
 * into the tunnel), both directions interleaved. Frames are built and the
 * SBC side's encrypted between measured chunks of 256, so they are as warm
 * as a NIC or memif would leave them; what is timed is the worker taking a
 * chunk from RX to TX. --engine plain makes both legs plain UDP legs: the
 * relay's own cost, the reference for what the tunnel adds; with it, up to
 * 500,000 calls (a million flows, 10,000 calls per relay address), so that
 * the relay's cost at 1,000 and at 1,000,000 flows can be measured on one
 * lcore without a link or a generator in the way. Calls are visited in a
 * scattered order (a multiplicative permutation), as a real estate's
 * packets arrive: no hardware prefetcher walks the flows ahead.
 *
 * Prints one JSON line: cycles and ns per packet, Mpps on this lcore, and
 * every packet is checked to have been relayed (a drop fails the run).
 * Bounded by --packets.
 *
 * Usage: vr-tun-bench [EAL options] -- [--engine cryptodev|libsrtp|plain]
 *                     [--suite S] [--calls N] [--packets N] [--dir both|up|down]
 *   --calls   1-10,000 calls through the tunnel; 1-500,000 with --engine plain
 *
 * --dir up measures only the SBC's packets (decrypted, relayed to the
 * phone), down only the phone's (encrypted into the tunnel); both legs are
 * latched by a first pass in both directions either way.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/csrtp.h"
#include "dataplane/calls.h"
#include "dataplane/ctl.h"
#include "dataplane/dp.h"
#include "dataplane/relay.h"
#include "dataplane/sbc.h"
#include "dataplane/slowpath.h"
#include "tests/common/pktbuild.h"
#include "voxrelay/tunnel.h"

#define CHUNK 256
#define SBC_ID 7u
#define RING_SIZE 1024
#define PAYLOAD 160
#define TPL 256      /* room for one frame of a call's template */
#define CALLS_PER_ADDR 10000   /* ports 20000-59999, four per call */
#define MAX_PLAIN_CALLS 500000
/* A prime above any call count: i * SCATTER % calls visits every call once. */
#define SCATTER 2654435761ull

static struct vr_dp dp;
static struct rte_ring *rxr, *txr;
static const uint8_t gw_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* A control request, handled in process; exits on a refusal. */
static void
ctl(uint16_t type, const void *body, size_t len)
{
	static uint8_t req[VR_CTL_MSG_MAX], rep[VR_CTL_MSG_MAX];
	struct vr_ctl_hdr h = { VR_CTL_MAGIC, VR_CTL_VERSION, type, 0, 1 };
	const struct vr_ctl_reply *r = (const struct vr_ctl_reply *)rep;

	h.len = (uint32_t)(sizeof(h) + len);
	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), body, len);
	vr_ctl_handle(&dp, req, h.len, rep, sizeof(rep));
	if (r->status != 0) {
		fprintf(stderr, "vr-tun-bench: control request %u refused: %s\n", type, r->error);
		exit(1);
	}
}

/* Frees whatever the worker sent; returns how many frames. */
static unsigned int
drain(void)
{
	struct rte_mbuf *m[64];
	unsigned int n, total = 0;

	while ((n = rte_ring_dequeue_burst(txr, (void **)m, 64, NULL)) > 0) {
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	return total;
}

/* Runs the worker (and the main lcore's duties) until RX is empty, then flushes. */
static void
run(int slow)
{
	while (rte_ring_count(rxr) > 0) {
		vr_worker_poll(dp.lc[0]);
		if (slow)
			vr_slow_poll(&dp);
	}
	vr_worker_poll(dp.lc[0]);
	vr_worker_flush(dp.lc[0]);
}

/* An mbuf holding frame f[0..len). */
static struct rte_mbuf *
frame(const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);

	if (m == NULL) {
		fprintf(stderr, "vr-tun-bench: no mbuf\n");
		exit(1);
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	return m;
}

static void
inject(const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = frame(f, len);

	if (rte_ring_enqueue(rxr, m) != 0) {
		fprintf(stderr, "vr-tun-bench: no ring room\n");
		exit(1);
	}
}

/* An mbuf holding frame f[0..len) with RTP sequence number seq (and its
 * timestamp) written into the RTP header at rtp. */
static struct rte_mbuf *
frame_seq(const uint8_t *f, size_t len, size_t rtp, uint16_t seq)
{
	struct rte_mbuf *m = frame(f, len);
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, rtp);
	uint32_t ts = rte_cpu_to_be_32(160u * seq);

	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memcpy(p + 4, &ts, 4);
	return m;
}

/* Every drop, by any reason, on every lcore. */
static uint64_t
drops_total(void)
{
	uint64_t sum = 0;
	unsigned int r;

	for (r = 0; r < VR_DROP_MAX; r++)
		sum += vr_shm_sum(dp.shm, r, 1);
	return sum;
}

/* The gateway answers the dataplane's ARP request (every peer is behind it). */
static void
resolve_gateway(void)
{
	uint8_t reply[60];
	unsigned int i;

	for (i = 0; i < 64; i++)
		run(1);
	drain();
	build_arp_reply(reply, (const uint8_t *)&dp.mac, gw_mac, "198.51.100.1", "198.51.100.10");
	inject(reply, sizeof(reply));
	for (i = 0; i < 64; i++)
		run(1);
	drain();
}

int
main(int argc, char **argv)
{
	enum vr_srtp_suite suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80;
	unsigned long calls = 1000, packets = 2000000, done = 0, sent = 0, i;
	uint64_t base_rx = UINT64_MAX, base_tx = 0, base_drop = 0;
	const char *engine = "cryptodev", *dir = "both";
	int plain = 0, usage = 0, up, down, port;
	struct vr_srtp_key k = { .id = 1 };
	struct vr_csrtp_dev own, *sd = NULL;
	struct vr_csrtp_stream *ss = NULL;
	struct vr_config cfg;
	unsigned int worker, q_sbc = 0;
	uint64_t cycles = 0, hz;
	uint8_t *tpl;
	size_t len_a, len_b;
	char shm[40];
	int ret = rte_eal_init(argc, argv);

	if (ret < 0)
		return 1;
	for (int a = ret + 1; a < argc; a++) {
		if (strcmp(argv[a], "--engine") == 0 && a + 1 < argc)
			engine = argv[++a];
		else if (strcmp(argv[a], "--suite") == 0 && a + 1 < argc)
			suite = vr_srtp_suite_parse(argv[++a]);
		else if (strcmp(argv[a], "--calls") == 0 && a + 1 < argc)
			calls = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--packets") == 0 && a + 1 < argc)
			packets = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--dir") == 0 && a + 1 < argc)
			dir = argv[++a];
		else
			usage = 1;
	}
	plain = strcmp(engine, "plain") == 0;
	up = strcmp(dir, "down") != 0;
	down = strcmp(dir, "up") != 0;
	if (usage || (!up && !down) || (strcmp(dir, "both") != 0 && up && down) || suite == 0 ||
			calls < 1 || calls > (plain ? MAX_PLAIN_CALLS : CALLS_PER_ADDR) || packets < 10000 ||
			packets > 100000000 || (!plain && strcmp(engine, "cryptodev") != 0 &&
			strcmp(engine, "libsrtp") != 0)) {
		fprintf(stderr, "usage: vr-tun-bench [EAL options] -- [--engine cryptodev|libsrtp|plain] "
			"[--suite S] [--calls 1-10000, plain 1-500000] [--packets 10000-100000000] "
			"[--dir both|up|down]\n");
		return 2;
	}

	rxr = rte_ring_create("tb_rx", RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr = rte_ring_create("tb_tx", RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	port = rxr != NULL && txr != NULL ? rte_eth_from_rings("net_ring_tb", &rxr, 1, &txr, 1,
		rte_socket_id()) : -1;
	if (port < 0)
		return 1;
	vr_config_defaults(&cfg);
	cfg.n_addrs = (uint32_t)((calls + CALLS_PER_ADDR - 1) / CALLS_PER_ADDR);
	for (i = 0; i < cfg.n_addrs; i++)
		cfg.addrs[i] = htonl(0xc6336400u + 10 + (uint32_t)i); /* 198.51.100.10 + i */
	cfg.prefix_len = 24;
	inet_pton(AF_INET, "198.51.100.1", &cfg.gateway);
	cfg.port_lo = 20000;
	cfg.port_hi = 59999;
	cfg.max_calls = (uint32_t)calls + 16;
	cfg.learn_window_ms = 3600000; /* the first round over a million calls takes a while */
	cfg.srtp_engine = strcmp(engine, "libsrtp") == 0 ? VR_SRTP_ENGINE_LIBSRTP :
		VR_SRTP_ENGINE_CRYPTODEV;
	cfg.nb_mbufs = 8192;
	snprintf(shm, sizeof(shm), "/vr-tun-bench-%d", getpid());
	strcpy(cfg.shm_name, shm);
	worker = rte_lcore_id();
	if (vr_dp_init(&dp, &cfg, (uint16_t)port, &worker, 1) != 0) {
		fprintf(stderr, "vr-tun-bench: the dataplane did not start\n");
		return 1;
	}
	resolve_gateway();

	/* The SBC and the calls; the SBC side's streams on the relay's device
	 * (its main lcore's queue pair, idle here) or on one of its own. */
	k.suite = (uint8_t)suite;
	for (i = 0; i < sizeof(k.master); i++)
		k.master[i] = (uint8_t)(i * 29 + 3);
	if (!plain) {
		struct vr_ctl_sbc s = { .id = SBC_ID, .suite = (uint8_t)suite, .n_keys = 1 };

		s.key[0].id = k.id;
		s.key[0].len = (uint8_t)vr_srtp_master_len(suite);
		memcpy(s.key[0].master, k.master, s.key[0].len);
		ctl(VR_CTL_SBC_SET, &s, sizeof(s));
		if (dp.use_cdev) {
			sd = &dp.cdev;
			q_sbc = dp.n_workers;
		} else if (vr_csrtp_dev_init(&own, "crypto_aesni_mb", 1, (uint32_t)calls, 0) == 0) {
			sd = &own;
		} else {
			fprintf(stderr, "vr-tun-bench: no crypto device for the SBC side\n");
			return 1;
		}
		ss = calloc(calls, sizeof(*ss));
		if (ss == NULL)
			return 1;
		for (i = 0; i < calls; i++)
			if (vr_csrtp_stream_init(sd, &ss[i], &k, VR_TUN_UP, (uint32_t)i + 1,
					(i + 1) ^ dp.boot_epoch, 1) < 0)
				return 1;
	}
	for (i = 0; i < calls; i++) {
		struct vr_ctl_call c;

		memset(&c, 0, sizeof(c));
		snprintf(c.id, sizeof(c.id), "tb-%lu", i);
		c.leg[0].addr = c.leg[1].addr = cfg.addrs[i / CALLS_PER_ADDR];
		if (plain) {
			c.leg[0].port = (uint16_t)(20000 + 4 * (i % CALLS_PER_ADDR));
		} else {
			c.leg[0].flags = VR_CTL_LEG_F_TUNNEL;
			c.leg[0].sbc_id = SBC_ID;
			c.leg[0].channel = (uint32_t)i + 1;
			c.leg[0].epoch = i + 1;
		}
		c.leg[1].port = (uint16_t)(20002 + 4 * (i % CALLS_PER_ADDR));
		ctl(VR_CTL_CALL_ADD, &c, sizeof(c));
	}

	/* Every call's two frames, built once (no UDP checksum, RFC 768: the
	 * sequence number and timestamp are patched in per packet). */
	tpl = calloc(calls, 2 * TPL);
	if (tpl == NULL)
		return 1;
	for (i = 0; i < calls; i++) {
		uint8_t *fb = tpl + 2 * TPL * i, *fa = fb + TPL;
		uint8_t rtp[12 + PAYLOAD], pl[VR_TUN_HDR_LEN + sizeof(rtp)];
		uint16_t rport = (uint16_t)(20000 + 4 * (i % CALLS_PER_ADDR));
		char relay[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &cfg.addrs[i / CALLS_PER_ADDR], relay, sizeof(relay));

		build_rtp(rtp, 0, 0, 0x10000u + (uint32_t)i, PAYLOAD, (uint8_t)i);
		build_udp(fb, (const uint8_t *)&dp.mac, gw_mac, "203.0.113.2",
			(uint16_t)(14000 + 2 * (i % 20000)), relay, (uint16_t)(rport + 2), rtp, sizeof(rtp));
		rtp[8] ^= 0x80; /* leg a's SSRC */
		if (plain) {
			build_udp(fa, (const uint8_t *)&dp.mac, gw_mac, "203.0.113.3",
				(uint16_t)(14000 + 2 * (i % 20000)), relay, rport, rtp, sizeof(rtp));
		} else {
			/* The SBC's datagram: tunnel header, then the RTP packet, which
			 * the SBC side encrypts in place before each send. */
			vr_tun_write(pl, VR_TUN_RTP, k.id, SBC_ID, (uint32_t)i + 1,
				(i + 1) ^ dp.boot_epoch);
			memcpy(pl + VR_TUN_HDR_LEN, rtp, sizeof(rtp));
			build_udp(fa, (const uint8_t *)&dp.mac, gw_mac, "203.0.113.5", 40000,
				"198.51.100.10", VR_TUN_DEFAULT_PORT, pl, sizeof(pl));
		}
		fb[40] = fb[41] = fa[40] = fa[41] = 0;
	}
	len_b = 42 + 12 + PAYLOAD;
	len_a = len_b + (plain ? 0 : VR_TUN_HDR_LEN);

	/* Chunks of CHUNK frames, round robin over the calls, both directions
	 * interleaved. The first pass over every call latches its legs (and the
	 * phone's first packets wait for the SBC's): not measured. */
	hz = rte_get_tsc_hz();
	while (done < packets) {
		struct rte_mbuf *all[CHUNK], *tm[CHUNK / 2];
		struct vr_csrtp_stream *sp[CHUNK / 2];
		uint16_t off[CHUNK / 2];
		uint8_t st[CHUNK / 2];
		unsigned int nt = 0, na = 0, j;
		int warm = sent >= calls;
		uint64_t t0;

		for (j = 0; j < CHUNK / 2; j++) {
			unsigned long c = (unsigned long)((sent + j) % calls * SCATTER % calls);
			uint16_t s = (uint16_t)((sent + j) / calls);
			const uint8_t *fb = tpl + 2 * TPL * c, *fa = fb + TPL;

			if (!warm || down)
				all[na++] = frame_seq(fb, len_b, 42, s);
			if (warm && !up)
				continue;
			if (plain) {
				all[na++] = frame_seq(fa, len_a, 42, s);
				continue;
			}
			tm[nt] = all[na++] = frame_seq(fa, len_a, 42 + VR_TUN_HDR_LEN, s);
			sp[nt] = &ss[c];
			off[nt] = 42 + VR_TUN_HDR_LEN;
			nt++;
		}
		/* The SBC encrypts; its IP and UDP lengths grow by the tag. */
		for (j = 0; j < nt; j += 32) {
			unsigned int b = nt - j < 32 ? nt - j : 32;

			vr_csrtp_protect(sd, (uint16_t)q_sbc, tm + j, off + j, sp + j, st + j, b);
		}
		for (j = 0; j < nt; j++) {
			uint8_t *ip = rte_pktmbuf_mtod_offset(tm[j], uint8_t *, 14);
			uint16_t tot = (uint16_t)(tm[j]->pkt_len - 14), ul = (uint16_t)(tot - 20), ck;

			if (st[j] != VR_CSRTP_OK)
				return 1;
			ip[2] = (uint8_t)(tot >> 8);
			ip[3] = (uint8_t)tot;
			ip[10] = ip[11] = 0;
			ck = ref_ip_cksum(ip);
			ip[10] = (uint8_t)(ck >> 8);
			ip[11] = (uint8_t)ck;
			ip[24] = (uint8_t)(ul >> 8);
			ip[25] = (uint8_t)ul;
			ip[26] = ip[27] = 0; /* no UDP checksum (RFC 768) */
		}
		if (rte_ring_enqueue_bulk(rxr, (void **)all, na, NULL) != na)
			return 1;
		sent += CHUNK / 2;
		if (warm && base_rx == UINT64_MAX) {
			base_rx = vr_shm_sum(dp.shm, VR_GC_RX_PKTS, 0);
			base_tx = vr_shm_sum(dp.shm, VR_GC_TX_PKTS, 0);
			base_drop = drops_total();
		}
		t0 = rte_rdtsc();
		run(0);
		if (warm) {
			cycles += rte_rdtsc() - t0;
			done += na;
		}
		drain();
	}
	{
		uint64_t rx = vr_shm_sum(dp.shm, VR_GC_RX_PKTS, 0) - base_rx;
		uint64_t tx = vr_shm_sum(dp.shm, VR_GC_TX_PKTS, 0) - base_tx;
		uint64_t dropped = drops_total() - base_drop;

		printf("{\"engine\":\"%s\",\"suite\":\"%s\",\"calls\":%lu,\"packets\":%lu,"
			"\"rx\":%lu,\"tx\":%lu,\"dropped\":%lu,\"cycles_per_pkt\":%.1f,"
			"\"ns_per_pkt\":%.1f,\"mpps\":%.3f}\n", engine,
			plain ? "none" : vr_srtp_suite_name(suite), calls, done, (unsigned long)rx,
			(unsigned long)tx, (unsigned long)dropped, (double)cycles / (double)done,
			(double)cycles * 1e9 / (double)hz / (double)done,
			(double)done * (double)hz / (double)cycles / 1e6);
		ret = dropped != 0 || rx != done || tx != done;
		if (ret)
			fprintf(stderr, "vr-tun-bench: not every packet was relayed\n");
	}
	if (ss != NULL) {
		for (i = 0; i < calls; i++)
			vr_csrtp_stream_fini(sd, &ss[i]);
		if (sd == &own)
			vr_csrtp_dev_fini(&own);
		free(ss);
	}
	free(tpl);
	vr_dp_fini(&dp);
	rte_eal_cleanup();
	return ret;
}
