/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the fuzz harnesses' seed corpora (tests/fuzz/corpus/NAME/) from
 * the packets and records the other tests use: the frames of the relay and
 * tunnel tests (tests/common/pktbuild.h), tunnel datagrams and hellos built
 * with the product's encoders, control requests as voxrelayctl and the EAL
 * tests send them, and records as docs/redis-schema.md gives them. Run by
 * scripts/fuzz.sh --seeds; its output is committed.
 *
 * Usage: seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/common/pktbuild.h"
#include "voxrelay/ctl.h"
#include "voxrelay/tunnel.h"

static const char *dir;
static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x10 }, gw_mac[6] = { 0x02, 0, 0x5e, 0, 0, 1 };

/* Writes b[0..n) as DIR/name/file. */
static void
put(const char *name, const char *file, const void *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* A tunnel datagram of type t on channel ch with an RTP packet (or hello TLVs) behind. */
static size_t
tunnel(uint8_t *d, enum vr_tun_type t, uint32_t ch, int hello)
{
	struct vr_tun_hello h = { .interval_s = 5, .has_nonce = 1, .nonce = 0x1122334455667788ull,
		.has_echo = 1, .echo = 42 };
	size_t n;

	vr_tun_write(d, t, 1, 7, ch, 0x0000abcdef012345ull);
	n = build_rtp(d + VR_TUN_HDR_LEN, 9, 1440, 0x5bc0, hello ? 0 : 160, 0x11);
	if (hello) {
		inet_pton(AF_INET, "192.168.61.10", &h.local_ip);
		strcpy(h.version, "vr_sbc 0.2");
		n += (size_t)vr_tun_hello_build(&h, d + VR_TUN_HDR_LEN + 12, 128);
	}
	return VR_TUN_HDR_LEN + n + 10; /* and a tag's room */
}

static void
frames(void)
{
	uint8_t f[2048], pl[600];
	size_t n;

	build_rtp(pl, 1000, 160000, 0x101, 160, 0x22);
	n = build_udp(f, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.10", 20002, pl, 172);
	put("fuzz_frame", "rtp", f, n);
	/* RTP with two CSRCs, an extension and padding. */
	pl[0] = 0x80 | 0x20 | 0x10 | 2;
	memset(pl + 12, 0, 8);
	pl[20] = 0xbe; pl[21] = 0xde; pl[22] = 0; pl[23] = 1;
	pl[171] = 4;
	n = build_udp(f, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.10", 20002, pl, 172);
	put("fuzz_frame", "rtp-csrc-ext-pad", f, n);
	/* An RTCP receiver report, and one muxed on the RTP port. */
	memset(pl, 0, 32);
	pl[0] = 0x81; pl[1] = 201; pl[3] = 7;
	n = build_udp(f, our_mac, gw_mac, "203.0.113.2", 14021, "198.51.100.10", 20003, pl, 32);
	put("fuzz_frame", "rtcp-rr", f, n);
	n = build_udp(f, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.10", 20002, pl, 32);
	put("fuzz_frame", "rtcp-mux", f, n);
	n = build_arp_request(f, gw_mac, "198.51.100.1", "198.51.100.10");
	put("fuzz_frame", "arp", f, n);
	/* A tunnel datagram to port 5090. */
	n = tunnel(pl, VR_TUN_RTP, 12, 0);
	n = build_udp(f, our_mac, gw_mac, "198.18.1.2", 40000, "198.51.100.10", 5090, pl, n);
	put("fuzz_frame", "tunnel", f, n);
	/* ICMP echo: the UDP frame with protocol 1 and an echo header. */
	build_rtp(pl, 1, 0, 0, 20, 0);
	pl[0] = 8; pl[1] = 0;
	n = build_udp(f, our_mac, gw_mac, "203.0.113.2", 0, "198.51.100.10", 0, pl, 32);
	f[14 + 9] = 1;
	put("fuzz_frame", "icmp-echo", f, n);
	/* Options (IHL 6), a fragment, and a UDP length past the IP length. */
	build_rtp(pl, 7, 0, 0x101, 160, 0x22);
	n = build_udp(f, our_mac, gw_mac, "203.0.113.2", 14020, "198.51.100.10", 20002, pl, 172);
	f[14] = 0x46;
	put("fuzz_frame", "ip-options", f, n);
	f[14] = 0x45;
	f[14 + 6] = 0x20;
	put("fuzz_frame", "fragment", f, n);
	f[14 + 6] = 0;
	f[14 + 20 + 4] = 0x0f;
	put("fuzz_frame", "udp-len", f, n);
}

static void
tunnels(void)
{
	uint8_t d[512];

	put("fuzz_tunnel", "rtp", d, tunnel(d, VR_TUN_RTP, 12, 0));
	put("fuzz_tunnel", "rtcp", d, tunnel(d, VR_TUN_RTCP, 12, 0));
	put("fuzz_tunnel", "hello", d, tunnel(d, VR_TUN_HELLO, 0, 1));
	put("fuzz_tunnel", "hello-ack", d, tunnel(d, VR_TUN_HELLO_ACK, 0, 1));
	/* The hello's TLVs where the harness reads them: after 12 bytes. */
	tunnel(d, VR_TUN_HELLO, 0, 1);
	put("fuzz_tunnel", "hello-tlvs", d + VR_TUN_HDR_LEN, 12 + 4 + 6 + 10 + 10 + 12);
	d[0] = 0xE1;
	put("fuzz_tunnel", "version-1", d, 60);
}

/* A control request of type with body[0..len). */
static void
request(const char *file, uint16_t type, const void *body, size_t len)
{
	uint8_t m[VR_CTL_MSG_MAX];
	struct vr_ctl_hdr h = { VR_CTL_MAGIC, VR_CTL_VERSION, type, 0, 7 };

	h.len = (uint32_t)(sizeof(h) + len);
	memcpy(m, &h, sizeof(h));
	memcpy(m + sizeof(h), body, len);
	put("fuzz_ctlmsg", file, m, h.len);
}

static void
requests(void)
{
	struct vr_ctl_call c;
	struct vr_ctl_call_ref r;

	memset(&c, 0, sizeof(c));
	strcpy(c.id, "c42");
	inet_pton(AF_INET, "198.51.100.10", &c.leg[0].addr);
	c.leg[0].port = 20000;
	c.leg[0].flags = VR_CTL_LEG_F_EXPECT;
	inet_pton(AF_INET, "203.0.113.2", &c.leg[0].expect_ip);
	c.leg[0].expect_lo = 14000;
	c.leg[0].expect_hi = 14019;
	c.leg[1].addr = c.leg[0].addr;
	c.leg[1].port = 20002;
	request("call-add", VR_CTL_CALL_ADD, &c, sizeof(c));
	/* Latches restored from another host (a takeover). */
	c.leg[0].flags |= VR_CTL_LEG_F_LATCHED;
	c.leg[0].latch_ip = c.leg[0].expect_ip;
	c.leg[0].latch_port = 14004;
	c.leg[0].latch_rtcp_port = 14005;
	c.leg[0].latch_ssrc = 0xa0a;
	c.leg[0].latch_seq = 900;
	request("call-add-latched", VR_CTL_CALL_ADD, &c, sizeof(c));
	c.leg[0].flags &= (uint16_t)~VR_CTL_LEG_F_LATCHED;
	c.leg[0].latch_ip = 0;
	c.leg[0].latch_port = c.leg[0].latch_rtcp_port = 0;
	c.leg[0].latch_ssrc = c.leg[0].latch_seq = 0;
	c.leg[0].port = 0;
	c.leg[0].flags = VR_CTL_LEG_F_TUNNEL;
	c.leg[0].expect_ip = 0;
	c.leg[0].expect_lo = c.leg[0].expect_hi = 0;
	c.leg[0].sbc_id = 7;
	c.leg[0].channel = 12;
	c.leg[0].epoch = 0x9fa0b1c2d3e4ull;
	request("call-add-tunnel", VR_CTL_CALL_ADD, &c, sizeof(c));
	request("call-mod-tunnel", VR_CTL_CALL_MOD, &c, sizeof(c));
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "c42");
	request("call-del", VR_CTL_CALL_DEL, &r, sizeof(r));
	request("call-get", VR_CTL_CALL_GET, &r, sizeof(r));
	{
		static struct vr_ctl_batch b;

		memset(&b, 0, sizeof(b));
		b.n = 3;
		b.op[0].type = VR_CTL_CALL_DEL;
		strcpy(b.op[0].call.id, "c41");
		b.op[1].type = VR_CTL_CALL_ADD;
		b.op[1].call = c;
		b.op[2].type = VR_CTL_CALL_MOD;
		b.op[2].call = c;
		request("call-batch", VR_CTL_CALL_BATCH, &b, sizeof(b));
	}
	request("health", VR_CTL_HEALTH, NULL, 0);
	{
		struct vr_ctl_addr a = { .active = 1 };

		inet_pton(AF_INET, "198.51.100.10", &a.ip);
		request("addr-set", VR_CTL_ADDR_SET, &a, sizeof(a));
	}
	{
		struct vr_ctl_sbc d;

		memset(&d, 0, sizeof(d));
		d.id = 7;
		d.suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80;
		d.n_keys = 2;
		d.prev_ms = 30000;
		d.key[0].id = 1;
		d.key[0].len = 30;
		memset(d.key[0].master, 0x42, 30);
		d.key[1].id = 0;
		d.key[1].len = 30;
		memset(d.key[1].master, 0x17, 30);
		request("sbc-set-rollover", VR_CTL_SBC_SET, &d, sizeof(d));
		d.suite = VR_SRTP_AEAD_AES_128_GCM;
		d.n_keys = 1;
		d.key[0].len = 28;
		request("sbc-set-gcm", VR_CTL_SBC_SET, &d, sizeof(d));
	}
}

/* A record: type byte, then NUL-separated field, value, ... */
static void
record(const char *file, uint8_t type, const char *const *fv)
{
	uint8_t b[1024];
	size_t n = 0;

	b[n++] = type;
	for (; *fv != NULL; fv++) {
		size_t l = strlen(*fv) + 1;

		memcpy(b + n, *fv, l);
		n += l;
	}
	put("fuzz_record", file, b, n - 1);
}

static void
records(void)
{
	static const char *const ext[] = { "mode", "stun", "site", "branch1", "public_ip",
		"198.51.100.7", "sip_port", "5065", "rtp_ports", "14000-14019", "lan_ip",
		"192.168.50.11", NULL };
	static const char *const ext_sbc[] = { "mode", "sbc", "site", "b1", "sbc", "b1", NULL };
	static const char *const sbc[] = { "name", "Branch 1", "auth_id", "sbc-b1", "tunnel_id", "1",
		"suite", "AES_CM_128_HMAC_SHA1_80", "key", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd",
		"key_id", "1", NULL };
	static const char *const call[] = { "a_ext", "101", "a_port", "20000", "b_ext", "102",
		"b_port", "20002", NULL };
	static const char *const call_tun[] = { "a_ext", "301", "a_channel", "12", "a_epoch",
		"9fa0b1c2d3e4", "b_ext", "101", "b_port", "20004", NULL };
	/* A leg's latch as its stats recorded it: peer, SSRC, sequence, RTCP peer. */
	static const char *const latch[] = { "203.0.113.2:14004", "2570", "900",
		"203.0.113.2:14005", NULL };
	static const char *const call_ep[] = { "a_endpoint", "198.18.0.1:10000-10000", "a_port",
		"20000", "a_addr", "198.51.100.10", "b_ext", "102", "b_port", "20002",
		"learn_window_ms", "10000", "clock_rate", "16000", NULL };

	record("ext", 0, ext);
	record("ext-sbc", 0, ext_sbc);
	record("sbc", 1, sbc);
	record("call", 2, call);
	record("call-tunnel", 2, call_tun);
	record("call-endpoint", 2, call_ep);
	record("latch", 3, latch);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	frames();
	tunnels();
	requests();
	records();
	return 0;
}
