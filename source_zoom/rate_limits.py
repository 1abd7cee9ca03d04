"""Zoom's per-account rate limits as one call budget shared by every stream of a sync.

Zoom counts requests per category (Light, Medium, Heavy) per second, and Heavy requests per
UTC day as well, in two tables of its own: the Meeting API's and Zoom Phone's. Each API gets its
own policy per category and its own daily cap, so a Phone cap used up never stops a Meeting
table (nor the other way round); `rate_limit_plan` picks the figures of both. A stream's
requests go through the policy its endpoint declares (`for_endpoint`): nothing is matched by path. Each category gets one policy that hands out send times spaced 1/rate apart:
a thread reserves the next free slot under a lock and sleeps until it, so waiting threads wake
once each, in order, instead of all retrying whenever a slot frees up. The spacing runs at a
share of Zoom's figure (`RATE_SHARE`) because Zoom (and the fake) count per calendar second on
arrival, and a request's way from reservation to Zoom's counter varies by some milliseconds.

A Heavy daily cap that is used up (counted here, or said by Zoom in a 429) fails every later
Heavy request at once with the time it resets, instead of sleeping until tomorrow.

A per-second 429 means the account's real limit is lower than the plan's figure (a wrong
`rate_limit_plan`, or another app on the account spending the same limits): that category's
rate is cut multiplicatively, down to a floor, once per burst; while Zoom then accepts its
requests it climbs back additively, step by step, to the plan's figure. Repeating 429s would
otherwise be retried with backoff for as long as the sync runs, and a request that runs out of
retries ends its table incomplete.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple

import requests

from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget, BaseCallRatePolicy, CallRateLimitHit

from source_zoom.declarations import CATEGORIES, HEAVY, MEETING, PHONE, Api, Endpoint
from source_zoom.errors import Fault, RequestFailed, RequestFailure, daily_limit_resets_at
from source_zoom.stopping import SyncStopped

logger = logging.getLogger("airbyte")

RATE_LIMIT_PLANS = ("free", "pro", "business")
DEFAULT_RATE_LIMIT_PLAN = "pro"

# Requests per second per category (../shared/zoom-api.md; Free's figures are unconfirmed).
PLAN_RATES: Mapping[str, Mapping[str, int]] = {
    "free": {"Light": 4, "Medium": 2, "Heavy": 1},
    "pro": {"Light": 30, "Medium": 20, "Heavy": 10},
    "business": {"Light": 80, "Medium": 60, "Heavy": 40},
}
# Heavy requests per UTC day (Free: unconfirmed, taken as Pro's).
HEAVY_DAILY_CAPS: Mapping[str, int] = {"free": 30_000, "pro": 30_000, "business": 60_000}
# Zoom Phone's own table (Zoom's "Rate limits" page, Zoom Phone section): Pro, and Business and up.
# Zoom Phone needs a paid plan; a `free` setting is taken as Pro's figures.
PHONE_PLAN_RATES: Mapping[str, Mapping[str, int]] = {
    "free": {"Light": 20, "Medium": 10, "Heavy": 5},
    "pro": {"Light": 20, "Medium": 10, "Heavy": 5},
    "business": {"Light": 40, "Medium": 20, "Heavy": 10},
}
# Heavy (and Resource-intensive) Phone requests per UTC day.
PHONE_HEAVY_DAILY_CAPS: Mapping[str, int] = {"free": 15_000, "pro": 15_000, "business": 30_000}
# Each API's rate-limit table: per-second rates per plan, daily Heavy caps per plan.
API_RATES: Mapping[Api, Tuple[Mapping[str, Mapping[str, int]], Mapping[str, int]]] = {
    MEETING: (PLAN_RATES, HEAVY_DAILY_CAPS),
    PHONE: (PHONE_PLAN_RATES, PHONE_HEAVY_DAILY_CAPS),
}
# Share of Zoom's per-second rate we send at. Measured (benchmarks/rate_share.py, 50 threads,
# 100 ms latency, 2026-12-07): at 1.0, 0.12% of requests got 429 at 60 req/s and 0.21% at 80; at
# 0.97 and 0.95 none (0 in 14,896 at 0.97); a Business full sync at 0.97 had 1 in 22,403 (wall/floor
# 1.10, 1.09, against 1.12-1.14 at 0.95: docs/benchmarks.md).
RATE_SHARE = 0.97

# Learning from per-second 429s. A 429 cuts the category's rate to this share of what it was...
SLOWDOWN_FACTOR = 0.7
# ...never below this share of the plan's rate (Zoom's counter resets every second: a trickle
# always gets through, and the floor keeps a sync that meets a busy account moving)...
FLOOR_SHARE = 0.1
# ...at most once per this many seconds: the requests already in flight (and those already given
# a slot) were paced at the old rate, and their 429s say nothing about the new one.
SLOWDOWN_INTERVAL_SECONDS = 1.0
# Each second (at most) in which Zoom accepts a request of the category adds this share of the
# plan's rate back, up to the plan's rate: from the floor to the plan in about 90 s, so a rate
# just above the real limit is found again slowly and costs few 429s.
RECOVERY_SHARE_PER_STEP = 0.01
RECOVERY_STEP_SECONDS = 1.0

# Zoom's answers under a daily cap carry what is left of it (x-ratelimit-limit/-remaining; seen on
# Zoom's answers, not in its docs). A limit above every per-second one (Business's Light: 80) is a daily one.
SMALLEST_DAILY_LIMIT = 81
# Near the end of the day's cap, requests of the category go one at a time (so that what Zoom says
# is left is exact and no request is sent that it would refuse); a request whose answer never came
# (an error before it) holds the next one back at most this long.
ONE_AT_A_TIME_WAIT_SECONDS = 30.0

class Clock:
    """Time as the budget sees it; tests pass one that advances when slept on."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def pause(self, seconds: float, stopped: Optional[threading.Event]) -> bool:
        """Sleeps `seconds`, or less if `stopped` is set meanwhile; True if it was."""
        if stopped is None:
            self.sleep(seconds)
            return False
        return stopped.wait(seconds)

    def utc_now(self) -> datetime:
        return datetime.now(timezone.utc)


