#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: Redis high availability with Sentinel. A Redis primary, a
# replica and three Sentinels on loopback; voxrelay-control finds the
# primary through the Sentinels (--sentinel, --master), with the estate of
# scripts/topology.sh talking (two remote STUN phones on call c1, an SBC's
# phone on tunnel call t1), 50 packets a second each way for 20 s. Then:
#   1. the primary is killed (-9): the Sentinels promote the replica,
#      control follows it (logged, with the time it took, and in
#      stats:health), unbinds nothing, and no phone loses a packet;
#   2. a call written to the new primary is bound (the notifications
#      follow too), and a delete there unbinds it;
#   3. the old primary comes back empty: the Sentinels make it a replica,
#      and control stays with the new primary, holding nothing;
#   4. a manual failover (SENTINEL FAILOVER), the old primary demoted while
#      control's connection to it stays up: control leaves it within the
#      second it asks the Sentinels.
#
# Usage: sentinel.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: sentinel.sh BUILD_DIR}" && pwd)
P=vrsen$$
WORK=$(mktemp -d /tmp/voxrelay-sentinel.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 71) % 20000))
RPORT2=$((RPORT + 1))
SPORT=$((RPORT + 2))   # three Sentinels: SPORT, SPORT + 1, SPORT + 2
MASTER=vrm
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
SIDE_PIDS=()
trap 'for p in "${SIDE_PIDS[@]}"; do stop "$p"; done; cleanup' EXIT

PPS=50
COUNT=1000       # 20 s

primary_port() { redis-cli -p "$SPORT" SENTINEL get-master-addr-by-name $MASTER | tail -1; }
health() { redis-cli -p "$1" HGET voxrelay:stats:health "$2"; }
primary_is() { [ "$(health "$1" redis_primary)" = "127.0.0.1:$1" ]; }
held() { [ "$(redis-cli -p "$1" HGET voxrelay:stats:summary held_calls)" = "$2" ]; }
both_listed() { listed c1 && listed t1; }

vr_topo_up
vr_topo_sbc_site sbc1 1
redis_at "$RPORT"
REDIS_PID=$LAST_PID
redis_at "$RPORT2" --replicaof 127.0.0.1 "$RPORT"
REPLICA_PID=$LAST_PID
SIDE_PIDS+=($REPLICA_PID)
for i in 0 1 2; do sentinel_at $((SPORT + i)); done
wait_for 10 sh -c "[ \"\$(redis-cli -p $SPORT SENTINEL replicas $MASTER | grep -c $RPORT2)\" -ge 1 ]" ||
	fail "the sentinels did not find the replica"
start_dp
"$CONTROL" --sentinel "127.0.0.1:$SPORT,127.0.0.1:$((SPORT + 1)),127.0.0.1:$((SPORT + 2))" \
	--master $MASTER --ctl "$SOCK" --shm "/$P" --interval 500 --metrics off --resync 5 \
	>>"$WORK/control.log" 2>&1 &
CONTROL_PID=$!

estate_records redis-cli -p "$RPORT"
wait_for 5 listed c1 || fail "call c1 never reached the dataplane"
wait_for 5 listed t1 || fail "call t1 never reached the dataplane"
wait_for 5 primary_is "$RPORT" || fail "stats:health does not name the primary: '$(health "$RPORT" redis_primary)'"
# Every record on the replica before the primary goes.
wait_for 5 sh -c "[ \"\$(redis-cli -p $RPORT2 EXISTS voxrelay:call:c1 voxrelay:call:t1)\" = 2 ]" ||
	fail "the replica does not have the records"

estate_talk $COUNT $PPS
sleep 4

echo "1. the primary killed"
t0=$(date +%s%3N)
kill -9 "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
wait_for 15 sh -c "[ \"\$(redis-cli -p $SPORT SENTINEL get-master-addr-by-name $MASTER | tail -1)\" = $RPORT2 ]" ||
	fail "the sentinels did not promote the replica"
