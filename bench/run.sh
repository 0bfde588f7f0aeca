#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# voxrelay's benchmark, one command, on this machine's cores. The relay
# (voxrelay-dp) and the bundled generator (vr-gen) are linked by net_memif;
# every call is provisioned through the product's real path: written to a
# local redis-server, loaded by voxrelay-control, bound in the dataplane.
#
#   1. the ceiling: dpdk-testpmd io-forwarding on the same memif link, same
#      frame size, same cores, the generator playing the same streams;
#   2. the plain relay at 1,000 / 100,000 / 200,000 / 1,000,000 flows (an
#      RTP flow is one leg of a call: a call is two; 10,000 calls per relay
#      address, so a million flows use 50 addresses), each next to its ceiling;
#   3. a fixed-rate run at 90% of the relay's maximum with 100,000 active
#      calls and their stats published: loss and latency, while ...
#   4. ... the control path is probed: a new call written to Redis, timed to
#      its first relayed packet (p50, p99); and bench/control_scale.sh: the
#      time to load 100,000 calls from Redis into a fresh dataplane;
#   5. the cost of publishing 100,000 active calls' stats every second: the
#      relay with voxrelay-control publishing and with --interval 0, in turns
#      (steps 1-2 run with --interval 0: control follows Redis, publishes no
#      stats), and the CPU that control and Redis use for it; and the
#      relay's cycles per packet with Prometheus scraping /metrics every
#      second over those without (scrape_cost_cycles_pct=, --interval 0);
#   6. SBC tunnel termination, both SRTP suites and both engines: 1,000 calls
#      whose leg a is a channel of one SBC's tunnel, per lcore (vr-tun-bench:
#      the worker's code at full bursts on a ring port) and over the memif
#      link (vr-gen --tunnel, the _memif figures), against raw libsrtp
#      (vr-srtp-bench) with as many sessions (srtp_over_libsrtp=) and
#      dpdk-test-crypto-perf on the same device (cryptodev_over_cryptoperf=),
#      and the engines against each other (cryptodev_over_libsrtp=), and
#      against its own limit (tunnel_over_limit_*=: the plain relay's
#      cycles per packet plus crypto-perf's per operation, over the
#      tunnel's; per lcore always, over the link when the 1,000-flow relay
#      row ran); and the
#      cryptodev engine over the link at 90% of the rate it reached there:
#      loss and latency through the tunnel (tunnel_fixed_*);
#   7. overload: the phones' plain RTP that the relay encrypts into the
#      tunnel, offered at 1x, 0.5x, 1.5x and 2x the relay's maximum and as
#      fast as the generator can, with each engine: overload_2x_over_max=
#      is what the relay forwards at 2x over what it forwards at 1x;
#   8. control changes at scale with traffic flowing (in the 200,000-flow
#      run): the 100,000 bound calls deleted in Redis, then 100,000 new ones
#      written on the same ports, while the generator plays at half the
#      relay's maximum: control_delete_s=, control_bind_s= (from the first
#      write to the dataplane having them all) and slowpath_pause_ms_max=,
#      the longest pass of the dataplane's main lcore (ARP, hellos, the
#      control socket) meanwhile, as voxrelayctl health reports it (and
#      slowpath_busy_ms_max=, the same in its own CPU time: on two cores
#      the host preempts it for control, Redis and the generator);
#   9. the relay's worker on its own, per lcore (vr-tun-bench --engine plain,
#      a ring port, no link, no generator) at 1,000 and 1,000,000 flows in
#      turns: lcore_cycles_per_pkt_*= and lcore_1m_over_1k=.
#
# Prints a table, then one name=value line per figure, and writes
# throughput.dat and throughput.png (gnuplot) to the output directory.
# Throughput figures are what the generator received back per second; the
# relay's own cost is its worker's busy_tsc over rx_pkts (cycles per packet),
# which does not depend on the generator keeping up.
#
# Usage: bench/run.sh [--quick] [--frame BYTES] [--flows LIST] [--tunnel-only]
#                     [--overload-only] [--relay-only] [--build DIR] [--out DIR]
#   --quick   shorter runs (under two minutes), same steps and flow counts
#   --tunnel-only  steps 6 and 7 alone (about two minutes with --quick)
#   --overload-only  step 7 alone (about a minute with --quick)
#   --relay-only  steps 1-5, 8 and 9: not the tunnel (6) nor the overload (7)
#   --flows   flow counts to run (default 1000,100000,200000,1000000); steps
#             3-5 run at 200000, the control-plane step only with the default
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
OUT=
FLOW_LIST=
QUICK=0
TUNNEL_ONLY=0
OVERLOAD_ONLY=0
RELAY_ONLY=0
FRAME=214
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--frame) FRAME=${2:?--frame needs a size}; shift ;;
	--flows) FLOW_LIST=${2:?--flows needs a list}; shift ;;
	--tunnel-only) TUNNEL_ONLY=1 ;;
	--overload-only) OVERLOAD_ONLY=1 TUNNEL_ONLY=1 ;;
	--relay-only) RELAY_ONLY=1 ;;
	--build) BUILD=${2:?--build needs a directory}; shift ;;
	--out) OUT=${2:?--out needs a directory}; shift ;;
	-h|--help) sed -n '3,/^set -euo pipefail/{/^set/d;p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $FRAME in ''|*[!0-9]*) echo "run.sh: --frame: '$FRAME' is not a number" >&2; exit 2;; esac
[ "$FRAME" -ge 64 ] && [ "$FRAME" -le 1500 ] || { echo "run.sh: --frame: $FRAME is not in 64-1500" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (hugepages, DPDK)" >&2; exit 1; }

if [ $QUICK = 1 ]; then
	DUR=1.5; WARM=0.5; PAIRS=1; FIXED=3; PROBES=60; SCALE_CALLS=100000
else
	DUR=5; WARM=1; PAIRS=2; FIXED=10; PROBES=200; SCALE_CALLS=100000
fi
IFS=, read -r -a FLOWS <<<"${FLOW_LIST:-1000,100000,200000,1000000}"
for F in "${FLOWS[@]}"; do
	case $F in ''|*[!0-9]*) echo "run.sh: --flows: '$F' is not a number" >&2; exit 2;; esac
	[ "$F" -ge 2 ] && [ "$F" -le 1000000 ] && [ $((F % 2)) = 0 ] ||
		{ echo "run.sh: --flows: $F is not an even number in 2-1000000" >&2; exit 2; }
done
[ $TUNNEL_ONLY = 0 ] || FLOWS=()
MAX_CALLS=500000
NADDR=$((MAX_CALLS / 10000))
PROBE_ADDR=198.51.100.$((10 + NADDR))
ADDRS=$(seq -s, -f "198.51.100.%g" 10 $((10 + NADDR)))

