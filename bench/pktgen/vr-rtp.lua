-- SPDX-License-Identifier: BSD-3-Clause
--
-- Shared by rtp-streams.lua and rate-sweep.lua (pktgen-dpdk's Lua API):
-- turns one pktgen port into N concurrent RTP streams toward a voxrelay
-- relay address, in the layout of bench/provision.sh, so that the calls that
-- script writes to Redis carry them. Stream s goes from phone port 10000 + s
-- to relay port 20000 + 2s: pktgen's range mode advances the source port by
-- 1 and the destination port by 2 on every packet, and both wrap after N
-- packets, so the two stay in lockstep. Streams 2i and 2i + 1 are the two
-- legs of call i: the relay forwards each to the other and the packets come
-- back to this port, where pktgen counts them as received.
--
-- What range mode cannot do: every packet of a port is built from one
-- template, so every stream carries the same RTP header: one SSRC, a
-- sequence number and timestamp that never advance. The relay forwards such
-- packets (an RTP packet whose sequence number it has seen is counted under
-- rtp_dup, not dropped), but its loss, jitter and reorder figures mean
-- nothing for this traffic; bench/vr-gen gives each stream its own SSRC,
-- sequence and timestamp and measures latency.
--
-- The RTP header comes from pktgen's 16-byte user pattern, which fills the
-- frame from its first byte (pattern index = frame offset mod 16) before the
-- headers are written over it: the UDP payload starts at frame offset 42,
-- so pattern byte 10 is RTP byte 0 (0x80: version 2, no padding, extension
-- or CSRC) and byte 11 the payload type (96, a dynamic one: a printable byte, as the
-- command file rtp-streams.pkt needs). Byte 15 is always NUL.
--
-- Settings, from the environment (defaults in brackets):
--   VR_PG_PORT    pktgen port number [0]
--   VR_STREAMS    streams, even, 2-20000: calls x 2 [2000]
--   VR_RELAY_IP   the relay address the first 10,000 calls are on [198.51.100.10]
--   VR_RELAY_MAC  the relay port's MAC address (required on a real NIC;
--                 voxrelay-dp logs it at start) [none: pktgen's default]
--   VR_GW_IP      this port's own address, the relay's --gateway: pktgen
--                 answers the relay's ARP for it [198.51.100.1]
--   VR_PHONE_IP   the phones' source address [198.18.0.1]
--   VR_FRAME      frame size without the 4-byte FCS [214: G.711, 20 ms]

local M = {}

local function env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then
		return default
	end
	return v
end

local function num(name, default, lo, hi)
	local s = env(name, tostring(default))
	local v = tonumber(s)
	if v == nil or v ~= math.floor(v) or v < lo or v > hi then
		error(string.format("%s: '%s' is not a whole number in %d-%d", name, s, lo, hi))
	end
	return v
end

M.port = env("VR_PG_PORT", "0")
M.streams = num("VR_STREAMS", 2000, 2, 20000)
if M.streams % 2 ~= 0 then
	error(string.format("VR_STREAMS: %d is odd: a call has two legs", M.streams))
end
M.relay_ip = env("VR_RELAY_IP", "198.51.100.10")
M.relay_mac = env("VR_RELAY_MAC", nil)
M.gw_ip = env("VR_GW_IP", "198.51.100.1")
M.phone_ip = env("VR_PHONE_IP", "198.18.0.1")
M.frame = num("VR_FRAME", 214, 60, 1514)
if M.frame < 14 + 20 + 8 + 12 then
	error(string.format("VR_FRAME: %d cannot hold an RTP header", M.frame))
end

-- Pattern bytes 10 and 11 are RTP bytes 0 and 1; the others land in the
-- sequence number, timestamp, SSRC and payload and need only be non-NUL.
M.pattern = "vrelay-rtp" .. "\x80\x60" .. "sq" .. "t"

-- Configures the port; leaves it stopped with range mode on.
function M.setup()
	local p, n = M.port, M.streams
	local size = M.frame + 4
	pktgen.stop(p)
	pktgen.set_type(p, "ipv4")
	pktgen.set_proto(p, "udp")
	pktgen.set_ipaddr(p, "src", M.gw_ip .. "/24")
	pktgen.set_ipaddr(p, "dst", M.relay_ip)
	pktgen.set(p, "size", size)
	pktgen.set(p, "count", 0)
	pktgen.set(p, "burst", 32)
	pktgen.pattern(p, "user")
	pktgen.userPattern(p, M.pattern)
	-- ARP: answer the relay's request for VR_GW_IP.
	pktgen.process(p, "on")

	if M.relay_mac ~= nil then
		pktgen.set_mac(p, "dst", M.relay_mac)
		pktgen.range.dst_mac(p, "start", M.relay_mac)
	end
	pktgen.range.set_type(p, "ipv4")
	pktgen.range.ip_proto(p, "udp")
	pktgen.range.src_ip(p, "start", M.phone_ip)
	pktgen.range.src_ip(p, "inc", "0.0.0.0")
	pktgen.range.src_ip(p, "min", M.phone_ip)
	pktgen.range.src_ip(p, "max", M.phone_ip)
	pktgen.range.dst_ip(p, "start", M.relay_ip)
	pktgen.range.dst_ip(p, "inc", "0.0.0.0")
	pktgen.range.dst_ip(p, "min", M.relay_ip)
	pktgen.range.dst_ip(p, "max", M.relay_ip)
	pktgen.range.src_port(p, "start", 10000)
	pktgen.range.src_port(p, "inc", 1)
	pktgen.range.src_port(p, "min", 10000)
	pktgen.range.src_port(p, "max", 10000 + n - 1)
	pktgen.range.dst_port(p, "start", 20000)
	pktgen.range.dst_port(p, "inc", 2)
	pktgen.range.dst_port(p, "min", 20000)
	pktgen.range.dst_port(p, "max", 20000 + 2 * (n - 1))
	pktgen.range.ttl(p, "start", 64)
	pktgen.range.ttl(p, "inc", 0)
	pktgen.range.pkt_size(p, "start", size)
	pktgen.range.pkt_size(p, "inc", 0)
	pktgen.range.pkt_size(p, "min", size)
	pktgen.range.pkt_size(p, "max", size)
	pktgen.set_range(p, "on")
	print(string.format("vr-rtp: port %s: %d streams (%d calls) to %s ports 20000-%d " ..
		"from %s ports 10000-%d, %d-byte frames", p, n, n / 2, M.relay_ip,
		20000 + 2 * (n - 1), M.phone_ip, 10000 + n - 1, M.frame))
end

local function counts()
	local s = pktgen.portStats(M.port, "port")[tonumber(M.port)]
	return s.opackets, s.ipackets
end

-- pktgen's port counters are a snapshot its stats timer takes once a second.
-- Waits for a fresh one, then until nothing more comes back (what the relay
-- still holds is counted with the trial that sent it), at most 5 s.
local function drain()
	pktgen.delay(1100)
	local _, last = counts()
	for _ = 1, 4 do
		pktgen.delay(1100)
		local _, now = counts()
		if now == last then
			return
		end
		last = now
	end
end

-- Sends every stream a few times at a low rate so that the relay latches
-- both legs of every call before anything is measured: until then, the
-- first packets of a call are dropped as peer_unlatched.
function M.latch()
	pktgen.set(M.port, "rate", 1)
	pktgen.start(M.port)
	pktgen.delay(2000)
	pktgen.stop(M.port)
	drain()
end

-- Sends at RATE percent of the link for MS milliseconds; returns packets
-- sent and received per second, the loss in percent, and the two counts.
function M.trial(rate, ms)
	local o0, i0 = counts()
	pktgen.set(M.port, "rate", rate)
	pktgen.start(M.port)
	pktgen.delay(ms)
	pktgen.stop(M.port)
	drain()
	local o1, i1 = counts()
	local sent, got = o1 - o0, i1 - i0
	local loss = 0
	if sent > 0 then
		loss = 100 * (sent - got) / sent
	end
	return sent * 1000 / ms, got * 1000 / ms, loss, sent, got
end

return M
