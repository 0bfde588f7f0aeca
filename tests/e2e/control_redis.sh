#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: Redis as the source of truth. A real redis-server on loopback
# (AOF on, so a restart keeps the records), voxrelay-control, and voxrelay-dp
# in the namespaced estate of scripts/topology.sh. Extensions and a call are
# written with plain redis-cli; RTP flows between the two remote phones; bad
# records are rejected and reported while the call keeps flowing; Redis,
# control and the dataplane are restarted mid-call; stats appear in Redis;
# deleting the call stops forwarding; voxrelayctl plan prints the site's
# port forwards.
#
# Usage: control_redis.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: control_redis.sh BUILD_DIR}" && pwd)
PHONE=$BUILD/tests/vr_phone
P=vrc$$
WORK=$(mktemp -d /tmp/voxrelay-ctl-e2e.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + $$ % 20000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT

vr_topo_up
start_redis
start_dp
start_control

# Provision with plain redis-cli, the way a PBX would.
rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 \
	rtp_ports 14000-14019 lan_ip 192.168.50.11 name "Reception" >/dev/null
rcli HSET voxrelay:ext:102 mode stun site branch1 public_ip 203.0.113.2 sip_port 5066 \
	rtp_ports 14020-14039 lan_ip 192.168.50.12 >/dev/null
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
wait_for 5 listed c1 || fail "call c1 written to redis never reached the dataplane"
wait_for 5 status_is call:c1 ok || fail "call c1 status: $(rcli HGETALL voxrelay:status:call:c1)"
show=$(ctl --json show c1)
echo "$show" | grep -q '"peer":"203.0.113.2","peer_ports":\[14000,14019\]' ||
	fail "leg a does not expect ext 101's public address and RTP block: $show"
echo "ok: extensions and a call written with redis-cli are programmed, legs expect the phones"

# Bad records: each rejected with key, field and value; nothing valid is lost.
rcli HSET voxrelay:call:bad1 a_ext 999 a_port 20010 b_ext 102 b_port 20012 >/dev/null
rcli HSET voxrelay:call:bad2 a_ext 101 a_port 20000 b_ext 102 b_port 20014 >/dev/null
rcli HSET voxrelay:call:bad3 a_ext 101 a_port 20021 b_ext 102 b_port 20024 >/dev/null
rcli HSET voxrelay:ext:103 mode stun site branch1 public_ip 203.0.113.2 sip_port 5067 \
	rtp_ports 14030-14049 >/dev/null
rcli HSET voxrelay:ext:104 mode stun site branch1 public_ip 203.0.113.300 sip_port 5068 \
	rtp_ports 14060-14079 >/dev/null
expect_error() { # KEY TEXT
	wait_for 5 status_is "$1" rejected || fail "$1 not rejected: $(rcli HGETALL "voxrelay:status:$1")"
	rcli HGET "voxrelay:status:$1" error | grep -qF "$2" ||
		fail "$1 error '$(rcli HGET "voxrelay:status:$1" error)' lacks '$2'"
}
expect_error call:bad1 "field 'a_ext': '999' is not a configured extension"
expect_error call:bad2 "field 'a_port': '20000' on 198.51.100.10 is already used by call 'c1'"
expect_error call:bad3 "field 'a_port': '20021' is odd"
expect_error ext:103 "'14030-14049' overlaps extension 102's 14020-14039 at site branch1"
expect_error ext:104 "field 'public_ip': '203.0.113.300' is not an IPv4 address"
[ "$(rcli LLEN voxrelay:errors)" -ge 5 ] || fail "error list has $(rcli LLEN voxrelay:errors) entries"
listed c1 || fail "c1 lost after bad records"
not_listed bad1 && not_listed bad2 && not_listed bad3 || fail "a rejected call was programmed"
grep -q "rejected voxrelay:call:bad1: field 'a_ext'" "$WORK/control.log" || fail "rejection not logged"
echo "ok: bad records rejected with key, field and value, in redis and the log; c1 kept"

# The site's port-forward plan.
plan=$("$CTL" plan branch1 --redis 127.0.0.1:"$RPORT")
echo "$plan"
echo "$plan" | grep -Eq "^101 +192.168.50.11 +5065 +14000-14019 +ok" || fail "plan lacks ext 101"
echo "$plan" | grep -Eq "^102 +192.168.50.12 +5066 +14020-14039 +ok" || fail "plan lacks ext 102"
echo "$plan" | grep -q "^103 .*overlaps" || fail "plan does not flag ext 103"
echo "ok: voxrelayctl plan prints the site's port forwards"

# 12 s of audio; Redis, then control, then nothing else restarts mid-call.
x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
	--tag PHONE1 --expect-tag PHONE2 --count 600 --pps 50 --ssrc 0x101 >"$WORK/ph1.json" &
A=$!
x ph2 "$PHONE" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
	--tag PHONE2 --expect-tag PHONE1 --count 600 --pps 50 --ssrc 0x102 >"$WORK/ph2.json" &
B=$!
sleep 2
stop "$REDIS_PID"
sleep 1
start_redis
echo "ok: redis restarted mid-call"
wait_for 10 sh -c "grep -q 'redis connected' '$WORK/control.log' && [ \$(grep -c 'redis connected' '$WORK/control.log') -ge 2 ]" ||
	fail "control did not reconnect to redis"
sleep 1
kill -9 "$CONTROL_PID"
wait "$CONTROL_PID" 2>/dev/null || true
start_control
echo "ok: control killed and restarted mid-call"
wait $A $B
for ph in ph1 ph2; do
	r=$(cat "$WORK/$ph.json")
	echo "$ph: $r"
	echo "$r" | grep -q '"gap_loss":0' || fail "$ph lost RTP mid-call"
	echo "$r" | grep -q '"last_seq":599' || fail "$ph missed the end of the stream"
	echo "$r" | grep -q '"foreign":0' || fail "$ph got foreign packets"
done
echo "ok: no RTP lost across the redis and control restarts"
grep -q "call c1 bound\|call c1 rebound" "$WORK/control.log" || fail "c1 never programmed by control"
[ "$(grep -c 'call c1 bound' "$WORK/control.log")" = 1 ] ||
	fail "restarted control re-bound c1 (latches and counters would be lost)"

# Stats in Redis, equal to the dataplane's own counters.
sleep 1.5
dp_pkts=$(ctl --json show c1 | sed -n 's/.*"a.rtp":{[^}]*"pkts":\([0-9]*\).*/\1/p')
r_pkts=$(rcli HGET voxrelay:stats:call:c1 a_pkts)
[ -n "$dp_pkts" ] && [ "$dp_pkts" -ge 550 ] || fail "dataplane counted $dp_pkts packets on leg a"
[ "$r_pkts" = "$dp_pkts" ] || fail "redis a_pkts $r_pkts != dataplane $dp_pkts"
[ "$(rcli HGET voxrelay:stats:call:c1 a_lost)" = 0 ] || fail "a_lost is not 0"
ttl=$(rcli TTL voxrelay:stats:call:c1)
[ "$ttl" -gt 0 ] || fail "stats hash has no TTL ($ttl)"
[ "$(rcli HGET voxrelay:stats:summary calls)" = 1 ] || fail "summary calls: $(rcli HGETALL voxrelay:stats:summary)"
[ "$(rcli HGET voxrelay:stats:site:branch1 devices)" = 2 ] ||
	fail "site devices: $(rcli HGETALL voxrelay:stats:site:branch1)"
[ "$(rcli HGET voxrelay:stats:site:branch1 calls)" = 1 ] || fail "site calls"
echo "ok: stats in redis match the dataplane (a_pkts=$r_pkts, TTL ${ttl}s)"
wait_for 8 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:stats:call:c1 state)\" = idle ]" ||
	fail "idle call not published as idle"
