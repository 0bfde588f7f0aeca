-- SPDX-License-Identifier: BSD-3-Clause
--
-- pktgen-dpdk: a rate sweep of N concurrent RTP streams through a voxrelay
-- relay. One trial per rate; for each, the packets per second sent and
-- relayed back and the loss, printed as a table and written as CSV; then
-- the highest rate whose loss stayed at or under VR_MAX_LOSS. Run it after
-- writing the matching calls with bench/provision.sh; see
-- docs/benchmarking.md.
--
--   VR_STREAMS=20000 VR_RELAY_MAC=... \
--     pktgen -l 0,1 -a PCI -- -P -m "1.0" -f bench/pktgen/rate-sweep.lua
--
-- Settings: those of vr-rtp.lua, and
--   VR_RATES     percentages of line rate, comma-separated [10,20,...,100]
--   VR_SECONDS   length of each trial [10]
--   VR_MAX_LOSS  loss in percent that still counts as carried [0.001]
--   VR_CSV       where to write the CSV [/tmp/vr-pktgen-sweep.csv]
--   VR_QUIT      1: quit pktgen at the end [0: stay at its prompt]

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local vr = dofile(dir .. "vr-rtp.lua")

local rates = {}
for r in string.gmatch(os.getenv("VR_RATES") or "10,20,30,40,50,60,70,80,90,100", "[^,]+") do
	local v = tonumber(r)
	if v == nil or v <= 0 or v > 100 then
		error("VR_RATES: '" .. r .. "' is not a percentage in (0, 100]")
	end
	rates[#rates + 1] = v
end
local secs = tonumber(os.getenv("VR_SECONDS") or "10")
if secs == nil or secs <= 0 or secs > 3600 then
	error("VR_SECONDS: '" .. tostring(os.getenv("VR_SECONDS")) .. "' is not in (0, 3600]")
end
local max_loss = tonumber(os.getenv("VR_MAX_LOSS") or "0.001")
if max_loss == nil or max_loss < 0 then
	error("VR_MAX_LOSS: '" .. tostring(os.getenv("VR_MAX_LOSS")) .. "' is not a percentage")
end
local csv_path = os.getenv("VR_CSV") or "/tmp/vr-pktgen-sweep.csv"
local csv = assert(io.open(csv_path, "w"))
csv:write("streams,frame,rate_pct,tx_pps,rx_pps,loss_pct\n")

vr.setup()
vr.latch()
print(string.format("%8s %12s %12s %10s", "rate %", "tx pps", "rx pps", "loss %"))
local best = nil
for _, rate in ipairs(rates) do
	local tx, rx, loss = vr.trial(rate, math.floor(secs * 1000))
	print(string.format("%8g %12.0f %12.0f %10.4f", rate, tx, rx, loss))
	csv:write(string.format("%d,%d,%g,%.0f,%.0f,%.4f\n", vr.streams, vr.frame, rate, tx, rx, loss))
	csv:flush()
	if loss <= max_loss and (best == nil or rx > best.rx) then
		best = { rate = rate, rx = rx }
	end
end
csv:close()
if best ~= nil then
	print(string.format("VR_RESULT streams=%d frame=%d carried_rate_pct=%g carried_pps=%.0f csv=%s",
		vr.streams, vr.frame, best.rate, best.rx, csv_path))
else
	print(string.format("VR_RESULT streams=%d frame=%d carried_rate_pct=none csv=%s " ..
		"(every rate lost more than %g%%)", vr.streams, vr.frame, csv_path, max_loss))
end
if os.getenv("VR_QUIT") == "1" then
	pktgen.quit()
end
