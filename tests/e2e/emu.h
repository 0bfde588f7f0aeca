/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the end-to-end emulators (vr_phone.c, vr_sbc.c) share: a monotonic
 * clock, "IP:PORT" parsing, and a bound UDP socket. Plain kernel sockets, no
 * DPDK; each emulator is one process on one thread.
 */
#ifndef VR_TEST_EMU_H
#define VR_TEST_EMU_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static inline uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "IP:PORT" into sa; 0, or -1 when s is not that. */
static inline int
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char buf[64], *colon;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	if (inet_pton(AF_INET, buf, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return 0;
}

/* A UDP socket bound to sa; exits, naming prog and the address, when it cannot be. */
static inline int
udp_socket(const char *prog, const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		fprintf(stderr, "%s: bind %s:%u: %s\n", prog, inet_ntoa(sa->sin_addr),
			ntohs(sa->sin_port), strerror(errno));
		exit(2);
	}
	return fd;
}

/*
 * The holes of a received stream: packets first..last (first < 0: none)
 * with seen[i] 0. Their count is returned; the first 16 runs go to out as a
 * JSON list body ("a-b","c-d"), cap bytes at most (16 * 24 + 1 suffice).
 */
static inline unsigned int
emu_holes(const uint8_t *seen, int first, int last, char *out, size_t cap)
{
	unsigned int gaps = 0, runs = 0;
	size_t o = 0;

	out[0] = '\0';
	for (int s = first < 0 ? 0 : first; s <= last; s++) {
		int e = s;

		if (seen[s])
			continue;
		while (e + 1 <= last && !seen[e + 1])
			e++;
		gaps += (unsigned int)(e - s + 1);
		if (runs++ < 16 && o < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s\"%d-%d\"", o ? "," : "", s, e);
		s = e;
	}
	return gaps;
}

#endif /* VR_TEST_EMU_H */
