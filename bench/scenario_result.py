#!/usr/bin/env python3
"""One scenario's figures: wrk's JSON report (bench/wrk/report.lua) with requests/s, the status
of every response, how many came from the API's memory, the CPU seconds the API and
PostgreSQL spent, and those wrk itself and the whole machine spent (bench/machine_cpu.py). A
status the scenario does not expect counts as an error.
Arguments: wrk.json out.json expected_statuses(comma-separated) api_cpu_after api_cpu_before
pg_cpu_seconds api_peak_rss_kb wrk_cpu_before wrk_cpu_after machine_before machine_after."""
import json, sys
from machine_cpu import machine_and_load
r = json.load(open(sys.argv[1]))
expected = set(sys.argv[3].split(","))
r["rps"] = r["requests"] / (r["durationUs"] / 1e6)
r["unexpectedStatuses"] = {status: count for status, count in r["statuses"].items() if status not in expected}
r["errors"] = r["socketErrors"] + sum(r["unexpectedStatuses"].values())
r["apiCpuSeconds"] = float(sys.argv[4]) - float(sys.argv[5])
r["pgCpuSeconds"] = float(sys.argv[6])
r["apiPeakRssMb"] = int(sys.argv[7]) // 1024
r.update(machine_and_load(*sys.argv[8:12]))
json.dump(r, open(sys.argv[2], "w"))
