#!/usr/bin/env python3
"""COUNT requests at once (one thread each) and what each answered, with its latency.
POST requests send a comment with a unique body.
    burst.py BASE_URL METHOD PATH COUNT OUT"""
import json, sys, threading, uuid

from http_call import call

base, method, path, count, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
results, lock = [], threading.Lock()


def one():
    body, headers = None, {}
    if method == "POST":
        key = uuid.uuid4()
        body = json.dumps({"authorName": "Burst", "authorEmail": f"burst-{key}@example.com", "body": f"burst {key}"})
        headers = {"Content-Type": "application/json"}
    result = call(base, method, path, body, headers, timeout=30)
    with lock:
        results.append(result)


threads = [threading.Thread(target=one) for _ in range(count)]
for t in threads:
    t.start()
for t in threads:
    t.join()
json.dump(results, open(out, "w"))
