"""The three Zoom logins, one shared token, renewal on 401 code 124 and refresh-token rotation."""

from __future__ import annotations

import base64
import threading
from urllib.parse import parse_qs

import pytest

from airbyte_cdk.models import Status
from source_zoom.auth import ZoomAuthenticator
from unit_tests.conftest import (
    API,
    JWT_CREDENTIALS,
    REFRESH_CREDENTIALS,
    S2S_CREDENTIALS,
    TOKEN_URL,
    check,
    config_with,
    control_messages,
    read_tables,
    records_of,
    zoom_error,
)

USERS = {"users": [{"id": "u1"}], "next_page_token": ""}


def basic_credentials(request) -> str:
    return base64.b64decode(request.headers["Authorization"].split(" ", 1)[1]).decode()


def test_given_server_to_server_credentials_when_reading_then_token_is_requested_with_basic_auth_and_account_id(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)

    output = read_tables(config_with(S2S_CREDENTIALS), ["users"])

    assert records_of(output, "users") == [{"id": "u1"}]
    (token_request,) = [r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)]
    assert token_request.method == "POST"
    assert basic_credentials(token_request) == "client-id-1234:client-secret-5678"
    assert parse_qs(token_request.query) == {"grant_type": ["account_credentials"], "account_id": ["acct-1234"]}
    api_request = [r for r in zoom_api.request_history if r.url.startswith(API)][0]
    assert api_request.headers["Authorization"] == "Bearer access-token-1"


def test_given_a_rotating_refresh_token_when_reading_then_the_new_token_is_handed_back_in_a_control_message(zoom_api, capsys):
    zoom_api.post(TOKEN_URL, json={"access_token": "access-2", "refresh_token": "refresh-token-1", "expires_in": 3600})
    zoom_api.get(f"{API}/users", json=USERS)

    output = read_tables(config_with(REFRESH_CREDENTIALS), ["users"])

    token_request = [r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)][0]
    assert parse_qs(token_request.text) == {"grant_type": ["refresh_token"], "refresh_token": ["refresh-token-0"]}
    assert basic_credentials(token_request) == "client-id-1234:client-secret-5678"
    assert records_of(output, "users") == [{"id": "u1"}]
    controls = control_messages(capsys.readouterr().out)
    assert [c["connectorConfig"]["config"]["credentials"]["refresh_token"] for c in controls] == ["refresh-token-1"]


def test_given_an_expired_token_when_zoom_answers_124_then_the_token_is_renewed_once_and_the_request_retried(zoom_api):
    zoom_api.post(
        TOKEN_URL,
        [
            {"json": {"access_token": "access-1", "expires_in": 3600}},
            {"json": {"access_token": "access-2", "expires_in": 3600}},
        ],
    )
    for status in ("inactive", "pending"):
        zoom_api.get(f"{API}/users?status={status}", json={"users": [], "next_page_token": ""})
    zoom_api.get(f"{API}/users?status=active", [{"status_code": 401, "json": zoom_error(124, "Access token is expired.")}, {"json": USERS}])

    output = read_tables(config_with(S2S_CREDENTIALS, num_workers=1), ["users"])

    assert records_of(output, "users") == [{"id": "u1"}]
    api_requests = [r for r in zoom_api.request_history if r.url.startswith(API) and "status=active" in r.url]
    token_requests = [r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)]
    # The CDK re-sends the same request object, so only the last header is observable.
    assert len(api_requests) == 2 and len(token_requests) == 2
    assert api_requests[-1].headers["Authorization"] == "Bearer access-2"


def test_given_a_jwt_token_when_reading_then_it_is_sent_as_bearer_without_token_requests(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)

    read_tables(config_with(JWT_CREDENTIALS), ["users"])

    assert not [r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)]
    assert zoom_api.request_history[0].headers["Authorization"] == "Bearer jwt-token-abcdef"


def test_given_a_revoked_jwt_when_zoom_answers_124_then_the_sync_fails_with_a_config_error(zoom_api):
    zoom_api.get(f"{API}/users", status_code=401, json=zoom_error(124, "Invalid access token."))

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)

    messages = [e.trace.error.message for e in output.errors]
    assert any("JWT" in m and "Server-to-Server" in m for m in messages), messages


