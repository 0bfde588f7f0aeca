/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control messages: the client's encoding and decoding (control/ctl_client.c),
 * the dataplane's rejection of malformed requests and calls
 * (dataplane/ctlmsg.c), and the counter list and per-lcore sums (counters.h,
 * shm.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "control/ctl_client.h"
#include "dataplane/config.h"
#include "dataplane/ctlmsg.h"

static char err[VR_CTL_ERR_MAX];
static uint8_t buf[VR_CTL_MSG_MAX];

static struct vr_config
test_cfg(void)
{
	struct vr_config cfg;
	struct in_addr a;

	vr_config_defaults(&cfg);
	inet_pton(AF_INET, "198.51.100.10", &a);
	cfg.addrs[0] = a.s_addr;
	cfg.n_addrs = 1;
	cfg.prefix_len = 24;
	cfg.port_lo = 20000;
	cfg.port_hi = 20999;
	return cfg;
}

static struct vr_ctl_call
good_call(void)
{
	struct vr_ctl_call c;

	memset(&c, 0, sizeof(c));
	strcpy(c.id, "call-1");
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20000,peer=203.0.113.2:14000-14019",
		&c.leg[0], err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20002", &c.leg[1], err, sizeof(err)), 0);
	return c;
}

Test(ctl, encode_then_check_round_trip)
{
	struct vr_ctl_call c = good_call();
	size_t n = vr_ctl_encode(buf, sizeof(buf), VR_CTL_CALL_ADD, 7, &c, sizeof(c));
	struct vr_ctl_hdr h;

	cr_assert_eq(n, sizeof(h) + sizeof(c));
	memcpy(&h, buf, sizeof(h));
	cr_assert_eq(h.magic, VR_CTL_MAGIC);
	cr_assert_eq(h.version, VR_CTL_VERSION);
	cr_assert_eq(h.seq, 7);
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), VR_CTL_CALL_ADD, "%s", err);
	cr_assert_eq(vr_ctl_encode(buf, 10, VR_CTL_CALL_ADD, 7, &c, sizeof(c)), 0);
}

Test(ctl, malformed_requests_rejected)
{
	struct vr_ctl_call c = good_call();
	size_t n = vr_ctl_encode(buf, sizeof(buf), VR_CTL_CALL_ADD, 1, &c, sizeof(c));
	struct vr_ctl_hdr *h = (struct vr_ctl_hdr *)buf;

	cr_assert_eq(vr_ctl_check_request(buf, 3, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "3 bytes") != NULL, "%s", err);
	h->magic = 0x12345678;
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), -EBADMSG);
	cr_assert(strstr(err, "0x12345678") != NULL, "%s", err);
	h->magic = VR_CTL_MAGIC;
	h->version = 9;
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), -EPROTONOSUPPORT);
	cr_assert(strstr(err, "version 9") != NULL, "%s", err);
	h->version = VR_CTL_VERSION;
	cr_assert_eq(vr_ctl_check_request(buf, n - 1, err, sizeof(err)), -EBADMSG, "length lies");
	h->type = 99;
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), -EOPNOTSUPP);
	cr_assert(strstr(err, "type 99") != NULL, "%s", err);
	h->type = VR_CTL_CALL_DEL; /* right header, body of the wrong size */
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), -EBADMSG);
	n = vr_ctl_encode(buf, sizeof(buf), VR_CTL_HEALTH, 2, NULL, 0);
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), VR_CTL_HEALTH);
}

