#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: Debian's Prometheus server scrapes voxrelay-control's /metrics
# (every second, with the shipped alert rules loaded) while two remote
# phones talk through the relay, an attacker sprays the call's ports and an
# SBC sends on a channel no call has. Then Prometheus's query API must
# return the packets the phones sent as relayed, the attacker's as dropped
# (bad_source) and the SBC's as dropped in its tunnel (tun_unknown_channel),
# each equal to what the senders counted; the call's per-leg series equal
# each phone's; the scrape passes promtool's lint in both formats; and
# every metric the Grafana dashboard uses is in the live scrape.
#
# Usage: metrics.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: metrics.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PHONE=$BUILD/tests/vr_phone
P=vrp$$
WORK=$(mktemp -d /tmp/voxrelay-metrics.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 59) % 20000))
PPORT=$((RPORT + 15000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
PROM_PID=
trap 'stop "$PROM_PID"; cleanup' EXIT

command -v prometheus >/dev/null && command -v promtool >/dev/null ||
	fail "prometheus and promtool are missing: run scripts/setup.sh"
COUNT=400
SPRAY=100
K1=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd

vr_topo_up
vr_topo_sbc_site sbc1 1
start_redis
start_dp
start_control --metrics-calls

# scrape [ACCEPT]: GET /metrics from voxrelay-control (bash's /dev/tcp: no curl needed).
scrape() {
	local body
	exec 3<>"/dev/tcp/127.0.0.1/$MPORT"
	printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\nAccept: %s\r\n\r\n' "${1:-text/plain}" >&3
	body=$(cat <&3)
	exec 3<&-
	sed '1,/^\r$/d' <<<"$body"
}
wait_for 5 scrape || fail "no /metrics on 127.0.0.1:$MPORT"

cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $SRC/docs/prometheus/voxrelay.rules.yml
scrape_configs:
  - job_name: voxrelay
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
	--web.listen-address=127.0.0.1:"$PPORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
# q EXPR: the value of a one-sample instant query, "" when none.
q() {
	promtool query instant "http://127.0.0.1:$PPORT" "$1" 2>/dev/null |
		sed -n 's/.*=> \([0-9.e+-]*\) @.*/\1/p' | head -1
}
scraped() { [ "$(q 'up{job="voxrelay"}')" = 1 ]; }
wait_for 15 scraped ||
	fail "prometheus does not scrape voxrelay: $(tail -5 "$WORK/prometheus.log")"

site_phones rcli
rcli HSET voxrelay:sbc:b1 name "Branch 1" auth_id sbc-b1 tunnel_id 1 \
	suite AES_CM_128_HMAC_SHA1_80 key $K1 >/dev/null
rcli HSET voxrelay:ext:301 mode sbc site b1 sbc b1 >/dev/null
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null
wait_for 5 listed c1 || fail "call c1 never reached the dataplane"

# The attacker first (nothing latched yet: every packet is bad_source), then the phones and the SBC.
x att "$PHONE" --bind 192.0.2.66:40000 --spray $RELAY:20000-20003 --count $SPRAY --pps 400 \
	--linger 200 >"$WORK/spray.json"
x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20000 --from $RELAY:20000 \
	--tag PH1 --expect-tag PH2 --count $COUNT --pps 100 --ssrc 0x101 >"$WORK/ph1.json" &
A=$!
x ph2 "$PHONE" --bind 192.168.50.12:14020 --to $RELAY:20002 --from $RELAY:20002 \
	--tag PH2 --expect-tag PH1 --count $COUNT --pps 100 --ssrc 0x102 >"$WORK/ph2.json" &
B=$!
x sbc1 "$BUILD/tests/vr_sbc" --bind 192.168.61.10:40000 --relay $RELAY:5090 --sbc-id 1 \
	--suite AES_CM_128_HMAC_SHA1_80 --key "0:$K1" --channel "77:1:SB77:NONE" \
	--count 200 --pps 100 >"$WORK/sbc.json" 2>"$WORK/sbc.err" || true
wait $A $B || fail "a phone failed"
ph1=$(cat "$WORK/ph1.json") ph2=$(cat "$WORK/ph2.json") sbc=$(cat "$WORK/sbc.json")
echo "ph1: $ph1"; echo "ph2: $ph2"; echo "sbc: $sbc"
sent1=$(( $(num "$ph1" sent) + $(num "$ph1" rtcp_sent) ))
sent2=$(( $(num "$ph2" sent) + $(num "$ph2" rtcp_sent) ))
sbc_sent=$(num "$sbc" sent 77)
[ "$sbc_sent" -gt 0 ] || fail "the SBC emulator sent nothing on channel 77"

# What Prometheus has, once it scraped after the last packet.
sleep 2.5
check() { # WHAT EXPR WANT
	local got= k
	for k in $(seq 20); do
		got=$(q "$2")
		[ "$got" = "$3" ] && break
		sleep 0.5
	done
	[ "$got" = "$3" ] || fail "$1: prometheus has $2 = '$got', the senders counted $3"
	echo "ok: $1: $2 = $3"
}
# A phone's first packets, before the other phone's latch its leg, have
# nowhere to go yet: dropped as peer_unlatched. The rest is relayed.
unlatched=$(q 'voxrelay_dropped_packets_total{reason="peer_unlatched"}')
[ -n "$unlatched" ] && [ "$unlatched" -lt 20 ] || fail "peer_unlatched drops: '$unlatched'"
check "relayed" 'voxrelay_relayed_packets_total{job="voxrelay"}' $((sent1 + sent2 - unlatched))
check "sprayed" 'voxrelay_dropped_packets_total{reason="bad_source"}' $SPRAY
check "SBC on a channel no call has" \
	'voxrelay_sbc_tunnel_dropped_packets_total{sbc="b1",reason="tun_unknown_channel"}' "$sbc_sent"
# A leg's packets relayed are what the other phone received.
check "leg a" 'voxrelay_call_packets_total{call="c1",leg="a"}' \
	$(( $(num "$ph2" rtp_rx) + $(num "$ph2" rtcp_rx) ))
check "leg b" 'voxrelay_call_packets_total{call="c1",leg="b"}' \
	$(( $(num "$ph1" rtp_rx) + $(num "$ph1" rtcp_rx) ))
check "calls bound" 'voxrelay_calls' 1
check "dataplane up" 'voxrelay_dataplane_up' 1
check "SBC online" 'voxrelay_sbc_online{sbc="b1"}' 1
check "site calls" 'voxrelay_site_calls{site="branch1"}' 1
check "ok calls" 'voxrelay_records{type="call",state="ok"}' 1
# The relay's own counters agree.
fwd=$(ctl --json stats | sed -n 's/.*"fwd_pkts":\([0-9]*\).*/\1/p')
[ "$fwd" = $((sent1 + sent2 - unlatched)) ] || fail "voxrelayctl stats fwd_pkts $fwd"

# Both formats pass promtool's lint, and OpenMetrics ends as it must.
scrape >"$WORK/scrape.txt"
promtool check metrics <"$WORK/scrape.txt" >"$WORK/lint.txt" 2>&1 ||
	fail "promtool check metrics: $(head -5 "$WORK/lint.txt")"
scrape "application/openmetrics-text;version=1.0.0" >"$WORK/scrape.om"
[ "$(tail -1 "$WORK/scrape.om")" = "# EOF" ] || fail "the OpenMetrics scrape does not end in # EOF"
grep -q '^# TYPE voxrelay_relayed_packets counter$' "$WORK/scrape.om" ||
	fail "OpenMetrics: no counter family voxrelay_relayed_packets"
grep -q '^# UNIT voxrelay_worker_busy_seconds seconds$' "$WORK/scrape.om" || fail "OpenMetrics: no UNIT"
echo "ok: both formats"

# Every metric the dashboard uses exists in the live scrape.
missing=
for m in $(grep -o 'voxrelay_[a-z0-9_]*' "$SRC/docs/grafana/voxrelay.json" | sort -u); do
	grep -q "^$m[{ ]" "$WORK/scrape.txt" || missing="$missing $m"
done
[ -z "$missing" ] || fail "the dashboard uses metrics the scrape lacks:$missing"
echo "ok: the dashboard's $(grep -o 'voxrelay_[a-z0-9_]*' "$SRC/docs/grafana/voxrelay.json" | sort -u | wc -l) metrics are all scraped"
# The rules loaded, and none fires on this healthy relay but the spraying one
# (it needs a minute).
rules=$(promtool query instant "http://127.0.0.1:$PPORT" 'count(ALERTS{alertstate="firing"})' 2>/dev/null || true)
[ -z "$rules" ] || fail "alerts firing on a healthy relay: $(promtool query instant "http://127.0.0.1:$PPORT" 'ALERTS')"
echo "e2e metrics: 4 passed, 0 failed"
