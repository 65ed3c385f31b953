-- wrk -s post_comment.lua URL -- SLUG_FILE
-- Posts comments with unique emails and bodies to random articles, each from its own client
-- address (X-Forwarded-For, believed from the bench's loopback proxy): the production path, with
-- flood control and the per-address limit on.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local slugs, counter, tag, first_address = {}, 0, "", 0
-- Each thread of each run posts from its own block of 2^20 addresses of 10.0.0.0/8: the warm-up
-- in the lower half, the measured run in the upper (BENCH_PHASE, set by bench/run.sh), up to 8
-- threads each. Blocks from the clock collided when the measured run started ~10 s after the
-- warm-up: its first thread reused the second's addresses, and flood control refused 1,200
-- comments (429) at 1,000,000 articles.
local ADDRESSES_PER_THREAD = 0x100000
local threads = 0

-- Runs in the main state once per thread: a distinct id for each, so that threads seeded at
-- the same instant still post distinct emails and bodies.
function thread_setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  for line in io.lines(args[1]) do slugs[#slugs + 1] = line:match("^([^\t]*)") end
  seed_random()
  tag = string.format("%d-%08x", thread_id, math.random(0, 0x7fffffff))
  local half = os.getenv("BENCH_PHASE") == "warmup" and 0 or 1
  first_address = (half * 8 + (thread_id - 1) % 8) * ADDRESSES_PER_THREAD
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"authorName":"Bench %s","authorEmail":"bench-%s-%d@example.com","body":"Benchmark comment %s %d on shared security cooperation."}',
    tag, tag, counter, tag, counter)
  local n = first_address + counter % ADDRESSES_PER_THREAD
  local address = string.format("10.%d.%d.%d", math.floor(n / 65536), math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", "/v1/articles/" .. slugs[math.random(#slugs)] .. "/comments",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address }, body)
end
