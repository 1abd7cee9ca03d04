"""Wait until something listens on 127.0.0.1:PORT (the fake Zoom API started in the background).

    python scripts/wait_for_port.py 48765 [--timeout 60]

Exit 0 once a connection is accepted, 1 with one sentence after the timeout. The docs' snippets
start the fake with `&` and wait here before the first command that talks to it.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            with socket.create_connection((args.host, args.port), timeout=1):
                return 0
        except OSError:
            if time.monotonic() >= deadline:
                print(f"nothing listens on {args.host}:{args.port} after {args.timeout:.0f} s", file=sys.stderr)
                return 1
            time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
