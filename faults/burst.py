#!/usr/bin/env python3
"""COUNT requests at once (one thread each) and what each answered, with its latency.
POST requests send a comment with a unique body.
    burst.py BASE_URL METHOD PATH COUNT OUT"""
import http.client, json, sys, threading, time, urllib.parse, uuid

base, method, path, count, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
host = urllib.parse.urlparse(base)
results, lock = [], threading.Lock()


def one():
    body, headers = None, {}
    if method == "POST":
        key = uuid.uuid4()
        body = json.dumps({"authorName": "Burst", "authorEmail": f"burst-{key}@example.com", "body": f"burst {key}"})
        headers = {"Content-Type": "application/json"}
    started = time.time()
    try:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        result = {"status": response.status, "retryAfter": response.getheader("Retry-After"),
                  "problem": (response.getheader("Content-Type") or "").startswith("application/problem+json")}
    except OSError as error:
        result = {"status": 0, "retryAfter": None, "problem": False, "error": str(error)}
    result["seconds"] = time.time() - started
    with lock:
        results.append(result)


threads = [threading.Thread(target=one) for _ in range(count)]
for t in threads:
    t.start()
for t in threads:
    t.join()
json.dump(results, open(out, "w"))
