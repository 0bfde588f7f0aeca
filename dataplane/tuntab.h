/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tunnel table: (SBC id << 32 | channel) -> a tunnel leg's RTP flow, for
 * every tunnel packet a worker receives (tunnel.c). One writer (the main
 * lcore, calls.c), readers without locks (the workers): a chained hash over
 * a fixed pool of nodes. A node is linked into its bucket's chain only once
 * its key and data are written, and unlinked without being changed, so a
 * reader standing on it walks on; it is reused only after a grace period
 * (vr_tuntab_del gives its position, vr_tuntab_free_position takes it back
 * once every reader has passed a quiescent point). An entry's data is
 * replaced in place, atomically. It does what rte_hash does with
 * RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF here in fewer cycles: a multiply,
 * the bucket's head and the node (docs/tunnel.md). Memory is the caller's
 * (vr_tuntab_memsize).
 */
#ifndef VR_DP_TUNTAB_H
#define VR_DP_TUNTAB_H

#include <stddef.h>
#include <stdint.h>

#define VR_TUNTAB_NONE UINT32_MAX

struct vr_tuntab_node {
	uint64_t key;                  /* writer, before the node is linked */
	void *data;                    /* writer (atomic store); readers */
	uint32_t next;                 /* writer (atomic store); readers */
};

struct vr_tuntab {
	uint32_t mask;                 /* buckets - 1 */
	uint32_t n_nodes;
	uint32_t n_free;               /* writer only */
	uint32_t *free;                /* writer only: free node indexes */
	uint32_t *head;                /* bucket -> its first node, or VR_TUNTAB_NONE */
	struct vr_tuntab_node *node;
};

/* Bytes a table of n entries needs (n at most 2^30). */
size_t vr_tuntab_memsize(uint32_t n);

/* Lays a table of n entries out in mem (vr_tuntab_memsize(n) bytes), empty. */
struct vr_tuntab *vr_tuntab_init(void *mem, uint32_t n);

static inline uint32_t
vr_tuntab_bucket(const struct vr_tuntab *t, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
}

/* The data stored for key, or NULL. Any thread, concurrently with the writer. */
static inline void *
vr_tuntab_lookup(const struct vr_tuntab *t, uint64_t key)
{
	uint32_t i = __atomic_load_n(&t->head[vr_tuntab_bucket(t, key)], __ATOMIC_ACQUIRE);

	while (i != VR_TUNTAB_NONE) {
		const struct vr_tuntab_node *n = &t->node[i];

		if (n->key == key)
			return __atomic_load_n(&n->data, __ATOMIC_ACQUIRE);
		i = __atomic_load_n(&n->next, __ATOMIC_ACQUIRE);
	}
	return NULL;
}

/* Stores data (not NULL) for key, replacing what it had. 0, or -ENOSPC. Writer. */
int vr_tuntab_set(struct vr_tuntab *t, uint64_t key, void *data);

/*
 * Removes key: its node's position, to give back with
 * vr_tuntab_free_position once no reader can stand on it (after a grace
 * period); -1 when key is absent. Writer.
 */
int32_t vr_tuntab_del(struct vr_tuntab *t, uint64_t key);
void vr_tuntab_free_position(struct vr_tuntab *t, int32_t pos);

#endif /* VR_DP_TUNTAB_H */
