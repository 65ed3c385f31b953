-- wrk -s write_article.lua URL -- create|update KEY
-- create: every request POSTs a new article (unique slug) with links to existing entities.
-- update: each connection (run with as many threads as connections) creates its own article,
-- then replaces it again and again, each PUT with the If-Match of the ETag the last answer gave.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local mode, key, tag, counter, etag, slug = "create", "", "", 0, nil, nil
local threads = 0

function thread_setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  mode, key = args[1], args[2]
  seed_random()
  tag = string.format("%d-%08x", thread_id, math.random(0, 0x7fffffff))
end

local function article(title_suffix)
  local n = math.random(1, 1000)
  return string.format(
    '{"title":"Benchmark article %s","slug":"%s","summary":"Written by the benchmark.","status":"published",' ..
    '"body":[{"type":"paragraph","text":"Security cooperation talks resumed on %s."},{"type":"quote","text":"We work together.","person":"person-%d"}],' ..
    '"people":[{"slug":"person-%d","role":"subject"}],"tags":["tag-%d","tag-%d"],"places":["place-%d"]}',
    title_suffix, slug, title_suffix, n, n, 1 + n % 500, 1 + (n + 1) % 500, 1 + n % 1000)
end

function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
  if mode == "create" or etag == nil then
    slug = string.format("bench-%s-%d", tag, counter)
    return wrk.format("POST", "/v1/articles", headers, article(tag .. " " .. counter))
  end
  headers["If-Match"] = etag
  return wrk.format("PUT", "/v1/articles/" .. slug, headers, article(tag .. " edit " .. counter))
end

function response(status, headers, body)
  count_response(status, headers)
  if status == 200 or status == 201 then
    etag = headers["ETag"] or headers["etag"]
  end
end
