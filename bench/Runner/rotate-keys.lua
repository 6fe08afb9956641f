-- wrk script: POSTs one chat completion per request, rotating Authorization over the keys in the file
-- given as the first script argument; further arguments are extra "Name: value" headers.
-- Requests are formatted once per key in init() so that Lua costs wrk almost nothing per request.
local counter = 0
local requests = {}
local index = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for i = 2, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  local body = '{"model":"bench-model","messages":[{"role":"user","content":"Say hello."}],"max_tokens":16}'
  for key in io.lines(args[1]) do
    headers["Authorization"] = "Bearer " .. key
    requests[#requests + 1] = wrk.format("POST", wrk.path, headers, body)
  end
  -- Threads start far apart in the key list so they do not hit the same keys in step.
  index = math.floor(((thread_number - 1) * 0.618034) % 1 * #requests)
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d status_errors=%d socket_errors=%d p99_us=%.0f\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(99)))
end
