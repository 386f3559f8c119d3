#!/usr/bin/env python3
"""SSE delay probe for bench/rolls.sh (not a test).

Opens N connections to /api/rolls/{id}/events with a bearer token, one thread each, and
records when each event id arrives (epoch microseconds). Prints "connected" once every client
has received its first (replayed) event, then runs until the roll's RollChanged event says it
is complete, and writes "client event_id received_us" lines to OUT.

Usage: sse_clients.py BASE_URL ROLL_ID TOKEN N OUT
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

base, roll_id, token, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
url = urllib.parse.urlparse(base)
received = [[] for _ in range(n)]
connected = threading.Barrier(n + 1)
DONE = ("SUCCEEDED", "FAILED", "CANCELED")


def client(i):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    conn.request("GET", f"/api/rolls/{roll_id}/events",
                 headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream", "Last-Event-ID": "0"})
    resp = conn.getresponse()
    if resp.status != 200:
        print(f"client {i}: HTTP {resp.status} {resp.read()[:200]!r}", file=sys.stderr)
        connected.abort()
        return
    first = True
    event_id = None
    name = None
    while True:
        line = resp.fp.readline()
        if not line:
            break
        now = time.time_ns() // 1000
        line = line.decode("utf-8").rstrip("\r\n")
        if line.startswith("id:"):
            event_id = int(line[3:].strip())
            received[i].append((event_id, now))
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:") and name == "RollChanged":
            try:
                if json.loads(line[5:].strip()).get("status") in DONE:
                    break
            except ValueError:
                pass
        elif line == "" and first and event_id is not None:
            first = False
            try:
                connected.wait()
            except threading.BrokenBarrierError:
                return
    conn.close()


threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(n)]
for t in threads:
    t.start()
connected.wait(timeout=120)
print("connected", flush=True)
for t in threads:
    t.join(timeout=900)
with open(out, "w") as f:
    for i, events in enumerate(received):
        for event_id, at in events:
            f.write(f"{i} {event_id} {at}\n")
