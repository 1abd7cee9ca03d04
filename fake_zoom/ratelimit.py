"""Per-category rate limits (fixed one-second windows) and the Heavy daily quota."""

from __future__ import annotations

import datetime as dt
import time
from typing import Optional

PLAN_QPS = {
    "free": {"Light": 4, "Medium": 2, "Heavy": 1},  # unconfirmed figures, see zoom-api.md
    "pro": {"Light": 30, "Medium": 20, "Heavy": 10},
    "business": {"Light": 80, "Medium": 60, "Heavy": 40},
}
HEAVY_DAILY = {"free": 30_000, "pro": 30_000, "business": 60_000}
QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = "You have reached the maximum daily rate limit for this API. Try again later."


class RateLimited(Exception):
    def __init__(self, message: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers


class SystemClock:
    """Wall time for the limiter: `monotonic` numbers its one-second windows, `utc_now` its days.
    Tests hand the limiter a clock of their own, so no verdict depends on how fast a machine is."""

    def monotonic(self) -> float:
        return time.monotonic()

    def utc_now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


class RateLimiter:
    def __init__(self, plan: Optional[str], heavy_daily_limit: Optional[int] = None,
                 daily_limit_headers: str = "real", clock: Optional[SystemClock] = None) -> None:
        self.plan = plan
        self.qps = PLAN_QPS  # per plan and category (Zoom Phone's limiter has its own table)
        self.clock = clock or SystemClock()
        # A daily cap applies with a plan (its figure, or the knob's) or with the knob alone.
        self.heavy_daily_limit = heavy_daily_limit or (HEAVY_DAILY[plan] if plan else 0)
        self.daily_limit_headers = daily_limit_headers
        self._window: dict[str, tuple[int, int]] = {}  # category -> (second, count)
        self._heavy_day: Optional[dt.date] = None
        self._heavy_today = 0

    def reset_daily(self) -> None:
        """The next day: Zoom resets the daily counters at 00:00 UTC."""
        self._heavy_today = 0

    def admit(self, category: str) -> dict[str, str]:
        """Count one request of `category`, or raise RateLimited (a rejected request uses no quota).
        Returns the rate-limit headers of its answer: under a daily cap, what is left of it."""
        if self.plan is None:
            if category == "Heavy" and self.heavy_daily_limit:
                return self._admit_daily()
            return {}
        second = int(self.clock.monotonic())
        window_second, count = self._window.get(category, (second, 0))
        if window_second != second:
            count = 0
        limit = self.qps[self.plan][category]
        if count >= limit:
            raise RateLimited(QPS_MESSAGE, {
                "X-RateLimit-Category": category,
                "X-RateLimit-Type": "QPS",
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
            })
        headers = self._admit_daily() if category == "Heavy" else {}
        self._window[category] = (second, count + 1)
        return headers

    def _admit_daily(self) -> dict[str, str]:
        """Counts one Heavy request against the day's cap, or raises RateLimited. Zoom's answers
        under a daily cap say what is left of it (seen on Zoom's answers as lowercase
        x-ratelimit-category/-limit/-remaining; its docs show only the 429's headers)."""
        today = self.clock.utc_now().date()
        if today != self._heavy_day:
            self._heavy_day, self._heavy_today = today, 0
        limit = self.heavy_daily_limit
        if self._heavy_today >= limit:
            if self.daily_limit_headers == "real":
                # As seen from Zoom: lowercase names, no X-RateLimit-Type, no Retry-After.
                raise RateLimited(DAILY_MESSAGE, {"x-ratelimit-category": "Heavy", "x-ratelimit-remaining": "0"})
            reset = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
            raise RateLimited(DAILY_MESSAGE, {
                "X-RateLimit-Category": "Heavy",
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "Retry-After": reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
            })
        self._heavy_today += 1
        left = str(limit - self._heavy_today)
        if self.daily_limit_headers == "real":
            return {"x-ratelimit-category": "Heavy", "x-ratelimit-limit": str(limit), "x-ratelimit-remaining": left}
        return {"X-RateLimit-Category": "Heavy", "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": left}
