"""Zoom's horizons, said from one place (horizons.py)."""

from datetime import date, datetime, timezone

import pytest

from source_zoom.horizons import horizon_lines

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
