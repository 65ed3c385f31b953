-- wrk -s get.lua URL -- FILE PREFIX [SUFFIX] [etag|unique|browser]
-- Each request GETs PREFIX .. (first field of a random line of FILE) .. SUFFIX; with "etag", the
-- line's second (tab-separated) field is sent as If-None-Match; with "unique", a random excluded
-- word is added (" -zq123…": the same matches, a URL no cache has seen); with "browser", the
-- Accept-Encoding a current browser sends.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")

local lines, prefix, suffix, send_etag, unique, browser = {}, "", "", false, false, false

function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  prefix, suffix = args[2] or "", args[3] or ""
  send_etag, unique, browser = args[4] == "etag", args[4] == "unique", args[4] == "browser"
  seed_random()
end

function request()
  local key, etag = lines[math.random(#lines)]:match("^([^\t]*)\t?(.*)$")
  local headers = nil
  if send_etag then headers = { ["If-None-Match"] = etag } end
  if browser then headers = { ["Accept-Encoding"] = "gzip, deflate, br, zstd" } end
  if unique then key = key .. "%20-zq" .. math.random(1, 1000000000) end
  return wrk.format("GET", prefix .. key .. suffix, headers)
end
