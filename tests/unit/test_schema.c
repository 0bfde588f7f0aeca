/* SPDX-License-Identifier: BSD-3-Clause */
/* Parsing of Redis records (control/schema.c): every rejection names key, field and value. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include <criterion/criterion.h>

#include "voxrelay/ctl.h"

#include "control/schema.h"

static char err[VR_ERR_MAX];
static const char *f[64], *v[64];
static size_t n;

/* Sets the hash's fields from "field", "value", ..., NULL. */
static void
hash(const char *first, ...)
{
	va_list ap;
	const char *s;

	n = 0;
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		f[n] = s;
		v[n] = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
}

#define STUN "mode", "stun", "site", "branch1", "public_ip", "203.0.113.2", "sip_port", "5065", \
	"rtp_ports", "14000-14019"

static void
ext_rejected(const char *want)
{
	struct vr_ext e;

	cr_assert_eq(vr_schema_ext("voxrelay:ext:101", "101", f, v, n, &e, err, sizeof(err)), -1,
		"accepted, wanted: %s", want);
	cr_assert(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	cr_assert(strstr(err, "voxrelay:ext:101") != NULL, "'%s' does not name the key", err);
}

Test(schema, stun_extension)
{
	struct vr_ext e;
	struct in_addr a;

	hash(STUN, "lan_ip", "192.168.50.11", "name", "Reception", NULL);
	cr_assert_eq(vr_schema_ext("voxrelay:ext:101", "101", f, v, n, &e, err, sizeof(err)), 0,
		"%s", err);
	inet_pton(AF_INET, "203.0.113.2", &a);
	cr_assert_str_eq(e.number, "101");
	cr_assert_eq(e.mode, VR_EXT_STUN);
	cr_assert_eq(e.public_ip, a.s_addr);
	cr_assert_eq(e.sip_port, 5065);
	cr_assert_eq(e.rtp_lo, 14000);
	cr_assert_eq(e.rtp_hi, 14019);
	cr_assert_eq(e.deliver_audio, 1, "PBX-delivered audio is the default");
	cr_assert_str_eq(e.name, "Reception");
}

Test(schema, extension_rejections)
{
	hash("site", "b", NULL);
	ext_rejected("field 'mode' is missing");
	hash("mode", "sip", NULL);
	ext_rejected("field 'mode': 'sip' is not stun, sbc or lan");
	hash("mode", "stun", "public_ip", "203.0.113.2", "sip_port", "5065", "rtp_ports",
		"14000-14019", NULL);
	ext_rejected("field 'site' is missing");
	hash("mode", "stun", "site", "b", "sip_port", "5065", "rtp_ports", "14000-14019", NULL);
	ext_rejected("field 'public_ip' is missing");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.300", "sip_port", "5065",
		"rtp_ports", "14000-14019", NULL);
	ext_rejected("field 'public_ip': '203.0.113.300' is not an IPv4 address");
	hash("mode", "stun", "site", "b", "public_ip", "224.1.1.1", "sip_port", "5065",
		"rtp_ports", "14000-14019", NULL);
	ext_rejected("field 'public_ip': '224.1.1.1' is not a unicast address");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.2", "rtp_ports", "14000-14019",
		NULL);
	ext_rejected("field 'sip_port' is missing");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.2", "sip_port", "70000",
		"rtp_ports", "14000-14019", NULL);
	ext_rejected("field 'sip_port': '70000' is not a port");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.2", "sip_port", "5065", NULL);
	ext_rejected("field 'rtp_ports' is missing");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.2", "sip_port", "5065",
		"rtp_ports", "14019-14000", NULL);
	ext_rejected("field 'rtp_ports': '14019-14000' is not a range");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.2", "sip_port", "5065",
		"rtp_ports", "14000", NULL);
	ext_rejected("field 'rtp_ports': '14000' is not a range LO-HI");
	hash("mode", "stun", "site", "b c", "public_ip", "203.0.113.2", "sip_port", "5065",
		"rtp_ports", "14000-14019", NULL);
	ext_rejected("field 'site': 'b c' is not an id");
	hash("mode", "stun", "site", "b", "public_ip", "203.0.113.2", "sip_port", "14005",
		"rtp_ports", "14000-14019", NULL);
	ext_rejected("field 'sip_port': '14005' is inside the extension's own RTP block 14000-14019");
	hash("mode", "sbc", "site", "b", NULL);
	ext_rejected("field 'sbc' is missing");
	hash("mode", "lan", NULL);
	ext_rejected("field 'lan_ip' is missing");
	hash("mode", "lan", "lan_ip", "10.0.0.5", "deliver_audio", "maybe", NULL);
	ext_rejected("field 'deliver_audio': 'maybe' is not a boolean");
}

