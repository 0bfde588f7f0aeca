#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: every process killed mid-call, with live calls and an SBC
# tunnel running (scripts/topology.sh: two remote STUN phones at one site
# talking through relay ports, and an SBC behind its own NAT whose phone
# talks to the first phone's second line through the tunnel), 50 packets a
# second each way for 26 s. In turn, 4 s apart:
#   1. kill -9 of voxrelay-control, started again;
#   2. kill -9 of redis-server, started again from its AOF;
#   3. SIGSTOP of voxrelay-control for 4 s, longer than the stats TTL (3 s);
#   4. kill -9 of voxrelay-dp, started again: control programs the new one.
# Then, for every stream, the media lost (sequence holes at the receiver)
# and when: none may be lost in faults 1-3; for the dataplane restart the
# holes are the time to recover, reported per stream (and bounded by the
# test at 3 s, to catch a regression). One line per stream and fault:
#   fault STREAM FAULT lost N recovered_ms MS
#
# Usage: faults.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: faults.sh BUILD_DIR}" && pwd)
P=vrf$$
WORK=$(mktemp -d /tmp/voxrelay-faults.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 41) % 20000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT

PPS=50
COUNT=1300       # 26 s
STEP=4           # seconds between faults

vr_topo_up
vr_topo_sbc_site sbc1 1
start_redis
start_dp
start_control --stats-ttl 3

estate_records rcli
wait_for 5 listed c1 || fail "call c1 never reached the dataplane"
wait_for 5 listed t1 || fail "call t1 never reached the dataplane"

estate_talk $COUNT $PPS
T0=$(date +%s%N)
# at SECONDS: sleeps until that many seconds after T0.
at() { local ns=$((T0 + $1 * 1000000000 - $(date +%s%N))); [ $ns -le 0 ] || sleep "$(awk -v n=$ns 'BEGIN { printf "%.3f", n / 1e9 }')"; }
# mark NAME: when fault NAME began, in ms after T0.
declare -A AT
mark() { AT[$1]=$(( ($(date +%s%N) - T0) / 1000000 )); }

at $((STEP * 1))
mark control_kill
kill -9 "$CONTROL_PID"
wait "$CONTROL_PID" 2>/dev/null || true
start_control --stats-ttl 3
at $((STEP * 2))
mark redis_kill
kill -9 "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
start_redis
at $((STEP * 3))
mark control_stop
kill -STOP "$CONTROL_PID"
sleep 4
kill -CONT "$CONTROL_PID"
at $((STEP * 4 + 2))
mark dp_kill
kill -9 "$DP_PID"
wait "$DP_PID" 2>/dev/null || true
start_dp
wait_for 5 listed t1 || fail "control did not program the restarted dataplane"
wait "${EST_PIDS[@]}" || fail "a phone or the SBC emulator failed: $(cat "$WORK/sbc.err")"

# holes JSON: the holes of a report, one "FIRST LAST" a line (packet counters).
holes() { grep -o '"holes":\[[^]]*\]' <<<"$1" | grep -o '[0-9]*-[0-9]*' | tr - ' ' || true; }
sbc=$(cat "$WORK/sbc.json")
echo "sbc: $sbc"
fails=0
report() { # STREAM JSON_OR_HOLES
	local name=$1 h=$2 f lost ms first last in_fault
	for f in control_kill redis_kill control_stop dp_kill; do
		lost=0 ms=0
		while read -r first last; do
			[ -n "$first" ] || continue
			# The fault a hole belongs to: the last one begun before it.
			in_fault=
			for g in control_kill redis_kill control_stop dp_kill; do
				[ $((first * 1000 / PPS)) -ge $((${AT[$g]} - 500)) ] && in_fault=$g
			done
			[ "$in_fault" = "$f" ] || continue
			lost=$((lost + last - first + 1))
			ms=$((ms + (last - first + 1) * 1000 / PPS))
		done <<<"$h"
		echo "fault $name $f lost $lost recovered_ms $ms"
		case $f in
		dp_kill) [ "$ms" -le 3000 ] || { echo "FAIL: $name lost $ms ms of media at the dataplane restart"; fails=1; } ;;
		*) [ "$lost" = 0 ] || { echo "FAIL: $name lost $lost packets at $f"; fails=1; } ;;
		esac
	done
}
for s in ph1 ph2 ph1b; do
	j=$(cat "$WORK/$s.json")
	echo "$s: $j"
	[ "$(num "$j" foreign)" = 0 ] && [ "$(num "$j" bad_tag)" = 0 ] ||
		fail "$s got packets it should not have: $j"
	[ "$(num "$j" last_seq)" = $((COUNT - 1)) ] || fail "$s missed the end of its stream: $j"
	report "$s" "$(holes "$j")"
done
# What the SBC received through the tunnel on channel 12.
report sbc12 "$(holes "$(grep -o '{"channel":12,[^}]*}' <<<"$sbc")")"
[ "$fails" = 0 ] || fail "media lost beyond the targets"
echo "e2e faults: 4 passed, 0 failed"
