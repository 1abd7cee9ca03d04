"""The fan-out: a table's slices sent on the thread pool of its Zoom rate category, or, for a
slice as large as the account, read page by page in the table's own thread (read_slices says
why), with the accounting of slices that fail beyond retries (a window's failed slices are its gap).

Results come back in slice order, so that a window's records are all out before the state that
vouches for them. One slice that keeps failing is noted and the rest go on; a few failures in a
row mean the endpoint itself is down, and the table stops asking (each further slice would wait
out the whole retry budget).
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Generator, Iterable, Iterator, List, Mapping, Optional, Protocol, Tuple, TypeVar

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import LoginFailed
from source_zoom.errors import RequestFailed, RequestFailure
from source_zoom.incremental import CompletedWindowsCursor
from source_zoom.memo import Gap
from source_zoom.pools import CategoryPool
from source_zoom.records import SeenKeys
from source_zoom.slicing import NOTHING_TO_ASK, slice_window
from source_zoom.stopping import SyncStopped, stop_requested
from source_zoom.windows import Window



class FannedOut(Protocol):
    """What the fan-out needs of a table: where its requests go (its pool), and one slice's records."""

    name: str
    context: Any  # parents.SyncContext: the pools, the stop, the report, num_workers
    category: str
    probed: bool
    logger: logging.Logger
    parent_stream: Optional[Any]  # None: each slice is the whole account's (read_slices)

    def fetch_slice(self, stream_slice: Mapping[str, Any], seen: Optional[SeenKeys] = None) -> Optional[List[Mapping[str, Any]]]: ...

    def read_slice(self, stream_slice: Mapping[str, Any], seen: Optional[SeenKeys] = None) -> Iterable[Mapping[str, Any]]: ...

FAILED_SLICES_BEFORE_GIVING_UP = 3


@dataclass(frozen=True)
class FailedSlice:
    """A slice that failed beyond retries, the date window its records belong to (None: not
    dated), and what kind of failure it was (transient: Zoom or the network; system: an answer no
    retry can change)."""

    message: str
    window: Optional[Window]
    failure_type: FailureType = FailureType.transient_error
    failure: Optional[RequestFailure] = None  # the request's failure, as data (None: not a request's)


@dataclass
class ListingAttempt:
    """One listing of a stream (its table's read, or a memo's listing of it): the keys it emitted
    (a record listed twice goes out once) and the slices that failed. The same stream can be
    listed by two attempts at once, so none of this belongs to the stream."""

    seen: SeenKeys
    failures: List[FailedSlice] = field(default_factory=list)


T = TypeVar("T")
R = TypeVar("R")


def map_in_order(pool: CategoryPool, function: Callable[[T], R], items: Iterable[T], in_flight: int) -> Iterator[R]:
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


def read_window(
    stream: FannedOut, slices: Iterable[Mapping[str, Any]], attempt: ListingAttempt, gaps: List[Gap], cursor: Optional[CompletedWindowsCursor]
) -> Iterator[Mapping[str, Any]]:
    """One group's records, the cursor told what each slice read whole covers once its records
    are out; then its failed slices are a gap from the earliest window they belong to (from any
    day if one of them is not dated)."""
    before = len(attempt.failures)
    for stream_slice, records in read_slices(stream, slices, attempt):
        read_whole = yield from records
        covers = stream_slice.get("covers")
        # A slice Zoom would not serve (the table is unavailable: a missing scope) read nothing.
        if read_whole and cursor is not None and covers is not None and not stream.context.report.unavailable.get(stream.name):
            cursor.slice_read(covers.key, covers.until, covers.after)
    failed = attempt.failures[before:]
    if failed:
        days = [failure.window[0] for failure in failed if failure.window is not None]
        kind = FailureType.system_error if any(f.failure_type == FailureType.system_error for f in failed) else failed[0].failure_type
        first = next(f for f in failed if f.failure_type == kind)
        gaps.append(Gap(first.message, min(days) if len(days) == len(failed) else None, len(failed), failure_type=kind, failure=first.failure))


# A slice's records as they go out; the generator returns whether the slice was read whole.
SliceRecords = Generator[Mapping[str, Any], None, bool]


def read_slices(stream: FannedOut, slices: Iterable[Mapping[str, Any]], attempt: ListingAttempt) -> Iterator[Tuple[Mapping[str, Any], SliceRecords]]:
    """Each slice with its records, in slice order (a slice that failed beyond retries ends early,
    noted in the attempt's failures). Where a slice is read depends on how large it can be:

    - A listing without a parent (the users, the history listing, a month of the account's call
      history or recordings): each slice is the whole account's and grows with it. Gathered whole,
      and held in slice order behind one another on the pool, the slices of a table were all in
      memory at once (docs/benchmarks.md, "What holds it"). Its slices are read one after the other
      in the table's own thread, page by page (ZoomHttpStream.read_slice), so that at most a page
      of it is held; its requests go through the same client and rate budget, one at a time. Not
      on the pool: a pool thread that waited for the consumer to take a page would hold one of the
      workers every table of its category shares, and tables waiting on each other through their
      memos could leave none to serve them.
    - A child's slices (one meeting's participants): each bounded by its parent, not by the
      account, so they are fanned out on the category's pool, gathered whole, at most
      `num_workers` of them held at a time (read_in_parallel).
    """
    if stream.parent_stream is None:
        for stream_slice in slices:
            stream.probed = True  # each slice goes alone: the first too
            yield stream_slice, slice_records(stream, stream_slice, attempt, lambda s=stream_slice: stream.read_slice(s, attempt.seen))
            if stops_asking(stream, attempt.failures):
                return
        return
    for stream_slice, records in read_in_parallel(stream, slices, attempt):
        yield stream_slice, gathered_slice(records)


