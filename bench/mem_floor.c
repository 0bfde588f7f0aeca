/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr-mem-floor: what this machine's memory lets a packet cost when its flow
 * state is not in the cache, the floor under the relay's cycles per packet
 * at a million flows. Two figures over a region as large as a million
 * flows' state (default 1 GiB, 2 MiB pages where the kernel gives them):
 *  - a dependent load (a pointer chase over a random cycle): the latency of
 *    one miss, paid whole when nothing else is in flight;
 *  - random lines written with the relay's pattern, 32 packets at a time,
 *    each line prefetched a stage ahead: the cost per line when 32 misses
 *    overlap, i.e. what N random lines a packet cost at best.
 * Single-threaded, no DPDK; bounded by --loads and --bursts.
 *
 * Usage: vr-mem-floor [MIB] (default 1024); prints one JSON line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <x86intrin.h>

#define BURST 32
#define LOADS 2000000
#define BURSTS 200000

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Cycles per dependent load over a random cycle through every line of mem. */
static double
chase(uint8_t *mem, size_t lines)
{
	size_t *perm = malloc(sizeof(*perm) * lines), i, p;
	uint64_t x = 88172645463325252ull, t0;

	if (perm == NULL)
		exit(1);
	for (i = 0; i < lines; i++)
		perm[i] = i;
	for (i = lines - 1; i > 0; i--) {
		size_t j = xorshift(&x) % (i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < lines; i++)
		*(size_t *)(mem + perm[i] * 64) = perm[(i + 1) % lines] * 64;
	free(perm);
	p = 0;
	t0 = __rdtsc();
	for (i = 0; i < LOADS; i++)
		p = *(volatile size_t *)(mem + p);
	return (double)(__rdtsc() - t0) / LOADS;
}

/* Cycles per random line written, k lines a packet, 32 packets prefetched a stage ahead. */
static double
stream(uint8_t *mem, size_t lines, unsigned int k)
{
	size_t at[BURST][4];
	uint64_t x = 0x9e3779b97f4a7c15ull, t0;
	unsigned int b, i, j;

	t0 = __rdtsc();
	for (b = 0; b < BURSTS; b++) {
		for (i = 0; i < BURST; i++) {
			for (j = 0; j < k; j++) {
				at[i][j] = (xorshift(&x) % lines) * 64;
				__builtin_prefetch(mem + at[i][j], 1);
			}
		}
		for (i = 0; i < BURST; i++)
			for (j = 0; j < k; j++)
				mem[at[i][j]]++;
	}
	return (double)(__rdtsc() - t0) / ((double)BURSTS * BURST * k);
}

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024, size = mib << 20;
	uint8_t *mem;

	if (mib < 1 || mib > 65536) {
		fprintf(stderr, "usage: vr-mem-floor [MIB 1-65536]\n");
		return 2;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	madvise(mem, size, MADV_HUGEPAGE);
	memset(mem, 1, size);
	printf("{\"mib\":%zu,\"dependent_load_cycles\":%.1f,\"random_line_cycles_1\":%.1f,"
		"\"random_line_cycles_4\":%.1f}\n", mib, chase(mem, size / 64),
		stream(mem, size / 64, 1), stream(mem, size / 64, 4));
	munmap(mem, size);
	return 0;
}
