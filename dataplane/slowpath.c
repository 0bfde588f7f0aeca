/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's loop body: handles the ARP and the SBC hellos that
 * workers passed up (each on a ring of its own, so that hellos never crowd
 * out ARP), resolves the next hops they asked for, runs the neighbour and
 * SBC key timers, refreshes the clock in the shared memory and serves the
 * control socket. Sleeps, in the control socket's poll, for at most 1 ms and
 * only when none of its rings holds anything.
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
	int idle;

	now = rte_rdtsc();
	n = rte_ring_sc_dequeue_burst(dp->slow_rx, (void **)pkts, VR_BURST, NULL);
	for (i = 0; i < n; i++)
		vr_neigh_input(dp, pkts[i], now);
	n = rte_ring_sc_dequeue_burst(dp->hello_rx, (void **)pkts, VR_BURST, NULL);
	for (i = 0; i < n; i++)
		vr_sbc_hello_input(dp, pkts[i]);
	n = rte_ring_sc_dequeue_burst_elem(dp->resolve, hosts, sizeof(hosts[0]), VR_BURST, NULL);
	for (i = 0; i < n; i++)
		vr_neigh_resolve(dp, hosts[i], now);
	vr_neigh_timers(dp, now);
	vr_sbc_timers(dp, now);
	vr_shm_tick(dp, now);
	vr_calls_reclaim(dp);
	/* A 1 ms sleep per pass would cap what it takes from each ring at 32
	 * a millisecond: it sleeps only when they are all empty. */
	idle = rte_ring_empty(dp->slow_rx) && rte_ring_empty(dp->hello_rx) &&
		rte_ring_empty(dp->resolve);
	if (dp->ctl_fd >= 0)
		vr_ctl_poll(dp, idle ? 1 : 0);
}
