-- wrk script: replays a pool of pre-signed deliveries (see make_pool.py), each thread its own slice,
-- so every request carries a distinct webhook-id and is a fresh, fully verified delivery.
-- Usage: POOL=/tmp/pool.tsv wrk -t2 -c32 -d10s --latency -s signed.lua http://127.0.0.1:8787
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

function init(args)
  -- setup() ran in the main state; each thread learns the thread count from the environment.
  local total = tonumber(os.getenv("THREADS") or "2")
  requests = {}
  local n = 0
  local file = assert(io.open(os.getenv("POOL"), "r"))
  for line in file:lines() do
    if n % total == index then
      local id, ts, sig, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/webhooks/events", {
        ["Content-Type"] = "application/json",
        ["webhook-id"] = id,
        ["webhook-timestamp"] = ts,
        ["webhook-signature"] = sig,
      }, body)
    end
    n = n + 1
  end
  file:close()
  position = 0
end

function request()
  position = position + 1
  if position > #requests then position = 1 end  -- wraps: later requests would be duplicates
  return requests[position]
end
