"""Bad configs get one actionable sentence, never a traceback on stdout; secrets never leak."""

from __future__ import annotations

import json
import re

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import discover_streams, full_catalog, run_connector

pytestmark = pytest.mark.integration


def with_changes(config, credentials=None, **changes):
    changed = json.loads(json.dumps(config))
    if credentials is not None:
        changed["credentials"] = credentials
    for key, value in changes.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value
    return changed


BAD_CONFIGS = {
    "no credentials": (lambda c: with_changes(c, credentials={}), "no credentials"),
    "unknown auth_type": (lambda c: with_changes(c, credentials={"auth_type": "password"}), "auth_type 'password' is unknown"),
    "empty client_secret": (lambda c: with_changes(c, credentials={**c["credentials"], "client_secret": ""}), "lack client_secret"),
    "malformed start_date": (lambda c: with_changes(c, start_date="last tuesday"), "is not a date"),
    "start_date in the future": (lambda c: with_changes(c, start_date="2999-01-01T00:00:00Z"), "in the future"),
    "api_base_url not a URL": (lambda c: with_changes(c, api_base_url="api.zoom.us"), "is not an http(s) URL"),
    "wrong client_secret": (lambda c: with_changes(c, credentials={**c["credentials"], "client_secret": "wrong-secret"}), "client_id and client_secret"),
    "wrong account_id": (lambda c: with_changes(c, credentials={**c["credentials"], "account_id": "nobody"}), "account_id"),
    "used refresh token": (
        lambda c: with_changes(c, credentials={"auth_type": "oauth2_refresh_token", "client_id": "fake-client-id", "client_secret": "fake-client-secret", "refresh_token": "stale"}),
        "refresh",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_given_a_bad_config_when_checking_then_check_fails_with_one_sentence(fake, case):
    make_config, expected = BAD_CONFIGS[case]

    code, messages, stderr = run_connector("check", make_config(fake.connector_config()))

    (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
    assert status["status"] == "FAILED"
    assert expected in status["message"], status["message"]
    assert "\n" not in status["message"] and "Traceback" not in status["message"]
    assert code == 0


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_given_a_bad_config_when_reading_then_it_ends_with_a_config_error_trace_and_no_traceback_on_stdout(fake, case):
    make_config, expected = BAD_CONFIGS[case]
    catalog = full_catalog([s for s in discover_streams(fake.connector_config()) if s["name"] == "users"])

    code, messages, _ = run_connector("read", make_config(fake.connector_config()), catalog)

    errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert code != 0
    assert errors and errors[0]["failure_type"] == "config_error", errors
    assert any(expected in e["message"] for e in errors), [e["message"] for e in errors]
    assert not [m for m in messages if m["type"] == "RECORD"]


def test_given_a_catalog_naming_an_unknown_table_when_reading_then_it_is_a_config_error(fake):
    catalog = full_catalog([{"name": "meetingz", "json_schema": {}, "supported_sync_modes": ["full_refresh"]}])

    code, messages, _ = run_connector("read", fake.connector_config(), catalog)

    errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert code != 0 and errors[0]["failure_type"] == "config_error"
    assert "meetingz" in errors[0]["message"]


@pytest.mark.slow
@pytest.mark.parametrize("auth_type", ["server_to_server_oauth", "oauth2_refresh_token", "jwt"])
def test_given_distinctive_secrets_when_every_command_runs_at_debug_level_then_none_appears_in_the_output(auth_type):
    secret_config = FakeZoomConfig.default(
        client_id="client-id-SECRET-1111", client_secret="client-secret-SECRET-2222", account_id="account-SECRET-3333",
        refresh_token="refresh-SECRET-4444", jwt_token="jwt-SECRET-5555",
    )
    with FakeZoomServer(secret_config) as fake:
        outputs = []
        catalog = full_catalog(discover_streams(fake.connector_config(auth_type=auth_type)))
        for command, extra in (("spec", {}), ("check", {}), ("discover", {}), ("read", {"catalog": catalog})):
            # Each run rotates the refresh token, as the platform would store it.
            config = fake.connector_config(auth_type=auth_type)
            code, messages, stderr = run_connector(command, config, debug=True, **extra)
            assert code == 0, (command, auth_type, stderr[-1000:])
            # The one intended exception: the rotated refresh token handed back to the platform.
            others = [m for m in messages if m["type"] != "CONTROL"]
            assert len(others) > 1
            non_records = [m for m in others if m["type"] != "RECORD"]
            outputs.append((command, auth_type, json.dumps(others) + stderr, json.dumps(non_records) + stderr))
        secrets = ["SECRET-1111", "SECRET-2222", "SECRET-4444", "SECRET-5555", fake.current_refresh_token]
    for command, auth_type, text, text_without_records in outputs:
        for secret in secrets:
            assert secret not in text, (command, auth_type, secret)
        # Zoom's own records carry the account id (cloud_recordings.account_id): that is data, and
        # it is a secret of the config only for Server-to-Server apps.
        if auth_type == "server_to_server_oauth":
            assert "SECRET-3333" not in text_without_records, (command, auth_type)
        # Access tokens the fake issued look like fake-access-<n>-<hex>.
        assert not re.search(r"fake-access-\d+-[0-9a-f]{16}", text), (command, auth_type)
        assert not re.search(r"fake-refresh-token-\d+-[0-9a-f]{8}", text), (command, auth_type)
