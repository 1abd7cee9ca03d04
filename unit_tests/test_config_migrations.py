"""Configs written for Stitch's tap-zoom or Airbyte's Zoom source are migrated to ours at start-up."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, Dict, List

import pytest

from airbyte_cdk.connector import BaseConnector
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.config import parse_config
from source_zoom.config_migrations import MigrateLegacyConfig
from source_zoom.run import run
from source_zoom.streams import TABLES as CATALOG_TABLES  # the catalog: every table, counted nowhere else

START_DATE = "2026-06-01T00:00:00Z"

# (name, config in the older shape, the same config in ours)
LEGACY_CONFIGS = [
    (
        "stitch_oauth",
        {"client_id": "cid-1", "client_secret": "csecret-1", "refresh_token": "rtoken-1", "start_date": START_DATE, "user_agent": "me@example.com"},
        {"credentials": {"auth_type": "oauth2_refresh_token", "client_id": "cid-1", "client_secret": "csecret-1", "refresh_token": "rtoken-1"},
         "start_date": START_DATE, "user_agent": "me@example.com"},
    ),
    (
        "stitch_jwt",
        {"jwt": "jwt-secret-1", "start_date": START_DATE},
        {"credentials": {"auth_type": "jwt", "jwt_token": "jwt-secret-1"}, "start_date": START_DATE},
    ),
    (
        "stitch_jwt_wins_over_oauth_keys",  # tap-zoom uses the JWT whenever one is set
        {"jwt": "jwt-secret-1", "client_id": "cid-1", "client_secret": "csecret-1", "refresh_token": "rtoken-1"},
        {"credentials": {"auth_type": "jwt", "jwt_token": "jwt-secret-1"}},
    ),
    (
        "airbyte_server_to_server",
        {"account_id": "acct-1", "client_id": "cid-1", "client_secret": "csecret-1", "authorization_endpoint": "https://zoomgov.com/oauth/token",
         "num_workers": 20, "phone_initial_start_date": "2026-03-05"},
        {"credentials": {"auth_type": "server_to_server_oauth", "account_id": "acct-1", "client_id": "cid-1", "client_secret": "csecret-1"},
         "oauth_token_url": "https://zoomgov.com/oauth/token", "num_workers": 20, "phone_initial_start_date": "2026-03-05"},
    ),
    (
        "airbyte_server_to_server_keeps_an_explicit_token_url",
        {"account_id": "acct-1", "client_id": "cid-1", "client_secret": "csecret-1", "authorization_endpoint": "https://zoom.us/oauth/token",
         "oauth_token_url": "http://127.0.0.1:9/oauth/token"},
        {"credentials": {"auth_type": "server_to_server_oauth", "account_id": "acct-1", "client_id": "cid-1", "client_secret": "csecret-1"},
         "oauth_token_url": "http://127.0.0.1:9/oauth/token"},
    ),
    (
        "airbyte_0x_jwt",
        {"jwt_token": "jwt-secret-1"},
        {"credentials": {"auth_type": "jwt", "jwt_token": "jwt-secret-1"}},
    ),
]
SECRET_VALUES = {"cid-1", "csecret-1", "rtoken-1", "jwt-secret-1", "acct-1"}


def write_config(directory: Path, config: Dict[str, Any]) -> str:
    path = directory / "config.json"
    path.write_text(json.dumps(config))
    return str(path)


def stdout_messages(captured: str) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


@pytest.mark.parametrize("name, legacy, expected", LEGACY_CONFIGS, ids=[case[0] for case in LEGACY_CONFIGS])
def test_given_an_older_shape_when_transforming_then_it_becomes_ours_and_parses(name, legacy, expected):
    assert MigrateLegacyConfig.should_migrate(legacy)

    migrated = MigrateLegacyConfig.transform(legacy)

    assert migrated == expected
    assert parse_config(migrated).auth_type == expected["credentials"]["auth_type"]


def test_given_client_id_and_secret_alone_when_migrated_then_parse_config_names_the_missing_account_id():
    migrated = MigrateLegacyConfig.transform({"client_id": "cid-1", "client_secret": "csecret-1"})

    with pytest.raises(AirbyteTracedException) as error:
        parse_config(migrated)

    assert "server_to_server_oauth lack account_id" in error.value.message


@pytest.mark.parametrize(
    "config",
    [
        {"credentials": {"auth_type": "jwt", "jwt_token": "jwt-secret-1"}, "start_date": START_DATE},
        # Ours already, with a stray top-level key: the credentials object decides.
        {"credentials": {"auth_type": "jwt", "jwt_token": "jwt-secret-1"}, "client_id": "cid-1"},
        {"start_date": START_DATE},
        ["not", "an", "object"],
    ],
)
def test_given_a_config_that_is_ours_or_has_no_credentials_when_checked_then_it_is_not_migrated(config):
    assert not MigrateLegacyConfig.should_migrate(config)


def test_given_our_shape_when_migrating_then_no_message_and_the_file_is_untouched(tmp_path, capsys):
    ours = {"credentials": {"auth_type": "jwt", "jwt_token": "jwt-secret-1"}, "start_date": START_DATE}
    path = write_config(tmp_path, ours)
    before = Path(path).read_text()
    args = ["check", "--config", path]

    assert MigrateLegacyConfig.migrate(args) == args
    assert capsys.readouterr().out == ""
    assert Path(path).read_text() == before


@pytest.mark.parametrize("args", [["spec"], ["check", "--config", "/nonexistent/config.json"]])
def test_given_no_readable_config_when_migrating_then_the_arguments_pass_through_for_the_entrypoint_to_report(args, capsys):
    assert MigrateLegacyConfig.migrate(args) == args
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name, legacy, expected", LEGACY_CONFIGS, ids=[case[0] for case in LEGACY_CONFIGS])
def test_given_an_older_shape_when_migrating_then_the_file_is_rewritten_and_a_control_message_carries_it(name, legacy, expected, tmp_path, capsys):
    path = write_config(tmp_path, legacy)

    args = MigrateLegacyConfig.migrate(["read", "--config", path, "--catalog", "catalog.json"])

    assert args == ["read", "--config", path, "--catalog", "catalog.json"]
    assert json.loads(Path(path).read_text()) == expected
    log, control = stdout_messages(capsys.readouterr().out)
    assert control["type"] == "CONTROL"
    assert control["control"]["type"] == "CONNECTOR_CONFIG"
    assert control["control"]["connectorConfig"]["config"] == expected
    assert log["type"] == "LOG"
    assert expected["credentials"]["auth_type"] in log["log"]["message"]
    assert not [secret for secret in SECRET_VALUES if secret in log["log"]["message"]]


def test_given_a_read_only_config_file_when_migrating_then_this_run_reads_a_private_copy(tmp_path, capsys, monkeypatch):
    _, legacy, expected = LEGACY_CONFIGS[0]
    path = write_config(tmp_path, legacy)

    # As a `:ro` Docker mount answers (root ignores file modes, so chmod would not do).
    def read_only(config, config_path):
        raise PermissionError(30, "Read-only file system", config_path)

    monkeypatch.setattr(BaseConnector, "write_config", staticmethod(read_only))

    args = MigrateLegacyConfig.migrate(["check", f"--config={path}"])

    (copy_argument,) = args[1:]
    copy_path = copy_argument.removeprefix("--config=")
    assert copy_path != path
    assert json.loads(Path(copy_path).read_text()) == expected
    assert stat.S_IMODE(os.stat(copy_path).st_mode) == 0o600
    assert json.loads(Path(path).read_text()) == legacy
    assert [m["type"] for m in stdout_messages(capsys.readouterr().out)] == ["LOG", "CONTROL"]


def test_given_a_stitch_config_when_the_connector_discovers_then_it_runs_on_the_migrated_config(tmp_path, capsys):
    _, legacy, expected = LEGACY_CONFIGS[0]
    path = write_config(tmp_path, legacy)

    run(["discover", "--config", path])

    messages = stdout_messages(capsys.readouterr().out)
    assert [m["type"] for m in messages] == ["LOG", "CONTROL", "CATALOG"]
    assert messages[1]["control"]["connectorConfig"]["config"] == expected
    assert len(messages[2]["catalog"]["streams"]) == len(CATALOG_TABLES)
