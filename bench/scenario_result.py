#!/usr/bin/env python3
"""One scenario's figures: wrk's JSON report (bench/wrk/report.lua) with requests/s, the status
of every response, how many came from the API's memory, and the CPU seconds the API and
PostgreSQL spent. A status the scenario does not expect counts as an error.
Arguments: wrk.json out.json expected_statuses(comma-separated) api_cpu_after api_cpu_before
pg_cpu_after pg_cpu_before [api_peak_rss_kb]."""
import json, sys
r = json.load(open(sys.argv[1]))
expected = set(sys.argv[3].split(","))
r["rps"] = r["requests"] / (r["durationUs"] / 1e6)
r["unexpectedStatuses"] = {status: count for status, count in r["statuses"].items() if status not in expected}
r["errors"] = r["socketErrors"] + sum(r["unexpectedStatuses"].values())
r["apiCpuSeconds"] = float(sys.argv[4]) - float(sys.argv[5])
r["pgCpuSeconds"] = float(sys.argv[6])
if len(sys.argv) > 7:
    r["apiPeakRssMb"] = int(sys.argv[7]) // 1024
json.dump(r, open(sys.argv[2], "w"))
