#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: what an operator's alerts read. voxrelay-control started
# before voxrelay-dp says loudly that the dataplane is unreachable (log,
# PREFIXstats:health, each record's status "pending"); once the dataplane
# is up, the health hash carries its facts (link, gateway, boot id, uptime,
# calls against max_calls, workers' busy share, SRTP engine) and the
# records get their verdicts; a kept record is counted; kill -9 of the
# dataplane is in the health hash and the log within a second.
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
start_redis
start_control
rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 \
	rtp_ports 14000-14019 >/dev/null
rcli HSET voxrelay:ext:102 mode stun site branch1 public_ip 203.0.113.2 sip_port 5066 \
	rtp_ports 14020-14039 >/dev/null
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
echo "e2e health: 4 passed, 0 failed"
