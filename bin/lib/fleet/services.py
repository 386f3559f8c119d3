#!/usr/bin/python3
"""The fleet's services over HTTP: one listener for every host address, answering per address
from that host's state, as the one sshd does for SSH.

  GET /healthz   200 "ok SERVICE EVR" per service when every service of the host is active,
                 503 when one is not (stopped, failed), 500 after a restart under the http-500
                 fault (the new build starts and answers every request with an error).
  GET /metrics   Prometheus text: fleet_http_requests_total and fleet_http_errors_total per
                 service (synthetic traffic of REQUESTS_PER_SECOND, plus the real /healthz
                 requests), fleet_service_up with the installed version. The `errors` fault makes
                 a service answer that fraction of its traffic with errors from its next restart.

Why one wildcard socket and not one per address (as the SSH listener has): nothing here needs to
refuse one address, and one socket serves 500+ hosts. Only loopback clients are answered; the
address the client dialed (getsockname) picks the host directory.

Usage: services.py FLEET_DIR PORT
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Synthetic traffic per service, so that rate() has something to divide by between rolls.
REQUESTS_PER_SECOND = 10.0


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except (FileNotFoundError, NotADirectoryError):
        return default


class Fleet:
    def __init__(self, fleet_dir):
        self.dir = fleet_dir
        self.lock = threading.Lock()
        # (address, service) -> [last time, requests, errors]
        self.traffic = {}

    def host(self, address):
        host = os.path.join(self.dir, "hosts", address)
        return host if address.startswith("127.") and os.path.isdir(host) else None

    @staticmethod
    def services(host):
        fields = dict(f.split("=", 1) for f in (read(os.path.join(host, "host.env"), "") or "").split() if "=" in f)
        return [s for s in fields.get("services", "").split(",") if s]

    @staticmethod
    def service(host, svc):
        """(state, version, http status, error fraction) of one service as its host has it now."""
        root = os.path.join(host, "root")
        if not os.path.exists(os.path.join(root, "usr/lib/systemd/system", svc + ".service")):
            return "inactive", None, 503, 1.0
        state = read(os.path.join(host, "svc", svc + ".state"), "active")
        version = read(os.path.join(root, "usr/share", svc, "version"))
        if state != "active":
            return state, version, 503, 1.0
        status = int(read(os.path.join(host, "svc", svc + ".http"), "200") or "200")
        errors = 1.0 if status >= 500 else float(read(os.path.join(host, "svc", svc + ".errors"), "0") or "0")
        return state, version, status, errors

    def count(self, address, svc, errors, extra_requests=0, extra_errors=0):
        """Advances a service's counters to now; returns (requests, errors)."""
        now = time.monotonic()
        with self.lock:
            t = self.traffic.setdefault((address, svc), [now, 0.0, 0.0])
            elapsed = now - t[0]
            t[0] = now
            t[1] += elapsed * REQUESTS_PER_SECOND + extra_requests
            t[2] += elapsed * REQUESTS_PER_SECOND * errors + extra_errors
            return t[1], t[2]


class Handler(BaseHTTPRequestHandler):
    server_version = "yardmaster-fleet/1"
    fleet = None

    def log_message(self, fmt, *args):  # no access log: Prometheus scrapes every second
        pass

    def answer(self, status, body, content_type="text/plain; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        address = self.connection.getsockname()[0]
        host = self.fleet.host(address)
        if host is None:
            self.answer(404, f"no host answers at {address}\n")
            return
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self.health(address, host)
        elif path == "/metrics":
            self.metrics(address, host)
        else:
            self.answer(404, "not found: try /healthz or /metrics\n")

    def health(self, address, host):
        worst, lines = 200, []
        for svc in self.fleet.services(host):
            state, version, status, errors = self.fleet.service(host, svc)
            if status == 200:
                lines.append(f"ok {svc} {version}")
            elif status >= 500 and state == "active":
                lines.append(f"error {svc} {version}: internal server error (fault http-500)")
            else:
                lines.append(f"down {svc} {version or '-'}: {state}")
            worst = max(worst, status)
            self.fleet.count(address, svc, errors, 1, 1 if status >= 500 else 0)
        self.answer(worst, "\n".join(lines) + "\n")

    def metrics(self, address, host):
        out = [
            "# HELP fleet_http_requests_total Requests the service answered.",
            "# TYPE fleet_http_requests_total counter",
        ]
        errors_out = [
            "# HELP fleet_http_errors_total Requests the service answered with a 5xx.",
            "# TYPE fleet_http_errors_total counter",
        ]
        up_out = [
            "# HELP fleet_service_up Whether the service is active, with its installed version.",
            "# TYPE fleet_service_up gauge",
        ]
        for svc in self.fleet.services(host):
            state, version, status, errors = self.fleet.service(host, svc)
            requests, failed = self.fleet.count(address, svc, errors)
            out.append(f'fleet_http_requests_total{{service="{svc}"}} {requests:.3f}')
            errors_out.append(f'fleet_http_errors_total{{service="{svc}"}} {failed:.3f}')
            up_out.append(f'fleet_service_up{{service="{svc}",version="{version or ""}"}} {1 if state == "active" else 0}')
        self.answer(200, "\n".join(out + errors_out + up_out) + "\n", "text/plain; version=0.0.4; charset=utf-8")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def verify_request(self, request, client_address):
        return client_address[0].startswith("127.")


def main():
    fleet_dir, port = sys.argv[1], int(sys.argv[2])
    Handler.fleet = Fleet(fleet_dir)
    server = Server(("0.0.0.0", port), Handler)
    marker = os.path.join(fleet_dir, ".yardmaster-fleet")

    def watch():  # gone: someone removed the fleet
        while os.path.exists(marker):
            time.sleep(1)
        server.shutdown()

    threading.Thread(target=watch, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
