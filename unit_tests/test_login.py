"""The login check (source_zoom/login.py), one row per answer Zoom (or something that is not Zoom)
can give to `GET {api_base_url}/users?page_size=1`: which ones refuse the login (config_error,
naming the field to fix), which are a missing scope (not a refused login), which are transient,
and how many token requests each costs."""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional

import pytest
import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom import SourceZoom
from source_zoom.auth import LoginFailed
from source_zoom.login import check_login
from unit_tests.conftest import API, JWT_CREDENTIALS, LOGIN_CHECK_URL, REFRESH_CREDENTIALS, S2S_CREDENTIALS, TOKEN_URL, config_with, zoom_error

USERS_PAGE = {"json": {"users": [{"id": "u1"}], "page_size": 1, "next_page_token": "t"}}
HTML = {"status_code": 200, "text": "<html><body>Welcome</body></html>", "headers": {"Content-Type": "text/html"}}
UNAVAILABLE = {"status_code": 503, "json": zoom_error(503, "Service unavailable")}
PER_SECOND = {"status_code": 429, "json": zoom_error(429, "You have reached the maximum per-second rate limit for this API."),
              "headers": {"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS", "Retry-After": "0"}}
TOKEN_REFRESHED = {"json": {"access_token": "access-2", "expires_in": 3600, "refresh_token": "refresh-token-1"}}


class Case(NamedTuple):
    credentials: Dict[str, Any]
    answers: List[Dict[str, Any]]  # the login check's answers, in order (the last repeats)
    outcome: str  # "ok", "scope", "refused" (Zoom said no, not a login problem), or an error's words
    failure_type: Optional[FailureType] = None
    token_requests: int = 1
    token_answer: Optional[Dict[str, Any]] = None


