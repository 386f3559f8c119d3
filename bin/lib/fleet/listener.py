#!/usr/bin/python3
"""The front door of the loopback fleet: one listening socket per host address, each accepted
connection handed to a fresh OpenSSH `sshd -i` (inetd mode).

Why not one sshd daemon on 0.0.0.0: a wildcard listener cannot refuse one address or show one
address a different host key. With a socket per address, the `refused` fault closes that
socket (clients get a real ECONNREFUSED, RST from the kernel) and the `hostkey` fault starts
that address's sshd with another key. sshd re-executes itself per connection in daemon mode
anyway, so `sshd -i` per connection costs the same.

Usage: listener.py FLEET_DIR PORT [SSHD]
SIGHUP re-reads FLEET_DIR/addresses and the `refused` faults, then copies
FLEET_DIR/run/listener.req to FLEET_DIR/run/listener.ack so callers know it is applied.
"""
import os
import resource
import selectors
import signal
import socket
import sys
import time


def main():
    fleet_dir, port = sys.argv[1], int(sys.argv[2])
    sshd = sys.argv[3] if len(sys.argv) > 3 else "/usr/sbin/sshd"
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    config = os.path.join(fleet_dir, "sshd_config")
    host_key = os.path.join(fleet_dir, "keys", "host_ed25519_key")
    rogue_key = os.path.join(fleet_dir, "keys", "rogue_ed25519_key")
    sshd_log = os.path.join(fleet_dir, "log", "sshd.log")
    log_fd = os.open(sshd_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)

    selector = selectors.DefaultSelector()
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    selector.register(wake_r, selectors.EVENT_READ, None)
    flags = {"reload": True, "stop": False}
    signal.signal(signal.SIGHUP, lambda *_: flags.__setitem__("reload", True))
    signal.signal(signal.SIGTERM, lambda *_: flags.__setitem__("stop", True))
    signal.signal(signal.SIGINT, lambda *_: flags.__setitem__("stop", True))
    listeners = {}

    def sync():
        errors = []
        try:
            with open(os.path.join(fleet_dir, "addresses")) as f:
                addresses = [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            addresses = []
        wanted = {a for a in addresses
                  if not os.path.exists(os.path.join(fleet_dir, "hosts", a, "faults", "refused"))}
        for address in list(listeners):
            if address not in wanted:
                sock = listeners.pop(address)
                selector.unregister(sock)
                sock.close()
        for address in sorted(wanted - listeners.keys()):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((address, port))
                sock.listen(1024)
            except OSError as e:
                sock.close()
                errors.append(f"{address}:{port}: {e.strerror}")
                continue
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ, address)
            listeners[address] = sock
        run = os.path.join(fleet_dir, "run")
        try:
            with open(os.path.join(run, "listener.req")) as f:
                token = f.read().strip()
        except FileNotFoundError:
            token = ""
        ack = token + ("" if not errors else "\nerror: " + "; ".join(errors[:5]))
        tmp = os.path.join(run, "listener.ack.tmp")
        with open(tmp, "w") as f:
            f.write(ack + "\n")
        os.rename(tmp, os.path.join(run, "listener.ack"))

    def spawn(conn, address):
        faulty = os.path.exists(os.path.join(fleet_dir, "hosts", address, "faults", "hostkey"))
        key = rogue_key if faulty else host_key
        fd = conn.fileno()
        os.set_blocking(fd, True)
        try:
            os.posix_spawn(sshd, [sshd, "-i", "-f", config, "-h", key, "-E", sshd_log], os.environ,
                           file_actions=[(os.POSIX_SPAWN_DUP2, fd, 0),
                                         (os.POSIX_SPAWN_DUP2, fd, 1),
                                         (os.POSIX_SPAWN_DUP2, log_fd, 2)])
        except OSError as e:
            os.write(log_fd, f"listener: cannot start {sshd}: {e}\n".encode())

    def reap():
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    marker = os.path.join(fleet_dir, ".yardmaster-fleet")
    while not flags["stop"] and os.path.exists(marker):  # gone: someone removed the fleet
        if flags["reload"]:
            flags["reload"] = False
            sync()
        for key, _ in selector.select(timeout=1.0):
            if key.data is None:
                try:
                    while wake_r.recv(512):
                        pass
                except BlockingIOError:
                    pass
                continue
            while True:
                try:
                    conn, _ = key.fileobj.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as e:  # EMFILE and friends: back off instead of spinning
                    os.write(log_fd, f"listener: accept failed: {e}\n".encode())
                    time.sleep(0.05)
                    break
                with conn:
                    spawn(conn, key.data)
        reap()
    for sock in listeners.values():
        sock.close()


if __name__ == "__main__":
    main()