/* The call is rejected with -EINVAL and the error names want. */
static void
rejected(const struct vr_ctl_call *c, const char *want)
{
	struct vr_config cfg = test_cfg();

	cr_assert_eq(vr_ctl_check_call(&cfg, c, err, sizeof(err)), -EINVAL, "accepted: %s", want);
	cr_assert(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
}

Test(ctl, call_validation_names_the_value)
{
	struct vr_config cfg = test_cfg();
	struct vr_ctl_call c = good_call();

	cr_assert_eq(vr_ctl_check_call(&cfg, &c, err, sizeof(err)), 0, "%s", err);
	c.leg[1].port = 20001;
	rejected(&c, "port 20001");
	c = good_call();
	c.leg[1].port = 20998 + 2;
	rejected(&c, "port 21000");
	c = good_call();
	c.leg[1].port = 19998;
	rejected(&c, "port 19998");
	c = good_call();
	inet_pton(AF_INET, "198.51.100.99", &c.leg[0].addr);
	rejected(&c, "198.51.100.99 is not a relay address");
	c = good_call();
	c.leg[1].port = 20000;
	rejected(&c, "both use port 20000");
	c = good_call();
	c.id[0] = '\0';
	rejected(&c, "call id is empty");
	c = good_call();
	c.id[2] = ' ';
	rejected(&c, "0x20 at 2");
	c = good_call();
	memset(c.id, 'x', sizeof(c.id));
	rejected(&c, "not terminated");
	c = good_call();
	c.leg[0].expect_ip = htonl(0xe0000001);
	rejected(&c, "224.0.0.1 is not a unicast");
	c = good_call();
	c.leg[0].expect_lo = 14019;
	c.leg[0].expect_hi = 14000;
	rejected(&c, "14019-14000");
	c = good_call();
	c.leg[0].flags = 0x80;
	rejected(&c, "unknown flags 0x80");
	c = good_call();
	c.clock_rate = 500;
	rejected(&c, "clock rate 500");
	c = good_call();
	c.learn_window_ms = 90000000;
	rejected(&c, "90000000 ms");
}

/* Leg a made a tunnel leg: SBC 7 channel ch. */
static struct vr_ctl_call
tun_call(uint32_t ch)
{
	struct vr_ctl_call c = good_call();

	memset(&c.leg[0], 0, sizeof(c.leg[0]));
	c.leg[0].addr = c.leg[1].addr;
	c.leg[0].flags = VR_CTL_LEG_F_TUNNEL;
	c.leg[0].sbc_id = 7;
	c.leg[0].channel = ch;
	c.leg[0].epoch = 0x1234;
	return c;
}

Test(ctl, tunnel_leg_validation_names_the_value)
{
	struct vr_config cfg = test_cfg();
	struct vr_ctl_call c = tun_call(3);

	cr_assert_eq(vr_ctl_check_call(&cfg, &c, err, sizeof(err)), 0, "%s", err);
	c.leg[1] = c.leg[0];
	c.leg[1].channel = 4;
	cr_assert_eq(vr_ctl_check_call(&cfg, &c, err, sizeof(err)), 0, "two SBC legs: %s", err);
	c.leg[1].channel = 3;
	rejected(&c, "both use SBC 7 channel 3");
	c = tun_call(0);
	rejected(&c, "channel 0 is the SBC's own");
	/* A tunnel leg's keys are its own: it needs an epoch of 48 bits. */
	c = tun_call(3);
	c.leg[0].epoch = 0;
	rejected(&c, "epoch 0x0 is outside 1-0xffffffffffff");
	c.leg[0].epoch = 1ull << 48;
	rejected(&c, "epoch 0x1000000000000 is outside");
	c.leg[0].epoch = (1ull << 48) - 1;
	cr_assert_eq(vr_ctl_check_call(&cfg, &c, err, sizeof(err)), 0, "%s", err);
	/* A relay-port leg has none. */
	c = good_call();
	c.leg[1].epoch = 5;
	rejected(&c, "unknown flags");
	c = tun_call(3);
	c.leg[0].sbc_id = 0;
	rejected(&c, "SBC id 0 is outside");
	c.leg[0].sbc_id = 70000;
	rejected(&c, "SBC id 70000 is outside");
	c = tun_call(3);
	c.leg[0].port = 20004;
	rejected(&c, "has no relay port (20004)");
	c = tun_call(3);
	c.leg[0].flags |= VR_CTL_LEG_F_EXPECT;
	rejected(&c, "takes no other flag");
	/* A plain leg carries no tunnel fields. */
	c = good_call();
	c.leg[1].channel = 5;
	rejected(&c, "unknown flags");
}

Test(ctl, sbc_requests_have_their_sizes)
{
	struct vr_ctl_sbc sbc;
	struct vr_ctl_sbc_ref ref = { 7 };
	size_t n;

	memset(&sbc, 0, sizeof(sbc));
	n = vr_ctl_encode(buf, sizeof(buf), VR_CTL_SBC_SET, 1, &sbc, sizeof(sbc));
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), VR_CTL_SBC_SET, "%s", err);
	cr_assert_eq(vr_ctl_check_request(buf, n - 1, err, sizeof(err)), -EBADMSG);
	n = vr_ctl_encode(buf, sizeof(buf), VR_CTL_SBC_DEL, 2, &ref, sizeof(ref));
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), VR_CTL_SBC_DEL, "%s", err);
}

