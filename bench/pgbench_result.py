#!/usr/bin/env python3
"""pgbench's figures in the shape of a scenario's: transactions/s, latency percentiles from its
per-transaction logs, failures and PostgreSQL CPU seconds. Arguments: workdir pg_cpu_after pg_cpu_before."""
import glob, json, re, sys
work = sys.argv[1]
out = open(f"{work}/pgbench.out").read()
latencies = sorted(int(line.split()[2]) for path in glob.glob(f"{work}/pgbench.*") if not path.endswith(".out") for line in open(path))
tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))
failed = int(m.group(1)) if (m := re.search(r"number of failed transactions: (\d+)", out)) else 0
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]
json.dump({"requests": len(latencies), "rps": tps, "p50Us": pct(50), "p99Us": pct(99), "errors": failed,
           "apiCpuSeconds": 0, "pgCpuSeconds": float(sys.argv[2]) - float(sys.argv[3])}, open(f"{work}/pgbench.json", "w"))
