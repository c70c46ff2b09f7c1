-- The request mix of bench/soak.sh (a wrk script). Each wrk thread is one caller (its own token,
-- from TOKEN_<n> in the environment, numbered from 1) and cycles through MIX: successful reads,
-- a write refused with 403, requests without a token or with a forged one (401), bad JSON.
-- Counts answers by status and prints them with wrk's socket errors at the end.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("caller", counter)
  table.insert(threads, thread)
end

local function call(name, arguments)
  return string.format(
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":%s}}',
    name, arguments)
end

-- { body, authorization: "token" | "none" | "forged" }
local MIX = {
  { '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', "token" },
  { call("list_tables", "{}"), "token" },
  { call("describe_table", '{"name":"orders"}'), "token" },
  { call("query", '{"sql":"SELECT id, name FROM customers WHERE id = ?","params":[1]}'), "token" },
  { call("query", '{"sql":"SELECT * FROM order_totals LIMIT 20"}'), "token" },
  { call("list_tables", "{}"), "token" },
  { call("execute", '{"sql":"DELETE FROM orders"}'), "token" },          -- 403: db:query only
  { call("list_tables", "{}"), "none" },                                  -- 401
  { '{"jsonrpc":"2.0","id":1,"method":', "token" },                       -- bad JSON
  { call("list_tables", "{}"), "forged" },                                -- 401
}

local requests = {}
statuses = {} -- global: done() reads it from each thread
local next_request = 0

function init(args)
  local token = os.getenv("TOKEN_" .. caller)
  for i, entry in ipairs(MIX) do
    local headers = {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json, text/event-stream",
      ["MCP-Protocol-Version"] = "2025-11-25",
    }
    if entry[2] == "token" then
      headers["Authorization"] = "Bearer " .. token
    elseif entry[2] == "forged" then
      headers["Authorization"] = "Bearer " .. token:sub(1, -5) .. "AAAA"
    end
    requests[i] = wrk.format("POST", nil, headers, entry[1])
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, _)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local keys = {}
  for status in pairs(totals) do table.insert(keys, status) end
  table.sort(keys)
  for _, status in ipairs(keys) do
    io.write(string.format("status %d: %d\n", status, totals[status]))
  end
  local e = summary.errors
  io.write(string.format("requests: %d\n", summary.requests))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
