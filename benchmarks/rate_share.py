"""How close to Zoom's per-second rate the budget can send before the fake answers 429.

    python -m benchmarks.rate_share --plan business --api phone --category Light --threads 50 --seconds 20 --shares 1.0 0.97 0.95

Threads send through the CDK's LimiterSession to one endpoint of the category, on a rate-limited
fake (its own process, 100 ms latency), as fast as the budget lets them. The session is given the
budget as a sync's streams see it: `build_api_budget(plan, rate_share=share)` narrowed to a
declared Endpoint of a table (`for_endpoint`, what SyncContext.budget_for hands a stream), so the
requests reach the policy of that endpoint's API and category exactly as a sync's do. (The bare
ZoomAPIBudget limits no request: a request of no declared endpoint is not paced.)

By default the budget does not learn from the 429s (`--learn` turns it on, as in a sync): a
slowdown after the first 429 would hide how often the share itself draws 429s. The fake counts per
calendar second on arrival, so the variable delay between a thread's reserved slot and the fake's
counter decides the margin needed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from typing import Any, List, Mapping, Optional, Tuple

import requests
from airbyte_cdk.sources.streams.call_rate import LimiterSession

from benchmarks.full_sync import FakeZoomProcess
from source_zoom.declarations import HEAVY, LIGHT, MEDIUM, MEETING, PHONE, Api, Endpoint
from source_zoom.rate_limits import API_RATES, PLAN_RATES, Clock, EndpointBudget, build_api_budget
from source_zoom.streams.meeting_instances import ReportMeetingParticipants
from source_zoom.streams.meetings import Meetings
from source_zoom.streams.phone import PhoneCallElements, PhoneCallHistory, PhoneUsers
from source_zoom.streams.users import Users

APIS: Mapping[str, Api] = {"meeting": MEETING, "phone": PHONE}
# One table's declared endpoint per API and category: the benchmark's requests are that table's.
ENDPOINT_OF_CATEGORY: Mapping[Tuple[Api, str], Endpoint] = {
    (MEETING, LIGHT): Meetings.endpoint,
    (MEETING, MEDIUM): Users.endpoint,
    (MEETING, HEAVY): ReportMeetingParticipants.endpoint,
    (PHONE, LIGHT): PhoneCallElements.endpoint,
    (PHONE, MEDIUM): PhoneUsers.endpoint,
    (PHONE, HEAVY): PhoneCallHistory.endpoint,
}


def url_path(endpoint: Endpoint) -> str:
    """The endpoint's path with each parent placeholder filled (the fake counts a request against
    its route's category before it looks the parent up)."""
    return "/v2/" + "/".join("1" if part.startswith("{") else part for part in endpoint.path.split("/"))


class UnlearningBudget(EndpointBudget):
    """The endpoint's budget, pacing as in a sync but not slowing down on 429s."""

    def update_from_response(self, request: Any, response: Any) -> None:
        pass


def limited_session(plan: str, api: Api, category: str, share: float, learn: bool = False, clock: Optional[Clock] = None) -> LimiterSession:
    """A session paced by the connector's budget as the table of `ENDPOINT_OF_CATEGORY` sees it."""
    budget = build_api_budget(plan, clock=clock, rate_share=share)
    endpoint = ENDPOINT_OF_CATEGORY[(api, category)]
    endpoint_budget = budget.for_endpoint(endpoint) if learn else UnlearningBudget(budget, endpoint)
    return LimiterSession(api_budget=endpoint_budget)


def measure(url: str, plan: str, api: Api, category: str, share: float, threads: int, seconds: float, token: str, learn: bool) -> dict:
    session = limited_session(plan, api, category, share, learn)
    session.headers["Authorization"] = f"Bearer {token}"
    # One connection per thread, as the threads send at once.
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=threads))
    path = url_path(ENDPOINT_OF_CATEGORY[(api, category)])
    statuses: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            status = session.get(url + path, timeout=30).status_code
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
        "api": api.value, "category": category, "path": path, "share": share, "requests": total,
        "per_second": round(total / elapsed, 2), "zoom_rate": API_RATES[api][0][plan][category],
        "answered_429": statuses[429], "share_429": round(statuses[429] / max(1, total), 5),
        "statuses": dict(statuses),
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rate_share", description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", default="pro", choices=sorted(PLAN_RATES))
    parser.add_argument("--api", default="meeting", choices=sorted(APIS))
    parser.add_argument("--category", default=HEAVY, choices=[LIGHT, MEDIUM, HEAVY])
    parser.add_argument("--threads", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--shares", type=float, nargs="+", default=[1.0, 0.95, 0.9])
    parser.add_argument("--learn", action="store_true", help="slow down on 429s, as a sync does")
    args = parser.parse_args(argv)
    for share in args.shares:
        # A fresh fake per share: its per-second windows and daily count start clean.
        with FakeZoomProcess(1, args.plan, args.latency_ms, None) as fake:
            token = fake.call("/_fake/config")["jwt_token"]
            print(measure(fake.url, args.plan, APIS[args.api], args.category, share, args.threads, args.seconds, token, args.learn), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
