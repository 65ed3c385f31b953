-- wrk -s post_comment.lua URL -- SLUG_FILE
-- Posts comments with unique emails and bodies to random articles.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local slugs, counter, tag = {}, 0, ""
local threads = 0

-- Runs in the main state once per thread: a distinct id for each, so that threads seeded at
-- the same instant still post distinct emails and bodies.
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  for line in io.lines(args[1]) do slugs[#slugs + 1] = line:match("^([^\t]*)") end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  tag = string.format("%d-%08x", thread_id, math.random(0, 0x7fffffff))
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"authorName":"Bench %s","authorEmail":"bench-%s-%d@example.com","body":"Benchmark comment %s %d on shared security cooperation."}',
    tag, tag, counter, tag, counter)
  return wrk.format("POST", "/v1/articles/" .. slugs[math.random(#slugs)] .. "/comments",
    { ["Content-Type"] = "application/json" }, body)
end
