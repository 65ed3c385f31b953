#!/usr/bin/env python3
"""Polls /health/ready, /health/live and an article twice a second for SECONDS and writes the
statuses seen (and when each readiness probe was sent) to OUT (an article 503 without Retry-After is written as "503-no-retry-after").
    probe.py BASE_URL ARTICLE_SLUG SECONDS OUT"""
import json, sys, time, urllib.error, urllib.request

base, slug, seconds, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]


def status(path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")
    except OSError:
        return 0, None


seen = {"seconds": seconds, "ready": [], "readyAt": [], "live": [], "article": []}
stop_at = time.time() + seconds
while time.time() < stop_at:
    seen["readyAt"].append(time.time())
    seen["ready"].append(status("/health/ready")[0])
    seen["live"].append(status("/health/live")[0])
    code, retry_after = status(f"/v1/articles/{slug}")
    seen["article"].append(f"{code}" if code != 503 or retry_after else f"{code}-no-retry-after")
    time.sleep(0.5)
json.dump(seen, open(out, "w"))
