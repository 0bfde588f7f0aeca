/* SPDX-License-Identifier: BSD-3-Clause */
/* Cross-record checks and call building (control/model.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "control/model.h"

static struct vr_model m;
static struct vr_dp_view dp;
static char err[VR_ERR_MAX];

static void
setup(void)
{
	memset(&m, 0, sizeof(m));
	strcpy(m.prefix, "voxrelay:");
	memset(&dp, 0, sizeof(dp));
	inet_pton(AF_INET, "198.51.100.10", &dp.addrs[0]);
	inet_pton(AF_INET, "198.51.100.11", &dp.addrs[1]);
	dp.n_addrs = 2;
	dp.port_lo = 20000;
	dp.port_hi = 20999;
}

static void
teardown(void)
{
	vr_model_free(&m);
}

TestSuite(model, .init = setup, .fini = teardown);

/* Writes remote STUN extension num as control reads it from Redis; whether it parsed. */
static int
stun_at(const char *num, const char *site, const char *public_ip, unsigned int sip,
	unsigned int lo, unsigned int hi)
{
	char key[64], s[8], r[16];
	const char *f[] = { "mode", "site", "public_ip", "sip_port", "rtp_ports" };
	const char *v[] = { "stun", site, public_ip, s, r };
	struct vr_rec rec;

	snprintf(key, sizeof(key), "voxrelay:ext:%s", num);
	snprintf(s, sizeof(s), "%u", sip);
	snprintf(r, sizeof(r), "%u-%u", lo, hi);
	memset(&rec, 0, sizeof(rec));
	rec.type = VR_REC_EXT;
	rec.parsed = vr_schema_ext(key, num, f, v, 5, &rec.u.ext, rec.error, sizeof(rec.error)) == 0;
	vr_model_put(&m, &rec, num);
	return rec.parsed;
}

static void
stun(const char *num, const char *site, unsigned int sip, unsigned int lo, unsigned int hi)
{
	cr_assert(stun_at(num, site, "203.0.113.2", sip, lo, hi), "ext %s did not parse", num);
}

/* Call id between extension a (relay port ap, or tunnel channel ach) and b on port bp. */
static void
tun_call(const char *id, const char *a, unsigned int ap, unsigned int ach, const char *b,
	unsigned int bp)
{
	struct vr_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = VR_REC_CALL;
	rec.parsed = 1;
	strcpy(rec.u.call.id, id);
	strcpy(rec.u.call.leg[0].ext, a);
	rec.u.call.leg[0].port = (uint16_t)ap;
	rec.u.call.leg[0].channel = ach;
	rec.u.call.leg[0].epoch = ach != 0 ? 0xe0000u + ach : 0;
	strcpy(rec.u.call.leg[1].ext, b);
	rec.u.call.leg[1].port = (uint16_t)bp;
	vr_model_put(&m, &rec, id);
}

static void
call(const char *id, const char *a, unsigned int ap, const char *b, unsigned int bp)
{
	tun_call(id, a, ap, 0, b, bp);
}

static struct vr_rec *
rec(enum vr_rec_type t, const char *id)
{
	struct vr_rec *r = vr_map_get(&m.recs[t], id);

	cr_assert_not_null(r, "no record %s", id);
	return r;
}

static void
rejected(enum vr_rec_type t, const char *id, const char *want)
{
	struct vr_rec *r = rec(t, id);

	cr_assert_not(r->ok, "%s accepted, wanted: %s", id, want);
	cr_assert(strstr(r->error, want) != NULL, "'%s' lacks '%s'", r->error, want);
}

Test(model, stun_leg_expects_the_phone)
{
	struct in_addr a;
	struct vr_rec *r;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	vr_model_resolve(&m, &dp, NULL);
	r = rec(VR_REC_CALL, "c1");
	cr_assert(r->ok, "%s", r->error);
	inet_pton(AF_INET, "203.0.113.2", &a);
	cr_assert_eq(r->def.leg[0].flags, VR_CTL_LEG_F_EXPECT);
	cr_assert_eq(r->def.leg[0].expect_ip, a.s_addr);
	cr_assert_eq(r->def.leg[0].expect_lo, 14000);
	cr_assert_eq(r->def.leg[0].expect_hi, 14019);
	cr_assert_eq(r->def.leg[1].expect_lo, 14020);
	cr_assert_eq(r->def.leg[0].addr, dp.addrs[0], "default relay address: the first");
	cr_assert_str_eq(r->def.id, "c1");
}

