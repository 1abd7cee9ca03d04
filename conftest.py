"""Root conftest: pytest 9 reads `pytest_plugins` only here, at the rootdir.

The CDK's standard-suite hooks add `--connector-image`, `--read-from-streams` and
`--read-scenarios`, and parametrize the suite's tests with the scenarios of
`acceptance-test-config.yml` (see integration_tests/test_standard_suite.py).

No silent skip: where a Docker engine is required (`SOURCE_ZOOM_REQUIRE_DOCKER` or `CI` set, as
scripts/test.sh and .ci/run do), an image test that skips, for whatever reason and however
early it decided to, is reported as a failure; and every run ends with a section naming each
skipped and deselected test and why.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from types import SimpleNamespace
from typing import Dict, List

import pytest

# pytester: unit_tests/test_no_silent_skip.py runs this conftest on a small suite, in-process.
pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks", "pytester"]

# Either variable set to a true value means "this run must test the image".
ENGINE_REQUIRED_BY = ("SOURCE_ZOOM_REQUIRE_DOCKER", "CI")
DESELECTION_REASONS = pytest.StashKey[Dict[str, str]]()
# Beyond this many tests deselected by the command line (-k, -m, --deselect), the summary gives
# the count per reason instead of every name: the person who typed the filter asked for it.
LISTED_COMMAND_LINE_DESELECTIONS = 20


# What the CDK adds to every wait a backoff strategy asks for, before it retries
# (airbyte_cdk.sources.streams.http.rate_limiting.user_defined_backoff_handler: "extra second to
# cover any fractions of second").
CDK_EXTRA_SECONDS_PER_RETRY = 1.0


@pytest.fixture(scope="session", autouse=True)
def cdk_retries_without_the_cdk_s_extra_second():
    """Every in-process test (and module fixture): the CDK retries without the second it adds to each backoff.

    The connector waits out its own backoff (source_zoom.errors.ZoomBackoffStrategy, on the sync's
    stop event) and hands the CDK a token wait, which the CDK sleeps plus one second: in a test
    that plants a few dozen failures, most of its time. Only that added second goes; any wait the
    connector asks of the CDK is still slept in full, and what is retried, how often and in which
    order stays the CDK's and the connector's. (Tests that shorten the connector's own waits do so
    themselves; processes started by a test are left as they are, see
    integration_tests/quick_waits.py.)"""
    import inspect

    from airbyte_cdk.sources.streams.http import rate_limiting

    # Loud if the CDK changes: taking a second off a wait it no longer lengthens would shorten the connector's.
    assert "retry_after + 1" in inspect.getsource(rate_limiting.user_defined_backoff_handler), "the CDK no longer adds a second to each backoff"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rate_limiting, "time", SimpleNamespace(sleep=lambda seconds: time.sleep(max(0.0, seconds - CDK_EXTRA_SECONDS_PER_RETRY))))
        yield


def engine_required_by() -> List[str]:
    """The variables that make a Docker engine mandatory in this run (empty when none does)."""
    return [name for name in ENGINE_REQUIRED_BY if os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}]


def pytest_configure(config: pytest.Config) -> None:
    config.stash[DESELECTION_REASONS] = {}


def pytest_collection_modifyitems(config, items):
    """The CDK parametrizes every standard test with every scenario, then skips the combinations
    acceptance-test-config.yml does not list (discover and read of the wrong-secret scenario).
    Those runs cannot exist rather than checks left out: drop them at collection, so that a skip
    in this suite always means something."""
    impossible = [
        item
        for item in items
        if "test_standard_suite.py" in item.nodeid
        and "'invalid_config'" in item.nodeid
        and ("discover" in item.name or "read" in item.name)
    ]
    if impossible:
        reasons = config.stash[DESELECTION_REASONS]
        for item in impossible:
            reasons[item.nodeid] = "a wrong-secret scenario cannot discover or read (acceptance-test-config.yml lists check only)"
        config.hook.pytest_deselected(items=impossible)
        items[:] = [item for item in items if item not in impossible]
    if os.environ.get("PYTEST_XDIST_WORKER"):
        longest_first(items)


def longest_first(items: List[pytest.Item]) -> None:
    """Under pytest-xdist, work is handed out in collection order: the long tests go first (marked
    `slow`, then the other integration and image tests, then the unit tests), so that no worker
    starts a two-minute test when the others are done. The same order in every worker, as xdist
    requires."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("slow"):
            return 0
        if item.get_closest_marker("integration") or item.get_closest_marker("image_tests"):
            return 1
        return 2

    items.sort(key=rank)  # stable: within a rank, the usual order


