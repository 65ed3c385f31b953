"""One HTTP request on a fresh connection, as the fault tools record it: status (0 when the
connection failed), Retry-After, whether the body is a problem document, the body's start (or
the connection error), when it started and how long it took."""
import http.client, time, urllib.parse


def call(base, method, path, body=None, headers=None, timeout=10):
    host = urllib.parse.urlparse(base)
    started = time.time()
    try:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        result = {"status": response.status, "retryAfter": response.getheader("Retry-After"),
                  "problem": (response.getheader("Content-Type") or "").startswith("application/problem+json"),
                  "body": payload.decode("utf-8", "replace")[:300]}
        connection.close()
    except OSError as error:
        result = {"status": 0, "retryAfter": None, "problem": False, "body": str(error)}
    result.update({"at": started, "seconds": time.time() - started, "method": method})
    return result
