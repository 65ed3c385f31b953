-- Shared by every wrk script: writes one JSON line of results to $WRK_REPORT.
function done(summary, latency, requests)
  local errors = summary.errors
  local out = assert(io.open(os.getenv("WRK_REPORT"), "w"))
  out:write(string.format(
    '{"requests":%d,"durationUs":%d,"socketErrors":%d,"httpErrors":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99)))
  out:close()
end
