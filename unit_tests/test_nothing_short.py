"""Nothing silently short (issue 22), against a mocked Zoom: no request that cannot succeed, no
window lost across midnight, and an answer no retry changes ends its table as a system error."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, Dict, List
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http import rate_limiting
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom import errors, http_stream
from source_zoom.config import ZoomConfig
from source_zoom.windows import report_horizon
from unit_tests.conftest import API, budget_by_path, JWT_CREDENTIALS, LOGIN_CHECK_URL, config_with, paths_requested, read_tables, records_of, zoom_error

USERS = {"users": [{"id": f"u{n}", "status": "active"} for n in range(1, 9)], "next_page_token": ""}
DAILY_429 = {"status_code": 429, "json": zoom_error(429, "You have reached the maximum daily rate limit for this API. Try again later.")}


def prepared(path: str) -> requests.PreparedRequest:
    return requests.Request("GET", f"{API}/{path}").prepare()


def answered(status: int, body: Dict[str, Any], headers: Dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = __import__("json").dumps(body).encode()
    response.headers.update(headers)
    return response


# --- 4. a daily cap on any category ends that category's requests at once ------------------------


@pytest.mark.parametrize(
    "category, path, headers",
    [
        ("Medium", "users/u1/meetings", {"x-ratelimit-category": "Medium", "x-ratelimit-remaining": "0"}),
        ("Light", "meetings/1", {"X-RateLimit-Category": "Light", "X-RateLimit-Type": "Daily-limit", "Retry-After": "2099-01-01T00:00:00Z"}),
        ("Light", "meetings/1/polls", {"X-RateLimit-Remaining": "0"}),  # no type, no category: the request's own
    ],
    ids=["medium-real-headers", "light-documented-headers", "light-remaining-0-only"],
)
def test_given_a_daily_429_on_a_light_or_medium_endpoint_when_more_of_that_category_is_asked_then_it_fails_without_a_request(category, path, headers):
    budget = budget_by_path("pro")
    budget.update_from_response(prepared(path), answered(429, zoom_error(429, "You have reached the maximum daily rate limit for this API."), headers))

    with pytest.raises(AirbyteTracedException) as refused:
        budget.acquire_call(prepared(path), block=False)

    assert refused.value.failure_type == FailureType.transient_error
    assert f"daily {category} rate limit" in refused.value.message
    other = "report/users/u1/meetings"  # Heavy: a category that said nothing is not stopped
    budget.acquire_call(prepared(other), block=False)


def test_given_a_daily_429_on_the_user_meetings_listing_when_reading_then_no_other_medium_request_is_sent(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u\d/meetings\?.*"), **DAILY_429, headers={"x-ratelimit-category": "Medium", "x-ratelimit-remaining": "0"})

    output = read_tables(config_with(JWT_CREDENTIALS, num_workers=1), ["meetings"], expecting_exception=True)

    listings = [path for path in paths_requested(zoom_api) if re.match(r"/users/u\d/meetings", path)]
    assert len(listings) == 1, listings  # the first answer said the day's Medium requests are spent
    messages = [error.trace.error.message for error in output.errors]
    assert any("daily Medium rate limit" in message for message in messages), messages


# --- 5. windows made before 00:00 UTC are sent as Zoom takes them after it ----------------------

BEFORE_MIDNIGHT = datetime(2026, 11, 30, 23, 59, 59, tzinfo=timezone.utc)
AFTER_MIDNIGHT = BEFORE_MIDNIGHT + timedelta(seconds=2)


@pytest.fixture
def clock_crossing_midnight(monkeypatch):
    """The connector's "now" is 23:59:59 UTC until report_meetings has made its windows, then 00:00:01 UTC."""
    now = {"value": BEFORE_MIDNIGHT}
    monkeypatch.setattr(ZoomConfig, "today", property(lambda self: now["value"]))
    make_windows = http_stream.table_windows

    def windows_then_midnight(name, *args, **kwargs):
        windows = make_windows(name, *args, **kwargs)
        if name == "report_meetings":
            now["value"] = AFTER_MIDNIGHT
        return windows

    monkeypatch.setattr(http_stream, "table_windows", windows_then_midnight)
    return now


def zoom_refusing_from_before_its_horizon(now: Dict[str, datetime], served: Dict[str, List[str]]):
    """Zoom's report listings: 400 code 300 for a `from` before six months before (Zoom's) today."""

    def answer(request, context):
        query = parse_qs(urlsplit(request.url).query)
        start = date.fromisoformat(query["from"][0])
        if start < report_horizon(now["value"].date()):
            context.status_code = 400
            return zoom_error(300, "The 'from' date cannot be earlier than 6 months before today.")
        key = "history_meetings" if "history_meetings" in request.url else "meetings"
        served.setdefault(key, []).append(query["from"][0])
        return {key: [], "next_page_token": ""} if key == "history_meetings" else {
            "meetings": [{"uuid": f"m-{query['from'][0]}", "id": 1, "start_time": f"{query['from'][0]}T12:00:00Z", "type": 2}],
            "next_page_token": "",
        }

    return answer


