"""A config, catalog or state file that is missing, unreadable, not JSON or of the wrong shape ends
every command with one config_error sentence naming the file, never a stack trace.

Each case is its own process that runs the connector's entry point as `python main.py <command>`
does (`source_zoom.run.run(args)`), forked from this one after the imports: a fresh interpreter
costs seconds of CDK imports per case on a busy machine, and the table has about fifty. One bad
file per command also runs through `python main.py` proper. Unreadable files are a directory and
bytes that are not UTF-8: the tests run as root, for whom a chmod 000 file is still readable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests import launcher
from integration_tests.sync_support import REPO_ROOT, discover_streams, full_catalog

pytestmark = pytest.mark.integration

# How to write each bad file into a directory: (what is at the path, the words the sentence must say).
Writer = Callable[[Path], None]
BAD_FILES: Dict[str, Tuple[Optional[Writer], str]] = {
    "missing": (None, "does not exist"),
    "a directory": (lambda path: path.mkdir(), "is a directory"),
    "not UTF-8": (lambda path: path.write_bytes(b"\xff\xfe{\x00"), "is not UTF-8"),
    "empty": (lambda path: path.write_text(""), "is not JSON (it is empty)"),
    "not JSON": (lambda path: path.write_text("credentials: {auth_type: jwt}"), "is not JSON (line 1 column 1"),
    "a string": (lambda path: path.write_text('"config.json"'), "holds a JSON string"),
}
# Shapes wrong for one kind of file only.
WRONG_SHAPES: Dict[Tuple[str, str], Tuple[Any, str]] = {
    ("catalog", "no streams"): ({"catalogue": []}, "has no 'streams'"),
    ("catalog", "empty streams"): ({"streams": []}, "has 'streams' empty list"),
    ("catalog", "streams not a list"): ({"streams": {"users": {}}}, "has 'streams' that is not a list"),
    ("catalog", "discovered, not configured"): ({"streams": [{"name": "users", "json_schema": {}, "supported_sync_modes": ["full_refresh"]}]}, "is not a configured catalog"),
    ("config", "a list"): ([{"credentials": {}}], "holds a JSON list, not an object"),
    ("state", "an object (legacy state)"): ({"users": {"cursor": "2026-01-01"}}, "holds a JSON object, not a list of per-stream states"),
    ("state", "a list of strings"): (["users"], "entry 0 is a JSON string, not a per-stream state object"),
}
FILE_OPTION = {"config": "--config", "catalog": "--catalog", "state": "--state"}
COMMANDS_READING = {"config": ("check", "discover", "read"), "catalog": ("read",), "state": ("read",)}


@pytest.fixture(scope="module")
def fake():
    with FakeZoomServer(FakeZoomConfig.default(users=1)) as server:
        yield server


@pytest.fixture(scope="module")
def good_files(fake, tmp_path_factory) -> Dict[str, Path]:
    directory = tmp_path_factory.mktemp("good")
    config = fake.connector_config()
    files = {"config": directory / "config.json", "catalog": directory / "catalog.json", "state": directory / "state.json"}
    files["config"].write_text(json.dumps(config))
    files["catalog"].write_text(json.dumps(full_catalog([s for s in discover_streams(config) if s["name"] == "users"])))
    files["state"].write_text("[]")
    return files


def run_main(args: List[str]) -> Tuple[int, List[Dict[str, Any]], str]:
    """`python main.py <args>` in a new interpreter."""
    finished = subprocess.run([sys.executable, str(REPO_ROOT / "main.py"), *args], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    return finished.returncode, parse_stdout(finished.stdout), finished.stderr


def run_forked(args: List[str]) -> Tuple[int, List[Dict[str, Any]], str]:
    """`python main.py <args>` forked from a warm connector process (integration_tests/launcher.py)."""
    finished = launcher.run(args, timeout=120)
    return finished.returncode, parse_stdout(finished.stdout), finished.stderr


def parse_stdout(stdout: str) -> List[Dict[str, Any]]:
    # Every stdout line must be an Airbyte message: json.loads fails the test otherwise.
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def arguments(command: str, files: Dict[str, Path]) -> List[str]:
    args = [command]
    for kind in ("config", "catalog", "state"):
        if command in COMMANDS_READING[kind]:
            args += [FILE_OPTION[kind], str(files[kind])]
    return args


def assert_one_sentence(command: str, code: int, messages: List[Dict[str, Any]], stderr: str, must_say: List[str]) -> str:
    errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert len(errors) == 1, (messages, stderr[-2000:])
    (error,) = errors
    assert error["failure_type"] == "config_error"
    for words in must_say:
        assert words in error["message"], error["message"]
    assert not error.get("stack_trace"), error
    assert not [m for m in messages if m["type"] == "RECORD"]
    user_visible = json.dumps([m for m in messages if m["type"] != "TRACE"]) + error["message"] + stderr
    assert "Traceback" not in user_visible and "Something went wrong" not in user_visible, user_visible[-2000:]
    assert "\n" not in error["message"]
    if command == "check":
        (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
        assert status["status"] == "FAILED" and status["message"] == error["message"]
        assert code == 0
    else:
        assert code == 1
    return error["message"]


CASES = [
    (kind, command, case)
    for kind in ("config", "catalog", "state")
    for command in COMMANDS_READING[kind]
    for case in BAD_FILES
]


@pytest.mark.parametrize("kind, command, case", CASES, ids=[f"{k}-{c}-{case}" for k, c, case in CASES])
def test_given_a_bad_file_when_a_command_reads_it_then_it_ends_with_one_config_error_naming_the_file(good_files, tmp_path, kind, command, case):
    write, words = BAD_FILES[case]
    bad = tmp_path / f"bad-{kind}.json"
    if write is not None:
        write(bad)
    files = {**good_files, kind: bad}

    code, messages, stderr = run_forked(arguments(command, files))

    sentence = assert_one_sentence(command, code, messages, stderr, [f"The {kind} file {bad}", words])
    print(f"\n| {kind} | {case} | {command} | {sentence} |")


@pytest.mark.slow  # a new interpreter per command
@pytest.mark.parametrize("command", ["check", "discover", "read"])
def test_given_a_config_that_is_not_json_when_main_py_runs_then_it_ends_with_one_config_error(good_files, tmp_path, command):
    """The same, through `python main.py` in a new interpreter, as Airbyte runs it."""
    bad = tmp_path / "config.json"
    bad.write_text("{not json")

    code, messages, stderr = run_main(arguments(command, {**good_files, "config": bad}))

    assert_one_sentence(command, code, messages, stderr, [f"The config file {bad} is not JSON"])


SHAPE_CASES = [(kind, case, command) for (kind, case) in WRONG_SHAPES for command in COMMANDS_READING[kind]]


@pytest.mark.parametrize("kind, case, command", SHAPE_CASES, ids=[f"{k}-{case}-{c}" for k, case, c in SHAPE_CASES])
def test_given_a_file_of_the_wrong_shape_when_a_command_reads_it_then_it_ends_with_one_config_error(good_files, tmp_path, kind, case, command):
    content, words = WRONG_SHAPES[(kind, case)]
    bad = tmp_path / f"bad-{kind}.json"
    bad.write_text(json.dumps(content))
    files = {**good_files, kind: bad}

    code, messages, stderr = run_forked(arguments(command, files))

    sentence = assert_one_sentence(command, code, messages, stderr, [f"The {kind} file {bad}", words])
    print(f"\n| {kind} | {case} | {command} | {sentence} |")


COMMAND_LINES = {
    # spec reads no file: a file given to it anyway is a command-line mistake, said in one sentence.
    "spec given a config": (["spec", "--config", "config.json"], "unrecognized arguments: --config config.json"),
    "check without --config": (["check"], "the following arguments are required: --config"),
    "discover without --config": (["discover"], "the following arguments are required: --config"),
    "read without --catalog": (["read", "--config", "{config}"], "the following arguments are required: --catalog"),
    "--config without a path": (["discover", "--config"], "argument --config: expected one argument"),
}


@pytest.mark.parametrize("case", sorted(COMMAND_LINES))
def test_given_a_command_line_missing_a_file_when_run_then_it_ends_with_one_config_error(good_files, tmp_path, case):
    args, words = COMMAND_LINES[case]
    args = [arg.format(config=good_files["config"]) for arg in args]

    code, messages, stderr = run_forked(args)

    sentence = assert_one_sentence(args[0], code, messages, stderr, ["The command line is not one this connector takes", words])
    print(f"\n| command line | {case} | {args[0]} | {sentence} |")


@pytest.mark.slow  # a new interpreter per command
@pytest.mark.parametrize("command", ["spec", "check", "discover", "read"])
def test_given_good_files_when_a_command_runs_then_it_succeeds(good_files, command):
    """The checks above must not refuse what is right (the state file is an empty list here, and
    the catalog a real configured catalog)."""
    code, messages, stderr = run_main(arguments(command, good_files) if command != "spec" else ["spec"])

    assert code == 0, stderr[-2000:]
    assert not [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    expected = {"spec": "SPEC", "check": "CONNECTION_STATUS", "discover": "CATALOG", "read": "RECORD"}[command]
    assert any(m["type"] == expected for m in messages)