t1=$(date +%s%3N)
wait_for 10 primary_is "$RPORT2" || fail "control did not follow to the new primary"
t2=$(date +%s%3N)
grep -q "the sentinels name 127.0.0.1:$RPORT2 the primary of '$MASTER' (was 127.0.0.1:$RPORT)" \
	"$WORK/control.log" || fail "control's log does not name the new primary"
reached=$(health "$RPORT2" redis_reached_ms)
echo "promoted $((t1 - t0)) ms after the kill; control published on it $((t2 - t0)) ms after;" \
	"control reached it ${reached} ms after losing the old one"
[ "$(health "$RPORT2" redis_failovers)" = 1 ] || fail "redis_failovers is not 1"
both_listed || fail "a call was unbound over the failover"
held "$RPORT2" 0 || fail "calls were held though the new primary has their records"

echo "2. a call written to the new primary"
redis-cli -p "$RPORT2" HSET voxrelay:call:c2 a_ext 101 a_port 20010 b_ext 102 b_port 20012 >/dev/null
wait_for 5 listed c2 || fail "c2 written to the new primary was not bound"
redis-cli -p "$RPORT2" DEL voxrelay:call:c2 >/dev/null
wait_for 5 not_listed c2 || fail "c2 deleted on the new primary is still bound"

echo "3. the old primary back, empty"
redis_at "$RPORT"
REDIS_PID=$LAST_PID
wait_for 15 sh -c "redis-cli -p $RPORT ROLE | head -1 | grep -q slave" ||
	fail "the sentinels did not make the old primary a replica"
sleep 2
primary_is "$RPORT2" || fail "control left the new primary for the old one"
both_listed || fail "a call was unbound when the old primary came back"
held "$RPORT2" 0 || fail "calls were held when the old primary came back"

wait "${EST_PIDS[@]}" || fail "a phone or the SBC emulator failed: $(cat "$WORK/sbc.err")"
for s in ph1 ph2 ph1b; do
	j=$(cat "$WORK/$s.json")
	echo "$s: $j"
	[ "$(num "$j" foreign)" = 0 ] && [ "$(num "$j" bad_tag)" = 0 ] ||
		fail "$s got packets it should not have: $j"
	[ "$(num "$j" gap_loss)" = 0 ] && [ "$(num "$j" last_seq)" = $((COUNT - 1)) ] ||
		fail "$s lost packets over the failover: $j"
done
sbc=$(cat "$WORK/sbc.json")
echo "sbc: $sbc"
[ "$(num "$sbc" gap_loss 12)" = 0 ] && [ "$(num "$sbc" last_seq 12)" = $((COUNT - 1)) ] ||
	fail "the SBC lost packets on channel 12 over the failover: $sbc"

echo "4. a manual failover, control's connection to the old primary left up"
wait_for 15 sh -c "[ \"\$(redis-cli -p $RPORT2 INFO replication | tr -d '\r' | sed -n 's/^connected_slaves://p')\" = 1 ]" ||
	fail "the old primary did not resynchronise as a replica"
wait_for 5 sh -c "[ \"\$(redis-cli -p $RPORT EXISTS voxrelay:call:c1 voxrelay:call:t1)\" = 2 ]" ||
	fail "the old primary, a replica now, does not have the records"
redis-cli -p "$SPORT" SENTINEL FAILOVER $MASTER >/dev/null
wait_for 15 sh -c "[ \"\$(redis-cli -p $SPORT SENTINEL get-master-addr-by-name $MASTER | tail -1)\" = $RPORT ]" ||
	fail "the manual failover did not happen"
wait_for 10 primary_is "$RPORT" || fail "control stayed with the demoted primary"
[ "$(health "$RPORT" redis_failovers)" = 2 ] || fail "redis_failovers is not 2"
both_listed || fail "a call was unbound over the manual failover"
held "$RPORT" 0 || fail "calls were held over the manual failover"
redis-cli -p "$RPORT" HSET voxrelay:call:c3 a_ext 101 a_port 20020 b_ext 102 b_port 20022 >/dev/null
wait_for 5 listed c3 || fail "c3 written to the primary after the manual failover was not bound"
echo "e2e sentinel: 4 passed, 0 failed"
