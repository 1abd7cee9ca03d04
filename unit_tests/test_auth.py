"""The three Zoom logins, one shared token, renewal on 401 code 124 and refresh-token rotation."""

from __future__ import annotations

import base64
import threading
import time
from http.client import RemoteDisconnected
from urllib.parse import parse_qs

import pytest
import requests
import urllib3

from airbyte_cdk.models import FailureType, Status
from airbyte_cdk.utils import AirbyteTracedException
from source_zoom.auth import LoginFailed, ZoomAuthenticator
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


# --- a token endpoint that fails: what may be sent again ----------------------------------------

TOKEN_OK = {"json": {"access_token": "access-7", "refresh_token": "refresh-token-1", "expires_in": 3600}}
DROPPED_AFTER_SENDING = requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted.", RemoteDisconnected("closed")))
NEVER_CONNECTED = requests.ConnectionError(
    urllib3.exceptions.MaxRetryError(None, TOKEN_URL, urllib3.exceptions.NewConnectionError(None, "Connection refused"))
)
# Failures after which Zoom may have rotated the refresh token: the answer is lost.
ANSWER_LOST = {
    "read timeout": ({"exc": requests.ReadTimeout("read timed out")}, "did not answer in time"),
    "dropped after sending": ({"exc": DROPPED_AFTER_SENDING}, "dropped the connection before answering"),
    "HTTP 500": ({"status_code": 500, "text": "oops"}, "answered HTTP 500"),
    "HTTP 502": ({"status_code": 502, "text": "bad gateway"}, "answered HTTP 502"),
    "HTTP 504": ({"status_code": 504, "text": "gateway timeout"}, "answered HTTP 504"),
    "truncated 200": ({"status_code": 200, "text": '{"access_token": "acc'}, "answered with a body that is not JSON"),
    "200 without a token": ({"status_code": 200, "json": {"token_type": "bearer"}}, "answered without an access_token"),
}
# Failures after which Zoom has certainly not used the refresh token.
NOT_ACTED_ON = {
    "HTTP 429": {"status_code": 429, "json": {"code": 429, "message": "Too many requests"}},
    "HTTP 503": {"status_code": 503, "text": "busy"},
    "connect timeout": {"exc": requests.ConnectTimeout("connect timed out")},
    "connection refused": {"exc": NEVER_CONNECTED},
}


def token_requests_sent(zoom_api):
    return [r for r in zoom_api.request_history if r.url.startswith(TOKEN_URL)]


@pytest.mark.parametrize("case", sorted(ANSWER_LOST))
def test_given_a_refresh_token_login_when_the_token_answer_is_lost_then_the_refresh_token_is_never_sent_again(zoom_api, case):
    failure, words = ANSWER_LOST[case]
    zoom_api.post(TOKEN_URL, [failure, TOKEN_OK])
    authenticator = ZoomAuthenticator(config_with(REFRESH_CREDENTIALS), TOKEN_URL)

    with pytest.raises(AirbyteTracedException) as first:
        authenticator.get_access_token()
    with pytest.raises(AirbyteTracedException) as second:  # another thread of the same sync
        authenticator.get_access_token()

    assert len(token_requests_sent(zoom_api)) == 1
    assert isinstance(first.value, LoginFailed) and first.value.failure_type == FailureType.transient_error
    assert words in first.value.message and "it was not sent again" in first.value.message
    # Zoom did not refuse the token: nothing says the app must be re-authorized.
    assert "re-authorize" not in first.value.message
    assert second.value is first.value


@pytest.mark.parametrize("case", sorted(NOT_ACTED_ON))
def test_given_a_refresh_token_login_when_zoom_did_not_act_on_the_token_request_then_it_is_sent_again(zoom_api, case, capsys):
    zoom_api.post(TOKEN_URL, [NOT_ACTED_ON[case], TOKEN_OK])
    authenticator = ZoomAuthenticator(config_with(REFRESH_CREDENTIALS), TOKEN_URL)

    assert authenticator.get_access_token() == "access-7"

    sent = token_requests_sent(zoom_api)
    assert [parse_qs(r.text)["refresh_token"] for r in sent] == [["refresh-token-0"], ["refresh-token-0"]]
    assert [c["connectorConfig"]["config"]["credentials"]["refresh_token"] for c in control_messages(capsys.readouterr().out)] == ["refresh-token-1"]


# A 200 without a token is no failure to retry for Server-to-Server: the URL is not a token endpoint.
@pytest.mark.parametrize("case", sorted(set(ANSWER_LOST) - {"200 without a token"}) + sorted(NOT_ACTED_ON))
def test_given_a_server_to_server_login_when_a_token_request_fails_then_it_is_retried(zoom_api, case):
    failure = ANSWER_LOST[case][0] if case in ANSWER_LOST else NOT_ACTED_ON[case]
    zoom_api.post(TOKEN_URL, [failure, TOKEN_OK])
    authenticator = ZoomAuthenticator(config_with(S2S_CREDENTIALS), TOKEN_URL)

    assert authenticator.get_access_token() == "access-7"
    assert len(token_requests_sent(zoom_api)) == 2


@pytest.mark.parametrize(
    "credentials, status, body, reauthorize",
    [
        (REFRESH_CREDENTIALS, 400, {"reason": "Invalid Token!", "error": "invalid_request"}, True),
        (REFRESH_CREDENTIALS, 401, {"code": 4733, "message": "Refresh token expired"}, True),
        (REFRESH_CREDENTIALS, 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, False),
        (S2S_CREDENTIALS, 400, {"reason": "Invalid account_id", "error": "invalid_request"}, False),
    ],
    ids=["refresh token refused", "refresh token expired", "refresh login, bad client", "server-to-server refused"],
)
def test_given_zoom_refuses_a_login_then_re_authorization_is_asked_for_only_when_the_refresh_token_was_refused(zoom_api, credentials, status, body, reauthorize):
    zoom_api.post(TOKEN_URL, [{"status_code": status, "json": body}, TOKEN_OK])
    authenticator = ZoomAuthenticator(config_with(credentials), TOKEN_URL)

    with pytest.raises(AirbyteTracedException) as refused:
        authenticator.get_access_token()
    with pytest.raises(AirbyteTracedException):
        authenticator.refresh_and_set_access_token()

    assert refused.value.failure_type == FailureType.config_error
    assert ("re-authorize the Zoom app" in refused.value.message) == reauthorize, refused.value.message
    assert len(token_requests_sent(zoom_api)) == 1  # a refusal is not asked again, by any thread
