"""The category pool: daemon workers taking work first in, first out (a listing others read
through is never held behind its readers' work, queued after it)."""

from __future__ import annotations

import threading
import pytest

from source_zoom.pools import CategoryPool


def test_given_queued_work_when_a_worker_frees_then_it_runs_in_the_order_queued():
    pool = CategoryPool(1, "test")
    started, release = threading.Event(), threading.Event()
    ran = []
    blocker = pool.submit(lambda: (started.set(), release.wait(5)))
    assert started.wait(5)  # the one worker is busy: everything below queues
    futures = [pool.submit(ran.append, name) for name in ("history listing", "report window 1", "report window 2", "participants")]
    release.set()
    for future in [blocker, *futures]:
        future.result(timeout=5)

    assert ran == ["history listing", "report window 1", "report window 2", "participants"]
    pool.shutdown()


def test_given_a_failing_call_then_its_future_raises_and_the_pool_goes_on():
    pool = CategoryPool(2, "test")

    with pytest.raises(ZeroDivisionError):
        pool.submit(lambda: 1 / 0).result(timeout=5)
    assert pool.submit(lambda: 42).result(timeout=5) == 42
    pool.shutdown()


def test_given_queued_work_when_the_pool_shuts_down_then_it_is_cancelled_and_nothing_new_is_taken():
    pool = CategoryPool(1, "test")
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


def test_given_a_pool_then_its_workers_are_daemon_threads_that_never_hold_the_process_at_exit():
    pool = CategoryPool(3, "test")

    assert [thread.daemon for thread in pool._threads] == [True, True, True]
    pool.shutdown()
