#!/usr/bin/env python3
"""Staleness of the in-memory cache: 200 articles, each first read until the API serves it from
memory (an Age header), then retitled by SQL in another session (a psql process of its own, as
another instance or a tool would write: no API call tells the cache), then read on another
connection until the new title appears. Each figure is from the moment psql reports the commit
to the first read that returns it. Run beside read load. Writes WORKDIR/staleness.json.

usage: staleness.py BASE_URL ARTICLES_TSV WORKDIR PSQL_COMMAND...
"""
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse

WRITES = 200
base, articles_tsv, workdir, psql = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
address = urllib.parse.urlsplit(base)
slugs = [line.split("\t")[0] for line in open(articles_tsv) if line.strip()]
random.seed(20261130)
chosen = random.sample(slugs, WRITES)

reader = http.client.HTTPConnection(address.hostname, address.port)


def get(path):
    reader.request("GET", path)
    response = reader.getresponse()
    return response.status, response.getheader("Age"), response.read().decode()


writer = subprocess.Popen(psql + ["-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)


def commit(n, slug):
    writer.stdin.write(f"update articles set title = 'Staleness check {n}' where slug = '{slug}';\n\\echo committed {n}\n")
    writer.stdin.flush()
    while True:
        line = writer.stdout.readline()
        if not line:
            sys.exit("psql ended before the write was committed")
        if line.strip() == f"committed {n}":
            return time.monotonic()


delays, polls, never = [], [], 0
for n, slug in enumerate(chosen):
    path = f"/v1/articles/{slug}"
    for _ in range(50):
        status, age, _ = get(path)
        if status != 200:
            sys.exit(f"{path} answered {status}")
        if age is not None:
            break
    else:
        never += 1
    committed = commit(n, slug)
    wanted = f"Staleness check {n}\""
    tries = 0
    while True:
        status, age, body = get(path)
        tries += 1
        if wanted in body:
            delays.append((time.monotonic() - committed) * 1000)
            polls.append(tries)
            break
        if time.monotonic() - committed > 10:
            sys.exit(f"{path} still answers its old title 10 s after the commit")

writer.stdin.close()
writer.wait()
delays.sort()
result = {
    "writes": WRITES,
    "cachedBeforeWrite": WRITES - never,
    "p50Ms": round(statistics.median(delays), 2),
    "p99Ms": round(delays[int(len(delays) * 0.99) - 1], 2),
    "maxMs": round(delays[-1], 2),
    "readsUntilSeenMax": max(polls),
}
json.dump(result, open(os.path.join(workdir, "staleness.json"), "w"))
print(f"   staleness: {result}")
