#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The control plane at scale, through the real path: N calls (default
# 100,000) written to a local redis-server with redis-cli --pipe, loaded by
# voxrelay-control into voxrelay-dp (on a net_null port: no traffic is sent
# anywhere), then the cost of publishing every call's stats each interval.
# Prints a table and name=value lines:
#   control_load_s        first start of control to N calls bound in the dataplane
#   publish_ms            one publication of N calls' stats, steady state (control's own
#                         measure); the calls are idle here: no traffic is generated
#   publish_over_interval publish_ms / interval (must stay under 1)
#   write_to_bound_ms     one more call written to Redis until the dataplane has it,
#                         N calls bound (polled with voxrelayctl: a few ms of resolution)
#   churn_delete_s        the N calls deleted in Redis (one pipeline) until the
#                         dataplane has none; no traffic (bench/run.sh step 8 has it)
#   churn_bind_s          N new calls written on the same ports until all are bound
#   churn_loop_busy_ms_max  the longest pass of the dataplane's main loop meanwhile,
#                         in its own CPU time (voxrelayctl health: loop_busy_recent_us)
#
# Usage: bench/control_scale.sh [N] [BUILD_DIR]
set -euo pipefail

N=${1:-100000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${2:-$ROOT/build}" && pwd)
case $N in ''|*[!0-9]*) echo "N must be a number, got '$N'" >&2; exit 2;; esac
[ "$N" -ge 1 ] && [ "$N" -le 400000 ] || { echo "N must be 1-400000" >&2; exit 2; }
P=vrbench$$
WORK=$(mktemp -d /tmp/voxrelay-bench.XXXXXX)
SOCK=$WORK/dp.sock
RPORT=$((30000 + $$ % 20000))
INTERVAL=1000
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$WORK" "/dev/shm/$P"
}
trap cleanup EXIT
rcli() { redis-cli -p "$RPORT" "$@"; }
ms() { date +%s%3N; }

# 10,000 calls per relay address (4 ports each in 20000-59999), and a spare
# address for the probe call written at the end.
NADDR=$(( (N + 9999) / 10000 ))
ADDRS=$(seq -s, -f "198.51.100.%g" 10 $((10 + NADDR)))

redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK" --save "" --daemonize no \
	>"$WORK/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done

MEM=(--in-memory)
[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ] || MEM=(--no-huge -m 2048 --file-prefix "$P")
"$BUILD/dataplane/voxrelay-dp" -l 0,1 "${MEM[@]}" --no-pci --vdev=net_null0 -- \
	--addr "$ADDRS" --prefix 24 --gateway 198.51.100.1 --ports 20000-59999 \
	--ctl "$SOCK" --shm "/$P" --max-calls "$((N + 1))" --mbufs 4096 >"$WORK/dp.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do "$BUILD/control/voxrelayctl" -s "$SOCK" health >/dev/null 2>&1 && break; sleep 0.1; done

echo "writing $N calls to redis ..."
awk -v n="$N" 'BEGIN {
	for (i = 0; i < n; i++) {
		a = 10 + int(i / 10000); p = 20000 + (i % 10000) * 4
		printf "HSET voxrelay:call:b%d a_endpoint 192.0.2.1 a_port %d a_addr 198.51.100.%d b_endpoint 192.0.2.2 b_port %d b_addr 198.51.100.%d\r\n", i, p, a, p + 2, a
	}
}' | rcli --pipe >/dev/null

t0=$(ms)
"$BUILD/control/voxrelay-control" --redis 127.0.0.1:"$RPORT" --ctl "$SOCK" --shm "/$P" \
	--interval $INTERVAL --resync 3600 --metrics off --idle-timeout 0 --final-timeout 0 \
	>"$WORK/control.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1200); do
	c=$("$BUILD/control/voxrelayctl" -s "$SOCK" --json health | sed -n 's/.*"calls":\([0-9]*\).*/\1/p')
	[ "$c" = "$N" ] && break
	sleep 0.05
