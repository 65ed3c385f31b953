#!/usr/bin/env python3
"""pgbench's figures in the shape of a scenario's, from the transactions that ended after
measured_from (epoch seconds; the run's first seconds settle it): transactions/s, latency
percentiles from its per-transaction logs, failures (of the whole run), PostgreSQL CPU seconds,
what the whole machine spent from measured_from, and pgbench's own CPU (bench/machine_cpu.py),
counted over its whole run and scaled to the measured transactions.
Arguments: workdir pg_cpu_seconds (from measured_from to the end) measured_from
pgbench_cpu_before pgbench_cpu_after machine_before machine_after."""
import glob, json, re, sys
from machine_cpu import machine_and_load
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
machine = machine_and_load(*sys.argv[4:8])
machine["loadCpuSeconds"] *= len(measured) / max(len(ended), 1)
json.dump({"requests": len(latencies), "rps": tps, "p50Us": pct(50), "p99Us": pct(99), "errors": failed,
           "apiCpuSeconds": 0, "pgCpuSeconds": float(sys.argv[2]), **machine}, open(f"{work}/pgbench.json", "w"))
