#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: calls that end, and what remains of them. voxrelay-control
# runs with --idle-timeout 2 --final-timeout 5:
#   1. a call whose phones stop talking (a PBX that lost the BYE) is marked
#      idle in its status, then ended: unbound, its record removed, its
#      status "ended" (kept a day), and an end-of-call record in
#      voxrelay:cdr with the packets each phone sent;
#   2. a call the PBX deletes leaves an end-of-call record too ("deleted");
#   3. with --keep-ended, an ended call's record stays, the same record
#      written again does not bind it again, a changed one does;
#   4. a dataplane restarted with room for fewer calls refuses one it had:
#      its end-of-call record says "refused_after_restart".
#
# Usage: call_end.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: call_end.sh BUILD_DIR}" && pwd)
PHONE=$BUILD/tests/vr_phone
P=vre$$
WORK=$(mktemp -d /tmp/voxrelay-end.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 61) % 20000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT

vr_topo_up
start_redis
start_dp
start_control --idle-timeout 2 --final-timeout 5

site_phones rcli
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
wait_for 5 listed c1 || fail "call c1 never reached the dataplane"

talk() { # CALL_PORT_A CALL_PORT_B PORT_OFFSET COUNT
	x ph1 "$PHONE" --bind 192.168.50.11:$((14000 + $3)) --to $RELAY:$1 --from $RELAY:$1 \
		--tag PH1 --expect-tag PH2 --count "$4" --pps 50 --ssrc 0x101 >"$WORK/ph1-$1.json" &
	local a=$!
	x ph2 "$PHONE" --bind 192.168.50.12:$((14020 + $3)) --to $RELAY:$2 --from $RELAY:$2 \
		--tag PH2 --expect-tag PH1 --count "$4" --pps 50 --ssrc 0x102 >"$WORK/ph2-$1.json" &
	wait $a $! || fail "a phone failed"
}
# cdr CALL FIELD: a field of the newest end-of-call record of CALL.
cdr() {
	rcli XREVRANGE voxrelay:cdr + - COUNT 100 | awk -v c="$1" -v f="$2" '
		$0 == "call" { getline; cur = $0; next }
		cur == c && $0 == f { getline; print; exit }'
}
media_is() { [ "$(rcli HGET "voxrelay:status:call:$1" media)" = "$2" ]; }
gone_record() { [ "$(rcli EXISTS "voxrelay:call:$1")" = 0 ]; }

echo "1. a call whose phones stop"
talk 20000 20002 0 100
ph1=$(cat "$WORK/ph1-20000.json") ph2=$(cat "$WORK/ph2-20000.json")
t0=$(date +%s%N)
wait_for 5 media_is c1 idle || fail "c1 is not marked idle: $(rcli HGETALL voxrelay:status:call:c1)"
[ "$(rcli HGET voxrelay:status:call:c1 idle_since_ms)" -gt 0 ] || fail "no idle_since_ms"
listed c1 || fail "c1 unbound while only idle"
wait_for 8 not_listed c1 || fail "c1 was not ended by the final timeout"
echo "ended $(( ($(date +%s%N) - t0) / 1000000 )) ms after the last packet"
wait_for 3 gone_record c1 || fail "c1's record was not removed"
wait_for 3 status_is call:c1 ended || fail "c1's status: $(rcli HGETALL voxrelay:status:call:c1)"
rcli HGET voxrelay:status:call:c1 error | grep -q "final timeout" || fail "c1's status does not say why"
ttl=$(rcli TTL voxrelay:status:call:c1)
[ "$ttl" -gt 3600 ] || fail "c1's status TTL is $ttl"
sleep 1.5
status_is call:c1 ended || fail "c1's status went away with its record"
[ "$(cdr c1 reason)" = final_timeout ] || fail "no end-of-call record for c1: $(rcli XRANGE voxrelay:cdr - +)"
# Leg a's packets relayed are what phone 2 received of phone 1's.
want=$(( $(num "$ph2" rtp_rx) + $(num "$ph2" rtcp_rx) ))
[ "$(cdr c1 a_packets)" = "$want" ] || fail "c1's record: a_packets $(cdr c1 a_packets), phone 2 received $want"
want=$(( $(num "$ph1" rtp_rx) + $(num "$ph1" rtcp_rx) ))
[ "$(cdr c1 b_packets)" = "$want" ] || fail "c1's record: b_packets $(cdr c1 b_packets), phone 1 received $want"
[ "$(cdr c1 a_lost)" = 0 ] && [ -n "$(cdr c1 a_jitter_ms)" ] && [ "$(cdr c1 start_ms)" -gt 0 ] ||
	fail "c1's record lacks loss, jitter or start"