done
t1=$(ms)
[ "$c" = "$N" ] || { tail "$WORK/control.log"; echo "only $c of $N calls bound" >&2; exit 1; }
# The first publication sends every field; later ones only what changed. Let
# several go by and read the last one's own measure.
sleep $((8 * INTERVAL / 1000))
pub=$(rcli HGET voxrelay:stats:summary publish_ms)
# One more call written while N are bound: time until the dataplane has it.
spare=198.51.100.$((10 + NADDR))
w0=$(ms)
rcli HSET voxrelay:call:probe a_endpoint 192.0.2.1 a_port 20000 a_addr "$spare" \
	b_endpoint 192.0.2.2 b_port 20002 b_addr "$spare" >/dev/null
for _ in $(seq 2000); do
	"$BUILD/control/voxrelayctl" -s "$SOCK" show probe >/dev/null 2>&1 && break
	sleep 0.005
done
w1=$(ms)
"$BUILD/control/voxrelayctl" -s "$SOCK" show probe >/dev/null ||
	{ rcli HGETALL voxrelay:status:call:probe; echo "the probe call was not bound" >&2; exit 1; }
rcli DEL voxrelay:call:probe >/dev/null

# Churn: every call deleted, then as many new ones bound, the dataplane's main
# loop sampled meanwhile.
bound() { "$BUILD/control/voxrelayctl" -s "$SOCK" --json health | sed -n 's/.*"calls":\([0-9]*\).*/\1/p'; }
wait_n() { for _ in $(seq 1200); do [ "$(bound)" = "$1" ] && return 0; sleep 0.05; done; return 1; }
wait_n "$N" || { echo "the probe call was not unbound" >&2; exit 1; }
(
	for _ in $(seq 3000); do
		"$BUILD/control/voxrelayctl" -s "$SOCK" --json health |
			sed -n 's/.*"loop_busy_recent_us":\([0-9]*\).*/\1/p'
		sleep 0.05
	done
) >"$WORK/busy.txt" 2>/dev/null &
SAMPLER=$!
PIDS+=($SAMPLER)
c0=$(ms)
"$ROOT/bench/provision.sh" --delete 0 "$N" -p "$RPORT"
wait_n 0 || { tail "$WORK/control.log"; echo "the calls were not all unbound" >&2; exit 1; }
c1=$(ms)
awk -v n="$N" 'BEGIN {
	for (i = 0; i < n; i++) {
		a = 10 + int(i / 10000); p = 20000 + (i % 10000) * 4
		printf "HSET voxrelay:call:n%d a_endpoint 192.0.2.1 a_port %d a_addr 198.51.100.%d b_endpoint 192.0.2.2 b_port %d b_addr 198.51.100.%d\r\n", i, p, a, p + 2, a
	}
}' | rcli --pipe >/dev/null
wait_n "$N" || { tail "$WORK/control.log"; echo "the new calls were not all bound" >&2; exit 1; }
c2=$(ms)
sleep 2.2
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
busy=$(sort -n "$WORK/busy.txt" | tail -1 | awk '{ printf "%.3f", $1 / 1000 }')
calls=$(rcli HGET voxrelay:stats:summary calls)
keys=$(rcli EVAL "return #redis.call('keys', 'voxrelay:stats:call:*')" 0)
load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
ratio=$(awk -v p="$pub" -v i="$INTERVAL" 'BEGIN { printf "%.3f", p / i }')
printf "%-36s %s\n" "calls" "$N" "load from redis into the dataplane" "${load_s} s" \
	"stats publication ($calls calls, $keys hashes)" "${pub} ms every ${INTERVAL} ms"
printf "%-36s %s\n" "one redis write to bound (N bound)" "$((w1 - w0)) ms"
echo "control_load_s=$load_s"
echo "write_to_bound_ms=$((w1 - w0))"
echo "publish_ms=$pub"
printf "%-36s %s\n" "churn: $N deleted, $N bound" "$(( c1 - c0 )) ms, $(( c2 - c1 )) ms" \
	"dataplane main loop, longest pass" "$busy ms of CPU"
echo "publish_over_interval=$ratio"
echo "churn_delete_s=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')"
echo "churn_bind_s=$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.2f", (b - a) / 1000 }')"
echo "churn_loop_busy_ms_max=$busy"
