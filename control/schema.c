/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parses schema records; see schema.h and docs/redis-schema.md. Pure: reads
 * its arguments, writes the output struct and err. Unknown fields are
 * ignored (a newer PBX may write more), missing required ones and bad values
 * are errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "voxrelay/ctl.h"

#include "schema.h"

const char *
vr_ext_mode_name(enum vr_ext_mode m)
{
	return m == VR_EXT_STUN ? "stun" : m == VR_EXT_SBC ? "sbc" : m == VR_EXT_LAN ? "lan" : "?";
}

const char *
vr_suite_name(enum vr_srtp_suite s)
{
	return s == VR_SRTP_AES_CM_128_HMAC_SHA1_80 ? "AES_CM_128_HMAC_SHA1_80" :
		s == VR_SRTP_AEAD_AES_128_GCM ? "AEAD_AES_128_GCM" : "?";
}

int
vr_schema_id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n >= VR_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The value of field name, or NULL. */
static const char *
field(const char *const *f, const char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return v[i];
	return NULL;
}

struct ctx {
	const char *key;
	char *err;
	size_t errlen;
};

static int
bad(const struct ctx *c, const char *name, const char *val, const char *what)
{
	snprintf(c->err, c->errlen, "%s: field '%s': '%s' %s", c->key, name, val, what);
	return -1;
}

static int
missing(const struct ctx *c, const char *name, const char *why)
{
	snprintf(c->err, c->errlen, "%s: field '%s' is missing%s%s", c->key, name,
		why[0] ? " " : "", why);
	return -1;
}

static int
get_ip(const struct ctx *c, const char *name, const char *val, uint32_t *ip)
{
	struct in_addr a;
	uint32_t h;

	if (inet_pton(AF_INET, val, &a) != 1)
		return bad(c, name, val, "is not an IPv4 address");
	h = ntohl(a.s_addr);
	if (h == 0 || h == 0xffffffff || (h >> 28) == 0xe || (h >> 24) == 127)
		return bad(c, name, val, "is not a unicast address");
	*ip = a.s_addr;
	return 0;
}

static int
parse_u32(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || *out < lo || *out > hi ? -1 : 0;
}

/* A tunnel leg's epoch: 1-12 hex digits, not all zero; 0 or -1. */
static int
parse_epoch(const char *s, uint64_t *out)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 12)
		return -1;
	*out = 0;
	for (i = 0; i < len; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
			s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
			s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		*out = *out << 4 | (uint64_t)d;
	}
	return *out != 0 ? 0 : -1;
}

static int
get_port(const struct ctx *c, const char *name, const char *val, uint16_t *p)
{
	unsigned long v;

	if (parse_u32(val, 1, 65535, &v) < 0)
		return bad(c, name, val, "is not a port (1-65535)");
	*p = (uint16_t)v;
	return 0;
}

