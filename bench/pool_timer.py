"""Sets a service's pool through the 9.3 pool API and times it until its status reads Success.

One process, one keep-alive connection, a look every 2 ms: spawning curl and jq for each look (the
first form of this bench) took enough of the two cores to slow the fill it was timing by half.
    pool_timer.py URL TOKEN INITIAL MAX   (URL: .../services/NAME/VERSION/pool); prints seconds.
"""
import http.client
import json
import sys
import time
from urllib.parse import urlsplit

url, token, initial, maximum = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
parts = urlsplit(url)
connection = http.client.HTTPConnection(parts.hostname, parts.port)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def call(method, body=None):
    connection.request(method, parts.path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    if response.status >= 300:
        sys.exit(f"pool_timer: {method} {parts.path} answered {response.status}: {data[:200]!r}")
    return data


started = time.perf_counter()
call("POST", json.dumps({"InitialPoolSize": initial, "MaxPoolSize": maximum}))
deadline = started + 60
while json.loads(call("GET"))[0]["status"] != "Success":
    if time.perf_counter() > deadline:
        sys.exit(f"pool_timer: the pool did not reach {initial} workers in 60 s")
    time.sleep(0.002)
print(f"{time.perf_counter() - started:.4f}")
