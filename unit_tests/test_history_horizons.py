"""Zoom's horizons, said from one place (horizons.py), and the first day a user's windows can hold anything."""

from datetime import date, datetime, timezone

import pytest

from source_zoom.horizons import horizon_lines
from source_zoom.windows import REPORT_LISTING, RECORDING_LISTING, first_day_of, table_windows

TODAY = date(2026, 12, 7)
REPORTS = ("report_meetings", "report_sign_in_activities", "report_operation_logs")
LOOKUPS = ("report_meeting_participants", "meeting_poll_results", "meeting_qna_results", "report_webinars",
           "report_webinar_participants", "webinar_absentees", "webinar_poll_results", "webinar_qna_results")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_given_a_start_date_in_2012_then_one_line_per_horizon_with_its_tables_date_and_zooms_source():
    reports, lookups = horizon_lines(moment("2012-01-01T00:00:00"), TODAY)

    assert all(table in reports for table in REPORTS) and "2026-06-07" in reports
    assert all(table in lookups for table in LOOKUPS) and "about 2025-12-07" in lookups and "12702" in lookups
    assert all(line.startswith("start_date 2012-01-01 ") and "Zoom's API reference" in line for line in (reports, lookups))


@pytest.mark.parametrize(
    "start, said",
    [("2026-06-07T00:00:00", []), ("2026-06-06T23:00:00", ["report_meetings"]), ("2025-12-06T00:00:00", ["report_meetings", "meeting_poll_results"])],
)
def test_given_a_start_date_near_the_horizons_then_only_those_it_reaches_past_are_said(start, said):
    lines = horizon_lines(moment(start), TODAY)

    assert len(lines) == len(said) and all(table in line for table, line in zip(said, lines))


def test_given_the_selected_tables_and_their_states_then_only_tables_that_reach_past_a_horizon_are_named():
    floors = {"report_meetings": moment("2026-11-01T00:00:00")}

    (line,) = horizon_lines(moment("2012-01-01T00:00:00"), TODAY, {"users", "report_meetings", "report_operation_logs"}, floors)

    assert "report_operation_logs" in line and "report_meetings" not in line
    assert horizon_lines(moment("2012-01-01T00:00:00"), TODAY, {"users", "cloud_recordings", "meetings"}) == []


@pytest.mark.parametrize(
    "user, first_day",
    [
        # created_at is when the latest login type was made: the earlier user_created_at counts
        ({"user_created_at": "2026-03-10T02:00:00Z", "created_at": "2026-05-01T00:00:00Z"}, date(2026, 3, 9)),
        # a UTC moment; a day may be read in the user's zone (UTC-12 at the earliest): the day before
        ({"created_at": "2026-03-10T23:59:00Z"}, date(2026, 3, 9)),
        ({"created_at": "2026-03-10T00:30:00+05:00"}, date(2026, 3, 8)),
        ({"email": "no dates"}, None),
        ({"created_at": ""}, None),
    ],
)
def test_given_a_user_then_its_first_day_is_the_day_before_it_was_made(user, first_day):
    assert first_day_of(user) == first_day


def test_given_an_account_made_in_2021_when_windows_start_from_2012_then_they_start_at_the_accounts_first_day():
    windows = table_windows("meeting_summaries", RECORDING_LISTING, moment("2012-01-01T00:00:00"), moment("2026-12-07T10:00:00"), None, date(2021, 9, 5))

    assert windows[0] == (date(2021, 9, 5), date(2021, 10, 4)) and windows[-1][1] == TODAY
    reports = table_windows("report_meetings", REPORT_LISTING, moment("2012-01-01T00:00:00"), moment("2026-12-07T10:00:00"), None, date(2021, 9, 5))
    assert reports[0][0] == date(2026, 6, 7)
