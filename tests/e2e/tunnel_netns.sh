#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: SBC tunnel termination through the whole product. Two SBC sites
# (scripts/topology.sh: each SBC behind a NAT with no port forward) and the
# remote STUN site; SBCs, extensions and calls written with plain redis-cli.
# The SBC emulator (tests/e2e/vr_sbc.c) of site 1 talks to a remote STUN
# phone (call t1) and, on another channel, to the SBC of site 2 (call t2),
# both ways, for 12 s. Mid-call, site 1's public address changes (a new
# lease: the NAT maps the SBC's new socket to another address) and its key
# rolls over in Redis, after which the SBC switches to the new key; it also
# sends a tampered packet, a replay, a packet under a wrong key and one
# claiming the other SBC's id. From 7 s to 10 s an attacker floods the tunnel
# port with forged hellos under both SBCs' ids, 50,000 a second (more than
# the main lcore took before hellos had their own ring and limits, and as
# many as this path carries without loss on a shared two-core host).
# Asserts no loss where none is allowed, every hello of the SBCs answered
# through the flood and the forged ones over the limits counted as
# tun_hello_rate, none of the bad packets forwarded and each counted under
# its reason, and the per-SBC view in Redis (online, public and local
# address, version, drops).
# VR_SRTP_ENGINE (cryptodev or libsrtp, default cryptodev) picks the
# dataplane's SRTP engine; the SBC emulator always uses libsrtp.
#
# Usage: tunnel_netns.sh BUILD_DIR
set -euo pipefail

BUILD=$(cd "${1:?usage: tunnel_netns.sh BUILD_DIR}" && pwd)
PHONE=$BUILD/tests/vr_phone
SBC=$BUILD/tests/vr_sbc
FLOOD=$BUILD/tests/vr_flood
P=vrs$$
WORK=$(mktemp -d /tmp/voxrelay-tun-e2e.XXXXXX)
SOCK=$WORK/dp.sock
RELAY=198.51.100.10
RPORT=$((20000 + ($$ + 13) % 20000))
ENGINE=${VR_SRTP_ENGINE:-cryptodev}
DP_ARGS="--srtp-engine $ENGINE"
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
trap cleanup EXIT
echo "SRTP engine: $ENGINE"

# Master keys and salts (base64): site 1 AES_CM_128_HMAC_SHA1_80, then its
# rolled-over key; site 2 AEAD_AES_128_GCM.
K1=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
K1NEW=BAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh
K2=ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+fw==

vr_topo_up
vr_topo_sbc_site sbc1 1
vr_topo_sbc_site sbc2 2
start_redis
start_dp
start_control --key-overlap 30

rcli HSET voxrelay:ext:101 mode stun site branch1 public_ip 203.0.113.2 sip_port 5065 \
	rtp_ports 14000-14019 lan_ip 192.168.50.11 >/dev/null
rcli HSET voxrelay:sbc:b1 name "Branch 1" auth_id sbc-b1 tunnel_id 1 \
	suite AES_CM_128_HMAC_SHA1_80 key $K1 >/dev/null
rcli HSET voxrelay:sbc:b2 name "Branch 2" auth_id sbc-b2 tunnel_id 2 \
	suite AEAD_AES_128_GCM key $K2 >/dev/null
rcli HSET voxrelay:ext:301 mode sbc site b1 sbc b1 >/dev/null
rcli HSET voxrelay:ext:302 mode sbc site b1 sbc b1 >/dev/null
rcli HSET voxrelay:ext:401 mode sbc site b2 sbc b2 >/dev/null
# Each call leg's epoch: fresh random per call, as a PBX gives it (and tells
# the SBC with the channel).
E12=$(epoch) E13=$(epoch) E21=$(epoch)
rcli HSET voxrelay:call:t1 a_ext 301 a_channel 12 a_epoch "$E12" b_ext 101 b_port 20030 >/dev/null
rcli HSET voxrelay:call:t2 a_ext 302 a_channel 13 a_epoch "$E13" b_ext 401 b_channel 21 \
	b_epoch "$E21" >/dev/null
wait_for 5 listed t1 || fail "call t1 never reached the dataplane: $(rcli HGETALL voxrelay:status:call:t1)"
wait_for 5 listed t2 || fail "call t2 never reached the dataplane: $(rcli HGETALL voxrelay:status:call:t2)"
echo "ok: two SBCs, their phones and two tunnel-leg calls written with redis-cli are programmed"

