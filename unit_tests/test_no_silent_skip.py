"""The root conftest's promise: where a Docker engine is required, a skipped image test fails the
run, and every run names what it skipped or deselected and why. Checked by running pytest on a
small suite that uses the real root conftest, in this process (pytester: a session of its own,
with its own configuration, plugins and conftest module, and this process's imports already
made, where a new interpreter would spend seconds importing the CDK again)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

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


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str


def run_small_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Run:
    """`pytest -p no:cacheprovider -q *args` on the small suite with the root conftest, in an
    environment without the variables of this run (CI, the Docker requirement, pytest's own and
    pytest-xdist's) but `env`."""
    pytester.makeconftest((REPO_ROOT / "conftest.py").read_text())
    pytester.makeini("[pytest]\nmarkers =\n    image_tests: needs a Docker engine\n")
    pytester.makepyfile(test_small=SMALL_SUITE)
    for name in ("CI", "SOURCE_ZOOM_REQUIRE_DOCKER", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # (Hypothesis's plugin imports Hypothesis at the end of a run, and pytester unloads what a run
    # imported: seconds per run for a library the small suite does not use.)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-q", *args)
    return Run(int(result.ret), result.stdout.str())


def test_given_no_ci_when_image_tests_skip_then_the_run_passes_and_names_each_skip_with_its_reason(pytester, monkeypatch):
    run = run_small_suite(pytester, monkeypatch)

    assert run.returncode == 0, run.stdout[-3000:]
    assert "1 passed, 3 skipped, 1 xfailed" in run.stdout
    assert "not run: 3 skipped, 0 deselected (which and why)" in run.stdout
    assert "SKIPPED test_small.py::test_image_skipped_at_collection: docker CLI not found in PATH" in run.stdout
    assert "SKIPPED test_small.py::test_image_skipped_by_a_fixture: NO DOCKER ENGINE: connection refused" in run.stdout
    assert "SKIPPED test_small.py::test_plain_skipped: needs the benchmark dataset" in run.stdout


def test_given_ci_true_when_image_tests_skip_even_at_collection_then_each_fails_the_run(pytester, monkeypatch):
    run = run_small_suite(pytester, monkeypatch, CI="true")

    assert run.returncode == 1, run.stdout[-3000:]
    # A skip decided in set-up becomes a set-up failure, which pytest counts as an error.
    assert "1 passed, 1 skipped, 1 xfailed" in run.stdout and "2 errors" in run.stdout
    assert "ERROR test_small.py::test_image_skipped_at_collection" in run.stdout
    assert "ERROR test_small.py::test_image_skipped_by_a_fixture" in run.stdout
    assert "image test SKIPPED where a Docker engine is required (CI set), so it counts as a failure: docker CLI not found" in run.stdout


def test_given_source_zoom_require_docker_when_an_image_test_skips_then_it_fails(pytester, monkeypatch):
    run = run_small_suite(pytester, monkeypatch, "-k", "fixture", SOURCE_ZOOM_REQUIRE_DOCKER="1")

    assert run.returncode == 1, run.stdout[-3000:]
    assert "4 deselected" in run.stdout and "1 error" in run.stdout
    assert "(SOURCE_ZOOM_REQUIRE_DOCKER set)" in run.stdout


def test_given_a_marker_filter_when_tests_are_deselected_then_the_summary_names_them_and_the_filter(pytester, monkeypatch):
    run = run_small_suite(pytester, monkeypatch, "-m", "not image_tests", CI="true")

    assert run.returncode == 0, run.stdout[-3000:]
    assert "not run: 1 skipped, 3 deselected (which and why)" in run.stdout
    assert "DESELECTED test_small.py::test_image_skipped_at_collection: not selected by the command line (-m 'not image_tests')" in run.stdout
