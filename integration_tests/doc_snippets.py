"""The fenced blocks of the README and docs/, as the docs mark them, and how one is run as printed.

A shell or Python block carries a marker on the line before its fence:

    <!-- runnable -->                              run it as printed
    <!-- runnable: needs=fake,postgres expect="meetings" -->
    <!-- not runnable: why -->                     never run; the reason is required

`needs` names what the block expects to find running: `fake` (the fake Zoom API on the port of
integration_tests/sample_config.json, started as the docs start it), `postgres` (the server of
scripts/postgres_server.sh), `docker` (a Docker engine). `expect` is text the block's output must
contain. Used by integration_tests/test_doc_snippets.py; runnable on its own to run one file's
blocks (`python -m integration_tests.doc_snippets docs/pyairbyte.md`), e.g. an older README.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Mapping, Optional, Sequence, Tuple

from fake_zoom.__main__ import SAMPLE_CONFIG_PORT

REPO_ROOT = Path(__file__).resolve().parent.parent
DOC_FILES: Tuple[Path, ...] = (REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md")))
SHELL = ("bash", "sh", "shell")
PYTHON = ("python", "py")
NEEDS = {"fake", "postgres", "docker"}
MARKER = re.compile(r"^<!--\s*(runnable|not runnable)\s*(?::\s*(.*?))?\s*-->$")
FENCE = re.compile(r"^```(\w*)\s*$")
# What a block's output must never say: a failed check, an error trace, a Python traceback.
FAILED_CHECK = re.compile(r'"status":\s*"FAILED"')
TRACEBACK = "Traceback (most recent call last)"
# Where a block must not find the test's own environment: it runs as in a fresh shell.
TEST_ONLY_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "AIRBYTE_OFFLINE_MODE", "DO_NOT_TRACK", "AIRBYTE_PROJECT_DIR",
                       "AIRBYTE_CACHE_ROOT", "AIRBYTE_TEMP_DIR", "AIRBYTE_LOGGING_ROOT", "PYTEST_CURRENT_TEST")
# Left out of the copy of the repository a block runs in: what a fresh clone does not have.
NOT_IN_A_FRESH_CLONE = {".cache", "secrets", "catalog.json", "tmp", ".pytest_cache"}


# Every run that wants the sample config's port takes this lock (integration_tests/test_sample_files.py too).
SAMPLE_PORT_LOCK = Path(tempfile.gettempdir()) / "source-zoom-sample-port.lock"


@contextlib.contextmanager
def sample_port() -> Iterator[None]:
    """One user of port SAMPLE_CONFIG_PORT at a time on this machine."""
    with open(SAMPLE_PORT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def sample_fake() -> Iterator[str]:
    """The fake Zoom API as the docs start it (`python -m fake_zoom --port 48765`), until the block ends."""
    fake = subprocess.Popen([sys.executable, "-m", "fake_zoom", "--port", str(SAMPLE_CONFIG_PORT)], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = fake.stdout.readline()
        if not first.startswith("FAKE_ZOOM_URL="):
            fake.kill()
            raise RuntimeError(f"the fake did not start on port {SAMPLE_CONFIG_PORT} (taken by another program?): {fake.stderr.read()[-2000:]}")
        yield first.strip().split("=", 1)[1]
    finally:
        fake.terminate()
        fake.wait(timeout=10)


@dataclass(frozen=True)
class Snippet:
    path: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    marker: Optional[str]  # "runnable", "not runnable" or None
    options: str = ""
    needs: FrozenSet[str] = frozenset()
    expect: Tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO_ROOT) if self.path.is_relative_to(REPO_ROOT) else self.path}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.marker == "runnable"


def parse_options(options: str) -> Tuple[FrozenSet[str], Tuple[str, ...]]:
    needs: set = set()
    expect: List[str] = []
    for word in shlex.split(options):
        name, _, value = word.partition("=")
        if name == "needs":
            needs |= {need for need in value.split(",") if need}
        elif name == "expect":
            expect.append(value)
        else:
            raise ValueError(f"unknown marker option {word!r} (known: needs=..., expect=...)")
    unknown = needs - NEEDS
    if unknown:
        raise ValueError(f"unknown needs {sorted(unknown)} (known: {sorted(NEEDS)})")
    return frozenset(needs), tuple(expect)


def snippets_of(path: Path) -> List[Snippet]:
    """Every fenced block of a shell or Python language in `path`, with the marker before it."""
    lines = path.read_text().splitlines()
    found: List[Snippet] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        language = opening.group(1).lower()
        end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), len(lines))
        if language in SHELL + PYTHON:
            before = next((lines[j].strip() for j in range(index - 1, -1, -1) if lines[j].strip()), "")
            marker = MARKER.match(before)
            kind, options = (marker.group(1), marker.group(2) or "") if marker else (None, "")
            needs, expect = parse_options(options) if kind == "runnable" else (frozenset(), ())
            code = "\n".join(lines[index + 1 : end]) + "\n"
            found.append(Snippet(path, index + 1, language, code, kind, options, needs, expect))
        index = end + 1
    return found


def all_snippets(files: Sequence[Path] = DOC_FILES) -> List[Snippet]:
    return [snippet for path in files for snippet in snippets_of(path)]


def snippet_containing(file: str, text: str) -> Snippet:
    """The one runnable block of `file` (a name under REPO_ROOT: README.md, docs/...) whose code has `text`."""
    found = [s for s in all_snippets() if s.runnable and s.path == REPO_ROOT / file and text in s.code]
    assert len(found) == 1, f"{len(found)} runnable blocks of {file} contain {text!r}"
    return found[0]


def fresh_checkout(directory: Path, root: Path = REPO_ROOT) -> Path:
    """A stand-in for a fresh clone after the two commands: symbolic links to every entry of the
    repository's root but what a fresh clone lacks, so that what a block writes stays here."""
    for entry in root.iterdir():
        if entry.name not in NOT_IN_A_FRESH_CLONE:
            (directory / entry.name).symlink_to(entry)
    return directory


