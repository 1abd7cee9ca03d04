"""The account's usage reports: daily usage and cloud recording storage, derived from the model.

GET /report/daily?year=&month= (rivet meetings' ReportsGetDailyUsageReportResponse) serves one row
per day of the month up to today: users created that day, meeting instances started that day,
their participants and minutes. Zoom: "Daily report can only be provided for a month that falls
within the recent 6 months" (400 code 300): the fake serves a month whose first day is on or after
the report horizon (6 calendar months before today), up to the current month.

GET /report/cloud_recording?from=&to= (ReportsGetCloudRecordingUsageReportResponse) serves one
row per day of [from, to]: the storage the account's recordings use at the end of that day. Zoom:
"You can only get cloud recording reports that is one day earlier than the current date and for
the most recent period of 6 months. The date gap between from and to dates should be smaller or
equal to 30 days" (400 code 300 otherwise).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterator

from .horizons import add_months, report_horizon

if TYPE_CHECKING:
    from .model import Dataset

DAILY_HORIZON_MESSAGE = "Daily report can only be provided for a month that falls within the recent 6 months."
CLOUD_RECORDING_MESSAGE = ("You can only get cloud recording reports that is one day earlier than the current date and for "
                           "the most recent period of 6 months; the date gap between from and to must be 30 days or less.")
CLOUD_RECORDING_MAX_GAP_DAYS = 30
PLAN_STORAGE_GB_PER_LICENCE = 5


def first_daily_month(today: dt.date) -> dt.date:
    """The first month the daily report serves: the first whole month within the report horizon."""
    horizon = report_horizon(today)
    return horizon if horizon.day == 1 else add_months(horizon.replace(day=1), 1)


def daily_month_served(year: int, month: int, today: dt.date) -> bool:
    return first_daily_month(today) <= dt.date(year, month, 1) <= today.replace(day=1)


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def daily_row(dataset: "Dataset", day: dt.date) -> dict[str, Any]:
    held = [i for i in dataset.all_instances() if i.kind == "meeting" and i.start.date() == day]
    return {
        "date": day.isoformat(),
        "new_users": sum(1 for u in dataset.users if u.record.get("created_at", "")[:10] == day.isoformat()),
        "meetings": len(held),
        "participants": sum(len(i.participants) for i in held),
        "meeting_minutes": sum(int((i.end - i.start).total_seconds() // 60) for i in held),
    }


def daily_report(dataset: "Dataset", year: int, month: int) -> dict[str, Any]:
    first = dt.date(year, month, 1)
    last = min(add_months(first, 1) - dt.timedelta(days=1), dataset.today)
    return {"dates": [daily_row(dataset, day) for day in days(first, last)], "month": month, "year": year}


def cloud_recording_served(first: dt.date, last: dt.date, today: dt.date) -> bool:
    return (report_horizon(today) <= first <= last <= today - dt.timedelta(days=1)
            and (last - first).days <= CLOUD_RECORDING_MAX_GAP_DAYS)


def storage_row(dataset: "Dataset", day: dt.date) -> dict[str, Any]:
    used = sum(i.recording.get("total_size", 0) for i in dataset.all_instances()
               if i.recording is not None and i.start.date() <= day)
    licensed = sum(1 for u in dataset.users if u.status == "active")
    return {"date": day.isoformat(), "free_usage": "Unlimited", "plan_usage": f"{PLAN_STORAGE_GB_PER_LICENCE * licensed} GB",
            "usage": f"{used / 1_000_000:.2f} MB"}


def cloud_recording_report(dataset: "Dataset", first: dt.date, last: dt.date) -> dict[str, Any]:
    return {"from": first.isoformat(), "to": last.isoformat(),
            "cloud_recording_storage": [storage_row(dataset, day) for day in days(first, last)]}


def truth(dataset: "Dataset", start: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Every day a sync from `start` reaches: daily usage from start's day (or the first month the
    report serves) to today; storage from start's day (or the horizon) to yesterday."""
    today = dataset.today
    daily_from = max(start.date(), first_daily_month(today))
    storage_from = max(start.date(), report_horizon(today))
    return {
        "report_daily_usage": [daily_row(dataset, day) for day in days(daily_from, today)],
        "report_cloud_recording_usage": [storage_row(dataset, day) for day in days(storage_from, today - dt.timedelta(days=1))],
    }