for b in dataplane/voxrelay-dp control/voxrelay-control control/voxrelayctl bench/vr-gen; do
	if [ ! -x "$BUILD/$b" ]; then
		echo "run.sh: building in $BUILD"
		[ -d "$BUILD" ] || meson setup "$BUILD" "$ROOT" >/dev/null
		ninja -C "$BUILD" >/dev/null
		break
	fi
done
for c in dpdk-testpmd redis-server redis-cli gnuplot; do
	command -v $c >/dev/null || { echo "run.sh: $c is missing: run scripts/setup.sh" >&2; exit 1; }
done

# Hugepages: the dataplane with half a million calls and the generator with
# a million streams want about 2.5 GiB of 2 MiB pages.
want=1536
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt $want ]; then
	echo $want > /proc/sys/vm/nr_hugepages 2>/dev/null || true
fi
grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts ||
	{ mkdir -p /dev/hugepages; mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true; }
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "$free" -ge $want ] || { echo "run.sh: $free hugepages free, $want needed: free some memory" >&2; exit 1; }

WORK=$(mktemp -d /tmp/voxrelay-run.XXXXXX)
OUT=${OUT:-$WORK/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
P=vrrun$$
RPORT=$((30000 + $$ % 20000))
MPORT=$((RPORT + 1))
# Every memif server (testpmd, the dataplane) gets a socket of its own: a
# client still leaving the previous one cannot connect to the next, whose
# memif PMD (DPDK 22.11) may crash when a connection comes and goes while its
# worker polls.
MEMIF= MEMIF_N=0
new_memif() { MEMIF_N=$((MEMIF_N + 1)); MEMIF=$WORK/memif-$MEMIF_N.sock; }
SOCK=$WORK/dp.sock
REDIS_PID= CONTROL_PID= DP_PID= TP_PID=
stop_pid() {
	local p=$1
	[ -n "$p" ] || return 0
	kill "$p" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}
cleanup() {
	stop_pid "${SCRAPER_PID:-}"
	stop_pid "$TP_PID"; stop_pid "$DP_PID"; stop_pid "$CONTROL_PID"; stop_pid "$REDIS_PID"
	cp "$WORK"/*.log "$OUT"/ 2>/dev/null || true
	rm -f "/dev/shm/$P"
	[ "$OUT" = "$WORK/out" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rcli() { redis-cli -p "$RPORT" "$@"; }
ctl() { "$BUILD/control/voxrelayctl" -s "$SOCK" "$@"; }
ms() { date +%s%3N; }
jnum() { sed -n "s/.*\"$2\":\\([0-9.]*\\).*/\\1/p" <<<"$1" | head -1; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
say() { echo "run.sh: $*" >&2; }

EAL_GEN=(-l 0 --in-memory --no-pci --log-level '*:error' --file-prefix "$P-gen")
# Runs in a subshell (a command substitution, or a background job) that it
# replaces: a background job's $! is then timeout itself, which passes a TERM
# on to vr-gen.
gen() {
	exec timeout 120 "$BUILD/bench/vr-gen" "${EAL_GEN[@]}" \
		--vdev="net_memif0,role=client,socket=$MEMIF" -- --relay 198.51.100.10 \
		--gw 198.51.100.1 --frame "$FRAME" --warmup "$WARM" "$@" 2>>"$WORK/gen.log"
}

# Redis and voxrelay-control run on core 0 with the generator and the
# dataplane's main lcore: the worker's core 1 is left to it, as worker cores
# are isolated on a production host. They run at a higher priority than the
# generator's busy polling, so that they get the CPU as soon as they wake up,
# as they would on a host where they do not share a core with a poller.
# Calls sit bound without media between runs: no idle or final timeout.
start_control() {
	nice -n -10 taskset -c 0 "$BUILD/control/voxrelay-control" --redis 127.0.0.1:"$RPORT" --ctl "$SOCK" --shm "/$P" \
		--interval "$1" --resync 3600 --metrics 127.0.0.1:"$MPORT" --idle-timeout 0 --final-timeout 0 \
		>>"$WORK/control.log" 2>&1 &
	CONTROL_PID=$!
}

# One GET /metrics from voxrelay-control (bash's /dev/tcp), and the
# scraper: one a second, as Prometheus does, 600 at most.
scrape_once() {
	exec 3<>"/dev/tcp/127.0.0.1/$MPORT" || return 1
	printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
	cat <&3
	exec 3<&-
}
scraper() {
	local n
	for n in $(seq 600); do
		scrape_once >/dev/null 2>&1 || true
		sleep 1
	done
}
SCRAPER_PID=

# Calls [from, to) of the generator's layout, written to Redis.
provision() { "$ROOT/bench/provision.sh" "$1" "$2" -p "$RPORT"; }

bound() { ctl --json health 2>/dev/null | sed -n 's/.*"calls":\([0-9]*\).*/\1/p'; }
wait_bound() {
	local n=$1 c=
	BOUND_N=$n
	for _ in $(seq 1200); do
		c=$(bound)
		[ "$c" = "$n" ] && return 0
		sleep 0.05
	done
	say "only ${c:-0} of $n calls bound"; tail -5 "$WORK/control.log" >&2
	return 1
}

DP_ARGS=() BOUND_N=0
start_dp() {
	DP_ARGS=("$@")
	new_memif
	"$BUILD/dataplane/voxrelay-dp" -l 0,1 --in-memory --no-pci --file-prefix "$P-dp" \
		--log-level '*:warning' --vdev="net_memif0,role=server,socket=$MEMIF" -- \
		--addr "$ADDRS" --prefix 24 --gateway 198.51.100.1 --ports 20000-59999 \
		--ctl "$SOCK" --shm "/$P" --max-calls $((MAX_CALLS + 16)) --idle-timeout 5000 "$@" \
		>>"$WORK/dp.log" 2>&1 &
	DP_PID=$!
	for _ in $(seq 200); do ctl health >/dev/null 2>&1 && return 0; sleep 0.05; done
	say "voxrelay-dp did not start"; tail -5 "$WORK/dp.log" >&2
	return 1
}
stop_dp() { stop_pid "$DP_PID"; DP_PID=; rm -f "$MEMIF"; }
# DPDK 22.11's memif PMD can crash the process whose peer leaves: its control
# thread unmaps the rings while the worker is in rx_burst (seen in about one
# quick run in three, when vr-gen exits). The relay's counters are read while
# vr-gen still lingers connected, and a dataplane that did not survive its
# leaving is started again, with its calls, before the next run.
revive_dp() {
	[ -n "$DP_PID" ] || return 0
	kill -0 "$DP_PID" 2>/dev/null && return 0
	say "voxrelay-dp did not survive vr-gen leaving (DPDK 22.11 memif): starting it again"
	wait "$DP_PID" 2>/dev/null || true
	rm -f "$MEMIF"
	start_dp "${DP_ARGS[@]}"
	wait_bound "$BOUND_N"
}

TP_N=0
# dpdk-testpmd 22.11 crashes in its teardown after a memif run ("Bye...",
# then SIGSEGV): it runs in a subshell whose own report of that goes to the
# log, not to the table; TP_PID is testpmd itself.
start_testpmd() {
	new_memif
	TP_N=$((TP_N + 1))
	local log=$WORK/testpmd-$TP_N.log
	(
		dpdk-testpmd -l 0,1 --in-memory --no-pci --file-prefix "$P-tp" --log-level '*:error' \
			--vdev="net_memif0,role=server,socket=$MEMIF" -- --forward-mode=io --auto-start \
			--nb-cores=1 --txd=2048 --rxd=2048 --stats-period=10 </dev/null >"$log" 2>&1 &
		echo $! >"$log.pid"
		wait $! || echo "dpdk-testpmd exited with status $?" >>"$log"
	) 2>>"$log" &
	for _ in $(seq 100); do [ -s "$log.pid" ] && break; sleep 0.02; done
	TP_PID=$(cat "$log.pid")
	for _ in $(seq 200); do
		grep -qs "packet forwarding - ports" "$log" && return 0
		sleep 0.05
	done
	say "dpdk-testpmd did not start"; tail -5 "$log" >&2
	return 1
}
stop_testpmd() { stop_pid "$TP_PID"; TP_PID=; rm -f "$MEMIF"; }

# CPU time (ms) used so far by a process.
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1000 / t }' "/proc/$1/stat"; }
# The relay worker's counters, for cycles per packet over one run.
worker() { ctl --json stats | sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p"; }
HZ=
# relay_run NAME GEN_ARGS...: one generator run against the dataplane; sets R_*.
relay_run() {
	local name=$1 b0 p0 b1 p1 out gpid k
	shift
	revive_dp
	b0=$(worker busy_tsc); p0=$(worker rx_pkts)
	# Emptied here, not only by the job's redirection, which may come after
	# the first look below.
	: >"$WORK/gen.out"
	gen --linger 30 "$@" >"$WORK/gen.out" &
	gpid=$!
	for k in $(seq 2400); do
		grep -qs '^{"linger"' "$WORK/gen.out" && break
		kill -0 $gpid 2>/dev/null || break
		sleep 0.05
	done
	b1=$(worker busy_tsc); p1=$(worker rx_pkts)
	kill -TERM $gpid 2>/dev/null || true
	wait $gpid || { say "vr-gen failed in $name (status $?)"; tail -5 "$WORK/gen.log" >&2; return 1; }
	out=$(grep -v '^{"linger"' "$WORK/gen.out")
	R_OUT=$out
	R_PPS=$(jnum "$out" rx_pps)
	R_CPP=$(calc "%.0f" "($b1 - $b0) / (($p1 - $p0) > 0 ? ($p1 - $p0) : 1)")
	echo "$name {\"relay_cycles_per_pkt\":$R_CPP,\"relay_rx_pkts\":$((p1 - p0))} $out" >>"$OUT/runs.jsonl"
	R_CAP=$(calc "%.3f" "$HZ / ($R_CPP > 0 ? $R_CPP : 1) / 1e6")
}
ceiling_run() {
	local name=$1 out
	shift
	start_testpmd
	out=$(gen --loopback "$@") || { say "vr-gen failed in $name"; tail -5 "$WORK/gen.log" >&2; return 1; }
	stop_testpmd
	echo "$name $out" >>"$OUT/runs.jsonl"
	C_PPS=$(jnum "$out" rx_pps)
}

mpps() { calc "%.3f" "$1 / 1e6"; }
TABLE=()
TUN_LINES=()
row() { TABLE+=("$(printf '%-34s %9s %7s %8s %9s %7s %7s %7s' "$@")"); }
KV=()
kv() { KV+=("$1=$2"); }

: >"$OUT/runs.jsonl"
: >"$OUT/throughput.dat"
echo "# flows relay_mpps ceiling_mpps relay_capacity_mpps" >>"$OUT/throughput.dat"
T0=$(ms)
say "work dir $WORK, results in $OUT; frame $FRAME bytes, $DUR s per run"
nice -n -10 taskset -c 0 redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$WORK" --save "" --appendonly no \
	--daemonize no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 50); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
# Steps 1-2 measure the relay alone: control follows Redis but publishes no
# stats (--interval 0); step 5 measures what publishing costs.
# churn CALLS RATE: step 8. Deletes calls b0.. in Redis, then writes as
# many as n0.. on the same ports, with the generator playing b0..'s streams
# (the n calls' too: same ports and phones) at RATE; sets CHURN_*.
churn() {
	local c=$1 rate=$2 gpid spid t0 t1 t2
	revive_dp
	: >"$WORK/churn-gen.out"
	gen --rate "$rate" --calls "$c" --duration 40 --linger 0 >"$WORK/churn-gen.out" &
	gpid=$!
	sleep "$(calc %.1f "$WARM + 1")"
	# The main lcore's longest pass over the last one to two seconds, 20 times a second.
	(
		for _ in $(seq 1200); do
			h=$(ctl --json health) || continue
			echo "$(sed -n 's/.*"loop_pause_recent_us":\([0-9]*\).*/\1/p' <<<"$h")" \
				"$(sed -n 's/.*"loop_busy_recent_us":\([0-9]*\).*/\1/p' <<<"$h")"
			sleep 0.05
		done
	) >"$WORK/churn-pause.txt" 2>/dev/null &
	spid=$!
	t0=$(ms)
	"$ROOT/bench/provision.sh" --delete 0 "$c" -p "$RPORT"
	wait_bound 0 || return 1
	t1=$(ms)
	"$ROOT/bench/provision.sh" --name n 0 "$c" -p "$RPORT" >/dev/null
	wait_bound "$c" || return 1
	t2=$(ms)
	sleep 2.5 # a last sample that covers the end
	stop_pid "$spid"
	CHURN_DEL_S=$(calc %.3f "($t1 - $t0) / 1000")
	CHURN_BIND_S=$(calc %.3f "($t2 - $t1) / 1000")
	CHURN_PAUSE_MS=$(sort -n "$WORK/churn-pause.txt" | tail -1 | awk '{ printf "%.3f", $1 / 1000 }')
	CHURN_BUSY_MS=$(sort -n -k2 "$WORK/churn-pause.txt" | tail -1 | awk '{ printf "%.3f", $2 / 1000 }')
	CHURN_SAMPLES=$(wc -l <"$WORK/churn-pause.txt")
	# Back to the b calls for what follows.
	"$ROOT/bench/provision.sh" --delete --name n 0 "$c" -p "$RPORT"
	wait_bound 0
	"$ROOT/bench/provision.sh" 0 "$c" -p "$RPORT" >/dev/null
	wait_bound "$c"
	stop_pid "$gpid"
}

start_control 0

have=0
for F in "${FLOWS[@]}"; do
	C=$((F / 2))
	say "$F flows ($C calls): ceiling"
	ceiling_run "ceiling_$F" --calls "$C" --rate 0 --duration "$DUR"
	[ $C -gt $have ] && { t=$(ms); provision $have $C; have=$C; say "$C calls in redis ($(( $(ms) - t )) ms)"; }
	start_dp
	[ -n "$HZ" ] || HZ=$(ctl --json health | sed -n 's/.*"tsc_hz":\([0-9]*\).*/\1/p')
	t=$(ms); wait_bound $C; say "$C calls programmed into the new dataplane in $(( $(ms) - t )) ms"
	relay_run "relay_$F" --calls "$C" --rate 0 --duration "$DUR"
	relay=$R_PPS ceil=$C_PPS
	loss=$(jnum "$R_OUT" loss_pct)
	row "relay, $F flows" "$(mpps "$relay")" "$R_CPP" "$R_CAP" "$(calc %.3f "$relay / $ceil")" "$loss" \
		"$(jnum "$R_OUT" lat_us_p50)" "$(jnum "$R_OUT" lat_us_p99)"
	row "  ceiling (testpmd io), same gen" "$(mpps "$ceil")" "" "" "1" "$(jnum "$(tail -2 "$OUT/runs.jsonl" | head -1)" loss_pct)" "" ""
	echo "$F $(mpps "$relay") $(mpps "$ceil") $R_CAP" >>"$OUT/throughput.dat"
	kv "relay_mpps_$F" "$(mpps "$relay")"
	kv "ceiling_mpps_$F" "$(mpps "$ceil")"
	kv "relay_cycles_per_pkt_$F" "$R_CPP"
	kv "relay_capacity_mpps_$F" "$R_CAP"
	eval "RELAY_$F=$relay CEIL_$F=$ceil CAP_$F=$R_CAP CPP_$F=$R_CPP"

	if [ "$F" = 200000 ]; then
		# 5. Publishing 100,000 active calls' stats every second, on and off in turns.
		pub_on=0 pub_off=0 cpp_on=0 cpp_off=0 cpp_scrape=0 scrape_ms=0
		pub_cpu=0 pub_wall=0
		for k in $(seq $PAIRS); do
			stop_pid "$CONTROL_PID"; start_control 1000
			sleep 1.5
			c0=$(( $(cpu_ms "$CONTROL_PID") + $(cpu_ms "$REDIS_PID") )); w0=$(ms)
			relay_run "publish_on_$k" --calls "$C" --rate 0 --duration "$DUR"
			pub_cpu=$((pub_cpu + $(cpu_ms "$CONTROL_PID") + $(cpu_ms "$REDIS_PID") - c0))
			pub_wall=$((pub_wall + $(ms) - w0))
			pub_on=$(calc %.0f "$pub_on + $R_PPS"); cpp_on=$(calc %.1f "$cpp_on + $R_CPP")
			stop_pid "$CONTROL_PID"; start_control 0
			sleep 1.5
			relay_run "publish_off_$k" --calls "$C" --rate 0 --duration "$DUR"
			pub_off=$(calc %.0f "$pub_off + $R_PPS"); cpp_off=$(calc %.1f "$cpp_off + $R_CPP")
			# The same with Prometheus's scrape of /metrics once a second
			# (control and the scraper on the generator's core, as Redis).
			scraper &
			SCRAPER_PID=$!
			taskset -p -c 0 "$SCRAPER_PID" >/dev/null
			relay_run "scrape_$k" --calls "$C" --rate 0 --duration "$DUR"
			stop_pid "$SCRAPER_PID"; SCRAPER_PID=
			cpp_scrape=$(calc %.1f "$cpp_scrape + $R_CPP")
			t=$(ms); scrape_once >/dev/null; scrape_ms=$((scrape_ms + $(ms) - t))
		done
		pub_cpu_pct=$(calc %.1f "100 * $pub_cpu / $pub_wall")
		pub_cost=$(calc %.2f "100 * (1 - $pub_on / $pub_off)")
		cpp_cost=$(calc %.2f "100 * ($cpp_on / $cpp_off - 1)")
		row "publishing on, 100000 calls" "$(mpps $((pub_on / PAIRS)))" "$(calc %.0f "$cpp_on / $PAIRS")" "" "" "" "" ""
		row "publishing off (--interval 0)" "$(mpps $((pub_off / PAIRS)))" "$(calc %.0f "$cpp_off / $PAIRS")" "" "" "" "" ""
		PUB_LINE="publishing 100000 active calls: control + redis use $pub_cpu_pct% of a core (on the generator's core here); relay cycles/pkt +$cpp_cost%, generator-bound Mpps -$pub_cost%"
		kv publish_cost_pct "$pub_cost"
		kv publish_cost_cycles_pct "$cpp_cost"
		kv publish_cpu_pct_of_a_core "$pub_cpu_pct"
		kv scrape_cost_cycles_pct "$(calc %.2f "100 * ($cpp_scrape / $cpp_off - 1)")"
		kv scrape_ms_100000_calls "$((scrape_ms / PAIRS))"
		row "  and /metrics scraped every 1 s" "" "$(calc %.0f "$cpp_scrape / $PAIRS")" "" "" "" "" ""
		SCRAPE_LINE="/metrics scraped every second ($C calls bound, $((scrape_ms / PAIRS)) ms a scrape): relay cycles/pkt $(calc %+.2f "100 * ($cpp_scrape / $cpp_off - 1)")% against none"

		# 3 and 4. Fixed rate at 90% of the maximum with publishing on, and
		# the control path probed while it publishes.
		stop_pid "$CONTROL_PID"; start_control 1000
		sleep 1.5
		rate=$(calc %.0f "0.9 * $pub_on / $PAIRS")
		relay_run fixed_rate --calls "$C" --rate "$rate" --duration "$FIXED" \
			--probes "$PROBES" --probe-addr "$PROBE_ADDR" --redis 127.0.0.1:"$RPORT"
		probe=$(grep -o '{"probes".*' <<<"$R_OUT")
		load=$(head -1 <<<"$R_OUT")
		row "fixed rate 90%, publishing on" "$(mpps "$(jnum "$load" rx_pps)")" "$R_CPP" "" "" \
			"$(jnum "$load" loss_pct)" "$(jnum "$load" lat_us_p50)" "$(jnum "$load" lat_us_p99)"
		kv fixed_rate_mpps_asked "$(mpps "$rate")"
		kv fixed_rate_mpps_sent "$(mpps "$(jnum "$load" tx_pps)")"
		kv fixed_rate_loss_pct "$(jnum "$load" loss_pct)"
		kv fixed_rate_lat_us_p50 "$(jnum "$load" lat_us_p50)"
		kv fixed_rate_lat_us_p99 "$(jnum "$load" lat_us_p99)"
		kv fixed_rate_lat_us_p999 "$(jnum "$load" lat_us_p999)"
		kv write_to_first_pkt_ms_p50 "$(jnum "$probe" probe_ms_p50)"
		kv write_to_first_pkt_ms_p99 "$(jnum "$probe" probe_ms_p99)"
		kv write_to_first_pkt_failed "$(jnum "$probe" probe_failed)"
		stop_pid "$CONTROL_PID"; start_control 0
		PROBE_LINE="redis write to first relayed packet: p50 $(jnum "$probe" probe_ms_p50) ms, p99 $(jnum "$probe" probe_ms_p99) ms, max $(jnum "$probe" probe_ms_max) ms ($(jnum "$probe" probe_done) of $PROBES; under 90% load, $C calls bound)"

		# 8. Control changes at scale, traffic flowing.
		say "control changes: $C calls deleted, $C bound, traffic at half the maximum"
		if churn "$C" "$(calc %.0f "0.5 * $pub_on / $PAIRS")"; then
			kv control_delete_s "$CHURN_DEL_S"
			kv control_bind_s "$CHURN_BIND_S"
			kv slowpath_pause_ms_max "$CHURN_PAUSE_MS"
			kv slowpath_busy_ms_max "$CHURN_BUSY_MS"
			CHURN_LINE="control changes with traffic: $C calls deleted in ${CHURN_DEL_S} s, $C bound in ${CHURN_BIND_S} s; the dataplane's main loop paused at most ${CHURN_PAUSE_MS} ms, ${CHURN_BUSY_MS} ms of its own CPU ($CHURN_SAMPLES samples)"
		fi
	fi
	stop_dp
done

# 9. The worker on its own at 1,000 and 1,000,000 flows, in turns, the best
# of each (a neighbour's burst only ever slows a run down).
if [ $TUNNEL_ONLY = 0 ]; then
	say "the relay's worker per lcore (vr-tun-bench --engine plain), 1000 and 1000000 flows"
	lc_1k=0 lc_1m=0
	for k in $(seq $((PAIRS + 1))); do
		for c in 500 500000; do
			out=$(timeout 600 "$BUILD/bench/vr-tun-bench" -l 1 --in-memory --no-pci \
				--file-prefix "$P-lc" --log-level '*:error' -- --engine plain --calls $c \
				--packets 6000000 2>>"$WORK/tun-bench.log") || { say "vr-tun-bench plain $c failed"; continue; }
			echo "lcore_plain_$c $out" >>"$OUT/runs.jsonl"
			cpp=$(jnum "$out" cycles_per_pkt)
			if [ $c = 500 ]; then
				awk "BEGIN { exit !($lc_1k == 0 || $cpp < $lc_1k) }" && lc_1k=$cpp
			else
				awk "BEGIN { exit !($lc_1m == 0 || $cpp < $lc_1m) }" && lc_1m=$cpp
			fi
		done
	done
	kv lcore_cycles_per_pkt_1000 "$lc_1k"
	kv lcore_cycles_per_pkt_1000000 "$lc_1m"
	[ "$lc_1m" = 0 ] || kv lcore_1m_over_1k "$(calc %.3f "$lc_1k / $lc_1m")"
	row "worker alone, 1000 flows" "" "$lc_1k" "" "" "" "" ""
	row "worker alone, 1000000 flows" "" "$lc_1m" "" "" "" "" ""
fi

# 6. SBC tunnel termination: leg a of every call is a channel of one SBC's
# tunnel, so the relay decrypts one direction and encrypts the other, with
# each SRTP engine and suite, per lcore and over the link. References, on
# the worker's core right after:
# raw libsrtp (vr-srtp-bench) with as many sessions as the relay holds (two
# per tunnel leg) and with one, and dpdk-test-crypto-perf on the same device,
# algorithm and buffer size.
TUN_CALLS=1000
# cryptoperf_once SUITE: the device's Mops for the suite's transform on 172-byte buffers.
cryptoperf_once() {
	local args
	case $1 in
	AES*) args="--optype cipher-then-auth --cipher-algo aes-ctr --cipher-op encrypt --cipher-key-sz 16 --cipher-iv-sz 16 --auth-algo sha1-hmac --auth-op generate --auth-key-sz 20 --digest-sz 10" ;;
	*) args="--optype aead --aead-algo aes-gcm --aead-op encrypt --aead-key-sz 16 --aead-iv-sz 12 --aead-aad-sz 12 --digest-sz 16" ;;
	esac
	# shellcheck disable=SC2086
	timeout 120 dpdk-test-crypto-perf -l 0,1 --in-memory --no-pci --file-prefix "$P-cp" \
		--log-level '*:error' --vdev crypto_aesni_mb -- --ptest throughput \
		--devtype crypto_aesni_mb $args --total-ops 2000000 --burst-sz 32 --buffer-sz 172 \
		2>>"$WORK/cryptoperf.log" | tee -a "$WORK/cryptoperf.log" |
		awk '$1 == 1 && $2 == 172 { print $8 }' | tail -1
}
# lcore_bench ENGINE SUITE PACKETS: vr-tun-bench, the dataplane's worker at
# full bursts on the worker's core, fed through a ring (no link, no generator).
lcore_bench() {
	local out
	out=$(timeout 300 "$BUILD/bench/vr-tun-bench" -l 1 --in-memory --no-pci --file-prefix "$P-tb" \
		--log-level '*:error' -- --engine "$1" --suite "$2" --calls $TUN_CALLS --packets "$3" \
		2>>"$WORK/tun-bench.log") || { say "vr-tun-bench $1 $2 failed: see tun-bench.log"; return 1; }
	echo "tun_bench_$1_$2 $out" >>"$OUT/runs.jsonl"
	echo "$out"
}
# cdev_vs_cryptoperf SUITE: the cryptodev engine per lcore and crypto-perf, in
# turns, five times each; each side's best run, as "ratio cycles Mops json"
# (the ratio of the best Mpps to the best Mops). On a shared host a
# neighbour's burst slows a run, never speeds it up: the best of several
# runs of each, taken in turns, is the closest to either side's own speed,
# where a single pair could have a burst on one side only.
cdev_vs_cryptoperf() {
	local k tb cp best_tb="" best_cp=0 ratio=0
	for k in 1 2 3 4 5; do
		tb=$(lcore_bench cryptodev "$1" 2000000) || return 1
		cp=$(cryptoperf_once "$1")
		[ -n "$cp" ] || { say "dpdk-test-crypto-perf gave no figure: see cryptoperf.log"; cp=0; }
		if [ -z "$best_tb" ] || awk "BEGIN { exit !($(jnum "$tb" mpps) > $(jnum "$best_tb" mpps)) }"; then
			best_tb=$tb
		fi
		if awk "BEGIN { exit !($cp > $best_cp) }"; then
			best_cp=$cp
		fi
	done
	[ "$best_cp" = 0 ] || ratio=$(calc %.3f "$(jnum "$best_tb" mpps) / $best_cp")
	echo "$ratio $(jnum "$best_tb" cycles_per_pkt) $best_cp $best_tb"
}
SUITES=(AES_CM_128_HMAC_SHA1_80 AEAD_AES_128_GCM)
[ $OVERLOAD_ONLY = 0 ] || SUITES=()
[ $RELAY_ONLY = 0 ] || SUITES=()
[ $OVERLOAD_ONLY = 1 ] || [ $RELAY_ONLY = 1 ] || say "tunnel termination per lcore (vr-tun-bench), plain reference"
[ $OVERLOAD_ONLY = 1 ] || [ $RELAY_ONLY = 1 ] || TB_PLAIN=$(for k in 1 2 3; do
	jnum "$(lcore_bench plain AES_CM_128_HMAC_SHA1_80 2000000)" cycles_per_pkt
done | sort -n | head -1)
[ $OVERLOAD_ONLY = 1 ] || [ $RELAY_ONLY = 1 ] || kv "tunnel_lcore_cycles_per_pkt_plain" "$TB_PLAIN"
# tunnel_run NAME ENGINE RATE SECONDS: the tunnel calls over memif, SBC
# suite and key $suite and $key, through a new dataplane with that SRTP
# engine (relay_run's R_* figures).
tunnel_run() {
	start_dp --srtp-engine "$2"
	[ -n "$HZ" ] || HZ=$(ctl --json health | sed -n 's/.*"tsc_hz":\([0-9]*\).*/\1/p')
	wait_bound $TUN_CALLS
	# This dataplane's epoch: with each call's a_epoch, the keys of its leg.
	local epoch
	epoch=$(ctl --json health | sed -n 's/.*"tunnel_epoch":"\([0-9a-f]*\)".*/\1/p')
	relay_run "$1" --calls $TUN_CALLS --rate "$3" --duration "$4" --warmup "$WARM" \
		--tunnel "$suite:$key" --tunnel-epoch "$epoch"
	stop_dp
}
# 7. Overload: the relay offered 1.5x and 2x its maximum. On this machine
# the generator cannot offer the plain relay twice its maximum (the relay
# runs at about 0.9 of the link's ceiling, which bounds the generator too),
# so overload is measured where one core's maximum is lowest: plain RTP
# from every tunnel call's leg b, which the relay encrypts into the SBC's
# tunnel (during the warm-up both legs send, so that the tunnel legs latch
# the SBC). The maximum is what the relay delivers when offered as much as
# the generator can send (many times what the relay can encrypt), confirmed
# by a run offered exactly that; then 0.5x, 1.5x and 2x of it. The link
# takes what the relay's receive ring has room for and the generator drops
# the rest, as a NIC drops what arrives while its ring is full: the relay
# should forward its maximum and spend nothing on the excess.
# overload_run NAME RATE: one run at RATE packets a second (0: as fast as
# the generator can); sets O_PPS (relayed), O_OFF (offered) and O_CPP.
overload_run() {
	local epoch
	# A new dataplane (a new tunnel epoch) for each run: the generator's
	# streams start again at the same SSRCs and sequence numbers, which the
	# relay refuses to encrypt a second time under one key.
	start_dp --srtp-engine "$engine"
	wait_bound $TUN_CALLS
	epoch=$(ctl --json health | sed -n 's/.*"tunnel_epoch":"\([0-9a-f]*\)".*/\1/p')
	relay_run "overload_${engine}_$1" --calls $TUN_CALLS --rate "$2" --full-bursts \
		--duration "$DUR" --warmup "$WARM" --tunnel "$suite:$key" --tunnel-epoch "$epoch" --legs b
	stop_dp
	O_PPS=$R_PPS O_OFF=$(jnum "$R_OUT" offered_pps) O_CPP=$R_CPP
	echo "$O_OFF $O_PPS" >>"$WORK/overload-$engine.runs"
}
# overload_sweep ENGINE: first the maximum: offered as fast as the generator
# can, then at 1, 1.25 and 1.5 times what that relayed; the maximum is the
# most any of these relayed. Then 0.5x the maximum once, and 1x, 1.5x and 2x
# in turns, $PAIRS + 1 rounds, each multiple's best run kept: a neighbour's
# burst on a shared host slows a run, never speeds it up, and taken in
# turns, in alternating order, a burst or a drift cannot favour one multiple.
overload_sweep() {
	local engine=$1 max full sfx= k r
	local -A best=() off=() cpp=()
	say "overload, SBC tunnel encrypting, $suite, SRTP engine $engine"
	: >"$WORK/overload-$engine.runs"
	overload_run full 0
	max=$O_PPS full=$O_OFF best[full]=$O_PPS off[full]=$O_OFF cpp[full]=$O_CPP
	local sat=$max
	for k in 1 1.25 1.5; do
		overload_run "find_$k" "$(calc %.0f "$k * $sat")"
		awk "BEGIN { exit !($O_PPS > $max) }" && max=$O_PPS
	done
	overload_run 0.5x "$(calc %.0f "0.5 * $max")"
	best[0.5]=$O_PPS off[0.5]=$O_OFF cpp[0.5]=$O_CPP
	for r in $(seq $((PAIRS + 1))); do
		# Forwards, then backwards: a host that grows busier during the
		# sweep cannot favour the multiple that always comes first.
		for k in $( ((r % 2)) && echo 1 1.5 2 || echo 2 1.5 1); do
			overload_run "${k}x" "$(calc %.0f "$k * $max")"
			if [ -z "${best[$k]:-}" ] || awk "BEGIN { exit !($O_PPS > ${best[$k]}) }"; then
				best[$k]=$O_PPS off[$k]=$O_OFF cpp[$k]=$O_CPP
			fi
		done
	done
	{
		echo "# $engine: offered_mpps relayed_mpps offered/1x relayed/1x, every run"
		awk -v m="${best[1]}" '{ printf "%.3f %.3f %.3f %.3f\n", $1 / 1e6, $2 / 1e6, $1 / m, $2 / m }' \
			"$WORK/overload-$engine.runs"
		printf '\n\n'
	} >>"$OUT/overload.dat"
	for k in 0.5 1 1.5 2 full; do
		row "overload $engine: $(mpps "${off[$k]}") offered" "$(mpps "${best[$k]}")" "${cpp[$k]}" \
			"" "" "" "" ""
	done
	[ "$engine" = cryptodev ] || sfx=_$engine
	kv "overload_max_mpps$sfx" "$(mpps "$max")"
	kv "overload_1x_mpps$sfx" "$(mpps "${best[1]}")"
	kv "overload_1_5x_over_max$sfx" "$(calc %.3f "${best[1.5]} / ${best[1]}")"
	kv "overload_2x_over_max$sfx" "$(calc %.3f "${best[2]} / ${best[1]}")"
	kv "overload_2x_cycles_over_1x$sfx" "$(calc %.3f "${cpp[2]} / ${cpp[1]}")"
	kv "overload_full_over_max$sfx" "$(calc %.3f "${best[full]} / ${best[1]}")"
	kv "overload_full_offered_over_max$sfx" "$(calc %.1f "$full / ${best[1]}")"
}
: >"$OUT/overload.dat"
if [ $OVERLOAD_ONLY = 1 ]; then
	suite=AES_CM_128_HMAC_SHA1_80 key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
	stop_pid "$CONTROL_PID"
	rcli FLUSHDB >/dev/null
	"$ROOT/bench/provision.sh" --tunnel "$suite:$key" 0 $TUN_CALLS -p "$RPORT"
	start_control 0
	start_dp
	HZ=$(ctl --json health | sed -n 's/.*"tsc_hz":\([0-9]*\).*/\1/p')
	stop_dp
	for engine in cryptodev libsrtp; do overload_sweep $engine; done
