/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_arpflood: floods ARP requests for an address at a LAN, for the
 * end-to-end attacker suite: from --ifname, on a raw packet socket, "who
 * has TARGET?" from a made-up sender each time (its MAC and an address of
 * the LAN), at --pps (default: as fast as the socket takes them), for at
 * most --count frames and --secs seconds. Reports {"sent":N,"secs":S} as one JSON line.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu.h"

static void
usage(void)
{
	fprintf(stderr, "usage: vr_arpflood --ifname IF --target IP [--count N] [--secs S] "
		"[--pps N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ifname", 1, NULL, 'i' }, { "target", 1, NULL, 't' }, { "count", 1, NULL, 'n' },
		{ "secs", 1, NULL, 's' }, { "pps", 1, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP) };
	const char *ifname = NULL;
	struct in_addr target = { 0 };
	unsigned int count = 100000, secs = 3, sent = 0, pps = 0;
	uint8_t f[60];
	uint64_t t0, end;
	int fd, opt;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 't': if (inet_pton(AF_INET, optarg, &target) != 1) usage(); break;
		case 'n': count = (unsigned int)atoi(optarg); break;
		case 's': secs = (unsigned int)atoi(optarg); break;
		case 'p': pps = (unsigned int)atoi(optarg); break;
		default: usage();
		}
	}
	if (ifname == NULL || target.s_addr == 0 || count == 0 || secs == 0 || secs > 60)
		usage();
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
	to.sll_ifindex = (int)if_nametoindex(ifname);
	if (fd < 0 || to.sll_ifindex == 0) {
		fprintf(stderr, "vr_arpflood: no raw socket on '%s'\n", ifname);
		return 2;
	}
	to.sll_halen = 6;
	memset(to.sll_addr, 0xff, 6);
	t0 = now_ns();
	end = t0 + (uint64_t)secs * 1000000000ull;
	while (sent < count && now_ns() < end) {
		uint32_t sender;

		if (pps > 0 && sent >= (now_ns() - t0) * pps / 1000000000ull) {
			usleep(50);
			continue;
		}
		sender = htonl(0xc6336400u | (2 + sent % 250)); /* 198.51.100.x */

		memset(f, 0, sizeof(f));
		memset(f, 0xff, 6);                          /* to everyone */
		f[6] = 0x02;                                 /* a made-up, local MAC */
		f[7] = 0x66;
		memcpy(f + 8, &sent, 4);
		f[12] = 0x08; f[13] = 0x06;                  /* ARP */
		f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4;
		f[20] = 0; f[21] = 1;                        /* request */
		memcpy(f + 22, f + 6, 6);
		memcpy(f + 28, &sender, 4);
		memcpy(f + 38, &target, 4);
		if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) ==
				(ssize_t)sizeof(f))
			sent++;
	}
	printf("{\"sent\":%u,\"secs\":%.3f}\n", sent, (double)(now_ns() - t0) / 1e9);
	close(fd);
	return 0;
}
