-- wrk script: POST /analyze with the bench's query mix, round-robin, one request in flight per
-- keep-alive connection (wrk's closed loop), and a JSON summary at the end.
--
--   QUERIES=queries.tsv CLASS=cheap RESULT=out.json \
--     wrk -t2 -c32 -d10s -s bench/wrk/analyze_mix.lua http://127.0.0.1:8080/analyze
--
-- QUERIES: the mix file (CLASS<TAB>QUERY per line, see bench/common/queries.h); CLASS: comma-
-- separated classes to send (empty: all); RESULT: where done() writes the summary (else stdout).
-- The requests are formatted once per thread in init(), so request() only picks the next one.

local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local function wanted(classes, class)
  if classes == nil or classes == "" then return true end
  for c in classes:gmatch("[^,]+") do
    if c == class then return true end
  end
  return false
end

local prepared = {}
local next_index = 1
local threads_set_up = 0

-- Runs in the main state once per thread: numbers the threads so each starts elsewhere in the mix.
function setup(thread)
  thread:set("thread_number", threads_set_up)
  threads_set_up = threads_set_up + 1
end

function init(args)
  local file = os.getenv("QUERIES") or error("QUERIES is not set")
  local classes = os.getenv("CLASS")
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(file) do
    local class, query = line:match("^([^\t#][^\t]*)\t(.+)$")
    if class and wanted(classes, class) then
      local body = '{"query":' .. json_string(query) .. '}'
      prepared[#prepared + 1] = wrk.format("POST", nil, headers, body)
    end
  end
  if #prepared == 0 then error("no query of class '" .. tostring(classes) .. "' in " .. file) end
  -- Threads start at different points of the mix.
  next_index = ((thread_number or 0) * 7919) % #prepared + 1
end

function request()
  local r = prepared[next_index]
  next_index = next_index % #prepared + 1
  return r
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local out = string.format(
    '{"requests": %d, "seconds": %.4f, "rps": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_ms": {"mean": %.4f, "p50": %.4f, "p90": %.4f, "p99": %.4f, "max": %.4f}}\n',
    summary.requests, seconds, summary.requests / seconds,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean / 1e3, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3)
  local path = os.getenv("RESULT")
  if path and path ~= "" then
    local f = assert(io.open(path, "w"))
    f:write(out)
    f:close()
  else
    io.write(out)
  end
end
