"""Load generator for the fake: requests/s at a given concurrency.

    # start a server (pinned to CPU 0) and load it from this process:
    python -m fake_zoom.bench --spawn --server-cpu 0 --concurrency 50 --seconds 5
    # or load a running server:
    python -m fake_zoom.bench --url http://127.0.0.1:PORT --path "/v2/users?page_size=1"

Every request must answer 200; anything else is counted and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import time
from typing import Optional

import aiohttp


async def run_load(url: str, concurrency: int, seconds: float, token: str) -> dict:
    statuses: collections.Counter = collections.Counter()
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        statuses[response.status] += 1
                except aiohttp.ClientError as error:
                    statuses[type(error).__name__] += 1
                latencies.append(time.monotonic() - started)

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()
    total = sum(statuses.values())
    return {
        "requests": total,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(total / elapsed, 1),
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1) if latencies else None,
    }


def spawn_server(server_args: list[str], cpu: Optional[int]) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "fake_zoom", "--port", "0", *server_args]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("FAKE_ZOOM_URL="):
        process.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return process, line.split("=", 1)[1]


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fake_zoom.bench")
    parser.add_argument("--url", help="root of a running fake, e.g. http://127.0.0.1:8080")
    parser.add_argument("--spawn", action="store_true", help="start `python -m fake_zoom` for the run")
    parser.add_argument("--server-cpu", type=int, help="with --spawn: pin the server to this CPU (taskset)")
    parser.add_argument("--server-arg", action="append", default=[], help="extra server flag (repeatable)")
    parser.add_argument("--path", default="/v2/users?page_size=1")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--token", default="fake-jwt-token")
    args = parser.parse_args(argv)
    if not args.url and not args.spawn:
        parser.error("give --url or --spawn")
    process = None
    url = args.url
    if args.spawn:
        process, url = spawn_server(args.server_arg, args.server_cpu)
    try:
        result = asyncio.run(run_load(url + args.path, args.concurrency, args.seconds, args.token))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    print({"url": url + args.path, "concurrency": args.concurrency, **result})


if __name__ == "__main__":
    main()