Test(model, site_port_plan_conflicts)
{
	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5065, 14020, 14039);
	stun("103", "branch1", 5067, 14010, 14029);
	stun("104", "branch1", 14005, 14040, 14059);
	stun("105", "branch1", 5069, 14060, 14079);
	stun("201", "branch2", 5065, 14000, 14019);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_EXT, "101")->ok);
	rejected(VR_REC_EXT, "102", "voxrelay:ext:102: field 'sip_port': '5065' is already "
		"extension 101's SIP port at site branch1");
	rejected(VR_REC_EXT, "103", "field 'rtp_ports': '14010-14029' overlaps extension 101's "
		"14000-14019 at site branch1");
	rejected(VR_REC_EXT, "104", "its SIP port 14005 and RTP ports 14040-14059 clash with extension 101's");
	cr_assert(rec(VR_REC_EXT, "105")->ok);
	cr_assert(rec(VR_REC_EXT, "201")->ok, "the same ports at another site are fine");
}

Test(model, call_rejections)
{
	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	call("unknown", "999", 20010, "102", 20012);
	call("range", "101", 21000, "102", 20014);
	call("same", "101", 20020, "102", 20020);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_CALL, "c1")->ok);
	rejected(VR_REC_CALL, "unknown", "voxrelay:call:unknown: field 'a_ext': '999' is not a "
		"configured extension");
	rejected(VR_REC_CALL, "range", "field 'a_port': '21000' is outside the relay's port range "
		"20000-20999");
	rejected(VR_REC_CALL, "same", "legs a and b both use port 20020 on 198.51.100.10");
}

Test(model, port_clash_keeps_the_live_call)
{
	struct vr_map keep = { 0 };
	static char one;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("zz-live", "101", 20000, "102", 20002);
	call("aa-new", "101", 20000, "102", 20004);
	/* The dataplane has zz-live: it wins although aa-new sorts first. */
	vr_map_put(&keep, "zz-live", &one);
	vr_model_resolve(&m, &dp, &keep);
	cr_assert(rec(VR_REC_CALL, "zz-live")->ok);
	rejected(VR_REC_CALL, "aa-new", "field 'a_port': '20000' on 198.51.100.10 is already used "
		"by call 'zz-live'");
	/* And keeps winning after the dataplane forgot it (a restart): it was valid before. */
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_CALL, "zz-live")->ok);
	cr_assert_not(rec(VR_REC_CALL, "aa-new")->ok);
	vr_map_free(&keep);
}

Test(model, rejected_or_unsuitable_extensions)
{
	const char *f[] = { "mode", "site", "sbc" };
	const char *v[] = { "sbc", "branch9", "nosuch" };
	const char *lf[] = { "mode", "lan_ip", "deliver_audio" };
	const char *lv[] = { "lan", "10.0.0.9", "0" };
	struct vr_rec r;

	stun("101", "branch1", 5065, 14000, 14019);
	memset(&r, 0, sizeof(r));
	r.type = VR_REC_EXT;
	r.parsed = vr_schema_ext("voxrelay:ext:301", "301", f, v, 3, &r.u.ext, err, sizeof(err)) == 0;
	vr_model_put(&m, &r, "301");
	memset(&r, 0, sizeof(r));
	r.type = VR_REC_EXT;
	r.parsed = vr_schema_ext("voxrelay:ext:401", "401", lf, lv, 3, &r.u.ext, err, sizeof(err)) == 0;
	vr_model_put(&m, &r, "401");
	call("to-sbc", "101", 20000, "301", 20002);
	call("direct", "101", 20010, "401", 20012);
	vr_model_resolve(&m, &dp, NULL);
	rejected(VR_REC_EXT, "301", "field 'sbc': 'nosuch' is not a configured SBC");
	rejected(VR_REC_CALL, "to-sbc", "field 'b_ext': extension '301' is rejected");
	rejected(VR_REC_CALL, "direct", "extension '401' does not have PBX-delivered audio");
}

