"""Transcript files downloaded with the account's token: the token goes to Zoom's hosts only,
redirects off them lose it for good, a file Zoom does not serve is skipped and counted, and a
download that fails is retried like an API request."""

from __future__ import annotations

import json

import re
from datetime import datetime, timedelta, timezone

import pytest

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from source_zoom import SourceZoom
from source_zoom.downloads import zoom_host
from unit_tests.conftest import API, S2S_CREDENTIALS, TOKEN_URL, config_with, log_lines, read_tables, records_of

TABLE = "recording_transcript_segments"
RECENT = (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
VTT = b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\nAda Ito: Hello.\n\n2\n00:00:03.000 --> 00:00:04.000\nBo Kim: Hi.\n"
TOKEN = "Bearer access-token-1"


@pytest.mark.parametrize(
    "url, allowed",
    [
        ("https://zoom.us/rec/download/a", True),
        ("https://us06web.zoom.us/rec/download/a", True),
        ("https://ZOOMGOV.com/rec/download/a", True),
        ("https://files.zoomgov.com/rec/download/a", True),
        ("https://api.zoom.us/v2/x", True),
        ("http://zoom.us/rec/download/a", False),  # the token never travels in clear text
        ("https://evilzoom.us/rec/download/a", False),
        ("https://zoom.us.example.com/rec/download/a", False),
        ("https://example.com/rec/download/a?host=zoom.us", False),
        ("http://127.0.0.1:8080/rec/download/a", True),  # the API's own host, in the API's scheme
        ("http://localhost:8080/rec/download/a", False),
        ("", False),
    ],
)
def test_given_a_download_url_when_checked_then_only_zoom_s_hosts_may_see_the_token(url, allowed):
    assert zoom_host(url, "http://127.0.0.1:8080/v2") is allowed


def recordings(zoom_api, *files):
    zoom_api.get(f"{API}/users?status=active", json={"users": [{"id": "user-1"}], "next_page_token": ""})
    for status in ("inactive", "pending"):
        zoom_api.get(f"{API}/users?status={status}", json={"users": [], "next_page_token": ""})
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/users/user-1/recordings\?.*"),
        json={"meetings": [{"uuid": "rec==", "id": 81234567890, "start_time": RECENT, "recording_files": [
            {"id": f"t{number}", "file_type": "TRANSCRIPT", "status": "completed", "recording_start": RECENT, **file}
            for number, file in enumerate(files)
        ]}], "next_page_token": ""},
    )


def read_transcripts():
    return read_tables(config_with(S2S_CREDENTIALS), [TABLE])


def downloads(zoom_api):
    return [request for request in zoom_api.request_history if "/rec/" in request.url or "storage" in request.url]


def test_given_a_transcript_on_zoom_when_read_then_its_cues_arrive_stamped_and_the_download_carried_the_token(zoom_api):
    recordings(zoom_api, {"download_url": "https://zoom.us/rec/download/t0"})
    zoom_api.get("https://zoom.us/rec/download/t0", content=VTT)

    output = read_transcripts()

    assert not output.errors
    rows = records_of(output, TABLE)
    assert [(r["recording_file_id"], r["cue_index"], r["speaker"], r["text"]) for r in rows] == [("t0", 0, "Ada Ito", "Hello."), ("t0", 1, "Bo Kim", "Hi.")]
    assert rows[0]["meeting_uuid"] == "rec==" and rows[0]["meeting_id"] == 81234567890 and rows[0]["meeting_start_time"] == RECENT
    start = datetime.fromisoformat(RECENT.replace("Z", "+00:00")) + timedelta(seconds=1)
    assert rows[0]["cue_start_time"] == start.strftime("%Y-%m-%dT%H:%M:%S") + ".000Z"
    assert rows[0]["cue_end_ms"] == 2500
    assert [request.headers.get("Authorization") for request in downloads(zoom_api)] == [TOKEN]


