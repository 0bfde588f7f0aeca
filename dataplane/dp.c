/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builds and tears down the dataplane context (dp.h) after EAL is up: mbuf
 * pool and lcore contexts on the port's NUMA node, rings, RCU, the shared
 * memory, the neighbour and flow tables, the port, and the control socket.
 * Runs on the main lcore before the workers start (and in the EAL tests).
 */
#include <errno.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "calls.h"
#include "ctl.h"
#include "dp.h"
#include "neigh.h"
#include "sbc.h"
#include "shm.h"
#include "tunleg.h"
#include "hellolimit.h"
#include "port.h"

RTE_LOG_REGISTER(vr_logtype_dp, user.voxrelay.dp, INFO);

static int
lcore_init(struct vr_dp *dp, unsigned int idx, unsigned int lcore_id)
{
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	int port_socket = rte_eth_dev_socket_id(dp->port_id);
	char name[RTE_RING_NAMESIZE];
	struct vr_lcore *lc;

	if (port_socket != SOCKET_ID_ANY && port_socket != socket)
		VR_LOG(WARNING, "worker lcore %u is on NUMA node %d, port %u on node %d: "
			"every packet crosses the interconnect", lcore_id, socket, dp->port_id,
			port_socket);
	lc = rte_zmalloc_socket("vr_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE, socket);
	if (lc == NULL)
		return -ENOMEM;
	lc->dp = dp;
	lc->idx = (uint16_t)idx;
	lc->lcore_id = lcore_id;
	lc->drain_tsc = dp->tsc_hz / 1000000 * VR_TX_DRAIN_US;
	for (lc->n_free = 0; lc->n_free < VR_FLIGHT; lc->n_free++)
		lc->free_slot[lc->n_free] = (uint16_t)(VR_FLIGHT - 1 - lc->n_free);
	snprintf(name, sizeof(name), "vr_handoff_%u", idx);
	lc->handoff = rte_ring_create(name, 4096, socket, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "vr_slowtx_%u", idx);
	lc->slow_tx = rte_ring_create(name, 1024, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	lc->hello = vr_hello_limit_new(dp, socket);
	dp->lc[idx] = lc;
	if (lc->handoff == NULL || lc->slow_tx == NULL || lc->hello == NULL)
		return -ENOMEM;
	return 0;
}

/*
 * The tunnels' SRTP engine: the crypto device when it starts (required with
 * --srtp-engine cryptodev), else libsrtp, said in the log either way. The
 * device is --crypto-dev, else the first one the EAL found that does both
 * suites (a hardware device), else the ipsec-mb software one where the CPU
 * has AES-NI (without it, auto means libsrtp). It has a queue
 * pair per worker and one for the main lcore, and session room for two
 * keys, both directions, of up to 16,384 tunnel legs.
 */
static int
srtp_engine_init(struct vr_dp *dp, int socket)
{
	uint32_t legs = RTE_MIN(2 * dp->cfg.max_calls, 16384u);
	int rc;

	if (dp->cfg.srtp_engine == VR_SRTP_ENGINE_LIBSRTP) {
		VR_LOG(INFO, "tunnel SRTP through libsrtp (--srtp-engine libsrtp)");
		return 0;
	}
	/* A device the EAL already found (hardware, or a --vdev) first; the
	 * software one only where the CPU has AES-NI, unless asked for. */
	if (!dp->cfg.crypto_dev_given &&
			vr_csrtp_dev_pick(dp->cfg.crypto_dev, sizeof(dp->cfg.crypto_dev)) < 0 &&
			!rte_cpu_get_flag_enabled(RTE_CPUFLAG_AES)) {
		if (dp->cfg.srtp_engine == VR_SRTP_ENGINE_AUTO) {
			VR_LOG(WARNING, "no crypto device and no AES-NI for the software one: "
				"tunnel SRTP through libsrtp");
			return 0;
		}
		VR_LOG(WARNING, "the CPU has no AES-NI: %s runs without it (slowly)",
			dp->cfg.crypto_dev);
	}
	rc = vr_csrtp_dev_init(&dp->cdev, dp->cfg.crypto_dev, (uint16_t)(dp->n_workers + 1),
		2 * legs, socket);
	if (rc == 0) {
		dp->use_cdev = true;
		VR_LOG(INFO, "tunnel SRTP through cryptodev %s (%u queue pairs)", dp->cfg.crypto_dev,
			dp->n_workers + 1);
		return 0;
	}
	if (dp->cfg.srtp_engine == VR_SRTP_ENGINE_CRYPTODEV) {
		VR_LOG(ERR, "crypto device '%s' did not start (%s)", dp->cfg.crypto_dev,
			strerror(-rc));
		return rc;
	}
	VR_LOG(WARNING, "no usable crypto device '%s' (%s): tunnel SRTP through libsrtp",
		dp->cfg.crypto_dev, strerror(-rc));
	return 0;
}

int
vr_dp_init(struct vr_dp *dp, const struct vr_config *cfg, uint16_t port_id,
	const unsigned int *worker_lcores, unsigned int n_workers)
{
	int socket = rte_eth_dev_socket_id(port_id);
	size_t qs_size;
	unsigned int i;
	int rc;

	memset(dp, 0, sizeof(*dp));
	dp->cfg = *cfg;
	/* A standby answers for no address until control makes one active. */
	dp->addrs_active = cfg->standby ? 0 :
		cfg->n_addrs >= 64 ? ~0ull : (1ull << cfg->n_addrs) - 1;
	dp->ctl_fd = -1;
	dp->port_id = port_id;
	dp->n_workers = (uint16_t)n_workers;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->start_tsc = rte_rdtsc();
	dp->n_ports = (uint32_t)cfg->port_hi - cfg->port_lo + 1;
	if (n_workers == 0 || n_workers > VR_MAX_WORKERS) {
		VR_LOG(ERR, "%u worker lcores: give 1 to %d besides the main lcore (-l)",
			n_workers, VR_MAX_WORKERS);
		return -EINVAL;
	}
	if (socket == SOCKET_ID_ANY)
		socket = (int)rte_socket_id();
	dp->pool = rte_pktmbuf_pool_create("vr_mbufs", cfg->nb_mbufs, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (dp->pool == NULL) {
		VR_LOG(ERR, "cannot create a pool of %u mbufs on node %d: %s", cfg->nb_mbufs,
			socket, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	qs_size = rte_rcu_qsbr_get_memsize(n_workers);
	dp->qs = rte_zmalloc("vr_rcu", qs_size, RTE_CACHE_LINE_SIZE);
	if (dp->qs == NULL || rte_rcu_qsbr_init(dp->qs, n_workers) != 0)
		return -ENOMEM;
	/* ARP and hellos on rings of their own: no flood of hellos crowds out ARP. */
	dp->slow_rx = rte_ring_create("vr_slow_rx", 1024, socket, RING_F_SC_DEQ);
	dp->hello_rx = rte_ring_create("vr_hello_rx", 1024, socket, RING_F_SC_DEQ);
	dp->resolve = rte_ring_create_elem("vr_resolve", sizeof(uint32_t), 1024, socket,
		RING_F_SC_DEQ);
	if (dp->slow_rx == NULL || dp->hello_rx == NULL || dp->resolve == NULL)
		return -ENOMEM;
	for (i = 0; i < n_workers; i++) {
		rc = lcore_init(dp, i, worker_lcores[i]);
		if (rc < 0)
			return rc;
		rte_rcu_qsbr_thread_register(dp->qs, i);
	}
	rc = vr_shm_create(dp, n_workers);
	if (rc < 0)
		return rc;
	for (i = 0; i < n_workers; i++)
		dp->lc[i]->ctr = vr_dp_lcore_row(dp, i);
	dp->ft = rte_zmalloc("vr_flow_table",
		sizeof(*dp->ft) * dp->n_ports * cfg->n_addrs, RTE_CACHE_LINE_SIZE);
	if (dp->ft == NULL)
		return -ENOMEM;
	rc = vr_neigh_init(dp);
	if (rc < 0)
		return rc;
	rc = vr_sbc_init(dp);
	if (rc < 0)
		return rc;
	rc = vr_tun_legs_init(dp);
	if (rc < 0)
		return rc;
	rc = srtp_engine_init(dp, socket);
	if (rc < 0)
		return rc;
	rc = vr_calls_init(dp);
	if (rc < 0)
		return rc;
	rc = vr_port_init(dp);
	if (rc < 0)
		return rc;
	vr_neigh_resolve(dp, dp->neigh.gw_idx, rte_rdtsc());
	return 0;
}

/* Frees the mbufs still queued in r, then r. */
static void
ring_drain_free(struct rte_ring *r)
{
	void *m;

	if (r == NULL)
		return;
	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

void
vr_dp_fini(struct vr_dp *dp)
{
	unsigned int i;

	vr_ctl_close(dp);
	if (rte_eth_dev_is_valid_port(dp->port_id)) {
		rte_eth_dev_stop(dp->port_id);
		rte_eth_dev_close(dp->port_id);
	}
	vr_calls_fini(dp);
	vr_tun_legs_fini(dp);
	vr_sbc_fini(dp);
	if (dp->use_cdev)
		vr_csrtp_dev_fini(&dp->cdev);
	dp->use_cdev = false;
	vr_neigh_fini(dp);
	rte_free(dp->ft);
	dp->ft = NULL;
	vr_shm_destroy(dp);
	for (i = 0; i < dp->n_workers; i++) {
		if (dp->lc[i] == NULL)
			continue;
		/* The port is closed: whatever is still buffered is dropped. */
		while (dp->lc[i]->tx_n > 0)
			rte_pktmbuf_free(dp->lc[i]->tx[--dp->lc[i]->tx_n]);
		ring_drain_free(dp->lc[i]->handoff);
		ring_drain_free(dp->lc[i]->slow_tx);
		rte_free(dp->lc[i]->hello);
		rte_free(dp->lc[i]);
		dp->lc[i] = NULL;
	}
	ring_drain_free(dp->slow_rx);
	ring_drain_free(dp->hello_rx);
	rte_ring_free(dp->resolve);
	rte_free(dp->qs);
	rte_mempool_free(dp->pool);
	dp->slow_rx = NULL;
	dp->hello_rx = NULL;
	dp->resolve = NULL;
	dp->qs = NULL;
	dp->pool = NULL;
}
