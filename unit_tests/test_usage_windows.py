"""The usage reports' windows: the daily report by calendar month (whole months within Zoom's six
months, the current one included), the storage report by windows of at most 30 days up to
yesterday; neither asks past its horizon."""

from datetime import date, datetime, timezone

from source_zoom.horizons import HORIZONS
from source_zoom.windows import CLOUD_RECORDING_USAGE_REPORT, DAILY_USAGE_REPORT, table_windows

TODAY = datetime(2025, 6, 15, 9, 30, tzinfo=timezone.utc)  # report horizon: 2024-12-15


# What `check` and a read say each table starts at (horizons.py): the windows' first day.
HORIZONS_SAY = {table: horizon.earliest(TODAY.date()) for horizon in HORIZONS for table in horizon.tables}


def windows(policy, start: datetime, floor=None):
    return table_windows("t", policy, start, TODAY, floor)


def test_given_a_start_before_the_horizon_then_daily_windows_are_the_calendar_months_from_the_first_whole_one():
    got = windows(DAILY_USAGE_REPORT, datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert got[0] == (date(2025, 1, 1), date(2025, 1, 31))
    assert got[-1] == (date(2025, 6, 1), date(2025, 6, 15))
    assert len(got) == 6 and all(first.month == last.month for first, last in got)
    assert HORIZONS_SAY["report_daily_usage"] == date(2025, 1, 1)


def test_given_a_state_in_the_current_month_then_the_daily_report_asks_that_month_again():
    got = windows(DAILY_USAGE_REPORT, datetime(2025, 1, 1, tzinfo=timezone.utc), floor=datetime(2025, 6, 14, tzinfo=timezone.utc))
    assert got == [(date(2025, 6, 14), date(2025, 6, 15))]
    assert DAILY_USAGE_REPORT.query("2025-06-14", "2025-06-15", TODAY) == {"year": 2025, "month": 6}


def test_given_a_start_mid_month_then_the_first_daily_window_starts_there_and_asks_its_whole_month():
    got = windows(DAILY_USAGE_REPORT, datetime(2025, 3, 10, tzinfo=timezone.utc))
    assert got[0] == (date(2025, 3, 10), date(2025, 3, 31))
    assert DAILY_USAGE_REPORT.query(*(day.isoformat() for day in got[0]), TODAY) == {"year": 2025, "month": 3}


def test_given_the_storage_report_then_windows_end_yesterday_span_at_most_30_days_and_start_at_the_horizon():
    got = windows(CLOUD_RECORDING_USAGE_REPORT, datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert got[0][0] == date(2024, 12, 15) == HORIZONS_SAY["report_cloud_recording_usage"] and got[-1][1] == date(2025, 6, 14)
    assert all((last - first).days <= 30 for first, last in got)
    assert CLOUD_RECORDING_USAGE_REPORT.query("2025-05-15", "2025-06-14", TODAY) == {"from": "2025-05-15", "to": "2025-06-14"}


def test_given_a_state_at_the_end_of_yesterday_then_the_storage_report_asks_nothing():
    assert windows(CLOUD_RECORDING_USAGE_REPORT, datetime(2025, 1, 1, tzinfo=timezone.utc), floor=datetime(2025, 6, 15, tzinfo=timezone.utc)) == []
