#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: an attacker who recorded an SBC's tunnel replays it, in the
# namespace estate (scripts/topology.sh: the SBC behind a NAT, a remote
# STUN phone, the attacker at 192.0.2.66). The SBC emulator records every
# datagram it sends (vr_sbc --record), as the attacker on the path would,
# and logs what names the key and IV of each packet the relay sends it
# (--log-down). Then, each time with the phone's and the SBC's counts and
# the relay's counters checked:
#   1. call 1 on channel 12 (the SBC's phone changes SSRC halfway);
#   2. call 2 on channel 12 (another epoch) while the attacker replays call
#      1, hellos included, two SSRCs in turns: nothing of it relayed,
#      counted as tun_stale_epoch (or as a stale or replayed hello), the SBC
#      not moved, no loss in call 2;
#   3. call 2's own recording replayed into call 2, SSRCs in turns:
#      srtp_replay, nothing relayed;
#   4. the dataplane restarted: everything recorded before replayed, and
#      the SBC, silent, shown neither online nor at the attacker's address;
#   5. the SBC back, its key rolled over mid-call, then what it sent under
#      the old key replayed: nothing relayed;
# and across calls 1, 2 and 5 and the restart, no (key, IV) used twice
# toward the SBC. VR_SRTP_ENGINE picks the dataplane's SRTP engine,
# VR_SRTP_SUITE the SBC's suite (AES_CM_128_HMAC_SHA1_80, the default, or
# AEAD_AES_128_GCM).
#
# Usage: tunnel_attack.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: tunnel_attack.sh BUILD_DIR}" && pwd)
PHONE=$BUILD/tests/vr_phone
SBC=$BUILD/tests/vr_sbc
P=vra$$
WORK=$(mktemp -d /tmp/voxrelay-tun-attack.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 29) % 20000))
ENGINE=${VR_SRTP_ENGINE:-cryptodev}
SUITE=${VR_SRTP_SUITE:-AES_CM_128_HMAC_SHA1_80}
DP_ARGS="--srtp-engine $ENGINE"
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT
echo "SRTP engine: $ENGINE, suite $SUITE"

case $SUITE in
AES_CM_128_HMAC_SHA1_80)
	K1=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
	K1NEW=BAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh ;;
AEAD_AES_128_GCM)
	K1=ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw==
	K1NEW=x1aXOIk/A5B/BopAZBS9aGjBV8LRIXvTWJIRCg== ;;
*) echo "tunnel_attack.sh: VR_SRTP_SUITE '$SUITE' is not a suite" >&2; exit 2 ;;
esac

vr_topo_up
vr_topo_sbc_site sbc1 1
start_redis
start_dp
start_control --key-overlap 60

rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 \
	rtp_ports 14000-14019 lan_ip 192.168.50.11 >/dev/null
rcli HSET voxrelay:sbc:b1 name "Branch 1" auth_id sbc-b1 tunnel_id 1 \
	suite "$SUITE" key $K1 >/dev/null
rcli HSET voxrelay:ext:301 mode sbc site b1 sbc b1 >/dev/null

# cnt NAME: a global counter or drop reason of the dataplane now.
cnt() { ctl --json stats | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1; }
field() { rcli HGET voxrelay:stats:sbc:b1 "$1"; }
# sdrop REASON: SBC b1's drops for REASON, as control publishes them (the
# hellos' are counted there only: the main lcore has no global row).
sdrop() { sleep 0.6; local v; v=$(field "tunnel_drop_$1"); echo "${v:-0}"; }

