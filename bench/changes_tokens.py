#!/usr/bin/env python3
"""Walks the changes feed's initial sync (pages of 1,000) and writes what the feed scenarios GET:
up to 50 sync positions spread over the walk (pages of 100 from there) to SYNC_FILE, and the
position the sync ends at (the head of the outbox) to CHANGES_FILE, for reading the changes the
write scenarios make after it.

usage: changes_tokens.py BASE_URL SYNC_FILE CHANGES_FILE
"""
import json
import sys
import urllib.parse
import urllib.request

base, sync_file, changes_file = sys.argv[1:4]


def url(token, size):
    return f"/v1/changes?pageSize={size}" + (f"&since={urllib.parse.quote(token)}" if token else "")


token, positions = None, []
while True:
    page = json.load(urllib.request.urlopen(base + url(token, 1000)))
    if page["phase"] != "sync" or not page["hasMore"]:
        token = page["next"]
        break
    positions.append(page["next"])
    token = page["next"]

step = max(1, len(positions) // 50)
with open(sync_file, "w") as out:
    for position in positions[::step][:50] or [None]:
        print(url(position, 100), file=out)
with open(changes_file, "w") as out:
    print(url(token, 100), file=out)
print(f"   the sync walked {len(positions) + 1} pages of 1,000")
