"""A cancelled sync keeps its word: the platform stops the container with SIGTERM (SIGKILL after
its grace period). Interrupted at several points of a full incremental sync and resumed from the
last state message received, the union of the two runs equals the ground truth of every table.

On SIGTERM the connector must also exit within 10 s, with every line it printed a whole message.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Mapping

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import read_command, REPO_ROOT, discover_streams, primary_keys, records_by_table, run_connector
from integration_tests.sync_support import incremental_catalog, latest_states
from integration_tests.test_incremental import truth_keys

pytestmark = pytest.mark.integration

EXIT_DEADLINE_SECONDS = 10
Messages = List[Dict[str, Any]]


def total_records(truth: Mapping[str, Any]) -> int:
    return sum(table["count"] for table in truth["tables"].values())


# When to interrupt: a test of what has been received so far.
POINTS: Dict[str, Callable[[Messages, Mapping[str, Any]], bool]] = {
    "early (first record)": lambda seen, truth: any(m["type"] == "RECORD" for m in seen),
    "while participants are read": lambda seen, truth: any(
        m["type"] == "RECORD" and m["record"]["stream"] == "report_meeting_participants" for m in seen
    ),
    "near the end (80% of the records)": lambda seen, truth: sum(m["type"] == "RECORD" for m in seen) >= 0.8 * total_records(truth),
}


@pytest.fixture(scope="module")
def slow_fake():
    # Latency and two workers per category make a sync last long enough to interrupt anywhere.
    with FakeZoomServer(FakeZoomConfig.default(latency_ms=15)) as server:
        yield server


@pytest.fixture(scope="module")
def setup(slow_fake):
    config = {**slow_fake.connector_config(), "lookback_days": 0, "num_workers": 2}
    discovered = discover_streams(config)
    keys = {stream["name"]: stream["source_defined_primary_key"] for stream in discovered}
    return config, incremental_catalog(discovered), keys, slow_fake.ground_truth(config["start_date"])


def read_and_interrupt(config, catalog, truth, interrupt_when, signal_number) -> Dict[str, Any]:
    """Runs `read`, sends `signal_number` once `interrupt_when(messages so far)` holds, and returns
    what the platform would have: the lines printed, how the process ended and how fast."""
    lines: List[str] = []
    with tempfile.TemporaryDirectory() as directory:
        args = read_command(directory, config, catalog)
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO_ROOT)
        reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)  # type: ignore[arg-type]
        reader.start()
        seen: Messages = []
        try:
            while not interrupt_when(seen, truth):
                assert process.poll() is None, "the sync ended before the point to interrupt it"
                time.sleep(0.02)
                seen = [json.loads(line) for line in list(lines)[:-1]]  # the last line may still be arriving
            signalled = time.monotonic()
            process.send_signal(signal_number)
            code = process.wait(timeout=60)
            seconds_to_exit = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        reader.join(timeout=10)
    return {"lines": lines, "code": code, "seconds_to_exit": seconds_to_exit, "messages_at_signal": len(seen)}


@pytest.mark.parametrize("point", sorted(POINTS))
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_given_a_sync_interrupted_when_resumed_from_its_last_state_then_the_union_of_both_runs_is_the_ground_truth(setup, point, signal_number):
    config, catalog, keys, truth = setup

    run = read_and_interrupt(config, catalog, truth, POINTS[point], signal_number)

    lines = run["lines"]
    if signal_number == signal.SIGTERM:
        # Every line a whole message, the last one saying where the next sync resumes.
        interrupted = [json.loads(line) for line in lines]
        assert run["code"] == 128 + signal.SIGTERM
        assert run["seconds_to_exit"] <= EXIT_DEADLINE_SECONDS, run["seconds_to_exit"]
        assert interrupted[-1]["type"] == "LOG" and interrupted[-1]["log"]["message"].startswith("Stopped on SIGTERM")
    else:
        # No clean-up at all: a line the kill cut short never reached the platform as a message.
        whole = [line for line in lines if line.endswith("\n")]
        interrupted = [json.loads(line) for line in whole]
        assert run["code"] == -signal.SIGKILL
    states = latest_states(interrupted)
    code, resumed, stderr = run_connector("read", config, catalog, state=states)
    assert code == 0, stderr[-2000:]

    before, after = records_by_table(interrupted), records_by_table(resumed)
    lost = {}
    for table in truth["tables"]:
        union = set(primary_keys(before.get(table, []), keys[table])) | set(primary_keys(after.get(table, []), keys[table]))
        missing = truth_keys(truth, table) - union
        assert union <= truth_keys(truth, table), table
        if missing:
            lost[table] = len(missing)
    assert lost == {}
    count_before, count_after = sum(map(len, before.values())), sum(map(len, after.values()))
    assert count_before > 0
    print(
        f"\n| {signal.Signals(signal_number).name} | {point} | exit {run['code']} after {run['seconds_to_exit']:.2f} s | "
        f"{len(states)} stream states kept | records before {count_before}, after resume {count_after} "
        f"(truth {total_records(truth)}) | lost 0 |"
    )


def test_given_every_request_hung_when_sigterm_arrives_then_the_watchdog_ends_the_process_within_10_seconds():
    """No message comes while every worker waits on Zoom: the main thread never gets to look at the
    stop flag, so the watchdog ends the process after its grace period."""
    with FakeZoomServer(FakeZoomConfig.default(rate_hang=1.0, hang_seconds=120)) as hung_fake:
        config = hung_fake.connector_config()
        catalog = incremental_catalog([s for s in discover_streams(config) if s["name"] == "users"])

        def requests_hang(seen, truth):
            return hung_fake.stats()["faults_injected"]["hang"] >= 1

        run = read_and_interrupt(config, catalog, None, requests_hang, signal.SIGTERM)

    messages = [json.loads(line) for line in run["lines"]]
    assert run["code"] == 128 + signal.SIGTERM
    assert run["seconds_to_exit"] <= EXIT_DEADLINE_SECONDS, run["seconds_to_exit"]
    assert not [m for m in messages if m["type"] == "RECORD"]
    assert "no message came within the grace period" in messages[-1]["log"]["message"]
    print(f"\n| SIGTERM | every request hung | exit {run['code']} after {run['seconds_to_exit']:.2f} s (watchdog) |")