def fresh_shell_environment(extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment of a fresh shell: no virtualenv on PATH, none of the tests' variables."""
    venv_bin = str(Path(sys.executable).parent)
    env = {name: value for name, value in os.environ.items() if name not in TEST_ONLY_VARIABLES}
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep) if part and part != venv_bin)
    env.update(extra or {})
    return env


@dataclass
class Run:
    snippet: Snippet
    returncode: int
    output: str  # stdout then stderr
    problems: List[str] = field(default_factory=list)
    stdout: str = ""

    def describe(self, limit: int = 4000) -> str:
        return f"{self.snippet.where} ({self.snippet.language}) exited {self.returncode}: {'; '.join(self.problems)}\n--- output (end) ---\n{self.output[-limit:]}"


def error_traces(output: str) -> List[str]:
    traces = []
    for line in output.splitlines():
        if line.startswith("{") and '"TRACE"' in line:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("type") == "TRACE" and message.get("trace", {}).get("type") == "ERROR":
                traces.append(message["trace"].get("error", {}).get("message", line)[:300])
    return traces


def run_snippet(snippet: Snippet, cwd: Path, env: Mapping[str, str], timeout: float = 900) -> Run:
    """Run the block exactly as written: shell blocks with `bash -e -o pipefail`, Python blocks
    with this interpreter (the venv's python). The block's process group is ended afterwards, so
    nothing it started in the background outlives it."""
    suffix = ".py" if snippet.language in PYTHON else ".sh"
    with tempfile.NamedTemporaryFile("w", suffix=suffix, prefix="snippet-", delete=False) as script:
        script.write(snippet.code)
    command = [sys.executable, script.name] if snippet.language in PYTHON else ["bash", "-e", "-o", "pipefail", script.name]
    process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n(killed after {timeout:.0f} s)"
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.unlink(script.name)
    output = stdout + stderr
    run = Run(snippet, process.returncode, output, stdout=stdout)
    if process.returncode != 0:
        run.problems.append(f"exit code {process.returncode}")
    if TRACEBACK in output:
        run.problems.append("a Python traceback")
    if FAILED_CHECK.search(output):
        run.problems.append("a check that FAILED")
    traces = error_traces(stdout)
    if traces:
        run.problems.append(f"{len(traces)} error trace(s): {traces[:2]}")
    for text in snippet.expect:
        if text not in output:
            run.problems.append(f"the output does not say {text!r}")
    return run


def run_as_printed(snippet: Snippet) -> Run:
    """A block that needs nothing or the fake, run in a fresh checkout and a fresh shell."""
    with sample_port(), tempfile.TemporaryDirectory() as directory:
        with sample_fake() if "fake" in snippet.needs else contextlib.nullcontext():
            return run_snippet(snippet, fresh_checkout(Path(directory)), fresh_shell_environment())


def main(argv: Optional[List[str]] = None) -> int:
    """Run the runnable blocks of the given files (default: the README and docs/) that need
    nothing or the fake, and say which passed; blocks that need PostgreSQL or Docker are listed,
    not run (the test runs them where the suite has them)."""
    files = [Path(name).resolve() for name in (argv if argv is not None else sys.argv[1:])] or list(DOC_FILES)
    failed = 0
    for snippet in all_snippets(files):
        if not snippet.runnable:
            print(f"{snippet.where}: {snippet.marker or 'NOT MARKED'}")
            continue
        if snippet.needs - {"fake"}:
            print(f"{snippet.where}: needs {', '.join(sorted(snippet.needs))}: run by integration_tests/test_doc_snippets.py")
            continue
        run = run_as_printed(snippet)
        failed += bool(run.problems)
        print(f"{snippet.where}: {'FAILED ' + run.describe(1500) if run.problems else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