class ArrivalCountingLock:
    """A lock that counts the threads that have come to wait for it, so a test can hold it until
    a known number of them are queued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.arrivals = threading.Semaphore(0)

    def __enter__(self) -> "ArrivalCountingLock":
        self.arrivals.release()
        self._lock.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self._lock.release()

    def held_by_the_test(self):
        """The underlying lock, taken without counting an arrival."""
        return self._lock


def test_given_many_threads_when_the_token_expires_then_it_is_renewed_once(zoom_api):
    zoom_api.post(TOKEN_URL, [{"json": {"access_token": f"access-{n}", "expires_in": 3600}} for n in range(10)])
    authenticator = ZoomAuthenticator(config_with(S2S_CREDENTIALS), TOKEN_URL)
    authenticator.get_access_token()
    stale = authenticator._access_token  # noqa: SLF001

    lock = ArrivalCountingLock()
    authenticator._lock = lock  # noqa: SLF001
    threads = [threading.Thread(target=authenticator.refresh_and_set_access_token) for _ in range(8)]
    # Every thread sees the expired token before any of them can renew it: the lock is held until
    # all eight have read the stale token and are waiting for it (event ordering, not a sleep).
    with lock.held_by_the_test():
        for thread in threads:
            thread.start()
        for _ in threads:
            assert lock.arrivals.acquire(timeout=30), "a thread never reached the token lock"
    for thread in threads:
        thread.join()

    assert authenticator.token_requests == 2
    assert stale == "access-0" and authenticator.get_access_token() == "access-1"


def test_given_a_token_endpoint_failing_with_503_then_it_is_retried(zoom_api):
    zoom_api.post(TOKEN_URL, [{"status_code": 503, "text": "busy"}, {"json": {"access_token": "access-9", "expires_in": 3600}}])

    authenticator = ZoomAuthenticator(config_with(S2S_CREDENTIALS), TOKEN_URL)

    assert authenticator.get_access_token() == "access-9"
    assert authenticator.token_requests == 2


@pytest.mark.parametrize(
    "credentials, status, body, expected_words",
    [
        (S2S_CREDENTIALS, 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, ["Server-to-Server", "client_id and client_secret"]),
        (S2S_CREDENTIALS, 400, {"reason": "Invalid account_id", "error": "invalid_request"}, ["Invalid account_id", "account_id"]),
        (REFRESH_CREDENTIALS, 400, {"reason": "Invalid Token!", "error": "invalid_request"}, ["refresh-token", "Invalid Token!"]),
        (REFRESH_CREDENTIALS, 401, {"code": 4711, "message": "Invalid refresh token"}, ["re-authorize"]),
    ],
)
def test_given_rejected_credentials_when_checking_then_check_fails_with_one_sentence(zoom_api, credentials, status, body, expected_words):
    zoom_api.post(TOKEN_URL, status_code=status, json=body)
    config = config_with(credentials)

    output = check(config)

    status_message = output.connection_status_messages[0].connectionStatus
    assert status_message.status == Status.FAILED
    assert "\n" not in status_message.message
    for word in expected_words:
        assert word in status_message.message, status_message.message
    assert "client-secret-5678" not in status_message.message


def test_given_valid_credentials_when_checking_then_check_succeeds(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    config = config_with(S2S_CREDENTIALS)

    output = check(config)

    assert output.connection_status_messages[0].connectionStatus.status == Status.SUCCEEDED


def test_given_a_zoomgov_config_when_reading_then_zoomgov_hosts_are_used(zoom_api):
    gov_api, gov_token = "https://api.zoomgov.com/v2", "https://zoomgov.com/oauth/token"
    zoom_api.post(gov_token, json={"access_token": "gov-token", "expires_in": 3600})
    zoom_api.get(f"{gov_api}/users", json=USERS)

    output = read_tables(config_with(S2S_CREDENTIALS, api_base_url=gov_api, oauth_token_url=gov_token), ["users"])

    assert records_of(output, "users") == [{"id": "u1"}]
    assert all("zoomgov.com" in r.url for r in zoom_api.request_history)
