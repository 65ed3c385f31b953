#!/usr/bin/env python3
"""Turns the raw results of one ./build.sh bench run into the tables, latest.md and latest.json.

usage: report.py WORKDIR RESULTS_DIR
WORKDIR holds meta.json, pgbench.json, staleness.json, webhook-latency.json and one
<scenario>.json per scenario in on/ (the API with its in-memory cache, the default) and off/
(the same reads with the cache off: the database path alone).
"""
import json
import os
import sys

READS = ["health", "article", "article-304", "article-br", "list", "list-deep", "list-offset-deep", "filter", "search", "hostile-search", "comments"]
ON_ONLY = ["changes-sync", "post-comment", "create-article", "update-article", "changes"]
WRITES = {"post-comment", "create-article", "update-article"}


def load(workdir, mode, names):
    rows = {}
    for name in names:
        path = os.path.join(workdir, mode, name + ".json")
        if os.path.exists(path):
            rows[name] = json.load(open(path))
    return rows


def figures(rows, pgbench_rps):
    out = []
    for name, r in rows.items():
        requests = max(r["requests"], 1)
        out.append({
            "scenario": name,
            "rps": round(r["rps"], 1),
            "p50Ms": round(r["p50Us"] / 1000, 3),
            "p99Ms": round(r["p99Us"] / 1000, 3),
            "errors": r["errors"],
            "statuses": r.get("statuses"),
            "fromMemoryShare": round(r.get("fromMemory", 0) / requests, 3) if "statuses" in r else None,
            "ratioToPgbench": round(r["rps"] / pgbench_rps, 3) if pgbench_rps else None,
            "apiCpuUsPerRequest": round(r["apiCpuSeconds"] * 1e6 / requests, 1) if name != "pgbench" else None,
            "pgCpuUsPerRequest": round(r["pgCpuSeconds"] * 1e6 / requests, 1),
            "apiPeakRssMb": r.get("apiPeakRssMb"),
            **machine_figures(r, requests),
        })
    return out


def machine_figures(r, requests):
    """Where the rest of the machine's CPU went: the load generator's own (wrk, or pgbench), the
    other processes' (the kernel's threads included) a request, and the shares of all the cores'
    time left idle and taken by the hypervisor for other guests (steal)."""
    if "machineBusySeconds" not in r:
        return {"loadCpuUsPerRequest": None, "otherCpuUsPerRequest": None, "idleShare": None, "stealShare": None}
    cores_seconds = max(r["machineBusySeconds"] + r["machineIdleSeconds"] + r["machineStealSeconds"], 1e-9)
    other = r["machineBusySeconds"] - r["apiCpuSeconds"] - r["pgCpuSeconds"] - r["loadCpuSeconds"]
    return {
        "loadCpuUsPerRequest": round(r["loadCpuSeconds"] * 1e6 / requests, 1),
        "otherCpuUsPerRequest": round(other * 1e6 / requests, 1),
        "idleShare": round(r["machineIdleSeconds"] / cores_seconds, 3),
        "stealShare": round(r["machineStealSeconds"] / cores_seconds, 3),
    }


