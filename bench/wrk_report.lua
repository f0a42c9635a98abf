-- wrk script of bench/load.py: counts the answers that are not 2xx (wrk itself counts only
-- status >= 400, so a redirect would pass unnoticed) and prints the run's figures as one JSON
-- line. Runs last a fixed duration: wrk always runs for its -d, so stopping a thread after N
-- answers would not shorten the run, and requests/s would be wrong.

-- Clients: each thread sends its requests from as many addresses as it has connections, in
-- turn, by X-Forwarded-For (the run's gunicorn trusts one proxy, as production behind its TLS
-- proxy does). The API throttles then keep one history per client, as for real visitors,
-- instead of one history of every request of the run. The requests are formatted once, here,
-- so the script adds no per-request work to wrk beyond returning one.

local threads = {}
local next_id = 1
non2xx = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local clients = tonumber(args[1]) or 1
  requests = {}
  for i = 1, clients do
    -- wrk.format sends the headers it is given instead of the -H ones: copy those in.
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["X-Forwarded-For"] = string.format("10.0.%d.%d", id, i)
    requests[i] = wrk.format(nil, nil, headers)
  end
  turn = 0
end

function request()
  turn = turn % #requests + 1
  return requests[turn]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, bad,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