echo "ok: the silent call is published idle"

# An SBC site: the SBC with its key and tunnel id, a phone behind it, and a
# call whose leg to that phone is a channel of the SBC's tunnel.
rcli HSET voxrelay:sbc:branch7 name "Branch 7" auth_id sbc-b7 tunnel_id 7 \
	suite AES_CM_128_HMAC_SHA1_80 key AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd >/dev/null
rcli HSET voxrelay:ext:301 mode sbc site branch7 sbc branch7 >/dev/null
rcli HSET voxrelay:call:t1 a_ext 301 a_channel 12 a_epoch "$(epoch)" b_ext 101 b_port 20030 >/dev/null
rcli HSET voxrelay:call:bad4 a_ext 301 a_port 20040 b_ext 102 b_port 20042 >/dev/null
wait_for 5 listed t1 || fail "call t1 with a tunnel leg never reached the dataplane"
ctl --json show t1 | grep -q '"sbc":7,"channel":12' ||
	fail "t1 leg a is not SBC 7 channel 12: $(ctl --json show t1)"
expect_error call:bad4 "extension '301' is behind SBC 'branch7': its leg is a channel"
wait_for 3 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:stats:sbc:branch7 tunnel_id)\" = 7 ]" ||
	fail "SBC stats: $(rcli HGETALL voxrelay:stats:sbc:branch7)"
