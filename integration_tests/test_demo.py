"""The demo (`bash scripts/demo.sh`, the README's first command, which runs `scripts/demo.py`)
reads well: every table checked against the fake's truth, the tables empty on purpose said to be
so and why, Zoom's skipped answers one class per line (code, count, meaning), and one wall time.

The README's block is run here as printed, as integration_tests/test_doc_snippets.py runs every
other runnable block (a fresh checkout, a fresh shell), and must pass that test's checks too: the
demo is a full sync, run once per suite."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from fake_zoom.config import DEFAULT_MISSING_SCOPES
from integration_tests import doc_snippets as ds

pytestmark = [pytest.mark.integration, pytest.mark.slow]

README_BLOCK = ("README.md", "bash scripts/demo.sh")


@pytest.fixture(scope="module")
def demo_run() -> ds.Run:
    snippet = ds.snippet_containing(*README_BLOCK)
    with tempfile.TemporaryDirectory() as directory:
        return ds.run_snippet(snippet, ds.fresh_checkout(Path(directory)), ds.fresh_shell_environment())


@pytest.fixture(scope="module")
def demo(demo_run: ds.Run) -> str:
    assert demo_run.returncode == 0, demo_run.describe()
    return demo_run.stdout


def test_given_the_readme_s_demo_block_when_run_as_printed_then_it_succeeds(demo_run):
    assert demo_run.problems == [], demo_run.describe()


def test_given_the_demo_then_it_ends_saying_every_table_matches(demo):
    assert demo.rstrip().splitlines()[-1].startswith("Every table matches the fake's ground truth")
    assert "MISMATCH" not in demo


def test_given_the_demo_then_it_gives_one_wall_time(demo):
    assert len(re.findall(r"\d+\.\d s\b", demo.split("Empty on purpose")[1])) == 1


def test_given_tables_the_fake_does_not_serve_then_the_demo_says_they_are_empty_on_purpose_and_why(demo):
    block = demo.split("Empty on purpose", 1)[1].split("\n\n", 1)[0]
    lines = {line.split()[0]: line for line in block.splitlines()[1:]}

    assert sorted(lines) == ["meeting_files", "webinar_files", "webinar_tracking_sources"]
    assert all(scope in lines["webinar_tracking_sources"] for scope in DEFAULT_MISSING_SCOPES)
    assert "removed" in lines["meeting_files"] and "(code 404)" in lines["meeting_files"]
    assert re.search(r"^webinar_tracking_sources +0 +0 .* ok, empty on purpose", demo, flags=re.MULTILINE)


def test_given_skipped_resources_then_the_demo_lists_one_class_per_line_with_code_count_and_meaning(demo):
    block = demo.split("Skipped resources, one class per line", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    codes = [line.split()[0] for line in block]

    assert len(codes) == len(set(codes)) and {"3001", "4400", "4711"} <= set(codes), block
    assert all(re.match(r"^ +\d+ +\d+  \S.*\S +\w+ \d+", line) for line in block), block
    assert not [line for line in block if "not in the error table" in line], block  # every class the connector skips, it knows


def test_given_files_the_connector_does_not_download_then_the_demo_lists_them_one_reason_per_line(demo):
    block = demo.split("Files not downloaded, one reason per line", 1)[1].split("\n\n", 1)[0].splitlines()[2:]

    assert block and all(re.match(r"^ +\d+  \S.*\S +\w+ \d+$", line) for line in block), block
    assert any("file gone" in line for line in block), block  # the fake deletes one transcript after listing it (fake_zoom/transcripts.py)