CASES = {
    "Zoom lists users": Case(S2S_CREDENTIALS, [USERS_PAGE], "ok"),
    "a JWT Zoom no longer takes": Case(
        JWT_CREDENTIALS, [{"status_code": 401, "json": zoom_error(124, "Invalid access token.")}],
        "credentials.jwt_token (HTTP 401, code 124: Invalid access token.): the JWT expired or was revoked", FailureType.config_error, 0,
    ),
    "a token replaced by another login a moment ago": Case(
        S2S_CREDENTIALS, [{"status_code": 401, "json": zoom_error(124, "Invalid access token.")}, USERS_PAGE], "ok", token_requests=2,
    ),
    "an API that refuses the token its token URL issued": Case(
        S2S_CREDENTIALS, [{"status_code": 401, "json": zoom_error(124, "Invalid access token.")}],
        "api_base_url and oauth_token_url must be of the same Zoom", FailureType.config_error, 2,
    ),
    "a path typo in api_base_url": Case(
        S2S_CREDENTIALS, [{"status_code": 404, "text": "404: Not Found"}],
        f"api_base_url {API} is wrong: GET {API}/users answered HTTP 404", FailureType.config_error,
    ),
    "an api_base_url Zoom answers 404 with its own body": Case(
        JWT_CREDENTIALS, [{"status_code": 404, "json": zoom_error(404, "Not Found")}],
        "answered HTTP 404, code 404: Not Found", FailureType.config_error, 0,
    ),
    "a web page instead of an API": Case(S2S_CREDENTIALS, [HTML], f"api_base_url {API} is not Zoom's API", FailureType.config_error),
    "a proxy's page once, then Zoom": Case(S2S_CREDENTIALS, [HTML, USERS_PAGE], "ok"),
    "another JSON API": Case(S2S_CREDENTIALS, [{"json": {"data": []}}], "JSON that is not Zoom's list of users", FailureType.config_error),
    "a 403 page that is not Zoom's": Case(
        S2S_CREDENTIALS, [{"status_code": 403, "text": "Forbidden by proxy", "headers": {"Content-Type": "text/plain"}}],
        "HTTP 403 with a body that is not Zoom's JSON (text/plain)", FailureType.config_error,
    ),
    "a granular scope missing": Case(
        S2S_CREDENTIALS, [{"status_code": 400, "json": zoom_error(4711, "Invalid access token, does not contain scopes:[user:read:list_users:admin].")}], "scope",
    ),
    "a classic scope missing, answered 401": Case(
        JWT_CREDENTIALS, [{"status_code": 401, "json": zoom_error(4700, "Invalid access token, does not contain scopes:[user:read:admin].")}], "scope", token_requests=0,
    ),
    "Zoom refusing for another reason": Case(S2S_CREDENTIALS, [{"status_code": 400, "json": zoom_error(200, "No permission.")}], "refused"),
    "Zoom down for the whole check": Case(S2S_CREDENTIALS, [UNAVAILABLE], "failed 5 times, the last with HTTP 503", FailureType.transient_error),
    "Zoom down once": Case(S2S_CREDENTIALS, [UNAVAILABLE, USERS_PAGE], "ok"),
    # Per-second 429s are pacing, not failures: more of them than the check has tries, then Zoom lets it through.
    "Zoom's per-second limit many times": Case(S2S_CREDENTIALS, [PER_SECOND] * 8 + [USERS_PAGE], "ok"),
    "Zoom's daily limit": Case(
        S2S_CREDENTIALS, [{"status_code": 429, "json": zoom_error(429, "You have reached the maximum daily rate limit for this API."),
                           "headers": {"x-ratelimit-category": "Medium", "x-ratelimit-remaining": "0"}}],
        "Zoom's daily Medium rate limit is used up until", FailureType.transient_error,
    ),
    "Zoom unreachable": Case(
        S2S_CREDENTIALS, [{"exc": requests.exceptions.ConnectionError("Connection refused")}],
        f"{API} (api_base_url) cannot be reached", FailureType.transient_error,
    ),
    "a wrong client secret": Case(
        S2S_CREDENTIALS, [USERS_PAGE], "fix credentials.client_id and client_secret", FailureType.config_error,
        token_answer={"status_code": 401, "json": {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}},
    ),
    "a refresh token used up": Case(
        REFRESH_CREDENTIALS, [USERS_PAGE], "credentials.refresh_token is no longer valid", FailureType.config_error,
        token_answer={"status_code": 400, "json": {"reason": "Invalid Token!", "error": "invalid_request"}},
    ),
    "a refresh token that works": Case(REFRESH_CREDENTIALS, [USERS_PAGE], "ok", token_answer=TOKEN_REFRESHED),
    "a typo in oauth_token_url": Case(
        S2S_CREDENTIALS, [USERS_PAGE], f"oauth_token_url {TOKEN_URL} is not Zoom's token endpoint (it answered HTTP 404",
        FailureType.config_error, token_answer={"status_code": 404, "text": "Not Found"},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_given_an_answer_to_the_login_check_then_it_is_told_apart(zoom_api, name):
    case = CASES[name]
    if case.token_answer is not None:
        zoom_api.post(TOKEN_URL, [case.token_answer])
    zoom_api.get(LOGIN_CHECK_URL, case.answers)
    source = SourceZoom()
    context = source.sync_context(config_with(case.credentials))

    try:
        checked, failure = check_login(context), None
    except AirbyteTracedException as error:
        checked, failure = None, error

    said = failure.message if failure is not None else checked.check_message()
    if case.failure_type is None:
        assert failure is None, failure.message
        assert {"ok": None, "scope": True, "refused": False}[case.outcome] == (checked.scope_missing if checked.refusal else None)
    else:
        assert failure is not None and failure.failure_type == case.failure_type and case.outcome in failure.message, said
        assert isinstance(failure, LoginFailed) == (case.failure_type == FailureType.transient_error)
    # Only a missing scope speaks of scopes: no other cause is sent to the scope settings.
    assert ("scope" in (said or "")) == (case.outcome == "scope"), said
    assert "\n" not in (said or "") and "Traceback" not in (said or "")
    assert len([r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)]) == case.token_requests


def test_given_a_refused_credential_when_the_login_is_asked_again_then_no_second_token_request_is_sent(zoom_api):
    zoom_api.post(TOKEN_URL, status_code=401, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
    context = SourceZoom().sync_context(config_with(S2S_CREDENTIALS))

    for _ in range(3):
        with pytest.raises(AirbyteTracedException):
            check_login(context)

    assert len([r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)]) == 1
    assert not [r for r in zoom_api.request_history if r.url.startswith(API)]


def test_given_a_missing_scope_when_checking_then_check_names_the_scope_to_add(zoom_api):
    zoom_api.get(LOGIN_CHECK_URL, status_code=400, json=zoom_error(4711, "Invalid access token, does not contain scopes:[user:read:list_users:admin]."))

    message = check_login(SourceZoom().sync_context(config_with(S2S_CREDENTIALS))).check_message()

    assert "add the scope user:read:list_users:admin to the Zoom app" in message
