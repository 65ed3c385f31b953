#!/usr/bin/env python3
"""Webhook delivery latency: a receiver on loopback subscribes to article.published, then 200
articles are published through the API one after another (20 a second, beside no other load);
each latency is from the write's 201 (its transaction has committed) to the receiver's
receipt of that article's event (the event may even arrive first: the commit precedes the
answer), and, as an upper bound, from the moment the write was sent. Writes WORKDIR/webhook-latency.json and prints a line.

usage: webhook_latency.py BASE_URL EDITOR_KEY HOOKS_KEY WORKDIR
"""
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

base, editor_key, hooks_key, workdir = sys.argv[1:5]
WRITES = 200
received = {}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        at = time.monotonic()
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        received.setdefault(event["data"]["id"], at)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, key, body=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
subscription = call("POST", "/v1/webhooks", hooks_key,
                    {"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "events": ["article.published"]})["subscription"]

committed, sent = {}, {}
tag = f"{os.getpid()}-{int(time.time())}"
for i in range(WRITES):
    started = time.monotonic()
    article = call("POST", "/v1/articles", editor_key, {
        "title": f"Webhook latency {tag} {i}", "slug": f"hook-{tag}-{i}", "summary": "Measured.", "status": "published",
        "body": [{"type": "paragraph", "text": "Delivered."}]})
    committed[article["id"]] = time.monotonic()
    sent[article["id"]] = started
    time.sleep(0.05)

deadline = time.monotonic() + 15
while len([a for a in committed if a in received]) < WRITES and time.monotonic() < deadline:
    time.sleep(0.05)
call("DELETE", f"/v1/webhooks/{subscription['id']}", hooks_key, headers={"If-Match": "*"})
server.shutdown()

def percentiles(latencies):
    latencies = sorted(latencies)
    return (round(statistics.median(latencies), 1), round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1), round(latencies[-1], 1)) \
        if latencies else (None, None, None)


latencies = [(received[a] - t) * 1000 for a, t in committed.items() if a in received]
missed = WRITES - len(latencies)
p50, p99, worst = percentiles(latencies)
sent_p50, sent_p99, _ = percentiles([(received[a] - t) * 1000 for a, t in sent.items() if a in received])
result = {"writes": WRITES, "delivered": len(latencies), "missed": missed, "p50Ms": p50, "p99Ms": p99, "maxMs": worst,
          "fromSendP50Ms": sent_p50, "fromSendP99Ms": sent_p99}
json.dump(result, open(os.path.join(workdir, "webhook-latency.json"), "w"))
print(f"   webhook delivery latency (201 to receipt, {len(latencies)} of {WRITES}): "
      f"p50 {p50} ms, p99 {p99} ms, max {worst} ms; from the write's request: p50 {sent_p50} ms, p99 {sent_p99} ms")
sys.exit(1 if missed else 0)
