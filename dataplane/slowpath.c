/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's loop body: handles the ARP and the SBC hellos that
 * workers passed up (each on a ring of its own, so that hellos never crowd
 * out ARP), resolves the next hops they asked for, runs the neighbour and
 * SBC key timers, refreshes the clock in the shared memory and serves the
 * control socket. Sleeps, in the control socket's poll, for at most 1 ms and
 * only when none of its rings holds anything. Measures its own passes, that
 * sleep left out: the longest is how long ARP, hellos and the control socket
 * can wait for it (VR_CTL_HEALTH's loop_pause_*).
 */
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "calls.h"
#include "ctl.h"
#include "dp.h"
#include "neigh.h"
#include "sbc.h"
#include "shm.h"
#include "slowpath.h"

/* Accounts a pass from start to end, less its sleep in the control socket's poll. */
static void
pause_note(struct vr_dp *dp, uint64_t start, uint64_t end)
{
	uint64_t pass = end - start - dp->ctl_wait_tsc;

	if (end - dp->pause_window_tsc >= dp->tsc_hz) {
		dp->pause_prev_tsc = end - dp->pause_window_tsc < 2 * dp->tsc_hz ?
			dp->pause_cur_tsc : 0;
		dp->pause_cur_tsc = 0;
		dp->pause_window_tsc = end;
	}
	if (pass > dp->pause_cur_tsc)
		dp->pause_cur_tsc = pass;
	if (pass > dp->pause_max_tsc)
		dp->pause_max_tsc = pass;
}

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
	dp->ctl_wait_tsc = 0;
	if (dp->ctl_fd >= 0)
		vr_ctl_poll(dp, idle ? 1 : 0);
	pause_note(dp, now, rte_rdtsc());
}
