/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's loop body: serves the control socket, handles the ARP and
 * the SBC hellos that workers passed up, resolves the next hops they asked
 * for, runs the neighbour and SBC key timers and refreshes the clock in the
 * shared memory. Never blocks longer than the control socket's 1 ms poll.
 */
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"

void
vr_slow_poll(struct vr_dp *dp)
{
	struct rte_mbuf *pkts[VR_BURST];
	uint32_t hosts[VR_BURST];
	uint64_t now;
	unsigned int n, i;

	if (dp->ctl_fd >= 0)
		vr_ctl_poll(dp);
	now = rte_rdtsc();
	n = rte_ring_sc_dequeue_burst(dp->slow_rx, (void **)pkts, VR_BURST, NULL);
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
			vr_sbc_hello_input(dp, pkts[i]);
		else
			vr_neigh_input(dp, pkts[i], now);
	}
	n = rte_ring_sc_dequeue_burst_elem(dp->resolve, hosts, sizeof(hosts[0]), VR_BURST, NULL);
	for (i = 0; i < n; i++)
		vr_neigh_resolve(dp, hosts[i], now);
	vr_neigh_timers(dp, now);
	vr_sbc_timers(dp, now);
	vr_shm_tick(dp, now);
}