# call ID EPOCH: call ID with leg a on channel 12 under EPOCH, leg b the phone.
call() {
	rcli HSET "voxrelay:call:$1" a_ext 301 a_channel 12 a_epoch "$2" b_ext 101 \
		b_port 20030 >/dev/null
	wait_for 5 listed "$1" || fail "call $1 never reached the dataplane: $(rcli HGETALL "voxrelay:status:call:$1")"
}
# talk TAG COUNT [SBC OPTIONS...]: the phone and the SBC talk on channel 12
# (epoch $E) for COUNT packets each way at 50 a second; their reports in
# $WORK/ph-TAG.json and $WORK/sbc-TAG.json.
talk() {
	local tag=$1 n=$2 a b; shift 2
	x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20030 --from $RELAY:20030 \
		--tag "PH$tag" --expect-tag "SB$tag" --count "$n" --pps 50 --ssrc 0x101 \
		>"$WORK/ph-$tag.json" &
	a=$!
	x sbc1 "$SBC" --bind 192.168.61.10:40000 --relay $RELAY:5090 --sbc-id 1 \
		--suite "$SUITE" --key "0:$K1" --local-ip 192.168.61.10 \
		--version "sbc-emu 1.0" \
		--channel "12:$E:SB$tag:PH$tag" --count "$n" --pps 50 --record "$WORK/rec-$tag.bin" \
		--log-down "$WORK/down.log" "$@" >"$WORK/sbc-$tag.json" 2>"$WORK/sbc-$tag.err" &
	b=$!
	wait $a $b || fail "a phone or the SBC emulator failed: $(cat "$WORK/sbc-$tag.err")"
}
# no_loss TAG COUNT: both ends got every packet of the other, and nothing else.
no_loss() {
	local ph s
	ph=$(cat "$WORK/ph-$1.json") s=$(cat "$WORK/sbc-$1.json")
	[ "$(num "$ph" gap_loss)" = 0 ] && [ "$(num "$ph" last_seq)" = $(($2 - 1)) ] &&
		[ "$(num "$ph" dup)" = 0 ] && [ "$(num "$ph" bad_tag)" = 0 ] &&
		[ "$(num "$ph" foreign)" = 0 ] || fail "$1: the phone lost or got foreign RTP: $ph"
	[ "$(num "$s" gap_loss 12)" = 0 ] && [ "$(num "$s" last_seq 12)" = $(($2 - 1)) ] &&
		[ "$(num "$s" dup 12)" = 0 ] && [ "$(num "$s" auth_fail 12)" = 0 ] &&
		[ "$(num "$s" bad_tag 12)" = 0 ] || fail "$1: the SBC lost or got bad RTP: $s"
}
# replay FILE [OPTIONS...]: the attacker sends FILE's datagrams to the tunnel
# port (from its own address) and listens; its report in $WORK/att.json.
replay() {
	local f=$1; shift
	x att "$SBC" --replay "$f" --bind 192.0.2.66:40000 --relay $RELAY:5090 --pps 200 \
		--count 2000 --linger 500 "$@" >"$WORK/att.json" || fail "the attacker's replay failed"
}

# 1. Call 1; halfway its phone changes SSRC (a re-INVITE).
E=$(epoch)
call t1 "$E"
talk 1 250 --ssrc-change-at 125
no_loss 1 250
echo "ok: call 1 on channel 12, two SSRCs, no loss both ways"

# 2. Call 2 on the channel, with a fresh epoch, while call 1 is replayed.
rcli DEL voxrelay:call:t1 >/dev/null
wait_for 5 not_listed t1 || fail "call t1 not unbound"
E=$(epoch)
call t2 "$E"
stale0=$(cnt tun_stale_epoch) hs0=$(sdrop tun_hello_stale) rp0=$(sdrop srtp_replay)
replay "$WORK/rec-1.bin" --replay-alternate &
R=$!
talk 2 250
wait $R
att=$(cat "$WORK/att.json")
echo "attacker: $att"
no_loss 2 250
[ "$(num "$att" media_back)" = 0 ] || fail "the attacker received media: $att"
stale=$(( $(cnt tun_stale_epoch) - stale0 ))
hellos=$(( $(sdrop tun_hello_stale) + $(sdrop srtp_replay) - hs0 - rp0 ))
[ "$stale" -ge 250 ] || fail "call 1's packets in call 2: $stale counted as tun_stale_epoch"
[ $((stale + hellos)) -ge "$(num "$att" replayed)" ] ||
	fail "replayed $(num "$att" replayed), counted $stale stale media and $hellos hellos"