def test_given_a_download_url_on_another_host_when_read_then_no_request_goes_there_and_one_warning_names_it(zoom_api):
    recordings(zoom_api, {"download_url": "https://files.example.net/rec/download/t0"}, {"download_url": "https://files.example.net/rec/download/t1"},
               {"download_url": "https://zoom.us/rec/download/t2"})
    zoom_api.get("https://zoom.us/rec/download/t2", content=VTT)

    output = read_transcripts()

    assert not output.errors
    assert not [request for request in zoom_api.request_history if "example.net" in request.url]
    assert {r["recording_file_id"] for r in records_of(output, TABLE)} == {"t2"}
    warnings = [line for line in log_lines(output) if "files.example.net" in line]
    assert len(warnings) == 1 and "never sent there" in warnings[0]


def test_given_redirects_when_downloading_then_the_token_goes_along_only_until_a_hop_leaves_zoom(zoom_api):
    recordings(zoom_api, {"download_url": "https://zoom.us/rec/download/t0"})
    zoom_api.get("https://zoom.us/rec/download/t0", status_code=302, headers={"Location": "https://us06web.zoom.us/rec/file/t0"})
    zoom_api.get("https://us06web.zoom.us/rec/file/t0", status_code=302, headers={"Location": "https://storage.example-cdn.com/t0?sig=1"})
    zoom_api.get("https://storage.example-cdn.com/t0?sig=1", status_code=302, headers={"Location": "https://zoom.us/rec/again/t0"})
    zoom_api.get("https://zoom.us/rec/again/t0", content=VTT)

    output = read_transcripts()

    assert not output.errors and len(records_of(output, TABLE)) == 2
    hops = [(request.url.split("?")[0], request.headers.get("Authorization")) for request in downloads(zoom_api)]
    assert hops == [
        ("https://zoom.us/rec/download/t0", TOKEN),
        ("https://us06web.zoom.us/rec/file/t0", TOKEN),
        ("https://storage.example-cdn.com/t0", None),
        ("https://zoom.us/rec/again/t0", None),  # back on Zoom after a foreign hop: still no token
    ]


def test_given_files_zoom_does_not_serve_when_read_then_each_is_skipped_counted_and_the_table_completes(zoom_api):
    recordings(
        zoom_api,
        {"download_url": "https://zoom.us/rec/download/t0", "status": "processing"},
        {"download_url": "https://zoom.us/rec/download/t1", "deleted_time": RECENT},
        {"download_url": "https://zoom.us/rec/download/t2"},
        {"download_url": "https://zoom.us/rec/download/t3"},
    )
    zoom_api.get("https://zoom.us/rec/download/t2", status_code=404, json={"code": 3301, "message": "This recording does not exist."})
    zoom_api.get("https://zoom.us/rec/download/t3", content=VTT)

    output = read_transcripts()

    assert not output.errors
    assert {r["recording_file_id"] for r in records_of(output, TABLE)} == {"t3"}
    # (asked in parallel: in no particular order)
    assert sorted(request.url for request in downloads(zoom_api)) == ["https://zoom.us/rec/download/t2", "https://zoom.us/rec/download/t3"]
    summary = next(line for line in log_lines(output) if line.startswith("Sync summary"))
    for reason in ("file processing", "file in the trash", "file gone"):
        assert f"{TABLE} 1 (code {reason})" in summary


def test_given_an_expired_token_and_server_faults_when_downloading_then_the_token_is_renewed_and_the_download_retried(zoom_api):
    recordings(zoom_api, {"download_url": "https://zoom.us/rec/download/t0"})
    zoom_api.post(TOKEN_URL, [
        {"json": {"access_token": "access-token-1", "token_type": "bearer", "expires_in": 3600}},
        {"json": {"access_token": "access-token-2", "token_type": "bearer", "expires_in": 3600}},
    ])
    answers = [
        {"status_code": 401, "json": {"code": 124, "message": "Access token is expired."}},
        {"status_code": 502, "text": "Bad Gateway"},
        {"status_code": 200, "content": VTT},
    ]
    sent_with = []  # each attempt's token as it went out (a retry is the same request object, signed again)

    def answer(request, context):
        sent_with.append(request.headers.get("Authorization"))
        found = answers[len(sent_with) - 1]
        context.status_code = found["status_code"]
        return found.get("content") or (json.dumps(found["json"]).encode() if "json" in found else found["text"].encode())

    zoom_api.get("https://zoom.us/rec/download/t0", content=answer)

    output = read_transcripts()

    assert not output.errors and len(records_of(output, TABLE)) == 2
    assert sent_with == [TOKEN, "Bearer access-token-2", "Bearer access-token-2"]
    assert len(downloads(zoom_api)) == 3