/* SBC id with tunnel id tid, and extension num behind it. */
static void
sbc_and_ext(const char *id, const char *tid, const char *num)
{
	const char *sf[] = { "name", "auth_id", "suite", "key", "tunnel_id" };
	const char *sv[] = { "Branch 9", "b9", "AEAD_AES_128_GCM",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==", tid };
	const char *f[] = { "mode", "site", "sbc" };
	const char *v[] = { "sbc", "branch9", id };
	char key[64];
	struct vr_rec r;

	memset(&r, 0, sizeof(r));
	r.type = VR_REC_SBC;
	snprintf(key, sizeof(key), "voxrelay:sbc:%s", id);
	r.parsed = vr_schema_sbc(key, id, sf, sv, 5, &r.u.sbc, err, sizeof(err)) == 0;
	cr_assert(r.parsed, "%s", err);
	vr_model_put(&m, &r, id);
	memset(&r, 0, sizeof(r));
	r.type = VR_REC_EXT;
	snprintf(key, sizeof(key), "voxrelay:ext:%s", num);
	r.parsed = vr_schema_ext(key, num, f, v, 3, &r.u.ext, err, sizeof(err)) == 0;
	cr_assert(r.parsed, "%s", err);
	vr_model_put(&m, &r, num);
}


Test(model, sbc_legs_are_tunnel_channels)
{
	const struct vr_ctl_leg *l;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	sbc_and_ext("b9", "9", "301");
	sbc_and_ext("b9bis", "9", "302");
	tun_call("ok", "301", 0, 5, "101", 20002);
	tun_call("same-channel", "301", 0, 5, "102", 20006);
	tun_call("port-to-sbc", "301", 20010, 0, "102", 20012);
	tun_call("channel-to-stun", "102", 0, 6, "101", 20014);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_CALL, "ok")->ok, "%s", rec(VR_REC_CALL, "ok")->error);
	l = &rec(VR_REC_CALL, "ok")->def.leg[0];
	cr_assert_eq(l->flags, VR_CTL_LEG_F_TUNNEL);
	cr_assert_eq(l->sbc_id, 9);
	cr_assert_eq(l->channel, 5);
	cr_assert_eq(l->epoch, 0xe0005u, "the leg's epoch is not passed on");
	cr_assert_eq(l->port, 0);
	cr_assert_eq(l->addr, dp.addrs[0]);
	rejected(VR_REC_CALL, "same-channel",
		"field 'a_channel': '5' of the SBC with tunnel id 9 is already used by call 'ok'");
	rejected(VR_REC_CALL, "port-to-sbc", "its leg is a channel of the SBC's tunnel");
	rejected(VR_REC_CALL, "channel-to-stun", "extension '102' is not behind an SBC");
	/* Two SBCs may not share a tunnel id: when neither held it before, the
	 * second by id is refused, and so are its phones' calls. */
	rejected(VR_REC_SBC, "b9bis", "voxrelay:sbc:b9bis: field 'tunnel_id': '9' is already the "
		"tunnel id of voxrelay:sbc:b9, which keeps it");
	tun_call("via-bis", "302", 0, 7, "101", 20016);
	vr_model_resolve(&m, &dp, NULL);
	rejected(VR_REC_CALL, "via-bis", "behind SBC 'b9bis', which is not usable");
}

Test(model, sbc_tunnel_id_stays_with_the_sbc_that_had_it)
{
	struct vr_model old;

	stun("101", "branch1", 5065, 14000, 14019);
	sbc_and_ext("zz-live", "9", "301");
	tun_call("t1", "301", 0, 5, "101", 20002);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_SBC, "zz-live")->ok);
	cr_assert(rec(VR_REC_CALL, "t1")->ok);
	/* A newcomer with the live SBC's tunnel id, sorting before it: refused. */
	sbc_and_ext("aa-new", "9", "302");
	vr_model_resolve(&m, &dp, NULL);
	rejected(VR_REC_SBC, "aa-new", "voxrelay:sbc:aa-new: field 'tunnel_id': '9' is already "
		"the tunnel id of voxrelay:sbc:zz-live, which keeps it");
	cr_assert(rec(VR_REC_SBC, "zz-live")->ok);
	cr_assert(rec(VR_REC_CALL, "t1")->ok, "%s", rec(VR_REC_CALL, "t1")->error);
	cr_assert_eq(rec(VR_REC_CALL, "t1")->def.leg[0].sbc_id, 9);
	/* The live SBC's record written again (a new key): it keeps the tunnel. */
	sbc_and_ext("zz-live", "9", "301");
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_SBC, "zz-live")->ok, "%s", rec(VR_REC_SBC, "zz-live")->error);
	cr_assert_not(rec(VR_REC_SBC, "aa-new")->ok);
	/* A full reload reads every record into a fresh model: it inherits who
	 * held each tunnel id. */
	old = m;
	memset(&m, 0, sizeof(m));
	strcpy(m.prefix, "voxrelay:");
	sbc_and_ext("aa-new", "9", "302");
	stun("101", "branch1", 5065, 14000, 14019);
	sbc_and_ext("zz-live", "9", "301");
	tun_call("t1", "301", 0, 5, "101", 20002);
	vr_model_inherit(&m, &old);
	vr_model_free(&old);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_SBC, "zz-live")->ok, "%s", rec(VR_REC_SBC, "zz-live")->error);
	cr_assert_not(rec(VR_REC_SBC, "aa-new")->ok);
	cr_assert(rec(VR_REC_CALL, "t1")->ok, "%s", rec(VR_REC_CALL, "t1")->error);
	/* Once the holder goes away, the tunnel id is free for the newcomer. */
	vr_model_del(&m, VR_REC_SBC, "zz-live");
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_SBC, "aa-new")->ok, "%s", rec(VR_REC_SBC, "aa-new")->error);
}