# Modules whose tests must run on one worker under pytest-xdist (scripts/test.sh): their tests share
# a module fixture that is costly or must exist once (every first-hour case, the demo, a full sync, the two
# syncs from 2012, every page the fake serves for Zoom's types, the built image, PyAirbyte's
# environment) or a fixed path (the standard suite's scenario configs, named by
# acceptance-test-config.yml). Spread over the workers, each worker running one of their tests
# makes the fixture again (in one measured run: the 2012 syncs twice, the account tables' sync
# three times, the crawl for Zoom's types four times). Every other test goes to whichever worker
# is free. (pytest-xdist's own `xdist_group` mark does not group under pytest 9, which no longer
# keeps a node id in `_nodeid`.)
ONE_WORKER_MODULES = frozenset({
    "integration_tests/test_first_hour.py",
    "integration_tests/test_demo.py",
    "integration_tests/test_full_sync.py",
    "integration_tests/test_summaries_transcripts_qna_and_audit_logs.py",
    "integration_tests/test_account_tables.py",
    "integration_tests/test_history_cost.py",
    "unit_tests/test_zoom_types.py",
    "integration_tests/test_pyairbyte.py",
    "integration_tests/test_docker_image.py",
    "integration_tests/test_standard_suite.py",
})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """(pytest-xdist, in the controller) `--dist load` (what `-n` alone means), with the tests of each
    ONE_WORKER_MODULES module handed out together, as one unit of work."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return ModulesTogether(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist the workers collect and deselect, and the controller writes the summary:
    each worker hands its deselections over with its results."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["deselection_reasons"] = dict(session.config.stash[DESELECTION_REASONS])


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """(pytest-xdist, in the controller) A worker's deselections join the run's."""
    node.config.stash[DESELECTION_REASONS].update(getattr(node, "workeroutput", {}).get("deselection_reasons", {}))


def pytest_deselected(items) -> None:
    """Deselections by pytest itself (-k, -m, --deselect) get the command line as their reason."""
    for item in items:
        reasons = item.config.stash[DESELECTION_REASONS]
        if item.nodeid not in reasons:
            reasons[item.nodeid] = _command_line_filter(item.config)


def _command_line_filter(config: pytest.Config) -> str:
    parts = []
    if config.option.markexpr:
        parts.append(f"-m {config.option.markexpr!r}")
    if config.option.keyword:
        parts.append(f"-k {config.option.keyword!r}")
    if getattr(config.option, "deselect", None):
        parts.append("--deselect")
    return "not selected by the command line" + (f" ({' '.join(parts)})" if parts else "")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """A skipped image test fails where an engine is required: the CDK's own image tests decide
    their skip (`docker` not on PATH) before any fixture could look at SOURCE_ZOOM_REQUIRE_DOCKER."""
    report = yield
    required_by = engine_required_by()
    if report.skipped and not hasattr(report, "wasxfail") and item.get_closest_marker("image_tests") and required_by:
        report.outcome = "failed"
        report.longrepr = (
            f"image test SKIPPED where a Docker engine is required ({', '.join(required_by)} set), "
            f"so it counts as a failure: {_skip_reason(report)}"
        )
    return report


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """Every skipped and deselected test, with its reason, at the end of every run."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if not hasattr(r, "wasxfail")]
    reasons = config.stash.get(DESELECTION_REASONS, {})
    if not skipped and not reasons:
        return
    terminalreporter.section(f"not run: {len(skipped)} skipped, {len(reasons)} deselected (which and why)", sep="=")
    for report in skipped:
        terminalreporter.line(f"SKIPPED {report.nodeid}: {_skip_reason(report)}")
    by_reason: Dict[str, List[str]] = defaultdict(list)
    for nodeid, reason in reasons.items():
        by_reason[reason].append(nodeid)
    for reason, nodeids in by_reason.items():
        if reason.startswith("not selected by the command line") and len(nodeids) > LISTED_COMMAND_LINE_DESELECTIONS:
            terminalreporter.line(f"DESELECTED {len(nodeids)} tests: {reason}")
            continue
        for nodeid in nodeids:
            terminalreporter.line(f"DESELECTED {nodeid}: {reason}")