Test(ctl, batches_have_their_size_and_kinds)
{
	static struct vr_ctl_batch b;
	size_t n;

	memset(&b, 0, sizeof(b));
	b.n = 2;
	b.op[0].type = VR_CTL_CALL_ADD;
	b.op[1].type = VR_CTL_CALL_DEL;
	n = vr_ctl_encode(buf, sizeof(buf), VR_CTL_CALL_BATCH, 3, &b, sizeof(b));
	cr_assert_eq(vr_ctl_check_request(buf, n, err, sizeof(err)), VR_CTL_CALL_BATCH, "%s", err);
	cr_assert_eq(vr_ctl_check_request(buf, n - 1, err, sizeof(err)), -EBADMSG);
	cr_assert_eq(vr_ctl_check_batch(&b, err, sizeof(err)), 0, "%s", err);
	b.n = 0;
	cr_assert_eq(vr_ctl_check_batch(&b, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "batch of 0 changes") != NULL, "%s", err);
	b.n = VR_CTL_BATCH_MAX + 1;
	cr_assert_eq(vr_ctl_check_batch(&b, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "batch of 25 changes is not 1-24") != NULL, "%s", err);
	b.n = 2;
	b.op[1].type = VR_CTL_HEALTH;
	cr_assert_eq(vr_ctl_check_batch(&b, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "batch change 1 has type 1") != NULL, "%s", err);
}

Test(ctl, reply_decoding)
{
	struct vr_ctl_reply r;
	uint8_t b[sizeof(r) + 8];

	memset(&r, 0, sizeof(r));
	r.hdr.magic = VR_CTL_MAGIC;
	r.hdr.version = VR_CTL_VERSION;
	r.hdr.type = VR_CTL_STATS | VR_CTL_REPLY;
	r.hdr.seq = 5;
	r.hdr.len = sizeof(b);
	memcpy(b, &r, sizeof(r));
	cr_assert_eq(vr_ctl_decode(b, sizeof(b), VR_CTL_STATS, 5, 8, 0, err, sizeof(err)), 0, "%s",
		err);
	cr_assert_eq(vr_ctl_decode(b, sizeof(b), VR_CTL_STATS, 6, 8, 0, err, sizeof(err)),
		-EBADMSG, "wrong seq");
	cr_assert_eq(vr_ctl_decode(b, sizeof(b), VR_CTL_HEALTH, 5, 8, 0, err, sizeof(err)),
		-EBADMSG, "wrong type");
	cr_assert_eq(vr_ctl_decode(b, sizeof(b), VR_CTL_STATS, 5, 16, 0, err, sizeof(err)),
		-EBADMSG, "short body");
	cr_assert_eq(vr_ctl_decode(b, sizeof(b) - 1, VR_CTL_STATS, 5, 8, 0, err, sizeof(err)),
		-EBADMSG, "length lies");
	r.status = -EADDRINUSE;
	strcpy(r.error, "port 20000 on 198.51.100.10 is bound to call 'x'");
	r.hdr.len = sizeof(r);
	memcpy(b, &r, sizeof(r));
	cr_assert_eq(vr_ctl_decode(b, sizeof(r), VR_CTL_STATS, 5, 8, 0, err, sizeof(err)),
		-EADDRINUSE);
	cr_assert_str_eq(err, "port 20000 on 198.51.100.10 is bound to call 'x'");
}