class CategoryRatePolicy(BaseCallRatePolicy):
    """One Zoom category of one API: send times spaced 1/rate apart, and an optional daily cap.
    It matches no request by itself: a stream's requests reach it through `ZoomAPIBudget.for_endpoint`."""

    def __init__(self, category: str, per_second: float, daily_cap: Optional[int], plan: str, clock: Clock, api: Api = MEETING):
        super().__init__(matchers=[])
        self.category = category
        self.api = api
        # How logs and failures name it: "Heavy" for the Meeting API (as always), "Phone Heavy" for Phone's.
        self.label = category if api == MEETING else f"{api.value} {category}"
        self.plan_per_second = per_second  # the plan's figure (at our share): the most we send
        self.per_second = per_second  # what we send at now: lower after per-second 429s
        self.floor_per_second = per_second * FLOOR_SHARE
        self.daily_cap = daily_cap
        self.plan = plan
        self._interval = 1.0 / per_second
        self._clock = clock
        self._lock = threading.Lock()
        self._next_slot = float("-inf")
        # Counts the slowdowns; a request carries the count at the time it got its slot, so a
        # 429 for a request paced before the last slowdown is not taken as news.
        self.slowdowns = 0
        self._last_slowdown = float("-inf")
        self._last_rate_change = float("-inf")
        self._day: Optional[date] = None
        self._used_today = 0
        self._spent: Optional[RequestFailure] = None
        # What Zoom last said is left of today's cap, less what was sent since; and the threads
        # whose request of this category has not been answered yet (a thread sends one at a time).
        self._left_today: Optional[int] = None
        self._unanswered: Set[int] = set()
        self._answered = threading.Condition(self._lock)

    def reserve(self, max_wait: Optional[float]) -> float:
        """Takes the next free send time and returns how long to wait for it; raises
        CallRateLimitHit (taking nothing) if that is longer than `max_wait` (None: any wait)."""
        with self._lock:
            me = threading.get_ident()
            self._unanswered.discard(me)  # this thread's previous request is over, answered or not
            if max_wait is None:
                self._one_at_a_time_near_the_cap()
            self._fail_if_daily_cap_spent()
            now = self._clock.monotonic()
            slot = max(now, self._next_slot)
            wait = slot - now
            if max_wait is not None and wait > max_wait:
                raise CallRateLimitHit(
                    error=f"Zoom's {self.label} rate limit: next request in {wait:.3f} s",
                    item=None,
                    weight=1,
                    rate=f"{self.per_second:g} per second",
                    time_to_wait=timedelta(seconds=wait),
                )
            self._next_slot = slot + self._interval
            if self.daily_cap is not None:
                self._used_today += 1
            if self._left_today is not None:
                self._left_today -= 1
            self._unanswered.add(me)
            return wait

    def _one_at_a_time_near_the_cap(self) -> None:
        """When no more requests are left today than are awaiting their answers, waits for those
        answers: each says exactly what is left (called holding the lock)."""
        deadline = time.monotonic() + ONE_AT_A_TIME_WAIT_SECONDS
        while self._left_today is not None and 0 < self._left_today <= len(self._unanswered) and time.monotonic() < deadline:
            self._answered.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))

    def answered(self, remaining_today: Optional[int]) -> None:
        """This thread's request of the category was answered; `remaining_today`: what Zoom says is
        left of its daily cap (each request still awaiting its answer will count too)."""
        with self._lock:
            self._unanswered.discard(threading.get_ident())
            if remaining_today is not None and self.daily_cap is not None:
                self._left_today = remaining_today - len(self._unanswered)
            self._answered.notify_all()

    def try_acquire(self, request: Any, weight: int) -> None:
        """The CDK's non-blocking interface: a call now, or CallRateLimitHit with the wait."""
        if weight != 1:
            raise ValueError("Zoom counts every request once")
        self.reserve(max_wait=0.0)

    def update(self, available_calls: Optional[int], call_reset_ts: Optional[datetime]) -> None:
        """The CDK's hook for rate headers, unused: Zoom sends no per-second budget in its headers,
        so the budget calls `slow_down` and `recover` from the responses themselves."""

    def slow_down(self, paced_in_generation: Optional[int], reason: str) -> None:
        """Zoom answered a request of this category 429 for its per-second limit. A request that
        got its slot before the last slowdown (`paced_in_generation` older), or any 429 within
        SLOWDOWN_INTERVAL_SECONDS of it, belongs to the same burst and counts no more."""
        with self._lock:
            now = self._clock.monotonic()
            if paced_in_generation is not None and paced_in_generation < self.slowdowns:
                return
            if now - self._last_slowdown < SLOWDOWN_INTERVAL_SECONDS:
                return
            before = self.per_second
            self._last_slowdown = self._last_rate_change = now
            self.slowdowns += 1
            self._set_rate(max(self.floor_per_second, before * SLOWDOWN_FACTOR))
            after = self.per_second
        if after < before:
            logger.info(
                f"Zoom's {self.label} rate limit: slowing {self.label} requests from {before:.1f} to {after:.1f} per second "
                f"({reason}; the {self.plan} plan allows {self.plan_per_second:.1f} at our share): the account's real "
                f"limit is lower, because of the rate_limit_plan setting or another app using the same account's limits."
            )

    def recover(self) -> None:
        """Zoom accepted a request of this category: one step back towards the plan's rate, at
        most one step per RECOVERY_STEP_SECONDS."""
        with self._lock:
            if self.per_second >= self.plan_per_second:
                return
            now = self._clock.monotonic()
            if now - self._last_rate_change < RECOVERY_STEP_SECONDS:
                return
            self._last_rate_change = now
            self._set_rate(min(self.plan_per_second, self.per_second + self.plan_per_second * RECOVERY_SHARE_PER_STEP))
            back = self.per_second >= self.plan_per_second
        if back:
            logger.info(
                f"Zoom's {self.label} rate limit: {self.label} requests are back at the {self.plan} plan's "
                f"{self.plan_per_second:.1f} per second after {self.slowdowns} slowdown(s)."
            )

    def _set_rate(self, per_second: float) -> None:
        self.per_second = per_second
        self._interval = 1.0 / per_second

    def mark_daily_cap_spent(self, until: datetime) -> None:
        """Zoom said the daily cap is used up (other apps on the account count too)."""
        with self._lock:
            self._spent = RequestFailure(Fault.DAILY_CAP, category=self.label, resets_at=until)

    def _fail_if_daily_cap_spent(self) -> None:
        """Raises, without a request, once the category's daily cap is used up: counted (the
        plan's Heavy cap) or said by Zoom for any category (another app's requests count too, and
        Zoom has answered daily 429s on Light and Medium endpoints)."""
        now = self._clock.utc_now()
        if self._day != now.date():
            self._day, self._used_today, self._left_today = now.date(), 0, None
        if self._spent is not None and self._spent.resets_at is not None and now >= self._spent.resets_at:
            self._spent = None
        resets = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)
        if self._spent is None and self._left_today is not None and self._left_today <= 0:
            self._spent = RequestFailure(
                Fault.DAILY_CAP, category=self.label, resets_at=resets, why="Zoom's last answer said no request of it is left today"
            )
        if self.daily_cap is not None and self._spent is None and self._used_today >= self.daily_cap:
            self._spent = RequestFailure(
                Fault.DAILY_CAP,
                category=self.label,
                resets_at=resets,
                why=f"{self.daily_cap:,} requests a day on the {self.plan} plan; this sync sent {self._used_today:,} today",
            )
        if self._spent is not None:
            raise RequestFailed(self._spent)


