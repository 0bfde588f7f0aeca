#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: two relay hosts on one segment (scripts/topology.sh with
# vr_topo_relay2), Redis as a primary, a replica and three Sentinels (both
# controls with --sentinel), relay address 198.51.100.10 held under a lease
# (docs/ha.md). Host a (--own the address) relays the estate of
# tests/e2e/common.sh, 50 packets a second each way: call c1 between the two
# remote STUN phones, and t1 between an SBC's phone (through its tunnel)
# and phone 101's second line; host b (--takeover) waits with its dataplane
# --standby. Then:
#   1. host a's dataplane and control are killed (-9): b takes the lease
#      once it has been free for a whole lease, binds c1 with the latches a
#      recorded in its stats, announces the address with gratuitous ARP,
#      and the phones' audio resumes, the SBC's too (under b's tunnel epoch,
#      learned from a hello); the gap is measured from the packets each
#      phone missed;
#   2. host a comes back (--standby, --own the address): b holds the lease,
#      so a takes nothing, and no packet is relayed twice;
#   3. b's control is frozen (SIGSTOP) past its lease: a takes the address
#      back (it is a's own and free) and announces it; b's dataplane yields
#      to that announcement, and b's control, thawed, finds itself fenced
#      (the lease is a's under a later epoch) and keeps the address off;
#   4. the Redis primary is killed (-9) while the phones talk: the
#      Sentinels promote the replica, both controls follow, a keeps its
#      address (b does not take it while the leases lapse), and no packet
#      is lost.
#
# Usage: ha.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: ha.sh BUILD_DIR}" && pwd)
P=vrha$$
WORK=$(mktemp -d /tmp/voxrelay-ha.XXXXXX)
SOCK=$WORK/dp.sock
SOCK2=$WORK/dp2.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 97) % 20000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
DP2_PID=
CONTROL2_PID=
trap 'stop "$CONTROL2_PID"; stop "$DP2_PID"; for p in "${SIDE_PIDS[@]}"; do stop "$p"; done; cleanup' EXIT

PPS=50
LEASE=600
RPORT2=$((RPORT + 1))
SPORT=$((RPORT + 2))   # three Sentinels: SPORT, SPORT + 1, SPORT + 2
MASTER=vrha
SIDE_PIDS=()

ctl2() { "$CTL" -s "$SOCK2" "$@"; }
listed2() { ctl2 list | grep -q "^$1 "; }
active_on() { # SOCKET: the active addresses its dataplane reports
	"$CTL" -s "$1" --json health | sed -n 's/.*"addrs_active":\[\([^]]*\)\].*/\1/p' | tr -d '"'
}
holder() { rcli GET voxrelay:lease:$RELAY | cut -d' ' -f1; }
SENTINELS="127.0.0.1:$SPORT,127.0.0.1:$((SPORT + 1)),127.0.0.1:$((SPORT + 2))"
start_a() {
	DP_ARGS=--standby start_dp
	"$CONTROL" --sentinel "$SENTINELS" --master $MASTER --ctl "$SOCK" --shm "/$P" --interval 500 \
		--metrics off --resync 5 --host a --own $RELAY --lease-ms $LEASE \
		>>"$WORK/control.log" 2>&1 &
	CONTROL_PID=$!
}
start_b() {
	# shellcheck disable=SC2046
	ip netns exec "$P-pbx2" "$DP" -l 0,1 $(vr_eal_mem | sed "s/--file-prefix $P/--file-prefix ${P}b/") \
		--no-pci --vdev=net_af_packet1,iface=dp0 -- --addr "$RELAY" --prefix 24 \
		--gateway 198.51.100.1 --ports 20000-20999 --ctl "$SOCK2" --shm "/${P}b" \
		--max-calls 1024 --standby >>"$WORK/dp2.log" 2>&1 &
	DP2_PID=$!
	wait_for 15 sh -c "'$CTL' -s '$SOCK2' --json health | grep -q '\"gateway_resolved\":true'" ||
		fail "host b's voxrelay-dp did not come up"
	"$CONTROL" --sentinel "$SENTINELS" --master $MASTER --ctl "$SOCK2" --shm "/${P}b" --interval 500 \
		--metrics off --resync 5 --host b --own none --takeover --lease-ms $LEASE \
		>>"$WORK/control2.log" 2>&1 &
	CONTROL2_PID=$!
}
# talk_clean NAME COUNT WHEN: the phones of talk NAME got all COUNT packets,
# none twice, or the test fails saying WHEN.
talk_clean() {
	local s j
	for s in ph1 ph2; do
		j=$(cat "$WORK/$1-$s.json")
		[ "$(num "$j" dup)" = 0 ] && [ "$(num "$j" gap_loss)" = 0 ] &&
			[ "$(num "$j" last_seq)" = $(($2 - 1)) ] || fail "$s, $3: $j"
	done
}
# talk COUNT NAME: the two phones on c1, COUNT packets each at PPS; PIDs in TALK.
talk() {
	local phone=$BUILD/tests/vr_phone
	TALK=()
	x ph1 "$phone" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
		--tag PH1 --expect-tag PH2 --count "$1" --pps $PPS --ssrc 0x101 >"$WORK/$2-ph1.json" &
	TALK+=($!)
	x ph2 "$phone" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
		--tag PH2 --expect-tag PH1 --count "$1" --pps $PPS --ssrc 0x102 >"$WORK/$2-ph2.json" &
	TALK+=($!)
}

