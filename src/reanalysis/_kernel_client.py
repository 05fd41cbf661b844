"""The process jupyter_client starts for a kernel forked from a zygote (see :mod:`reanalysis.zygote`).

``python _kernel_client.py <socket> <kernel arguments>``: hands its arguments, working directory,
environment and standard streams to the zygote, forwards SIGINT, SIGTERM and SIGHUP to the
forked kernel, and exits with the kernel's exit code when it ends. The standard library only,
run as a file (not ``-m``), so that it starts in milliseconds.
"""

import json
import os
import signal
import socket
import sys
import time


def main() -> int:
    path, argv = sys.argv[1], sys.argv[2:]
    for attempt in range(500):  # the zygote binds its socket, then listens: a moment between
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(path)
            break
        except ConnectionRefusedError:
            conn.close()
            if attempt == 499:
                raise
            time.sleep(0.01)
    # what a kernel started here would have: signals ignored by whoever started us stay ignored
    names = {signal.SIG_IGN: "ignore", signal.SIG_DFL: "default", signal.default_int_handler: "interrupt"}
    dispositions = {}
    for signum in signal.valid_signals():
        try:
            dispositions[int(signum)] = names.get(signal.getsignal(signum))
        except (OSError, ValueError):
            continue
    request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "signals": dispositions}
    request = json.dumps(request).encode()
    socket.send_fds(conn, [len(request).to_bytes(8, "big") + request], [0, 1, 2])
    reader = conn.makefile("rb")
    first = reader.readline()
    if not first.strip().isdigit():
        print("the kernel could not be forked from the zygote", file=sys.stderr)
        return 1
    pid = int(first)

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    while True:
        try:
            line = reader.readline()
        except InterruptedError:
            continue
        if not line:  # the kernel died without saying how
            return 1
        if line.startswith(b"exit "):
            return int(line.split()[1])


if __name__ == "__main__":
    sys.exit(main())
