-- wrk script for bench/compare.sh: POSTs one JSON-RPC request (BENCH_BODY) with the MCP headers and
-- the bearer token read from BENCH_TOKEN_FILE (never from the command line), checks every answer
-- (HTTP 200, and no JSON-RPC `error` or `isError: true` in the body: a fast error is not a result),
-- and prints one machine-readable RESULT line, plus one SAMPLE of the first bad answer.
--
-- The check must cost wrk less than the servers' answers cost them, or the table measures wrk: a
-- plain `string.find` for a pattern starting with `"` stops at every quote of the body (LuaJIT finds
-- the first character with memchr, then compares), which for a 10 KB `tools/list` page was 35 us of
-- wrk's CPU per answer, more than db-server spent making it. So: a JSON-RPC error is looked for
-- where it is written, at the top of the response object (`{"jsonrpc":"2.0","id":1,"error":`, from
-- our servers and from the TypeScript SDK alike; within the first 96 bytes, SSE framing included),
-- and `isError: true` anywhere in the body by its rarer tail `Error":true` (a capital `E` is rare in
-- JSON, so the search is fast; any other `...Error":true` also counts as bad, which errs on the
-- safe side).
local file = assert(io.open(os.getenv("BENCH_TOKEN_FILE"), "r"))
local token = file:read("*l")
file:close()

wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

bad = 0
sample = nil
function response(status, headers, body)
  if status ~= 200
    or string.find(string.sub(body, 1, 96), '"error":', 1, true)
    or string.find(body, 'Error":true', 1, true) then
    bad = bad + 1
    if sample == nil then
      sample = status .. " " .. string.sub(body, 1, 400)
    end
  end
end

function done(summary, latency, requests)
  local errors, first = 0, nil
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("bad")
    first = first or thread:get("sample")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors, e.connect + e.read + e.write + e.timeout))
  if first then
    io.write("SAMPLE " .. string.gsub(first, "\n", " ") .. "\n")
  end
end
