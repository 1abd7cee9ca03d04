"""Shared builders for the unit tests: configs, a mocked Zoom API and a one-call read."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping

import pytest
import requests_mock

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, _run_command, make_file, read

from source_zoom import SourceZoom
from source_zoom import auth, errors

API = "https://api.zoom.us/v2"
TOKEN_URL = "https://zoom.us/oauth/token"
START_DATE = "2026-06-01T00:00:00Z"
LOGIN_CHECK_URL = f"{API}/users?page_size=1"

S2S_CREDENTIALS = {
    "auth_type": "server_to_server_oauth",
    "account_id": "acct-1234",
    "client_id": "client-id-1234",
    "client_secret": "client-secret-5678",
}
REFRESH_CREDENTIALS = {
    "auth_type": "oauth2_refresh_token",
    "client_id": "client-id-1234",
    "client_secret": "client-secret-5678",
    "refresh_token": "refresh-token-0",
}
JWT_CREDENTIALS = {"auth_type": "jwt", "jwt_token": "jwt-token-abcdef"}


def config_with(credentials: Mapping[str, Any] = S2S_CREDENTIALS, **overrides: Any) -> Dict[str, Any]:
    config = {"credentials": dict(credentials), "start_date": START_DATE, **overrides}
    return copy.deepcopy(config)


def read_tables(config: Mapping[str, Any], tables: Iterable[str], expecting_exception: bool = False) -> EntrypointOutput:
    catalog = CatalogBuilder()
    for table in tables:
        catalog.with_stream(table, SyncMode.full_refresh)
    return read(SourceZoom(config), dict(config), catalog.build(), expecting_exception=expecting_exception)


def check(config: Mapping[str, Any]) -> EntrypointOutput:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as directory:
        config_file = make_file(Path(directory) / "config.json", config)
        return _run_command(SourceZoom(config), ["check", "--config", config_file])


def control_messages(captured_stdout: str) -> List[Dict[str, Any]]:
    """Config updates are printed straight to stdout (as the CDK does), not yielded."""
    messages = [json.loads(line) for line in captured_stdout.splitlines() if line.startswith("{")]
    return [m["control"] for m in messages if m.get("type") == "CONTROL"]


def records_of(output: EntrypointOutput, table: str) -> List[Dict[str, Any]]:
    return [message.record.data for message in output.records if message.record.stream == table]


def log_lines(output: EntrypointOutput) -> List[str]:
    return [message.log.message for message in output.logs]


def table_requests(mocker: requests_mock.Mocker) -> list:
    """The requests the tables sent: every request but the token's and the login check."""
    return [request for request in mocker.request_history if "/v2" in request.url and request.url != LOGIN_CHECK_URL]


def paths_requested(mocker: requests_mock.Mocker) -> List[str]:
    return [request.url.split("/v2", 1)[-1] for request in mocker.request_history if "/v2" in request.url]


def zoom_error(code: int, message: str) -> Dict[str, Any]:
    return {"code": code, "message": message}


@pytest.fixture
def zoom_api():
    """A mocked Zoom API with a working token endpoint; tests add the endpoints they need."""
    with requests_mock.Mocker() as mocker:
        mocker.post(TOKEN_URL, json={"access_token": "access-token-1", "token_type": "bearer", "expires_in": 3600})
        # The login check every read starts with (source_zoom/login.py): Zoom takes the token.
        mocker.get(LOGIN_CHECK_URL, json={"users": [], "page_size": 1, "next_page_token": ""})
        # The account-wide history listing every instance table joins: empty unless a test says
        # otherwise (a later registration of the same URL wins).
        mocker.get(re.compile(rf"{re.escape(API)}/report/history_meetings\?.*"), json={"history_meetings": [], "next_page_token": ""})
        yield mocker


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    """Retries keep their order and count; only the sleeping is shortened."""
    monkeypatch.setattr(errors, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(errors, "BACKOFF_CAP_SECONDS", 0.05)
    monkeypatch.setattr(auth, "TOKEN_RETRY_BASE_SECONDS", 0.001)


PINNED_NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def pinned_now(monkeypatch) -> datetime:
    """Zoom's ISO Retry-After is read against `datetime.now` in source_zoom.errors: pin it, so a
    test's verdict never depends on how long the machine took between two lines."""

    class PinnedDateTime(datetime):
        @classmethod
        def now(cls, tz=None):
            return PINNED_NOW if tz is not None else PINNED_NOW.replace(tzinfo=None)

    monkeypatch.setattr(errors, "datetime", PinnedDateTime)
    return PINNED_NOW


def declared_endpoint(path: str) -> Any:
    """The declared endpoint a concrete path (`report/meetings/85746/participants`, or a URL) is
    of: for tests that hand the budget bare requests, as a stream's HTTP client would through its endpoint."""
    from urllib.parse import urlsplit

    from source_zoom.streams import ENDPOINTS

    parts = urlsplit(path).path.split("/v2/", 1)[-1].strip("/").split("/")
    for endpoint in sorted(ENDPOINTS, key=lambda endpoint: endpoint.zoom_name.count("{")):  # a word before a placeholder
        segments = endpoint.zoom_name.strip("/").split("/")
        if len(segments) == len(parts) and all(s.startswith("{") or s == p for s, p in zip(segments, parts)):
            return endpoint
    raise LookupError(f"no declared endpoint for {path}")


class BudgetByPath:
    """A sync's budget used as its streams use it: each request through its endpoint's view
    (`for_endpoint`), the endpoint found from the request's path (tests only)."""

    def __init__(self, budget: Any):
        self.budget = budget

    def __getattr__(self, name: str) -> Any:
        return getattr(self.budget, name)

    def acquire_call(self, request: Any, block: bool = True, timeout: Any = None) -> None:
        self.budget.for_endpoint(declared_endpoint(request.url)).acquire_call(request, block, timeout)

    def update_from_response(self, request: Any, response: Any) -> None:
        self.budget.for_endpoint(declared_endpoint(request.url)).update_from_response(request, response)


def budget_by_path(plan: str, **kwargs: Any) -> BudgetByPath:
    from source_zoom.rate_limits import build_api_budget

    return BudgetByPath(build_api_budget(plan, **kwargs))
