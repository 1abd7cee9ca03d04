"""The sample files of an Airbyte connector, for the bundled fake Zoom API (README, "Running the
connector"): `sample_config.json` (the fake's Server-to-Server app on the port the README starts it
on) and `configured_catalog.json` (every table, full refresh).

    .venv/bin/python -m integration_tests.sample_files     # rewrites them after a table is added

The catalog leaves each `json_schema` empty: the connector reads with its own schemas, and the
file does not go stale when a schema changes. integration_tests/test_sample_files.py holds both
files to the connector and the fake, and runs the README's commands with them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

HERE = Path(__file__).resolve().parent
SAMPLE_CONFIG = HERE / "sample_config.json"
CONFIGURED_CATALOG = HERE / "configured_catalog.json"


def sample_config() -> Dict[str, Any]:
    from fake_zoom.__main__ import SAMPLE_CONFIG_PORT
    from fake_zoom.config import FakeZoomConfig

    fake = FakeZoomConfig()
    url = f"http://127.0.0.1:{SAMPLE_CONFIG_PORT}"
    return {
        "credentials": {"auth_type": "server_to_server_oauth", "account_id": fake.account_id, "client_id": fake.client_id, "client_secret": fake.client_secret},
        "api_base_url": f"{url}/v2",
        "oauth_token_url": f"{url}/oauth/token",
        # The fake has no rate limits: pace as the fastest plan (a real account: its own plan).
        "rate_limit_plan": "business",
    }


def configured_catalog() -> Dict[str, Any]:
    from source_zoom.streams import TABLES

    streams = []
    for table in sorted(TABLES, key=lambda stream: stream.stream_name()):
        modes = ["full_refresh", "incremental"] if table.cursor_field else ["full_refresh"]
        streams.append(
            {
                "stream": {"name": table.stream_name(), "json_schema": {}, "supported_sync_modes": modes},
                "sync_mode": "full_refresh",
                "destination_sync_mode": "overwrite",
            }
        )
    return {"streams": streams}


def as_text(content: Dict[str, Any]) -> str:
    return json.dumps(content, indent=2) + "\n"


if __name__ == "__main__":
    SAMPLE_CONFIG.write_text(as_text(sample_config()))
    CONFIGURED_CATALOG.write_text(as_text(configured_catalog()))
    print(f"wrote {SAMPLE_CONFIG.relative_to(HERE.parent)} and {CONFIGURED_CATALOG.relative_to(HERE.parent)}")
