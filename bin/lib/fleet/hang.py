#!/usr/bin/python3
"""The `hang` fault: accept the command and never answer. Returns as soon as the SSH channel
is closed (sshd closes our stdout/stderr pipes, poll() reports POLLERR/POLLHUP), so closing
the channel leaves no process behind. Leaves RUN_DIR/hang.<pid> while it waits.
Usage: hang.py RUN_DIR"""
import os
import select
import signal
import sys

marker = os.path.join(sys.argv[1], f"hang.{os.getpid()}")
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(sig, lambda *_: sys.exit(0))
open(marker, "w").close()
try:
    poller = select.poll()
    poller.register(1, 0)  # no events asked for: only POLLERR/POLLHUP/POLLNVAL wake us
    poller.register(2, 0)
    while not poller.poll():
        pass
finally:
    os.unlink(marker)
