"""The suite's own machinery: a connector launched from the warm fork server is the process
`python main.py` would be (output, exit status, signals), and work done once per run is done once
however many workers ask for it at the same time."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from integration_tests import launcher
from integration_tests.once_per_run import FailedOnce, once_per_run

pytestmark = pytest.mark.integration


def fresh_interpreter(args):
    return subprocess.run([sys.executable, str(launcher.MAIN), *args], capture_output=True, text=True, timeout=300, cwd=launcher.REPO_ROOT)


@pytest.mark.slow  # a new interpreter per command, beside the forked one
@pytest.mark.parametrize("args", [["spec"], ["check"], ["read", "--config", "/nonexistent/config.json", "--catalog", "/nonexistent/catalog.json"]], ids=["spec", "usage error", "missing file"])
def test_given_a_command_when_launched_from_the_fork_server_then_output_and_exit_status_are_those_of_python_main_py(args):
    forked = launcher.run(args, timeout=300)
    fresh = fresh_interpreter(args)

    assert forked.returncode == fresh.returncode
    assert without_times(forked.stdout) == without_times(fresh.stdout)
    assert forked.stdout.strip(), "nothing was compared"


def without_times(stdout: str) -> list:
    """The messages, each line parsed, without the moments they were emitted at."""

    def drop(value):
        if isinstance(value, dict):
            return {key: drop(item) for key, item in value.items() if key != "emitted_at"}
        if isinstance(value, list):
            return [drop(item) for item in value]
        return value

    return [drop(json.loads(line)) for line in stdout.splitlines()]


def test_given_a_launched_read_when_sigterm_or_sigkill_arrives_then_it_ends_as_a_process_does():
    """Signals reach the child itself: SIGTERM runs the connector's handler (exit 143), SIGKILL kills."""
    with tempfile.TemporaryDirectory() as directory, socket.socket() as silent:
        # A `read` whose Zoom takes the connection and never answers: it waits long enough to be signalled.
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        zoom = f"http://127.0.0.1:{silent.getsockname()[1]}"
        config = {"credentials": {"auth_type": "jwt", "jwt_token": "t"}, "start_date": "2026-01-01T00:00:00Z",
                  "api_base_url": f"{zoom}/v2", "oauth_token_url": f"{zoom}/oauth/token"}
        catalog = {"streams": [{"stream": {"name": "users", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                                "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
        (Path(directory) / "config.json").write_text(json.dumps(config))
        (Path(directory) / "catalog.json").write_text(json.dumps(catalog))
        args = ["read", "--config", f"{directory}/config.json", "--catalog", f"{directory}/catalog.json"]
        ended = {}
        for signal_number in (signal.SIGTERM, signal.SIGKILL):
            process = launcher.launch(args, stdout=launcher.DEVNULL, stderr=launcher.DEVNULL)
            time.sleep(1)
            still_running = process.poll() is None
            process.send_signal(signal_number)
            ended[signal_number.name] = (still_running, process.wait(timeout=60))

    assert ended == {"SIGTERM": (True, 128 + signal.SIGTERM), "SIGKILL": (True, -signal.SIGKILL)}


SIGINT_BIT = 1 << (signal.SIGINT - 1)  # its bit in /proc/<pid>/status's signal masks


def sigint_disposition(pid: int) -> str:
    """'ignored', 'caught' (Python's KeyboardInterrupt handler) or 'default', from /proc."""
    masks = dict(line.split(":\t") for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Sig"))
    if int(masks["SigIgn"], 16) & SIGINT_BIT:
        return "ignored"
    return "caught" if int(masks["SigCgt"], 16) & SIGINT_BIT else "default"


@pytest.mark.parametrize("fork_server", [True, False], ids=["fork server", "fresh interpreter"])
def test_given_a_test_run_started_with_sigint_ignored_when_a_connector_is_launched_then_ctrl_c_still_reaches_it(fork_server, monkeypatch, tmp_path):
    """A shell starts a background job (`.ci/run &`, nohup) with SIGINT ignored, and every process
    under it inherits that. The Ctrl-C tests stand for a person at a terminal, whose foreground
    connector always takes SIGINT: a launched connector must, whatever its test runner inherited."""
    monkeypatch.setattr(launcher, "USE_FORK_SERVER", fork_server)
    monkeypatch.setattr(launcher._Server, "_running", None)  # a server started now, under SIG_IGN
    config = tmp_path / "config.json"
    os.mkfifo(config)  # the connector waits in open() for a writer: alive to inspect, then killed
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = launcher.launch(["check", "--config", str(config)], stdout=launcher.DEVNULL, stderr=launcher.DEVNULL)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        deadline = time.monotonic() + 60
        disposition = sigint_disposition(process.pid)
        while disposition != "caught" and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)  # Python installs its handler as it starts
            disposition = sigint_disposition(process.pid)
        assert disposition == "caught", f"the launched connector's SIGINT is {disposition}"
    finally:
        process.kill()
        process.wait(timeout=120)
        server = launcher._Server._running
        if server is not None:
            server.stop()


def test_given_workers_asking_at_once_when_work_is_done_once_per_run_then_it_runs_once_and_all_get_its_result(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.5)
        return {"answer": 42}

    name = f"machinery_test_{time.monotonic_ns()}"
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: once_per_run(name, compute), range(4)))

    assert results == [{"answer": 42}] * 4
    assert calls == [1]


def test_given_work_that_failed_when_asked_again_then_the_same_failure_is_raised_without_retrying():
    calls = []

    def compute():
        calls.append(1)
        raise RuntimeError("the engine did not start")

    name = f"machinery_failure_{time.monotonic_ns()}"
    for _ in range(2):
        with pytest.raises(FailedOnce, match="the engine did not start"):
            once_per_run(name, compute)
    assert calls == [1]


@pytest.mark.slow  # runs scripts/test.sh, that is pytest in a new interpreter
def test_given_the_unit_tests_when_run_by_the_test_command_then_neither_docker_nor_postgresql_is_started(tmp_path):
    """Issue 31.5: `bash scripts/test.sh unit_tests` (here one unit test file, under CI=true as in
    CI) sets up no Docker engine and no PostgreSQL server; only the tests that need one start it.
    The command runs in a copy of the checkout whose set-up scripts are stand-ins that leave a mark."""
    repo = launcher.REPO_ROOT
    for entry in repo.iterdir():
        if entry.name not in ("scripts", ".git"):
            (tmp_path / entry.name).symlink_to(entry)
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "test.sh").write_text((repo / "scripts" / "test.sh").read_text())
    (scripts / "bootstrap.sh").write_text("true\n")  # the venv is the checkout's own
    for name in ("docker_engine.sh", "postgres_server.sh"):
        (scripts / name).write_text(f"touch '{tmp_path}/{name}.ran'\necho postgresql://stand-in\n")
    done = subprocess.run(
        ["bash", "scripts/test.sh", "unit_tests/test_webvtt.py", "-q", "-n", "0", "-p", "no:cacheprovider"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, env={**os.environ, "CI": "true"},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "passed" in done.stdout
    assert sorted(path.name for path in tmp_path.glob("*.ran")) == []