fi
for suite in "${SUITES[@]}"; do
	case $suite in
	AES*) key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd tag=aes_cm sfx= ;;
	*) key=ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw== tag=gcm sfx=_gcm ;;
	esac
	say "tunnel termination per lcore (vr-tun-bench), $suite"
	pair=$(cdev_vs_cryptoperf $suite)
	tb_c=${pair#* * * }
	cperf=$(awk '$3 > 0 { print $3 }' <<<"$pair")
	tb_l=$(lcore_bench libsrtp $suite 20000)
	TBC_CPP=$(jnum "$tb_c" cycles_per_pkt) TBL_CPP=$(jnum "$tb_l" cycles_per_pkt)
	row "lcore: tunnel $tag, cryptodev" "" "$TBC_CPP" "$(jnum "$tb_c" mpps)" "" "" "" ""
	row "lcore: tunnel $tag, libsrtp" "" "$TBL_CPP" "$(jnum "$tb_l" mpps)" "" "" "" ""
	kv "tunnel_lcore_cycles_per_pkt_${tag}_cryptodev" "$TBC_CPP"
	kv "tunnel_lcore_cycles_per_pkt_${tag}_libsrtp" "$TBL_CPP"
	kv "tunnel_lcore_mpps_${tag}_cryptodev" "$(jnum "$tb_c" mpps)"

	stop_pid "$CONTROL_PID"
	rcli FLUSHDB >/dev/null
	"$ROOT/bench/provision.sh" --tunnel "$suite:$key" 0 $TUN_CALLS -p "$RPORT"
	start_control 0
	for engine in cryptodev libsrtp; do
		say "SBC tunnel over memif, $suite, $TUN_CALLS calls, SRTP engine $engine"
		tunnel_run "tunnel_${tag}_$engine" $engine 0 "$DUR"
		row "SBC tunnel $tag, $engine" "$(mpps "$R_PPS")" "$R_CPP" "$R_CAP" "" \
			"$(jnum "$R_OUT" loss_pct)" "$(jnum "$R_OUT" lat_us_p50)" "$(jnum "$R_OUT" lat_us_p99)"
		eval "TCPP_$engine=$R_CPP TCAP_$engine=$R_CAP"
		kv "tunnel_cycles_per_pkt_${tag}_$engine" "$R_CPP"
		kv "tunnel_capacity_mpps_${tag}_$engine" "$R_CAP"
		[ $engine = cryptodev ] || continue
		# Loss and latency through the tunnel below saturation (at full
		# load they are the queue's): 90% of the rate just reached.
		rate=$(calc %.0f "0.9 * $R_PPS")
		say "SBC tunnel over memif, $suite, fixed rate $(mpps "$rate") Mpps"
		tunnel_run "tunnel_fixed_$tag" cryptodev "$rate" "$FIXED"
		row "SBC tunnel $tag, cryptodev, 90%" "$(mpps "$R_PPS")" "$R_CPP" "" "" \
			"$(jnum "$R_OUT" loss_pct)" "$(jnum "$R_OUT" lat_us_p50)" "$(jnum "$R_OUT" lat_us_p99)"
		kv "tunnel_fixed_mpps_asked_$tag" "$(mpps "$rate")"
		kv "tunnel_fixed_loss_pct_$tag" "$(jnum "$R_OUT" loss_pct)"
		kv "tunnel_fixed_lat_us_p50_$tag" "$(jnum "$R_OUT" lat_us_p50)"
		kv "tunnel_fixed_lat_us_p99_$tag" "$(jnum "$R_OUT" lat_us_p99)"
		kv "tunnel_fixed_lat_us_p999_$tag" "$(jnum "$R_OUT" lat_us_p999)"
	done
	[ $suite = AES_CM_128_HMAC_SHA1_80 ] && for engine in cryptodev libsrtp; do overload_sweep $engine; done
	raw_n=$(taskset -c 1 "$BUILD/bench/vr-srtp-bench" --suite $suite --count 50000 \
		--streams $((2 * TUN_CALLS)))
	raw_1=$(taskset -c 1 "$BUILD/bench/vr-srtp-bench" --suite $suite --count 200000 --streams 1)
	echo "libsrtp_$tag $raw_n" >>"$OUT/runs.jsonl"
	echo "libsrtp1_$tag $raw_1" >>"$OUT/runs.jsonl"
	lib_ns=$(jnum "$tb_l" ns_per_pkt)
	TUN_LINES+=("SBC tunnel $tag, per lcore: cryptodev engine $(jnum "$tb_c" ns_per_pkt) ns per packet ($TBC_CPP cycles; plain relay $TB_PLAIN), libsrtp engine $lib_ns ns; raw libsrtp $(jnum "$raw_n" op_ns) ns per operation with $((2 * TUN_CALLS)) sessions, $(jnum "$raw_1" op_ns) ns with one; dpdk-test-crypto-perf ${cperf:-?} Mops on crypto_aesni_mb")
	kv "srtp_over_libsrtp$sfx" "$(calc %.3f "$(jnum "$raw_n" op_ns) / $lib_ns")"
	kv "srtp_over_libsrtp_1_session$sfx" "$(calc %.3f "$(jnum "$raw_1" op_ns) / $lib_ns")"
	kv "cryptodev_over_libsrtp$sfx" "$(calc %.2f "$TBL_CPP / $TBC_CPP")"
	kv "cryptodev_over_libsrtp_memif$sfx" "$(calc %.2f "$TCPP_libsrtp / $TCPP_cryptodev")"
	if [ -n "$cperf" ]; then
		kv "cryptodev_over_cryptoperf$sfx" "${pair%% *}"
		kv "cryptodev_over_cryptoperf_memif$sfx" "$(calc %.3f "$TCAP_cryptodev / $cperf")"
		kv "cryptoperf_cycles_per_op$sfx" "$(calc %.0f "$HZ / ($cperf * 1e6)")"
		# The tunnel against its own limit: the plain relay's cycles per
		# packet plus the crypto device's per operation, over the tunnel's
		# cycles per packet; per lcore, and over the link when the relay
		# rows ran (their 1,000-flow run: as many streams as the tunnel's).
		kv "tunnel_lcore_over_limit_$tag" \
			"$(calc %.3f "($TB_PLAIN + $HZ / ($cperf * 1e6)) / $TBC_CPP")"
		[ -z "${CPP_1000:-}" ] || kv "tunnel_over_limit_$tag" \
			"$(calc %.3f "($CPP_1000 + $HZ / ($cperf * 1e6)) / $TCPP_cryptodev")"
	fi
	kv "cryptoperf_mops$sfx" "${cperf:-none}"
	kv "libsrtp_op_ns_${tag}_$((2 * TUN_CALLS))_sessions" "$(jnum "$raw_n" op_ns)"
	kv "libsrtp_op_ns_${tag}_1_session" "$(jnum "$raw_1" op_ns)"
done
stop_pid "$CONTROL_PID"; CONTROL_PID=
stop_pid "$REDIS_PID"; REDIS_PID=

if [ -z "$FLOW_LIST" ] && [ $TUNNEL_ONLY = 0 ]; then
	say "control plane: $SCALE_CALLS calls from a fresh start (bench/control_scale.sh)"
	scale=$("$ROOT/bench/control_scale.sh" "$SCALE_CALLS" "$BUILD" | tee "$WORK/control_scale.log")
	kv control_load_s "$(sed -n 's/^control_load_s=//p' <<<"$scale")"
	kv control_write_to_bound_ms "$(sed -n 's/^write_to_bound_ms=//p' <<<"$scale")"
	kv relay_over_ceiling "$(calc %.3f "$RELAY_100000 / $CEIL_100000")"
	kv relay_capacity_over_ceiling "$(calc %.3f "$CAP_100000 * 1e6 / $CEIL_100000")"
	kv flows_1m_over_1k "$(calc %.3f "$RELAY_1000000 / $RELAY_1000")"
	kv capacity_1m_over_1k "$(calc %.3f "$CAP_1000000 / $CAP_1000")"
else
	: >"$WORK/control_scale.log"
fi

[ ${#FLOWS[@]} = 0 ] || gnuplot <<EOF 2>>"$WORK/gnuplot.log" || say "gnuplot failed: see gnuplot.log"
set terminal pngcairo size 900,540 font ",11"
set output "$OUT/throughput.png"
set title "voxrelay: plain relay over net_memif, $FRAME-byte frames, one worker lcore" noenhanced
set xlabel "RTP flows (two per call)"
set ylabel "Mpps"
set logscale x
set xrange [500:2000000]
set yrange [0:*]
set key bottom left
set grid
plot "$OUT/throughput.dat" using 1:3 with linespoints title "ceiling: dpdk-testpmd io-forward, same link and generator", \
     "$OUT/throughput.dat" using 1:2 with linespoints title "relay: packets relayed back to the generator", \
     "$OUT/throughput.dat" using 1:4 with linespoints title "relay worker capacity (TSC Hz / cycles per packet)"
EOF

[ -s "$OUT/overload.dat" ] && { gnuplot <<EOF 2>>"$WORK/gnuplot.log" || say "gnuplot failed: see gnuplot.log"; }
set terminal pngcairo size 900,540 font ",11"
set output "$OUT/overload.png"
set title "voxrelay under overload: plain RTP encrypted into an SBC tunnel, AES-CM, one worker lcore" noenhanced
set xlabel "offered, over what the relay forwarded at 1x (the runs as fast as the generator can are off the right edge)"
set ylabel "relayed, over what the relay forwarded at 1x"
set xrange [0:2.5]
set yrange [0:2]
set key bottom right
set grid
plot "$OUT/overload.dat" index 0 using 3:4 with points pt 7 title "cryptodev engine", \
     "$OUT/overload.dat" index 1 using 3:4 with points pt 5 title "libsrtp engine", \
     (x < 1 ? x : 1) with lines dt 2 title "forwarding the maximum, dropping the excess at RX"
EOF
echo
printf '%-34s %9s %7s %8s %9s %7s %7s %7s\n' "run ($FRAME-byte frames)" Mpps cyc/pkt cap.Mpps "/ceiling" loss% p50us p99us
printf '%s\n' "${TABLE[@]}"
echo "${PROBE_LINE:-}"
echo "${PUB_LINE:-}"
echo "${SCRAPE_LINE:-}"
echo "${CHURN_LINE:-}"
for l in "${TUN_LINES[@]}"; do echo "$l"; done
sed -n '/^calls/,/^one redis/p' "$WORK/control_scale.log"
echo "plots: $OUT/throughput.png, $OUT/overload.png; raw generator output: $OUT/runs.jsonl; total $(( ($(ms) - T0) / 1000 )) s"
echo
printf '%s\n' "${KV[@]}"
