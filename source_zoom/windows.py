"""Date windows and horizons: how a table meets time, and Zoom's timestamps read and written.

Zoom lists reports and recordings by `from`/`to` windows of at most one month; its reports reach
back six months only. Tables under a past instance are not listed by date, but their slices are
grouped by the month window their instance started in, so that state can move window by window.
Each table declares one `DatePolicy`; this module turns it into windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from dateutil.relativedelta import relativedelta


# Zoom's report endpoints serve the last six calendar months only (and refuse a `from` before that).
REPORT_HORIZON_MONTHS = 6
# Zoom's clock can run ahead of ours by a few seconds: at 00:00 UTC its report horizon moves a day
# before ours does. A refusal within this much of it is taken as Zoom's horizon having moved.
ZOOM_CLOCK_AHEAD = timedelta(minutes=5)

Window = Tuple[date, date]


def parse_zoom_time(value: Any) -> Optional[datetime]:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_zoom_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


class Windows(Enum):
    NONE = "not sliced by date"
    REQUESTED = "each request asks for one window (from/to)"
    BY_PARENT_START = "slices grouped by the window their parent instance started in"


@dataclass(frozen=True)
class DatePolicy:
    """windows: how the table's slices meet date windows.
    within_report_horizon: the windows start no earlier than Zoom's report horizon.
    since_start_date: past instances that started before start_date (or the state's floor) are dropped."""

    windows: Windows = Windows.NONE
    within_report_horizon: bool = False
    since_start_date: bool = False

    @property
    def keeps_only_recent_instances(self) -> bool:
        return self.since_start_date or self.windows == Windows.REQUESTED

    def requested_range(self, start: str, end: str, now: datetime) -> Tuple[str, str]:
        """The `from`/`to` of a window as sent now. Windows are made when a table starts; a sync
        that runs past 00:00 UTC finds Zoom's report horizon a day later, and Zoom refuses a `from`
        before it (400 code 300): such a window starts at the horizon instead, which loses nothing
        Zoom still serves."""
        if not self.within_report_horizon:
            return start, end
        horizon = report_horizon(now.date()).isoformat()
        return min(max(start, horizon), end), end

    def start_zoom_takes(self, start: str, end: str, now: datetime) -> Optional[str]:
        """When Zoom refused a window as invalid (400 code 300): the `from` to ask again with, if the
        window as sent starts before Zoom's horizon as its clock may read now (a few seconds ahead
        of ours at 00:00 UTC); None when moving the start would change nothing."""
        if not self.within_report_horizon:
            return None
        sent, _ = self.requested_range(start, end, now)
        zooms = report_horizon((now + ZOOM_CLOCK_AHEAD).date()).isoformat()
        return zooms if sent < zooms <= end else None


NOT_DATED = DatePolicy()
REPORT_LISTING = DatePolicy(windows=Windows.REQUESTED, within_report_horizon=True)
RECORDING_LISTING = DatePolicy(windows=Windows.REQUESTED)
PAST_INSTANCES = DatePolicy(since_start_date=True)
UNDER_AN_INSTANCE = DatePolicy(windows=Windows.BY_PARENT_START)


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, the day clamped to the target month's length (Aug 31 - 6 = Feb 28)."""
    return day + relativedelta(months=months)


def report_horizon(today: date) -> date:
    """The earliest day Zoom's reports cover: six calendar months before today."""
    return add_months(today, -REPORT_HORIZON_MONTHS)


def month_windows(start: date, end: date) -> Iterable[Window]:
    """Consecutive, non-overlapping inclusive windows of at most one month, as Zoom's reports want."""
    window_start = start
    while window_start <= end:
        next_start = (window_start.replace(day=1) + timedelta(days=32)).replace(day=min(window_start.day, 28))
        window_end = min(end, next_start - timedelta(days=1))
        yield window_start, window_end
        window_start = window_end + timedelta(days=1)


# When a user came to be: Zoom's `user_created_at`; `created_at` is "when this user's latest login
# type was created" (Zoom's reference for GET /users), later than that when the login type changed,
# and the only one older exports have. The earlier of the two loses nothing.
CREATED_FIELDS = ("user_created_at", "created_at")


def first_day_of(record: Mapping[str, Any]) -> Optional[date]:
    """The first day a window can hold anything of the record's (a user's recordings and
    reports): the day before its creation's UTC day, since Zoom may read a `from`/`to` day in
    the user's time zone (UTC-12 at the earliest). None: the record does not say when it was made."""
    made = [moment for moment in (parse_zoom_time(record.get(field)) for field in CREATED_FIELDS) if moment is not None]
    return min(made).astimezone(timezone.utc).date() - timedelta(days=1) if made else None


def starts_before(record: Mapping[str, Any], floor: Optional[datetime]) -> bool:
    started = parse_zoom_time(record.get("start_time")) if floor is not None else None
    return started is not None and started < floor  # type: ignore[operator]


def table_windows(name: str, policy: DatePolicy, start_date: datetime, today: datetime, floor: Optional[datetime], first_day: Optional[date] = None) -> List[Window]:
    """The month windows a table reads, from start_date (or the state's floor, or `first_day`, the
    first day anything of the account can be dated on) to today. What the report horizon leaves
    out is said once, before the first table (horizons.py)."""
    start = start_date.date()
    if floor is not None:
        start = max(start, floor.date())
    if first_day is not None:
        start = max(start, first_day)
    if policy.within_report_horizon:
        start = max(start, report_horizon(today.date()))
    return list(month_windows(start, today.date())) or [(today.date(), today.date())]


def window_of(started: Optional[datetime], windows: List[Window]) -> Window:
    """The window a start time falls in (the last window when it has none, or falls after them all)."""
    day = started.date() if started is not None else windows[-1][1]
    return next((window for window in windows if day <= window[1]), windows[-1])