field public_ip | grep -q '^198\.18\.1\.2:' || fail "the SBC moved: $(field public_ip)"
echo "ok: call 1 replayed into call 2 ($(num "$att" replayed) datagrams, two SSRCs in turns): none relayed, $stale counted as tun_stale_epoch, no loss, the SBC stays"

# 3. Call 2's own packets, replayed into call 2, SSRCs in turns.
fwd0=$(cnt fwd_pkts) rp0=$(cnt srtp_replay)
replay "$WORK/rec-2.bin" --replay-alternate
att=$(cat "$WORK/att.json")
[ "$(cnt fwd_pkts)" = "$fwd0" ] || fail "call 2's replayed packets were relayed: $(( $(cnt fwd_pkts) - fwd0 ))"
[ $(( $(cnt srtp_replay) - rp0 )) -ge 250 ] || fail "call 2 replayed: $(( $(cnt srtp_replay) - rp0 )) counted as srtp_replay"
[ "$(num "$att" media_back)" = 0 ] || fail "the attacker received media: $att"
field public_ip | grep -q '^198\.18\.1\.2:' || fail "the SBC moved: $(field public_ip)"
echo "ok: call 2 replayed into itself: nothing relayed, $(( $(cnt srtp_replay) - rp0 )) counted as srtp_replay"

# 4. The dataplane restarts (control binds call 2 again); everything
# recorded before is replayed while the SBC is silent.
stop "$DP_PID"
start_dp
wait_for 10 listed t2 || fail "call t2 not bound again after the restart"
# The restart shows in Redis once control has published a new boot.
sleep 1
replay "$WORK/rec-1.bin"
replay "$WORK/rec-2.bin" --replay-alternate
att=$(cat "$WORK/att.json")
sleep 1
[ "$(cnt fwd_pkts)" = 0 ] || fail "recorded packets were relayed after the restart: $(cnt fwd_pkts)"
[ "$(cnt tun_stale_epoch)" -ge 500 ] || fail "after the restart: $(cnt tun_stale_epoch) counted as tun_stale_epoch"
[ "$(sdrop tun_hello_stale)" -ge 1 ] || fail "replayed hellos not counted as tun_hello_stale"
[ "$(num "$att" media_back)" = 0 ] || fail "the attacker received media: $att"
[ "$(field online)" != 1 ] || fail "replayed hellos show the silent SBC online"
! field public_ip | grep -q '^192\.0\.2\.66' || fail "replayed hellos moved the SBC to the attacker"
echo "ok: after a restart, recorded media and hellos replayed: none relayed, the silent SBC not online nor moved"

# 5. The SBC is back on call 2 (its phone's new SSRCs); its key rolls over
# mid-call; then what it sent under the old key is replayed.
talk 5 400 --new-key "1:$K1NEW" --rekey-at 200 &
T=$!
sleep 2
rcli HSET voxrelay:sbc:b1 key_id 1 key $K1NEW >/dev/null
wait $T
no_loss 5 400
fwd0=$(cnt fwd_pkts) rp0=$(cnt srtp_replay) uk0=$(cnt tun_unknown_key)
replay "$WORK/rec-5.bin" --replay-alternate
[ "$(cnt fwd_pkts)" = "$fwd0" ] || fail "packets replayed after the key rollover were relayed"
[ $(( $(cnt srtp_replay) + $(cnt tun_unknown_key) - rp0 - uk0 )) -ge 400 ] ||
	fail "replayed after the rollover: not counted as srtp_replay or tun_unknown_key"
echo "ok: after a key rollover, the recording replayed: nothing relayed"

# No (key, IV) twice toward the SBC: calls 1, 2 and 5, the restart between.
lines=$(wc -l <"$WORK/down.log")
dups=$(sort "$WORK/down.log" | uniq -d | wc -l)
[ "$lines" -ge 800 ] || fail "only $lines packets from the relay logged"
[ "$dups" = 0 ] || fail "$dups (key, IV) used twice toward the SBC: $(sort "$WORK/down.log" | uniq -d | head -3)"
echo "ok: $lines packets to the SBC across two calls on one channel, SSRC changes, a restart and a key rollover: no (key, IV) twice"
echo "e2e tunnel_attack ($ENGINE, $SUITE): 6 passed, 0 failed"
