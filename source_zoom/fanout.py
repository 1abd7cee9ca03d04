"""The fan-out: a table's slices sent on the thread pool of its Zoom rate category, with the
accounting of slices that fail beyond retries.

Results come back in slice order, so that a window's records are all out before the state that
vouches for them. One slice that keeps failing is noted and the rest go on; a few failures in a
row mean the endpoint itself is down, and the table stops asking (each further slice would wait
out the whole retry budget).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Deque, Iterable, Iterator, List, Mapping, Optional, TypeVar

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import LoginFailed
from source_zoom.slicing import slice_window
from source_zoom.stopping import stop_requested
from source_zoom.windows import Window

if TYPE_CHECKING:
    from source_zoom.zoom_stream import ZoomStream

FAILED_SLICES_BEFORE_GIVING_UP = 3


@dataclass(frozen=True)
class FailedSlice:
    """A slice that failed beyond retries, and the date window its records belong to (None: not dated)."""

    message: str
    window: Optional[Window]


T = TypeVar("T")
R = TypeVar("R")


def map_in_order(pool: ThreadPoolExecutor, function: Callable[[T], R], items: Iterable[T], in_flight: int) -> Iterator[R]:
    """function(item) for every item on the pool, at most `in_flight` at a time, results in item order."""
    pending: Deque[Future] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def read_in_parallel(stream: "ZoomStream", slices: Iterable[Mapping[str, Any]], failures: List[FailedSlice]) -> Iterable[Mapping[str, Any]]:
    """The records of `slices` in slice order, `num_workers` requests at a time on the stream's
    category pool. A slice that fails beyond retries is noted in `failures`."""
    slices = iter(slices)
    if not stream.probed:
        # A table's first slice goes alone: if Zoom says the endpoint is gone or out of the app's
        # scopes, nothing else is sent (fanned out, up to num_workers would be, and how many
        # would depend on timing).
        first = next(slices, None)
        if first is not None:
            stream.probed = True
            yield from fetch_slice(stream, first, failures)
    worth_asking = (s for s in slices if not stops_asking(stream, failures))
    pool = stream.context.pools[stream.category]
    for records in map_in_order(pool, lambda s: fetch_slice(stream, s, failures), worth_asking, in_flight=stream.context.config.num_workers):
        yield from records


def stops_asking(stream: "ZoomStream", failures: List[FailedSlice]) -> bool:
    context = stream.context
    return context.stopped.is_set() or stop_requested() or bool(context.report.unavailable.get(stream.name)) or len(failures) >= FAILED_SLICES_BEFORE_GIVING_UP


def fetch_slice(stream: "ZoomStream", stream_slice: Mapping[str, Any], failures: List[FailedSlice]) -> List[Mapping[str, Any]]:
    if stops_asking(stream, failures):
        return []  # no request that cannot succeed
    try:
        return stream.fetch_slice(stream_slice)
    except AirbyteTracedException as error:
        if error.failure_type == FailureType.config_error or isinstance(error, LoginFailed):
            raise  # a login or config problem ends the sync with its own sentence, not one per table
        note_failure(stream, stream_slice, error, failures)
        return []
    except Exception as error:  # retries exhausted, or an answer the error table says to fail on
        note_failure(stream, stream_slice, error, failures)
        return []


def note_failure(stream: "ZoomStream", stream_slice: Mapping[str, Any], error: Exception, failures: List[FailedSlice]) -> None:
    failures.append(FailedSlice(getattr(error, "message", None) or f"{type(error).__name__}: {error}", slice_window(stream_slice)))
    stream.context.report.record_failed_slice(stream.name)
    if len(failures) == FAILED_SLICES_BEFORE_GIVING_UP:
        stream.logger.error(
            f"{stream.name}: {FAILED_SLICES_BEFORE_GIVING_UP} requests failed after every retry, so the rest of this table "
            "is not requested in this sync, which ends incomplete. Run it again later."
        )
