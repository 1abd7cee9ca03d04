"""Every horizon of the fake and its truth, pinned to literal dates for a fixed today."""

import datetime as dt

import pytest

from fake_zoom import build_dataset, compute_ground_truth
from fake_zoom.generate import boundary_starts
from fake_zoom.horizons import (
    LOOKUP_LIMIT_DAYS,
    add_months,
    beyond_lookup_limit,
    example_start_date,
    lookup_limit,
    report_horizon,
)
from fake_zoom.model import default_start_date, documented_start_date
from conftest import make_config


@pytest.mark.parametrize("today, horizon", [
    ("2025-06-15", "2024-12-15"),
    ("2025-03-31", "2024-09-30"),  # no Sep 31st: the month's last day
    ("2024-08-31", "2024-02-29"),  # leap year
    ("2026-01-01", "2025-07-01"),
])
def test_given_today_when_asking_report_horizon_then_six_calendar_months_back(today, horizon):
    assert report_horizon(dt.date.fromisoformat(today)) == dt.date.fromisoformat(horizon)


def test_given_today_when_asking_lookup_limit_then_395_days_back():
    assert LOOKUP_LIMIT_DAYS == 395
    assert lookup_limit(dt.date(2025, 6, 15)) == dt.date(2024, 5, 16)
    assert not beyond_lookup_limit(dt.datetime(2024, 5, 16, 0, 0), dt.date(2025, 6, 15))
    assert beyond_lookup_limit(dt.datetime(2024, 5, 15, 23, 59), dt.date(2025, 6, 15))


def test_given_fixed_today_when_asking_start_dates_then_literal_dates():
    today = dt.date(2025, 6, 15)
    assert example_start_date(today) == dt.datetime(2025, 5, 1, 12, 0)
    assert documented_start_date(today) == "2025-05-01T12:00:00Z"
    assert default_start_date(today) == "2024-12-15T00:00:00Z"
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


def test_given_fixed_today_when_placing_boundary_instances_then_each_sits_on_its_literal_date():
    assert {name: start.isoformat() for name, start in boundary_starts(dt.date(2025, 6, 15)).items()} == {
        "before_example_start": "2025-05-01T11:59:00",
        "at_example_start": "2025-05-01T12:00:00",
        "at_report_horizon": "2024-12-15T00:00:00",
        "before_report_horizon": "2024-12-14T22:00:00",
        "at_lookup_limit": "2024-05-16T00:00:00",
        "before_lookup_limit": "2024-05-15T23:00:00",
        "example_window_last_minute": "2025-05-31T23:59:00",
        "example_window_next_day": "2025-06-01T00:00:00",
        "horizon_window_last_minute": "2025-01-14T23:59:00",
        "horizon_window_next_day": "2025-01-15T00:00:00",
    }


def test_given_other_today_when_building_then_every_date_moves_with_it():
    """Dates are relative to config.today: the same dataset one day later is shifted by one day."""
    first = build_dataset(make_config(today="2025-06-15"))
    later = build_dataset(make_config(today="2025-06-16"))
    starts = sorted(i.start for m in first.all_meetings() for i in m.instances)
    later_starts = sorted(i.start for m in later.all_meetings() for i in m.instances)
    shifted = [s + dt.timedelta(days=1) for s in starts]
    # Horizon-relative boundaries follow calendar months, so compare the day-relative ones only.
    day_relative = set(shifted) & set(later_starts)
    assert len(day_relative) >= len(starts) - len(boundary_starts(dt.date(2025, 6, 15)))


def test_given_truth_when_read_then_it_reports_today_and_start_date_literally():
    truth = compute_ground_truth(build_dataset(make_config()), "2025-05-01T12:00:00Z")
    assert (truth["today"], truth["start_date"]) == ("2025-06-15", "2025-05-01T12:00:00Z")
