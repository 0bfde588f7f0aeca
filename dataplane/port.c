/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up; see port.h. Works on any ethdev: a real NIC, or net_af_packet,
 * net_tap, net_memif, net_pcap, net_ring. Offloads are used where the port
 * reports them and replaced by software otherwise.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "port.h"

int
vr_port_init(struct vr_dp *dp)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxq;
	struct rte_eth_txconf txq;
	uint16_t nb_rxd = 1024, nb_txd = 1024;
	uint16_t port = dp->port_id;
	int socket = rte_eth_dev_socket_id(port);
	unsigned int q;
	int rc;

	if (!rte_eth_dev_is_valid_port(port)) {
		VR_LOG(ERR, "port %u does not exist (%u ports probed)", port,
			rte_eth_dev_count_avail());
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	if (info.max_rx_queues < dp->n_workers || info.max_tx_queues < dp->n_workers) {
		VR_LOG(ERR, "port %u (%s) has %u RX / %u TX queues, %u workers need one each",
			port, info.driver_name, info.max_rx_queues, info.max_tx_queues,
			dp->n_workers);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	if (dp->n_workers > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_UDP) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_UDP | RTE_ETH_RSS_IP);
	} else if (dp->n_workers > 1) {
		VR_LOG(WARNING, "port %u (%s) has no UDP RSS: queues get what the driver "
			"spreads, calls reach their owner lcore by handoff", port, info.driver_name);
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		dp->tx_ip_cksum = true;
	}
	if ((info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)) ==
			(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
		dp->rx_cksum = true;
	}
	rc = rte_eth_dev_configure(port, dp->n_workers, dp->n_workers, &conf);
	if (rc != 0) {
		VR_LOG(ERR, "port %u: configure failed: %s", port, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	rxq = info.default_rxconf;
	rxq.offloads = conf.rxmode.offloads;
	txq = info.default_txconf;
	txq.offloads = conf.txmode.offloads;
	for (q = 0; q < dp->n_workers; q++) {
		int qsock = socket == SOCKET_ID_ANY ?
			(int)rte_lcore_to_socket_id(dp->lc[q]->lcore_id) : socket;

		rc = rte_eth_rx_queue_setup(port, q, nb_rxd, qsock, &rxq, dp->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, nb_txd, qsock, &txq);
		if (rc != 0) {
			VR_LOG(ERR, "port %u: queue %u set-up failed: %s", port, q,
				rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0) {
		VR_LOG(ERR, "port %u: start failed: %s", port, rte_strerror(-rc));
		return rc;
	}
	rte_eth_macaddr_get(port, &dp->mac);
	VR_LOG(INFO, "port %u (%s): %u queue pair(s), RSS %s, TX IPv4 checksum %s, "
		"RX checksum flags %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", port, info.driver_name,
		dp->n_workers, conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? "on" : "off",
		dp->tx_ip_cksum ? "offloaded" : "in software", dp->rx_cksum ? "on" : "off",
		dp->mac.addr_bytes[0], dp->mac.addr_bytes[1], dp->mac.addr_bytes[2],
		dp->mac.addr_bytes[3], dp->mac.addr_bytes[4], dp->mac.addr_bytes[5]);
	return 0;
}
