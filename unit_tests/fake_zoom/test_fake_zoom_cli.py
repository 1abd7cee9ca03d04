import os
import signal
import subprocess
import sys

import requests

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_given_cli_when_started_on_port_0_then_first_line_is_url_and_sigterm_stops_it():
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_zoom", "--port", "0", "--seed", "3", "--today", "2025-06-15",
         "--rate-limit-plan", "pro", "--set", "users=2"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        first_line = process.stdout.readline().strip()
        assert first_line.startswith("FAKE_ZOOM_URL=http://127.0.0.1:")
        url = first_line.split("=", 1)[1]
        config = requests.get(url + "/_fake/config", timeout=10).json()
        assert (config["seed"], config["users"], config["rate_limit_plan"], config["today"]) == (
            3, 2, "pro", "2025-06-15")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_given_set_missing_scopes_when_building_config_then_comma_separated_scopes_and_empty_means_none():
    from fake_zoom.__main__ import build_config, parse_args
    listed = build_config(parse_args(["--set", "missing_scopes=user:read:list_users:admin,report:read:user:admin"]))
    assert listed.missing_scopes == ("user:read:list_users:admin", "report:read:user:admin")
    assert build_config(parse_args(["--set", "missing_scopes="])).missing_scopes == ()
    assert build_config(parse_args([])).missing_scopes == ("webinar:read:list_tracking_sources:admin",)


def test_given_help_then_it_names_the_credentials_the_fake_accepts_and_the_sample_config_uses_them():
    import json

    from fake_zoom.config import FakeZoomConfig

    shown = subprocess.run([sys.executable, "-m", "fake_zoom", "--help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    defaults = FakeZoomConfig()
    for value in (defaults.account_id, defaults.client_id, defaults.client_secret, defaults.refresh_token, defaults.jwt_token):
        assert value in shown
    with open(os.path.join(REPO, "integration_tests", "sample_config.json")) as file:
        sample = json.load(file)
    assert sample["credentials"] == {
        "auth_type": "server_to_server_oauth", "account_id": defaults.account_id,
        "client_id": defaults.client_id, "client_secret": defaults.client_secret,
    }
    assert "--port 48765" in shown and sample["api_base_url"] == "http://127.0.0.1:48765/v2"
