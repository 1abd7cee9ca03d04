"""The thread pool of one Zoom rate category: a fixed number of daemon workers taking work in the
order it was queued.

Every table of a category queues its requests on the same pool (at most `num_workers` each, see
fanout.map_in_order), so the tables of a category share its rate. First in, first out: a listing
that other tables read through queues its requests as soon as it starts, and its readers' work
queues after it. Running the oldest *dated* work first instead (tried for capped accounts, so that
a daily cap ends a day on the newest work) made an uncapped Pro sync 13 % slower (wall/floor 1.21
against 1.07: `python -m benchmarks.full_sync --plans pro --skip-sequential`), most likely as
report_meetings' windows from start_date went before the history listing that the instance
tables wait for (not measured further). A capped account finishes within its bound either way
(`python -m benchmarks.capped_account`: 13 days of 14 allowed FIFO, 13 oldest-first).
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable, Deque, Tuple


class CategoryPool:
    """`workers` daemon threads taking queued calls first in, first out. Daemon threads, unlike
    ThreadPoolExecutor's (joined at exit): a stopped sync's process is never held by a worker's
    request (the sync's stop event ends their waits; run.py's watchdog, their requests)."""

    def __init__(self, workers: int, name: str):
        self._queue: Deque[Tuple[Future, Callable[[], Any]]] = deque()
        self._changed = threading.Condition()
        self._shut = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        with self._changed:
            if self._shut:
                raise RuntimeError("the pool is shut down")
            self._queue.append((future, lambda: function(*args)))
            self._changed.notify()
        return future

    def _work(self) -> None:
        while True:
            with self._changed:
                while not self._queue and not self._shut:
                    self._changed.wait()
                if not self._queue:
                    return
                future, call = self._queue.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)

    def shutdown(self, cancel_futures: bool = True) -> None:
        """No new work; queued work is cancelled (or left to run, with cancel_futures=False)."""
        with self._changed:
            self._shut = True
            if cancel_futures:
                for future, _ in self._queue:
                    future.cancel()
                self._queue.clear()
            self._changed.notify_all()
