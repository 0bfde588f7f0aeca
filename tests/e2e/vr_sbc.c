/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vr_sbc: an SBC emulator for the end-to-end tests and the demo, on a plain
 * kernel UDP socket and libsrtp (the same per-stream keys as the relay,
 * dataplane/srtp.c): the reference client of the tunnel, version 2
 * (docs/tunnel.md). It plays an SBC with phones behind it: says hello on
 * channel 0 every --hello-interval seconds (the first one at once, and
 * another at once whenever an answer shows the relay's epoch changed),
 * learns the relay's epoch and a challenge from each answer, sends each
 * channel's RTP stream through the tunnel at --pps under the channel's keys
 * for (its call's epoch XOR the relay's), from a random SSRC, sequence
 * number and timestamp as a real SBC's phones would (RFC 3550), receives
 * what the relay sends back, decrypts it and checks it is the other end's
 * stream (by the packet counter both emulators put after their tag), and
 * reports per channel, as one JSON line, what arrived. On request it
 * misbehaves the ways an attacker or a broken SBC would (--bad-at), moves
 * to a new source port as a NAT rebinding or dynamic IP change does
 * (--rebind-at), rolls its key (--rekey-at), changes its phones' SSRCs as a
 * re-INVITE does (--ssrc-change-at), and writes every datagram it sends to
 * a file, as an attacker on the path would record them (--record), and
 * what names the key and IV of each packet the relay sent it (--log-down);
 * with --replay it is that attacker instead, sending such a file to the
 * relay.
 * Every loop is bounded by --count and --linger.
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
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/srtp.h"
#include "emu.h"
#include "voxrelay/tunnel.h"

#define TAG_LEN 8
#define PAYLOAD 160
#define MAX_COUNT 100000
#define MAX_CH 8

struct chan {
	uint32_t id;
	uint64_t epoch;          /* its call's epoch (a_epoch) */
	uint32_t ssrc;           /* random; a new one at --ssrc-change-at */
	uint16_t seq0;           /* random first sequence number of the SSRC */
	uint32_t ts0;            /* random first timestamp */
	unsigned int i0;         /* the packet counter when the SSRC started */
	char tag[TAG_LEN + 1], expect[TAG_LEN + 1];
	srtp_t up[2];            /* per key: what we send, under the current relay epoch */
	srtp_t down[2];          /* per key: what the relay sends */
	unsigned int sent, rx, rtcp_rx, bad_tag, auth_fail, dup, rx_after_rebind, stale;
	int min_seq, max_seq;
	uint8_t seen[MAX_COUNT];
};

struct opts {
	struct sockaddr_in bind, relay;
	uint32_t sbc_id, other_sbc_id;
	struct vr_srtp_key key[2];   /* key[0] first, key[1] after --rekey-at */
	unsigned int n_keys;
	unsigned int count, pps, linger_ms, hello_s, rekey_at, rebind_at, bad_at, ssrc_change_at;
	uint32_t local_ip;
	char version[VR_TUN_VERSION_STR_MAX];
	const char *record;     /* --record FILE */
	const char *log_down;   /* --log-down FILE */
	const char *replay;     /* --replay FILE */
	int alternate;          /* --replay-alternate: first and second half interleaved */
};

static struct chan ch[MAX_CH];
static unsigned int n_ch;
static srtp_t hello_up[2], hello_down[2];
static uint64_t hello_down_epoch[2];     /* the epoch hello_down[k] was made for */
static unsigned int hellos_sent, hello_acks, stale_acks, foreign, bad_sent, epoch_changes, hints;
static uint16_t hello_seq;
static uint32_t hello_ssrc;
/* The relay's epoch (0: not heard yet), its last challenge (0: none or
 * used), and the nonces of our last hellos, which an answer must echo. */
static uint64_t relay_epoch, relay_chal, my_nonce[4];
static unsigned int nonce_next;
static int hello_soon;
static FILE *rec, *down_log;

/* n random bytes from the kernel; exits without them. */
static void
rand_bytes(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n) {
		fprintf(stderr, "vr_sbc: no random bytes\n");
		exit(2);
	}
}

static uint64_t
rand64(void)
{
	uint64_t v;

	rand_bytes(&v, sizeof(v));
	return v;
}

