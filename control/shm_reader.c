/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only mapping of the stats shared memory; see shm_reader.h. Copies use
 * relaxed 64-bit loads: every word has a single writer in the dataplane.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_reader.h"

int
vr_shm_map_open(struct vr_shm_map *m, const char *name, char *err, size_t errlen)
{
	const struct vr_shm_hdr *h;
	struct stat st;
	void *p;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "stats shared memory '%s': %s", name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(*h)) {
		snprintf(err, errlen, "stats shared memory '%s' is too small", name);
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap '%s': %s", name, strerror(errno));
		return -1;
	}
	h = p;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != VR_SHM_MAGIC ||
			h->version_major != VR_SHM_VERSION_MAJOR || h->total_size > (uint64_t)st.st_size ||
			h->lcore_size < sizeof(struct vr_shm_lcore) ||
			h->call_size < sizeof(struct vr_shm_call) || h->n_drop < VR_DROP_MAX ||
			h->n_global < VR_GC_MAX) {
		snprintf(err, errlen, "stats shared memory '%s' is not ready or has layout %u.%u "
			"(this reader knows %u.%u)", name, h->version_major, h->version_minor,
			VR_SHM_VERSION_MAJOR, VR_SHM_VERSION_MINOR);
		munmap(p, (size_t)st.st_size);
		return -1;
	}
	m->hdr = h;
	m->size = (size_t)st.st_size;
	return 0;
}

void
vr_shm_map_close(struct vr_shm_map *m)
{
	if (m->hdr != NULL)
		munmap((void *)(uintptr_t)m->hdr, m->size);
	memset(m, 0, sizeof(*m));
}

const struct vr_shm_call *
vr_shm_map_call(const struct vr_shm_map *m, unsigned int i)
{
	return (const struct vr_shm_call *)((const char *)m->hdr + m->hdr->calls_off +
		(uint64_t)i * m->hdr->call_size);
}

int
vr_shm_map_read_call(const struct vr_shm_map *m, unsigned int i, struct vr_shm_call *out)
{
	const struct vr_shm_call *c = vr_shm_map_call(m, i);
	uint32_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
	const uint64_t *s = (const uint64_t *)c;
	uint64_t *d = (uint64_t *)out;
	size_t k;

	if ((seq & 1) != 0 || __atomic_load_n(&c->state, __ATOMIC_RELAXED) != VR_SHM_CALL_BOUND)
		return 0;
	for (k = 0; k < sizeof(*out) / sizeof(uint64_t); k++)
		d[k] = __atomic_load_n(&s[k], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&c->seq, __ATOMIC_RELAXED) == seq && out->state == VR_SHM_CALL_BOUND;
}
