"""A Zoom that hangs: requests that are accepted and never answered, and answers that stop half-way
through the body. Each is abandoned after the connector's read timeout (`request_timeout_seconds`,
shortened here to 5 s) and retried, and the sync still equals the ground truth.

In-process like the fault mix, with the CDK's waits between retries shortened; the timeouts are
the connector's own, measured by the fake (how long it held each hung request before the client
closed the connection).
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.http import rate_limiting
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import discover, read

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records
from source_zoom import errors, SourceZoom

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("unpaced_in_process")]

# Long enough that no request the fake answers at once times out on a busy machine (a timed-out
# answer is asked again, and the count of requests below would differ).
CONNECT_TIMEOUT, READ_TIMEOUT = 5, 5
HANGS = {"rate_hang": 0.01, "rate_stall_body": 0.01, "fault_seed": 3}
# Longer than any timeout under test: a hung request the connector does not give up on is held
# this long, then closed unanswered, so a connector without the timeout still ends (and fails).
HANG_SECONDS = 30


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    monkeypatch.setattr(rate_limiting, "time", SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, 0.02))))
    wait = errors.wait_before_retry  # the connector's own wait before a retry (it ends on a stop)
    monkeypatch.setattr(errors, "wait_before_retry", lambda seconds, stopped: wait(min(seconds, 0.02), stopped))


def sync(config):
    streams = discover(SourceZoom(config), config).catalog.catalog.streams
    catalog = CatalogBuilder()
    for stream in streams:
        catalog.with_stream(stream.name, SyncMode.full_refresh)
    keys = {stream.name: stream.source_defined_primary_key for stream in streams}
    started = time.monotonic()
    output = read(SourceZoom(config), config, catalog.build())
    return output, keys, time.monotonic() - started


def records_by_table(output):
    tables = {}
    for message in output.records:
        tables.setdefault(message.record.stream, []).append(message.record.data)
    return tables


def test_given_a_zoom_that_hangs_when_syncing_then_each_hung_request_is_abandoned_after_its_timeout_and_retried():
    with FakeZoomServer(FakeZoomConfig.default()) as clean:
        clean_output, _, clean_seconds = sync(clean.connector_config())
        clean_requests = clean.stats()["total_api_requests"]
    with FakeZoomServer(FakeZoomConfig.default(**HANGS, hang_seconds=HANG_SECONDS)) as fake:
        config = {**fake.connector_config(), "request_timeout_seconds": [CONNECT_TIMEOUT, READ_TIMEOUT]}
        output, keys, seconds = sync(config)
        truth, stats = fake.ground_truth(config["start_date"]), fake.stats()

    assert [error.trace.error.message for error in output.errors] == []
    assert compare_records(records_by_table(output), truth, keys) == {}
    injected = stats["faults_injected"]
    assert injected["hang"] >= 1 and injected["stall_body"] >= 1, injected
    held = stats["hung_seconds"]
    assert len(held) == injected["hang"] + injected["stall_body"]
    # Given up on after the read timeout, not after the fake's own limit. The bounds are halfway to
    # each wrong answer (half the timeout: given up too early; half the fake's limit: never given
    # up), so that a busy machine, which delays when the fake starts and stops its clock, never
    # decides the verdict; the figures are printed below.
    assert all(READ_TIMEOUT / 2 <= seconds_held <= HANG_SECONDS / 2 for seconds_held in held), held
    # Each hung request was sent once more, and nothing else was.
    assert stats["total_api_requests"] == clean_requests + len(held)
    print(
        f"\nhanging Zoom: {injected['hang']} requests never answered, {injected['stall_body']} stopped half-way through the body; "
        f"each held {min(held):.2f}-{max(held):.2f} s before the connector gave up (read timeout {READ_TIMEOUT} s) and retried; "
        f"sync {seconds:.1f} s (clean {clean_seconds:.1f} s), {stats['total_api_requests']} requests (clean {clean_requests}), "
        f"{len(output.records)} records, lost 0, duplicated 0"
    )
