import time

import pytest
import requests
from conftest import make_config

from fake_zoom import FakeZoomServer

CLIENT = ("fake-client-id", "fake-client-secret")


@pytest.fixture()
def fresh_server():
    """Token state mutates, so each auth test gets its own fake."""
    with FakeZoomServer(make_config(users=1, meetings_per_user=0, webinars_per_user=0)) as server:
        yield server


def account_token(server, auth=CLIENT, account_id="fake-account") -> requests.Response:
    params = {"grant_type": "account_credentials", "account_id": account_id}
    return requests.post(server.token_url, params=params, auth=auth, timeout=10)


def refresh(server, refresh_token: str) -> requests.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return requests.post(server.token_url, data=data, auth=CLIENT, timeout=10)


def list_users(server, token: str) -> requests.Response:
    return requests.get(server.base_url + "/users", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_given_account_credentials_when_requesting_token_then_bearer_token_works(fresh_server):
    body = account_token(fresh_server).json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600 and body["scope"]
    assert list_users(fresh_server, body["access_token"]).status_code == 200


def test_given_account_id_in_form_body_when_requesting_token_then_200(fresh_server):
    data = {"grant_type": "account_credentials", "account_id": "fake-account"}
    assert requests.post(fresh_server.token_url, data=data, auth=CLIENT, timeout=10).status_code == 200


def test_given_bad_client_secret_when_requesting_token_then_401_invalid_client(fresh_server):
    response = account_token(fresh_server, auth=("fake-client-id", "wrong"))
    assert response.status_code == 401
    assert response.json() == {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}


def test_given_wrong_account_when_requesting_token_then_400_invalid_request(fresh_server):
    response = account_token(fresh_server, account_id="other")
    assert response.status_code == 400
    assert response.json() == {"reason": "Invalid account_id", "error": "invalid_request"}


def test_given_refresh_token_when_used_then_it_rotates_and_the_old_one_is_rejected(fresh_server):
    first = refresh(fresh_server, "fake-refresh-token-0")
    assert first.status_code == 200
    new_refresh = first.json()["refresh_token"]
    assert new_refresh != "fake-refresh-token-0" and fresh_server.current_refresh_token == new_refresh
    reused = refresh(fresh_server, "fake-refresh-token-0")
    assert reused.status_code == 400 and reused.json() == {"reason": "Invalid Token!", "error": "invalid_request"}
    assert refresh(fresh_server, new_refresh).status_code == 200
    assert refresh(fresh_server, new_refresh).status_code == 400  # single use


def test_given_refresh_auth_type_when_building_connector_config_then_current_refresh_token_is_used(fresh_server):
    refresh(fresh_server, "fake-refresh-token-0")
    credentials = fresh_server.connector_config("oauth2_refresh_token")["credentials"]
    assert credentials["refresh_token"] == fresh_server.current_refresh_token
    config = requests.get(fresh_server.url + "/_fake/config", timeout=10).json()
    assert config["current_refresh_token"] == fresh_server.current_refresh_token


def test_given_unknown_or_missing_token_when_calling_api_then_401_code_124(fresh_server):
    assert list_users(fresh_server, "nope").json() == {"code": 124, "message": "Invalid access token."}
    assert requests.get(fresh_server.base_url + "/users", timeout=10).status_code == 401


def test_given_jwt_token_when_calling_api_then_200(fresh_server):
    assert list_users(fresh_server, "fake-jwt-token").status_code == 200


def test_given_one_second_ttl_when_token_ages_then_401_access_token_expired():
    with FakeZoomServer(make_config(users=1, token_ttl_seconds=1)) as server:
        token = account_token(server).json()["access_token"]
        assert list_users(server, token).status_code == 200
        time.sleep(1.1)
        response = list_users(server, token)
    assert response.status_code == 401 and response.json() == {"code": 124, "message": "Access token is expired."}


def test_given_expire_every_3_requests_when_fourth_request_then_401_and_counted_as_fault():
    with FakeZoomServer(make_config(users=1, token_expire_every_n_requests=3)) as server:
        token = account_token(server).json()["access_token"]
        statuses = [list_users(server, token).status_code for _ in range(5)]
        new_token = account_token(server).json()["access_token"]
        after_renewal = list_users(server, new_token).status_code
        stats = server.stats()
    assert statuses == [200, 200, 200, 401, 401] and after_renewal == 200
    assert stats["faults_injected"]["expired_token"] == 1 and stats["token_requests"] == 2
