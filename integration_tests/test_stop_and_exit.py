"""Every way a sync is stopped ends the process by itself, and loses nothing.

The platform cancels a sync with SIGTERM (SIGKILL after its grace period), or stops reading its
output; a person presses Ctrl-C. Interrupted at several points of a full incremental sync and
resumed from the last state message received, the union of the two runs equals the ground truth
of every table. After SIGTERM, a closed output or Ctrl-C the process exits by itself, even
while its workers wait out retries, hang in requests, or wait to hand over records nobody reads,
with every line it printed a whole message.

The time to exit is printed. What is asserted is that the process ended by itself within
EXIT_LIMIT_SECONDS, twice the platform's grace period: a busy machine (the suite runs on parallel
workers) never fails a process that exits after the connector's 5 s watchdog, while a process
that waits for its workers (a 60 s read timeout, a minute of backoff, a full queue) still fails.
"""

from __future__ import annotations

import json
import signal
import subprocess
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.launcher import PIPE, Launched
from integration_tests.sync_support import (
    discover_streams,
    full_catalog,
    incremental_catalog,
    latest_states,
    primary_keys,
    records_by_table,
    run_connector,
    start_read,
    truth_keys,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# The platform's grace period after SIGTERM (the connector's own watchdog: 5 s, source_zoom/run.py).
PLATFORM_GRACE_SECONDS = 10
EXIT_LIMIT_SECONDS = 2 * PLATFORM_GRACE_SECONDS
Messages = List[Dict[str, Any]]


def seconds_to_exit(process: Launched, started: float) -> Optional[float]:
    """Seconds from `started` until the process ended by itself; None (and killed) when it still
    ran EXIT_LIMIT_SECONDS later."""
    try:
        process.wait(timeout=max(0.0, started + EXIT_LIMIT_SECONDS - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
    return time.monotonic() - started


def take_records(process: Launched, count: int) -> None:
    """Reads the process's output until `count` records have come."""
    seen = 0
    while seen < count:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert line, f"the read ended before {count} records: nothing was tested"
        seen += json.loads(line)["type"] == "RECORD"


# --- SIGTERM and SIGKILL: resumed from the last state, nothing lost ---------------------------------


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
        process = start_read(directory, config, catalog, text=True)
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
            seconds = seconds_to_exit(process, signalled)
            code = process.returncode
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        reader.join(timeout=10)
    return {"lines": lines, "code": code, "seconds_to_exit": seconds, "messages_at_signal": len(seen)}


@pytest.mark.parametrize("point", sorted(POINTS))
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_given_a_sync_interrupted_when_resumed_from_its_last_state_then_the_union_of_both_runs_is_the_ground_truth(setup, point, signal_number):
    config, catalog, keys, truth = setup

    run = read_and_interrupt(config, catalog, truth, POINTS[point], signal_number)

    lines = run["lines"]
    if signal_number == signal.SIGTERM:
        # Every line a whole message, the last one saying where the next sync resumes.
        interrupted = [json.loads(line) for line in lines]
        assert run["seconds_to_exit"] is not None, f"still running {EXIT_LIMIT_SECONDS} s after SIGTERM"
        assert run["code"] == 128 + signal.SIGTERM
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
        f"\n| {signal.Signals(signal_number).name} | {point} | exit {run['code']} after {run['seconds_to_exit'] or 0:.2f} s | "
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
    assert run["seconds_to_exit"] is not None, f"still running {EXIT_LIMIT_SECONDS} s after SIGTERM"
    assert run["code"] == 128 + signal.SIGTERM
    assert not [m for m in messages if m["type"] == "RECORD"]
    assert "no message came within the grace period" in messages[-1]["log"]["message"]
    print(f"\n| SIGTERM | every request hung | exit {run['code']} after {run['seconds_to_exit']:.2f} s (watchdog) |")


# --- the platform stops reading, or Ctrl-C ----------------------------------------------------------


def seconds_to_exit_once_output_closes(fake: FakeZoomServer, under_way: Callable[[], bool], what: str) -> Optional[float]:
    """Reads every table, takes 20 records, waits (up to 30 s) until `under_way()` says the fault
    is being lived through, then closes the process's output as the platform does when it stops
    reading: the seconds it ran on (None when it did not end by itself)."""
    config = fake.connector_config()
    with tempfile.TemporaryDirectory() as directory:
        process = start_read(directory, config, full_catalog(discover_streams(config)))
        try:
            take_records(process, 20)
            deadline = time.monotonic() + 30
            while not under_way() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert under_way() and process.poll() is None, f"{what}: nothing was tested"

            process.stdout.close()  # type: ignore[union-attr]  # the platform stops reading
            return seconds_to_exit(process, time.monotonic())
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_given_zoom_failing_most_requests_when_the_output_closes_during_retries_then_the_process_exits_by_itself():
    # 60% of requests answer 5xx: most of the connector's workers wait out backoffs (up to a minute
    # each) when the platform stops reading.
    with FakeZoomServer(FakeZoomConfig.benchmark(rate_5xx=0.6, fault_seed=3)) as fake:
        seconds = seconds_to_exit_once_output_closes(fake, lambda: fake.stats()["faults_injected"]["5xx"] > 0, "no retry under way")
        retried = fake.stats()["faults_injected"]["5xx"]

    print(f"\nexited {seconds} s after its output closed ({retried} 5xx answered in all)")
    assert seconds is not None, f"the process still ran {EXIT_LIMIT_SECONDS} s after its output closed"


def test_given_requests_that_hang_when_the_output_closes_then_the_process_exits_by_itself():
    # Every poll request is held unanswered (up to the connector's 60 s read timeout): a worker
    # inside one must not keep the process alive after the platform stopped reading.
    hanging = FakeZoomConfig.default(persistent_fault_endpoint="/v2/meetings/{meetingId}/polls", persistent_fault="hang", hang_seconds=120)
    with FakeZoomServer(hanging) as fake:
        seconds = seconds_to_exit_once_output_closes(fake, lambda: fake.stats()["faults_injected"]["hang"] > 0, "no request hung")

    print(f"\nexited {seconds} s after its output closed, with requests hanging")
    assert seconds is not None, f"the process still ran {EXIT_LIMIT_SECONDS} s after its output closed"


def wait_until_requests_stall(fake: FakeZoomServer, quiet_seconds: float = 2, limit_seconds: float = 90) -> int:
    """Waits until the fake sees no request for `quiet_seconds`: the connector's pipe and record
    queue are full and its workers wait to hand over records. Returns the requests served."""
    deadline = time.monotonic() + limit_seconds
    served, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_served = fake.stats()["total_api_requests"]
        if now_served != served:
            served, quiet_since = now_served, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_seconds:
            return served
        time.sleep(0.2)
    raise AssertionError(f"the connector kept sending requests for {limit_seconds} s while nobody read its output")


@pytest.fixture(scope="module")
def busy_fake():
    # Enough records (about 50,000), served without latency, that the read is far from its end when
    # its consumer stops, and that its 10,000-message queue fills once nobody reads it.
    with FakeZoomServer(FakeZoomConfig.benchmark()) as server:
        yield server


@pytest.fixture(scope="module")
def busy_catalog(busy_fake):
    return incremental_catalog(discover_streams(busy_fake.connector_config()))


def test_given_a_read_whose_stdout_is_closed_when_it_writes_then_it_exits_by_itself(busy_fake, busy_catalog):
    with tempfile.TemporaryDirectory() as directory:
        process = start_read(directory, busy_fake.connector_config(), busy_catalog)
        take_records(process, 20)
        assert process.poll() is None, "the read ended before its consumer stopped: nothing was tested"

        process.stdout.close()  # type: ignore[union-attr]  # the platform's end of the pipe goes away

        assert seconds_to_exit(process, time.monotonic()) is not None, f"the read still ran {EXIT_LIMIT_SECONDS} s after its stdout closed"


def test_given_a_read_whose_consumer_stops_reading_when_interrupted_then_it_exits_by_itself(busy_fake, busy_catalog):
    with tempfile.TemporaryDirectory() as directory:
        process = start_read(directory, busy_fake.connector_config(), busy_catalog)
        take_records(process, 20)
        # The consumer stops reading: the pipe, then the record queue fill, and the workers wait.
        wait_until_requests_stall(busy_fake)
        assert process.poll() is None, "the read ended before it was interrupted: nothing was tested"

        process.send_signal(signal.SIGINT)  # Ctrl-C
        interrupted = time.monotonic()
        # Whatever it still writes on its way out is drained, as a terminal would show it.
        threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]

        assert seconds_to_exit(process, interrupted) is not None, f"the read still ran {EXIT_LIMIT_SECONDS} s after SIGINT"


def test_given_a_read_when_a_person_presses_ctrl_c_then_it_exits_130_with_one_sentence_and_no_traceback(busy_fake, busy_catalog):
    """`docker run -it ... read` or `python main.py read` by hand: Ctrl-C ends it at once, its last
    words on stderr say where the next sync resumes, and no Python traceback is printed."""
    with tempfile.TemporaryDirectory() as directory:
        process = start_read(directory, busy_fake.connector_config(), busy_catalog, stderr=PIPE, text=True)
        take_records(process, 20)
        assert process.poll() is None, "the read ended before it was interrupted: nothing was tested"
        threading.Thread(target=process.stdout.read, daemon=True).start()  # type: ignore[union-attr]

        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        said: List[str] = []
        reader = threading.Thread(target=lambda: said.append(process.stderr.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()

        assert seconds_to_exit(process, interrupted) is not None, f"the read still ran {EXIT_LIMIT_SECONDS} s after Ctrl-C"
        reader.join(timeout=10)
        stderr = "".join(said)
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr[-2000:]
        last_line = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        assert "Interrupted" in last_line and "resumes" in last_line, stderr[-2000:]
        assert process.returncode == 128 + signal.SIGINT
