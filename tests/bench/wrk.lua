-- wrk script of `make bench`: one request shape from the environment, and a JSON line of the
-- figures at the end (wrk's own latency histogram, so p50/p99 are wrk's).
--   WRK_METHOD   GET (default) or POST
--   WRK_TOKEN    bearer token (optional)
--   WRK_BODY     file whose content is sent as a JSON body (optional)
--   WRK_IDEMPOTENT=1  a fresh Idempotency-Key on every request (thread id + counter), so every
--                POST creates a new proposal instead of replaying the first answer
local method = os.getenv("WRK_METHOD") or "GET"
local token = os.getenv("WRK_TOKEN")
local body_file = os.getenv("WRK_BODY")
local idempotent = os.getenv("WRK_IDEMPOTENT") == "1"
local body = nil
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  body = f:read("*a")
  f:close()
end

local threads = 0
local counter = 0
local prefix = "bench"

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() + (id or 0))
  prefix = string.format("bench-%d-%d-%d", os.time(), id or 0, math.random(1, 1e9))
end

function request()
  local headers = { ["Accept"] = "application/json" }
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body then headers["Content-Type"] = "application/json" end
  if idempotent then
    counter = counter + 1
    headers["Idempotency-Key"] = prefix .. "-" .. counter
  end
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "rps": %.0f, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, non2xx, errors))
end
