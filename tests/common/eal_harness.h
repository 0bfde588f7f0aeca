/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL tests' harness: a real EAL (--no-huge) with a net_ring port the
 * test feeds and drains, the dataplane on it, and helpers to inject frames,
 * run the workers and the main lcore, take what was sent, read the drop
 * counters, resolve the gateway and send control requests. The test thread
 * plays both the main lcore and every worker (kept RCU-offline, so grace
 * periods do not wait for it). Included by each EAL test file.
 */
#ifndef VR_TEST_EAL_HARNESS_H
#define VR_TEST_EAL_HARNESS_H

#include <stdio.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/calls.h"
#include "dataplane/ctl.h"
#include "dataplane/dp.h"
#include "dataplane/neigh.h"
#include "dataplane/relay.h"
#include "dataplane/sbc.h"
#include "dataplane/slowpath.h"
#include "tests/common/pktbuild.h"

static struct vr_dp dp;
static struct rte_ring *rxr[2], *txr[2];
static const uint8_t gw_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static uint8_t our_mac[6];
/* The tunnels' SRTP engine the dataplane is set up with (enum vr_srtp_engine). */
static int harness_engine = VR_SRTP_ENGINE_AUTO;
/* Its crypto device (--crypto-dev), or NULL for the dataplane's own choice. */
static const char *harness_crypto_dev;

/* EAL, a net_ring port with one queue pair per worker, and the dataplane on it.
 * Every worker is driven by the test thread. Relay addresses .10 and .11. */
static inline void
setup_workers(unsigned int n)
{
	char shm[32], prefix[32];
	char *argv[] = { "test", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--file-prefix", prefix, "--log-level", "*:warning", NULL };
	unsigned int workers[2];
	struct vr_config cfg;
	unsigned int i;
	int port;

	snprintf(prefix, sizeof(prefix), "vreal%d", getpid());
	cr_assert_geq(rte_eal_init(12, argv), 0, "EAL init failed");
	for (i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t_rx%u", i);
		rxr[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "t_tx%u", i);
		txr[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	port = rte_eth_from_rings("net_ring_t", rxr, n, txr, n, 0);
	cr_assert_geq(port, 0);
	vr_config_defaults(&cfg);
	inet_pton(AF_INET, "198.51.100.10", &cfg.addrs[0]);
	inet_pton(AF_INET, "198.51.100.11", &cfg.addrs[1]);
	cfg.n_addrs = 2;
	cfg.prefix_len = 24;
	inet_pton(AF_INET, "198.51.100.1", &cfg.gateway);
	cfg.port_lo = 20000;
	cfg.port_hi = 20999;
	cfg.max_calls = 64;
	cfg.srtp_engine = (uint8_t)harness_engine;
	if (harness_crypto_dev != NULL) {
		snprintf(cfg.crypto_dev, sizeof(cfg.crypto_dev), "%s", harness_crypto_dev);
		cfg.crypto_dev_given = 1;
	}
	cfg.nb_mbufs = 2048;
	snprintf(shm, sizeof(shm), "/vr-eal-%d", getpid());
	strcpy(cfg.shm_name, shm);
	workers[0] = rte_lcore_id();
	workers[1] = rte_lcore_id();
	cr_assert_eq(vr_dp_init(&dp, &cfg, (uint16_t)port, workers, n), 0);
	memcpy(our_mac, &dp.mac, 6);
}

static inline void
eal_setup(void)
{
	setup_workers(1);
}

static inline void
eal_setup2(void)
{
	setup_workers(2);
}

static inline void
eal_teardown(void)
{
	vr_dp_fini(&dp);
	rte_eal_cleanup();
}


/* Puts a frame on RX queue q. */
static inline void
inject_q(unsigned int q, const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);

	cr_assert_not_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	cr_assert_eq(rte_ring_enqueue(rxr[q], m), 0);
}

static inline void
inject(const uint8_t *f, size_t len)
{
	inject_q(0, f, len);
}

/* Runs every worker and the main lcore for a few rounds, flushing TX. */
static inline void
run(void)
{
	unsigned int i, w;

	for (i = 0; i < 32; i++) {
		for (w = 0; w < dp.n_workers; w++)
			vr_worker_poll(dp.lc[w]);
		vr_slow_poll(&dp);
	}
	for (w = 0; w < dp.n_workers; w++)
		vr_worker_flush(dp.lc[w]);
}

/* Takes the next frame sent on TX queue q into f; returns its length, or 0. */
static inline size_t
sent_q(unsigned int q, uint8_t *f)
{
	struct rte_mbuf *m;
	size_t len;

	if (rte_ring_dequeue(txr[q], (void **)&m) != 0)
		return 0;
	len = rte_pktmbuf_pkt_len(m);
	memcpy(f, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	return len;
}

static inline size_t
sent(uint8_t *f)
{
	return sent_q(0, f);
}

static inline uint64_t
drops(enum vr_drop_reason r)
{
	return vr_shm_sum(dp.shm, r, 1);
}

/* Resolves the gateway: checks the ARP request byte by byte, answers it. */
static inline void
resolve_gateway(void)
{
	uint8_t f[128], want[42], reply[60];
	size_t n;

	run();
	n = sent(f);
	cr_assert_eq(n, 42, "want one 42-byte ARP request, got %zu bytes", n);
	memset(want, 0xff, 6);
	memcpy(want + 6, our_mac, 6);
	memcpy(want + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
	memcpy(want + 22, our_mac, 6);
	memcpy(want + 28, "\xc6\x33\x64\x0a", 4);       /* 198.51.100.10 */
	memset(want + 32, 0, 6);
	memcpy(want + 38, "\xc6\x33\x64\x01", 4);       /* 198.51.100.1 */
	cr_assert_arr_eq(f, want, 42, "ARP request bytes differ");
	/* The gateway answers. */
	build_arp_reply(reply, our_mac, gw_mac, "198.51.100.1", "198.51.100.10");
	inject(reply, sizeof(reply));
	run();
	cr_assert(__atomic_load_n(&dp.neigh.word[1], __ATOMIC_RELAXED) & VR_NEIGH_VALID,
		"gateway not resolved");
}

/* Request type with body[0..len), handled in process: the reply (valid until the next). */
static inline const struct vr_ctl_reply *
ctl_reply(uint16_t type, const void *body, size_t len)
{
	static uint8_t req[VR_CTL_MSG_MAX], rep[VR_CTL_MSG_MAX];
	struct vr_ctl_hdr h = { VR_CTL_MAGIC, VR_CTL_VERSION, type, 0, 1 };

	h.len = (uint32_t)(sizeof(h) + len);
	memcpy(req, &h, sizeof(h));
	memcpy(req + sizeof(h), body, len);
	vr_ctl_handle(&dp, req, h.len, rep, sizeof(rep));
	return (const struct vr_ctl_reply *)rep;
}

static inline void
ctl(uint16_t type, const void *body, size_t len, int want_status)
{
	const struct vr_ctl_reply *r = ctl_reply(type, body, len);

	cr_assert_eq(r->status, want_status, "type %u: status %d (%s)", type, r->status, r->error);
}

#endif /* VR_TEST_EAL_HARNESS_H */
