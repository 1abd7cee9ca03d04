"""What a start_date far back costs and holds (issue 31).

- `check` with a start_date past Zoom's horizons succeeds and names each horizon once: its tables,
  the date they really start from, and Zoom's source; a read says the same once, before its first table.
- No request asks for a month nobody could have recorded in: a user's windows start at the user's
  creation, the account's at its oldest user's; a start_date in 2012 costs what a start_date at
  that creation costs, and returns the same records.
- Incremental asked of a table with no cursor is said once, and its state holds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Dict, List, Mapping

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.horizons import add_months, report_horizon
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records, full_catalog, records_by_table, run_connector, state_messages

START_2012 = "2012-01-01"
# The tables each of Zoom's horizons bounds (Zoom's API reference): the report listings and audit
# logs six months back (Zoom Phone's call history and voicemails too: its Phone API reference),
# the per-instance lookups about a year back (code 12702), the daily usage report's whole months
# of the last six, the cloud recording report six months back.
REPORT_TABLES = ("report_meetings", "report_sign_in_activities", "report_operation_logs", "phone_call_history",
                 "phone_call_elements", "phone_voicemails")
LOOKUP_TABLES = (
    "report_meeting_participants",
    "meeting_poll_results",
    "meeting_qna_results",
    "meeting_survey_results",
    "webinar_survey_results",
    "report_webinars",
    "report_webinar_participants",
    "webinar_absentees",
    "webinar_poll_results",
    "webinar_qna_results",
)



def warnings(messages: List[Mapping[str, Any]]) -> List[str]:
    return [m["log"]["message"] for m in messages if m["type"] == "LOG" and m["log"]["level"] == "WARN"]


def dates_in(line: str) -> List[dt.date]:
    return [dt.date.fromisoformat(found) for found in re.findall(r"\d{4}-\d{2}-\d{2}", line)]


def assert_names_each_horizon(lines: List[str], today: dt.date) -> None:
    """Four lines: the reports' (from exactly six calendar months back), the lookups' (about a
    year: Zoom says 12 to 15 months), the daily usage report's (its first whole month within the
    six) and the cloud recording report's (six months back), each naming its tables and Zoom's
    reference."""
    assert len(lines) == 4, lines
    reports, lookups, daily, storage = lines
    assert "report_daily_usage" in daily and "report_cloud_recording_usage" in storage, (daily, storage)
    first_whole_month = report_horizon(today) if report_horizon(today).day == 1 else add_months(report_horizon(today).replace(day=1), 1)
    assert first_whole_month in dates_in(daily), daily
    assert report_horizon(today) in dates_in(storage), storage
    assert all(table in reports for table in REPORT_TABLES) and not any(table in reports for table in LOOKUP_TABLES), reports
    assert all(table in lookups for table in LOOKUP_TABLES), lookups
    assert report_horizon(today) in dates_in(reports)
    assert any(add_months(today, -15) <= day <= add_months(today, -12) for day in dates_in(lookups)), lookups
    assert all("Zoom's API reference" in line and START_2012 in line for line in lines)


def test_given_a_start_date_in_2012_when_checking_then_it_succeeds_and_names_each_of_zooms_horizons(fake):
    code, messages, stderr = run_connector("check", fake.connector_config(start_date=START_2012))

    (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    assert code == 0 and status["status"] == "SUCCEEDED", stderr
    assert_names_each_horizon(warnings(messages), fake.fake.dataset.today)


def test_given_a_start_date_within_zooms_horizons_when_checking_then_nothing_is_said(fake):
    start = (fake.fake.dataset.today - dt.timedelta(days=30)).isoformat()

    code, messages, stderr = run_connector("check", fake.connector_config(start_date=start))

    assert code == 0, stderr
    assert warnings(messages) == []


def oldest_user_creation(fake: FakeZoomServer) -> str:
    """When the account's oldest user was made, as GET /users says it (Zoom's `user_created_at`)."""
    return min(user.record["user_created_at"] for user in fake.fake.dataset.users)


def sync(fake: FakeZoomServer, discovered, start_date: str):
    fake.reset_stats()
    code, messages, stderr = run_connector("read", fake.connector_config(start_date=start_date), full_catalog(discovered))
    assert code == 0, stderr
    return messages, sum(fake.stats()["requests_by_endpoint"].values())


def as_rows(records: Mapping[str, List[Mapping[str, Any]]]) -> Dict[str, List[str]]:
    return {table: sorted(json.dumps(record, sort_keys=True) for record in rows) for table, rows in records.items()}


@pytest.fixture(scope="module")
def syncs_2012_and_creation(fake, discovered):
    return sync(fake, discovered, START_2012), sync(fake, discovered, oldest_user_creation(fake))


@pytest.mark.slow  # the two syncs from 2012 and from the account's creation
def test_given_a_start_date_in_2012_when_syncing_then_it_costs_what_a_start_at_the_accounts_creation_costs(syncs_2012_and_creation):
    (messages_2012, requests_2012), (messages_creation, requests_creation) = syncs_2012_and_creation

    # On main de45463: 2,054 requests against 628 (cloud_recordings alone 1,260 against 49).
    assert requests_2012 <= 1.2 * requests_creation, (requests_2012, requests_creation)
    assert as_rows(records_by_table(messages_2012)) == as_rows(records_by_table(messages_creation))


@pytest.mark.slow  # the two syncs from 2012 and from the account's creation
def test_given_a_start_date_in_2012_when_syncing_then_every_record_zoom_holds_arrives(fake, syncs_2012_and_creation, keys):
    """One user changed login type after recording (Zoom's `created_at` is then later than the
    user's creation): those recordings arrive too."""
    (messages_2012, _), _ = syncs_2012_and_creation

    assert compare_records(records_by_table(messages_2012), fake.ground_truth(START_2012), keys) == {}


@pytest.mark.slow  # the two syncs from 2012 and from the account's creation
def test_given_a_start_date_in_2012_when_syncing_then_the_horizons_are_said_once_before_the_first_table(fake, syncs_2012_and_creation):
    (messages, _), _ = syncs_2012_and_creation

    said = warnings(messages)
    first_table = next(
        index for index, m in enumerate(messages) if m["type"] == "TRACE" and m["trace"]["type"] == "STREAM_STATUS"
    )
    before = warnings(messages[:first_table])
    assert_names_each_horizon(before, fake.fake.dataset.today)
    assert [line for line in said if line.startswith(f"start_date {START_2012} reaches past")] == before


@pytest.fixture
def small_fake():
    with FakeZoomServer(FakeZoomConfig.default(users=2, inactive_users=0, pending_users=0, real_account=False)) as server:
        yield server


@pytest.mark.parametrize("made_at", ["23:10", "00:05"])
def test_given_a_user_made_then_recording_the_same_day_when_syncing_from_2012_then_the_recording_arrives(small_fake, keys, made_at):
    """created_at is a UTC moment and windows are days: a window ending the day before is asked
    too (Zoom may read a day in the user's time zone), and the window holding the day is."""
    today = small_fake.fake.dataset.today
    hour, minute = map(int, made_at.split(":"))
    made = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(hour, minute))
    user = small_fake.add_user(made, made + dt.timedelta(minutes=30))
    tables = ("cloud_recordings", "report_meetings")
    discovered = [s for s in full_catalog_streams(small_fake) if s["name"] in tables]

    code, messages, stderr = run_connector("read", small_fake.connector_config(start_date=START_2012), full_catalog(discovered))

    assert code == 0, stderr
    records = records_by_table(messages)
    assert [r["start_time"] for r in records["cloud_recordings"] if r["host_id"] == user["id"]] == [
        (made + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ]
    truth = small_fake.ground_truth(START_2012)
    truth["tables"] = {table: truth["tables"][table] for table in tables}
    assert compare_records({table: records.get(table, []) for table in tables}, truth, keys) == {}


def full_catalog_streams(server: FakeZoomServer) -> List[Dict[str, Any]]:
    code, messages, stderr = run_connector("discover", server.connector_config())
    assert code == 0, stderr
    return [m for m in messages if m["type"] == "CATALOG"][0]["catalog"]["streams"]


def test_given_incremental_asked_of_tables_without_a_cursor_when_reading_then_one_warning_names_them_and_their_state_holds_nothing(
    fake, discovered
):
    asked = {"users": "incremental", "meeting_registrants": "incremental", "cloud_recordings": "incremental"}
    catalog = {
        "streams": [
            {
                "stream": stream,
                "sync_mode": asked[stream["name"]],
                "destination_sync_mode": "append",
                "cursor_field": stream.get("default_cursor_field"),
            }
            for stream in discovered
            if stream["name"] in asked
        ]
    }

    code, messages, stderr = run_connector("read", fake.connector_config(), catalog)

    assert code == 0, stderr
    named = [line for line in warnings(messages) if "users" in line]
    assert len(named) == 1 and "meeting_registrants" in named[0] and "cloud_recordings" not in named[0], warnings(messages)
    assert "full" in named[0] and "every sync" in named[0]
    states = state_messages(messages)
    # The CDK closes every full-refresh table with its no-cursor marker; nothing else is kept for them.
    for table in ("users", "meeting_registrants"):
        held = [s["stream"]["stream_state"] for s in states if s["stream"]["stream_descriptor"]["name"] == table]
        assert all(set(state) <= {"__ab_no_cursor_state_message"} for state in held), held
    assert any(s["stream"]["stream_state"].get("start_time") for s in states if s["stream"]["stream_descriptor"]["name"] == "cloud_recordings")