vr_topo_up
vr_topo_relay2
vr_topo_sbc_site sbc1 1
redis_at "$RPORT"
REDIS_PID=$LAST_PID
redis_at "$RPORT2" --replicaof 127.0.0.1 "$RPORT"
SIDE_PIDS+=($LAST_PID)
for i in 0 1 2; do sentinel_at $((SPORT + i)); done
estate_records rcli
start_a
wait_for 5 listed c1 || fail "host a did not bind c1"
wait_for 5 sh -c "[ \"\$(redis-cli -p $RPORT GET voxrelay:lease:$RELAY | cut -d' ' -f1)\" = a ]" ||
	fail "host a does not hold the lease: '$(rcli GET voxrelay:lease:$RELAY)'"
[ "$(active_on "$SOCK")" = "$RELAY" ] || fail "host a's dataplane does not have $RELAY active"
start_b
sleep 2
listed2 c1 && fail "host b bound c1 while a holds its address"
[ -z "$(active_on "$SOCK2")" ] || fail "host b's dataplane has $(active_on "$SOCK2") active"
[ "$(rcli HGET voxrelay:stats:host:b state)" = standby ] ||
	fail "stats:host:b's state is '$(rcli HGET voxrelay:stats:host:b state)', not standby"
rcli HGET voxrelay:stats:host:b others | grep -q "$RELAY=a " ||
	fail "stats:host:b does not say a holds $RELAY: '$(rcli HGET voxrelay:stats:host:b others)'"

echo "1. host a killed"
estate_talk 1000 $PPS
sleep 5
t0=$(date +%s%3N)
kill -9 "$DP_PID" "$CONTROL_PID"
wait "$DP_PID" "$CONTROL_PID" 2>/dev/null || true
DP_PID= CONTROL_PID=
wait_for 10 listed2 c1 || fail "host b did not take c1 over"
wait_for 5 listed2 t1 || fail "host b did not take t1 (through the SBC's tunnel) over"
t1=$(date +%s%3N)
[ "$(active_on "$SOCK2")" = "$RELAY" ] || fail "host b's dataplane does not have $RELAY active"
[ "$(holder)" = b ] || fail "the lease is '$(rcli GET voxrelay:lease:$RELAY)', not b's"
wait_for 3 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:stats:summary owners)\" = $RELAY=b ]" ||
	fail "the summary says the owners are '$(rcli HGET voxrelay:stats:summary owners)'"
wait_for 3 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:stats:host:b state)\" = relaying ]" ||
	fail "stats:host:b's state is '$(rcli HGET voxrelay:stats:host:b state)', not relaying"
wait_for 3 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:host:b:stats:summary calls)\" = 2 ]" ||
	fail "host b's own summary says '$(rcli HGET voxrelay:host:b:stats:summary calls)' calls"
grep -q "address $RELAY: lease taken by host b" "$WORK/control2.log" || fail "b's log does not say it took the lease"
grep -q "latches recorded by the previous holder: 2 of 2 calls" "$WORK/control2.log" ||
	fail "host b did not restore c1's latches from what a recorded"
wait "${EST_PIDS[@]}" || fail "a phone or the SBC emulator failed: $(cat "$WORK/sbc.err")"
for s in ph1 ph2 ph1b; do
	j=$(cat "$WORK/$s.json")
	echo "$s: $j"
	[ "$(num "$j" foreign)" = 0 ] && [ "$(num "$j" bad_tag)" = 0 ] && [ "$(num "$j" dup)" = 0 ] ||
		fail "$s got packets it should not have: $j"
	[ "$(num "$j" last_seq)" = 999 ] || fail "$s's audio did not resume after the takeover: $j"
	lost=$(num "$j" gap_loss)
	# Under 2 s of audio lost (the target); the lease sets most of it.
	[ "$lost" -lt $((2 * PPS)) ] || fail "$s lost $lost packets ($((lost * 1000 / PPS)) ms) over the takeover"
	echo "$s: $lost packets lost over the takeover, $((lost * 1000 / PPS)) ms of audio"