static void
die(const char *what, const char *val)
{
	fprintf(stderr, "vr_sbc: %s: '%s'\n", what, val);
	exit(2);
}

/* Decodes base64 s into out (at most cap bytes); returns the length or -1. */
static int
base64(const char *s, uint8_t *out, size_t cap)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s != '\0' && *s != '='; s++) {
		const char *p = strchr(alpha, *s);

		if (p == NULL)
			return -1;
		acc = acc << 6 | (uint32_t)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (int)n;
}

static void
parse_key(struct vr_srtp_key *k, enum vr_srtp_suite suite, const char *spec)
{
	char buf[128], *colon;
	int len;

	/* ID:BASE64 */
	if (strlen(spec) >= sizeof(buf))
		die("--key is too long", spec);
	strcpy(buf, spec);
	colon = strchr(buf, ':');
	if (colon == NULL)
		die("--key wants ID:BASE64", spec);
	*colon = '\0';
	k->suite = (uint8_t)suite;
	k->id = (uint8_t)atoi(buf);
	len = base64(colon + 1, k->master, sizeof(k->master));
	if (len < 0 || (size_t)len != vr_srtp_master_len(suite))
		die("--key: not base64 of the suite's master key and salt", spec);
}

/* Channel spec CH:EPOCH:TAG:EXPECT_TAG (EPOCH: the call's a_epoch, hex). */
static void
parse_chan(const char *spec)
{
	char buf[64], *e, *a, *b, *end;
	struct chan *c;

	if (n_ch == MAX_CH || strlen(spec) >= sizeof(buf))
		die("--channel: too many or too long", spec);
	strcpy(buf, spec);
	e = strchr(buf, ':');
	a = e != NULL ? strchr(e + 1, ':') : NULL;
	b = a != NULL ? strchr(a + 1, ':') : NULL;
	if (b == NULL)
		die("--channel wants CH:EPOCH:TAG:EXPECT_TAG", spec);
	*e++ = '\0';
	*a++ = '\0';
	*b++ = '\0';
	c = &ch[n_ch++];
	c->id = (uint32_t)strtoul(buf, NULL, 10);
	if (c->id == 0)
		die("--channel: channel 0 is the SBC's own", spec);
	c->epoch = strtoull(e, &end, 16);
	if (*e == '\0' || *end != '\0' || c->epoch == 0 || c->epoch > VR_TUN_EPOCH_MASK)
		die("--channel: the epoch is not 1-12 hex digits", spec);
	c->ssrc = (uint32_t)rand64();
	c->seq0 = (uint16_t)rand64();
	c->ts0 = (uint32_t)rand64();
	snprintf(c->tag, sizeof(c->tag), "%-8s", a);
	snprintf(c->expect, sizeof(c->expect), "%-8s", b);
	c->min_seq = c->max_seq = -1;
}

/* The epoch of channel c's keys now. */
static uint64_t
chan_epoch(const struct chan *c)
{
	return (c->epoch ^ relay_epoch) & VR_TUN_EPOCH_MASK;
}

/* (Re)makes every channel's sessions for the relay's current epoch. */
static void
chan_keys(const struct opts *o)
{
	for (unsigned int i = 0; i < n_ch; i++) {
		for (unsigned int k = 0; k < o->n_keys; k++) {
			vr_srtp_stream_free(ch[i].up[k]);
			vr_srtp_stream_free(ch[i].down[k]);
			ch[i].up[k] = vr_srtp_stream_new(&o->key[k], VR_TUN_UP, ch[i].id,
				chan_epoch(&ch[i]), 0);
			ch[i].down[k] = vr_srtp_stream_new(&o->key[k], VR_TUN_DOWN, ch[i].id,
				chan_epoch(&ch[i]), 1);
			if (ch[i].up[k] == NULL || ch[i].down[k] == NULL)
				die("libsrtp refused a session for channel", ch[i].tag);
		}
	}
}

