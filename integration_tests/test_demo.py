"""The demo (`scripts/demo.py`, what `bash scripts/demo.sh` runs) reads well: every table checked
against the fake's truth, the tables empty on purpose said to be so and why, Zoom's skipped
answers one class per line (code, count, meaning), and one wall time."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from fake_zoom.config import DEFAULT_MISSING_SCOPES
from integration_tests.sync_support import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo() -> str:
    finished = subprocess.run([sys.executable, "scripts/demo.py"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return finished.stdout


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
