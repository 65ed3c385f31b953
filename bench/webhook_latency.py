#!/usr/bin/env python3
"""Webhook delivery latency: a receiver on loopback subscribes to article.published, then 200
articles are published through the API one after another (20 a second, beside no other load);
each latency is from the write's 201 (its transaction has committed) to the receiver's
receipt of that article's event. Writes WORKDIR/webhook-latency.json and prints a line.

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

committed = {}
tag = f"{os.getpid()}-{int(time.time())}"
for i in range(WRITES):
    article = call("POST", "/v1/articles", editor_key, {
        "title": f"Webhook latency {tag} {i}", "slug": f"hook-{tag}-{i}", "summary": "Measured.", "status": "published",
        "body": [{"type": "paragraph", "text": "Delivered."}]})
    committed[article["id"]] = time.monotonic()
    time.sleep(0.05)

deadline = time.monotonic() + 15
while len([a for a in committed if a in received]) < WRITES and time.monotonic() < deadline:
    time.sleep(0.05)
call("DELETE", f"/v1/webhooks/{subscription['id']}", hooks_key, headers={"If-Match": "*"})
server.shutdown()

latencies = sorted((received[a] - t) * 1000 for a, t in committed.items() if a in received)
missed = WRITES - len(latencies)
result = {
    "writes": WRITES, "delivered": len(latencies), "missed": missed,
    "p50Ms": round(statistics.median(latencies), 1) if latencies else None,
    "p99Ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1) if latencies else None,
    "maxMs": round(latencies[-1], 1) if latencies else None,
}
json.dump(result, open(os.path.join(workdir, "webhook-latency.json"), "w"))
print(f"   webhook delivery latency (201 to receipt, {len(latencies)} of {WRITES}): "
      f"p50 {result['p50Ms']} ms, p99 {result['p99Ms']} ms, max {result['maxMs']} ms")
sys.exit(1 if missed else 0)