/* Sends d[0..len) to the relay (and records it); 1 if it went. */
static int
send_dg(int fd, const struct opts *o, const uint8_t *d, size_t len)
{
	if (rec != NULL) {
		uint16_t l = (uint16_t)len;

		if (fwrite(&l, sizeof(l), 1, rec) != 1 || fwrite(d, len, 1, rec) != 1)
			die("--record: cannot write", o->record);
	}
	return sendto(fd, d, len, 0, (const struct sockaddr *)&o->relay, sizeof(o->relay)) ==
		(ssize_t)len;
}

/*
 * The RTP packet i of channel c, protected under key k with session s, in
 * a tunnel datagram; its length. The payload is the tag, then i (32 bits),
 * by which the far end counts what arrived whatever SSRC and sequence
 * number it came under.
 */
static size_t
media(uint8_t *d, const struct opts *o, struct chan *c, unsigned int k, unsigned int i,
	srtp_t s)
{
	uint8_t *rtp = d + VR_TUN_HDR_LEN;
	uint16_t seq = (uint16_t)(c->seq0 + (i - c->i0));
	int len = 12 + PAYLOAD;

	memset(rtp, 0, (size_t)len);
	rtp[0] = 0x80;
	rtp[1] = 8;
	rtp[2] = (uint8_t)(seq >> 8);
	rtp[3] = (uint8_t)seq;
	vr_tun_put32(rtp + 4, c->ts0 + 160 * i);
	vr_tun_put32(rtp + 8, c->ssrc);
	memcpy(rtp + 12, c->tag, TAG_LEN);
	vr_tun_put32(rtp + 12 + TAG_LEN, i);
	if (srtp_protect(s, rtp, &len) != srtp_err_status_ok)
		die("srtp_protect failed on channel", c->tag);
	vr_tun_write(d, VR_TUN_RTP, o->key[k].id, o->sbc_id, c->id, chan_epoch(c));
	return VR_TUN_HDR_LEN + (size_t)len;
}

/*
 * A hello under key k: a fresh nonce of ours (the answer must echo it), and
 * the relay's last challenge echoed (used up), so that the relay believes
 * it; the first hello, or one after the challenge was used, has none.
 */
static size_t
hello(uint8_t *d, const struct opts *o, unsigned int k)
{
	struct vr_tun_hello h = { .local_ip = o->local_ip, .interval_s = (uint16_t)o->hello_s };
	uint8_t *rtp = d + VR_TUN_HDR_LEN;
	int len, tl;

	snprintf(h.version, sizeof(h.version), "%s", o->version);
	h.has_nonce = 1;
	h.nonce = rand64();
	my_nonce[nonce_next++ % 4] = h.nonce;
	if (relay_chal != 0) {
		h.has_echo = 1;
		h.echo = relay_chal;
		relay_chal = 0;
	}
	/* Hello sequence numbers never wrap (docs/tunnel.md): before one would,
	 * the next SSRC and a new sequence below 2^15, so that a restarted
	 * relay's new session reads them at rollover counter 0. */
	if (hello_seq == 0xffff) {
		hello_ssrc++;
		hello_seq = (uint16_t)(rand64() & 0x7fff);
	}
	memset(rtp, 0, 12);
	rtp[0] = 0x80;
	rtp[2] = (uint8_t)(hello_seq >> 8);
	rtp[3] = (uint8_t)hello_seq;
	hello_seq++;
	vr_tun_put32(rtp + 8, hello_ssrc);
	tl = vr_tun_hello_build(&h, rtp + 12, 256);
	len = 12 + (tl < 0 ? 0 : tl);
	if (srtp_protect(hello_up[k], rtp, &len) != srtp_err_status_ok)
		die("srtp_protect failed on", "hello");
	vr_tun_write(d, VR_TUN_HELLO, o->key[k].id, o->sbc_id, VR_TUN_CHANNEL_SBC, 0);
	return VR_TUN_HDR_LEN + (size_t)len;
}

/*
 * The relay's answer b[0..len) (header h, key slot k): authenticated under
 * the epoch its header gives and echoing one of our nonces, it gives us the
 * relay's epoch (our channels' keys follow it) and its next challenge.
 * Anything else (a replayed answer, another boot's) is counted and ignored.
 */
