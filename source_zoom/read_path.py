"""How a table is read, top to bottom: its slices (slicing.py), grouped by date window, go out on
its category's pool (fanout.py); the records come back in slice order; after each window read
whole, the table's state moves (incremental.py). A table that others read through also keeps its
records in its memo (memo.py, which decides what happens when the table stops part-way), window by
window as it emits them.

The rule that keeps state honest: a window counts as read only if every slice of it was read and
nothing the table reads through (its parents, the listings it joins, their parents) has a gap
reaching into that window, and none of them was unavailable. A gap found in a parent's window W
leaves every earlier window of its readers intact: their state moves up to W, not beyond.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.declarations import Join
from source_zoom.errors import Fault, TableFailure
from source_zoom.fanout import FannedOut, ListingAttempt, read_in_parallel, stops_asking
from source_zoom.incremental import CompletedWindowsCursor
from source_zoom.memo import Gap
from source_zoom.records import SeenKeys, joined_record
from source_zoom.slicing import Sliced, slice_groups
from source_zoom.stopping import stop_requested
from source_zoom.windows import Window, starts_before

logger = logging.getLogger("airbyte")


class Table(Sliced, FannedOut, Protocol):
    """What the read path needs of a table (a zoom_stream.ZoomStream): what slicing and the
    fan-out need, the listings it reads through, and how it keeps a record."""

    joins: Sequence[Join]
    joined_streams: List[Any]
    sources: List[Any]
    is_selected_table: bool

    def prepare(self) -> None: ...

    def primary_key_fields(self) -> List[str]: ...

    def keeps_instance(self, record: Mapping[str, Any]) -> bool: ...

    def takes_only_what_is_read(self, source: Any) -> bool: ...


def read_table(stream: Table) -> Iterable[Mapping]:
    """The records of one table of the catalog, its memo if others read it, and its state window by window."""
    gaps: List[Gap] = []
    state_can_move = True
    # A generator: nothing is asked before its first window is taken, inside the reading and after prepare().
    windows = listing(stream, gaps, stream.window_cursor)
    with stream.context.memos.reading(stream) as reading:
        memo = reading.fills
        stream.prepare()  # inside: a failure here must still end the reading (memo.py decides what follows)
        for window, records in windows:
            for record in records:
                if memo is not None:
                    memo.keep(record)
                # A memo reaches back as far as its neediest reader; the table only to its own floor.
                if not starts_before(record, stream.record_floor):
                    yield record
            if window is None:
                continue  # records of any window (or none): no state vouches for them alone
            state_can_move = state_can_move and not any(gap.reaches(window) for gap in gaps) and not blocked(stream, window)
            state_can_move = state_can_move and not stopped(stream)
            if stream.window_cursor is not None and not stopped(stream):
                # Queued by this thread behind the window's records: no state overtakes its records.
                if state_can_move:
                    stream.window_cursor.window_read(window[1], stream.context.unfinished_since(stream))
                stream.window_cursor.checkpoint()  # what was read past the cursor, when it cannot move
        if memo is not None:
            memo.finish(gaps)
    if stream.window_cursor is not None and not stopped(stream):
        stream.window_cursor.checkpoint()
    end_of_table(stream, gaps)


def listing(stream: Table, gaps: List[Gap], cursor: Optional[CompletedWindowsCursor] = None) -> Iterator[Tuple[Optional[Window], Iterable[Mapping]]]:
    """The stream's records straight from Zoom, grouped by date window (None: not dated): the
    joined listings' records first, then its own slices. A window whose slices failed adds a gap.
    `cursor`: the table's, told what each slice read whole covers (only a table's own reading
    emits the records, so only it may vouch for them)."""
    attempt = ListingAttempt(SeenKeys(stream.primary_key_fields()))
    joined = joined_records(stream, attempt.seen)
    if joined is not None:
        yield None, joined
    for window, slices in slice_groups(stream):
        yield window, window_records(stream, slices, attempt, gaps, cursor)
        if stops_asking(stream, attempt.failures):
            break
    if stopped(stream):
        gaps.append(Gap("the sync stopped before this listing ended", None, 0))


def window_records(
    stream: Table, slices: Iterable[Mapping], attempt: ListingAttempt, gaps: List[Gap], cursor: Optional[CompletedWindowsCursor]
) -> Iterator[Mapping]:
    """One group's records, the cursor told what each slice read whole covers once its records
    are out; then its failed slices are a gap from the earliest window they belong to (from any
    day if one of them is not dated)."""
    before = len(attempt.failures)
    for stream_slice, records in read_in_parallel(stream, slices, attempt):
        if records is None:
            continue
        yield from records
        covers = stream_slice.get("covers")
        # A slice Zoom would not serve (the table is unavailable: a missing scope) read nothing.
        if cursor is not None and covers is not None and not stream.context.report.unavailable.get(stream.name):
            cursor.slice_read(covers.key, covers.until, covers.after)
    failed = attempt.failures[before:]
    if failed:
        days = [failure.window[0] for failure in failed if failure.window is not None]
        kind = FailureType.system_error if any(f.failure_type == FailureType.system_error for f in failed) else failed[0].failure_type
        first = next(f for f in failed if f.failure_type == kind)
        gaps.append(Gap(first.message, min(days) if len(days) == len(failed) else None, len(failed), failure_type=kind, failure=first.failure))


def stopped(stream: Table) -> bool:
    """The sync was stopped (its consumer is gone, or a signal): nothing after it is vouched for."""
    return stream.context.stopped.is_set() or stop_requested()


def joined_records(stream: Table, seen: SeenKeys) -> Optional[Iterable[Mapping]]:
    if not stream.joins:
        return None

    def records() -> Iterator[Mapping]:
        for join, source in zip(stream.joins, stream.joined_streams):
            if join.only_what_it_reads_anyway and stream.context.selected is not None and not source.is_selected_table:
                continue  # that listing is not read for its own table in this sync
            for record in stream.context.memo(source).walk():
                if join.keeps(record):
                    record = joined_record(join, record)
                    if stream.keeps_instance(record) and seen.first_time(record):
                        yield record

    return records()


def fetch_all_records(stream: Table, gaps: List[Gap]) -> Iterable[Mapping]:
    """Every record of the stream, for a memo a thread of its own fills (the stream is not a table of the catalog)."""
    for _, records in listing(stream, gaps):
        yield from records


def upstream_gaps(stream: Table) -> List[Gap]:
    """What the stream reads through that is short: gaps of its sources' listings (and theirs),
    and sources Zoom would not serve at all (unavailable: a gap from the beginning). A listing
    joined only for what it reads for its own table anyway (`Join.only_what_it_reads_anyway`) adds
    nothing another source lacks, so its gaps make no reader short."""
    found: List[Gap] = []
    for source in stream.sources:
        if stream.takes_only_what_is_read(source):
            continue
        unavailable = stream.context.report.unavailable.get(source.name)
        if unavailable:
            said = source.name in stream.context.report.said_for_product
            found.append(Gap(f"{source.name} is unavailable ({unavailable})", None, 0, unavailable=True, said=said))
        found += [gap.through(source.name) for gap in stream.context.memo(source).gaps] + upstream_gaps(source)
    return found


def blocked(stream: Table, window: Optional[Window]) -> bool:
    """Whether an upstream gap or the stream's own unavailability keeps this window from counting as read."""
    if stream.context.report.unavailable.get(stream.name):
        return True
    return any(gap.reaches(window) for gap in upstream_gaps(stream))


