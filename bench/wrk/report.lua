-- Shared by every wrk script: counts each response's status, whether it came from the API's
-- memory (an Age header) and whether a replica answered it (Served-By, in the cluster), then
-- writes one JSON line of results to $WRK_REPORT.
local threads = {}
statuses, from_memory, from_replica = {}, 0, 0

function setup(thread)
  threads[#threads + 1] = thread
  if thread_setup then thread_setup(thread) end -- a script's own per-thread setup
end

-- Seeds math.random from /dev/urandom. A seed of os.time() and os.clock() can repeat itself
-- across the warm-up and measured runs of a scenario (seconds apart, microseconds of CPU alike),
-- and a measured run then creates the article slugs its warm-up took: a 409 (one in the
-- 1,000,000 run of 244fb60's update-article).
function seed_random()
  local urandom = assert(io.open("/dev/urandom", "rb"))
  local bytes = urandom:read(4)
  urandom:close()
  math.randomseed(((bytes:byte(1) * 256 + bytes:byte(2)) * 256 + bytes:byte(3)) * 256 + bytes:byte(4))
end

-- Scripts with a response function of their own call this from it.
function count_response(status, headers)
  statuses[status] = (statuses[status] or 0) + 1
  if headers["Age"] or headers["age"] then from_memory = from_memory + 1 end
  local served_by = headers["Served-By"] or headers["served-by"]
  if served_by and served_by:sub(1, 7) == "replica" then from_replica = from_replica + 1 end
end

response = count_response

function done(summary, latency, requests)
  local errors = summary.errors
  local counts, cached, replicated = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + count end
    cached = cached + thread:get("from_memory")
    replicated = replicated + thread:get("from_replica")
  end
  local parts = {}
  for status, count in pairs(counts) do parts[#parts + 1] = string.format('"%d":%d', status, count) end
  local out = assert(io.open(os.getenv("WRK_REPORT"), "w"))
  out:write(string.format(
    '{"requests":%d,"durationUs":%d,"socketErrors":%d,"httpErrors":%d,"p50Us":%d,"p99Us":%d,"statuses":{%s},"fromMemory":%d,"fromReplica":%d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99), table.concat(parts, ","), cached, replicated))
  out:close()
end