def table(title, rows):
    header = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "from memory", "× pgbench", "API CPU µs/req", "PG CPU µs/req",
              "load CPU µs/req", "other CPU µs/req", "idle", "steal", "API peak RSS MB"]
    lines = [title, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row["scenario"], f"{row['rps']:.0f}", f"{row['p50Ms']:.2f}", f"{row['p99Ms']:.2f}", str(row["errors"]),
                 "" if row["fromMemoryShare"] is None else f"{row['fromMemoryShare']:.0%}",
                 "" if row["ratioToPgbench"] is None else f"{row['ratioToPgbench']:.2f}",
                 "" if row["apiCpuUsPerRequest"] is None else f"{row['apiCpuUsPerRequest']:.0f}",
                 f"{row['pgCpuUsPerRequest']:.0f}",
                 *("" if row[key] is None else f"{row[key]:.0f}" for key in ("loadCpuUsPerRequest", "otherCpuUsPerRequest")),
                 *("" if row[key] is None else f"{row[key]:.0%}" for key in ("idleShare", "stealShare")),
                 "" if row["apiPeakRssMb"] is None else str(row["apiPeakRssMb"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(on, off, meta, staleness):
    checks = []

    def check(label, ok):
        if ok is not None:
            checks.append((label, bool(ok)))

    for mode, by, article_pg, ratio_304, read_ratio, search_ratio in (
            ("cache on", on, 1.5, 2.0, 0.8, 0.5), ("cache off", off, 0.45, 1.5, 0.6, 0.2)):
        a = by.get("article")
        if not a:
            continue
        check(f"{mode}: article >= {article_pg} x pgbench", a["ratioToPgbench"] is not None and a["ratioToPgbench"] >= article_pg)
        if "article-304" in by:
            check(f"{mode}: article-304 >= {ratio_304} x article", by["article-304"]["rps"] >= ratio_304 * a["rps"])
        for name in ("list", "list-deep", "filter", "comments"):
            if name in by:
                check(f"{mode}: {name} >= {read_ratio} x article", by[name]["rps"] >= read_ratio * a["rps"])
        if "search" in by:
            check(f"{mode}: search >= {search_ratio} x article", by["search"]["rps"] >= search_ratio * a["rps"])
        if "hostile-search" in by:
            check(f"{mode}: hostile-search (article reads beside 64 costly searches) p99 <= 3 x article p99",
                  by["hostile-search"]["p99Ms"] <= 3 * a["p99Ms"])
    if off.get("article"):
        check("cache off: article API CPU <= 80 us/request", off["article"]["apiCpuUsPerRequest"] <= 80)
        if "search" in off:
            check("cache off: search p99 <= 10 x article p99", off["search"]["p99Ms"] <= 10 * off["article"]["p99Ms"])
    for name in sorted(WRITES & set(on)):
        check(f"{name} 0 errors", on[name]["errors"] == 0)
    check("0 errors in every read scenario", all(r["errors"] == 0 for by in (on, off) for n, r in by.items() if n not in WRITES))
    if meta.get("apiPeakRssMb") is not None:
        check("API peak RSS <= 300 MB (cache on)", meta["apiPeakRssMb"] <= 300)
    if staleness:
        check("staleness p99 <= 50 ms", staleness["p99Ms"] <= 50)
    return checks


def main():
    workdir, results_dir = sys.argv[1], sys.argv[2]
    meta = json.load(open(os.path.join(workdir, "meta.json")))
    pgbench = json.load(open(os.path.join(workdir, "pgbench.json")))

    def optional(name):
        path = os.path.join(workdir, name)
        return json.load(open(path)) if os.path.exists(path) else None

    staleness, hooks = optional("staleness.json"), optional("webhook-latency.json")
    on_rows = figures({**load(workdir, "on", READS + ON_ONLY), "pgbench": pgbench}, pgbench["rps"])
    off_rows = figures({**load(workdir, "off", READS), "pgbench": pgbench}, pgbench["rps"])
    on = {row["scenario"]: row for row in on_rows}
    off = {row["scenario"]: row for row in off_rows}
    checks = targets(on, off, meta, staleness)

    peak = meta.get("apiPeakRssMb")
    lines = [
        f"ContentApi bench: {meta['articles']} articles, {meta['comments']} comments, {meta['connections']} connections, "
        f"{meta['duration']} s per scenario after {meta['warmup']} s warm-up (the API and pgbench settled {meta['settle']} s first); load {meta['loadSeconds']} s (then a checkpoint, {meta.get('checkpointSeconds')} s), "
        f"database {meta.get('databaseMb')} MB; API peak RSS {peak} MB (cache on); PostgreSQL's shared buffers {meta.get('sharedBuffersMb')} MB, huge pages: {meta.get('hugePages')}",
        "",
        "\"from memory\": the share of 200s the API served from its in-memory cache (an Age header; a 304 from memory has none,",
        "but then PostgreSQL spends nothing on it). The API, PostgreSQL and the load share the machine's cores: \"load\" is",
        "the load generator's own CPU (wrk's; for the pgbench row, pgbench's), \"other\" what the rest of the machine spent",
        "(the kernel's threads, other processes) a request, \"idle\" and \"steal\" the shares of all the cores' time left idle",
        "and taken by the hypervisor for other guests.",
        "",
    ]
    lines += table("Cache on (the default):", on_rows)
    lines += [""]
    lines += table("Cache off (OutputCache:Enabled=false: the database path alone):", off_rows)
    unexpected = [(mode, row) for mode, rows in (("on", on_rows), ("off", off_rows)) for row in rows
                  if row["statuses"] and row["errors"] > 0]
    if unexpected:
        lines += ["", "Scenarios with statuses they do not expect (counted as errors):"]
        lines += [f"- {row['scenario']} (cache {mode}): {row['statuses']}" for mode, row in unexpected]
    if staleness:
        lines += ["", f"Staleness, from a commit by SQL to the first read on another connection that returns it, beside read load "
                      f"({staleness['writes']} writes, {staleness['cachedBeforeWrite']} of them to an article then served from memory): "
                      f"p50 {staleness['p50Ms']} ms, p99 {staleness['p99Ms']} ms, max {staleness['maxMs']} ms"]
    if hooks:
        lines += ["", f"Webhook delivery latency, from a write's 201 to the loopback receiver ({hooks['delivered']} of {hooks['writes']} "
                      f"writes): p50 {hooks['p50Ms']} ms, p99 {hooks['p99Ms']} ms, max {hooks['maxMs']} ms; from the write's request "
                      f"(an upper bound: the write itself included): p50 {hooks.get('fromSendP50Ms')} ms, p99 {hooks.get('fromSendP99Ms')} ms"]
    lines += ["", "Targets (ratios from this run):"]
    lines += [f"- [{'x' if ok else ' '}] {label}" for label, ok in checks]
    text = "\n".join(lines) + "\n"
    print(text)

    os.makedirs(results_dir, exist_ok=True)
    open(os.path.join(results_dir, "latest.md"), "w").write(text)
    json.dump({
        "articles": meta["articles"], "comments": meta["comments"], "connections": meta["connections"],
        "durationSeconds": meta["duration"], "loadSeconds": meta["loadSeconds"], "checkpointSeconds": meta.get("checkpointSeconds"), "databaseMb": meta.get("databaseMb"),
        "apiPeakRssMb": peak, "hugePages": meta.get("hugePages"), "sharedBuffersMb": meta.get("sharedBuffersMb"), "cacheOn": on_rows, "cacheOff": off_rows, "staleness": staleness, "webhookLatency": hooks,
        "targets": [{"target": label, "met": ok} for label, ok in checks],
    }, open(os.path.join(results_dir, "latest.json"), "w"), indent=2)

    # The harness fails when a read could not be measured as asked: a read scenario with socket
    # errors or a status it does not expect. Those of the writes show above and as unmet targets.
    failed_reads = [f"{row['scenario']} (cache {mode})" for mode, rows in (("on", on_rows), ("off", off_rows)) for row in rows
                    if row["scenario"] not in WRITES and row["scenario"] != "pgbench" and row["errors"] > 0]
    if failed_reads:
        print("read scenarios with errors: " + ", ".join(failed_reads), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
