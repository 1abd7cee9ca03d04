"""A Zoom table and how it is read, in one module: `ZoomStream`, the class every table
subclasses, declares nothing and fetches nothing itself (http_stream.ZoomHttpStream turns the
declaration into the CDK's hooks); its `read_records` hands the read to `read_table` below, which
drives it. One module, so that a reader sees in one file how a table's records come, and the
stream never calls back into a read path elsewhere.

How a table is read, top to bottom, as one pipeline that enters each room in turn: the joined
listings' records from their memos (memo.py), each key once (records.py); its slices (slicing.py),
grouped by date window, go out on its category's pool, or page by page in the table's own thread
when a slice is as large as the account (fanout.py), which tells the table's cursor what each
slice read whole covers (incremental.py); the records come back in slice order. A table
that others read through also keeps its records in its memo (memo.py, which decides what happens
when the table stops part-way), window by window as it emits them. After each window read whole,
the table's state moves, unless what it reads through is short (incremental.py, which also says
how the table ends).

The rule that keeps state honest: a window counts as read only if every slice of it was read and
nothing the table reads through (its parents, the listings it joins, their parents) has a gap
reaching into that window, and none of them was unavailable. A gap found in a parent's window W
leaves every earlier window of its readers intact: their state moves up to W, not beyond.
"""

from __future__ import annotations

import logging
from abc import ABC
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.core import StreamData

from source_zoom.declarations import Join
from source_zoom.fanout import FannedOut, ListingAttempt, read_window, stops_asking
from source_zoom.http_stream import ZoomHttpStream
from source_zoom.incremental import CompletedWindowsCursor, Reader, blocked, end_of_table
from source_zoom.memo import Gap
from source_zoom.records import SeenKeys, joined_records
from source_zoom.slicing import Sliced, slice_groups
from source_zoom.stopping import stop_requested
from source_zoom.windows import Window, starts_before

logger = logging.getLogger("airbyte")


class ZoomStream(ZoomHttpStream, ABC):
    """One Zoom table (or a hidden parent): class attributes only (see ZoomHttpStream)."""

    def read_records(self, sync_mode: SyncMode, cursor_field: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, stream_state: Any = None) -> Iterable[StreamData]:
        return read_table(self)

    def fetch_all_records(self, gaps: List[Gap]) -> Iterable[Mapping[str, Any]]:
        """Every record, for a memo a thread of its own fills (the stream is not a table of the catalog)."""
        return fetch_all_records(self, gaps)


class Table(Sliced, FannedOut, Reader, Protocol):
    """What the read path needs of a table (a ZoomStream): what slicing and the fan-out need,
    what the verdict on its gaps needs (incremental.py), the listings it joins, and how it keeps
    a record."""

    joins: Sequence[Join]
    joined_streams: List[Any]
    is_selected_table: bool

    def prepare(self) -> None: ...

    def primary_key_fields(self) -> List[str]: ...

    def keeps_instance(self, record: Mapping[str, Any]) -> bool: ...


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
    listings = joined_listings(stream)
    attempt = ListingAttempt(SeenKeys(stream.primary_key_fields()))
    if stream.joins:
        yield None, joined_records(listings, stream.keeps_instance, attempt.seen)
    for window, slices in slice_groups(stream):
        yield window, read_window(stream, slices, attempt, gaps, cursor)
        if stops_asking(stream, attempt.failures):
            break
    if stopped(stream):
        gaps.append(Gap("the sync stopped before this listing ended", None, 0))


def stopped(stream: Table) -> bool:
    """The sync was stopped (its consumer is gone, or a signal): nothing after it is vouched for."""
    return stream.context.stopped.is_set() or stop_requested()


def joined_listings(stream: Table) -> Iterator[Tuple[Join, Iterable[Mapping]]]:
    """Each listing the table joins, with its memo's records (walked only when the joined records
    are read), but one joined only for what it reads for its own table while that table is not
    read in this sync."""
    for join, source in zip(stream.joins, stream.joined_streams):
        if join.only_what_it_reads_anyway and stream.context.selected is not None and not source.is_selected_table:
            continue  # that listing is not read for its own table in this sync
        yield join, stream.context.memo(source).walk()


def fetch_all_records(stream: Table, gaps: List[Gap]) -> Iterable[Mapping]:
    """Every record of the stream, for a memo a thread of its own fills (the stream is not a table of the catalog)."""
    for _, records in listing(stream, gaps):
        yield from records
