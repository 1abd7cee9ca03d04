"""The root conftest's promise: where a Docker engine is required, a skipped image test fails the
run, and every run names what it skipped or deselected and why. Checked by running pytest on a
small suite that uses the real root conftest, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Each test runs pytest in a new interpreter (a few seconds of imports): left out of --quick.
pytestmark = pytest.mark.slow

SMALL_SUITE = textwrap.dedent(
    '''
    import pytest

    @pytest.mark.image_tests
    @pytest.mark.skipif(True, reason="docker CLI not found in PATH, skipping docker image tests")
    def test_image_skipped_at_collection():
        pass

    @pytest.fixture
    def engine():
        pytest.skip("NO DOCKER ENGINE: connection refused")

    @pytest.mark.image_tests
    def test_image_skipped_by_a_fixture(engine):
        pass

    @pytest.mark.image_tests
    @pytest.mark.xfail(strict=True, reason="a known gap")
    def test_image_expected_to_fail():
        assert False

    def test_plain_skipped():
        pytest.skip("needs the benchmark dataset")

    def test_plain_passing():
        pass
    '''
)


def run_small_suite(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text((REPO_ROOT / "conftest.py").read_text())
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    image_tests: needs a Docker engine\n")
    (tmp_path / "test_small.py").write_text(SMALL_SUITE)
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "SOURCE_ZOOM_REQUIRE_DOCKER", "PYTEST_ADDOPTS")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300,
    )


def test_given_no_ci_when_image_tests_skip_then_the_run_passes_and_names_each_skip_with_its_reason(tmp_path):
    run = run_small_suite(tmp_path)

    assert run.returncode == 0, run.stdout[-3000:]
    assert "1 passed, 3 skipped, 1 xfailed" in run.stdout
    assert "not run: 3 skipped, 0 deselected (which and why)" in run.stdout
    assert "SKIPPED test_small.py::test_image_skipped_at_collection: docker CLI not found in PATH" in run.stdout
    assert "SKIPPED test_small.py::test_image_skipped_by_a_fixture: NO DOCKER ENGINE: connection refused" in run.stdout
    assert "SKIPPED test_small.py::test_plain_skipped: needs the benchmark dataset" in run.stdout


def test_given_ci_true_when_image_tests_skip_even_at_collection_then_each_fails_the_run(tmp_path):
    run = run_small_suite(tmp_path, CI="true")

    assert run.returncode == 1, run.stdout[-3000:]
    # A skip decided in set-up becomes a set-up failure, which pytest counts as an error.
    assert "1 passed, 1 skipped, 1 xfailed" in run.stdout and "2 errors" in run.stdout
    assert "ERROR test_small.py::test_image_skipped_at_collection" in run.stdout
    assert "ERROR test_small.py::test_image_skipped_by_a_fixture" in run.stdout
    assert "image test SKIPPED where a Docker engine is required (CI set), so it counts as a failure: docker CLI not found" in run.stdout


def test_given_source_zoom_require_docker_when_an_image_test_skips_then_it_fails(tmp_path):
    run = run_small_suite(tmp_path, "-k", "fixture", SOURCE_ZOOM_REQUIRE_DOCKER="1")

    assert run.returncode == 1, run.stdout[-3000:]
    assert "4 deselected" in run.stdout and "1 error" in run.stdout
    assert "(SOURCE_ZOOM_REQUIRE_DOCKER set)" in run.stdout


def test_given_a_marker_filter_when_tests_are_deselected_then_the_summary_names_them_and_the_filter(tmp_path):
    run = run_small_suite(tmp_path, "-m", "not image_tests", CI="true")

    assert run.returncode == 0, run.stdout[-3000:]
    assert "not run: 1 skipped, 3 deselected (which and why)" in run.stdout
    assert "DESELECTED test_small.py::test_image_skipped_at_collection: not selected by the command line (-m 'not image_tests')" in run.stdout
