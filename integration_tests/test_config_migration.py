"""`check` with a Stitch tap-zoom or an Airbyte source-zoom config, against the fake Zoom API."""

from __future__ import annotations

import json

import pytest

from integration_tests.sync_support import run_connector

pytestmark = pytest.mark.integration


def stitch_oauth(ours):
    """tap-zoom's keys at the top level; Stitch has no URL settings, but the fake needs them."""
    credentials = ours["credentials"]
    urls = {"api_base_url": ours["api_base_url"], "oauth_token_url": ours["oauth_token_url"]}
    older = {"client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
             "refresh_token": credentials["refresh_token"], "start_date": ours["start_date"], "user_agent": "data-team@example.com", **urls}
    return older, {"credentials": credentials, "start_date": ours["start_date"], "user_agent": "data-team@example.com", **urls}


def stitch_jwt(ours):
    older = {"jwt": ours["credentials"]["jwt_token"], "start_date": ours["start_date"], "api_base_url": ours["api_base_url"]}
    return older, {"credentials": ours["credentials"], "start_date": ours["start_date"], "api_base_url": ours["api_base_url"]}


def airbyte_server_to_server(ours):
    """Airbyte's keys (it has no start date), with its token endpoint setting pointing at the fake."""
    credentials = ours["credentials"]
    older = {"account_id": credentials["account_id"], "client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
             "authorization_endpoint": ours["oauth_token_url"], "num_workers": 20, "api_base_url": ours["api_base_url"]}
    return older, {"credentials": credentials, "oauth_token_url": ours["oauth_token_url"], "num_workers": 20, "api_base_url": ours["api_base_url"]}


OLDER_SHAPES = {
    "stitch_oauth": ("oauth2_refresh_token", stitch_oauth),
    "stitch_jwt": ("jwt", stitch_jwt),
    "airbyte_server_to_server": ("server_to_server_oauth", airbyte_server_to_server),
}


@pytest.mark.parametrize("shape", sorted(OLDER_SHAPES))
def test_given_an_older_config_shape_when_checking_then_it_is_migrated_and_the_check_succeeds(fake, shape):
    auth_type, derive = OLDER_SHAPES[shape]
    ours = fake.connector_config(auth_type)
    older, expected = derive(ours)
    secrets = [value for key, value in older.items() if key in ("client_id", "client_secret", "refresh_token", "jwt", "account_id")]

    code, messages, stderr = run_connector("check", older)

    assert code == 0, stderr[-3000:]
    (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    assert status["status"] == "SUCCEEDED", status
    # The first control message is the migration; a refresh-token check sends a second one with the rotated token.
    migrated = [m["control"]["connectorConfig"]["config"] for m in messages if m["type"] == "CONTROL"][0]
    assert migrated == expected
    # Control messages carry the config to the platform by design; nothing else may show a secret.
    visible = stderr + "\n".join(json.dumps(m) for m in messages if m["type"] != "CONTROL")
    assert [secret for secret in secrets if secret in visible] == []
