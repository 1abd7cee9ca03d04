"""Every table's endpoint, slicing over its parent, paging and stamped parent keys, on a mocked
account with one user, one meeting and one webinar (each with registration and one past instance)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, paths_requested, read_tables, records_of
from source_zoom.streams import TABLES as CATALOG_TABLES  # the catalog: every table, counted nowhere else

USER = {"id": "user-1", "email": "host@example.com"}
MEETING_ID = 81234567890123  # more than 32 bits, as Zoom's ids are
WEBINAR_ID = 91234567890123
MEETING_UUID = "/double//encoded=="  # must be encoded twice in a path
WEBINAR_UUID = "plain+uuid/A=="
RECENT = (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")

MEETING_UUID_IN_PATH = "%252Fdouble%252F%252Fencoded%253D%253D"
TRANSCRIPT_URL = "https://zoom.us/rec/download/t1"
WEBINAR_UUID_IN_PATH = "plain%2Buuid%2FA%3D%3D"


def mock_account(zoom_api):
    get = zoom_api.get
    get(f"{API}/users?status=active", json={"users": [USER], "next_page_token": ""})
    for status in ("inactive", "pending"):
        get(f"{API}/users?status={status}", json={"users": [], "next_page_token": ""})
    get(f"{API}/users/user-1/meetings", json={"meetings": [{"id": MEETING_ID, "uuid": "scheduled-uuid"}], "next_page_token": ""})
    get(
        f"{API}/meetings/{MEETING_ID}",
        json={
            "id": MEETING_ID,
            "uuid": "scheduled-uuid",
            "settings": {"approval_type": 0},
            "occurrences": [{"occurrence_id": "1700000000000", "start_time": RECENT, "duration": 30, "status": "available"}],
        },
    )
    get(f"{API}/meetings/{MEETING_ID}/registrants?status=approved", json={"registrants": [{"id": "reg-1", "status": "approved"}], "next_page_token": ""})
    get(f"{API}/meetings/{MEETING_ID}/registrants?status=denied", json={"registrants": [], "next_page_token": ""})
    get(f"{API}/meetings/{MEETING_ID}/registrants/questions", json={"questions": [{"field_name": "city", "required": True}], "custom_questions": []})
    get(f"{API}/meetings/{MEETING_ID}/polls", json={"polls": [{"id": "poll-1", "title": "Q"}]})
    get(
        re.compile(rf"{re.escape(API)}/report/users/user-1/meetings\?.*"),
        json={"meetings": [{"uuid": MEETING_UUID, "id": MEETING_ID, "start_time": RECENT}], "next_page_token": ""},
    )
    # The history listing (empty here) lacks this instance: its dept and tracking fields come from its report.
    get(f"{API}/report/meetings/{MEETING_UUID_IN_PATH}", json={"uuid": MEETING_UUID, "dept": "Sales", "tracking_fields": [{"field": "Project", "value": "X"}]})
    get(
        f"{API}/report/meetings/{MEETING_UUID_IN_PATH}/participants",
        json={"participants": [{"id": "", "user_id": "16778240", "join_time": RECENT}], "next_page_token": ""},
    )
    get(
        f"{API}/past_meetings/{MEETING_UUID_IN_PATH}/polls",
        json={"questions": [{"name": "Anonymous", "email": "", "question_details": []}, {"name": "Anonymous", "email": "", "question_details": []}]},
    )
    # The report already lists this instance: listing it again must not read its children twice.
    get(f"{API}/past_meetings/{MEETING_ID}/instances", json={"meetings": [{"uuid": MEETING_UUID, "start_time": RECENT}]})
    get(f"{API}/past_meetings/{MEETING_UUID_IN_PATH}/files", json={"in_meeting_files": [{"file_name": "a.pdf", "file_size": 10}]})
    get(f"{API}/users/user-1/webinars", json={"webinars": [{"id": WEBINAR_ID}], "page_number": 1, "page_count": 1})
    get(f"{API}/webinars/{WEBINAR_ID}", json={"id": WEBINAR_ID, "uuid": "webinar-scheduled-uuid", "settings": {"approval_type": 1}})
    get(f"{API}/webinars/{WEBINAR_ID}/panelists", json={"panelists": [{"id": "pan-1"}]})
    get(f"{API}/webinars/{WEBINAR_ID}/registrants?status=approved", json={"registrants": [{"id": "wreg-1", "status": "approved"}], "next_page_token": ""})
    for status in ("pending", "denied"):  # manual approval (approval_type 1): all three statuses
        get(f"{API}/webinars/{WEBINAR_ID}/registrants?status={status}", json={"registrants": [], "next_page_token": ""})
    get(f"{API}/webinars/{WEBINAR_ID}/registrants/questions", json={"questions": [], "custom_questions": []})
    get(f"{API}/webinars/{WEBINAR_ID}/tracking_sources", json={"tracking_sources": [{"id": "ts-1"}]})
    get(f"{API}/webinars/{WEBINAR_ID}/polls", json={"polls": [{"id": "wpoll-1"}]})
    get(f"{API}/past_webinars/{WEBINAR_ID}/instances", json={"webinars": [{"uuid": WEBINAR_UUID, "start_time": RECENT}]})
    get(f"{API}/report/webinars/{WEBINAR_UUID_IN_PATH}", json={"uuid": WEBINAR_UUID, "id": WEBINAR_ID, "dept": ""})
    get(f"{API}/report/webinars/{WEBINAR_UUID_IN_PATH}/participants", json={"participants": [{"id": "p-1", "user_id": "1", "join_time": RECENT}], "next_page_token": ""})
    get(f"{API}/past_webinars/{WEBINAR_UUID_IN_PATH}/absentees", json={"registrants": [{"id": "abs-1"}], "next_page_token": ""})
    get(f"{API}/past_webinars/{WEBINAR_UUID_IN_PATH}/polls", json={"questions": [{"name": "A", "email": "a@example.com", "question_details": []}]})
    get(f"{API}/past_webinars/{WEBINAR_UUID_IN_PATH}/qa", json={"questions": [{"name": "B", "email": "b@example.com", "question_details": []}]})
    get(f"{API}/past_webinars/{WEBINAR_UUID_IN_PATH}/files", json={"in_meeting_files": [{"file_name": "w.pdf"}]})
    get(
        re.compile(rf"{re.escape(API)}/users/user-1/recordings\?.*"),
        json={"meetings": [{"uuid": "rec-uuid", "id": MEETING_ID, "start_time": RECENT, "recording_files": [
            {"id": "f1", "file_type": "MP4"},
            {"id": "t1", "file_type": "TRANSCRIPT", "status": "completed", "recording_start": RECENT, "download_url": TRANSCRIPT_URL},
        ]}], "next_page_token": ""},
    )
    get(TRANSCRIPT_URL, content=b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nAda Ito: Hello.\n")
    # The history report lists the instance as one with a Q&A report (report_type=qa).
    get(
        re.compile(rf"{re.escape(API)}/report/history_meetings\?.*report_type=qa.*"),
        json={"history_meetings": [{"meeting_uuid": MEETING_UUID, "meeting_id": MEETING_ID, "type": "Meeting", "start_time": RECENT}], "next_page_token": ""},
    )
    get(f"{API}/report/meetings/{MEETING_UUID_IN_PATH}/qa", json={"questions": [
        {"user_id": "", "name": "Anonymous Attendee", "email": "", "question_details": [{"question": "Q?", "answer": "A."}]},
        {"user_id": "", "name": "Anonymous Attendee", "email": "", "question_details": [{"question": "Q2?", "answer": ""}]},
    ]})
    summary = {"meeting_uuid": MEETING_UUID, "meeting_id": MEETING_ID, "meeting_start_time": RECENT, "summary_last_modified_time": RECENT}
    get(re.compile(rf"{re.escape(API)}/meetings/meeting_summaries\?.*"), json={"summaries": [summary], "next_page_token": ""})
    get(f"{API}/meetings/{MEETING_UUID_IN_PATH}/meeting_summary", json={**summary, "summary_content": "## Recap"})
    get(
        re.compile(rf"{re.escape(API)}/report/activities\?.*"),
        json={"activity_logs": [{"email": "host@example.com", "time": RECENT, "type": "Sign in", "ip_address": "192.0.2.1"}], "next_page_token": ""},
    )
    get(
        re.compile(rf"{re.escape(API)}/report/operationlogs\?.*"),
        json={"operation_logs": [{"time": RECENT, "operator": "admin@example.com", "category_type": "user", "action": "Add"}], "next_page_token": ""},
    )
    get(f"{API}/groups", json={"groups": [{"id": "group-1", "name": "Sales", "total_members": 1}], "total_records": 1, "next_page_token": ""})
    get(f"{API}/groups/group-1/members", json={"members": [{"id": "user-1", "email": "host@example.com"}], "next_page_token": ""})
    get(f"{API}/roles", json={"roles": [{"id": "2", "name": "Member", "total_members": 1}], "total_records": 1})
    get(f"{API}/roles/2/members", json={"members": [{"id": "user-1", "email": "host@example.com"}], "next_page_token": ""})
    # The history report lists both instances as ones with a survey report (report_type=survey).
    get(
        re.compile(rf"{re.escape(API)}/report/history_meetings\?.*report_type=survey.*"),
        json={"history_meetings": [{"meeting_uuid": MEETING_UUID, "meeting_id": MEETING_ID, "type": "Meeting", "start_time": RECENT},
                                   {"meeting_uuid": WEBINAR_UUID, "meeting_id": WEBINAR_ID, "type": "Webinar", "start_time": RECENT}], "next_page_token": ""},
    )
    survey = {"survey_id": "survey-1", "survey_name": "After", "survey_answers": [{"email": "", "name": "Anonymous", "answer_details": []}]}
    get(f"{API}/report/meetings/{MEETING_UUID_IN_PATH}/survey", json={"meeting_id": MEETING_ID, "meeting_uuid": MEETING_UUID, **survey})
    get(f"{API}/report/webinars/{WEBINAR_UUID_IN_PATH}/survey", json={"webinar_id": WEBINAR_ID, "webinar_uuid": WEBINAR_UUID, **survey})
    get(re.compile(rf"{re.escape(API)}/report/daily\?.*"), json={"dates": [{"date": RECENT[:10], "meetings": 1}]})
    get(re.compile(rf"{re.escape(API)}/report/cloud_recording\?.*"), json={"cloud_recording_storage": [{"date": RECENT[:10], "usage": "3 MB"}]})
    mock_phone(get)


CALL_ID = "20261201-48c1dfd4-91ce-4df5-8495-7c9e33d10869"


def mock_phone(get):
    """The account's Zoom Phone, in today's shape of call history (call_history, call_elements)."""
    for status in ("activate", "deactivate", "pending"):
        users = [{"id": f"phone-user-{status}", "status": status}]
        get(f"{API}/phone/users?page_size=100&status={status}", json={"users": users, "next_page_token": ""})
    get(f"{API}/phone/sites?page_size=300", json={"sites": [{"id": "site-1", "name": "Main"}], "next_page_token": ""})
    get(f"{API}/phone/numbers?type=all&pending_numbers=true&page_size=100", json={"phone_numbers": [{"id": "num-1", "status": "pending"}], "next_page_token": ""})
    get(f"{API}/phone/call_queues?page_size=100", json={"call_queues": [{"id": "cq-1"}], "next_page_token": ""})
    get(re.compile(rf"{re.escape(API)}/phone/call_history\?.*"), json={"call_history": [
        {"call_history_uuid": CALL_ID, "call_id": "7001", "start_time": RECENT, "end_time": RECENT},
    ], "next_page_token": ""})
    get(f"{API}/phone/call_history/{CALL_ID}", json={"call_history_uuid": CALL_ID, "call_elements": [
        {"call_element_id": "el-1", "event": "incoming", "start_time": RECENT, "end_time": RECENT},
    ]})
    get(re.compile(rf"{re.escape(API)}/phone/recordings\?.*"), json={"recordings": [{"id": "prec-1", "date_time": RECENT}], "next_page_token": ""})
    get(re.compile(rf"{re.escape(API)}/phone/voice_mails\?.*"), json={"voice_mails": [{"id": "vm-1", "date_time": RECENT}], "next_page_token": ""})
    get(re.compile(rf"{re.escape(API)}/phone/sms/sessions\?.*"), json={"sms_sessions": [{"session_id": "sms-1", "last_access_time": RECENT}], "next_page_token": ""})


# table -> (path it requests, stamped fields it must carry)
TABLES = {
    "users": ("/users?page_size=300&status=active", {"id": "user-1"}),
    "meetings": (f"/meetings/{MEETING_ID}", {"meeting_id": MEETING_ID, "uuid": "scheduled-uuid"}),
    "meeting_registrants": (f"/meetings/{MEETING_ID}/registrants?page_size=300&status=approved", {"meeting_id": MEETING_ID, "id": "reg-1"}),
    "meeting_questions": (f"/meetings/{MEETING_ID}/registrants/questions", {"meeting_id": MEETING_ID}),
    "meeting_polls": (f"/meetings/{MEETING_ID}/polls", {"meeting_id": MEETING_ID, "id": "poll-1"}),
    "report_meetings": ("/report/users/user-1/meetings?type=past&page_size=300&from=", {"meeting_id": MEETING_ID, "uuid": MEETING_UUID, "host_id": "user-1", "dept": "Sales"}),
    "report_meeting_participants": (
        f"/report/meetings/{MEETING_UUID_IN_PATH}/participants?include_fields=registrant_id&page_size=300",
        {"meeting_id": MEETING_ID, "meeting_uuid": MEETING_UUID, "id": ""},
    ),
    "meeting_poll_results": (f"/past_meetings/{MEETING_UUID_IN_PATH}/polls", {"meeting_uuid": MEETING_UUID, "respondent_index": 0}),
    "meeting_files": (f"/past_meetings/{MEETING_UUID_IN_PATH}/files", {"meeting_uuid": MEETING_UUID, "file_name": "a.pdf"}),
    "webinars": (f"/webinars/{WEBINAR_ID}", {"webinar_id": WEBINAR_ID}),
    "webinar_panelists": (f"/webinars/{WEBINAR_ID}/panelists", {"webinar_id": WEBINAR_ID, "id": "pan-1"}),
    "webinar_registrants": (f"/webinars/{WEBINAR_ID}/registrants?page_size=300&status=approved", {"webinar_id": WEBINAR_ID}),
    "webinar_questions": (f"/webinars/{WEBINAR_ID}/registrants/questions", {"webinar_id": WEBINAR_ID}),
    "webinar_tracking_sources": (f"/webinars/{WEBINAR_ID}/tracking_sources", {"webinar_id": WEBINAR_ID}),
    "webinar_polls": (f"/webinars/{WEBINAR_ID}/polls", {"webinar_id": WEBINAR_ID}),
    "report_webinars": (f"/report/webinars/{WEBINAR_UUID_IN_PATH}", {"webinar_id": WEBINAR_ID, "uuid": WEBINAR_UUID}),
    "report_webinar_participants": (
        f"/report/webinars/{WEBINAR_UUID_IN_PATH}/participants?include_fields=registrant_id&page_size=300",
        {"webinar_id": WEBINAR_ID, "webinar_uuid": WEBINAR_UUID},
    ),
    "webinar_absentees": (f"/past_webinars/{WEBINAR_UUID_IN_PATH}/absentees?page_size=300", {"webinar_id": WEBINAR_ID, "webinar_uuid": WEBINAR_UUID}),
    "webinar_poll_results": (f"/past_webinars/{WEBINAR_UUID_IN_PATH}/polls", {"webinar_uuid": WEBINAR_UUID, "respondent_index": 0}),
    "webinar_qna_results": (f"/past_webinars/{WEBINAR_UUID_IN_PATH}/qa", {"webinar_uuid": WEBINAR_UUID, "email": "b@example.com"}),
    "webinar_files": (f"/past_webinars/{WEBINAR_UUID_IN_PATH}/files", {"webinar_uuid": WEBINAR_UUID, "file_name": "w.pdf"}),
    "cloud_recordings": ("/users/user-1/recordings?page_size=300&from=", {"uuid": "rec-uuid"}),
    "meeting_summaries": (f"/meetings/{MEETING_UUID_IN_PATH}/meeting_summary", {"meeting_uuid": MEETING_UUID, "summary_content": "## Recap"}),
    # Read through the recordings listing; the file itself is downloaded from its download_url.
    "recording_transcript_segments": (
        "/users/user-1/recordings?page_size=300&from=",
        {"recording_file_id": "t1", "cue_index": 0, "meeting_uuid": "rec-uuid", "meeting_id": MEETING_ID, "speaker": "Ada Ito", "cue_end_ms": 2500},
    ),
    "meeting_qna_results": (f"/report/meetings/{MEETING_UUID_IN_PATH}/qa", {"meeting_uuid": MEETING_UUID, "meeting_id": MEETING_ID, "email": "", "respondent_index": 0}),
    "report_sign_in_activities": ("/report/activities?page_size=300&from=", {"email": "host@example.com", "client_type": "", "version": ""}),
    "report_operation_logs": ("/report/operationlogs?category_type=all&page_size=300&from=", {"operator": "admin@example.com", "operation_detail": ""}),
    "groups": ("/groups?page_size=300", {"id": "group-1"}),
    "group_members": ("/groups/group-1/members?page_size=300", {"group_id": "group-1", "id": "user-1"}),
    "roles": ("/roles", {"id": "2"}),
    "role_members": ("/roles/2/members?page_size=300", {"role_id": "2", "id": "user-1"}),
    "meeting_survey_results": (f"/report/meetings/{MEETING_UUID_IN_PATH}/survey",
                               {"meeting_uuid": MEETING_UUID, "meeting_id": MEETING_ID, "email": "", "respondent_index": 0, "survey_id": "survey-1"}),
    "webinar_survey_results": (f"/report/webinars/{WEBINAR_UUID_IN_PATH}/survey",
                               {"webinar_uuid": WEBINAR_UUID, "webinar_id": WEBINAR_ID, "email": "", "respondent_index": 0, "survey_name": "After"}),
    "report_daily_usage": ("/report/daily?year=", {"date": RECENT[:10]}),
    "report_cloud_recording_usage": ("/report/cloud_recording?from=", {"date": RECENT[:10]}),
    "phone_users": ("/phone/users?page_size=100&status=activate", {"id": "phone-user-activate"}),
    "phone_sites": ("/phone/sites?page_size=300", {"id": "site-1"}),
    "phone_numbers": ("/phone/numbers?type=all&pending_numbers=true&page_size=100", {"id": "num-1", "status": "pending"}),
    "phone_call_queues": ("/phone/call_queues?page_size=100", {"id": "cq-1"}),
    # Today's shape: the history uuid is the id too.
    "phone_call_history": ("/phone/call_history?page_size=300&from=", {"id": CALL_ID, "call_history_uuid": CALL_ID, "call_id": "7001"}),
    "phone_call_elements": (f"/phone/call_history/{CALL_ID}", {"call_element_id": "el-1", "id": "el-1", "call_history_id": CALL_ID}),
    "phone_recordings": ("/phone/recordings?page_size=300&from=", {"id": "prec-1"}),
    "phone_voicemails": ("/phone/voice_mails?page_size=300&from=", {"id": "vm-1"}),
    "phone_sms_sessions": ("/phone/sms/sessions?session_type=all&filter_type=last_message_time&page_size=100&from=", {"session_id": "sms-1"}),
}


def test_given_the_table_list_then_it_has_every_table_of_the_catalog():
    assert set(TABLES) == {table.stream_name() for table in CATALOG_TABLES}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_given_a_mocked_account_when_reading_a_table_then_it_requests_its_endpoint_and_stamps_parent_keys(zoom_api, table):
    mock_account(zoom_api)
    path, expected_fields = TABLES[table]

    output = read_tables(config_with(JWT_CREDENTIALS), [table])

    assert not output.errors, [e.trace.error.message for e in output.errors]
    records = records_of(output, table)
    assert records, f"{table} yielded nothing"
    for field, value in expected_fields.items():
        assert records[0][field] == value, (table, field, records[0])
    assert any(requested.startswith(path) for requested in paths_requested(zoom_api)), paths_requested(zoom_api)


def test_given_anonymous_poll_answers_when_reading_then_each_gets_its_own_respondent_index(zoom_api):
    mock_account(zoom_api)

    records = records_of(read_tables(config_with(JWT_CREDENTIALS), ["meeting_poll_results"]), "meeting_poll_results")

    assert [(r["email"], r["respondent_index"]) for r in records] == [("", 0), ("", 1)]


def test_given_a_recurring_meeting_when_reading_meetings_then_stitch_spelling_of_occurrences_is_filled(zoom_api):
    mock_account(zoom_api)

    (meeting,) = records_of(read_tables(config_with(JWT_CREDENTIALS), ["meetings"]), "meetings")

    assert meeting["occurences"][0]["occurence_id"] == "1700000000000"
    assert meeting["occurrences"][0]["occurrence_id"] == "1700000000000"


def test_given_all_tables_when_reading_then_every_parent_is_listed_once(zoom_api):
    mock_account(zoom_api)

    output = read_tables(config_with(JWT_CREDENTIALS), sorted(TABLES))

    assert not output.errors
    requested = paths_requested(zoom_api)
    for parent_path in ("/users?page_size=300&status=active", f"/meetings/{MEETING_ID}", f"/webinars/{WEBINAR_ID}", f"/past_webinars/{WEBINAR_ID}/instances", f"/past_meetings/{MEETING_ID}/instances"):
        assert requested.count(parent_path) == 1, (parent_path, requested)
    assert len(requested) == len(set(requested))


def test_given_a_meeting_without_registration_when_reading_registrants_then_no_request_is_sent(zoom_api):
    mock_account(zoom_api)
    zoom_api.get(f"{API}/meetings/{MEETING_ID}", json={"id": MEETING_ID, "uuid": "u", "settings": {"approval_type": 2}})

    output = read_tables(config_with(JWT_CREDENTIALS), ["meeting_registrants", "meeting_questions"])

    assert records_of(output, "meeting_registrants") == []
    assert not [p for p in paths_requested(zoom_api) if "registrants" in p]


def test_given_an_instance_before_start_date_when_reading_webinar_reports_then_it_is_not_requested(zoom_api):
    mock_account(zoom_api)
    zoom_api.get(f"{API}/past_webinars/{WEBINAR_ID}/instances", json={"webinars": [{"uuid": "old==", "start_time": "2020-01-01T00:00:00Z"}]})

    output = read_tables(config_with(JWT_CREDENTIALS), ["report_webinars"])

    assert records_of(output, "report_webinars") == []
    assert not [p for p in paths_requested(zoom_api) if p.startswith("/report/webinars")]
