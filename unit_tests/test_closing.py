"""The last line of a sync with failed tables (source_zoom/closing.py): the first real cause again,
with its fix and its failure type. The tables' endings are data, as the read path (zoom_stream.py) and
the error handler leave them; the reads at the end go through the whole source."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http import rate_limiting

from source_zoom.closing import TableError, closing_error
from source_zoom.errors import Fault, RequestFailure, TableFailure
from source_zoom.streams.meeting_instances import ReportMeetingParticipants
from source_zoom.streams.meetings import MeetingPolls, Meetings, ReportMeetings
from source_zoom.streams.webinar_instances import WebinarQnaResults
from unit_tests.conftest import API, JWT_CREDENTIALS, LOGIN_CHECK_URL, config_with, read_tables, zoom_error

GAP = ". Its state did not move past the gap; run the sync again."


def own(table: str, failure: RequestFailure, requests: int = 3) -> TableError:
    message = f"{table} is incomplete: {requests} request(s) failed after every retry (first: {failure.message}){GAP}"
    return TableError(table, message, FailureType.transient_error, TableFailure(table, message, FailureType.transient_error, failure, names_own=True))


def through(table: str, parent: str, failure: RequestFailure) -> TableError:
    message = f"{table} is incomplete: a parent listing is incomplete ({parent}: {failure.message}){GAP}"
    return TableError(table, message, FailureType.transient_error, TableFailure(table, message, FailureType.transient_error, failure))


SERVER_ERROR = RequestFailure(
    Fault.ZOOM_OR_NETWORK, "report_meeting_participants", ReportMeetingParticipants.endpoint, "/report/meetings/abc%3D%3D/participants",
    status=503, code=503, said="Service unavailable (try later)",
)
INVALID = RequestFailure(Fault.REFUSED, "meeting_polls", MeetingPolls.endpoint, "/meetings/85746/polls", status=400, code=300, said="Validation Failed.")
DROPPED = RequestFailure(
    Fault.NO_ANSWER, "meetings", Meetings.endpoint, "/meetings/85746", error_name="ConnectionError", said="('Connection aborted.', RemoteDisconnected())"
)
JWT = "Zoom refused credentials.jwt_token: the JWT expired or was revoked, and ... use auth_type server_to_server_oauth."
DAILY = "report_meetings stopped at Zoom's daily Heavy rate limit, used up until 2026-12-05T00:00:00Z: what it read is in its state."
DAILY_CAP = RequestFailure(Fault.DAILY_CAP, category="Heavy", resets_at=datetime(2026, 12, 5, tzinfo=timezone.utc))

CASES = {
    "Zoom failing on one endpoint": (
        [own("report_meeting_participants", SERVER_ERROR)],
        FailureType.transient_error,
        "1 table incomplete (report_meeting_participants): Zoom answered HTTP 503, code 503: Service unavailable (try later) for "
        "/report/meetings/{meetingId}/participants after 9 tries; that is Zoom's fault or the network's, not the config's: run the sync again",
    ),
    "a request Zoom finds invalid": (
        [own("meeting_polls", INVALID, 1)],
        FailureType.system_error,
        "Zoom rejected GET /meetings/85746/polls (/meetings/{meetingId}/polls) as invalid (HTTP 400, code 300: Validation Failed.), "
        "and no retry changes that: report it to the connector's maintainers",
    ),
    "the network": (
        [own("meetings", DROPPED)],
        FailureType.transient_error,
        "Zoom could not be reached for /meetings/{meetingId} (ConnectionError) after 9 tries",
    ),
    "children failing through the parent that failed first": (
        [through("meeting_poll_results", "meeting_instances", SERVER_ERROR), own("report_meeting_participants", SERVER_ERROR),
         through("meeting_files", "meeting_instances", SERVER_ERROR)],
        FailureType.transient_error,
        "3 tables incomplete (meeting_files, meeting_poll_results, report_meeting_participants); the first cause, in "
        "report_meeting_participants: Zoom answered HTTP 503",
    ),
    "only children of a hidden listing": (
        [through("meeting_polls", "user_meetings", SERVER_ERROR)],
        FailureType.transient_error,
        "Zoom answered HTTP 503, code 503: Service unavailable (try later) for /report/meetings/{meetingId}/participants",
    ),
    "something the person must fix, after a Zoom fault": (
        [own("meetings", DROPPED), TableError("users", JWT, FailureType.config_error)],
        FailureType.config_error,
        f"2 tables incomplete (meetings, users); the first cause, in users: {JWT}",
    ),
    "the daily cap on every table": (
        [TableError("report_meetings", DAILY, FailureType.transient_error, TableFailure("report_meetings", DAILY, FailureType.transient_error, daily_cap=DAILY_CAP))],
        FailureType.transient_error,
        "The sync stopped at Zoom's daily Heavy rate limit, used up until 2026-12-05T00:00:00Z",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_given_failed_tables_then_the_last_sentence_repeats_the_first_cause_with_its_fix_and_type(name):
    errors, failure_type, expected = CASES[name]

    closing = closing_error({error.table: error for error in errors})

    assert closing.failure_type == failure_type
    assert expected in closing.message, closing.message
    assert "each with its reason above" not in closing.message and "\n" not in closing.message


def test_given_a_failed_request_then_its_endpoint_is_named_as_zoom_names_it():
    assert RequestFailure(Fault.REFUSED, endpoint=ReportMeetings.endpoint, resource="/report/users/u-1/meetings").endpoint_name == "/report/users/{userId}/meetings"
    assert RequestFailure(Fault.REFUSED, endpoint=WebinarQnaResults.endpoint, resource="/past_webinars/%252Fab%253D/qa").endpoint_name == "/past_webinars/{webinarId}/qa"
    assert RequestFailure(Fault.REFUSED, resource="/not/a/zoom/path").endpoint_name == "/not/a/zoom/path"


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    """The CDK sleeps one extra second per retry; only the waiting is shortened, not the retries."""
    monkeypatch.setattr(rate_limiting, "time", SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, 0.02))))


def mock_users(zoom_api, **answer):
    for status in ("active", "inactive", "pending"):
        zoom_api.get(f"{API}/users?status={status}", **answer)


def last_error(output):
    return output.errors[-1].trace.error


def test_given_zoom_refusing_the_users_listing_as_invalid_when_reading_then_the_sync_ends_with_a_system_error_naming_it(zoom_api):
    mock_users(zoom_api, status_code=400, json=zoom_error(300, "Validation Failed."))

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)

    closing = last_error(output)
    assert closing.failure_type == FailureType.system_error
    assert re.search(r"Zoom rejected GET /users as invalid \(HTTP 400, code 300: Validation Failed\.\)", closing.message), closing.message


def test_given_zoom_failing_the_users_listing_when_reading_then_the_sync_ends_transient_saying_run_it_again(zoom_api):
    mock_users(zoom_api, status_code=502, json=zoom_error(502, "Bad gateway"))

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)

    closing = last_error(output)
    assert closing.failure_type == FailureType.transient_error
    assert "Zoom answered HTTP 502, code 502: Bad gateway for /users after 9 tries" in closing.message
    assert closing.message.endswith("run the sync again, it continues from the saved states.")


def test_given_a_jwt_revoked_during_the_sync_when_reading_then_the_last_line_is_the_jwt_sentence_as_a_config_error(zoom_api):
    zoom_api.get(LOGIN_CHECK_URL, json={"users": []})
    mock_users(zoom_api, status_code=401, json=zoom_error(124, "Invalid access token."))

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)

    closing = last_error(output)
    assert closing.failure_type == FailureType.config_error
    assert "credentials.jwt_token" in closing.message and "Server-to-Server OAuth app" in closing.message