# 12 s of audio at 50 packets/s each way.
x ph1 "$PHONE" --bind 192.168.50.11:14000 --to $RELAY:20030 --from $RELAY:20030 \
	--tag PHONE1 --expect-tag SBC1C12 --count 600 --pps 50 --ssrc 0x101 >"$WORK/ph1.json" &
A=$!
x sbc1 "$SBC" --bind 192.168.61.10:40000 --relay $RELAY:5090 --sbc-id 1 \
	--suite AES_CM_128_HMAC_SHA1_80 --key "0:$K1" --new-key "1:$K1NEW" --rekey-at 400 \
	--rebind-at 250 --bad-at 100 --other-sbc-id 2 --local-ip 192.168.61.10 \
	--version "sbc-emu 1.0" --channel "12:$E12:SBC1C12:PHONE1" --channel "13:$E13:SBC1C13:SBC2C21" \
	--count 600 --pps 50 >"$WORK/sbc1.json" 2>"$WORK/sbc1.err" &
B=$!
x sbc2 "$SBC" --bind 192.168.62.10:40000 --relay $RELAY:5090 --sbc-id 2 \
	--suite AEAD_AES_128_GCM --key "0:$K2" --local-ip 192.168.62.10 --version "sbc-emu 2.0" \
	--channel "21:$E21:SBC2C21:SBC1C13" --count 600 --pps 50 >"$WORK/sbc2.json" 2>"$WORK/sbc2.err" &
C=$!
# At 4 s site 1 gets a new public address; its SBC opens a new socket at 5 s
# (packet 250), which the NAT maps to it.
sleep 4
vr_topo_sbc_move sbc1 1
# At 6 s the provisioning rolls site 1's key; the SBC switches at 8 s.
sleep 2
rcli HSET voxrelay:sbc:b1 key_id 1 key $K1NEW >/dev/null
# At 7 s, 3 s of forged hellos from the attacker's host (bounded in count
# too), on the main lcore's CPU rather than the worker's.
sleep 1
x att taskset -c 0 "$FLOOD" --relay $RELAY:5090 --sbc-id 1 --sbc-id 2 --pps 50000 --secs 3 \
	--count 1000000 >"$WORK/flood.json" 2>"$WORK/flood.err" &
D=$!
wait $A $B $C $D || fail "a phone, SBC emulator or the flood failed: $(cat "$WORK"/*.err)"
ph1=$(cat "$WORK/ph1.json") s1=$(cat "$WORK/sbc1.json") s2=$(cat "$WORK/sbc2.json")
flood=$(cat "$WORK/flood.json")
echo "ph1: $ph1"
echo "sbc1: $s1"
echo "sbc2: $s2"
echo "flood: $flood"

# Toward the SBCs nothing may be lost, but for what the relay sent site 1 in
# the moment between its move and its first packet from the new address.
[ "$(num "$ph1" gap_loss)" = 0 ] && [ "$(num "$ph1" last_seq)" = 599 ] ||
	fail "the phone lost RTP from behind the SBC"
[ "$(num "$ph1" foreign)" = 0 ] && [ "$(num "$ph1" bad_tag)" = 0 ] ||
	fail "the phone got packets it should not have"
[ "$(num "$s2" gap_loss 21)" = 0 ] && [ "$(num "$s2" last_seq 21)" = 599 ] ||
	fail "SBC 2 lost RTP from SBC 1"
for c in 12 13; do
	[ "$(num "$s1" gap_loss $c)" -le 2 ] || fail "SBC 1 channel $c lost more than the move allows"
	[ "$(num "$s1" last_seq $c)" = 599 ] || fail "SBC 1 channel $c missed the end of its stream"
	[ "$(num "$s1" rx_after_rebind $c)" -ge 300 ] ||
		fail "SBC 1 channel $c: media did not continue after its address changed"
	[ "$(num "$s1" auth_fail $c)" = 0 ] && [ "$(num "$s1" bad_tag $c)" = 0 ] ||
		fail "SBC 1 channel $c got packets that failed authentication or were not its peer's"
done
[ "$(num "$s1" hello_acks)" -ge 10 ] && [ "$(num "$s2" hello_acks)" -ge 10 ] ||
	fail "hellos were not answered"
# The phone's RTCP reaches the SBC as SRTCP, and the SBC decrypts it.
[ "$(num "$s1" rtcp_rx 12)" -ge 20 ] || fail "the phone's RTCP did not reach SBC 1 through the tunnel"
echo "ok: media both ways, SBC to phone and SBC to SBC, no loss across the address change and the key rollover"