def end_of_table(stream: Table, gaps: List[Gap]) -> None:
    """A table that read everything ends quietly; one whose parents were unavailable ends with a
    warning (it is not this sync's fault, and the state waits for the data); any other gap ends it
    incomplete, with the first failure named and the failure type of what went wrong: an answer
    no retry changes (system_error) before a daily cap before Zoom or the network failing
    (transient_error, which the platform retries on its own)."""
    upstream = upstream_gaps(stream)
    failed = [gap for gap in gaps + upstream if not gap.unavailable]
    if not failed:
        if any(not gap.said for gap in upstream):
            stream.logger.warning(
                f"{stream.name}: not read, because {upstream[0].message}; its state stays where it was, so the next "
                "sync after Zoom serves it reads this table's whole history."
            )
        return
    own = [gap for gap in gaps if not gap.unavailable]
    refused = [gap for gap in own if gap.failure_type == FailureType.system_error]
    if refused:
        fail(stream, TableFailure(
            stream.name,
            f"{stream.name} is incomplete: Zoom refused {sum(gap.requests for gap in refused)} request(s) (first: "
            f"{refused[0].message}). Its state stays before the gap while the other tables finish, and asking again gets the "
            "same answer: report this message to the connector's maintainers.",
            FailureType.system_error,
            cause=refused[0].failure,
            names_own=True,
        ), internal_message="; ".join(gap.message for gap in failed[:3]))
    daily = next((gap.failure for gap in failed if gap.failure is not None and gap.failure.fault == Fault.DAILY_CAP), None)
    if daily is not None:
        fail(stream, TableFailure(
            stream.name,
            f"{stream.name} stopped at Zoom's daily {daily.category + ' ' if daily.category else ''}rate limit, used up until "
            f"{daily.resets_at:%Y-%m-%dT%H:%M:%SZ}: what it read is in its state, and a sync after that time continues from there.",
            FailureType.transient_error,
            daily_cap=daily,
        ), internal_message="; ".join(gap.message for gap in failed[:3]))
    problems = []
    requests = sum(gap.requests for gap in own)
    if requests:
        problems.append(f"{requests} request(s) failed after every retry (first: {own[0].message})")
    upstream_failed = [gap for gap in upstream if not gap.unavailable]
    if upstream_failed:
        problems.append(f"a parent listing is incomplete ({upstream_failed[0].message})")
    if not problems:  # only a stop: nothing after it reaches anyone
        problems.append(own[0].message)
    fail(stream, TableFailure(
        stream.name,
        f"{stream.name} is incomplete: {'; '.join(problems)}. Its state did not move past the gap; run the sync again.",
        FailureType.transient_error,
        cause=own[0].failure if requests else (upstream_failed[0].failure if upstream_failed else None),
        names_own=bool(requests),
    ))


def fail(stream: Table, failure: TableFailure, internal_message: Optional[str] = None) -> None:
    """Ends the table with its failure: kept as data for the sync's closing sentence, raised as its error."""
    stream.context.report.table_failed(failure)
    raise AirbyteTracedException(message=failure.message, internal_message=internal_message, failure_type=failure.failure_type)
