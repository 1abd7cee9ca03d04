"""The process-wide stop flag that SIGTERM sets (source_zoom/run.py) and request code reads."""

from __future__ import annotations

import pytest

from source_zoom import stopping


@pytest.fixture(autouse=True)
def clear_the_flag():
    stopping.STOP.clear()
    yield
    stopping.STOP.clear()


def test_given_no_stop_requested_then_work_may_start():
    stopping.check_not_stopped()

    assert not stopping.stop_requested()


def test_given_a_stop_requested_then_no_new_work_starts():
    stopping.request_stop()

    assert stopping.stop_requested()
    with pytest.raises(stopping.SyncStopped, match="asked to stop"):
        stopping.check_not_stopped()
