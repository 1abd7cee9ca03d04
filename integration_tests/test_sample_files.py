"""The README's "Running the connector" works as written: its commands, run as printed (with this
venv's python), against the fake it starts on the port the sample config names; the sample files
agree with the connector and the fake; what the README tells people to keep private is ignored
by git; and, with a Docker engine, its `docker run` line works on the project's own engine."""

from __future__ import annotations

import fcntl
import json
import re
import shlex
import subprocess
import sys
from typing import Any, Dict, Iterator, List

import pytest

from integration_tests import doc_snippets as ds
from integration_tests import sample_files
from integration_tests.doc_snippets import SAMPLE_PORT_LOCK
from integration_tests.sync_support import REPO_ROOT

pytestmark = pytest.mark.integration

README = REPO_ROOT / "README.md"
SECTION = "## Running the connector"
README_BLOCK = ("README.md", "python main.py read")  # the section's first block
# Another run of this test (or of the docs' snippets) on the same machine would want the same port: one at a time.
PORT_LOCK = SAMPLE_PORT_LOCK


def readme_blocks() -> List[List[str]]:
    """The bash blocks of the README's "Running the connector", as lines without comments."""
    text = README.read_text().split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    return [[line.split("#", 1)[0].strip() for line in block.splitlines() if line.split("#", 1)[0].strip()] for block in blocks]


@pytest.fixture
def sample_port() -> Iterator[None]:
    with open(PORT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def start_fake(command: str) -> subprocess.Popen:
    args = shlex.split(command.rstrip("&").strip())
    assert args[0] == "python", command
    fake = subprocess.Popen([sys.executable, *args[1:]], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = fake.stdout.readline()
    if not first.startswith("FAKE_ZOOM_URL="):
        fake.kill()
        pytest.fail(f"`{command}` did not start (is port 48765 taken by another program?): {fake.stderr.read()[-2000:]}")
    return fake


def messages_of(stdout: str) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_given_the_sample_files_then_they_are_what_the_connector_and_the_fake_say():
    assert json.loads(sample_files.SAMPLE_CONFIG.read_text()) == sample_files.sample_config(), "run `python -m integration_tests.sample_files`"
    assert json.loads(sample_files.CONFIGURED_CATALOG.read_text()) == sample_files.configured_catalog(), "run `python -m integration_tests.sample_files`"


@pytest.mark.slow
def test_given_the_readme_then_its_commands_run_as_printed_against_the_fake():
    """The block is run as integration_tests/test_doc_snippets.py runs every other runnable block
    (as printed, in a fresh checkout and a fresh shell, the sample port held), must pass that
    test's checks, and is checked here command by command: its `read` is a full sync, run once
    per suite."""
    snippet = ds.snippet_containing(*README_BLOCK)
    assert snippet.code.splitlines()[0].startswith(". .venv/bin/activate") and snippet.code.rstrip().splitlines()[-1].startswith("kill %1"), snippet.code
    commands = [line.split()[:3] for line in snippet.code.splitlines() if line.startswith("python main.py")]
    assert commands == [["python", "main.py", name] for name in ("spec", "check", "discover", "read")], snippet.code

    run = ds.run_as_printed(snippet)

    assert run.problems == [], run.describe()
    # The commands run one after the other: each one's output ends with the message it is for.
    messages = messages_of(run.stdout)
    types = [m["type"] for m in messages]
    assert "CATALOG" in types, run.describe()
    until_read = types.index("CATALOG") + 1
    assert [t for t in types[:until_read] if t != "LOG"] == ["SPEC", "CONNECTION_STATUS", "CATALOG"], run.describe()
    assert {t for t in types[until_read:]} <= {"LOG", "RECORD", "STATE", "TRACE"}, run.describe()
    assert [m["connectionStatus"]["status"] for m in messages if m["type"] == "CONNECTION_STATUS"] == ["SUCCEEDED"]
    (catalog,) = [m["catalog"] for m in messages if m["type"] == "CATALOG"]
    tables = {stream["name"] for stream in catalog["streams"]}
    assert tables == {entry["stream"]["name"] for entry in sample_files.configured_catalog()["streams"]}
    read = messages[until_read:]
    assert {m["record"]["stream"] for m in read if m["type"] == "RECORD"} >= tables - {"meeting_files", "webinar_files", "webinar_tracking_sources"}
    assert not [m for m in read if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]


def test_given_what_the_readme_keeps_private_then_git_ignores_it():
    private = ["secrets/config.json", "secrets/catalog.json", "catalog.json", ".cache/default_cache/default_cache.duckdb"]

    ignored = subprocess.run(["git", "check-ignore", *private], cwd=REPO_ROOT, capture_output=True, text=True).stdout.split()

    assert ignored == private
    assert subprocess.run(["git", "check-ignore", "-q", "integration_tests/configured_catalog.json"], cwd=REPO_ROOT).returncode == 1


@pytest.mark.image_tests
def test_given_the_readme_then_its_docker_run_line_works_on_the_projects_engine(sample_port):
    from integration_tests import docker_support as ds

    client = ds.connect_engine_or_skip()
    image = ds.build_image(client)
    (commands, docker) = readme_blocks()
    assert docker[0] == "docker build --network host -t source-zoom ."
    check = shlex.split(docker[1])
    assert check[:7] == ["docker", "run", "--rm", "--network", "host", "-v", '$PWD/integration_tests:/data:ro'] and check[7] == "source-zoom", check
    fake = start_fake(commands[1])
    try:
        result = ds.run_in_container(client, check[8:], image=image.tag, secrets_dir=REPO_ROOT / "integration_tests", mount_point="/data")
    finally:
        fake.terminate()
        fake.wait(timeout=10)

    assert [m["connectionStatus"]["status"] for m in result.of_type("CONNECTION_STATUS")] == ["SUCCEEDED"], result.describe()
