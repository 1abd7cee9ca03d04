"""Fixtures most integration modules share: the fake Zoom API with its default dataset, started
once per module, and what `discover` finds on it. A module that needs another dataset (or a
fresh fake per test) defines its own `fake`, which takes precedence over this one."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests import launcher
from integration_tests.sync_support import discover_streams


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeZoomServer]:
    with FakeZoomServer(FakeZoomConfig.default()) as server:
        yield server


@pytest.fixture(scope="module")
def discovered(fake: FakeZoomServer) -> List[Dict[str, Any]]:
    return discover_streams(fake.connector_config())


@pytest.fixture
def keys(discovered: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Each table's primary key as discover offers it, for comparing records with the truth (per
    test: a module may discover anew for each of its tests, as test_incremental does)."""
    return {stream["name"]: stream["source_defined_primary_key"] for stream in discovered}


@pytest.fixture(scope="module")
def unpaced_in_process() -> Iterator[None]:
    """The module's in-process syncs unpaced, as the launcher's `paced=False` children are: for
    modules (`pytest.mark.usefixtures("unpaced_in_process")`) whose fakes have no per-second limits
    and that do not test pacing. Against such a fake the connector still paces itself at the plan's
    rates (38 Heavy requests a second on Business), most of a sync's wall time; unpaced, what is
    asked, in which order, retried and counted against a daily cap stays the connector's own."""
    from source_zoom import rate_limits

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rate_limits, "API_RATES", launcher.unpaced_rates(rate_limits.API_RATES))
        yield