static int
get_range(const struct ctx *c, const char *name, const char *val, uint16_t *lo, uint16_t *hi)
{
	char buf[32], *dash;
	unsigned long a, b;

	if (strlen(val) >= sizeof(buf) || (dash = strchr(strcpy(buf, val), '-')) == NULL)
		return bad(c, name, val, "is not a range LO-HI");
	*dash = '\0';
	if (parse_u32(buf, 1, 65535, &a) < 0 || parse_u32(dash + 1, 1, 65535, &b) < 0 || b < a)
		return bad(c, name, val, "is not a range LO-HI within 1-65535");
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int
get_bool(const struct ctx *c, const char *name, const char *val, int *out)
{
	if (strcmp(val, "1") == 0 || strcasecmp(val, "yes") == 0 || strcasecmp(val, "true") == 0)
		*out = 1;
	else if (strcmp(val, "0") == 0 || strcasecmp(val, "no") == 0 ||
			strcasecmp(val, "false") == 0)
		*out = 0;
	else
		return bad(c, name, val, "is not a boolean (1/0, yes/no, true/false)");
	return 0;
}

static int
get_name(const struct ctx *c, const char *name, const char *val, char *out, size_t cap)
{
	size_t i, n = strlen(val);

	if (n == 0 || n >= cap)
		return bad(c, name, val, "must be 1-63 printable characters");
	for (i = 0; i < n; i++)
		if ((unsigned char)val[i] < 0x20 || (unsigned char)val[i] == 0x7f)
			return bad(c, name, val, "must be 1-63 printable characters");
	memcpy(out, val, n + 1);
	return 0;
}

static int
get_id(const struct ctx *c, const char *name, const char *val, char *out)
{
	if (!vr_schema_id_ok(val))
		return bad(c, name, val, "is not an id (1-63 of A-Z a-z 0-9 . _ -)");
	strcpy(out, val);
	return 0;
}

int
vr_schema_ext(const char *key, const char *id, const char *const *f, const char *const *v,
	size_t n, struct vr_ext *e, char *err, size_t errlen)
{
	struct ctx c = { key, err, errlen };
	const char *s;

	memset(e, 0, sizeof(*e));
	e->deliver_audio = 1;
	if (!vr_schema_id_ok(id) || strlen(id) >= sizeof(e->number)) {
		snprintf(err, errlen, "%s: '%s' is not an extension number (1-31 of A-Z a-z 0-9 . _ -)",
			key, id);
		return -1;
	}
	strcpy(e->number, id);
	if ((s = field(f, v, n, "mode")) == NULL)
		return missing(&c, "mode", "(stun, sbc or lan)");
	if (strcmp(s, "stun") == 0)
		e->mode = VR_EXT_STUN;
	else if (strcmp(s, "sbc") == 0)
		e->mode = VR_EXT_SBC;
	else if (strcmp(s, "lan") == 0)
		e->mode = VR_EXT_LAN;
	else
		return bad(&c, "mode", s, "is not stun, sbc or lan");
	if ((s = field(f, v, n, "name")) != NULL && get_name(&c, "name", s, e->name,
			sizeof(e->name)) < 0)
		return -1;
	if ((s = field(f, v, n, "deliver_audio")) != NULL && get_bool(&c, "deliver_audio", s,
			&e->deliver_audio) < 0)
		return -1;
	if ((s = field(f, v, n, "site")) != NULL) {
		if (get_id(&c, "site", s, e->site) < 0)
			return -1;
	} else if (e->mode != VR_EXT_LAN) {
		return missing(&c, "site", "");
	}
	if ((s = field(f, v, n, "lan_ip")) != NULL && get_ip(&c, "lan_ip", s, &e->lan_ip) < 0)
		return -1;
	if ((s = field(f, v, n, "rtp_ports")) != NULL &&
			get_range(&c, "rtp_ports", s, &e->rtp_lo, &e->rtp_hi) < 0)
		return -1;
	switch (e->mode) {
	case VR_EXT_STUN:
		if ((s = field(f, v, n, "public_ip")) == NULL)
			return missing(&c, "public_ip", "(the site's public address)");
		if (get_ip(&c, "public_ip", s, &e->public_ip) < 0)
			return -1;
		if ((s = field(f, v, n, "sip_port")) == NULL)
			return missing(&c, "sip_port", "(the site's forwarded SIP port)");
		if (get_port(&c, "sip_port", s, &e->sip_port) < 0)
			return -1;
		if (e->rtp_lo == 0)
			return missing(&c, "rtp_ports", "(the phone's forwarded RTP block)");
		if (e->sip_port >= e->rtp_lo && e->sip_port <= e->rtp_hi) {
			snprintf(err, errlen, "%s: field 'sip_port': '%u' is inside the extension's "
				"own RTP block %u-%u", key, e->sip_port, e->rtp_lo, e->rtp_hi);
			return -1;
		}
		break;
	case VR_EXT_SBC:
		if ((s = field(f, v, n, "sbc")) == NULL)
			return missing(&c, "sbc", "(the SBC it is behind)");
		if (get_id(&c, "sbc", s, e->sbc) < 0)
			return -1;
		break;
	case VR_EXT_LAN:
		if (e->lan_ip == 0)
			return missing(&c, "lan_ip", "(the phone's address on the PBX LAN)");
		break;
	}
	return 0;
}

/* Decodes standard base64 (with padding) into out; returns the length or -1. */
static int
base64(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s), i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		int d;

		if (ch == '=') {
			if (i < n - 2 || (i == n - 2 && s[n - 1] != '='))
				return -1;
			break;
		}
		if (ch >= 'A' && ch <= 'Z')
			d = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			d = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			d = ch - '0' + 52;
		else if (ch == '+')
			d = 62;
		else if (ch == '/')
			d = 63;
		else
			return -1;
		acc = acc << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (int)o;
}