static void
answer(const struct opts *o, uint8_t *b, int len, const struct vr_tun_hdr *h, unsigned int k)
{
	struct vr_tun_hello a;
	unsigned int i;
	srtp_t s = hello_down[k];

	/* Under another epoch: a session for it, kept only if the answer is
	 * genuine (a forged one must not throw away the one in use). */
	if (s == NULL || hello_down_epoch[k] != h->epoch) {
		s = vr_srtp_stream_new(&o->key[k], VR_TUN_DOWN, VR_TUN_CHANNEL_SBC, h->epoch, 1);
		if (s == NULL)
			die("libsrtp refused", "the answers' session");
	}
	if (srtp_unprotect(s, b, &len) != srtp_err_status_ok || len < 12 ||
			vr_tun_hello_parse(b + 12, (size_t)len - 12, &a) < 0 || !a.has_nonce) {
		if (s != hello_down[k])
			vr_srtp_stream_free(s);
		stale_acks++;
		return;
	}
	if (!a.has_echo) {
		/* A hint: the relay got our media under an epoch it does not
		 * have (it restarted). Say hello now, echoing its challenge; its
		 * epoch is taken only from an answer to one of our hellos (a
		 * replayed hint must not move us to an old one). */
		if (s != hello_down[k])
			vr_srtp_stream_free(s);
		hints++;
		relay_chal = a.nonce;
		hello_soon = 1;
		return;
	}
	for (i = 0; i < 4; i++)
		if (my_nonce[i] != 0 && my_nonce[i] == a.echo)
			break;
	if (i == 4) {
		/* A genuine answer, but to no hello of ours now: a replay. */
		if (s != hello_down[k])
			vr_srtp_stream_free(s);
		stale_acks++;
		return;
	}
	if (s != hello_down[k]) {
		vr_srtp_stream_free(hello_down[k]);
		hello_down[k] = s;
		hello_down_epoch[k] = h->epoch;
	}
	my_nonce[i] = 0;
	hello_acks++;
	relay_chal = a.nonce;
	if (h->epoch != relay_epoch) {
		/* The relay restarted (or this is our first answer): new keys for
		 * every channel, and a hello now that it will believe. */
		if (relay_epoch != 0)
			epoch_changes++;
		relay_epoch = h->epoch;
		chan_keys(o);
		hello_soon = 1;
	}
}

static int
key_slot(const struct opts *o, uint8_t id)
{
	for (unsigned int k = 0; k < o->n_keys; k++)
		if (o->key[k].id == id)
			return (int)k;
	return -1;
}

