/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_phone: a simulated phone (or attacker) for the end-to-end tests, on plain
 * kernel UDP sockets. As a phone it sends RTP at a fixed rate from its RTP
 * port (RTCP every 25 packets from port + 1) to a relay leg, receives the
 * other phone's stream and reports, as one JSON line, what arrived and from
 * where (with the holes in the sequence it received). It can move to new
 * ports mid-call, as after a NAT rebinding (--rebind-at). As an attacker
 * (--spray) it sprays RTP-looking packets across a port range and reports
 * whatever came back. Every loop is bounded by --count and --linger.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"

#define TAG_LEN 8
#define PAYLOAD 160
#define MAX_COUNT 100000

struct opts {
	struct sockaddr_in bind, to, from;
	unsigned int count, pps, linger_ms, spray_lo, spray_hi;
	uint32_t ssrc;
	char tag[TAG_LEN + 1], expect_tag[TAG_LEN + 1];
	int spray;
};

struct report {
	unsigned int rtp_rx, rtcp_rx, foreign, bad_tag, dup;
	int min_seq, max_seq;
	uint8_t seen[MAX_COUNT];
};

static size_t
build_rtp(uint8_t *b, const struct opts *o, unsigned int i)
{
	uint16_t seq = (uint16_t)(1000 + i);
	uint32_t ts = htonl(160 * i), ssrc = htonl(o->ssrc);

	memset(b, 0, 12 + PAYLOAD);
	b[0] = 0x80;
	b[1] = 0; /* PCMU */
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memcpy(b + 4, &ts, 4);
	memcpy(b + 8, &ssrc, 4);
	memcpy(b + 12, o->tag, TAG_LEN);
	/* The packet counter after the tag: the far end counts by it, as the
	 * SBC emulator's sequence numbers start at random. */
	b[12 + TAG_LEN] = (uint8_t)(i >> 24);
	b[12 + TAG_LEN + 1] = (uint8_t)(i >> 16);
	b[12 + TAG_LEN + 2] = (uint8_t)(i >> 8);
	b[12 + TAG_LEN + 3] = (uint8_t)i;
	return 12 + PAYLOAD;
}

static size_t
build_rtcp(uint8_t *b, const struct opts *o)
{
	uint32_t ssrc = htonl(o->ssrc);

	/* An empty receiver report (RC = 0), length 1 word after the header. */
	b[0] = 0x80;
	b[1] = 201;
	b[2] = 0;
	b[3] = 1;
	memcpy(b + 4, &ssrc, 4);
	memcpy(b + 8, o->tag, TAG_LEN);
	return 8 + TAG_LEN;
}