int
vr_schema_sbc(const char *key, const char *id, const char *const *f, const char *const *v,
	size_t n, struct vr_sbc *sb, char *err, size_t errlen)
{
	struct ctx c = { key, err, errlen };
	unsigned long x;
	const char *s;
	size_t want;
	int len;

	memset(sb, 0, sizeof(*sb));
	if (!vr_schema_id_ok(id)) {
		snprintf(err, errlen, "%s: '%s' is not an SBC id (1-63 of A-Z a-z 0-9 . _ -)", key, id);
		return -1;
	}
	strcpy(sb->id, id);
	if ((s = field(f, v, n, "name")) == NULL)
		return missing(&c, "name", "");
	if (get_name(&c, "name", s, sb->name, sizeof(sb->name)) < 0)
		return -1;
	if ((s = field(f, v, n, "auth_id")) == NULL)
		return missing(&c, "auth_id", "");
	if (get_name(&c, "auth_id", s, sb->auth_id, sizeof(sb->auth_id)) < 0)
		return -1;
	if ((s = field(f, v, n, "suite")) == NULL)
		return missing(&c, "suite", "(AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM)");
	if (strcmp(s, "AES_CM_128_HMAC_SHA1_80") == 0)
		sb->suite = VR_SRTP_AES_CM_128_HMAC_SHA1_80;
	else if (strcmp(s, "AEAD_AES_128_GCM") == 0)
		sb->suite = VR_SRTP_AEAD_AES_128_GCM;
	else
		return bad(&c, "suite", s, "is not AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM");
	if ((s = field(f, v, n, "key")) == NULL)
		return missing(&c, "key", "(base64 master key and salt)");
	/* RFC 3711: 16-byte key + 14-byte salt; RFC 7714: 16-byte key + 12-byte salt. */
	want = sb->suite == VR_SRTP_AES_CM_128_HMAC_SHA1_80 ? 30 : 28;
	len = base64(s, sb->key, sizeof(sb->key));
	if (len < 0)
		return bad(&c, "key", "(hidden)", "is not base64");
	if ((size_t)len != want) {
		snprintf(err, errlen, "%s: field 'key': decodes to %d bytes, %s needs %zu "
			"(master key and salt)", key, len, vr_suite_name(sb->suite), want);
		return -1;
	}
	sb->key_len = (size_t)len;
	if ((s = field(f, v, n, "tunnel_id")) == NULL)
		return missing(&c, "tunnel_id", "(the SBC's tunnel id, 1-65535, as set on the SBC)");
	if (parse_u32(s, 1, VR_TUN_SBC_ID_MAX, &x) < 0)
		return bad(&c, "tunnel_id", s, "is not 1-65535");
	sb->tunnel_id = (uint32_t)x;
	if ((s = field(f, v, n, "key_id")) != NULL) {
		if (parse_u32(s, 0, 255, &x) < 0)
			return bad(&c, "key_id", s, "is not 0-255");
		sb->key_id = (uint8_t)x;
	}
	return 0;
}

static int
call_leg(const struct ctx *c, const char *const *f, const char *const *v, size_t n, char side,
	struct vr_call_leg *l)
{
	char name[16];
	const char *ext, *ep, *s;
	char buf[64], *colon;

