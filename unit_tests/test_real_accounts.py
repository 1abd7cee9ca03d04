"""What a real company's Zoom account holds beyond the happy path, one test per behaviour, each
showing the requests the connector sends (issue "Real Zoom accounts")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from unit_tests.conftest import API, JWT_CREDENTIALS, S2S_CREDENTIALS, TOKEN_URL, check, config_with, log_lines, paths_requested, read_tables, records_of, table_requests, zoom_error

RECENT = (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
ACTIVE = {"id": "u-active", "email": "a@example.com", "status": "active"}
INACTIVE = {"id": "u-left", "email": "left@example.com", "status": "inactive"}
PENDING = {"id": "u-invited", "email": "new@example.com", "status": "pending"}


def mock_users(zoom_api, active=(ACTIVE,), inactive=(INACTIVE,), pending=(PENDING,)):
    for status, users in (("active", active), ("inactive", inactive), ("pending", pending)):
        zoom_api.get(f"{API}/users?status={status}", json={"users": list(users), "next_page_token": ""})


def queries(zoom_api, path_part):
    return [parse_qs(urlsplit(r.url).query) for r in table_requests(zoom_api) if path_part in r.url]


def test_given_users_of_every_status_when_reading_then_all_three_listings_are_asked_and_every_user_arrives(zoom_api):
    mock_users(zoom_api)

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"])

    assert sorted(q["status"][0] for q in queries(zoom_api, "/v2/users?")) == ["active", "inactive", "pending"]
    assert {(u["id"], u["status"]) for u in records_of(output, "users")} == {("u-active", "active"), ("u-left", "inactive"), ("u-invited", "pending")}


def test_given_a_pending_user_without_an_id_when_reading_then_the_row_is_keyed_by_an_empty_id(zoom_api):
    mock_users(zoom_api, pending=({"email": "new@example.com", "status": "pending"},))

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"])

    assert {"id": "", "email": "new@example.com", "status": "pending"} in records_of(output, "users")


def test_given_a_deactivated_host_when_reading_per_user_listings_then_they_run_over_active_and_inactive_users_only(zoom_api):
    mock_users(zoom_api)
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u-[a-z]+/meetings\?.*"), json={"meetings": [], "next_page_token": ""})
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u-[a-z]+/recordings\?.*"), json={"meetings": [], "next_page_token": ""})

    read_tables(config_with(JWT_CREDENTIALS), ["meetings", "cloud_recordings"])

    listed = {path.split("/")[2] for path in paths_requested(zoom_api) if re.match(r"/users/u-[a-z]+/(meetings|recordings)", path)}
    assert listed == {"u-active", "u-left"}  # never the pending user: a pending user has hosted nothing


def mock_meeting_with_registration(zoom_api, approval_type):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(f"{API}/users/u-active/meetings", json={"meetings": [{"id": 111}], "next_page_token": ""})
    zoom_api.get(f"{API}/meetings/111", json={"id": 111, "uuid": "m==", "settings": {"approval_type": approval_type}})
    for status in ("approved", "pending", "denied"):
        zoom_api.get(f"{API}/meetings/111/registrants?status={status}", json={"registrants": [{"id": f"r-{status}", "status": status}], "next_page_token": ""})


def test_given_manual_approval_when_reading_registrants_then_approved_pending_and_denied_are_each_listed_once(zoom_api):
    mock_meeting_with_registration(zoom_api, approval_type=1)

    output = read_tables(config_with(JWT_CREDENTIALS), ["meeting_registrants"])

    assert sorted(q["status"][0] for q in queries(zoom_api, "/registrants?")) == ["approved", "denied", "pending"]
    assert sorted((r["id"], r["status"]) for r in records_of(output, "meeting_registrants")) == [("r-approved", "approved"), ("r-denied", "denied"), ("r-pending", "pending")]


def test_given_automatic_approval_when_reading_registrants_then_pending_is_not_asked_since_nobody_can_be(zoom_api):
    mock_meeting_with_registration(zoom_api, approval_type=0)

    output = read_tables(config_with(JWT_CREDENTIALS), ["meeting_registrants"])

    assert sorted(q["status"][0] for q in queries(zoom_api, "/registrants?")) == ["approved", "denied"]
    assert {r["status"] for r in records_of(output, "meeting_registrants")} == {"approved", "denied"}


def mock_report_listing(zoom_api, history_rows):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/report/users/u-active/meetings\?.*"),
        json={"meetings": [{"uuid": "in-history==", "id": 1, "start_time": RECENT}, {"uuid": "not-in-history==", "id": 2, "start_time": RECENT}], "next_page_token": ""},
    )
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"), json={"history_meetings": history_rows, "next_page_token": ""})
    zoom_api.get(f"{API}/report/meetings/not-in-history%3D%3D", json={"uuid": "not-in-history==", "dept": "Support", "tracking_fields": [{"field": "Team", "value": "B"}]})


def test_given_the_report_listing_without_dept_when_reading_then_history_fills_it_and_only_missing_rows_ask_the_detail(zoom_api):
    mock_report_listing(zoom_api, [{"meeting_uuid": "in-history==", "meeting_id": 1, "type": "Meeting", "start_time": RECENT, "department": "Sales", "tracking_fields": [{"field": "Team", "value": "A"}]}])

    output = read_tables(config_with(JWT_CREDENTIALS), ["report_meetings"])

    rows = {r["uuid"]: r for r in records_of(output, "report_meetings")}
    assert (rows["in-history=="]["dept"], rows["in-history=="]["tracking_fields"]) == ("Sales", [{"field": "Team", "value": "A"}])
    assert (rows["not-in-history=="]["dept"], rows["not-in-history=="]["tracking_fields"]) == ("Support", [{"field": "Team", "value": "B"}])
    assert all(r["host_id"] == "u-active" for r in rows.values())
    details = [p for p in paths_requested(zoom_api) if re.match(r"/report/meetings/[^/?]+$", p)]
    assert details == ["/report/meetings/not-in-history%3D%3D"]  # no detail call for what the history gave


def test_given_webinar_participants_when_reading_then_registrant_id_is_asked_for(zoom_api):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(f"{API}/users/u-active/webinars", json={"webinars": [], "page_number": 1, "page_count": 1})
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"),
        json={"history_meetings": [{"meeting_uuid": "w==", "meeting_id": 9, "type": "Webinar", "start_time": RECENT}], "next_page_token": ""},
    )
    zoom_api.get(f"{API}/report/webinars/w%3D%3D/participants", json={"participants": [{"id": "p", "registrant_id": "r-1"}], "next_page_token": ""})

    output = read_tables(config_with(JWT_CREDENTIALS), ["report_webinar_participants"])

    assert queries(zoom_api, "/report/webinars/")[0]["include_fields"] == ["registrant_id"]
    (participant,) = records_of(output, "report_webinar_participants")
    assert (participant["registrant_id"], participant["webinar_id"], participant["webinar_uuid"]) == ("r-1", 9, "w==")


def test_given_a_meeting_that_dropped_out_of_its_listing_when_reading_participants_then_the_history_brings_its_instance(zoom_api):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(f"{API}/users/u-active/meetings", json={"meetings": [], "next_page_token": ""})  # expired: not scheduled
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/users/u-active/meetings\?.*"), json={"meetings": [], "next_page_token": ""})
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"),
        json={"history_meetings": [{"meeting_uuid": "gone==", "meeting_id": 77, "type": "Meeting", "start_time": RECENT}], "next_page_token": ""},
    )
    zoom_api.get(f"{API}/report/meetings/gone%3D%3D/participants", json={"participants": [{"id": "p1", "user_id": "1", "join_time": RECENT}], "next_page_token": ""})

    output = read_tables(config_with(JWT_CREDENTIALS), ["report_meeting_participants"])

    (participant,) = records_of(output, "report_meeting_participants")
    assert (participant["meeting_id"], participant["meeting_uuid"], participant["meeting_start_time"]) == (77, "gone==", RECENT)


def test_given_an_instance_zoom_calls_too_old_when_reading_then_it_is_asked_and_skipped_without_failing(zoom_api):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(f"{API}/users/u-active/webinars", json={"webinars": [], "page_number": 1, "page_count": 1})
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"),
        json={"history_meetings": [{"meeting_uuid": "old==", "meeting_id": 5, "type": "Webinar", "start_time": RECENT, "feature_used": {"registration": False}}], "next_page_token": ""},
    )
    too_old = {"status_code": 400, "json": zoom_error(12702, "Can not access a webinar a year ago.")}
    zoom_api.get(re.compile(rf"{re.escape(API)}/past_webinars/old%3D%3D/.*"), **too_old)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/webinars/old%3D%3D.*"), **too_old)
    tables = ["report_webinars", "report_webinar_participants", "webinar_poll_results", "webinar_qna_results"]

    output = read_tables(config_with(JWT_CREDENTIALS), tables)

    assert not output.errors
    asked = sorted(p.split("?")[0] for p in paths_requested(zoom_api) if "old%3D%3D" in p)
    # Zoom states no age limit: each table asks once (none retries a 12702) and skips it.
    assert asked == ["/past_webinars/old%3D%3D/polls", "/past_webinars/old%3D%3D/qa", "/report/webinars/old%3D%3D", "/report/webinars/old%3D%3D/participants"]
    assert all(records_of(output, table) == [] for table in tables)


def test_given_a_granular_scope_missing_when_reading_then_the_table_ends_unavailable_naming_it_and_the_sync_goes_on(zoom_api):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/users/u-active/recordings\?.*"),
        status_code=400,
        json=zoom_error(4711, "Invalid access token, does not contain scopes:[cloud_recording:read:list_user_recordings:admin]"),
    )

    output = read_tables(config_with(JWT_CREDENTIALS), ["cloud_recordings", "users"])

    assert not output.errors
    assert len(records_of(output, "users")) == 1
    (warning,) = [line for line in log_lines(output) if "not available on this Zoom account" in line]
    assert "cloud_recordings" in warning and "Add cloud_recording:read:list_user_recordings:admin to the Zoom app's scopes" in warning


def test_given_a_token_without_some_scopes_when_checking_then_the_tables_that_lack_them_are_named(zoom_api):
    granted = "user:read:list_users:admin meeting:read:list_meetings:admin meeting:read:meeting:admin"
    zoom_api.post(TOKEN_URL, json={"access_token": "a", "expires_in": 3600, "scope": granted})
    zoom_api.get(f"{API}/users", json={"users": [], "next_page_token": ""})

    output = check(config_with(S2S_CREDENTIALS))

    status = output.connection_status_messages[-1].connectionStatus
    assert status.status.value == "SUCCEEDED"
    assert "cloud_recordings needs cloud_recording:read:list_user_recordings:admin" in status.message
    named = set(re.findall(r"(?:^|[:;] )([a-z_]+) needs", status.message))
    assert "meetings" not in named and "users" not in named and "cloud_recordings" in named


def test_given_a_daily_limit_429_without_type_header_when_reading_then_the_table_ends_with_the_reset_time_and_no_retries(zoom_api):
    mock_users(zoom_api, inactive=(), pending=())
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/report/users/u-active/meetings\?.*"),
        status_code=429,
        headers={"x-ratelimit-category": "Heavy", "x-ratelimit-remaining": "0"},
        json=zoom_error(429, "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request."),
    )

    output = read_tables(config_with(JWT_CREDENTIALS), ["report_meetings"], expecting_exception=True)

    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
    messages = [e.trace.error.message for e in output.errors]
    assert any("daily" in m and tomorrow in m for m in messages), messages
    # Every later Heavy request fails at once: no per-second retries against a cap used up for the day.
    assert len([r for r in zoom_api.request_history if "/report/users/" in r.url]) == 1