Test(model, plan_for_a_site)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	stun("102", "branch1", 5066, 14020, 14039);
	stun("101", "branch1", 5065, 14000, 14019);
	stun("201", "branch2", 5065, 14000, 14019);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert_eq(vr_model_plan(&m, "branch1", out), 2);
	fclose(out);
	cr_assert(strstr(buf, "site branch1 (public address 203.0.113.2)") != NULL, "%s", buf);
	cr_assert(strstr(buf, "101        (set lan_ip)     5065       14000-14019   ok") != NULL,
		"%s", buf);
	cr_assert(strstr(buf, "102") > strstr(buf, "101"), "phones in number order: %s", buf);
	cr_assert(strstr(buf, "201") == NULL, "another site's phone listed: %s", buf);
	free(buf);
	out = open_memstream(&buf, &len);
	cr_assert_eq(vr_model_plan(&m, "nowhere", out), -1);
	fclose(out);
	free(buf);
}

Test(model, incremental_resolution_frees_and_retries_ports)
{
	struct vr_map touched = { 0 };
	char *ids[1];

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	call("c2", "101", 20004, "102", 20002);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_CALL, "c1")->ok);
	rejected(VR_REC_CALL, "c2", "field 'b_port': '20002' on 198.51.100.10 is already used by "
		"call 'c1'");
	/* c2 was rejected on leg b: it must not hold leg a's 20004 either. */
	call("c3", "101", 20004, "102", 20006);
	ids[0] = "c3";
	vr_model_resolve_calls(&m, &dp, ids, 1, &touched);
	cr_assert(rec(VR_REC_CALL, "c3")->ok, "%s", rec(VR_REC_CALL, "c3")->error);
	cr_assert_not_null(vr_map_get(&touched, "c3"));
	vr_map_free(&touched);
	/* c1 hangs up: c2 was waiting for 20002 but c3 now holds 20004: still rejected. */
	vr_model_del(&m, VR_REC_CALL, "c1");
	ids[0] = "c1";
	vr_model_resolve_calls(&m, &dp, ids, 1, &touched);
	cr_assert_not_null(vr_map_get(&touched, "c2"), "the waiting call is re-checked");
	rejected(VR_REC_CALL, "c2", "field 'a_port': '20004' on 198.51.100.10 is already used by "
		"call 'c3'");
	vr_map_free(&touched);
	/* c3 moves to other ports: c2 gets its ports. */
	call("c3", "101", 20008, "102", 20010);
	ids[0] = "c3";
	vr_model_resolve_calls(&m, &dp, ids, 1, &touched);
	cr_assert(rec(VR_REC_CALL, "c3")->ok);
	cr_assert(rec(VR_REC_CALL, "c2")->ok, "%s", rec(VR_REC_CALL, "c2")->error);
	cr_assert_not_null(vr_map_get(&touched, "c2"));
	vr_map_free(&touched);
}

/* Extension num rewritten with a typo: what control stores for a record that does not parse. */
static void
stun_typo(const char *num, const char *site)
{
	cr_assert_not(stun_at(num, site, "198.51.100.256", 5065, 14000, 14019), "the typo parsed");
}

