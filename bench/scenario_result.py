#!/usr/bin/env python3
"""One scenario's figures: wrk's JSON report (bench/wrk/report.lua) with requests/s, errors and the
CPU seconds the API and PostgreSQL spent. Arguments: wrk.json out.json api_cpu_after api_cpu_before
pg_cpu_after pg_cpu_before."""
import json, sys
r = json.load(open(sys.argv[1]))
r["rps"] = r["requests"] / (r["durationUs"] / 1e6)
r["errors"] = r["socketErrors"] + r["httpErrors"]
r["apiCpuSeconds"] = float(sys.argv[3]) - float(sys.argv[4])
r["pgCpuSeconds"] = float(sys.argv[5]) - float(sys.argv[6])
json.dump(r, open(sys.argv[2], "w"))
