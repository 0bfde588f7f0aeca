#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Smoke run of the bundled generator through the real path: a redis-server on
# loopback, voxrelay-control, voxrelay-dp on a net_memif port, and vr-gen on
# the other end of the memif link playing 200 calls at a fixed 20,000
# packets per second for 2 s, and five calls written to Redis meanwhile, each
# timed to its first relayed packet. Asserts no loss and nothing foreign after the
# warm-up, and that control published the rate it saw. Then the same calls
# with leg a behind an SBC's tunnel (vr-gen --tunnel, as bench/run.sh plays
# them): no loss either way, and a latency measured for the packets the
# relay decrypted (vr-gen once counted the tunnel's own packets, which carry
# no send time, into its percentiles, which then read as the 20 ms overflow
# bucket). Not a benchmark: the figures are bench/run.sh's.
#
# Usage: gen_smoke.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: gen_smoke.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CALLS=200
P=vrg$$
WORK=$(mktemp -d /tmp/voxrelay-gen.XXXXXX)
RPORT=$((20000 + ($$ + 7) % 20000))
PIDS=()
fail() { echo "FAIL: $*"; tail -20 "$WORK"/*.log; exit 1; }
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$WORK" "/dev/shm/$P"
}
trap cleanup EXIT
rcli() { redis-cli -p "$RPORT" "$@"; }
if [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ]; then
	DP_MEM=(--in-memory); GEN_MEM=(--in-memory)
else
	DP_MEM=(--no-huge -m 512 --file-prefix "$P-dp"); GEN_MEM=(--no-huge -m 256 --file-prefix "$P-gen")
fi

redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK" --save "" --daemonize no \
	>"$WORK/redis.log" 2>&1 &
PIDS+=($!)
"$BUILD/dataplane/voxrelay-dp" -l 0,1 "${DP_MEM[@]}" --no-pci \
	--vdev="net_memif0,role=server,socket=$WORK/memif.sock" --log-level '*:warning' -- \
	--addr 198.51.100.10,198.51.100.11 --prefix 24 --gateway 198.51.100.1 --ports 20000-29999 \
	--ctl "$WORK/dp.sock" --shm "/$P" --max-calls 1024 >"$WORK/dp.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do rcli ping >/dev/null 2>&1 && [ -S "$WORK/dp.sock" ] && break; sleep 0.1; done
"$BUILD/control/voxrelay-control" --redis 127.0.0.1:"$RPORT" --ctl "$WORK/dp.sock" --shm "/$P" \
	--interval 500 --metrics 127.0.0.1:$((RPORT + 10000)) >"$WORK/control.log" 2>&1 &
PIDS+=($!)

# The generator's layout (bench/gen_stream.h), written as a PBX would.
"$SRC/bench/provision.sh" --name g 0 $CALLS -p "$RPORT"
for _ in $(seq 100); do
	[ "$("$BUILD/control/voxrelayctl" -s "$WORK/dp.sock" --json health |
		sed -n 's/.*"calls":\([0-9]*\).*/\1/p')" = $CALLS ] && break
	sleep 0.1
done
"$BUILD/control/voxrelayctl" -s "$WORK/dp.sock" health | grep -q "calls *$CALLS of" ||
	fail "calls not provisioned through redis"

out=$(timeout 60 "$BUILD/bench/vr-gen" -l 0 "${GEN_MEM[@]}" --no-pci \
	--vdev="net_memif0,role=client,socket=$WORK/memif.sock" --log-level '*:error' -- \
	--relay 198.51.100.10 --gw 198.51.100.1 --calls $CALLS --rate 20000 --warmup 0.5 \
	--duration 2 --probes 5 --probe-addr 198.51.100.11 --redis 127.0.0.1:"$RPORT" \
	2>"$WORK/gen.log") || fail "vr-gen failed"
echo "$out"
probe=$(echo "$out" | grep '"probes"') || fail "no probe report"
out=$(echo "$out" | head -1)
num() { echo "$out" | sed -n "s/.*\"$1\":\\([0-9.]*\\).*/\\1/p"; }
[ "$(num sent)" -ge 30000 ] || fail "sent only $(num sent)"
[ "$(num received)" = "$(num sent)" ] || fail "received $(num received) of $(num sent)"
[ "$(num foreign)" = 0 ] || fail "foreign packets came back"
[ "$(num reordered)" = 0 ] || fail "reordered packets"
# Five calls written to Redis during the run, each timed to its first relayed packet.
pnum() { echo "$probe" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
[ "$(pnum probe_done)" = 5 ] && [ "$(pnum probe_failed)" = 0 ] ||
	fail "probe calls: $probe"
[ -z "$(rcli KEYS 'voxrelay:call:vrprobe*')" ] || fail "probe calls left in redis"
sleep 1.2
pps=$(rcli HGET voxrelay:stats:summary pps)
echo "control published: calls=$(rcli HGET voxrelay:stats:summary calls) pps=$pps (last interval)"
[ "$(rcli HGET voxrelay:stats:summary calls)" = $CALLS ] || fail "summary calls"
[ "$(rcli HGET voxrelay:stats:summary fwd_pkts)" -ge "$(num sent)" ] || fail "fwd_pkts below sent"

# The tunnel: the plain calls go, the same calls come back with leg a as
# channel i + 1 of SBC 1's tunnel.
bound() { "$BUILD/control/voxrelayctl" -s "$WORK/dp.sock" --json health |
	sed -n 's/.*"calls":\([0-9]*\).*/\1/p'; }
rcli KEYS 'voxrelay:call:g*' | xargs redis-cli -p "$RPORT" DEL >/dev/null
for _ in $(seq 100); do [ "$(bound)" = 0 ] && break; sleep 0.1; done
[ "$(bound)" = 0 ] || fail "plain calls not removed: $(bound) left"
KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
"$SRC/bench/provision.sh" --name t --tunnel "AES_CM_128_HMAC_SHA1_80:$KEY" 0 $CALLS -p "$RPORT"
for _ in $(seq 100); do [ "$(bound)" = $CALLS ] && break; sleep 0.1; done
[ "$(bound)" = $CALLS ] || fail "tunnel calls not provisioned: $(bound) of $CALLS"
# The dataplane's epoch, which with each call's a_epoch keys its leg.
EPOCH=$("$BUILD/control/voxrelayctl" -s "$WORK/dp.sock" --json health |
	sed -n 's/.*"tunnel_epoch":"\([0-9a-f]*\)".*/\1/p')
[ -n "$EPOCH" ] || fail "voxrelayctl health gives no tunnel_epoch"
out=$(timeout 60 "$BUILD/bench/vr-gen" -l 0 "${GEN_MEM[@]}" --no-pci \
	--vdev="net_memif0,role=client,socket=$WORK/memif.sock" --log-level '*:error' -- \
	--relay 198.51.100.10 --gw 198.51.100.1 --calls $CALLS --rate 20000 --warmup 0.5 \
	--duration 2 --tunnel "AES_CM_128_HMAC_SHA1_80:$KEY" --tunnel-epoch "$EPOCH" \
	2>>"$WORK/gen.log") ||
	fail "vr-gen --tunnel failed"
echo "$out"
out=$(echo "$out" | head -1)
[ "$(num sent)" -ge 30000 ] || fail "tunnel: sent only $(num sent)"
[ "$(num received)" = "$(num sent)" ] || fail "tunnel: received $(num received) of $(num sent)"
[ "$(num foreign)" = 0 ] || fail "tunnel: foreign packets came back"
[ "$(num via_tunnel)" -gt 0 ] || fail "tunnel: nothing came back through the tunnel"
# Half of what comes back carries a send time; at 20,000 packets a second
# the relay answers in well under the histogram's 20,000 us overflow bucket.
[ "$(num lat_us_p99)" -lt 20000 ] || fail "tunnel: latency p99 $(num lat_us_p99) us (overflow bucket)"

# As bench/run.sh's overload step plays them: after the warm-up only leg b
# (the phones) sends, in whole bursts, and everything comes back through
# the tunnel. A new dataplane, so a new epoch: the generator's streams start
# again at the same sequence numbers, which the relay refuses to encrypt
# twice under one key.
kill "${PIDS[1]}"; wait "${PIDS[1]}" 2>/dev/null || true
rm -f "$WORK/memif.sock" "$WORK/dp.sock"
"$BUILD/dataplane/voxrelay-dp" -l 0,1 "${DP_MEM[@]}" --no-pci \
	--vdev="net_memif0,role=server,socket=$WORK/memif.sock" --log-level '*:warning' -- \
	--addr 198.51.100.10,198.51.100.11 --prefix 24 --gateway 198.51.100.1 --ports 20000-29999 \
	--ctl "$WORK/dp.sock" --shm "/$P" --max-calls 1024 >>"$WORK/dp.log" 2>&1 &
PIDS[1]=$!
for _ in $(seq 150); do [ "$(bound 2>/dev/null)" = $CALLS ] && break; sleep 0.1; done
[ "$(bound)" = $CALLS ] || fail "the new dataplane has $(bound) of $CALLS calls"
EPOCH2=$("$BUILD/control/voxrelayctl" -s "$WORK/dp.sock" --json health |
	sed -n 's/.*"tunnel_epoch":"\([0-9a-f]*\)".*/\1/p')
[ "$EPOCH2" != "$EPOCH" ] || fail "the new dataplane kept the epoch $EPOCH"
out=$(timeout 60 "$BUILD/bench/vr-gen" -l 0 "${GEN_MEM[@]}" --no-pci \
	--vdev="net_memif0,role=client,socket=$WORK/memif.sock" --log-level '*:error' -- \
	--relay 198.51.100.10 --gw 198.51.100.1 --calls $CALLS --rate 20000 --warmup 0.5 \
	--duration 2 --tunnel "AES_CM_128_HMAC_SHA1_80:$KEY" --tunnel-epoch "$EPOCH2" \
	--legs b --full-bursts 2>>"$WORK/gen.log") ||
	fail "vr-gen --legs b failed"
echo "$out"
out=$(echo "$out" | head -1)
[ "$(num sent)" -ge 30000 ] || fail "legs b: sent only $(num sent)"
[ "$(num offered_pps)" = "$(num tx_pps)" ] || fail "legs b: the link refused packets at 20,000 a second"
[ "$(num received)" = "$(num sent)" ] || fail "legs b: received $(num received) of $(num sent)"
[ "$(num foreign)" = 0 ] || fail "legs b: foreign packets came back"
# Only the tunnel's packets after the warm-up: none carries a send time.
[ "$(num timed)" = 0 ] || fail "legs b: $(num timed) plain packets came back"
echo "e2e gen_smoke: 3 passed, 0 failed"