Test(model, typo_over_a_live_extension_keeps_its_last_good_version)
{
	struct vr_ctl_call before;
	struct vr_rec *x;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	vr_model_resolve(&m, &dp, NULL);
	before = rec(VR_REC_CALL, "c1")->def;
	stun_typo("101", "branch1");
	vr_model_resolve(&m, &dp, NULL);
	x = rec(VR_REC_EXT, "101");
	cr_assert(x->ok && x->kept, "the extension's last good version is not in force");
	cr_assert(strstr(x->rejected, "field 'public_ip': '198.51.100.256'") != NULL, "%s",
		x->rejected);
	cr_assert(rec(VR_REC_CALL, "c1")->ok, "%s", rec(VR_REC_CALL, "c1")->error);
	cr_assert_eq(memcmp(&rec(VR_REC_CALL, "c1")->def, &before, sizeof(before)), 0,
		"the call changed");
	/* The fix: the record in Redis is in force again. */
	stun("101", "branch1", 5065, 14000, 14019);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_EXT, "101")->ok && !rec(VR_REC_EXT, "101")->kept);
	/* A typo in a record that never was in force is simply rejected. */
	stun_typo("103", "branch1");
	vr_model_resolve(&m, &dp, NULL);
	rejected(VR_REC_EXT, "103", "field 'public_ip'");
	cr_assert_not(rec(VR_REC_EXT, "103")->kept);
}

Test(model, a_kept_record_survives_a_full_reload_and_ends_with_a_delete)
{
	struct vr_model fresh;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	vr_model_resolve(&m, &dp, NULL);
	stun_typo("101", "branch1");
	vr_model_resolve(&m, &dp, NULL);
	/* A resync reads Redis into a fresh model: the typo only, and the others. */
	fresh = m;
	memset(&m, 0, sizeof(m));
	strcpy(m.prefix, "voxrelay:");
	stun_typo("101", "branch1");
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	vr_model_inherit(&m, &fresh);
	vr_model_free(&fresh);
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_EXT, "101")->kept && rec(VR_REC_EXT, "101")->ok);
	cr_assert(rec(VR_REC_CALL, "c1")->ok, "%s", rec(VR_REC_CALL, "c1")->error);
	/* Deleted: gone, and its calls with it. */
	vr_model_del(&m, VR_REC_EXT, "101");
	vr_model_resolve(&m, &dp, NULL);
	rejected(VR_REC_CALL, "c1", "field 'a_ext': '101' is not a configured extension");
}

Test(model, a_live_call_moved_onto_a_taken_port_keeps_its_ports)
{
	struct vr_map touched = { 0 };
	char *ids[1] = { "c2" };
	struct vr_rec *r;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	call("c2", "101", 20004, "102", 20006);
	vr_model_resolve(&m, &dp, NULL);
	/* The PBX rewrites c2 onto c1's port: refused, c2 keeps 20004/20006. */
	call("c2", "101", 20000, "102", 20006);
	vr_model_resolve_calls(&m, &dp, ids, 1, &touched);
	r = rec(VR_REC_CALL, "c2");
	cr_assert(r->ok && r->kept, "c2 lost its ports: %s", r->error);
	cr_assert(strstr(r->rejected, "'20000' on 198.51.100.10 is already used by call 'c1'") !=
		NULL, "%s", r->rejected);
	cr_assert_eq(r->def.leg[0].port, 20004);
	cr_assert(rec(VR_REC_CALL, "c1")->ok);
	vr_map_free(&touched);
	/* A good rewrite is taken as it is. */
	call("c2", "101", 20008, "102", 20006);
	vr_model_resolve_calls(&m, &dp, ids, 1, &touched);
	r = rec(VR_REC_CALL, "c2");
	cr_assert(r->ok && !r->kept);
	cr_assert_eq(r->def.leg[0].port, 20008);
	vr_map_free(&touched);
}

Test(model, a_valid_change_elsewhere_is_not_undone)
{
	const char *f[] = { "mode", "site", "public_ip", "sip_port", "rtp_ports", "deliver_audio" };
	const char *v[] = { "stun", "branch1", "203.0.113.2", "5065", "14000-14019", "0" };
	struct vr_rec r;

	stun("101", "branch1", 5065, 14000, 14019);
	stun("102", "branch1", 5066, 14020, 14039);
	call("c1", "101", 20000, "102", 20002);
	vr_model_resolve(&m, &dp, NULL);
	/* The operator turns PBX-delivered audio off for 101: a valid record, taken. */
	memset(&r, 0, sizeof(r));
	r.type = VR_REC_EXT;
	r.parsed = vr_schema_ext("voxrelay:ext:101", "101", f, v, 6, &r.u.ext, err, sizeof(err)) == 0;
	cr_assert(r.parsed, "%s", err);
	vr_model_put(&m, &r, "101");
	vr_model_resolve(&m, &dp, NULL);
	cr_assert(rec(VR_REC_EXT, "101")->ok && !rec(VR_REC_EXT, "101")->kept);
	rejected(VR_REC_CALL, "c1", "does not have PBX-delivered audio");
	cr_assert_not(rec(VR_REC_CALL, "c1")->kept, "the call's own record did not change");
}