# The attribute a request carries: its policy's slowdown count when it got its slot.
PACED_IN_GENERATION = "_zoom_paced_in_generation"


class ZoomAPIBudget(AbstractAPIBudget):
    """The policies of both APIs, which wait for their reserved slot once, and which learn from
    Zoom's 429s: a daily cap spent fails fast, a per-second limit hit slows the category down.
    A request reaches the policy its endpoint declares through `for_endpoint(endpoint)`; a
    request of no declared endpoint (a token request, a file download) is not limited."""

    def __init__(self, policies: List[CategoryRatePolicy], clock: Clock):
        self.clock = clock
        self.policies: Dict[Tuple[Api, str], CategoryRatePolicy] = {(policy.api, policy.category): policy for policy in policies}
        # Called with a request that waited for its slot, just before it is sent: the request was
        # signed when it was queued, and the shared token may have been renewed while it waited.
        self.before_send: Optional[Callable[[Any], Any]] = None
        # The sync's stop event (SyncContext sets it): a request waiting for its slot stops waiting.
        self.stopped: Optional[threading.Event] = None

    @property
    def policies_by_category(self) -> Dict[str, CategoryRatePolicy]:
        """The Meeting API's policies, by category."""
        return {category: policy for (api, category), policy in self.policies.items() if api == MEETING}

    def policy_for(self, endpoint: Endpoint) -> Optional[CategoryRatePolicy]:
        return self.policies.get(endpoint.budget_key) if endpoint.category is not None else None  # type: ignore[arg-type]

    def for_endpoint(self, endpoint: Endpoint) -> "EndpointBudget":
        """The budget as one endpoint's requests see it (what a stream's HTTP client is given)."""
        return EndpointBudget(self, endpoint)

    # The CDK's interface for a request of no declared endpoint: not limited.
    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        pass

    def get_matching_policy(self, request: Any) -> None:
        return None

    def update_from_response(self, request: Any, response: Any) -> None:
        pass

    def acquire(self, policy: CategoryRatePolicy, request: Any, block: bool, timeout: Optional[float]) -> None:
        # Read before the slot is taken: a slowdown in between makes this request's 429 count
        # as old news, never the other way round.
        generation = policy.slowdowns
        wait = policy.reserve(max_wait=(timeout if block else 0.0))
        try:
            setattr(request, PACED_IN_GENERATION, generation)
        except AttributeError:  # an object that takes no attributes: its 429s count by time alone
            pass
        if wait > 0:
            if self.clock.pause(wait, self.stopped):
                raise SyncStopped()
            if self.before_send is not None:
                self.before_send(request)

    def learn(self, endpoint: Endpoint, request: Any, response: Any) -> None:
        """What an answer to a request of `endpoint` says of its API's limits."""
        policy = self.policy_for(endpoint)
        if not isinstance(response, requests.Response) or policy is None:
            return
        if response.status_code != 429:
            policy.answered(daily_remaining(response))
            # Any answer but a rate limit or a server error shows Zoom took the request within its limit.
            if response.status_code < 500:
                policy.recover()
            return
        # The category Zoom names in a 429 (of the endpoint's API), else the endpoint's.
        policy = self.policies.get((endpoint.api, response.headers.get("X-RateLimit-Category", "").capitalize()), policy)
        until = daily_limit_resets_at(response, now=self.clock.utc_now())
        if until is not None:
            policy.mark_daily_cap_spent(until)
            return
        policy.slow_down(getattr(request, PACED_IN_GENERATION, None), f"Zoom answered {response.status_code} for its per-second limit")


