#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: what an operator's alerts read. voxrelay-control started
# before voxrelay-dp says loudly that the dataplane is unreachable (log,
# PREFIXstats:health, each record's status "pending"); once the dataplane
# is up, the health hash carries its facts (link, gateway, boot id, uptime,
# calls against max_calls, workers' busy share, SRTP engine) and the
# records get their verdicts; a kept record is counted; kill -9 of the
# dataplane is in the health hash and the log within a second; and an SBC's
# stats hash keeps nothing of the dataplane's earlier boot (its address,
# version and drops) after a restart.
#
# Usage: health.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: health.sh BUILD_DIR}" && pwd)
P=vrh$$
WORK=$(mktemp -d /tmp/voxrelay-health.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 47) % 20000))
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT

health() { rcli HGET voxrelay:stats:health "$1"; }
health_is() { [ "$(health "$1")" = "$2" ]; }

vr_topo_up
vr_topo_sbc_site sbc1 1
start_redis
start_control
site_phones rcli
rcli HSET voxrelay:call:c1 a_ext 101 a_port 20000 b_ext 102 b_port 20002 >/dev/null

echo "1. no dataplane"
wait_for 5 health_is dataplane unreachable || fail "health says dataplane '$(health dataplane)'"
health dataplane_error | grep -q "$SOCK" || fail "the health error does not name the socket: $(health dataplane_error)"
grep -q "DATAPLANE UNREACHABLE: $SOCK" "$WORK/control.log" || fail "control's log is quiet about the dataplane"
wait_for 5 status_is call:c1 pending || fail "c1's status is '$(rcli HGET voxrelay:status:call:c1 state)', not pending"
rcli HGET voxrelay:status:call:c1 error | grep -q "unreachable" || fail "c1's pending status does not say why"
[ "$(health held_calls)" = 0 ] || fail "held_calls $(health held_calls)"

echo "2. the dataplane comes up"
start_dp
wait_for 5 health_is dataplane up || fail "health still says '$(health dataplane)'"
wait_for 5 status_is call:c1 ok || fail "c1 has no verdict: $(rcli HGETALL voxrelay:status:call:c1)"
grep -q "answers again" "$WORK/control.log" || fail "control did not log the dataplane's return"
wait_for 3 health_is calls 1 || fail "health calls $(health calls)"
h=$(ctl --json health)
boot=$(sed -n 's/.*"boot_id":"\([0-9a-f]*\)".*/\1/p' <<<"$h")
for f in link_up:1 gateway_resolved:1 max_calls:1024 workers:1 srtp_engine:"$(sed -n 's/.*"srtp_engine":"\([a-z]*\)".*/\1/p' <<<"$h")"; do
	[ "$(health "${f%%:*}")" = "${f#*:}" ] || fail "health ${f%%:*} is '$(health "${f%%:*}")', not '${f#*:}'"
done
[ -n "$(health worker_0_busy_pct)" ] || fail "no worker_0_busy_pct"
[ "$(health uptime_s)" -lt 60 ] || fail "uptime_s $(health uptime_s)"
[ -n "$boot" ] && [ "$(health boot_id)" = "$boot" ] ||
	fail "health boot_id $(health boot_id) is not the dataplane's $boot"
[ "$(rcli TTL voxrelay:stats:health)" -gt 0 ] || fail "the health hash has no TTL"

# JSON is written by a JSON library: a call id with a quote and a backslash
# (the dataplane takes any printable id from voxrelayctl add; control's
# records allow fewer) comes out escaped, and the stats channel parses.
# Control owns the call table and removes that call at its next change.
command -v jq >/dev/null || fail "jq is missing: run scripts/setup.sh"
ctl add 'q"1\x' $RELAY:20010 $RELAY:20012 >/dev/null || fail "voxrelayctl add refused the id"
j=$(ctl --json list)
[ "$(jq -r '.[].id' <<<"$j" | grep -c '^q"1\\x$')" = 1 ] ||
	fail "voxrelayctl --json list is not valid JSON with that id: $j"
ctl --json show 'q"1\x' | jq -e '.flows["a.rtp"].latch' >/dev/null || fail "voxrelayctl --json show is not valid JSON"
ctl del 'q"1\x' >/dev/null 2>&1 || true
ctl --json health | jq -e '.calls >= 1 and .link_up' >/dev/null || fail "voxrelayctl --json health: $(ctl --json health)"
msg=$(timeout 3 redis-cli -p "$RPORT" SUBSCRIBE voxrelay:stats | sed -n 6p || true)
jq -e '(.calls | type) == "number" and (.drops | type) == "object" and .drops.bad_source >= 0' \
	<<<"$msg" >/dev/null || fail "the stats channel's message is not the JSON summary: '$msg'"

echo "3. a kept record is counted"
rcli HSET voxrelay:ext:101 public_ip 198.51.100.256 >/dev/null
wait_for 3 health_is kept_records 1 || fail "kept_records $(health kept_records)"

echo "4. kill -9 of the dataplane"
kill -9 "$DP_PID"
wait "$DP_PID" 2>/dev/null || true
t0=$(date +%s%N)
wait_for 3 health_is dataplane unreachable || fail "health did not notice the dataplane's death"
echo "noticed in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ "$(grep -c "DATAPLANE UNREACHABLE" "$WORK/control.log")" -ge 2 ] || fail "its death is not in the log"
echo "5. an SBC's stats after a dataplane restart"
K1=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
rcli HSET voxrelay:sbc:b1 name "Branch 1" auth_id sbc-b1 tunnel_id 1 \
	suite AES_CM_128_HMAC_SHA1_80 key $K1 >/dev/null
rcli HSET voxrelay:ext:301 mode sbc site b1 sbc b1 >/dev/null
start_dp
wait_for 5 health_is dataplane up || fail "the dataplane did not come back"
sbc() { rcli HGET voxrelay:stats:sbc:b1 "$1"; }
sbc_is() { [ "$(sbc "$1")" = "$2" ]; }
# Hellos, and packets on a channel no call has: drops.
x sbc1 "$BUILD/tests/vr_sbc" --bind 192.168.61.10:40000 --relay $RELAY:5090 --sbc-id 1 \
	--suite AES_CM_128_HMAC_SHA1_80 --key "0:$K1" --channel "77:1:SB77:NONE" \
	--count 50 --pps 50 --version "emu 1.0" >/dev/null 2>&1 || true
wait_for 3 sbc_is version "emu 1.0" || fail "no version in the SBC's hash: $(rcli HGETALL voxrelay:stats:sbc:b1)"
[ -n "$(sbc public_ip)" ] || fail "no public_ip in the SBC's hash"
[ "$(sbc tunnel_drop_tun_unknown_channel)" -gt 0 ] || fail "no drops counted: $(rcli HGETALL voxrelay:stats:sbc:b1)"
kill -9 "$DP_PID"
wait "$DP_PID" 2>/dev/null || true
start_dp
wait_for 5 health_is dataplane up || fail "the dataplane did not come back"
wait_for 5 sbc_is version "" || fail "the SBC's hash keeps the earlier boot's version '$(sbc version)'"
sbc_is public_ip "" || fail "the SBC's hash keeps the earlier boot's public_ip '$(sbc public_ip)'"
sbc_is tunnel_drop_tun_unknown_channel 0 || fail "the SBC's hash keeps the earlier boot's drops"
sbc_is online 0 || fail "the SBC is online without a hello"
echo "e2e health: 5 passed, 0 failed"