[ "$(rcli HGET voxrelay:stats:sbc:branch7 online)" = 0 ] || fail "an SBC that never said hello is online"
[ "$(rcli HGET voxrelay:stats:sbc:branch7 devices)" = 1 ] || fail "SBC devices"
grep -q "SBC 7 set: AES_CM_128_HMAC_SHA1_80, key 0" "$WORK/dp.log" || fail "SBC not programmed"
# A new key under a new key id: the dataplane gets both for the overlap.
rcli HSET voxrelay:sbc:branch7 key_id 1 key BAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh >/dev/null
wait_for 3 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:stats:sbc:branch7 keys)\" = 2 ]" ||
	fail "key rollover not programmed: $(rcli HGETALL voxrelay:stats:sbc:branch7)"
echo "ok: an SBC, a phone behind it and a tunnel-leg call written with redis-cli are programmed; its key rolls over"

# A newcomer with branch7's tunnel id, sorting before it and under key id 5:
# refused with both named; branch7 keeps the tunnel, its key and its call, and
# keeps them across a control restart.
rcli HSET voxrelay:sbc:aa-new name "New" auth_id sbc-new tunnel_id 7 key_id 5 \
	suite AES_CM_128_HMAC_SHA1_80 key CAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQl >/dev/null
expect_error sbc:aa-new "voxrelay:sbc:aa-new: field 'tunnel_id': '7' is already the tunnel id of voxrelay:sbc:branch7, which keeps it"
grep -q "rejected voxrelay:sbc:aa-new: field 'tunnel_id'" "$WORK/control.log" ||
	fail "the tunnel id clash not logged"
sets=$(grep -c "sbc:branch7: tunnel id 7" "$WORK/control.log")
kill -9 "$CONTROL_PID"
wait "$CONTROL_PID" 2>/dev/null || true
start_control
wait_for 5 sh -c "[ \$(grep -c 'sbc:branch7: tunnel id 7' '$WORK/control.log') -gt $sets ]" ||
	fail "restarted control did not program SBC branch7 again"
sleep 1 # its statuses written
status_is sbc:branch7 ok && status_is sbc:aa-new rejected ||
	fail "after a control restart: branch7 $(rcli HGET voxrelay:status:sbc:branch7 state), aa-new $(rcli HGET voxrelay:status:sbc:aa-new state)"
listed t1 || fail "t1 lost to the newcomer's tunnel id"
grep -q "call t1 unbound" "$WORK/control.log" && fail "t1 was unbound for the newcomer"
grep -q "SBC 7 set: .*key 5" "$WORK/dp.log" && fail "the newcomer's key reached the dataplane"
echo "ok: a second SBC with a live tunnel id is refused; the live one keeps it, across a control restart"

# Dataplane restart: control reprograms within a second of its return.
stop "$DP_PID"
start_dp
wait_for 2 listed c1 || fail "call not reprogrammed after a dataplane restart"
wait_for 2 listed t1 || fail "tunnel-leg call not reprogrammed after a dataplane restart"
echo "ok: dataplane restarted, calls reprogrammed"

# Deleting the call in Redis stops forwarding.
rcli DEL voxrelay:call:c1 >/dev/null
wait_for 3 not_listed c1 || fail "deleted call still bound"
x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
	--tag PHONE1 --expect-tag PHONE2 --count 25 --pps 50 --linger 300 >"$WORK/ph1b.json" &
A=$!
x ph2 "$PHONE" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
	--tag PHONE2 --expect-tag PHONE1 --count 25 --pps 50 --linger 300 >"$WORK/ph2b.json" &
B=$!
wait $A $B
grep -q '"rtp_rx":0' "$WORK/ph1b.json" && grep -q '"rtp_rx":0' "$WORK/ph2b.json" ||
	fail "media still relayed after the call was deleted"
[ -z "$(rcli EXISTS voxrelay:status:call:c1 | grep 1)" ] || fail "status of the deleted call kept"
echo "ok: deleting the call in redis stops forwarding"
echo "e2e control_redis: 1 passed, 0 failed"
