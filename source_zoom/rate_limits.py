"""Zoom's per-account rate limits as one call budget shared by every stream of a sync.

Zoom counts requests per category (Light, Medium, Heavy) per second, and Heavy requests per
UTC day as well. Each category gets one policy that hands out send times spaced 1/rate apart:
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
import re
import threading
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Set

import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.call_rate import (
    AbstractCallRatePolicy,
    APIBudget,
    BaseCallRatePolicy,
    CallRateLimitHit,
    HttpRequestRegexMatcher,
)
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.errors import daily_limit_message, daily_limit_resets_at
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
# Share of Zoom's per-second rate we send at. Measured (benchmarks/rate_share.py, 50 threads,
# 100 ms latency): at 1.0 about 0.15% of requests got 429 at 40 and 80 req/s, at 0.95 none.
RATE_SHARE = 0.95

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

# Every endpoint the connector calls, relative to the API root (/v2), with Zoom's category.
ENDPOINT_CATEGORIES: Mapping[str, str] = {
    "users": "Medium",
    "users/{userId}": "Medium",
    "users/{userId}/meetings": "Medium",
    "users/{userId}/webinars": "Medium",
    "users/{userId}/recordings": "Medium",
    "meetings/{meetingId}": "Light",
    "meetings/{meetingId}/registrants": "Medium",
    "meetings/{meetingId}/registrants/questions": "Light",
    "meetings/{meetingId}/polls": "Light",
    "past_meetings/{meetingId}/instances": "Medium",
    "past_meetings/{meetingId}/polls": "Medium",
    "past_meetings/{meetingId}/files": "Medium",
    "report/users/{userId}/meetings": "Heavy",
    "report/meetings/{meetingId}": "Heavy",
    "report/meetings/{meetingId}/participants": "Heavy",
    "report/history_meetings": "Heavy",
    "webinars/{webinarId}": "Light",
    "webinars/{webinarId}/panelists": "Medium",
    "webinars/{webinarId}/registrants": "Medium",
    "webinars/{webinarId}/registrants/questions": "Light",
    "webinars/{webinarId}/tracking_sources": "Medium",
    "webinars/{webinarId}/polls": "Light",
    "past_webinars/{webinarId}/instances": "Medium",
    "past_webinars/{webinarId}/absentees": "Heavy",
    "past_webinars/{webinarId}/polls": "Medium",
    "past_webinars/{webinarId}/qa": "Medium",
    "past_webinars/{webinarId}/files": "Medium",
    "report/webinars/{webinarId}": "Heavy",
    "report/webinars/{webinarId}/participants": "Heavy",
    "meetings/meeting_summaries": "Medium",
    "meetings/{meetingId}/meeting_summary": "Light",
    "report/meetings/{meetingId}/qa": "Heavy",
    "report/activities": "Heavy",
    "report/operationlogs": "Heavy",
    # Zoom Phone (its own rate-limit table; the label of each is in Zoom's Phone API reference)
    "phone/users": "Medium",
    "phone/sites": "Medium",
    "phone/numbers": "Medium",
    "phone/call_queues": "Medium",
    "phone/call_history": "Heavy",
    "phone/call_history/{callLogId}": "Light",
    "phone/recordings": "Medium",
    "phone/voice_mails": "Heavy",
    "phone/sms/sessions": "Medium",
}


def endpoint_path_pattern(templates: List[str]) -> str:
    """A regex matching the tail of a request path against any of `templates`, whatever the API
    root before it (/v2, ZoomGov, a proxy prefix). `meetings/{id}` is also the tail of
    `report/meetings/{id}`, hence the look-behind; a placeholder is one path segment (an encoded
    UUID holds no '/'), except a word another endpoint has in its place (`meetings/meeting_summaries`
    is not `meetings/{id}`)."""
    bodies = [_template_pattern(template) for template in sorted(templates)]
    return rf"(?<!/report)/(?:{'|'.join(bodies)})$"


def _template_pattern(template: str) -> str:
    segments = template.split("/")
    parts = []
    for position, segment in enumerate(segments):
        if "{" not in segment:
            parts.append(re.escape(segment))
            continue
        siblings = sorted(_word_in_place_of(template, position))
        excluded = rf"(?!(?:{'|'.join(map(re.escape, siblings))})(?:/|$))" if siblings else ""
        parts.append(excluded + "[^/]+")
    return "/".join(parts)


def _word_in_place_of(template: str, position: int) -> List[str]:
    """The words other endpoints have where `template` has its placeholder at `position`."""
    shape = [None if "{" in segment else segment for segment in template.split("/")]
    words = []
    for other in ENDPOINT_CATEGORIES:
        other_shape = [None if "{" in segment else segment for segment in other.split("/")]
        if len(other_shape) != len(shape) or other_shape[position] is None:
            continue
        if all(a == b for index, (a, b) in enumerate(zip(shape, other_shape)) if index != position):
            words.append(other_shape[position])
    return words


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
    """One Zoom category: send times spaced 1/rate apart, and an optional daily cap."""

    def __init__(self, category: str, per_second: float, daily_cap: Optional[int], plan: str, clock: Clock):
        super().__init__(matchers=[
            HttpRequestRegexMatcher(
                url_path_pattern=endpoint_path_pattern([t for t, c in ENDPOINT_CATEGORIES.items() if c == category])
            )
        ])
        self.category = category
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
        self._spent_message: Optional[str] = None
        self._spent_until: Optional[datetime] = None
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
                    error=f"Zoom's {self.category} rate limit: next request in {wait:.3f} s",
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
                f"Zoom's {self.category} rate limit: slowing {self.category} requests from {before:.1f} to {after:.1f} per second "
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
                f"Zoom's {self.category} rate limit: {self.category} requests are back at the {self.plan} plan's "
                f"{self.plan_per_second:.1f} per second after {self.slowdowns} slowdown(s)."
            )

    def _set_rate(self, per_second: float) -> None:
        self.per_second = per_second
        self._interval = 1.0 / per_second

    def mark_daily_cap_spent(self, until: datetime) -> None:
        """Zoom said the daily cap is used up (other apps on the account count too)."""
        with self._lock:
            self._spent_until = until
            self._spent_message = daily_limit_message(self.category, until)

    def _fail_if_daily_cap_spent(self) -> None:
        """Raises, without a request, once the category's daily cap is used up: counted (the
        plan's Heavy cap) or said by Zoom for any category (another app's requests count too, and
        Zoom has answered daily 429s on Light and Medium endpoints)."""
        now = self._clock.utc_now()
        if self._day != now.date():
            self._day, self._used_today, self._left_today = now.date(), 0, None
        if self._spent_until is not None and now >= self._spent_until:
            self._spent_until = self._spent_message = None
        if self._spent_message is None and self._left_today is not None and self._left_today <= 0:
            resets = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)
            self._spent_message = daily_limit_message(self.category, resets, "Zoom's last answer said no request of it is left today")
            self._spent_until = resets
        if self.daily_cap is not None and self._spent_message is None and self._used_today >= self.daily_cap:
            resets = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)
            self._spent_message = daily_limit_message(
                self.category, resets, f"{self.daily_cap:,} requests a day on the {self.plan} plan; this sync sent {self._used_today:,} today"
            )
            self._spent_until = resets
        if self._spent_message is not None:
            raise AirbyteTracedException(message=self._spent_message, failure_type=FailureType.transient_error)


# The attribute a request carries: its policy's slowdown count when it got its slot.
PACED_IN_GENERATION = "_zoom_paced_in_generation"


class ZoomAPIBudget(APIBudget):
    """An APIBudget whose Zoom policies wait for their reserved slot once, and which learns from
    Zoom's 429s: a daily cap spent fails fast, a per-second limit hit slows the category down.
    Requests no policy matches (none today) are not limited."""

    def __init__(self, policies: List[CategoryRatePolicy], clock: Clock):
        super().__init__(policies=list(policies))
        self.clock = clock
        self.policies_by_category: Dict[str, CategoryRatePolicy] = {policy.category: policy for policy in policies}
        # Called with a request that waited for its slot, just before it is sent: the request was
        # signed when it was queued, and the shared token may have been renewed while it waited.
        self.before_send: Optional[Callable[[Any], Any]] = None
        # The sync's stop event (SyncContext sets it): a request waiting for its slot stops waiting.
        self.stopped: Optional[threading.Event] = None

    def category_of(self, request: Any) -> Optional[str]:
        policy = self.get_matching_policy(request)
        return policy.category if isinstance(policy, CategoryRatePolicy) else None

    def _do_acquire(self, request: Any, policy: AbstractCallRatePolicy, block: bool, timeout: Optional[float]) -> None:
        if not isinstance(policy, CategoryRatePolicy):
            super()._do_acquire(request, policy, block, timeout)
            return
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

    def update_from_response(self, request: Any, response: Any) -> None:
        if not isinstance(response, requests.Response):
            return
        if response.status_code != 429:
            policy = self._policy_for(request, None)
            if policy is not None:
                policy.answered(daily_remaining(response))
                # Any answer but a rate limit or a server error shows Zoom took the request within its limit.
                if response.status_code < 500:
                    policy.recover()
            return
        policy = self._policy_for(request, response)
        if policy is None:
            return
        until = daily_limit_resets_at(response, now=self.clock.utc_now())
        if until is not None:
            policy.mark_daily_cap_spent(until)
            return
        policy.slow_down(getattr(request, PACED_IN_GENERATION, None), f"Zoom answered {response.status_code} for its per-second limit")

    def _policy_for(self, request: Any, response: Optional[requests.Response]) -> Optional[CategoryRatePolicy]:
        """The category Zoom names in a 429, else the request's."""
        if response is not None:
            named = self.policies_by_category.get(response.headers.get("X-RateLimit-Category", "").capitalize())
            if named is not None:
                return named
        matching = self.get_matching_policy(request)
        return matching if isinstance(matching, CategoryRatePolicy) else None


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
    """The one budget of a sync for a Zoom plan (`free`, `pro` or `business`)."""
    if plan not in PLAN_RATES:
        raise ValueError(f"unknown Zoom plan {plan!r}: use one of {', '.join(RATE_LIMIT_PLANS)}")
    clock = clock or Clock()
    policies = [
        CategoryRatePolicy(
            category,
            per_second * rate_share,
            HEAVY_DAILY_CAPS[plan] if category == "Heavy" else None,
            plan,
            clock,
        )
        for category, per_second in PLAN_RATES[plan].items()
    ]
    return ZoomAPIBudget(policies, clock)
