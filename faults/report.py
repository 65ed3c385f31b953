#!/usr/bin/env python3
"""Figures of the fault scenarios from faults/run.sh's work folder, as a Markdown table.
    report.py WORKDIR"""
import json, os, sys

work = sys.argv[1]
rows = []

restart = json.load(open(os.path.join(work, "restart.json")))
window = json.load(open(os.path.join(work, "restart-window.json")))
stored = json.load(open(os.path.join(work, "restart-stored.json")))
attempts = restart["attempts"]
failures = [a for a in attempts if a["status"] != 200 and a["status"] != 202]
outside = [a for a in failures if not (window["down"] <= a["at"] <= window["up"] + 5)]
not_problem = [a for a in failures if not (a["status"] == 503 and a["problem"] and a["retryAfter"])]
first_success = min((a["at"] for a in attempts if a["status"] in (200, 202) and a["at"] >= window["up"]), default=None)
rows += [
    ("PostgreSQL fast restart under load", "requests (reads + comment POSTs)", len(attempts), ""),
    ("", "outage (stop to ready)", f"{window['up'] - window['down']:.2f} s", ""),
    ("", "failed requests", len(failures), "only inside the outage"),
    ("", "failures outside the outage (+5 s)", len(outside), "0"),
    ("", "failures that are not a 503 problem with Retry-After", len(not_problem), "0"),
    ("", "acknowledged comments / stored afterwards", f"{len(restart['acknowledged'])} / {stored['present']}", "equal"),
    ("", "duplicate comments", stored["duplicates"], "0"),
    ("", "first success after the database was ready",
     f"{first_success - window['up']:.2f} s" if first_success else "none", "≤ 5 s"),
]

down = json.load(open(os.path.join(work, "down.json")))
rows += [
    (f"database down {down['seconds']} s", "/health/ready while down", ", ".join(sorted(set(map(str, down["ready"])))), "503"),
    ("", "/health/live while down", ", ".join(sorted(set(map(str, down["live"])))), "200"),
    ("", "article GET while down", ", ".join(sorted(set(map(str, down["article"])))), "503 + Retry-After"),
    ("", "ready again after the database started", f"{down['readyAfter']:.2f} s" if down["readyAfter"] is not None else "never", "no restart needed"),
]

sigterm = json.load(open(os.path.join(work, "sigterm.json")))
term = json.load(open(os.path.join(work, "sigterm-window.json")))
sigterm_probe = json.load(open(os.path.join(work, "sigterm-probe.json")))
draining = [a for a in sigterm["attempts"] if term["term"] <= a["at"] < term["exited"] - 0.5]
http_errors = [a for a in sigterm["attempts"] if a["status"] >= 500 or (0 < a["status"] < 200)]
# The listener closes when the drain ends: a connection reset before that cut a request the
# server had; one opened after it (still in the backlog) was never accepted, like a refusal.
closing = term["term"] + term["drainSeconds"]
cut = [a for a in sigterm["attempts"] if a["status"] == 0 and "refused" not in a["body"].lower() and a["at"] < closing]
refused = [a for a in sigterm["attempts"] if a["status"] == 0 and a not in cut]
ready_after_term = [code for at, code in zip(sigterm_probe["readyAt"], sigterm_probe["ready"]) if term["term"] + 0.05 <= at < term["exited"]]
served_while_draining = sum(1 for a in draining if a["status"] in (200, 202))
rows += [
    ("SIGTERM under load", "exit code", term["exitCode"], "0"),
    ("", "SIGTERM to exit", f"{term['exited'] - term['term']:.2f} s", f"drain ({term['drainSeconds']} s) + in-flight"),
    ("", "/health/ready after SIGTERM", ", ".join(sorted(set(map(str, ready_after_term)))) or "not probed", "503"),
    ("", "requests served while draining", f"{served_while_draining} of {len(draining)}", "all"),
    ("", "5xx answers / requests cut before the listener closed", f"{len(http_errors)} / {len(cut)}", "0 / 0"),
    ("", "connections refused or reset once the listener closed", len(refused), "(expected: no balancer here)"),
]

start_down = json.load(open(os.path.join(work, "start-down.json")))
rows += [
    ("API started with the database down", "live after launch", f"{start_down['liveAfter']:.2f} s" if start_down["liveAfter"] is not None else "never", "starts anyway"),
    ("", "/health/ready while down", ", ".join(sorted(set(map(str, start_down["ready"])))), "503"),
    ("", "/health/live while down", ", ".join(sorted(set(map(str, start_down["live"])))), "200"),
    ("", "ready after the database started", f"{start_down['readyAfter']:.2f} s" if start_down["readyAfter"] is not None else "never", "no restart needed"),
]

def load(name):
    return json.load(open(os.path.join(work, name)))


def statuses(results):
    return ", ".join(f"{code} ×{sum(1 for r in results if r['status'] == code)}" for code in sorted({r["status"] for r in results}))


def unavailable(results):
    return all(r["status"] == 503 and r["problem"] and r["retryAfter"] for r in results)


locked_writes, locked_reads, pool = load("locked-writes.json"), load("locked-reads.json"), load("pool.json")
slots, slots_after = load("slots.json"), load("slots-after.json")
rows += [
    ("comments table locked 8 s", "comment POSTs", statuses(locked_writes), "503 problem + Retry-After at the lock timeout (12 run at once); those that waited their turn: 202 once the lock is gone, or 503"),
    ("", "slowest comment POST", f"{max(r['seconds'] for r in locked_writes):.2f} s", "≤ 2 × lock timeout"),
    ("", "article reads", statuses(locked_reads), "200"),
    ("", "slowest article read", f"{max(r['seconds'] for r in locked_reads):.2f} s", "fast: blocked writes never hold every connection"),
    ("pool exhausted (articles locked 10 s, 48 reads)", "answers", statuses(pool), "503 problem + Retry-After"),
    ("", "slowest answer", f"{max(r['seconds'] for r in pool):.2f} s", "≤ lock timeout: the reads' shared statements wait for the lock, the reads queued behind them fail with them"),
    ("no connection slots left (48 reads at once)", "answers", statuses(slots), "503 problem + Retry-After, no 500"),
    ("", "slowest answer", f"{max(r['seconds'] for r in slots):.2f} s", "fast: a refusal is not a wait"),
    ("", "after the slots came back (16 reads)", statuses(slots_after), "200"),
]

print("| scenario | figure | value | expected |")
print("|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(str(cell) for cell in row) + " |")

ok = not outside and not not_problem and stored["present"] == len(restart["acknowledged"]) and stored["duplicates"] == 0 \
    and first_success is not None and first_success - window["up"] <= 5 \
    and set(down["ready"]) == {503} and set(down["live"]) == {200} and down["readyAfter"] is not None \
    and term["exitCode"] == 0 and set(ready_after_term) <= {503} and served_while_draining == len(draining) \
    and not http_errors and not cut and start_down["liveAfter"] is not None \
    and set(start_down["ready"]) == {503} and set(start_down["live"]) == {200} and start_down["readyAfter"] is not None \
    and unavailable([r for r in locked_writes if r["status"] != 202]) and sum(1 for r in locked_writes if r["status"] == 503) >= 12 \
    and all(r["status"] == 200 for r in locked_reads) and max(r["seconds"] for r in locked_reads) < 1 and unavailable(pool) \
    and max(r["seconds"] for r in pool) < 5 \
    and unavailable(slots) and max(r["seconds"] for r in slots) < 2 and all(r["status"] == 200 for r in slots_after)
sys.exit(0 if ok else 1)
