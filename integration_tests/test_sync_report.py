"""The sync's typed report crosses the process boundary (source_zoom/sync_report.py): a connector
run as Airbyte runs it prints ANALYTICS trace messages that decode back into the connector's
dataclasses, and the sentence that closes a failed sync stays the last line of its output."""

from __future__ import annotations

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import catalog_of, discover_streams, run_connector
from source_zoom.errors import Fault
from source_zoom.sync_report import reported_sync

pytestmark = [pytest.mark.integration, pytest.mark.slow]

POLLS_REJECTED = {"persistent_fault_endpoint": "/v2/meetings/{meetingId}/polls", "persistent_fault": "invalid"}


def test_given_a_table_zoom_rejects_when_synced_then_its_failure_arrives_as_data_before_the_closing_error():
    with FakeZoomServer(FakeZoomConfig.default(**POLLS_REJECTED)) as fake:
        config = fake.connector_config()
        catalog = catalog_of(discover_streams(config), "full_refresh", ("users", "meetings", "meeting_polls"))
        code, messages, stderr = run_connector("read", config, catalog)

    assert code == 1, stderr[-2000:]
    failures = {failure.table: failure for failure in reported_sync(messages).incomplete}
    cause = failures["meeting_polls"].cause
    assert (cause.fault, cause.status, cause.code, cause.said) == (Fault.REFUSED, 400, 300, "Validation Failed.")
    assert cause.endpoint.zoom_name == "/meetings/{meetingId}/polls" and cause.resource.startswith("/meetings/")
    assert set(failures) == {"meeting_polls"}  # users and meetings read everything
    # The closing sentence is the last message; every typed one came before it.
    last = messages[-1]
    assert last["type"] == "TRACE" and last["trace"]["type"] == "ERROR" and not last["trace"]["error"].get("stream_descriptor"), last
    assert "as invalid (HTTP 400, code 300: Validation Failed.)" in last["trace"]["error"]["message"]
    assert any(m["type"] == "TRACE" and m["trace"]["type"] == "ANALYTICS" for m in messages[:-1])