def test_given_a_download_that_keeps_failing_when_read_then_the_table_ends_incomplete_naming_the_file(zoom_api):
    recordings(zoom_api, {"download_url": "https://zoom.us/rec/download/t0"})
    zoom_api.get("https://zoom.us/rec/download/t0", status_code=503, text="unavailable")

    output = read_tables(config_with(S2S_CREDENTIALS), [TABLE], expecting_exception=True)

    messages = [error.trace.error.message for error in output.errors]
    assert any(f"{TABLE} is incomplete" in message and "/rec/download/t0" in message for message in messages), messages


def test_given_a_file_still_processing_when_read_incrementally_then_the_state_does_not_say_it_was_read(zoom_api):
    """Read past the cursor (issue 22) means read: a file Zoom does not serve yet is asked again."""
    recordings(
        zoom_api,
        {"download_url": "https://zoom.us/rec/download/t0", "status": "processing"},
        {"download_url": "https://zoom.us/rec/download/t1"},
        {"download_url": "https://zoom.us/rec/download/t2"},
    )
    zoom_api.get("https://zoom.us/rec/download/t1", content=VTT)
    # A download that keeps failing holds the cursor back, so what was read past it is in the state.
    zoom_api.get("https://zoom.us/rec/download/t2", status_code=500, json={"code": 500, "message": "Internal error"})
    catalog = CatalogBuilder().with_stream(TABLE, SyncMode.incremental).build()

    output = read(SourceZoom(), config_with(S2S_CREDENTIALS, lookback_days=0), catalog, expecting_exception=True)

    assert [r["recording_file_id"] for r in records_of(output, TABLE)] == ["t1", "t1"]
    read_past = output.state_messages[-1].state.stream.stream_state.__dict__.get("read_beyond_cursor") or {}
    assert any(key.endswith("file_id=t1") for key in read_past), read_past  # the file served is kept as read...
    assert not any(key.endswith("file_id=t0") for key in read_past), read_past  # ...the one still processing is not


def last_trace(output):
    return output.errors[-1].trace.error


def test_given_a_download_zoom_refuses_when_read_then_it_is_asked_once_and_the_last_line_names_the_file_and_zoom_s_answer(zoom_api):
    """A 403 is no fault of Zoom's or the network's: asking again gets the same answer, so the table
    ends at once as a system_error naming the file, not as "run the sync again" after 9 tries."""
    recordings(zoom_api, {"download_url": "https://zoom.us/rec/download/t0"})
    zoom_api.get("https://zoom.us/rec/download/t0", status_code=403, json={"code": 403, "message": "Forbidden"})

    output = read_tables(config_with(S2S_CREDENTIALS), [TABLE], expecting_exception=True)

    assert len(downloads(zoom_api)) == 1
    last = last_trace(output)
    assert last.failure_type.value == "system_error", last
    assert last.message.startswith(f"1 table incomplete ({TABLE}): Zoom refused GET /rec/download/t0 (HTTP 403, code 403: Forbidden)"), last.message
    assert "run the sync again" not in last.message and "after every retry" not in last.message, last.message


def test_given_a_download_that_keeps_failing_when_read_then_the_last_line_says_it_is_zoom_s_fault_and_to_run_again(zoom_api):
    recordings(zoom_api, {"download_url": "https://zoom.us/rec/download/t0"})
    zoom_api.get("https://zoom.us/rec/download/t0", status_code=503, text="unavailable")

    output = read_tables(config_with(S2S_CREDENTIALS), [TABLE], expecting_exception=True)

    last = last_trace(output)
    assert last.failure_type.value == "transient_error", last
    assert last.message.startswith(f"1 table incomplete ({TABLE}): Zoom answered HTTP 503"), last.message
    assert "/rec/download/t0" in last.message and "run the sync again" in last.message, last.message