class EndpointBudget(AbstractAPIBudget):
    """The shared budget as one endpoint's requests see it: every request of it goes through the
    policy of its API's category, declared on the endpoint."""

    def __init__(self, budget: ZoomAPIBudget, endpoint: Endpoint):
        self.budget = budget
        self.endpoint = endpoint
        self.policy = budget.policy_for(endpoint)

    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        if self.policy is not None:
            self.budget.acquire(self.policy, request, block, timeout)

    def get_matching_policy(self, request: Any) -> Optional[CategoryRatePolicy]:
        return self.policy

    def update_from_response(self, request: Any, response: Any) -> None:
        self.budget.learn(self.endpoint, request, response)


def daily_remaining(response: requests.Response) -> Optional[int]:
    """What an answer says is left of a daily cap (headers in any case), None if it says nothing of one."""
    try:
        limit = int(response.headers.get("X-RateLimit-Limit", ""))
        remaining = int(response.headers.get("X-RateLimit-Remaining", ""))
    except ValueError:
        return None
    per_second = response.headers.get("X-RateLimit-Type", "").lower() == "qps"
    return remaining if limit >= SMALLEST_DAILY_LIMIT and not per_second else None


def build_api_budget(plan: str, clock: Optional[Clock] = None, rate_share: float = RATE_SHARE) -> ZoomAPIBudget:
    """The one budget of a sync for a Zoom plan (`free`, `pro` or `business`): each API's table at that plan."""
    if plan not in PLAN_RATES:
        raise ValueError(f"unknown Zoom plan {plan!r}: use one of {', '.join(RATE_LIMIT_PLANS)}")
    clock = clock or Clock()
    policies = [
        CategoryRatePolicy(category, rates[plan][category] * rate_share, caps[plan] if category == HEAVY else None, plan, clock, api)
        for api, (rates, caps) in API_RATES.items()
        for category in CATEGORIES
    ]
    return ZoomAPIBudget(policies, clock)
