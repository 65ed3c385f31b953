"""Read-your-writes in the cluster (bench/cluster.sh): 200 edits of one article, each through one
instance, each read back at once through the next instance with the write's Commit-Position.
Prints a markdown paragraph: how many reads saw their write, how long that read took, who
answered it, and how long after the write a replica had replayed it (polled through the API).

usage: read_your_writes.py API_KEY ARTICLE_SLUG URL[,URL...]"""
import http.client
import json
import sys
import time
from urllib.parse import urlparse

WRITES = 200


def connect(url):
    parsed = urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main():
    key, slug, urls = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    connections = [connect(url) for url in urls]
    path = f"/v1/articles/{slug}"
    read_ms, replica_after_ms, saw, by_replica = [], [], 0, 0
    for n in range(WRITES):
        writer, reader = connections[n % len(urls)], connections[(n + 1) % len(urls)]
        title = f"Read your writes {n}"
        writer.request("PATCH", path, json.dumps({"title": title}), {
            "Authorization": f"Bearer {key}", "If-Match": "*", "Content-Type": "application/merge-patch+json"})
        written = writer.getresponse()
        written.read()
        if written.status != 200:
            sys.exit(f"PATCH answered {written.status}")
        position = written.getheader("Commit-Position")
        wrote_at = time.perf_counter()
        reader.request("GET", path, headers={"Commit-Position": position})
        answer = reader.getresponse()
        body = json.loads(answer.read())
        read_ms.append((time.perf_counter() - wrote_at) * 1000)
        saw += body.get("title") == title
        server = answer.getheader("Served-By") or ""
        by_replica += server.startswith("replica")
        # Until a replica answers with the position (or 2 s): how long the replicas lag a writer.
        while not server.startswith("replica") and time.perf_counter() - wrote_at < 2:
            time.sleep(0.001)
            reader.request("GET", path, headers={"Commit-Position": position})
            answer = reader.getresponse()
            answer.read()
            server = answer.getheader("Served-By") or ""
        replica_after_ms.append((time.perf_counter() - wrote_at) * 1000)
    print()
    print(f"Read-your-writes ({WRITES} edits through one instance, each read at once through another with its "
          f"Commit-Position): {saw}/{WRITES} reads saw their write; that read took p50 {percentile(read_ms, 0.5):.2f} ms, "
          f"p99 {percentile(read_ms, 0.99):.2f} ms; a replica answered {by_replica} of them, the primary "
          f"{WRITES - by_replica}; a replica could answer after p50 {percentile(replica_after_ms, 0.5):.2f} ms, "
          f"p99 {percentile(replica_after_ms, 0.99):.2f} ms.")


if __name__ == "__main__":
    main()
