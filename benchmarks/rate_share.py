"""How close to Zoom's per-second rate the budget can send before the fake answers 429.

    python -m benchmarks.rate_share --plan pro --category Heavy --threads 30 --seconds 20 --shares 1.0 0.95 0.9

Threads send through the CDK's LimiterSession with `build_api_budget(plan, rate_share=share)`
to one endpoint of the category on a rate-limited fake (its own process, 100 ms latency), as
fast as the budget lets them. The fake counts per calendar second on arrival, so the variable
delay between a thread's reserved slot and the fake's counter decides the margin needed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from typing import List, Optional

from airbyte_cdk.sources.streams.call_rate import LimiterSession

from benchmarks.full_sync import FakeZoomProcess
from source_zoom.rate_limits import PLAN_RATES, build_api_budget

PATH_OF_CATEGORY = {"Light": "/v2/meetings/1", "Medium": "/v2/users", "Heavy": "/v2/report/meetings/1/participants"}


def measure(url: str, plan: str, category: str, share: float, threads: int, seconds: float, token: str) -> dict:
    session = LimiterSession(api_budget=build_api_budget(plan, rate_share=share))
    session.headers["Authorization"] = f"Bearer {token}"
    statuses: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            status = session.get(url + PATH_OF_CATEGORY[category], timeout=30).status_code
            with lock:
                statuses[status] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    return {
        "share": share, "requests": total, "per_second": round(total / elapsed, 2),
        "zoom_rate": PLAN_RATES[plan][category], "answered_429": statuses[429],
        "share_429": round(statuses[429] / max(1, total), 4),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rate_share", description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", default="pro", choices=sorted(PLAN_RATES))
    parser.add_argument("--category", default="Heavy", choices=sorted(PATH_OF_CATEGORY))
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--shares", type=float, nargs="+", default=[1.0, 0.95, 0.9])
    args = parser.parse_args(argv)
    for share in args.shares:
        # A fresh fake per share: its per-second windows and daily count start clean.
        with FakeZoomProcess(1, args.plan, args.latency_ms, None) as fake:
            token = fake.call("/_fake/config")["jwt_token"]
            print(measure(fake.url, args.plan, args.category, share, args.threads, args.seconds, token), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