def gathered_slice(records: Optional[List[Mapping[str, Any]]]) -> SliceRecords:
    """A slice gathered whole, handed on (None: it was not read whole, and nothing of it goes out)."""
    if records is None:
        return False
    yield from records
    return True


def read_in_parallel(stream: FannedOut, slices: Iterable[Mapping[str, Any]], attempt: ListingAttempt) -> Iterator[Tuple[Mapping[str, Any], Optional[List[Mapping[str, Any]]]]]:
    """Each slice with its records gathered whole (None when it failed beyond retries, noted in
    the attempt's failures), in slice order, `num_workers` requests at a time on the stream's
    category pool."""
    slices = iter(slices)
    if not stream.probed:
        # A table's first request goes alone: if Zoom says the endpoint is gone or out of the app's
        # scopes, nothing else is sent (fanned out, up to num_workers would be, and how many
        # would depend on timing).
        for first in slices:
            yield first, fetch_slice(stream, first, attempt)
            if not first.get(NOTHING_TO_ASK):
                stream.probed = True
                break
    worth_asking = (s for s in slices if not stops_asking(stream, attempt.failures))
    pool = stream.context.pool(stream.category)
    yield from map_in_order(pool, lambda s: (s, fetch_slice(stream, s, attempt)), worth_asking, in_flight=stream.context.config.num_workers)


def stops_asking(stream: FannedOut, failures: List[FailedSlice]) -> bool:
    context = stream.context
    return context.stopped.is_set() or stop_requested() or bool(context.report.unavailable.get(stream.name)) or len(failures) >= FAILED_SLICES_BEFORE_GIVING_UP


def fetch_slice(stream: FannedOut, stream_slice: Mapping[str, Any], attempt: ListingAttempt) -> Optional[List[Mapping[str, Any]]]:
    """The slice's records gathered whole (on a pool thread), or None when it was not read whole:
    failed, not asked, or (a file table) not served by Zoom yet."""
    gathered: List[Mapping[str, Any]] = []
    reading = slice_records(stream, stream_slice, attempt, lambda: stream.fetch_slice(stream_slice, attempt.seen))
    while True:
        try:
            gathered.append(next(reading))
        except StopIteration as end:
            return gathered if end.value else None


def slice_records(stream: FannedOut, stream_slice: Mapping[str, Any], attempt: ListingAttempt, read: Callable[[], Optional[Iterable[Mapping[str, Any]]]]) -> SliceRecords:
    """The records `read()` gives of one slice, as they come; returns whether the slice was read
    whole. A failure beyond retries ends it, noted in the attempt's failures (records that went
    out before it stay out: the slice's gap keeps the state from vouching for the rest)."""
    failures = attempt.failures
    if stops_asking(stream, failures):
        return False  # no request that cannot succeed
    if stream_slice.get(NOTHING_TO_ASK):
        return True  # another listing answered it: nothing there, read whole
    try:
        records = read()
        if records is None:
            return False  # a file Zoom does not serve yet: not read
        yield from records
        return True
    except SyncStopped:
        return False  # the sync is over: nothing read after the stop is emitted or vouched for
    except AirbyteTracedException as error:
        if error.failure_type == FailureType.config_error or isinstance(error, LoginFailed):
            raise  # a login or config problem ends the sync with its own sentence, not one per table
        note_failure(stream, stream_slice, error, failures)
        return False
    except Exception as error:  # retries exhausted, or an answer the error table says to fail on
        note_failure(stream, stream_slice, error, failures)
        return False


def note_failure(stream: FannedOut, stream_slice: Mapping[str, Any], error: Exception, failures: List[FailedSlice]) -> None:
    # An exception that is not a traced one is a bug of the connector: no retry changes it.
    failure_type = error.failure_type if isinstance(error, AirbyteTracedException) and error.failure_type else FailureType.system_error
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    failures.append(FailedSlice(message, slice_window(stream_slice), failure_type, error.failure if isinstance(error, RequestFailed) else None))
    stream.context.report.record_failed_slice(stream.name)
    if len(failures) == FAILED_SLICES_BEFORE_GIVING_UP:
        stream.logger.error(
            f"{stream.name}: {FAILED_SLICES_BEFORE_GIVING_UP} requests failed after every retry, so the rest of this table "
            "is not requested in this sync, which ends incomplete. Run it again later."
        )
