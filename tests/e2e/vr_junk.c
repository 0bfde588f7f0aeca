/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_junk: what an attacker sends relay ports besides RTP, for the
 * end-to-end attacker suite: to every port of --ports LO-HI in turn, --count
 * datagrams of each kind: truncated (5 bytes), not RTP (version 0), RTCP to
 * the even (RTP) ports and RTP to the odd (RTCP) ones, oversized (1,400
 * bytes), and fragmented (3,000 bytes: the kernel sends IP fragments).
 * Reports what it sent, and anything that came back, as one JSON line.
 * Plain kernel UDP socket, one thread; bounded by --count.
 */
#include <getopt.h>
#include <poll.h>
#include <unistd.h>

#include "emu.h"

enum { SHORT, NOT_RTP, RTCP_TO_RTP, RTP_TO_RTCP, BIG, FRAG, KINDS };
static const char *const names[KINDS] = { "short", "not_rtp", "rtcp_to_rtp", "rtp_to_rtcp", "big",
	"frag" };

static void
usage(void)
{
	fprintf(stderr, "usage: vr_junk --bind IP:PORT --relay IP --ports LO-HI [--count N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bind", 1, NULL, 'b' }, { "relay", 1, NULL, 'r' }, { "ports", 1, NULL, 'p' },
		{ "count", 1, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	static uint8_t d[3000];
	struct sockaddr_in bind_to = { 0 }, to = { .sin_family = AF_INET };
	unsigned int plo = 0, phi = 0, count = 10, sent[KINDS] = { 0 }, back = 0, i, k, port;
	int fd, opt, have_relay = 0;
	uint64_t end;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'b': if (parse_addr(optarg, &bind_to) < 0) usage(); break;
		case 'r': have_relay = inet_pton(AF_INET, optarg, &to.sin_addr) == 1; break;
		case 'p': if (sscanf(optarg, "%u-%u", &plo, &phi) != 2) usage(); break;
		case 'n': count = (unsigned int)atoi(optarg); break;
		default: usage();
		}
	}
	if (bind_to.sin_family == 0 || !have_relay || plo == 0 || phi < plo || phi > 65535 ||
			count == 0 || count > 10000)
		usage();
	fd = udp_socket("vr_junk", &bind_to);
	for (i = 0; i < count; i++) {
		for (port = plo; port <= phi; port++) {
			to.sin_port = htons((uint16_t)port);
			for (k = 0; k < KINDS; k++) {
				size_t n;

				memset(d, 0, 64);
				d[0] = 0x80;
				switch (k) {
				case SHORT: n = 5; break;
				case NOT_RTP: d[0] = 0x00; n = 40; break;
				case RTCP_TO_RTP:
					if (port % 2 != 0)
						continue;
					d[1] = 201; d[3] = 1; n = 8; break;
				case RTP_TO_RTCP:
					if (port % 2 == 0)
						continue;
					n = 172; break;
				case BIG: n = 1400; break;
				default: n = sizeof(d); break;
				}
				d[2] = (uint8_t)(i >> 8);
				d[3] = k == RTCP_TO_RTP ? 1 : (uint8_t)i;
				if (sendto(fd, d, n, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)n)
					sent[k]++;
			}
			usleep(200);
		}
	}
	end = now_ns() + 500000000ull;
	while (now_ns() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 50) > 0 && recv(fd, d, sizeof(d), 0) > 0)
			back++;
	}
	printf("{");
	for (k = 0; k < KINDS; k++)
		printf("\"%s\":%u,", names[k], sent[k]);
	printf("\"back\":%u}\n", back);
	close(fd);
	return 0;
}
