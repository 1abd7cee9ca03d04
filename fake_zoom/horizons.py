"""Every time horizon of the fake Zoom account, in one place.

The fake's handlers and its ground truth both take their horizons from here, so the rule Zoom
enforces and the rule the truth counts by can never drift apart. Each figure is Zoom's documented
one, or the fake's stated model of it where Zoom gives a range.
"""

from __future__ import annotations

import calendar
import datetime as dt

# Report listings (/report/users/{id}/meetings, /report/history_meetings) answer 400 code 300 for a
# `from` earlier than 6 calendar months before today (Zoom: "within the past 6 months").
REPORT_HORIZON_MONTHS = 6
# Zoom's per-instance lookups (/past_*/{uuid}/..., /report/{meetings,webinars}/{uuid}...) reach
# "12 to 15 months" back and answer 400 code 12702 for anything older; the fake models that range
# as one figure.
LOOKUP_LIMIT_DAYS = 395
# from/to listings (reports, history, recordings) span at most one month.
LISTING_SPAN_MONTHS = 1
# A one-time meeting expires 30 days after its date: it leaves `type=scheduled`, /meetings/{id} 3001.
ONE_TIME_MEETING_EXPIRY_DAYS = 30
# A webinar is deleted 90 days after it ends: it leaves /users/{id}/webinars, /webinars/{id} 3001.
WEBINAR_DELETION_DAYS = 90
# The documented example start_date lies this many days before today, at noon UTC: inside the data,
# with instances on both sides of it (see generate.py, boundary instances).
EXAMPLE_START_DAYS_BACK = 45
EXAMPLE_START_HOUR = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping the day to the target month's length (Mar 31 - 1 = Feb 28)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_horizon(today: dt.date) -> dt.date:
    """The earliest `from` a report or history listing accepts: 6 calendar months before today."""
    return add_months(today, -REPORT_HORIZON_MONTHS)


def lookup_limit(today: dt.date) -> dt.date:
    """The earliest start date a per-instance lookup still serves; an older instance answers 12702."""
    return today - dt.timedelta(days=LOOKUP_LIMIT_DAYS)


def beyond_lookup_limit(start: dt.datetime, today: dt.date) -> bool:
    return start.date() < lookup_limit(today)


def example_start_date(today: dt.date) -> dt.datetime:
    """A start_date inside the default dataset (naive UTC): some instances start before it."""
    day = today - dt.timedelta(days=EXAMPLE_START_DAYS_BACK)
    return dt.datetime(day.year, day.month, day.day, EXAMPLE_START_HOUR)


def window_last_day(first_day: dt.date) -> dt.date:
    """The last day of a one-month listing window starting on `first_day` ([d, d + 1 month - 1 day])."""
    return add_months(first_day, 1) - dt.timedelta(days=1)


def listing_span_ok(start: dt.date, end: dt.date) -> bool:
    """from/to span at most one month (one day of slack for inclusive windows)."""
    return end <= add_months(start, LISTING_SPAN_MONTHS) + dt.timedelta(days=1)
