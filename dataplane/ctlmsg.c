/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks control requests before ctl.c acts on them; see ctlmsg.h. Pure:
 * reads its arguments, writes only err.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctlmsg.h"
#include "srtp.h"

/* Body size of each request type (VR_CTL_HEALTH and VR_CTL_STATS: none). */
static size_t
body_size(unsigned int type)
{
	switch (type) {
	case VR_CTL_CALL_ADD:
	case VR_CTL_CALL_MOD:
		return sizeof(struct vr_ctl_call);
	case VR_CTL_CALL_DEL:
	case VR_CTL_CALL_GET:
		return sizeof(struct vr_ctl_call_ref);
	case VR_CTL_CALL_LIST:
		return sizeof(struct vr_ctl_list_req);
	case VR_CTL_SBC_SET:
		return sizeof(struct vr_ctl_sbc);
	case VR_CTL_SBC_DEL:
		return sizeof(struct vr_ctl_sbc_ref);
	case VR_CTL_CALL_BATCH:
		return sizeof(struct vr_ctl_batch);
	case VR_CTL_ADDR_SET:
		return sizeof(struct vr_ctl_addr);
	default:
		return 0;
	}
}

int
vr_ctl_check_request(const void *buf, size_t len, char *err, size_t errlen)
{
	struct vr_ctl_hdr h;

	if (len < sizeof(h)) {
		snprintf(err, errlen, "message of %zu bytes is shorter than the %zu-byte header",
			len, sizeof(h));
		return -EBADMSG;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != VR_CTL_MAGIC) {
		snprintf(err, errlen, "bad magic 0x%08x (want 0x%08x)", h.magic, VR_CTL_MAGIC);
		return -EBADMSG;
	}
	if (h.version != VR_CTL_VERSION) {
		snprintf(err, errlen, "protocol version %u is not supported (this is %u)",
			h.version, VR_CTL_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (h.len != len) {
		snprintf(err, errlen, "header length %u differs from the %zu bytes received",
			h.len, len);
		return -EBADMSG;
	}
	if (h.type == 0 || h.type >= VR_CTL_TYPE_MAX) {
		snprintf(err, errlen, "unknown message type %u", h.type);
		return -EOPNOTSUPP;
	}
	if (len != sizeof(h) + body_size(h.type)) {
		snprintf(err, errlen, "type %u wants a %zu-byte body, got %zu", h.type,
			body_size(h.type), len - sizeof(h));
		return -EBADMSG;
	}
	return h.type;
}

int
vr_ctl_check_batch(const struct vr_ctl_batch *b, char *err, size_t errlen)
{
	uint32_t i;

	if (b->n == 0 || b->n > VR_CTL_BATCH_MAX) {
		snprintf(err, errlen, "batch of %u changes is not 1-%u", b->n, VR_CTL_BATCH_MAX);
		return -EINVAL;
	}
	for (i = 0; i < b->n; i++) {
		uint16_t t = b->op[i].type;

		if (t != VR_CTL_CALL_ADD && t != VR_CTL_CALL_MOD && t != VR_CTL_CALL_DEL) {
			snprintf(err, errlen, "batch change %u has type %u, not add (%u), mod (%u) "
				"or del (%u)", i, t, VR_CTL_CALL_ADD, VR_CTL_CALL_MOD, VR_CTL_CALL_DEL);
			return -EINVAL;
		}
	}
	return 0;
}

int
vr_ctl_check_id(const char *id, char *err, size_t errlen)
{
	size_t n = strnlen(id, VR_CALL_ID_MAX);
	size_t i;

	if (n == 0) {
		snprintf(err, errlen, "call id is empty");
		return -EINVAL;
	}
	if (n == VR_CALL_ID_MAX) {
		snprintf(err, errlen, "call id '%.20s...' is not terminated within %d bytes",
			id, VR_CALL_ID_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] >= 0x7f) {
			snprintf(err, errlen, "call id has a non-printable or space byte 0x%02x at %zu",
				(unsigned char)id[i], i);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Leg i's restored latch (VR_CTL_LEG_F_LATCHED): a unicast peer with a
 * port, a 16-bit sequence number, and a peer the leg's rule allows; without
 * the flag, no latch field set. 0 or -1 with err naming the value.
 */
static int
check_latch(const struct vr_ctl_call *c, unsigned int i, char *err, size_t errlen)
{
	const struct vr_ctl_leg *l = &c->leg[i];
	char a[INET_ADDRSTRLEN];

	if (!(l->flags & VR_CTL_LEG_F_LATCHED)) {
		if (l->latch_ip == 0 && l->latch_port == 0 && l->latch_rtcp_port == 0 &&
				l->latch_ssrc == 0 && l->latch_seq == 0)
			return 0;
		snprintf(err, errlen, "call '%s' leg %c: latch fields set without the latched flag",
			c->id, 'a' + i);
		return -1;
	}
	inet_ntop(AF_INET, &l->latch_ip, a, sizeof(a));
	if (l->latch_ip == 0 || l->latch_ip == 0xffffffff || (ntohl(l->latch_ip) >> 28) == 0xe ||
			l->latch_port == 0 || l->latch_seq > 65535) {
		snprintf(err, errlen, "call '%s' leg %c: restored latch %s:%u (sequence %u) is not a "
			"unicast peer with a port and a 16-bit sequence", c->id, 'a' + i, a,
			l->latch_port, l->latch_seq);
		return -1;
	}
	/* RTP Bleed: a restored latch is held to the same rule as a learned one. */
	switch (vr_ctl_latch_fits(l, l->latch_ip, l->latch_port, l->latch_rtcp_port)) {
	case 1:
		snprintf(err, errlen, "call '%s' leg %c: restored latch %s:%u is not the leg's "
			"expected peer", c->id, 'a' + i, a, l->latch_port);
		return -1;
	case 2:
		snprintf(err, errlen, "call '%s' leg %c: restored RTCP latch port %u is not the "
			"leg's expected RTCP port", c->id, 'a' + i, l->latch_rtcp_port);
		return -1;
	}
	return 0;
}

static int
check_leg(const struct vr_config *cfg, const struct vr_ctl_call *c, unsigned int i, char *err,
	size_t errlen)
{
	const struct vr_ctl_leg *l = &c->leg[i];
	char a[INET_ADDRSTRLEN];
	unsigned int k;

	for (k = 0; k < cfg->n_addrs; k++)
		if (cfg->addrs[k] == l->addr)
			break;
	if (k == cfg->n_addrs) {
		inet_ntop(AF_INET, &l->addr, a, sizeof(a));
		snprintf(err, errlen, "call '%s' leg %c: %s is not a relay address", c->id, 'a' + i, a);
		return -EINVAL;
	}
	if (l->flags & VR_CTL_LEG_F_TUNNEL) {
		if (l->flags & ~VR_CTL_LEG_F_TUNNEL || l->latch_ip != 0 || l->latch_port != 0 ||
				l->latch_rtcp_port != 0 || l->latch_ssrc != 0 || l->latch_seq != 0) {
			snprintf(err, errlen, "call '%s' leg %c: a tunnel leg takes no other flag "
				"(0x%x): the SBC's address is learned from authenticated packets",
				c->id, 'a' + i, l->flags);
			return -EINVAL;
		}
		if (l->port != 0) {
			snprintf(err, errlen, "call '%s' leg %c: a tunnel leg has no relay port (%u)",
				c->id, 'a' + i, l->port);
			return -EINVAL;
		}
		if (l->sbc_id == 0 || l->sbc_id > VR_TUN_SBC_ID_MAX) {
			snprintf(err, errlen, "call '%s' leg %c: SBC id %u is outside 1-%u", c->id,
				'a' + i, l->sbc_id, VR_TUN_SBC_ID_MAX);
			return -EINVAL;
		}
		if (l->channel == VR_TUN_CHANNEL_SBC) {
			snprintf(err, errlen, "call '%s' leg %c: channel 0 is the SBC's own", c->id,
				'a' + i);
			return -EINVAL;
		}
		if (l->epoch == 0 || l->epoch > VR_TUN_EPOCH_MASK) {
			snprintf(err, errlen, "call '%s' leg %c: epoch 0x%llx is outside "
				"1-0xffffffffffff: every tunnel leg needs a fresh epoch of its own",
				c->id, 'a' + i, (unsigned long long)l->epoch);
			return -EINVAL;
		}
		return 0;
	}
	if (l->port < cfg->port_lo || l->port >= cfg->port_hi || l->port % 2 != 0) {
		snprintf(err, errlen, "call '%s' leg %c: port %u is not an even port with its RTCP "
			"port inside %u-%u", c->id, 'a' + i, l->port, cfg->port_lo, cfg->port_hi);
		return -EINVAL;
	}
	if (l->flags & ~(VR_CTL_LEG_F_EXPECT | VR_CTL_LEG_F_LATCHED) || l->sbc_id != 0 ||
			l->channel != 0 || l->epoch != 0) {
		snprintf(err, errlen, "call '%s' leg %c: unknown flags 0x%x", c->id, 'a' + i, l->flags);
		return -EINVAL;
	}
	if (check_latch(c, i, err, errlen) < 0)
		return -EINVAL;
	if (!(l->flags & VR_CTL_LEG_F_EXPECT))
		return 0;
	if (l->expect_ip == 0 || l->expect_ip == 0xffffffff || (ntohl(l->expect_ip) >> 28) == 0xe) {
		inet_ntop(AF_INET, &l->expect_ip, a, sizeof(a));
		snprintf(err, errlen, "call '%s' leg %c: expected peer %s is not a unicast address",
			c->id, 'a' + i, a);
		return -EINVAL;
	}
	if ((l->expect_lo == 0) != (l->expect_hi == 0) || l->expect_lo > l->expect_hi ||
			(l->expect_lo == l->expect_hi && l->expect_hi == 65535)) {
		snprintf(err, errlen, "call '%s' leg %c: expected port range %u-%u is not LO-HI "
			"with 1 <= LO <= HI", c->id, 'a' + i, l->expect_lo, l->expect_hi);
		return -EINVAL;
	}
	return 0;
}

int
vr_ctl_check_call(const struct vr_config *cfg, const struct vr_ctl_call *c, char *err,
	size_t errlen)
{
	unsigned int i;
	int rc;

	rc = vr_ctl_check_id(c->id, err, errlen);
	if (rc < 0)
		return rc;
	for (i = 0; i < 2; i++) {
		rc = check_leg(cfg, c, i, err, errlen);
		if (rc < 0)
			return rc;
	}
	if ((c->leg[0].flags & VR_CTL_LEG_F_TUNNEL) == 0 && (c->leg[1].flags & VR_CTL_LEG_F_TUNNEL) == 0 &&
			c->leg[0].addr == c->leg[1].addr && c->leg[0].port == c->leg[1].port) {
		snprintf(err, errlen, "call '%s': legs a and b both use port %u", c->id,
			c->leg[0].port);
		return -EINVAL;
	}
	if ((c->leg[0].flags & c->leg[1].flags & VR_CTL_LEG_F_TUNNEL) &&
			c->leg[0].sbc_id == c->leg[1].sbc_id && c->leg[0].channel == c->leg[1].channel) {
		snprintf(err, errlen, "call '%s': legs a and b both use SBC %u channel %u", c->id,
			c->leg[0].sbc_id, c->leg[0].channel);
		return -EINVAL;
	}
	if (c->learn_window_ms > 86400000) {
		snprintf(err, errlen, "call '%s': learning window %u ms is over a day", c->id,
			c->learn_window_ms);
		return -EINVAL;
	}
	if (c->clock_rate != 0 && (c->clock_rate < 1000 || c->clock_rate > 192000)) {
		snprintf(err, errlen, "call '%s': clock rate %u Hz is outside 1000-192000", c->id,
			c->clock_rate);
		return -EINVAL;
	}
	return 0;
}

int
vr_ctl_check_sbc(const struct vr_ctl_sbc *d, char *err, size_t errlen)
{
	size_t len = vr_srtp_master_len(d->suite);
	unsigned int k;

	if (d->id == 0 || d->id > VR_TUN_SBC_ID_MAX) {
		snprintf(err, errlen, "SBC id %u is outside 1-%u", d->id, VR_TUN_SBC_ID_MAX);
		return -EINVAL;
	}
	if (len == 0) {
		snprintf(err, errlen, "SBC %u: unknown SRTP suite %u", d->id, d->suite);
		return -EINVAL;
	}
	if (d->n_keys < 1 || d->n_keys > 2) {
		snprintf(err, errlen, "SBC %u: %u keys, want 1 or 2", d->id, d->n_keys);
		return -EINVAL;
	}
	for (k = 0; k < d->n_keys; k++) {
		if (d->key[k].len != len) {
			snprintf(err, errlen, "SBC %u: key %u is %u bytes, %s wants %zu", d->id,
				d->key[k].id, d->key[k].len, vr_srtp_suite_name(d->suite), len);
			return -EINVAL;
		}
	}
	if (d->n_keys == 2 && d->key[0].id == d->key[1].id) {
		snprintf(err, errlen, "SBC %u: the current and previous keys both have id %u",
			d->id, d->key[0].id);
		return -EINVAL;
	}
	/* Under two ids, one key would give two key slots the same keystreams. */
	if (d->n_keys == 2 && memcmp(d->key[0].master, d->key[1].master, len) == 0) {
		snprintf(err, errlen, "SBC %u: keys %u and %u are the same key: a new key must "
			"be new", d->id, d->key[0].id, d->key[1].id);
		return -EINVAL;
	}
	if (d->n_keys == 2 && (d->prev_ms == 0 || d->prev_ms > 86400000)) {
		snprintf(err, errlen, "SBC %u: previous key kept %u ms, want 1-86400000", d->id,
			d->prev_ms);
		return -EINVAL;
	}
	return 0;
}

int
vr_ctl_check_addr(const struct vr_ctl_addr *a, char *err, size_t errlen)
{
	if (a->active > 1) {
		snprintf(err, errlen, "address change: active is %u, not 0 or 1", a->active);
		return -EINVAL;
	}
	if (a->pad[0] != 0 || a->pad[1] != 0 || a->pad[2] != 0) {
		snprintf(err, errlen, "address change: padding is not zero");
		return -EINVAL;
	}
	return 0;
}