static void
receive(int fd, int rtcp, const struct opts *o, struct report *r)
{
	uint8_t b[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	int seq, off;

	while ((n = recvfrom(fd, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) > 0) {
		uint16_t want_port = (uint16_t)(ntohs(o->from.sin_port) + rtcp);

		fl = sizeof(from);
		if (o->spray || from.sin_addr.s_addr != o->from.sin_addr.s_addr ||
				ntohs(from.sin_port) != want_port) {
			if (r->foreign++ == 0)
				fprintf(stderr, "vr_phone: first foreign packet from %s:%u\n",
					inet_ntoa(from.sin_addr), ntohs(from.sin_port));
			continue;
		}
		off = rtcp ? 8 : 12;
		if (n < off + TAG_LEN + (rtcp ? 0 : 4) || memcmp(b + off, o->expect_tag, TAG_LEN) != 0) {
			r->bad_tag++;
			continue;
		}
		if (rtcp) {
			r->rtcp_rx++;
			continue;
		}
		seq = (int)((uint32_t)b[12 + TAG_LEN] << 24 | (uint32_t)b[12 + TAG_LEN + 1] << 16 |
			(uint32_t)b[12 + TAG_LEN + 2] << 8 | b[12 + TAG_LEN + 3]);
		if (seq < 0 || seq >= MAX_COUNT) {
			r->bad_tag++;
			continue;
		}
		if (r->seen[seq]) {
			r->dup++;
			continue;
		}
		r->seen[seq] = 1;
		r->rtp_rx++;
		if (r->min_seq < 0 || seq < r->min_seq)
			r->min_seq = seq;
		if (seq > r->max_seq)
			r->max_seq = seq;
	}
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: vr_phone --bind IP:PORT --to IP:PORT --from IP:PORT --tag T --expect-tag T\n"
		"                [--count N] [--pps N] [--ssrc N] [--linger MS] [--rebind-at I]\n"
		"       vr_phone --bind IP:PORT --spray IP:LO-HI [--count N] [--pps N] [--linger MS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bind", 1, NULL, 'b' }, { "to", 1, NULL, 't' }, { "from", 1, NULL, 'f' },
		{ "tag", 1, NULL, 'g' }, { "expect-tag", 1, NULL, 'e' }, { "count", 1, NULL, 'c' },
		{ "pps", 1, NULL, 'p' }, { "ssrc", 1, NULL, 's' }, { "linger", 1, NULL, 'l' },
		{ "spray", 1, NULL, 'y' }, { "rebind-at", 1, NULL, 'B' }, { NULL, 0, NULL, 0 },
	};
	static struct report r;
	struct opts o = { .count = 250, .pps = 50, .linger_ms = 1000, .ssrc = 0x11223344 };
	struct sockaddr_in rtcp_bind, rtcp_to;
	uint8_t b[2048];
	uint64_t t0, next, end, gap;
	unsigned int i, sent = 0, rtcp_sent = 0, gaps;
	char holes[16 * 24 + 1];
	int fd, fd2, opt;
	unsigned int rebind_at = UINT32_MAX;
	char *dash;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'b': if (parse_addr(optarg, &o.bind) < 0) usage(); break;
		case 't': if (parse_addr(optarg, &o.to) < 0) usage(); break;
		case 'f': if (parse_addr(optarg, &o.from) < 0) usage(); break;
		case 'g': snprintf(o.tag, sizeof(o.tag), "%-8s", optarg); break;
		case 'e': snprintf(o.expect_tag, sizeof(o.expect_tag), "%-8s", optarg); break;
		case 'c': o.count = (unsigned int)atoi(optarg); break;
		case 'p': o.pps = (unsigned int)atoi(optarg); break;
		case 's': o.ssrc = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'l': o.linger_ms = (unsigned int)atoi(optarg); break;
		case 'B': rebind_at = (unsigned int)atoi(optarg); break;
		case 'y':
			dash = strchr(optarg, '-');
			if (dash == NULL || parse_addr(optarg, &o.to) < 0)
				usage();
			o.spray_lo = ntohs(o.to.sin_port);
			o.spray_hi = (unsigned int)atoi(dash + 1);
			o.spray = 1;
			break;
		default: usage();
		}
	}
	if (o.bind.sin_family == 0 || o.to.sin_family == 0 || o.count == 0 ||
			o.count > MAX_COUNT || o.pps == 0 || o.pps > 100000 ||
			(!o.spray && (o.from.sin_family == 0 || o.tag[0] == 0 || o.expect_tag[0] == 0)))
		usage();
	if (o.spray && o.tag[0] == 0)
		snprintf(o.tag, sizeof(o.tag), "ATTACKER");
	r.min_seq = -1;
	r.max_seq = -1;
	fd = udp_socket("vr_phone", &o.bind);
	rtcp_bind = o.bind;
	rtcp_bind.sin_port = htons(ntohs(o.bind.sin_port) + 1);
	fd2 = o.spray ? -1 : udp_socket("vr_phone", &rtcp_bind);
	rtcp_to = o.to;
	rtcp_to.sin_port = htons(ntohs(o.to.sin_port) + 1);
	gap = 1000000000ull / o.pps;
	t0 = now_ns();
	next = t0;
	end = t0 + gap * o.count + (uint64_t)o.linger_ms * 1000000ull;
	for (i = 0; now_ns() < end;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = fd2, .events = POLLIN } };
		uint64_t t = now_ns();
		int wait_ms;

		if (i < o.count && t >= next) {
			struct sockaddr_in to = o.to;
			size_t len = build_rtp(b, &o, i);

			if (i == rebind_at && !o.spray) {
				/* New sockets two ports up: behind the NAT, a new mapping,
				 * as after a NAT rebinding (the relay must re-latch). */
				close(fd);
				close(fd2);
				o.bind.sin_port = htons((uint16_t)(ntohs(o.bind.sin_port) + 2));
				rtcp_bind.sin_port = htons((uint16_t)(ntohs(rtcp_bind.sin_port) + 2));
				fd = udp_socket("vr_phone", &o.bind);
				fd2 = udp_socket("vr_phone", &rtcp_bind);
				pfd[0].fd = fd;
				pfd[1].fd = fd2;
			}

			if (o.spray)
				to.sin_port = htons((uint16_t)(o.spray_lo + i % (o.spray_hi - o.spray_lo + 1)));
			if (sendto(fd, b, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
				sent++;
			if (!o.spray && i % 25 == 0) {
				len = build_rtcp(b, &o);
				if (sendto(fd2, b, len, 0, (struct sockaddr *)&rtcp_to,
						sizeof(rtcp_to)) == (ssize_t)len)
					rtcp_sent++;
			}
			i++;
			next += gap;
			continue;
		}
		wait_ms = i < o.count ? (int)((next - t) / 1000000) : 10;
		if (poll(pfd, fd2 >= 0 ? 2 : 1, wait_ms) > 0) {
			receive(fd, 0, &o, &r);
			if (fd2 >= 0)
				receive(fd2, 1, &o, &r);
		}
	}
	receive(fd, 0, &o, &r);
	if (fd2 >= 0)
		receive(fd2, 1, &o, &r);
	/* Steady-state loss: holes between the first and the last packet
	 * received, and where they are. */
	gaps = emu_holes(r.seen, r.min_seq, r.max_seq, holes, sizeof(holes));
	printf("{\"sent\":%u,\"rtcp_sent\":%u,\"rtp_rx\":%u,\"rtcp_rx\":%u,\"foreign\":%u,"
		"\"bad_tag\":%u,\"dup\":%u,\"first_seq\":%d,\"last_seq\":%d,\"gap_loss\":%u,"
		"\"holes\":[%s]}\n", sent, rtcp_sent, r.rtp_rx, r.rtcp_rx, r.foreign, r.bad_tag, r.dup,
		r.min_seq, r.max_seq, gaps, holes);
	return 0;
}
