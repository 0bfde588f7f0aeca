/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creates and maintains the stats shared memory (include/voxrelay/shm.h).
 * Runs on the main lcore: creates the object at start, refreshes the clock
 * fields every pass of the slow path, unlinks it at exit. Worker lcores write
 * their counter rows and their calls' flow rows into it directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_random.h>

#include "dp.h"
#include "shm.h"

static uint64_t
unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Backs the region with 2 MiB pages where the kernel gives a file in
 * /dev/shm them, then faults it all in. Every relayed packet writes its call
 * slot here: with 4 KiB pages and a million flows (900 MB of slots) nearly
 * each one costs a page walk besides its cache miss. A tmpfs gives huge
 * pages on madvise only when mounted with huge=advise (or more):
 * scripts/voxrelay-hugepages remounts /dev/shm so; without it the region
 * works on small pages, and the log says so.
 */
static void
huge_advice(struct vr_dp *dp, void *p, uint64_t size)
{
	char line[512], opts[256] = "";
	FILE *f = fopen("/proc/mounts", "r");
	uint64_t off;

	/* The options of the last tmpfs mounted on /dev/shm: the one in force. */
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		(void)sscanf(line, "%*s /dev/shm tmpfs %255s", opts);
	if (f != NULL)
		fclose(f);
	if (madvise(p, size, MADV_HUGEPAGE) < 0 || strstr(opts, "huge=") == NULL ||
			strstr(opts, "huge=never") != NULL || strstr(opts, "huge=deny") != NULL)
		VR_LOG(NOTICE, "shared memory '%s' (%lu MB) is on 4 KiB pages: /dev/shm (%s) gives "
			"no huge pages; scripts/voxrelay-hugepages remounts it with huge=advise",
			dp->cfg.shm_name, (unsigned long)(size >> 20), opts[0] ? opts : "not a tmpfs");
	/* As MAP_POPULATE would, after the advice (a fault decides the page size). */
	if (madvise(p, size, MADV_POPULATE_WRITE) == 0)
		return;
	for (off = 0; off < size; off += 4096)
		((volatile uint8_t *)p)[off] = 0;
}

int
vr_shm_create(struct vr_dp *dp, unsigned int n_workers)
{
	uint64_t lcores_off = RTE_ALIGN_CEIL(sizeof(struct vr_shm_hdr), 64);
	uint64_t calls_off = lcores_off + n_workers * sizeof(struct vr_shm_lcore);
	uint64_t sbcs_off = calls_off + (uint64_t)dp->cfg.max_calls * sizeof(struct vr_shm_call);
	uint64_t sbc_ctrs_off = sbcs_off + (uint64_t)dp->cfg.max_sbcs * sizeof(struct vr_shm_sbc);
	uint64_t size = sbc_ctrs_off +
		(uint64_t)(n_workers + 1) * dp->cfg.max_sbcs * sizeof(struct vr_shm_sbc_ctr);
	struct vr_shm_hdr *h;
	void *p;
	int fd;

	/* A new object each start: readers holding the old one see its heartbeat stop. */
	shm_unlink(dp->cfg.shm_name);
	fd = shm_open(dp->cfg.shm_name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0640);
	if (fd < 0) {
		VR_LOG(ERR, "shm_open('%s'): %s", dp->cfg.shm_name, strerror(errno));
		return -errno;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;

		VR_LOG(ERR, "cannot size shared memory '%s' to %lu bytes: %s", dp->cfg.shm_name,
			(unsigned long)size, strerror(e));
		close(fd);
		shm_unlink(dp->cfg.shm_name);
		return -e;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		shm_unlink(dp->cfg.shm_name);
		return -errno;
	}
	huge_advice(dp, p, size);
	h = p;
	h->version_major = VR_SHM_VERSION_MAJOR;
	h->version_minor = VR_SHM_VERSION_MINOR;
	h->hdr_size = sizeof(*h);
	h->lcore_size = sizeof(struct vr_shm_lcore);
	h->call_size = sizeof(struct vr_shm_call);
	h->n_global = VR_GC_MAX;
	h->n_drop = VR_DROP_MAX;
	h->n_flow = VR_FC_MAX;
	h->n_lcores = n_workers;
	h->max_calls = dp->cfg.max_calls;
	h->lcores_off = lcores_off;
	h->calls_off = calls_off;
	h->total_size = size;
	h->boot_id = rte_rand();
	h->pid = (uint64_t)getpid();
	h->tsc_hz = dp->tsc_hz;
	h->start_unix_ns = unix_ns();
	h->idle_timeout_ms = dp->cfg.idle_timeout_ms;
	h->n_addrs = dp->cfg.n_addrs;
	h->port_lo = dp->cfg.port_lo;
	h->port_hi = dp->cfg.port_hi;
	memcpy(h->addrs, dp->cfg.addrs, sizeof(uint32_t) * dp->cfg.n_addrs);
	h->max_sbcs = dp->cfg.max_sbcs;
	h->sbc_size = sizeof(struct vr_shm_sbc);
	h->sbc_ctr_size = sizeof(struct vr_shm_sbc_ctr);
	h->tunnel_port = dp->cfg.tunnel_port;
	h->sbcs_off = sbcs_off;
	h->sbc_ctrs_off = sbc_ctrs_off;
	dp->shm = h;
	dp->shm_calls = (struct vr_shm_call *)((char *)p + calls_off);
	dp->shm_sbcs = (struct vr_shm_sbc *)((char *)p + sbcs_off);
	dp->shm_sbc_ctrs = (struct vr_shm_sbc_ctr *)((char *)p + sbc_ctrs_off);
	dp->shm_size = size;
	vr_shm_tick(dp, rte_rdtsc());
	__atomic_store_n(&h->magic, VR_SHM_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

void
vr_shm_tick(struct vr_dp *dp, uint64_t now)
{
	struct vr_shm_hdr *h = dp->shm;

	__atomic_store_n(&h->now_unix_ns, unix_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&h->now_tsc, now, __ATOMIC_RELAXED);
	__atomic_store_n(&h->heartbeat, h->heartbeat + 1, __ATOMIC_RELEASE);
}

void
vr_shm_destroy(struct vr_dp *dp)
{
	if (dp->shm == NULL)
		return;
	munmap(dp->shm, dp->shm_size);
	shm_unlink(dp->cfg.shm_name);
	dp->shm = NULL;
}