	snprintf(name, sizeof(name), "%c_ext", side);
	ext = field(f, v, n, name);
	snprintf(name, sizeof(name), "%c_endpoint", side);
	ep = field(f, v, n, name);
	if ((ext == NULL) == (ep == NULL)) {
		snprintf(c->err, c->errlen, "%s: leg %c needs exactly one of '%c_ext' and "
			"'%c_endpoint'", c->key, side, side, side);
		return -1;
	}
	if (ext != NULL) {
		snprintf(name, sizeof(name), "%c_ext", side);
		if (!vr_schema_id_ok(ext) || strlen(ext) >= sizeof(l->ext))
			return bad(c, name, ext, "is not an extension number");
		strcpy(l->ext, ext);
	} else {
		snprintf(name, sizeof(name), "%c_endpoint", side);
		if (strlen(ep) >= sizeof(buf))
			return bad(c, name, ep, "is not IP[:LO-HI]");
		strcpy(buf, ep);
		colon = strchr(buf, ':');
		if (colon != NULL)
			*colon++ = '\0';
		if (get_ip(c, name, buf, &l->endpoint_ip) < 0)
			return -1;
		if (colon != NULL && get_range(c, name, colon, &l->endpoint_lo, &l->endpoint_hi) < 0)
			return -1;
	}
	/* A leg to a phone behind an SBC is a channel of its tunnel, not a relay port. */
	snprintf(name, sizeof(name), "%c_channel", side);
	if ((s = field(f, v, n, name)) != NULL) {
		unsigned long ch;

		if (parse_u32(s, 1, 4294967295ul, &ch) < 0)
			return bad(c, name, s, "is not a channel number 1-4294967295");
		l->channel = (uint32_t)ch;
		/* The leg's own keys: a fresh epoch for every call on the channel,
		 * told to the SBC with the channel (docs/tunnel.md). */
		snprintf(name, sizeof(name), "%c_epoch", side);
		if ((s = field(f, v, n, name)) == NULL)
			return missing(c, name, "(12 hex digits, fresh for every call: the leg's key "
				"epoch, given to the SBC with the channel)");
		if (parse_epoch(s, &l->epoch) < 0)
			return bad(c, name, s, "is not an epoch (1-12 hex digits, not 0)");
		snprintf(name, sizeof(name), "%c_port", side);
		if (field(f, v, n, name) != NULL) {
			snprintf(c->err, c->errlen, "%s: leg %c has both '%c_channel' (a tunnel leg) "
				"and '%c_port' (a relay port): give one", c->key, side, side, side);
			return -1;
		}
	} else {
		snprintf(name, sizeof(name), "%c_epoch", side);
		if (field(f, v, n, name) != NULL) {
			snprintf(c->err, c->errlen, "%s: field '%c_epoch': only a tunnel leg "
				"('%c_channel') has an epoch", c->key, side, side);
			return -1;
		}
		snprintf(name, sizeof(name), "%c_port", side);
		if ((s = field(f, v, n, name)) == NULL)
			return missing(c, name, "(the relay port for this leg)");
		if (get_port(c, name, s, &l->port) < 0)
			return -1;
		if (l->port % 2 != 0)
			return bad(c, name, s, "is odd (RTP uses the even port, RTCP the next)");
	}
	snprintf(name, sizeof(name), "%c_addr", side);
	if ((s = field(f, v, n, name)) != NULL && get_ip(c, name, s, &l->addr) < 0)
		return -1;
	return 0;
}

