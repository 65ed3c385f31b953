#!/usr/bin/env python3
"""PostgreSQL's CPU seconds over a window, from /proc: the postmaster's, and each child's
share within the window. A backend that exits is counted by the kernel in the postmaster's
reaped-children time with all its CPU since it started; taken as it is, a pooled connection
closed during a scenario charged the scenario with everything its backend had ever done.
  pg_cpu.py snapshot POSTMASTER_PID FILE   records where the window starts
  pg_cpu.py since POSTMASTER_PID FILE      prints the CPU seconds since that snapshot
A child that exited and was reaped within the window counts its CPU after the snapshot (all of
it if it started after); one that exited but is not reaped yet is missed, which a short wait
before `since` avoids."""
import json, os, sys

TICKS = os.sysconf("SC_CLK_TCK")


def stat(pid):
    """utime, stime, cutime and cstime of a process, in ticks (None once it has gone)."""
    try:
        text = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after the command, which may hold spaces
    return [int(f) for f in fields[11:15]]


def children(postmaster):
    found = {}
    for task in os.listdir(f"/proc/{postmaster}/task"):
        try:
            pids = open(f"/proc/{postmaster}/task/{task}/children").read().split()
        except OSError:
            continue
        for pid in pids:
            ticks = stat(pid)
            if ticks is not None:
                found[pid] = ticks[0] + ticks[1]
    return found


def snapshot(postmaster):
    own = stat(postmaster)
    return {"own": own[0] + own[1], "reaped": own[2] + own[3], "children": children(postmaster)}


def main():
    command, postmaster, path = sys.argv[1:4]
    now = snapshot(postmaster)
    if command == "snapshot":
        json.dump(now, open(path, "w"))
        return
    before = json.load(open(path))
    live = sum(ticks - before["children"].get(pid, 0) for pid, ticks in now["children"].items())
    # Reaped in the window: their whole lives, less what they had spent before it.
    reaped = now["reaped"] - before["reaped"] - sum(
        ticks for pid, ticks in before["children"].items() if pid not in now["children"])
    print((now["own"] - before["own"] + live + reaped) / TICKS)


main()
