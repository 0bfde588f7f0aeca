/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * voxrelay-dp: start-up and shutdown. Initializes EAL, parses our options,
 * builds the dataplane (dp.c), starts a worker (relay.c) on every lcore but
 * the main one, then runs the slow path (slowpath.c) on the main lcore until
 * SIGINT or SIGTERM. The only place that calls rte_exit().
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_log.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "config.h"
#include "ctl.h"
#include "dp.h"
#include "relay.h"
#include "slowpath.h"

static struct vr_dp vr_dp;

static void
on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&vr_dp.quit, 1, __ATOMIC_RELAXED);
}

int
main(int argc, char **argv)
{
	unsigned int workers[VR_MAX_WORKERS];
	unsigned int n_workers = 0, lcore;
	struct vr_config cfg;
	int ret, i;

	/* --help before EAL, so that it works without hugepages or privileges. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			vr_config_usage(stdout, argv[0]);
			return 0;
		}
	}
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL initialization failed: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	/* The log to stderr only (the journal, under systemd): EAL's default also
	 * calls syslog() for every line, which opens and closes a socket each
	 * time (tens of microseconds of the main lcore per line). */
	rte_openlog_stream(stderr);
	argv[0] = (char *)"voxrelay-dp";
	vr_config_defaults(&cfg);
	ret = vr_config_parse(&cfg, argc, argv, stdout, stderr);
	if (ret != 0)
		rte_exit(ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE, "%s", ret > 0 ? "" :
			"bad command line (see voxrelay-dp --help)\n");
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (n_workers == VR_MAX_WORKERS)
			rte_exit(EXIT_FAILURE, "more than %d worker lcores\n", VR_MAX_WORKERS);
		workers[n_workers++] = lcore;
	}
	if (n_workers == 0)
		rte_exit(EXIT_FAILURE, "no worker lcore: give the main lcore and at least one "
			"more, e.g. -l 0,1\n");
	if (rte_eth_dev_count_avail() == 0)
		rte_exit(EXIT_FAILURE, "no DPDK port: give a device or a --vdev\n");
	ret = vr_dp_init(&vr_dp, &cfg, cfg.port_id, workers, n_workers);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "dataplane set-up failed: %s\n", strerror(-ret));
	ret = vr_ctl_open(&vr_dp);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "control socket '%s': %s\n", cfg.ctl_path, strerror(-ret));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (i = 0; i < (int)n_workers; i++)
		rte_eal_remote_launch(vr_worker_main, vr_dp.lc[i], workers[i]);
	VR_LOG(INFO, "relaying on %u address(es), ports %u-%u, %u worker(s); shm %s",
		cfg.n_addrs, cfg.port_lo, cfg.port_hi, n_workers, cfg.shm_name);
	while (!__atomic_load_n(&vr_dp.quit, __ATOMIC_RELAXED))
		vr_slow_poll(&vr_dp);
	VR_LOG(INFO, "stopping");
	rte_eal_mp_wait_lcore();
	vr_dp_fini(&vr_dp);
	rte_eal_cleanup();
	return 0;
}
