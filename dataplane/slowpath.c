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
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "calls.h"
#include "ctl.h"
#include "dp.h"
#include "hello.h"
#include "neigh.h"
#include "sbc.h"
#include "shm.h"
#include "slowpath.h"

/* This thread's CPU time in ns (it does not run while preempted or asleep). */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Accounts a pass from start to end (TSC), less its sleep in the control
 * socket's poll, and its CPU time busy (ns).
 */
static void
pause_note(struct vr_dp *dp, uint64_t start, uint64_t end, uint64_t busy)
{
	uint64_t pass = end - start - dp->ctl_wait_tsc;

	if (end - dp->pause_window_tsc >= dp->tsc_hz) {
		int last = end - dp->pause_window_tsc < 2 * dp->tsc_hz;

		dp->pause_prev_tsc = last ? dp->pause_cur_tsc : 0;
		dp->busy_prev_ns = last ? dp->busy_cur_ns : 0;
		dp->pause_cur_tsc = 0;
		dp->busy_cur_ns = 0;
		dp->pause_window_tsc = end;
	}
	dp->pause_cur_tsc = RTE_MAX(dp->pause_cur_tsc, pass);
	dp->pause_max_tsc = RTE_MAX(dp->pause_max_tsc, pass);
	dp->busy_cur_ns = RTE_MAX(dp->busy_cur_ns, busy);
	dp->busy_max_ns = RTE_MAX(dp->busy_max_ns, busy);
}

void
vr_slow_poll(struct vr_dp *dp)
{
	struct rte_mbuf *pkts[VR_BURST];
	uint32_t hosts[VR_BURST];
	uint64_t now, cpu0;
	unsigned int n, i;
	int idle;

	now = rte_rdtsc();
	cpu0 = cpu_ns();
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
	pause_note(dp, now, rte_rdtsc(), cpu_ns() - cpu0);
}