# Through the flood: every hello answered (but one of SBC 1's, which may
# be answered to its old socket as it moves), the forged ones over the
# limits dropped by the worker, none for want of room on a ring.
[ "$(num "$s2" hello_acks)" = "$(num "$s2" hellos)" ] ||
	fail "SBC 2's hellos were not all answered through the hello flood"
[ "$(num "$s1" hello_acks)" -ge $(($(num "$s1" hellos) - 1)) ] ||
	fail "SBC 1's hellos were not answered through the hello flood"
stats=$(ctl --json stats)
dnum() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$stats" | head -1; }
[ "$(num "$flood" sent)" -ge 10000 ] || fail "the flood sent too little to test anything: $flood"
[ "$(dnum tun_hello_rate)" -ge 5000 ] || fail "the forged hellos not counted as tun_hello_rate: $stats"
[ "$(dnum slowpath_full)" = 0 ] || fail "the main lcore's rings overflowed: $stats"
echo "ok: media and the SBCs' hellos go on through a flood of $(num "$flood" sent) forged hellos, $(dnum tun_hello_rate) of them over the limits"

# The bad packets: each dropped under its reason, none forwarded (above).
[ "$(num "$s1" bad_sent)" = 4 ] || fail "the emulator did not send its bad packets"
[ "$(dnum srtp_auth)" -ge 2 ] || fail "tampered and wrong-key packets not counted as srtp_auth: $stats"
[ "$(dnum srtp_replay)" -ge 1 ] || fail "the replay not counted as srtp_replay: $stats"
[ "$(dnum tun_unknown_channel)" -ge 1 ] || fail "the other SBC's id not counted: $stats"
echo "ok: tampered, replayed, wrong-key and wrong-SBC packets dropped under their reasons"

# The per-SBC view in Redis.
sleep 1
h1=$(rcli HGETALL voxrelay:stats:sbc:b1 | paste -sd' ')
h2=$(rcli HGETALL voxrelay:stats:sbc:b2 | paste -sd' ')
echo "stats:sbc:b1: $h1"
field() { rcli HGET "voxrelay:stats:sbc:$1" "$2"; }
[ "$(field b1 online)" = 1 ] && [ "$(field b2 online)" = 1 ] || fail "an SBC is not online"
field b1 public_ip | grep -q '^198\.18\.1\.3:' || fail "SBC 1's new public address not shown"
field b2 public_ip | grep -q '^198\.18\.2\.2:' || fail "SBC 2's public address not shown"
[ "$(field b1 local_ip)" = 192.168.61.10 ] || fail "SBC 1's local address"
[ "$(field b1 version)" = "sbc-emu 1.0" ] || fail "SBC 1's version"
[ "$(field b1 key_id)" = 1 ] && [ "$(field b1 keys)" = 2 ] || fail "SBC 1's key rollover not shown"
[ "$(field b1 tunnel_rx_pkts)" -ge 1100 ] || fail "SBC 1's tunnel packets"
[ "$(field b1 tunnel_drop_srtp_auth)" -ge 2 ] && [ "$(field b1 tunnel_drop_srtp_replay)" -ge 1 ] ||
	fail "SBC 1's drops by reason"
[ "$(field b1 devices)" = 2 ] && [ "$(field b2 devices)" = 1 ] || fail "devices per SBC"
[ "$(field b1 tunnel_drop_tun_hello_rate)" -ge 1 ] && [ "$(field b2 tunnel_drop_tun_hello_rate)" -ge 1 ] ||
	fail "the forged hellos over the limits not shown per SBC"
echo "ok: each SBC's hash in redis shows it online, its addresses, version, keys and drops"
grep -q "tunnel SRTP through $ENGINE" "$WORK/dp.log" || fail "the dataplane does not use $ENGINE"
ctl --json health | grep -q "\"srtp_engine\":\"$ENGINE\"" ||
	fail "voxrelayctl health does not say $ENGINE: $(ctl --json health)"
[ "$(rcli HGET voxrelay:stats:summary srtp_engine)" = "$ENGINE" ] ||
	fail "the summary in redis does not say $ENGINE: $(rcli HGETALL voxrelay:stats:summary)"
echo "e2e tunnel_netns ($ENGINE): 5 passed, 0 failed"
