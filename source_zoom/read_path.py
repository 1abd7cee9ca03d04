"""How a table is read, top to bottom: its slices (slicing.py), grouped by date window, go out on
its category's pool (fanout.py); the records come back in slice order; after each window read
whole, the table's state moves (incremental.py). A parent table also keeps its records in its
memo (parents.py) for the tables that read it.

The rule that keeps state honest: a window counts as read only if every slice of it was read and
nothing the table reads through (its parent listings, their parents) failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, List, Mapping

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.fanout import read_in_parallel
from source_zoom.slicing import slice_groups
from source_zoom.windows import starts_before

if TYPE_CHECKING:
    from source_zoom.zoom_stream import ZoomStream


def read_table(stream: "ZoomStream") -> Iterable[Mapping]:
    """The records of one table of the catalog, and its state window by window."""
    if stream.has_children:
        memo = stream.context.memo(stream)
        # The memo reaches back as far as the neediest reader; this table only to its own floor.
        yield from (record for record in memo.fill_emitting() if not starts_before(record, stream.record_floor))
        end_of_table(stream, [])
        if stream.window_cursor is not None:
            stream.window_cursor.window_read(stream.windows()[-1][1])
        return
    failures: List[str] = []
    for window_end, slices in slice_groups(stream):
        yield from read_in_parallel(stream, slices, failures)
        if failures or upstream_failures(stream) or stream.context.report.unavailable.get(stream.name):
            break  # the state must not move past a window that was not read whole
        if stream.window_cursor is not None and window_end is not None:
            # Queued by this thread behind the window's records: no state overtakes its records.
            stream.window_cursor.window_read(window_end)
    end_of_table(stream, failures)


def fetch_all_records(stream: "ZoomStream", failures: List[str]) -> Iterable[Mapping]:
    """Every record over every slice, straight from Zoom (used to fill the stream's memo)."""
    if stream.joined_stream is not None:
        for record in stream.context.memo(stream.joined_stream).records():
            if stream._first_time_seen(record):
                yield record
    for _, slices in slice_groups(stream):
        yield from read_in_parallel(stream, slices, failures)


def upstream_failures(stream: "ZoomStream") -> List[str]:
    """Failures of the parent listings this stream reads: its own list of parents is short then."""
    found: List[str] = []
    for source in (stream.parent_stream, stream.joined_stream):
        if source is not None:
            found += [f"{source.name}: {failure}" for failure in stream.context.memo(source).failures] + upstream_failures(source)
    return found


def end_of_table(stream: "ZoomStream", failures: List[str]) -> None:
    own = failures + (stream.context.memo(stream).failures if stream.has_children else [])
    upstream = upstream_failures(stream)
    if not own and not upstream:
        return
    problems = []
    if own:
        problems.append(f"{len(own)} request(s) failed after every retry (first: {own[0]})")
    if upstream:
        problems.append(f"a parent listing is incomplete ({upstream[0]})")
    raise AirbyteTracedException(
        message=f"{stream.name} is incomplete: {'; '.join(problems)}. Its state did not move past the gap; run the sync again.",
        failure_type=FailureType.transient_error,
    )
