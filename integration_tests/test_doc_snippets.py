"""Every snippet of the README and docs/ runs as printed (issue 31.4).

Each fenced shell or Python block says on the line before it whether it runs
(integration_tests/doc_snippets.py has the markers). Each runnable block is run exactly as
written, from a stand-in for a fresh clone after the two commands (symbolic links to the
repository's files, a shell without the virtualenv on PATH), against the bundled fake Zoom API
where it needs Zoom; blocks that need PostgreSQL run where scripts/test.sh started its server
(as test_pyairbyte.py's PostgreSQL test does), blocks that need Docker are image tests.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path
from typing import List

import pytest

from integration_tests import doc_snippets as ds
from integration_tests.sync_support import postgres_dsn_or_skip

pytestmark = pytest.mark.integration

POSTGRES_DSN_VARIABLE = "SOURCE_ZOOM_POSTGRES_DSN"


def test_given_the_docs_then_every_shell_and_python_block_says_whether_it_runs():
    unmarked = [f"{s.where}: a ```{s.language} block without <!-- runnable --> or <!-- not runnable: why --> on the line before it" for s in ds.all_snippets() if s.marker is None]
    without_reason = [f"{s.where}: <!-- not runnable --> must say why" for s in ds.all_snippets() if s.marker == "not runnable" and not s.options.strip()]

    assert unmarked + without_reason == []


def test_given_the_docs_then_the_snippets_a_new_user_needs_first_are_runnable():
    """The main job, running the connector by hand and in Docker, PyAirbyte into DuckDB and into
    PostgreSQL, and a migrated config: each is a runnable block where the docs show it."""
    runnable = [s for s in ds.all_snippets() if s.runnable]

    def shown(file: str, needs: set, text: str) -> bool:
        return any(s.path.name == file and s.needs == needs and text in s.code for s in runnable)

    assert shown("README.md", set(), "bash scripts/demo.sh")
    assert shown("README.md", set(), "python main.py read")
    assert shown("README.md", {"docker", "fake"}, "docker run")
    assert shown("pyairbyte.md", {"fake"}, "source.read()")
    assert shown("pyairbyte.md", {"fake", "postgres"}, "PostgresCache(")
    assert shown("migration.md", set(), "main.py check")


# Blocks that a test of their own runs as printed (ds.run_snippet, in a fresh checkout and a fresh
# shell, with this module's checks: `run.problems == []`) and checks further: each is a full sync,
# run once per suite, there. (The DuckDB block runs against test_pyairbyte's fake on the sample
# port, with non-ASCII names planted in it, rather than `python -m fake_zoom`.) (file, text of the block) -> that test's module.
RUN_AS_PRINTED_BY = {
    ("README.md", "bash scripts/demo.sh"): "integration_tests/test_demo.py",
    ("README.md", "python main.py read"): "integration_tests/test_sample_files.py",
    ("docs/pyairbyte.md", "source.read()"): "integration_tests/test_pyairbyte.py",
}


def run_by_another_test(snippet: ds.Snippet) -> bool:
    return any(snippet.path == ds.REPO_ROOT / file and text in snippet.code for file, text in RUN_AS_PRINTED_BY)


def test_given_the_blocks_another_test_runs_then_that_test_runs_exactly_that_block_as_printed():
    for (file, text), module in RUN_AS_PRINTED_BY.items():
        ds.snippet_containing(file, text)  # one runnable block, still in the docs
        source = (ds.REPO_ROOT / module).read_text()
        assert f"({file!r}, {text!r})".replace("'", '"') in source, f"{module} does not name the block of {file} with {text!r}"
        assert "ds.snippet_containing(*" in source and ("ds.run_snippet(" in source or "ds.run_as_printed(" in source), module
        assert "problems == []" in source, module


def syncs(snippet: ds.Snippet) -> bool:
    """A block that syncs every table (the demo, `read`, PyAirbyte's `read()`) takes tens of
    seconds: `slow`, left to the full run (scripts/test.sh --quick leaves it out)."""
    return any(text in snippet.code for text in ("demo.sh", " read --config", ".read("))


def uses_the_sample_port(snippet: ds.Snippet) -> bool:
    """A block that starts or talks to the fake on the sample config's port: one at a time on the
    machine. The others (the demo starts its fake on a free port) run beside them."""
    return "fake" in snippet.needs or str(ds.SAMPLE_CONFIG_PORT) in snippet.code or "sample_config.json" in snippet.code


def runnable_params() -> List:
    params = []
    for snippet in ds.all_snippets():
        if snippet.runnable and not run_by_another_test(snippet):
            marks = [pytest.mark.image_tests] if "docker" in snippet.needs else []
            marks += [pytest.mark.slow] if syncs(snippet) else []
            params.append(pytest.param(snippet, id=snippet.where, marks=marks))
    return params


def postgres_or_skip() -> str:
    """The PostgreSQL server of the test run (integration_tests/sync_support.py starts it as root)."""
    return postgres_dsn_or_skip()


def schemas(dsn: str) -> set:
    listed = subprocess.run(["psql", dsn, "-qAt", "-c", "SELECT schema_name FROM information_schema.schemata"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    return set(listed.stdout.split())


@contextlib.contextmanager
def schemas_dropped_afterwards(dsn: str):
    """What a block creates in the server is dropped after it, so the next run starts as fresh."""
    before = schemas(dsn)
    try:
        yield
    finally:
        for schema in sorted(schemas(dsn) - before):
            subprocess.run(["psql", dsn, "-qAt", "-c", f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'], capture_output=True, timeout=60)


@pytest.mark.parametrize("snippet", runnable_params())
def test_given_a_runnable_block_when_run_as_printed_then_it_succeeds(snippet: ds.Snippet):
    with contextlib.ExitStack() as stack:
        if "docker" in snippet.needs:
            from integration_tests import docker_support

            docker_support.connect_engine_or_skip()
        if "postgres" in snippet.needs:
            stack.enter_context(schemas_dropped_afterwards(postgres_or_skip()))
        if uses_the_sample_port(snippet):
            stack.enter_context(ds.sample_port())
        if "fake" in snippet.needs:
            stack.enter_context(ds.sample_fake())
        # A Docker build copies real files, not the links of the stand-in checkout.
        cwd = ds.REPO_ROOT if "docker" in snippet.needs else ds.fresh_checkout(Path(stack.enter_context(tempfile.TemporaryDirectory())))
        run = ds.run_snippet(snippet, cwd, ds.fresh_shell_environment())

    assert run.problems == [], run.describe()
