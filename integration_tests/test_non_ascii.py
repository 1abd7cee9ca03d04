"""Names and topics outside ASCII go from Zoom through the connector's stdout unchanged.

The same planted values are checked through the Docker image (test_docker_image.py) and into
DuckDB through PyAirbyte (test_pyairbyte.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import (
    REPO_ROOT,
    discover_streams,
    full_catalog,
    plant_non_ascii_names,
    planted_values_expected,
    planted_values_found,
    records_by_table,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TABLES = ["users", "meetings", "report_meeting_participants"]


def test_given_non_ascii_names_and_topics_when_reading_then_stdout_is_utf8_json_holding_them_unchanged():
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = fake.connector_config()
        planted = plant_non_ascii_names(fake, config["start_date"])
        catalog = full_catalog([s for s in discover_streams(config) if s["name"] in TABLES])
        with tempfile.TemporaryDirectory() as directory:
            (Path(directory) / "config.json").write_text(json.dumps(config))
            (Path(directory) / "catalog.json").write_text(json.dumps(catalog))
            # Bytes, not text: the platform reads the connector's stdout as UTF-8, whatever the locale.
            finished = subprocess.run(
                [sys.executable, str(REPO_ROOT / "main.py"), "read", "--config", f"{directory}/config.json", "--catalog", f"{directory}/catalog.json"],
                capture_output=True, timeout=600, cwd=REPO_ROOT, env={"PATH": "/usr/bin:/bin", "LANG": "C", "LC_ALL": "C"},
            )

    assert finished.returncode == 0, finished.stderr.decode("utf-8", "replace")[-3000:]
    messages = [json.loads(line) for line in finished.stdout.decode("utf-8").splitlines() if line.strip()]
    assert planted_values_found(records_by_table(messages), planted) == planted_values_expected(planted)
