-- SPDX-License-Identifier: BSD-3-Clause
--
-- pktgen-dpdk: N concurrent RTP streams toward a voxrelay relay for a fixed
-- time at a fixed rate, then the port's figures. Run it after writing the
-- matching calls with bench/provision.sh; see docs/benchmarking.md.
--
--   VR_STREAMS=2000 VR_RELAY_MAC=... VR_RATE=50 VR_SECONDS=10 \
--     pktgen -l 0,1 -a PCI -- -P -m "1.0" -f bench/pktgen/rtp-streams.lua
--
-- Settings: those of vr-rtp.lua, and
--   VR_RATE     percent of the link's line rate [100]
--   VR_SECONDS  how long to send [10]
--   VR_QUIT     1: quit pktgen at the end [0: stay at its prompt]

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local vr = dofile(dir .. "vr-rtp.lua")

local rate = tonumber(os.getenv("VR_RATE") or "100")
local secs = tonumber(os.getenv("VR_SECONDS") or "10")
if rate == nil or rate <= 0 or rate > 100 then
	error("VR_RATE: '" .. tostring(os.getenv("VR_RATE")) .. "' is not a percentage in (0, 100]")
end
if secs == nil or secs <= 0 or secs > 3600 then
	error("VR_SECONDS: '" .. tostring(os.getenv("VR_SECONDS")) .. "' is not in (0, 3600]")
end

vr.setup()
vr.latch()
local tx, rx, loss, sent, got = vr.trial(rate, math.floor(secs * 1000))
print(string.format("vr-rtp: rate %g%%: sent %d, received %d in %g s: tx %.0f pps, " ..
	"rx %.0f pps, loss %.4f%%", rate, sent, got, secs, tx, rx, loss))
print(string.format("VR_RESULT streams=%d frame=%d rate_pct=%g tx_pps=%.0f rx_pps=%.0f loss_pct=%.4f",
	vr.streams, vr.frame, rate, tx, rx, loss))
if os.getenv("VR_QUIT") == "1" then
	pktgen.quit()
end
