#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: the mistakes an operator makes in Redis never drop live calls
# (scripts/topology.sh: two remote STUN phones at one site talking through
# relay ports, and an SBC behind its own NAT whose phone talks to the first
# phone's second line through the tunnel), 50 packets a second each way for
# 30 s. In turn:
#   1. a typo written over a live extension (public_ip 198.51.100.256): the
#      record is refused, its status says "kept", its last good version
#      stays in force; then the fix;
#   2. redis-server restarted empty (no persistence): control finds every
#      bound call missing at once and holds them; the PBX writes the records
#      back and the hold ends;
#   3. FLUSHALL, found by control's resync: the same;
#   4. control switched to another, empty Redis server: the same, with the
#      records written into the new server.
# No phone may lose a packet. Then, with the phones done: deleting a call in
# Redis still unbinds it at once, also in one transaction with an extension
# change (the hold is only for most calls missing at once unannounced), and
# after one more FLUSHALL 'voxrelayctl accept-missing' unbinds
# the held call.
#
# Usage: redis_mistakes.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: redis_mistakes.sh BUILD_DIR}" && pwd)
P=vrm$$
WORK=$(mktemp -d /tmp/voxrelay-mistakes.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 43) % 20000))
RPORT2=$((RPORT + 1))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
REDIS2_PID=
trap 'stop "$REDIS2_PID"; cleanup' EXIT

PPS=50
COUNT=1500       # 30 s

vr_topo_up
vr_topo_sbc_site sbc1 1
start_redis
start_dp
start_control --resync 3

estate_records redis-cli -p "$RPORT"
wait_for 5 listed c1 || fail "call c1 never reached the dataplane"
wait_for 5 listed t1 || fail "call t1 never reached the dataplane"

estate_talk $COUNT $PPS
sleep 2

held() { [ "$(redis-cli -p "${1:-$RPORT}" HGET voxrelay:stats:summary held_calls)" = "$2" ]; }
both_listed() { listed c1 && listed t1; }
lines() { wc -l <"$WORK/control.log"; }

echo "1. a typo over a live extension"
rcli HSET voxrelay:ext:101 public_ip 198.51.100.256 >/dev/null
wait_for 3 status_is ext:101 kept ||
	fail "ext:101's status is '$(rcli HGET voxrelay:status:ext:101 state)', not kept"
rcli HGET voxrelay:status:ext:101 error | grep -q "field 'public_ip': '198.51.100.256'" ||
	fail "the kept status does not name the bad value: $(rcli HGET voxrelay:status:ext:101 error)"
rcli LRANGE voxrelay:errors 0 0 | grep -q "last good version stays in force" ||
	fail "the error list does not say the last good version stays in force"
both_listed || fail "a call was unbound over the typo"
sleep 2
rcli HSET voxrelay:ext:101 public_ip 203.0.113.2 >/dev/null
wait_for 3 status_is ext:101 ok || fail "the fixed ext:101 is not ok"

echo "2. redis-server restarted empty"
kill -9 "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
rm -rf "$WORK/appendonlydir" "$WORK"/*.aof "$WORK"/*.rdb
start_redis
[ "$(rcli DBSIZE)" = 0 ] || fail "redis did not start empty"
wait_for 5 held "$RPORT" 2 || fail "control did not hold the 2 calls (held_calls $(rcli HGET voxrelay:stats:summary held_calls))"
grep -q "missing from Redis at once" "$WORK/control.log" || fail "no alarm in control's log"
both_listed || fail "a call was unbound when redis came back empty"
sleep 1
estate_records redis-cli -p "$RPORT"
wait_for 5 held "$RPORT" 0 || fail "the hold did not end when the records returned"
wait_for 3 status_is call:c1 ok || fail "c1 is not ok after its record returned"

echo "3. FLUSHALL"
rcli FLUSHALL >/dev/null
wait_for 6 held "$RPORT" 2 || fail "control did not hold the calls after FLUSHALL"
both_listed || fail "a call was unbound after FLUSHALL"
estate_records redis-cli -p "$RPORT"
wait_for 5 held "$RPORT" 0 || fail "the hold did not end after FLUSHALL's records returned"

echo "4. control switched to an empty Redis server"
redis-server --port "$RPORT2" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
	>>"$WORK/redis2.log" 2>&1 &
REDIS2_PID=$!
wait_for 10 redis-cli -p "$RPORT2" ping || fail "the second redis-server did not start"
stop "$CONTROL_PID"
start_control --resync 3 --redis 127.0.0.1:"$RPORT2"
wait_for 5 held "$RPORT2" 2 || fail "control did not hold the calls on the empty server"
both_listed || fail "a call was unbound on the switch to an empty server"
sleep 1
estate_records redis-cli -p "$RPORT2"
wait_for 5 held "$RPORT2" 0 || fail "the hold did not end on the new server"

wait "${EST_PIDS[@]}" || fail "a phone or the SBC emulator failed: $(cat "$WORK/sbc.err")"
sbc=$(cat "$WORK/sbc.json")
for s in ph1 ph2 ph1b; do
	j=$(cat "$WORK/$s.json")
	echo "$s: $j"
	[ "$(num "$j" foreign)" = 0 ] && [ "$(num "$j" bad_tag)" = 0 ] ||
		fail "$s got packets it should not have: $j"
	# Loss between the first packet and the last (the first ones wait for
	# the SBC's hello, before any fault).
	[ "$(num "$j" gap_loss)" = 0 ] && [ "$(num "$j" last_seq)" = $((COUNT - 1)) ] ||
		fail "$s lost packets: $j"
done
echo "sbc: $sbc"
[ "$(num "$sbc" gap_loss 12)" = 0 ] && [ "$(num "$sbc" last_seq 12)" = $((COUNT - 1)) ] ||
	fail "the SBC lost packets on channel 12: $sbc"

echo "5. deleting a call unbinds it, even with an extension changed in the same breath"
# One transaction: the notifications arrive as one batch, which re-checks
# everything (an extension changed); c1 is half the bound calls, so a hold
# that counted named deletes as "missing" would hold it.
printf 'MULTI\nDEL voxrelay:call:c1\nHSET voxrelay:ext:101 public_ip 203.0.113.2\nEXEC\n' |
	redis-cli -p "$RPORT2" >/dev/null
wait_for 3 not_listed c1 || fail "c1 deleted in redis is still bound"
held "$RPORT2" 0 || fail "the delete of c1 was held"
listed t1 || fail "t1 went with c1"

echo "6. accept-missing"
redis-cli -p "$RPORT2" FLUSHALL >/dev/null
wait_for 6 held "$RPORT2" 1 || fail "control did not hold t1 after FLUSHALL"
listed t1 || fail "t1 was unbound"
"$CTL" accept-missing --redis 127.0.0.1:"$RPORT2" || fail "voxrelayctl accept-missing failed"
wait_for 3 not_listed t1 || fail "t1 is still bound after accept-missing"
wait_for 3 held "$RPORT2" 0 || fail "held_calls did not return to 0"
echo "e2e redis_mistakes: 6 passed, 0 failed"