int
vr_schema_call(const char *key, const char *id, const char *const *f, const char *const *v,
	size_t n, struct vr_call_rec *cr, char *err, size_t errlen)
{
	struct ctx c = { key, err, errlen };
	unsigned long x;
	const char *s;

	memset(cr, 0, sizeof(*cr));
	if (!vr_schema_id_ok(id)) {
		snprintf(err, errlen, "%s: '%s' is not a call id (1-63 of A-Z a-z 0-9 . _ -)", key, id);
		return -1;
	}
	strcpy(cr->id, id);
	if (call_leg(&c, f, v, n, 'a', &cr->leg[0]) < 0 || call_leg(&c, f, v, n, 'b', &cr->leg[1]) < 0)
		return -1;
	if ((s = field(f, v, n, "learn_window")) != NULL) {
		if (parse_u32(s, 1, 86400, &x) < 0)
			return bad(&c, "learn_window", s, "is not 1-86400 seconds");
		cr->learn_window_ms = (uint32_t)x * 1000;
	}
	if ((s = field(f, v, n, "clock_rate")) != NULL) {
		if (parse_u32(s, 1000, 192000, &x) < 0)
			return bad(&c, "clock_rate", s, "is not 1000-192000 Hz");
		cr->clock_rate = (uint32_t)x;
	}
	return 0;
}

/* "IP:PORT" into ip (network order) and port (host order, 1-65535); 0 or -1. */
static int
ip_port(const char *s, uint32_t *ip, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char a[INET_ADDRSTRLEN];
	char *end;
	unsigned long p;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(colon - s));
	a[colon - s] = '\0';
	if (inet_pton(AF_INET, a, ip) != 1 || colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int
vr_schema_latch(const char *peer, const char *ssrc, const char *seq, const char *rtcp_peer,
	struct vr_ctl_leg *leg, char *err, size_t errlen)
{
	uint32_t ip, rip = 0;
	uint16_t port, rport = 0;
	unsigned long long x, q;
	char *end;

	if (leg->flags & VR_CTL_LEG_F_TUNNEL) {
		snprintf(err, errlen, "a tunnel leg has no latch to restore");
		return -1;
	}
	if (peer == NULL || peer[0] == '\0' || ssrc == NULL || seq == NULL) {
		snprintf(err, errlen, "no latch was recorded");
		return -1;
	}
	if (ip_port(peer, &ip, &port) < 0 || ip == 0 || ip == 0xffffffff ||
			(ntohl(ip) >> 28) == 0xe) {
		snprintf(err, errlen, "recorded peer '%.60s' is not a unicast IPv4:PORT", peer);
		return -1;
	}
	errno = 0;
	x = strtoull(ssrc, &end, 10);
	if (errno != 0 || *end != '\0' || ssrc[0] < '0' || ssrc[0] > '9' || x > 0xffffffffull) {
		snprintf(err, errlen, "recorded SSRC '%.30s' is not a 32-bit number", ssrc);
		return -1;
	}
	q = strtoull(seq, &end, 10);
	if (errno != 0 || *end != '\0' || seq[0] < '0' || seq[0] > '9' || q > 65535) {
		snprintf(err, errlen, "recorded sequence '%.30s' is not a 16-bit number", seq);
		return -1;
	}
	if (rtcp_peer != NULL && rtcp_peer[0] != '\0' &&
			(ip_port(rtcp_peer, &rip, &rport) < 0 || rip != ip)) {
		snprintf(err, errlen, "recorded RTCP peer '%.60s' is not IPv4:PORT at %.60s's address",
			rtcp_peer, peer);
		return -1;
	}
	/* RTP Bleed: a restored latch must be one the leg could have learned. */
	switch (vr_ctl_latch_fits(leg, ip, port, rport)) {
	case 1:
		snprintf(err, errlen, "recorded peer %.60s is not the leg's expected peer", peer);
		return -1;
	case 2:
		snprintf(err, errlen, "recorded RTCP peer %.60s is not the leg's expected RTCP port",
			rtcp_peer);
		return -1;
	}
	leg->flags |= VR_CTL_LEG_F_LATCHED;
	leg->latch_ip = ip;
	leg->latch_port = port;
	leg->latch_rtcp_port = rport;
	leg->latch_ssrc = (uint32_t)x;
	leg->latch_seq = (uint32_t)q;
	return 0;
}
