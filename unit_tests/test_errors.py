"""Each class of Zoom answer: skipped resources, unavailable tables, retries, Retry-After, faults."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from source_zoom import errors
from source_zoom.declarations import FILES_GONE_ERRORS
from source_zoom.errors import ALREADY_WAITED_SECONDS, Outcome, classify, ZoomBackoffStrategy, ZoomErrorHandler, retry_after_seconds
from source_zoom.stopping import SyncStopped
from unit_tests.conftest import API, JWT_CREDENTIALS, LOGIN_CHECK_URL, config_with, log_lines, read_tables, records_of, zoom_error

USERS = {"users": [{"id": "u1"}, {"id": "u2"}], "next_page_token": ""}

SKIP = (Outcome.SKIP_RESOURCE, ResponseAction.IGNORE)
UNAVAILABLE = (Outcome.STREAM_UNAVAILABLE, ResponseAction.IGNORE)
RETRY = (Outcome.RETRY, ResponseAction.RETRY)
RENEW = (Outcome.RENEW_TOKEN, ResponseAction.REFRESH_TOKEN_THEN_RETRY)
WAIT = (Outcome.RATE_LIMITED, ResponseAction.RATE_LIMITED)

# What each (HTTP status, Zoom code) means for a sync, written from Zoom's documented meaning
# (/work/shared/zoom-api.md, "Error codes seen per resource" and "Real accounts"), not read from
# source_zoom.errors: a row that is wrong there fails here. None = a status-only row.
ZOOM_DOCUMENTED_ACTIONS = [
    pytest.param(401, 124, RENEW, id="401-124 token expired: renew once, retry"),
    pytest.param(400, 200, SKIP, id="400-200 no permission or webinar add-on: skip the resource"),
    pytest.param(404, 1001, SKIP, id="404-1001 user deleted between list and fetch: skip"),
    pytest.param(400, 1001, SKIP, id="400-1001 user does not exist: skip"),
    pytest.param(400, 1010, SKIP, id="400-1010 user not in this account: skip"),
    pytest.param(401, 1010, SKIP, id="401-1010 user not in this account: skip"),
    pytest.param(400, 3000, SKIP, id="400-3000 registration not enabled: skip the child"),
    pytest.param(404, 3001, SKIP, id="404-3001 meeting deleted or expired: skip the child"),
    pytest.param(400, 3003, SKIP, id="400-3003 not the host: skip"),
    pytest.param(400, 3161, SKIP, id="400-3161 user not allowed to host: skip"),
    pytest.param(400, 4400, SKIP, id="400-4400 polls disabled: skip"),
    pytest.param(400, 12702, SKIP, id="400-12702 older than a year: skip"),
    pytest.param(400, 4700, UNAVAILABLE, id="400-4700 missing scope: table unavailable"),
    pytest.param(401, 4700, UNAVAILABLE, id="401-4700 missing scope: table unavailable"),
    pytest.param(403, 4700, UNAVAILABLE, id="403-4700 missing scope: table unavailable"),
    pytest.param(400, 4711, UNAVAILABLE, id="400-4711 missing granular scope: table unavailable"),
    pytest.param(403, 4711, UNAVAILABLE, id="403-4711 missing granular scope: table unavailable"),
    pytest.param(400, 104, UNAVAILABLE, id="400-104 missing granular scope: table unavailable"),
    pytest.param(429, None, WAIT, id="429 rate limited: wait, retry"),
    pytest.param(408, None, RETRY, id="408 timeout: retry"),
    pytest.param(500, None, RETRY, id="500: retry"),
    pytest.param(502, None, RETRY, id="502: retry"),
    pytest.param(503, None, RETRY, id="503: retry"),
    pytest.param(504, None, RETRY, id="504: retry"),
    # zoom-api.md: 300 is a validation error (a query Zoom no longer takes, an expired paging
    # token): asked again the same way, it answers the same.
    pytest.param(400, 300, (Outcome.FAIL, ResponseAction.FAIL), id="400-300 validation error: fail, no retry"),
]


def response(status: int, body: object = None, headers: dict | None = None, text: str | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = (text if text is not None else __import__("json").dumps(body)).encode()
    answer.headers.update(headers or {})
    answer.request = requests.Request("GET", f"{API}/meetings/1/polls").prepare()
    return answer


@pytest.mark.parametrize("status, code, expected", ZOOM_DOCUMENTED_ACTIONS)
def test_given_each_documented_zoom_error_when_interpreted_then_zooms_meaning_is_acted_on(status, code, expected):
    expected_outcome, expected_action = expected
    body = zoom_error(code if code is not None else status, "reason given by Zoom")

    resolution = ZoomErrorHandler("meeting_polls").interpret_response(response(status, body))

    error = classify(status, code if code is not None else status)
    assert (error.outcome if error else None, resolution.response_action) == (expected_outcome, expected_action)
    if expected_action == ResponseAction.IGNORE:
        assert "/meetings/1/polls" in resolution.error_message and str(code) in resolution.error_message


def test_given_per_second_429s_when_a_request_meets_many_then_they_never_use_up_its_retries():
    handler = ZoomErrorHandler("meeting_poll_results")
    answer = response(429, zoom_error(429, "You have reached the maximum per-second rate limit for this API."))

    actions = [handler.interpret_response(answer).response_action for _ in range(50)]

    assert set(actions) == {ResponseAction.RATE_LIMITED}


def test_given_a_request_that_keeps_failing_when_it_failed_more_than_max_retries_times_then_it_fails_naming_its_tries():
    handler = ZoomErrorHandler("meeting_polls")
    answer = response(503, zoom_error(503, "unavailable"))
    rate_limited = response(429, zoom_error(429, "per-second"))
    rate_limited.request = answer.request  # the same request, retried

    actions = []
    for _ in range(errors.MAX_RETRIES + 1):
        handler.interpret_response(rate_limited)  # 429s in between do not count
        actions.append(handler.interpret_response(answer))

    assert [a.response_action for a in actions[:-1]] == [ResponseAction.RETRY] * errors.MAX_RETRIES
    assert actions[-1].response_action == ResponseAction.FAIL
    assert actions[-1].failure_type == FailureType.transient_error
    assert "/meetings/1/polls answered HTTP 503" in actions[-1].error_message


def test_given_per_second_429s_for_longer_than_the_limit_when_interpreted_then_the_request_fails_as_transient():
    now = [1000.0]
    handler = ZoomErrorHandler("meeting_polls", clock=lambda: now[0])
    answer = response(429, zoom_error(429, "per-second"))

    first = handler.interpret_response(answer)
    now[0] += errors.RATE_LIMITED_SECONDS + 1
    last = handler.interpret_response(answer)

    assert first.response_action == ResponseAction.RATE_LIMITED
    assert last.response_action == ResponseAction.FAIL and last.failure_type == FailureType.transient_error
    assert "per-second rate limit" in last.error_message and "/meetings/1/polls" in last.error_message


@pytest.mark.parametrize("status, code", [(404, 404), (410, None), (400, 300), (404, 3001), (422, None), (403, None)])
def test_given_the_removed_files_endpoints_when_they_answer_any_4xx_then_the_table_is_unavailable(status, code):
    body = zoom_error(code if code is not None else status, "whatever Zoom says")

    resolution = ZoomErrorHandler("meeting_files", FILES_GONE_ERRORS).interpret_response(response(status, body))

    assert resolution.response_action == ResponseAction.IGNORE
    assert classify(status, code if code is not None else status, FILES_GONE_ERRORS).outcome == Outcome.STREAM_UNAVAILABLE


def test_given_the_files_endpoint_refused_by_a_server_validating_zooms_spec_then_the_table_is_unavailable():
    # What Stoplight Prism, serving Zoom's 2023-07 spec (integer meetingId, deprecated), answers a UUID:
    # 400, no body, the violation in a header.
    refused = response(400, text="", headers={"sl-violations": '[{"code":"type","message":"Request path parameter meetingid must be integer"}]'})

    resolution = ZoomErrorHandler("meeting_files", FILES_GONE_ERRORS).interpret_response(refused)

    assert resolution.response_action == ResponseAction.IGNORE


@pytest.mark.parametrize("status, code, action", [(401, 124, ResponseAction.REFRESH_TOKEN_THEN_RETRY), (429, None, ResponseAction.RATE_LIMITED)])
def test_given_the_removed_files_endpoints_when_a_token_expires_or_a_rate_limit_hits_then_those_keep_their_meaning(status, code, action):
    body = zoom_error(code if code is not None else status, "whatever Zoom says")

    resolution = ZoomErrorHandler("meeting_files", FILES_GONE_ERRORS).interpret_response(response(status, body))

    assert resolution.response_action == action


def test_given_an_unmapped_error_when_interpreted_then_the_sync_fails_naming_endpoint_and_code():
    resolution = ZoomErrorHandler("meeting_polls").interpret_response(response(400, zoom_error(9999, "strange")))

    assert resolution.response_action == ResponseAction.FAIL
    assert "/meetings/1/polls" in resolution.error_message and "9999" in resolution.error_message


def test_given_a_truncated_body_when_interpreted_then_it_is_retried():
    resolution = ZoomErrorHandler("users").interpret_response(response(200, text='{"users": [{"id": '))

    assert resolution.response_action == ResponseAction.RETRY


def test_given_a_dropped_connection_when_interpreted_then_it_is_retried():
    resolution = ZoomErrorHandler("users").interpret_response(requests.ConnectionError("reset by peer"))

    assert resolution.response_action == ResponseAction.RETRY


def test_given_a_dropped_connection_when_interpreted_then_the_message_names_the_endpoint_and_the_error():
    dropped = requests.ConnectionError("Connection aborted.", request=requests.Request("GET", f"{API}/meetings/7/polls?page_size=300").prepare())

    resolution = ZoomErrorHandler("meeting_polls").interpret_response(dropped)

    assert resolution.response_action == ResponseAction.RETRY
    assert resolution.error_message == "meeting_polls: network error talking to Zoom on /meetings/7/polls (ConnectionError: Connection aborted.)."


def test_given_a_daily_limit_with_a_far_retry_after_then_the_stream_fails_with_when_to_retry(pinned_now):
    reset = (pinned_now + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = response(429, zoom_error(429, "daily"), {"X-RateLimit-Type": "Daily-limit", "X-RateLimit-Category": "Heavy", "Retry-After": reset})

    resolution = ZoomErrorHandler("report_meetings").interpret_response(answer)

    assert resolution.response_action == ResponseAction.FAIL
    assert "daily" in resolution.error_message and reset in resolution.error_message


@pytest.mark.parametrize(
    "header, expected",
    [("3", 3.0), ("2026-03-01T12:00:30Z", 30.0), ("2026-03-02T00:00:00Z", 43200.0), ("2026-03-01T11:59:00Z", 0.0), (None, None), ("nonsense", None)],
)
def test_given_retry_after_in_seconds_or_iso_datetime_then_it_is_read(pinned_now, header, expected):
    answer = response(429, {}, {"Retry-After": header} if header else {})

    seconds = retry_after_seconds(answer)

    assert seconds == expected  # "now" is pinned at 2026-03-01T12:00:00Z


def test_given_a_429_with_retry_after_then_backoff_waits_that_long():
    wait = ZoomBackoffStrategy.seconds_to_wait(response(429, {}, {"Retry-After": "7"}), attempt_count=1)

    assert 7 <= wait <= 7.25


def test_given_a_429_without_retry_after_then_backoff_grows_with_jitter():
    waits = [ZoomBackoffStrategy.seconds_to_wait(response(429, {}), attempt_count=n) for n in (1, 2, 3)]

    assert all(w > 0 for w in waits)


def test_given_a_backoff_when_the_sync_stops_while_it_waits_then_the_wait_ends_at_once_with_sync_stopped():
    stopped = threading.Event()
    threading.Timer(0.2, stopped.set).start()
    started = time.monotonic()

    with pytest.raises(SyncStopped):
        ZoomBackoffStrategy(stopped).backoff_time(response(429, {}, {"Retry-After": "30"}), attempt_count=1)

    assert time.monotonic() - started < 5  # not the 30 s Zoom asked for


def test_given_a_backoff_when_it_is_waited_out_then_the_strategy_waited_itself_and_leaves_the_cdk_almost_nothing():
    started = time.monotonic()

    left = ZoomBackoffStrategy(threading.Event()).backoff_time(response(429, {}, {"Retry-After": "0.3"}), attempt_count=1)

    assert time.monotonic() - started >= 0.3
    assert left == ALREADY_WAITED_SECONDS


def test_given_flaky_zoom_when_reading_then_5xx_429_and_bad_json_are_retried_and_nothing_is_lost(zoom_api):
    zoom_api.get(
        f"{API}/users",
        [
            {"status_code": 503, "text": "upstream"},
            {"status_code": 429, "json": zoom_error(429, "per-second"), "headers": {"Retry-After": "0"}},
            {"status_code": 200, "text": '{"users": [{"id"'},
            {"exc": requests.ConnectionError("reset")},
            {"json": USERS},
        ],
    )

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"])

    assert [r["id"] for r in records_of(output, "users")] == ["u1", "u2"]
    assert not output.errors


def test_given_a_persisting_fault_when_retries_run_out_then_the_sync_fails_naming_the_endpoint(zoom_api):
    zoom_api.get(f"{API}/users", status_code=502, text="bad gateway")
    zoom_api.get(LOGIN_CHECK_URL, json={"users": []})  # the login check passed: the table's own requests fail

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)

    assert output.errors
    assert any("/users" in (e.trace.error.internal_message or "") + e.trace.error.message for e in output.errors)


def test_given_a_user_without_webinar_plan_when_reading_webinars_then_that_user_is_skipped_with_one_log_line(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    zoom_api.get(f"{API}/users/u1/webinars", status_code=400, json=zoom_error(200, "Webinar plan is missing."))
    zoom_api.get(f"{API}/users/u2/webinars", json={"webinars": [{"id": 5}], "page_number": 1, "page_count": 1})
    zoom_api.get(f"{API}/webinars/5", json={"id": 5, "uuid": "w5"})

    output = read_tables(config_with(JWT_CREDENTIALS), ["webinars"])

    assert [r["uuid"] for r in records_of(output, "webinars")] == ["w5"]
    skip_lines = [line for line in log_lines(output) if "skipped /users/u1/webinars" in line]
    assert len(skip_lines) == 1 and "200" in skip_lines[0] and "Webinar plan is missing" in skip_lines[0]
    assert any("Sync summary" in line and "user_webinars 1 (code 200)" in line for line in log_lines(output))


def test_given_removed_files_endpoints_when_reading_then_the_table_ends_empty_with_one_warning(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    # The account's history report names the past instances (the instance tables' listing).
    zoom_api.get(
        re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"),
        [
            {"json": {"history_meetings": [{"meeting_uuid": u, "meeting_id": 1, "type": "Meeting"} for u in ("a==", "b==", "c==")], "next_page_token": ""}},
            {"json": {"history_meetings": [], "next_page_token": ""}},
        ],
    )
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u\d/meetings\?.*"), json={"meetings": [], "next_page_token": ""})
    zoom_api.get(re.compile(rf"{re.escape(API)}/past_meetings/.*/files"), status_code=404, json=zoom_error(404, "This API endpoint has been removed."))

    output = read_tables(config_with(JWT_CREDENTIALS), ["meeting_files", "users"])

    assert records_of(output, "meeting_files") == []
    assert len(records_of(output, "users")) == 2
    warnings = [line for line in log_lines(output) if "not available on this Zoom account" in line]
    assert len(warnings) == 1 and "meeting_files" in warnings[0]
    assert not output.errors
    assert sum("/files" in r.url for r in zoom_api.request_history) == 1


def test_given_a_missing_scope_when_reading_then_the_table_is_reported_once_and_the_sync_goes_on(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u\d/recordings\?.*"), status_code=400, json=zoom_error(4700, "Invalid access token, does not contain scopes:[recording:read:admin]."))

    output = read_tables(config_with(JWT_CREDENTIALS), ["cloud_recordings", "users"])

    assert len(records_of(output, "users")) == 2
    warnings = [line for line in log_lines(output) if "not available on this Zoom account" in line]
    assert len(warnings) == 1 and "recording:read:admin" in warnings[0]
    assert not output.errors
