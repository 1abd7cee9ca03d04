"""The fake's user-OAuth authorization-code grant: consent step, single-use code, redirect URI check."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import make_config

from fake_zoom import FakeZoomServer

CLIENT = ("fake-client-id", "fake-client-secret")
REDIRECT_URI = "https://airbyte.example.com/auth_flow"


@pytest.fixture()
def fresh_server():
    """Codes and refresh tokens mutate, so each test gets its own fake."""
    with FakeZoomServer(make_config(users=1, meetings_per_user=0, webinars_per_user=0)) as server:
        yield server


def consent(server, **params) -> requests.Response:
    query = {"response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT_URI, "state": "s-123", **params}
    return requests.get(server.url + "/oauth/authorize", params={k: v for k, v in query.items() if v is not None}, allow_redirects=False, timeout=10)


def redirected_query(response: requests.Response) -> dict:
    location = urlsplit(response.headers["Location"])
    return {"target": f"{location.scheme}://{location.netloc}{location.path}", **{k: v[0] for k, v in parse_qs(location.query).items()}}


def exchange(server, code: str, redirect_uri: str = REDIRECT_URI, auth=CLIENT) -> requests.Response:
    params = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    return requests.post(server.token_url, params=params, auth=auth, timeout=10)


def test_given_a_consent_request_when_approved_then_302_to_the_redirect_uri_with_a_code_and_the_state(fresh_server):
    response = consent(fresh_server)

    assert response.status_code == 302
    answer = redirected_query(response)
    assert answer["target"] == REDIRECT_URI and answer["state"] == "s-123" and answer["code"]


def test_given_a_redirect_uri_with_a_query_when_approved_then_its_query_is_kept(fresh_server):
    answer = redirected_query(consent(fresh_server, redirect_uri=REDIRECT_URI + "?workspace=w1"))

    assert answer["workspace"] == "w1" and answer["code"]


def test_given_an_unknown_client_id_when_asking_consent_then_400_and_no_redirect(fresh_server):
    response = consent(fresh_server, client_id="someone-else")

    assert response.status_code == 400 and "Location" not in response.headers
    assert response.json()["error"] == "invalid_client"


def test_given_no_usable_redirect_uri_when_asking_consent_then_400_and_no_redirect(fresh_server):
    for redirect_uri in (None, "not-a-url", "javascript:alert(1)"):
        response = consent(fresh_server, redirect_uri=redirect_uri)
        assert response.status_code == 400 and "Location" not in response.headers, redirect_uri


def test_given_another_response_type_when_asking_consent_then_the_redirect_carries_an_error_and_no_code(fresh_server):
    answer = redirected_query(consent(fresh_server, response_type="token"))

    assert answer["error"] == "unsupported_response_type" and "code" not in answer and answer["state"] == "s-123"


def test_given_a_code_when_exchanged_then_tokens_come_back_and_the_refresh_token_becomes_current(fresh_server):
    code = redirected_query(consent(fresh_server))["code"]

    response = exchange(fresh_server, code)

    assert response.status_code == 200
    body = response.json()
    assert {"access_token", "refresh_token", "expires_in", "scope"} <= set(body) and body["token_type"] == "bearer"
    assert body["refresh_token"] == fresh_server.current_refresh_token != "fake-refresh-token-0"
    users = requests.get(fresh_server.base_url + "/users", headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10)
    assert users.status_code == 200


def test_given_the_refresh_token_of_an_exchange_when_refreshed_then_it_rotates(fresh_server):
    refresh_token = exchange(fresh_server, redirected_query(consent(fresh_server))["code"]).json()["refresh_token"]

    refreshed = requests.post(fresh_server.token_url, data={"grant_type": "refresh_token", "refresh_token": refresh_token}, auth=CLIENT, timeout=10)

    assert refreshed.status_code == 200 and refreshed.json()["refresh_token"] not in ("", refresh_token)


def test_given_a_code_when_exchanged_twice_then_the_second_exchange_is_refused(fresh_server):
    code = redirected_query(consent(fresh_server))["code"]
    assert exchange(fresh_server, code).status_code == 200

    again = exchange(fresh_server, code)

    assert again.status_code == 400 and again.json()["reason"] == "Invalid authorization code"


def test_given_another_redirect_uri_at_the_exchange_then_400_and_the_code_is_spent(fresh_server):
    code = redirected_query(consent(fresh_server))["code"]

    mismatch = exchange(fresh_server, code, redirect_uri="https://elsewhere.example.com/auth_flow")

    assert mismatch.status_code == 400 and mismatch.json()["reason"] == "Redirect URI mismatch."
    assert exchange(fresh_server, code).status_code == 400  # single use, even after a failed exchange
    assert fresh_server.current_refresh_token == "fake-refresh-token-0"


def test_given_a_code_never_issued_or_a_wrong_client_secret_then_the_exchange_is_refused(fresh_server):
    assert exchange(fresh_server, "fake-code-made-up").status_code == 400
    code = redirected_query(consent(fresh_server))["code"]
    assert exchange(fresh_server, code, auth=(CLIENT[0], "wrong")).status_code == 401