Test(ctl, leg_specs)
{
	struct vr_ctl_leg l;

	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20000,peer=203.0.113.2:14000-14019", &l, err,
		sizeof(err)), 0);
	cr_assert_eq(l.port, 20000);
	cr_assert_eq(l.flags, VR_CTL_LEG_F_EXPECT);
	cr_assert_eq(l.expect_lo, 14000);
	cr_assert_eq(l.expect_hi, 14019);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20000,peer=203.0.113.2:14000", &l, err,
		sizeof(err)), 0);
	cr_assert_eq(l.expect_lo, 14000);
	cr_assert_eq(l.expect_hi, 14000);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20000,peer=203.0.113.2", &l, err,
		sizeof(err)), 0);
	cr_assert_eq(l.expect_lo, 0);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100:20000", &l, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'198.51.100'") != NULL, "%s", err);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:70000", &l, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "'70000'") != NULL, "%s", err);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20000,peer=1.2.3.4:9-5", &l, err,
		sizeof(err)), -EINVAL);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10", &l, err, sizeof(err)), -EINVAL);
	cr_assert_eq(vr_ctl_parse_leg("198.51.100.10:20000,bogus", &l, err, sizeof(err)), -EINVAL);
}

Test(counters, names_are_unique_and_complete)
{
	unsigned int i, j;

	for (i = 0; i < VR_DROP_MAX; i++) {
		cr_assert_not_null(vr_drop_name(i));
		for (j = i + 1; j < VR_DROP_MAX; j++)
			cr_assert_str_neq(vr_drop_name(i), vr_drop_name(j));
	}
	for (i = 0; i < VR_GC_MAX; i++)
		cr_assert_not_null(vr_global_counter_name(i));
	for (i = 0; i < VR_FC_MAX; i++)
		cr_assert_not_null(vr_flow_counter_name(i));
	cr_assert_null(vr_drop_name(VR_DROP_MAX));
	cr_assert_str_eq(vr_drop_name(VR_DROP_BAD_SOURCE), "bad_source");
	cr_assert_str_eq(vr_global_counter_name(VR_GC_RX_PKTS), "rx_pkts");
}

Test(counters, readers_sum_the_lcore_rows)
{
	size_t off = (sizeof(struct vr_shm_hdr) + 63) / 64 * 64;
	struct vr_shm_hdr *h = aligned_alloc(64, off + 3 * sizeof(struct vr_shm_lcore));
	struct vr_shm_lcore *rows = (struct vr_shm_lcore *)((char *)h + off);
	unsigned int l;

	memset(h, 0, off + 3 * sizeof(struct vr_shm_lcore));
	h->lcores_off = off;
	h->lcore_size = sizeof(struct vr_shm_lcore);
	h->n_global = VR_GC_MAX;
	h->n_drop = VR_DROP_MAX;
	h->n_lcores = 3;
	for (l = 0; l < 3; l++) {
		rows[l].c[VR_GC_RX_PKTS] = 1000 * (l + 1);
		rows[l].drops[VR_DROP_NO_FLOW] = l;
	}
	cr_assert_eq(vr_shm_sum(h, VR_GC_RX_PKTS, 0), 6000);
	cr_assert_eq(vr_shm_sum(h, VR_DROP_NO_FLOW, 1), 3);
	cr_assert_eq(vr_shm_sum(h, VR_GC_TX_PKTS, 0), 0);
	free(h);
}

/* A newer writer with two more global counters: its drops start two words later. */
Test(counters, readers_find_the_drops_after_a_newer_writers_counters)
{
	size_t off = (sizeof(struct vr_shm_hdr) + 63) / 64 * 64;
	size_t row = ((VR_GC_MAX + 2 + VR_DROP_MAX) * sizeof(uint64_t) + 63) / 64 * 64;
	struct vr_shm_hdr *h = aligned_alloc(64, off + 2 * row);
	unsigned int l;

	memset(h, 0, off + 2 * row);
	h->lcores_off = off;
	h->lcore_size = (uint32_t)row;
	h->n_global = VR_GC_MAX + 2;
	h->n_drop = VR_DROP_MAX;
	h->n_lcores = 2;
	for (l = 0; l < 2; l++) {
		uint64_t *w = (uint64_t *)((char *)h + off + l * row);

		w[VR_GC_RX_PKTS] = 10;
		w[VR_GC_MAX] = 99; /* a counter this reader does not know */
		w[VR_GC_MAX + 2 + VR_DROP_BAD_SOURCE] = 7;
	}
	cr_assert_eq(vr_shm_sum(h, VR_GC_RX_PKTS, 0), 20);
	cr_assert_eq(vr_shm_sum(h, VR_DROP_BAD_SOURCE, 1), 14);
	cr_assert_eq(vr_shm_sum(h, VR_DROP_NOT_IPV4, 1), 0);
	free(h);
}
