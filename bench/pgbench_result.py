#!/usr/bin/env python3
"""pgbench's figures in the shape of a scenario's, from the transactions that ended after
measured_from (epoch seconds; the run's first seconds settle it): transactions/s, latency
percentiles from its per-transaction logs, failures (of the whole run) and PostgreSQL CPU
seconds. Arguments: workdir pg_cpu_seconds (from measured_from to the end) measured_from."""
import glob, json, re, sys
work, measured_from = sys.argv[1], float(sys.argv[3])
out = open(f"{work}/pgbench.out").read()
# A log line: client, transaction, latency µs, script, end time (epoch seconds, µs).
ended = [(int(f[4]) + int(f[5]) / 1e6, int(f[2])) for path in glob.glob(f"{work}/pgbench.*") if not path.endswith(".out")
         for f in (line.split() for line in open(path))]
measured = [(end, latency) for end, latency in ended if end >= measured_from]
latencies = sorted(latency for _, latency in measured)
tps = len(measured) / (max(end for end, _ in measured) - measured_from)
failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out)) else 0
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]
json.dump({"requests": len(latencies), "rps": tps, "p50Us": pct(50), "p99Us": pct(99), "errors": failed,
           "apiCpuSeconds": 0, "pgCpuSeconds": float(sys.argv[2])}, open(f"{work}/pgbench.json", "w"))
