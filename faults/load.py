#!/usr/bin/env python3
"""Mixed load for the fault scenarios: THREADS workers alternate GET of an article and a
comment POST with an Idempotency-Key; a POST that fails is retried with the same key (and the
same body) until it is acknowledged or the run ends. Writes every attempt and every
acknowledged comment to OUT as JSON.
    load.py BASE_URL ARTICLE_SLUG SECONDS THREADS OUT"""
import json, sys, threading, time, uuid

from http_call import call

base, slug, seconds, threads, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
attempts, acknowledged, lock = [], [], threading.Lock()
stop_at = time.time() + seconds


def send(method, path, body=None, headers=None):
    result = call(base, method, path, body, headers)
    with lock:
        attempts.append(result)
    return result


def worker(number):
    sequence = 0
    while time.time() < stop_at:
        send("GET", f"/v1/articles/{slug}")
        sequence += 1
        key = str(uuid.uuid4())
        body = json.dumps({"authorName": "Fault", "authorEmail": f"fault-{number}-{sequence}@example.com",
                           "body": f"fault {key}"})
        while time.time() < stop_at:
            answer = send("POST", f"/v1/articles/{slug}/comments", body,
                          {"Content-Type": "application/json", "Idempotency-Key": key})
            if answer["status"] == 202:
                with lock:
                    acknowledged.append({"key": key, "id": json.loads(answer["body"])["id"]})
                break
            time.sleep(0.2)


workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
json.dump({"attempts": attempts, "acknowledged": acknowledged}, open(out, "w"))