[ "$(cdr c1 a_peer)" = "203.0.113.2:14000" ] || fail "c1's record: a_peer $(cdr c1 a_peer)"
echo "ok: $(rcli XLEN voxrelay:cdr) end-of-call record(s); c1: $(rcli XREVRANGE voxrelay:cdr + - COUNT 1 | tr '\n' ' ' | cut -c1-200)"

echo "2. a call the PBX deletes"
rcli HSET voxrelay:call:c2 a_ext 101 a_port 20004 b_ext 102 b_port 20006 >/dev/null
wait_for 5 listed c2 || fail "call c2 never reached the dataplane"
talk 20004 20006 2 50
rcli DEL voxrelay:call:c2 >/dev/null
wait_for 3 not_listed c2 || fail "c2 deleted in redis is still bound"
wait_for 3 sh -c "redis-cli -p $RPORT XRANGE voxrelay:cdr - + | grep -qx c2" || fail "no end-of-call record for c2"
[ "$(cdr c2 reason)" = deleted ] || fail "c2's record says '$(cdr c2 reason)'"
[ "$(cdr c2 a_packets)" -gt 40 ] || fail "c2's record: a_packets $(cdr c2 a_packets)"

echo "3. --keep-ended"
stop "$CONTROL_PID"
start_control --idle-timeout 2 --final-timeout 4 --keep-ended
rcli HSET voxrelay:call:c3 a_ext 101 a_port 20008 b_ext 102 b_port 20010 >/dev/null
wait_for 5 listed c3 || fail "c3 never reached the dataplane"
wait_for 8 not_listed c3 || fail "c3 was not ended"
wait_for 3 status_is call:c3 ended || fail "c3's status: $(rcli HGETALL voxrelay:status:call:c3)"
[ "$(rcli EXISTS voxrelay:call:c3)" = 1 ] || fail "--keep-ended removed c3's record"
rcli HSET voxrelay:call:c3 a_ext 101 a_port 20008 b_ext 102 b_port 20010 >/dev/null
sleep 1.5
not_listed c3 || fail "the same record written again bound c3 again"
rcli HSET voxrelay:call:c3 b_port 20012 >/dev/null
wait_for 5 listed c3 || fail "a changed c3 was not bound again"
wait_for 3 status_is call:c3 ok || fail "the changed c3's status: $(rcli HGETALL voxrelay:status:call:c3)"
echo "4. refused after a dataplane restart"
stop "$CONTROL_PID"
start_control --idle-timeout 0 --final-timeout 0
rcli HSET voxrelay:call:c4 a_ext 101 a_port 20014 b_ext 102 b_port 20016 >/dev/null
rcli HSET voxrelay:call:c5 a_ext 101 a_port 20018 b_ext 102 b_port 20020 >/dev/null
wait_for 5 listed c4 || fail "c4 never reached the dataplane"
wait_for 5 listed c5 || fail "c5 never reached the dataplane"
kill -9 "$DP_PID"
wait "$DP_PID" 2>/dev/null || true
DP_ARGS="--max-calls 1" start_dp
wait_for 8 sh -c "redis-cli -p $RPORT XRANGE voxrelay:cdr - + | grep -qx refused_after_restart" ||
	fail "no refused_after_restart record: $(rcli XRANGE voxrelay:cdr - +)"
echo "ok: call $(rcli XRANGE voxrelay:cdr - + | grep -B2 -x refused_after_restart | head -1) refused after the restart"
echo "e2e call_end: 4 passed, 0 failed"
