/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_flood: floods the relay's tunnel port with forged SBC hellos, for the
 * end-to-end tests: a valid tunnel header under the given SBC ids in
 * turn and random bytes instead of an SRTP packet (an attacker without the
 * key; the relay passes hellos on before it authenticates them). At --pps
 * (default: as fast as the socket takes them), for at most --count packets
 * and --secs seconds; reports {"sent":N,"secs":S} as one JSON line. Plain
 * kernel UDP socket, one thread.
 */
#include <getopt.h>
#include <unistd.h>

#include "emu.h"
#include "voxrelay/tunnel.h"

#define MAX_IDS 8

static void
usage(void)
{
	fprintf(stderr,
		"usage: vr_flood --relay IP:PORT --sbc-id N [--sbc-id N ...] [--bind IP:PORT]\n"
		"                [--pps N] [--count N] [--secs S]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "relay", 1, NULL, 'r' }, { "bind", 1, NULL, 'b' }, { "sbc-id", 1, NULL, 'i' },
		{ "pps", 1, NULL, 'p' }, { "count", 1, NULL, 'n' }, { "secs", 1, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in relay = { 0 }, bind_to = { .sin_family = AF_INET };
	uint32_t ids[MAX_IDS];
	unsigned int n_ids = 0, pps = 0, count = 1000000, secs = 5, sent = 0, i;
	uint8_t d[VR_TUN_HDR_LEN + 40];
	uint64_t t0, t, end;
	int fd, opt;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'r': if (parse_addr(optarg, &relay) < 0) usage(); break;
		case 'b': if (parse_addr(optarg, &bind_to) < 0) usage(); break;
		case 'i':
			if (n_ids == MAX_IDS)
				usage();
			ids[n_ids++] = (uint32_t)strtoul(optarg, NULL, 10);
			if (ids[n_ids - 1] == 0 || ids[n_ids - 1] > VR_TUN_SBC_ID_MAX)
				usage();
			break;
		case 'p': pps = (unsigned int)atoi(optarg); break;
		case 'n': count = (unsigned int)atoi(optarg); break;
		case 's': secs = (unsigned int)atoi(optarg); break;
		default: usage();
		}
	}
	if (relay.sin_family == 0 || n_ids == 0 || count == 0 || secs == 0 || secs > 60)
		usage();
	fd = udp_socket("vr_flood", &bind_to);
	srandom((unsigned int)getpid());
	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)random();
	t0 = now_ns();
	end = t0 + secs * 1000000000ull;
	for (t = t0; sent < count && t < end; t = now_ns()) {
		/* Paced: no further ahead than --pps allows by now. */
		if (pps > 0 && sent >= (t - t0) * pps / 1000000000ull) {
			usleep(50);
			continue;
		}
		/* Every packet another: its first 4 bytes of "SRTP" count. */
		vr_tun_write(d, VR_TUN_HELLO, 0, ids[sent % n_ids], VR_TUN_CHANNEL_SBC, 0);
		vr_tun_put32(d + VR_TUN_HDR_LEN, sent);
		if (sendto(fd, d, sizeof(d), 0, (struct sockaddr *)&relay, sizeof(relay)) ==
				(ssize_t)sizeof(d))
			sent++;
	}
	printf("{\"sent\":%u,\"secs\":%.3f}\n", sent, (double)(now_ns() - t0) / 1e9);
	close(fd);
	return 0;
}