def test_given_a_sync_that_crosses_midnight_when_it_asks_for_its_first_report_window_then_zoom_takes_it_and_no_window_is_lost(zoom_api, clock_crossing_midnight):
    served: Dict[str, List[str]] = {}
    zoom_api.get(re.compile(rf"{re.escape(API)}/users\?.*"), json={"users": [{"id": "u1", "status": "active"}], "next_page_token": ""})
    answer = zoom_refusing_from_before_its_horizon(clock_crossing_midnight, served)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/users/u1/meetings\?.*"), json=answer)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"), json=answer)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/meetings/.*"), json={"dept": "", "tracking_fields": []})

    output = read_tables(config_with(JWT_CREDENTIALS, start_date="2026-01-01T00:00:00Z"), ["report_meetings"])

    assert [error.trace.error.message for error in output.errors] == []
    new_horizon = report_horizon(AFTER_MIDNIGHT.date()).isoformat()
    assert new_horizon > report_horizon(BEFORE_MIDNIGHT.date()).isoformat()  # the case is real
    assert min(served["meetings"]) == new_horizon  # the first window starts where Zoom's reports now begin
    months = {uuid[2:9] for uuid in (r["uuid"] for r in records_of(output, "report_meetings"))}
    assert months == {"2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}, months


def test_given_zooms_clock_a_few_seconds_ahead_at_midnight_when_the_first_report_window_is_refused_then_it_is_asked_again_from_zooms_horizon(zoom_api, monkeypatch):
    """At 23:59:58 UTC by the connector's clock Zoom's may already read 00:00:03: Zoom's report horizon
    is then a day later, and it refuses a `from` on the connector's (400 code 300, as the fake
    answers after Zoom's "within the past 6 months"). The window starts at Zoom's horizon instead."""
    ours = datetime(2026, 11, 30, 23, 59, 58, tzinfo=timezone.utc)
    zooms = {"value": ours + timedelta(seconds=5)}
    monkeypatch.setattr(ZoomConfig, "today", property(lambda self: ours))
    served: Dict[str, List[str]] = {}
    zoom_api.get(re.compile(rf"{re.escape(API)}/users\?.*"), json={"users": [{"id": "u1", "status": "active"}], "next_page_token": ""})
    answer = zoom_refusing_from_before_its_horizon(zooms, served)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/users/u1/meetings\?.*"), json=answer)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"), json=answer)
    zoom_api.get(re.compile(rf"{re.escape(API)}/report/meetings/.*"), json={"dept": "", "tracking_fields": []})

    output = read_tables(config_with(JWT_CREDENTIALS, start_date="2026-01-01T00:00:00Z"), ["report_meetings"])

    assert [error.trace.error.message for error in output.errors] == []
    zooms_horizon = report_horizon(zooms["value"].date()).isoformat()
    assert zooms_horizon > report_horizon(ours.date()).isoformat()  # the case is real: the windows start a day early for Zoom
    assert min(served["meetings"]) == zooms_horizon  # asked again from where Zoom's reports begin
    months = {uuid[2:9] for uuid in (r["uuid"] for r in records_of(output, "report_meetings"))}
    assert months == {"2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}, months


# --- 7. an answer no retry changes ends its table as a system error, the others finish ----------


def test_given_a_listing_zoom_refuses_as_invalid_when_reading_then_that_table_ends_as_a_system_error_naming_it_and_the_others_finish(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u\d/recordings\?.*"), status_code=400, json=zoom_error(300, "Invalid parameter: from."))

    output = read_tables(config_with(JWT_CREDENTIALS, num_workers=1), ["cloud_recordings", "users"], expecting_exception=True)

    table_errors = [e.trace.error for e in output.errors if e.trace.error.stream_descriptor is not None]
    assert [error.stream_descriptor.name for error in table_errors] == ["cloud_recordings"]
    (error,) = table_errors
    assert error.failure_type == FailureType.system_error
    assert re.search(r"/users/u\d/recordings", error.message) and "Invalid parameter: from." in error.message
    assert "run the sync again" not in error.message  # asking again gets the same answer
    assert len(records_of(output, "users")) == len(USERS["users"])
    recordings = [path for path in paths_requested(zoom_api) if "/recordings" in path]
    assert len(recordings) <= 3, recordings  # each refusal is final: no retry, and the table stops asking


# --- 8. a per-second 429 never ends a table while the sync's time allows ------------------------


@pytest.fixture
def short_cdk_sleeps(monkeypatch):
    """The CDK sleeps one second after each backoff (rate_limiting.user_defined_backoff_handler)."""
    monkeypatch.setattr(rate_limiting, "time", SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, 0.01))))


def test_given_many_per_second_429s_in_a_row_when_a_listing_is_read_then_they_do_not_use_up_its_retries(zoom_api, short_cdk_sleeps):
    per_second = {"status_code": 429, "json": zoom_error(429, "You have reached the maximum per-second rate limit for this API. Try again later."),
                  "headers": {"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS", "Retry-After": "0"}}
    # More 429s in a row than a request has retries (errors.MAX_RETRIES), then Zoom lets it through.
    zoom_api.get(re.compile(rf"{re.escape(API)}/users\?.*"), [per_second] * (errors.MAX_RETRIES + 4) + [{"json": USERS}])
    zoom_api.get(LOGIN_CHECK_URL, json={"users": [], "next_page_token": ""})  # the login check before any table passes

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"])

    assert [error.trace.error.message for error in output.errors] == []
    assert len(records_of(output, "users")) == len(USERS["users"])
