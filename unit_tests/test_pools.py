"""The category pool runs the oldest queued work first (a daily cap then ends a day on the newest
work, which the next sync asks again anyway), equal dates first in, first out."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from source_zoom.pools import OldestFirstPool


def test_given_queued_work_of_several_dates_when_a_worker_frees_then_the_oldest_goes_first_and_equal_dates_in_order():
    pool = OldestFirstPool(1, "test")
    started, release = threading.Event(), threading.Event()
    ran = []
    blocker = pool.submit(lambda: (started.set(), release.wait(5)))
    assert started.wait(5)  # the one worker is busy: everything below queues
    futures = [
        pool.submit(ran.append, name, dated=day)
        for name, day in [("yesterday", date(2026, 12, 3)), ("june", date(2026, 6, 1)), ("undated", None), ("june again", date(2026, 6, 1))]
    ]
    release.set()
    for future in [blocker, *futures]:
        future.result(timeout=5)

    assert ran == ["undated", "june", "june again", "yesterday"]
    pool.shutdown()


def test_given_a_failing_call_then_its_future_raises_and_the_pool_goes_on():
    pool = OldestFirstPool(2, "test")

    with pytest.raises(ZeroDivisionError):
        pool.submit(lambda: 1 / 0).result(timeout=5)
    assert pool.submit(lambda: 42).result(timeout=5) == 42
    pool.shutdown()


def test_given_queued_work_when_the_pool_shuts_down_then_it_is_cancelled_and_nothing_new_is_taken():
    pool = OldestFirstPool(1, "test")
    started, release = threading.Event(), threading.Event()
    busy = pool.submit(lambda: (started.set(), release.wait(5))[1])
    assert started.wait(5)
    queued = pool.submit(lambda: "never")

    pool.shutdown(cancel_futures=True)
    release.set()

    assert busy.result(timeout=5) is True
    assert queued.cancelled()
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