static void
receive(int fd, const struct opts *o, int rebound)
{
	uint8_t b[2048];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct vr_tun_hdr h;
	ssize_t n;
	int len, k, seq;

	while ((n = recvfrom(fd, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) > 0) {
		struct chan *c = NULL;

		fl = sizeof(from);
		if (from.sin_addr.s_addr != o->relay.sin_addr.s_addr ||
				from.sin_port != o->relay.sin_port ||
				vr_tun_parse(b, (size_t)n, &h) != VR_TUN_OK || h.sbc_id != o->sbc_id ||
				(k = key_slot(o, h.key_id)) < 0) {
			foreign++;
			continue;
		}
		len = (int)n - VR_TUN_HDR_LEN;
		if (h.type == VR_TUN_HELLO_ACK) {
			answer(o, b + VR_TUN_HDR_LEN, len, &h, (unsigned int)k);
			continue;
		}
		for (unsigned int i = 0; i < n_ch; i++)
			if (ch[i].id == h.channel)
				c = &ch[i];
		if (c == NULL) {
			foreign++;
			continue;
		}
		if (h.epoch != chan_epoch(c)) {
			/* Not under our keys: the relay restarted and we have not
			 * heard its new epoch yet (say hello), or a replay. */
			c->stale++;
			hello_soon = 1;
			continue;
		}
		if (h.type == VR_TUN_RTCP) {
			/* The far end's RTCP, through the tunnel as SRTCP. */
			if (srtp_unprotect_rtcp(c->down[k], b + VR_TUN_HDR_LEN, &len) ==
					srtp_err_status_ok && len >= 8 + TAG_LEN &&
					memcmp(b + VR_TUN_HDR_LEN + 8, c->expect, TAG_LEN) == 0)
				c->rtcp_rx++;
			else
				c->auth_fail++;
			continue;
		}
		/* What names the key and IV the relay used: one line per packet. */
		if (down_log != NULL)
			fprintf(down_log, "%u %u %012llx %u %08x %u\n", o->sbc_id, h.channel,
				(unsigned long long)h.epoch, h.key_id,
				vr_tun_get32(b + VR_TUN_HDR_LEN + 8),
				(unsigned int)(b[VR_TUN_HDR_LEN + 2] << 8 | b[VR_TUN_HDR_LEN + 3]));
		if (srtp_unprotect(c->down[k], b + VR_TUN_HDR_LEN, &len) != srtp_err_status_ok) {
			c->auth_fail++;
			continue;
		}
		if (len < 12 + TAG_LEN + 4 ||
				memcmp(b + VR_TUN_HDR_LEN + 12, c->expect, TAG_LEN) != 0) {
			c->bad_tag++;
			continue;
		}
		seq = (int)vr_tun_get32(b + VR_TUN_HDR_LEN + 12 + TAG_LEN);
		if (seq < 0 || seq >= MAX_COUNT) {
			c->bad_tag++;
			continue;
		}
		if (c->seen[seq]) {
			c->dup++;
			continue;
		}
		c->seen[seq] = 1;
		c->rx++;
		if (rebound)
			c->rx_after_rebind++;
		if (c->min_seq < 0 || seq < c->min_seq)
			c->min_seq = seq;
		if (seq > c->max_seq)
			c->max_seq = seq;
	}
}

/*
 * What an attacker or a broken SBC sends, once, after packet i of channel 0
 * (whose datagram is d[0..len)): a tampered packet, a replay of d, a packet
 * under a key that is not the SBC's with the right key id, and a copy of d
 * claiming another SBC's id. None may reach the other end. The tampered and
 * wrong-key packets carry indexes not seen yet (i + 2, i + 1): a seen index
 * is refused as a replay before its tag is checked.
 */
static void
misbehave(int fd, const struct opts *o, const uint8_t *d, size_t len, unsigned int i)
{
	struct vr_srtp_key wrong = o->key[0];
	uint8_t x[2048];
	size_t n;
	srtp_t s;

	s = vr_srtp_stream_new(&o->key[0], VR_TUN_UP, ch[0].id, chan_epoch(&ch[0]), 0);
	if (s == NULL)
		die("libsrtp refused", "a session");
	n = media(x, o, &ch[0], 0, i + 2, s);
	vr_srtp_stream_free(s);
	x[n - 20] ^= 0x5a;
	bad_sent += send_dg(fd, o, x, n);
	bad_sent += send_dg(fd, o, d, len);
	for (size_t k = 0; k < sizeof(wrong.master); k++)
		wrong.master[k] ^= 0xa5;
	s = vr_srtp_stream_new(&wrong, VR_TUN_UP, ch[0].id, chan_epoch(&ch[0]), 0);
	if (s == NULL)
		die("libsrtp refused", "the wrong key");
	n = media(x, o, &ch[0], 0, i + 1, s);
	vr_srtp_stream_free(s);
	bad_sent += send_dg(fd, o, x, n);
	memcpy(x, d, len);
	vr_tun_put32(x + 4, o->other_sbc_id);
	bad_sent += send_dg(fd, o, x, len);
}

/*
 * The attacker: sends the datagrams recorded in o->replay to the relay at
 * o->pps (with --replay-alternate, the first half's and the second half's
 * in turn: two SSRCs of one channel, say, alternately), then listens until
 * --linger is over. Reports what it sent and what came back.
 */
static int
replay(int fd, const struct opts *o)
{
	static uint8_t buf[MAX_COUNT][256];
	static uint16_t lens[MAX_COUNT];
	FILE *f = fopen(o->replay, "rb");
	unsigned int n = 0, i, sent = 0, got = 0, answers = 0;
	uint64_t gap = 1000000000ull / o->pps, next, end;
	uint16_t l;

	if (f == NULL)
		die("--replay: cannot open", o->replay);
	while (n < MAX_COUNT && fread(&l, sizeof(l), 1, f) == 1) {
		if (l > sizeof(buf[0]) || fread(buf[n], l, 1, f) != 1)
			die("--replay: not a --record file", o->replay);
		lens[n++] = l;
	}
	fclose(f);
	next = now_ns();
	for (i = 0; i < n && i < o->count; i++) {
		unsigned int j = o->alternate ? (i % 2 == 0 ? i / 2 : (n + 1) / 2 + i / 2) : i;

		while (now_ns() < next)
			;
		if (j < n)
			sent += sendto(fd, buf[j], lens[j], 0, (const struct sockaddr *)&o->relay,
				sizeof(o->relay)) == (ssize_t)lens[j];
		next += gap;
	}
	end = now_ns() + (uint64_t)o->linger_ms * 1000000ull;
	while (now_ns() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint8_t b[2048];
		struct vr_tun_hdr h;
		ssize_t r;

		if (poll(&pfd, 1, 10) <= 0)
			continue;
		while ((r = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
			if (vr_tun_parse(b, (size_t)r, &h) == VR_TUN_OK && h.type == VR_TUN_HELLO_ACK)
				answers++;
			else
				got++;
		}
	}
	printf("{\"recorded\":%u,\"replayed\":%u,\"media_back\":%u,\"hello_answers\":%u}\n",
		n, sent, got, answers);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: vr_sbc --bind IP:PORT --relay IP:PORT --sbc-id N --suite S --key ID:BASE64\n"
		"              --channel CH:EPOCH:TAG:EXPECT_TAG [--channel ...] [--count N] [--pps N]\n"
		"              [--linger MS] [--hello-interval SEC] [--local-ip IP] [--version V]\n"
		"              [--rekey-at I --new-key ID:BASE64] [--rebind-at I]\n"
		"              [--bad-at I --other-sbc-id N] [--ssrc-change-at I] [--record FILE]\n"
		"              [--log-down FILE]\n"
		"       vr_sbc --replay FILE [--replay-alternate] --bind IP:PORT --relay IP:PORT\n"
		"              [--count N] [--pps N] [--linger MS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bind", 1, NULL, 'b' }, { "relay", 1, NULL, 'r' }, { "sbc-id", 1, NULL, 'i' },
		{ "suite", 1, NULL, 's' }, { "key", 1, NULL, 'k' }, { "new-key", 1, NULL, 'K' },
		{ "channel", 1, NULL, 'c' }, { "count", 1, NULL, 'n' }, { "pps", 1, NULL, 'p' },
		{ "linger", 1, NULL, 'l' }, { "hello-interval", 1, NULL, 'h' },
		{ "local-ip", 1, NULL, 'L' }, { "version", 1, NULL, 'v' },
		{ "rekey-at", 1, NULL, 'R' }, { "rebind-at", 1, NULL, 'B' }, { "bad-at", 1, NULL, 'X' },
		{ "other-sbc-id", 1, NULL, 'O' }, { "ssrc-change-at", 1, NULL, 'S' },
		{ "record", 1, NULL, 'w' }, { "replay", 1, NULL, 'P' },
		{ "replay-alternate", 0, NULL, 'A' }, { "log-down", 1, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .count = 250, .pps = 50, .linger_ms = 1000, .hello_s = 1,
		.rekey_at = UINT32_MAX, .rebind_at = UINT32_MAX, .bad_at = UINT32_MAX,
		.ssrc_change_at = UINT32_MAX, .other_sbc_id = 65535 };
	enum vr_srtp_suite suite = 0;
	const char *key0 = NULL, *key1 = NULL;
	uint8_t d[2048];
	uint64_t t0, next, next_hello, end, gap, last_soon = 0;
	unsigned int i, k, cur = 0;
	size_t len;
	int fd, opt, rebound = 0;

	snprintf(o.version, sizeof(o.version), "vr_sbc 0.1");
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'b': if (parse_addr(optarg, &o.bind) < 0) die("--bind", optarg); break;
		case 'r': if (parse_addr(optarg, &o.relay) < 0) die("--relay", optarg); break;
		case 'i': o.sbc_id = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 's':
			suite = vr_srtp_suite_parse(optarg);
			if (suite == 0)
				die("--suite", optarg);
			break;
		case 'k': key0 = optarg; break;
		case 'K': key1 = optarg; break;
		case 'c': parse_chan(optarg); break;
		case 'n': o.count = (unsigned int)atoi(optarg); break;
		case 'p': o.pps = (unsigned int)atoi(optarg); break;
		case 'l': o.linger_ms = (unsigned int)atoi(optarg); break;
		case 'h': o.hello_s = (unsigned int)atoi(optarg); break;
		case 'L':
			if (inet_pton(AF_INET, optarg, &o.local_ip) != 1)
				die("--local-ip", optarg);
			break;
		case 'v': snprintf(o.version, sizeof(o.version), "%s", optarg); break;
		case 'R': o.rekey_at = (unsigned int)atoi(optarg); break;
		case 'B': o.rebind_at = (unsigned int)atoi(optarg); break;
		case 'X': o.bad_at = (unsigned int)atoi(optarg); break;
		case 'O': o.other_sbc_id = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'S': o.ssrc_change_at = (unsigned int)atoi(optarg); break;
		case 'w': o.record = optarg; break;
		case 'P': o.replay = optarg; break;
		case 'A': o.alternate = 1; break;
		case 'D': o.log_down = optarg; break;
		default: usage();
		}
	}
	if (o.replay != NULL) {
		if (o.bind.sin_family == 0 || o.relay.sin_family == 0 || o.count == 0 ||
				o.pps == 0 || o.pps > 10000)
			usage();
		return replay(udp_socket("vr_sbc", &o.bind), &o);
	}
	if (o.bind.sin_family == 0 || o.relay.sin_family == 0 || o.sbc_id == 0 ||
			o.sbc_id > VR_TUN_SBC_ID_MAX || suite == 0 || key0 == NULL || n_ch == 0 ||
			o.count == 0 || o.count > MAX_COUNT / 2 || o.pps == 0 || o.pps > 10000 ||
			o.hello_s == 0 || (o.rekey_at != UINT32_MAX) != (key1 != NULL))
		usage();
	if (vr_srtp_init() < 0)
		die("libsrtp", "init");
	parse_key(&o.key[0], suite, key0);
	o.n_keys = 1;
	if (key1 != NULL) {
		parse_key(&o.key[1], suite, key1);
		o.n_keys = 2;
	}
	for (k = 0; k < o.n_keys; k++) {
		/* Hellos go under epoch 0: we may not know the relay's yet. */
		hello_up[k] = vr_srtp_stream_new(&o.key[k], VR_TUN_UP, VR_TUN_CHANNEL_SBC, 0, 0);
		if (hello_up[k] == NULL)
			die("libsrtp refused", "the hello session");
	}
	hello_ssrc = (uint32_t)rand64();
	hello_seq = (uint16_t)(rand64() & 0x7fff);
	if (o.record != NULL && (rec = fopen(o.record, "wb")) == NULL)
		die("--record: cannot create", o.record);
	if (o.log_down != NULL && (down_log = fopen(o.log_down, "a")) == NULL)
		die("--log-down: cannot open", o.log_down);
	fd = udp_socket("vr_sbc", &o.bind);
	gap = 1000000000ull / o.pps;
	/* No media before the relay's epoch is known (its channels' keys need
	 * it): hellos, at most 5 s, until an answer gives it. */
	t0 = now_ns();
	next_hello = t0;
	end = t0 + 5000000000ull;
	while (relay_epoch == 0 || hello_soon) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t t = now_ns();

		if (t >= end)
			die("no answer from the relay to our hellos within", "5 s");
		if (t >= next_hello || hello_soon) {
			hello_soon = 0;
			len = hello(d, &o, cur);
			hellos_sent += send_dg(fd, &o, d, len);
			next_hello = t + 200000000ull;
		}
		if (poll(&pfd, 1, 10) > 0)
			receive(fd, &o, rebound);
	}
	t0 = now_ns();
	next = t0;
	next_hello = t0 + (uint64_t)o.hello_s * 1000000000ull;
	end = t0 + gap * o.count + (uint64_t)o.linger_ms * 1000000ull;
	for (i = 0; now_ns() < end;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t t = now_ns();
		int wait_ms;

		/* A hello now when an answer or a packet says the relay's epoch
		 * changed (at most every 100 ms), else every --hello-interval. */
		if (t >= next_hello || (hello_soon && t - last_soon > 100000000ull)) {
			if (t < next_hello)
				last_soon = t;
			hello_soon = 0;
			len = hello(d, &o, cur);
			hellos_sent += send_dg(fd, &o, d, len);
			if (t >= next_hello)
				next_hello += (uint64_t)o.hello_s * 1000000000ull;
		}
		if (i < o.count && t >= next) {
			if (i == o.rekey_at)
				cur = 1;
			if (i == o.rebind_at) {
				/* A new source port: the NAT in front makes a new mapping. */
				struct sockaddr_in nb = o.bind;

				close(fd);
				nb.sin_port = htons((uint16_t)(ntohs(o.bind.sin_port) + 1));
				fd = udp_socket("vr_sbc", &nb);
				rebound = 1;
			}
			if (i == o.ssrc_change_at) {
				/* A re-INVITE: each phone starts a new SSRC. */
				for (unsigned int c = 0; c < n_ch; c++) {
					ch[c].ssrc = (uint32_t)rand64();
					ch[c].seq0 = (uint16_t)rand64();
					ch[c].i0 = i;
				}
			}
			for (unsigned int c = 0; c < n_ch; c++) {
				len = media(d, &o, &ch[c], cur, i, ch[c].up[cur]);
				ch[c].sent += send_dg(fd, &o, d, len);
				if (c == 0 && i == o.bad_at)
					misbehave(fd, &o, d, len, i);
			}
			i++;
			next += gap;
			continue;
		}
		wait_ms = (int)(((i < o.count ? next : t + 10000000ull) - t) / 1000000);
		if (hello_soon && wait_ms > 100)
			wait_ms = 100;
		if (poll(&pfd, 1, wait_ms > 0 ? wait_ms : 0) > 0)
			receive(fd, &o, rebound);
	}
	receive(fd, &o, rebound);
	printf("{\"hellos\":%u,\"hello_acks\":%u,\"stale_acks\":%u,\"hints\":%u,"
		"\"epoch_changes\":%u,\"relay_epoch\":\"%012llx\",\"foreign\":%u,\"bad_sent\":%u,"
		"\"channels\":[", hellos_sent, hello_acks, stale_acks, hints, epoch_changes,
		(unsigned long long)relay_epoch, foreign, bad_sent);
	for (unsigned int c = 0; c < n_ch; c++) {
		char missing[128] = "", holes[16 * 24 + 1];
		unsigned int gaps = emu_holes(ch[c].seen, ch[c].min_seq, ch[c].max_seq, holes,
			sizeof(holes)), listed = 0;
		size_t mo = 0;

		/* The first 8 packets missing, one by one. */
		for (int s = ch[c].min_seq < 0 ? 0 : ch[c].min_seq;
				s <= ch[c].max_seq && listed < 8; s++)
			if (!ch[c].seen[s]) {
				listed++;
				mo += (size_t)snprintf(missing + mo, sizeof(missing) - mo, "%s%d",
					mo ? "," : "", s);
			}
		printf("%s{\"channel\":%u,\"sent\":%u,\"rtp_rx\":%u,\"rtcp_rx\":%u,\"bad_tag\":%u,"
			"\"auth_fail\":%u,\"dup\":%u,\"first_seq\":%d,\"last_seq\":%d,\"gap_loss\":%u,"
			"\"missing\":[%s],\"holes\":[%s],\"rx_after_rebind\":%u,\"stale\":%u}",
			c ? "," : "", ch[c].id, ch[c].sent, ch[c].rx, ch[c].rtcp_rx, ch[c].bad_tag,
			ch[c].auth_fail, ch[c].dup, ch[c].min_seq, ch[c].max_seq, gaps, missing, holes,
			ch[c].rx_after_rebind, ch[c].stale);
	}
	printf("]}\n");
	for (k = 0; k < o.n_keys; k++) {
		vr_srtp_stream_free(hello_up[k]);
		vr_srtp_stream_free(hello_down[k]);
		for (i = 0; i < n_ch; i++) {
			vr_srtp_stream_free(ch[i].up[k]);
			vr_srtp_stream_free(ch[i].down[k]);
		}
	}
	if (rec != NULL)
		fclose(rec);
	if (down_log != NULL)
		fclose(down_log);
	close(fd);
	return 0;
}