Test(schema, extension_number_from_key)
{
	struct vr_ext e;

	hash(STUN, NULL);
	cr_assert_eq(vr_schema_ext("voxrelay:ext:1 01", "1 01", f, v, n, &e, err, sizeof(err)), -1);
	cr_assert(strstr(err, "'1 01' is not an extension number") != NULL, "%s", err);
}

Test(schema, sbc)
{
	struct vr_sbc s;

	/* 30 bytes of key and salt for AES_CM_128_HMAC_SHA1_80. */
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_CM_128_HMAC_SHA1_80", "key",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", "tunnel_id", "7", "key_id", "3", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), 0, "%s",
		err);
	cr_assert_eq(s.key_len, 30);
	cr_assert_eq(s.key[29], 29);
	cr_assert_eq(s.tunnel_id, 7);
	cr_assert_eq(s.key_id, 3);
	/* key_id defaults to 0; tunnel_id is required and 1-65535. */
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_CM_128_HMAC_SHA1_80", "key",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", "tunnel_id", "65535", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), 0, "%s",
		err);
	cr_assert_eq(s.key_id, 0);
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_CM_128_HMAC_SHA1_80", "key",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "field 'tunnel_id' is missing") != NULL, "%s", err);
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_CM_128_HMAC_SHA1_80", "key",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", "tunnel_id", "0", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "field 'tunnel_id': '0' is not 1-65535") != NULL, "%s", err);
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_CM_128_HMAC_SHA1_80", "key",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", "tunnel_id", "7", "key_id", "256", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "field 'key_id': '256' is not 0-255") != NULL, "%s", err);
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_CM_128_HMAC_SHA1_80", "key",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBka", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "decodes to 27 bytes, AES_CM_128_HMAC_SHA1_80 needs 30") != NULL,
		"%s", err);
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AES_256", "key", "AAAA", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "field 'suite': 'AES_256'") != NULL, "%s", err);
	hash("name", "Branch 7", "auth_id", "sbc7", "suite", "AEAD_AES_128_GCM", "key", "!!!!",
		NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "field 'key'") != NULL && strstr(err, "not base64") != NULL,
		"%s", err);
	cr_assert(strstr(err, "!!!!") == NULL, "key material must not be echoed: %s", err);
	hash("auth_id", "sbc7", NULL);
	cr_assert_eq(vr_schema_sbc("voxrelay:sbc:s7", "s7", f, v, n, &s, err, sizeof(err)), -1);
	cr_assert(strstr(err, "field 'name' is missing") != NULL, "%s", err);
}

