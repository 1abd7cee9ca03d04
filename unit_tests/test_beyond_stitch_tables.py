"""The rules of the tables beyond Stitch's, on a mocked account: meeting Q&A asked only where Zoom's
history report says there is some (or cannot say), summaries re-listed whole but fetched only when
modified since the state, and the audit logs' start and paid-plan rules."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read
from airbyte_cdk.test.state_builder import StateBuilder

from source_zoom import SourceZoom
from source_zoom.windows import add_months
from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, log_lines, paths_requested, read_tables, records_of, zoom_error

NOW = datetime.now(timezone.utc)
HORIZON = add_months(NOW.date(), -6)
START = datetime.combine(HORIZON - timedelta(days=20), datetime.min.time(), timezone.utc)
MEETING_ID = 81234567890


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


ASKED_ABOUT = ts(NOW - timedelta(days=3))  # listed by the history report as having Q&A
NOT_LISTED = ts(NOW - timedelta(days=4))  # within the report's reach, not listed: no Q&A report
TOO_OLD_FOR_IT = ts(START + timedelta(days=1, hours=10))  # before the report's six months: asked anyway


def config():
    return config_with(JWT_CREDENTIALS, start_date=ts(START))


def one_host_with_instances(zoom_api, qa_history):
    zoom_api.get(f"{API}/users?status=active", json={"users": [{"id": "user-1"}], "next_page_token": ""})
    for status in ("inactive", "pending"):
        zoom_api.get(f"{API}/users?status={status}", json={"users": [], "next_page_token": ""})
    zoom_api.get(f"{API}/users/user-1/meetings", json={"meetings": [{"id": MEETING_ID}], "next_page_token": ""})
    zoom_api.get(f"{API}/meetings/{MEETING_ID}", json={"id": MEETING_ID, "uuid": "m", "settings": {"approval_type": 2}})
    instances = [{"uuid": uuid, "start_time": start} for uuid, start in (("a==", ASKED_ABOUT), ("b==", NOT_LISTED), ("c==", TOO_OLD_FOR_IT))]
    zoom_api.get(f"{API}/past_meetings/{MEETING_ID}/instances", json={"meetings": instances})
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/history_meetings\?.*report_type=qa.*"), **qa_history)
    for uuid in ("a%3D%3D", "b%3D%3D", "c%3D%3D"):
        zoom_api.get(f"{API}/report/meetings/{uuid}/qa", json={"questions": [
            {"user_id": "", "name": "Anonymous Attendee", "email": "", "question_details": [{"question": "Why?", "answer": ""}]},
        ]})


def qa_asked(zoom_api):
    return sorted(path.split("/")[3] for path in paths_requested(zoom_api) if path.endswith("/qa"))


def test_given_the_history_report_lists_q_and_a_when_reading_meeting_qna_then_only_listed_and_older_instances_are_asked(zoom_api):
    listed = {"meeting_uuid": "a==", "meeting_id": MEETING_ID, "type": "Meeting", "start_time": ASKED_ABOUT}
    one_host_with_instances(zoom_api, {"json": {"history_meetings": [listed], "next_page_token": ""}})

    output = read_tables(config(), ["meeting_qna_results"])

    assert not output.errors
    assert qa_asked(zoom_api) == ["a%3D%3D", "c%3D%3D"]
    assert sorted(r["meeting_uuid"] for r in records_of(output, "meeting_qna_results")) == ["a==", "c=="]
    qa_listings = [urlsplit(r.url) for r in zoom_api.request_history if "report_type=qa" in r.url]
    assert qa_listings and all(parse_qs(u.query)["meeting_type"] == ["meeting"] for u in qa_listings)


def test_given_the_history_report_is_out_of_the_apps_scopes_when_reading_meeting_qna_then_every_instance_is_asked(zoom_api):
    missing = zoom_error(4711, "Invalid access token, does not contain scopes:[report:read:list_history_meetings:admin]")
    one_host_with_instances(zoom_api, {"status_code": 400, "json": missing})

    output = read_tables(config(), ["meeting_qna_results"])

    assert qa_asked(zoom_api) == ["a%3D%3D", "b%3D%3D", "c%3D%3D"]
    assert len(records_of(output, "meeting_qna_results")) == 3


# --- meeting_summaries -----------------------------------------------------------------------

OLD_EDIT = ts(NOW - timedelta(days=40))
NEW_EDIT = ts(NOW - timedelta(hours=5))


def summaries(zoom_api, listed):
    zoom_api.get(re.compile(rf"{re.escape(API)}/meetings/meeting_summaries\?.*"), json={"summaries": listed, "next_page_token": ""})
    for item in listed:
        zoom_api.get(f"{API}/meetings/{item['meeting_uuid'].replace('=', '%3D')}/meeting_summary", json={**item, "summary_content": "## Recap"})


def read_summaries(state=None):
    catalog = CatalogBuilder().with_stream("meeting_summaries", SyncMode.incremental).build()
    return read(SourceZoom(config()), config(), catalog, state)


def test_given_a_state_when_reading_summaries_then_every_window_is_listed_but_only_summaries_edited_since_are_fetched(zoom_api):
    listed = [
        {"meeting_uuid": "old==", "meeting_start_time": ts(START + timedelta(days=2)), "summary_last_modified_time": OLD_EDIT},
        # An old meeting whose summary was edited after the last sync.
        {"meeting_uuid": "edited==", "meeting_start_time": ts(START + timedelta(days=3)), "summary_last_modified_time": NEW_EDIT},
    ]
    summaries(zoom_api, listed)
    state = StateBuilder().with_stream_state("meeting_summaries", {"summary_last_modified_time": ts(NOW - timedelta(days=2))}).build()

    output = read_summaries(state)

    assert not output.errors
    assert [r["meeting_uuid"] for r in records_of(output, "meeting_summaries")] == ["edited=="]
    details = [path for path in paths_requested(zoom_api) if path.endswith("/meeting_summary")]
    assert details == ["/meetings/edited%3D%3D/meeting_summary"]
    windows = sorted(parse_qs(urlsplit(r.url).query)["from"][0] for r in zoom_api.request_history if "meeting_summaries" in r.url)
    assert windows[0] == START.date().isoformat()  # from start_date, not from the state
    saved = output.state_messages[-1].state.stream.stream_state.__dict__
    assert saved["summary_last_modified_time"] >= ts(NOW - timedelta(days=2))


def test_given_an_account_without_ai_companion_when_reading_summaries_then_the_table_is_empty_with_one_log_line(zoom_api):
    summaries(zoom_api, [])

    output = read_summaries()

    assert not output.errors and records_of(output, "meeting_summaries") == []
    lines = [line for line in log_lines(output) if "no AI Companion summary" in line]
    assert len(lines) == 1, lines


def test_given_a_meeting_before_start_date_when_listing_summaries_then_its_summary_is_not_fetched(zoom_api):
    summaries(zoom_api, [{"meeting_uuid": "early==", "meeting_start_time": ts(START - timedelta(minutes=1)), "summary_last_modified_time": NEW_EDIT}])

    output = read_summaries()

    assert records_of(output, "meeting_summaries") == []
    assert not [path for path in paths_requested(zoom_api) if path.endswith("/meeting_summary")]


def summary_windows_asked(zoom_api):
    return sorted(parse_qs(urlsplit(r.url).query)["from"][0] for r in zoom_api.request_history if "meeting_summaries" in r.url)


def users_made(zoom_api, made_at):
    """The account's users (one per status), made at these moments; None: Zoom will not list them
    (the app lacks the users' scope)."""
    for status, made in zip(("active", "inactive", "pending"), made_at):
        if made is None:
            zoom_api.get(f"{API}/users?status={status}", status_code=400, json=zoom_error(4711, "Invalid access token, does not contain scopes:[user:read:list_users:admin]"))
        else:
            user = {"id": f"u-{status}", "status": status, "user_created_at": made, "created_at": made}
            zoom_api.get(f"{API}/users?status={status}", json={"users": [user], "next_page_token": ""})


def test_given_a_start_date_before_the_account_existed_when_listing_summaries_then_no_month_before_its_oldest_user_is_asked(zoom_api):
    summaries(zoom_api, [])
    oldest = START + timedelta(days=10, hours=1)  # the pending user, invited first
    users_made(zoom_api, [ts(START + timedelta(days=30)), ts(START + timedelta(days=50)), ts(oldest)])
    catalog = CatalogBuilder().with_stream("meeting_summaries", SyncMode.full_refresh).build()
    before = config_with(JWT_CREDENTIALS, start_date="2012-01-01")

    output = read(SourceZoom(before), before, catalog)

    assert not output.errors
    # The day before: a UTC moment, and Zoom may read a day in the user's time zone.
    assert summary_windows_asked(zoom_api)[0] == (oldest.date() - timedelta(days=1)).isoformat()


def test_given_zoom_will_not_list_the_users_when_listing_summaries_then_every_month_since_start_date_is_asked(zoom_api):
    summaries(zoom_api, [])
    users_made(zoom_api, [ts(START + timedelta(days=30)), None, ts(START + timedelta(days=10))])
    catalog = CatalogBuilder().with_stream("meeting_summaries", SyncMode.full_refresh).build()

    output = read(SourceZoom(config()), config(), catalog)

    assert not output.errors
    assert summary_windows_asked(zoom_api)[0] == START.date().isoformat()


# --- the audit logs --------------------------------------------------------------------------


def test_given_log_entries_around_start_date_when_reading_then_those_before_it_are_left_out(zoom_api):
    at = START + timedelta(days=25)
    start_date = ts(at)
    entries = [{"time": ts(at - timedelta(seconds=1)), "email": "a@example.com", "type": "Sign in"},
               {"time": start_date, "email": "a@example.com", "type": "Sign out"}]
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/activities\?.*"), json={"activity_logs": entries, "next_page_token": ""})

    output = read_tables(config_with(JWT_CREDENTIALS, start_date=start_date), ["report_sign_in_activities"])

    # (the mock answers every window with both entries)
    assert {r["type"] for r in records_of(output, "report_sign_in_activities")} == {"Sign out"}
    first_from = min(parse_qs(urlsplit(r.url).query)["from"][0] for r in zoom_api.request_history if "activities" in r.url)
    assert first_from == at.date().isoformat()


def test_given_an_account_without_a_paid_plan_when_reading_operation_logs_then_the_table_is_empty_with_one_warning(zoom_api):
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/operationlogs\?.*"), status_code=400, json=zoom_error(200, "No permission."))

    output = read_tables(config(), ["report_operation_logs"])

    assert not output.errors
    warnings = [line for line in log_lines(output) if "report_operation_logs: not available" in line]
    assert len(warnings) == 1 and "Pro plan" in warnings[0]
    assert len([r for r in zoom_api.request_history if "operationlogs" in r.url]) == 1
