"""The thread pool of one Zoom rate category: a fixed number of workers that run the oldest work first.

Every table of a category queues its requests on the same pool (at most `num_workers` each, see
fanout.map_in_order). Which queued request goes next decides nothing while Zoom's limits allow
every request of the sync, but a daily cap ends the day part-way: then the requests sent are the
ones the next day does not pay for again. Oldest first means a capped account is read from its
start_date forward, history before the latest day: a table that is caught up (its only window is
the last day, asked of every host by `report_meetings`) waits for the leftover capacity instead
of spending a share of every day's cap on a day an incremental sync reads again tomorrow anyway.
Equal dates go first in, first out.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from concurrent.futures import Future
from datetime import date
from typing import Any, Callable, List, Optional, Tuple

# The date of work that has none (not dated): before every dated one.
UNDATED = date.min


class OldestFirstPool:
    """`workers` daemon threads taking the queued call with the earliest date (then the first
    queued). Daemon threads: a stopped sync's process is never held by a worker's request (the
    sync's stop event ends their waits; run.py's watchdog, their requests)."""

    def __init__(self, workers: int, name: str):
        self._queue: List[Tuple[date, int, Future, Callable[[], Any]]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._shut = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable[..., Any], *args: Any, dated: Optional[date] = None) -> Future:
        future: Future = Future()
        with self._changed:
            if self._shut:
                raise RuntimeError("the pool is shut down")
            heapq.heappush(self._queue, (dated or UNDATED, next(self._order), future, lambda: function(*args)))
            self._changed.notify()
        return future

    def _work(self) -> None:
        while True:
            with self._changed:
                while not self._queue and not self._shut:
                    self._changed.wait()
                if not self._queue:
                    return
                _, _, future, call = heapq.heappop(self._queue)
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
                for _, _, future, _ in self._queue:
                    future.cancel()
                self._queue.clear()
            self._changed.notify_all()