static void
call_rejected(const char *want)
{
	struct vr_call_rec c;

	cr_assert_eq(vr_schema_call("voxrelay:call:c1", "c1", f, v, n, &c, err, sizeof(err)), -1,
		"accepted, wanted: %s", want);
	cr_assert(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
}

Test(schema, call)
{
	struct vr_call_rec c;
	struct in_addr a;

	hash("a_ext", "101", "a_port", "20000", "b_endpoint", "10.1.1.5:30000-30099", "b_port",
		"20002", "b_addr", "198.51.100.11", "learn_window", "10", "clock_rate", "16000", NULL);
	cr_assert_eq(vr_schema_call("voxrelay:call:c1", "c1", f, v, n, &c, err, sizeof(err)), 0,
		"%s", err);
	cr_assert_str_eq(c.leg[0].ext, "101");
	cr_assert_eq(c.leg[0].port, 20000);
	inet_pton(AF_INET, "10.1.1.5", &a);
	cr_assert_eq(c.leg[1].endpoint_ip, a.s_addr);
	cr_assert_eq(c.leg[1].endpoint_lo, 30000);
	cr_assert_eq(c.leg[1].endpoint_hi, 30099);
	cr_assert_eq(c.learn_window_ms, 10000);
	cr_assert_eq(c.clock_rate, 16000);
	cr_assert_eq(c.leg[0].channel, 0);
}

Test(schema, call_tunnel_leg)
{
	struct vr_call_rec c;

	/* A leg to a phone behind an SBC: a channel of its tunnel, no relay port. */
	hash("a_ext", "301", "a_channel", "12", "a_epoch", "9fA0b1c2d3e4", "b_ext", "101", "b_port",
		"20002", NULL);
	cr_assert_eq(vr_schema_call("voxrelay:call:c1", "c1", f, v, n, &c, err, sizeof(err)), 0,
		"%s", err);
	cr_assert_eq(c.leg[0].channel, 12);
	cr_assert_eq(c.leg[0].epoch, 0x9fa0b1c2d3e4ull);
	cr_assert_eq(c.leg[0].port, 0);
	cr_assert_eq(c.leg[1].epoch, 0);
	/* The epoch: given, 1-12 hex digits, not 0; only on a tunnel leg. */
	hash("a_ext", "301", "a_channel", "12", "b_ext", "101", "b_port", "20002", NULL);
	call_rejected("field 'a_epoch' is missing");
	hash("a_ext", "301", "a_channel", "12", "a_epoch", "0", "b_ext", "101", "b_port", "20002",
		NULL);
	call_rejected("field 'a_epoch': '0' is not an epoch");
	hash("a_ext", "301", "a_channel", "12", "a_epoch", "1234567890abc", "b_ext", "101",
		"b_port", "20002", NULL);
	call_rejected("field 'a_epoch': '1234567890abc' is not an epoch");
	hash("a_ext", "301", "a_channel", "12", "a_epoch", "12g4", "b_ext", "101", "b_port",
		"20002", NULL);
	call_rejected("field 'a_epoch': '12g4'");
	hash("a_ext", "301", "a_channel", "12", "a_epoch", "7", "b_ext", "101", "b_port", "20002",
		"b_epoch", "8", NULL);
	call_rejected("field 'b_epoch': only a tunnel leg");
	hash("a_ext", "301", "a_channel", "12", "a_epoch", "1", "a_port", "20000", "b_ext", "101",
		"b_port", "20002", NULL);
	call_rejected("leg a has both 'a_channel' (a tunnel leg) and 'a_port' (a relay port)");
	hash("a_ext", "301", "a_channel", "0", "a_epoch", "1", "b_ext", "101", "b_port", "20002",
		NULL);
	call_rejected("field 'a_channel': '0' is not a channel number");
	hash("a_ext", "301", "a_channel", "x1", "b_ext", "101", "b_port", "20002", NULL);
	call_rejected("field 'a_channel': 'x1'");
}

Test(schema, call_rejections)
{
	hash("a_port", "20000", "b_ext", "102", "b_port", "20002", NULL);
	call_rejected("leg a needs exactly one of 'a_ext' and 'a_endpoint'");
	hash("a_ext", "101", "a_endpoint", "10.0.0.1", "a_port", "20000", "b_ext", "102",
		"b_port", "20002", NULL);
	call_rejected("leg a needs exactly one of");
	hash("a_ext", "101", "b_ext", "102", "b_port", "20002", NULL);
	call_rejected("field 'a_port' is missing");
	hash("a_ext", "101", "a_port", "20001", "b_ext", "102", "b_port", "20002", NULL);
	call_rejected("field 'a_port': '20001' is odd");
	hash("a_ext", "101", "a_port", "2x", "b_ext", "102", "b_port", "20002", NULL);
	call_rejected("field 'a_port': '2x' is not a port");
	hash("a_ext", "101", "a_port", "20000", "b_endpoint", "10.0.0.300", "b_port", "20002", NULL);
	call_rejected("field 'b_endpoint': '10.0.0.300' is not an IPv4 address");
	hash("a_ext", "101", "a_port", "20000", "b_ext", "102", "b_port", "20002", "learn_window",
		"0", NULL);
	call_rejected("field 'learn_window': '0' is not 1-86400 seconds");
	hash("a_ext", "101", "a_port", "20000", "b_ext", "102", "b_port", "20002", "clock_rate",
		"900", NULL);
	call_rejected("field 'clock_rate': '900' is not 1000-192000 Hz");
	hash("a_ext", "101", "a_port", "20000", "b_ext", "102", "b_port", "20002", "b_addr",
		"nowhere", NULL);
	call_rejected("field 'b_addr': 'nowhere' is not an IPv4 address");
}

Test(schema, latch)
{
	struct vr_ctl_leg leg = { .flags = VR_CTL_LEG_F_EXPECT, .expect_lo = 14000,
		.expect_hi = 14019 };
	struct vr_ctl_leg l;
	char why[256];
	static const struct {
		const char *peer, *ssrc, *seq, *rtcp, *named;
	} bad[] = {
		{ "", "1", "1", "", "no latch was recorded" },
		{ "203.0.113.2", "1", "1", "", "'203.0.113.2' is not a unicast IPv4:PORT" },
		{ "203.0.113.2:0", "1", "1", "", "'203.0.113.2:0' is not" },
		{ "224.0.0.1:14004", "1", "1", "", "'224.0.0.1:14004' is not" },
		{ "203.0.113.2:14004", "4294967296", "1", "", "SSRC '4294967296' is not" },
		{ "203.0.113.2:14004", "-1", "1", "", "SSRC '-1' is not" },
		{ "203.0.113.2:14004", "1", "65536", "", "sequence '65536' is not" },
		{ "203.0.113.2:14004", "1", "1", "198.51.100.9:14005", "RTCP peer '198.51.100.9:14005'" },
		{ "203.0.113.9:14004", "1", "1", "", "203.0.113.9:14004 is not the leg's expected peer" },
		{ "203.0.113.2:14020", "1", "1", "", "203.0.113.2:14020 is not the leg's expected peer" },
		{ "203.0.113.2:14004", "1", "1", "203.0.113.2:14030", "not the leg's expected RTCP port" },
	};
	size_t i;

	inet_pton(AF_INET, "203.0.113.2", &leg.expect_ip);
	l = leg;
	cr_assert_eq(vr_schema_latch("203.0.113.2:14004", "2570", "900", "203.0.113.2:14005", &l,
		why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(l.flags, VR_CTL_LEG_F_EXPECT | VR_CTL_LEG_F_LATCHED);
	cr_assert_eq(l.latch_ip, leg.expect_ip);
	cr_assert_eq(l.latch_port, 14004);
	cr_assert_eq(l.latch_rtcp_port, 14005);
	cr_assert_eq(l.latch_ssrc, 2570);
	cr_assert_eq(l.latch_seq, 900);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l = leg;
		why[0] = '\0';
		cr_assert_eq(vr_schema_latch(bad[i].peer, bad[i].ssrc, bad[i].seq, bad[i].rtcp, &l, why,
			sizeof(why)), -1, "%s was taken", bad[i].peer);
		cr_assert(strstr(why, bad[i].named) != NULL, "'%s' does not say '%s'", why,
			bad[i].named);
		cr_assert_eq(l.flags, VR_CTL_LEG_F_EXPECT, "a refused latch set the flag");
	}
	l = leg;
	l.flags = VR_CTL_LEG_F_TUNNEL;
	cr_assert_eq(vr_schema_latch("203.0.113.2:14004", "1", "1", "", &l, why, sizeof(why)), -1);
}