done
j=$(cat "$WORK/sbc.json")
echo "sbc: $j"
[ "$(num "$j" last_seq 12)" = 999 ] || fail "the SBC's channel 12 did not resume after the takeover: $j"
[ "$(num "$j" bad_tag 12)" = 0 ] && [ "$(num "$j" dup 12)" = 0 ] || fail "the SBC got packets it should not have: $j"
lost=$(num "$j" gap_loss 12)
[ "$lost" -lt $((2 * PPS)) ] || fail "the SBC lost $lost packets over the takeover: $j"
echo "sbc channel 12: $lost packets lost over the takeover, $((lost * 1000 / PPS)) ms of audio;" \
	"the relay's tunnel epoch changed $(num "$j" epoch_changes) time(s)"
echo "c1 bound on b $((t1 - t0)) ms after the kill"

echo "2. host a back: it takes nothing"
start_a
sleep 3
listed c1 && fail "host a bound c1 though b holds its address"
[ -z "$(active_on "$SOCK")" ] || fail "host a's dataplane has $(active_on "$SOCK") active"
[ "$(holder)" = b ] || fail "host a took the lease back: '$(rcli GET voxrelay:lease:$RELAY)'"
talk 150 two
wait "${TALK[@]}" || fail "a phone failed"
talk_clean two 150 "both hosts up"

echo "3. host b frozen past its lease, then thawed: fenced"
kill -STOP "$CONTROL2_PID"
wait_for 10 listed c1 || { kill -CONT "$CONTROL2_PID"; fail "host a did not take its address back from the frozen b"; }
[ "$(holder)" = a ] || { kill -CONT "$CONTROL2_PID"; fail "the lease is not a's"; }
wait_for 5 sh -c "[ \"\$('$CTL' -s '$SOCK' --json health | sed -n 's/.*\"addrs_active\":\[\([^]]*\)\].*/\1/p' | tr -d '\"')\" = $RELAY ]" ||
	{ kill -CONT "$CONTROL2_PID"; fail "host a's dataplane does not have $RELAY active"; }
wait_for 5 sh -c "[ -z \"\$('$CTL' -s '$SOCK2' --json health | sed -n 's/.*\"addrs_active\":\[\([^]]*\)\].*/\1/p')\" ]" ||
	{ kill -CONT "$CONTROL2_PID"; fail "host b's dataplane did not yield $RELAY to a's announcement"; }
kill -CONT "$CONTROL2_PID"
wait_for 5 grep -q "address $RELAY: its lease is 'a [0-9]*' now, not ours (host b): fenced" "$WORK/control2.log" ||
	fail "host b's control does not say it was fenced"
wait_for 5 sh -c "! '$CTL' -s '$SOCK2' list | grep -q '^c1 '" || fail "host b kept c1 bound after it was fenced"
sleep 1
[ -z "$(active_on "$SOCK2")" ] || fail "host b made $RELAY active again after it was fenced"
[ "$(active_on "$SOCK")" = "$RELAY" ] || fail "host a lost $RELAY"
talk 150 three
wait "${TALK[@]}" || fail "a phone failed"
talk_clean three 150 "after b was fenced"
echo "4. the Redis primary killed while the phones talk"
wait_for 5 sh -c "[ \"\$(redis-cli -p $RPORT2 EXISTS voxrelay:lease:$RELAY)\" = 1 ]" ||
	fail "the replica does not have the lease"
talk 400 four
sleep 2
kill -9 "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
wait_for 15 sh -c "[ \"\$(redis-cli -p $SPORT SENTINEL get-master-addr-by-name $MASTER | tail -1)\" = $RPORT2 ]" ||
	fail "the sentinels did not promote the replica"
RPORT=$RPORT2
wait_for 10 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:host:a:stats:health redis_primary)\" = 127.0.0.1:$RPORT ]" ||
	fail "host a's control did not follow the new primary"
wait_for 10 sh -c "[ \"\$(redis-cli -p $RPORT HGET voxrelay:host:b:stats:health redis_primary)\" = 127.0.0.1:$RPORT ]" ||
	fail "host b's control did not follow the new primary"
wait "${TALK[@]}" || fail "a phone failed"
talk_clean four 400 "over the Redis failover"
[ "$(holder)" = a ] || fail "the lease moved over the Redis failover: '$(rcli GET voxrelay:lease:$RELAY)'"
listed c1 || fail "host a unbound c1 over the Redis failover"
[ "$(active_on "$SOCK")" = "$RELAY" ] || fail "host a lost $RELAY over the Redis failover"
[ -z "$(active_on "$SOCK2")" ] || fail "host b took $RELAY over the Redis failover"
echo "e2e ha: 4 passed, 0 failed"
