-- wrk: POST BODY with TOKEN (as post.lua), and count the realtime batch sizes Ferry reports in
-- Server-Timing (batch;dur=…;desc="n"); done() prints "batch sizes: n×calls ..." over all threads.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
if os.getenv("TOKEN") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sizes = {}
end

function response(status, headers, body)
  local timing = headers["Server-Timing"] or headers["server-timing"]
  local n = timing and timing:match('desc="(%d+)"')
  if n then
    sizes[n] = (sizes[n] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, calls, weighted = {}, 0, 0
  for _, thread in ipairs(threads) do
    for n, count in pairs(thread:get("sizes")) do
      total[tonumber(n)] = (total[tonumber(n)] or 0) + count
    end
  end
  local keys = {}
  for n, count in pairs(total) do
    table.insert(keys, n)
    calls = calls + count
    weighted = weighted + n * count
  end
  table.sort(keys)
  local parts = {}
  for _, n in ipairs(keys) do
    table.insert(parts, string.format("%d:%.1f%%", n, 100 * total[n] / calls))
  end
  io.write(string.format("batch sizes (size:share of calls): %s; mean batch a call ran in: %.1f\n", table.concat(parts, " "), weighted / math.max(calls, 1)))
end
