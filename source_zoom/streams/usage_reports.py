"""The account's usage by day: meetings, participants and minutes (daily usage), and cloud
recording storage. Account-wide reports (Heavy, Pro plan or higher), one row per day, incremental
on the row's `date`; each report's horizon is its DatePolicy's (windows.py, with Zoom's words)."""

from typing import Any, Mapping

from source_zoom.declarations import HEAVY, Endpoint, Scopes
from source_zoom.streams.audit_logs import NEEDS_A_PAID_PLAN
from source_zoom.windows import CLOUD_RECORDING_USAGE_REPORT, DAILY_USAGE_REPORT
from source_zoom.zoom_stream import ZoomStream


class UsageReport(ZoomStream):
    """One row per day; the days from start_date's day on are kept."""

    primary_key = "date"
    cursor_field = "date"

    def keeps_instance(self, record: Mapping[str, Any]) -> bool:
        day = record.get("date")
        return not isinstance(day, str) or day[:10] >= self.context.config.start_date.date().isoformat()


class ReportDailyUsage(UsageReport):
    """GET /report/daily?year=&month=: the account's new users, meetings, participants and meeting
    minutes per day, one request per calendar month; the current month is read again by each sync
    until it is over (its days still change)."""

    endpoint = Endpoint("report/daily", HEAVY, Scopes("report:read:admin", "report:read:daily_usage:admin"), errors=NEEDS_A_PAID_PLAN)
    records_key = "dates"
    dates = DAILY_USAGE_REPORT


class ReportCloudRecordingUsage(UsageReport):
    """GET /report/cloud_recording?from=&to=: the account's cloud recording storage per day, by
    windows of at most 30 days, up to yesterday."""

    endpoint = Endpoint("report/cloud_recording", HEAVY, Scopes("report:read:admin", "report:read:cloud_recording:admin"), errors=NEEDS_A_PAID_PLAN)
    records_key = "cloud_recording_storage"
    dates = CLOUD_RECORDING_USAGE_REPORT
