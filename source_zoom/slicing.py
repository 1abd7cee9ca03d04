"""Slices as data: what a table's requests are sliced by.

A slice is the product of a few named dimensions, each declared by the table:
- its parent's records (`parent`), kept only where the table's `parent_filter` holds
  (e.g. registration is on: no registrant listing of a meeting without registration);
- one value of a query parameter per slice (`each_value`, e.g. the registrant statuses Zoom
  can hold for that parent);
- a date window (`dates`, see windows.py): requested as `from`/`to`, or the window a parent
  instance started in, so that state can move window by window.

`slice_groups` yields the slices grouped by window (None: a group after which no state moves), in
window order, taking the parent's records as they are listed. A slice of an incremental table
also says what reading it whole vouches for (`Covers`), and a slice an earlier sync read whole
(its state's `read_beyond_cursor`) is not made again.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple

from source_zoom.declarations import EachValue, ParentFilter
from source_zoom.incremental import CompletedWindowsCursor
from source_zoom.windows import DatePolicy, Window, Windows, end_of_day, first_day_of, parse_zoom_time, start_of_day, window_of

if TYPE_CHECKING:
    from source_zoom.memo import MemoWalk

Slice = Mapping[str, Any]


class Sliced(Protocol):
    """What slicing needs of a table: its declared dimensions, its windows, its parent's walk,
    and what its state says was read."""

    parent_stream: Optional[Any]
    parent_filter: Optional[ParentFilter]
    each_value: Sequence[EachValue]
    dates: DatePolicy
    window_cursor: Optional[CompletedWindowsCursor]
    skips_what_it_read: bool
    record_floor: Optional[datetime]

    def windows(self) -> List[Window]: ...

    def parent_walk(self) -> "MemoWalk": ...

    def parents_in_window(self, parents: Iterable[Mapping[str, Any]], window: Window) -> Iterable[Tuple[Mapping[str, Any], bool]]: ...


@dataclass(frozen=True)
class Covers:
    """What reading a slice whole vouches for: everything under `key` (its parent, and the query
    values it asks) that started before `until`, once everything under it that started before
    `after` is read (None: nothing needed)."""

    key: str
    until: datetime
    after: Optional[datetime] = None


# One second past an instance's start: reading the instance's slice covers that instance.
AN_INSTANCE = timedelta(seconds=1)
# A slice another listing answers already (it names nothing of the parent in the window): no
# request goes out, and reading it still vouches for the parent's window in the table's state.
NOTHING_TO_ASK = "nothing_to_ask"


def parent_key(parent: Mapping[str, Any], params: Mapping[str, str]) -> str:
    key = str(parent.get("uuid") or parent.get("id"))
    return key + "".join(f"&{name}={value}" for name, value in sorted(params.items()))


def make_slice(parent: Optional[Mapping[str, Any]], params: Mapping[str, str], window: Optional[Tuple[date, date]] = None) -> Dict[str, Any]:
    stream_slice: Dict[str, Any] = {"parent": parent} if parent is not None else {}
    if params:
        stream_slice["params"] = dict(params)
    if window is not None:
        stream_slice.update({"from": window[0].isoformat(), "to": window[1].isoformat()})
    return stream_slice


def read_before(stream: Sliced, key: str) -> Optional[datetime]:
    """Until when an earlier sync (or this one) read everything under `key`, when the table may skip it."""
    cursor = stream.window_cursor
    return cursor.read_until(key) if cursor is not None and stream.skips_what_it_read else None


def window_slices(stream: Sliced, parents: Iterable[Mapping[str, Any]], window: Window, first: bool) -> Iterator[Slice]:
    """One window's slices of a table asking one request per parent and window, each saying what it
    covers (everything of its parent until the window's end, once the windows before are read),
    without those an earlier sync read; a parent the table need not ask for the window
    (`parents_in_window`) gets a slice that asks nothing."""
    until = end_of_day(window[1])
    for parent, worth_asking in stream.parents_in_window(parents, window):
        # No window before the parent came to be (a user's recordings and reports); the first
        # window after it needs nothing before it.
        first_day = first_day_of(parent)
        if first_day is not None and window[1] < first_day:
            continue
        after = None if first or (first_day is not None and window[0] <= first_day) else start_of_day(window[0])
        for params in value_combinations(stream, parent):
            key = parent_key(parent, params)
            read = read_before(stream, key)
            if read is not None and read >= until:
                continue
            stream_slice = {**make_slice(parent, params, window), "covers": Covers(key, until, after)}
            yield stream_slice if worth_asking else {**stream_slice, NOTHING_TO_ASK: True}


def value_combinations(stream: Sliced, parent: Mapping[str, Any]) -> Iterable[Mapping[str, str]]:
    if not stream.each_value:
        return [{}]
    choices = [[(dimension.param, value) for value in dimension.values_for(parent)] for dimension in stream.each_value]
    return [dict(combination) for combination in itertools.product(*choices)]


def accepted(stream: Sliced, parents: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    return (parent for parent in parents if stream.parent_filter is None or stream.parent_filter.keeps(parent))


def slice_groups(stream: Sliced) -> Iterable[Tuple[Optional[Window], Iterable[Slice]]]:
    """Slices to send, grouped by the date window they belong to (None: no state moves after the
    group), in window order so that the state can move window by window.

    The parent's records are taken as its listing goes on (memo.MemoWalk): a table does not
    wait for the whole parent listing before its first request. What needs the whole listing
    waits for it: a window's state, and the second window of a table that asks one per request."""
    if not stream.parent_stream:
        for window in stream.windows() if stream.dates.windows == Windows.REQUESTED else [None]:
            yield window, [make_slice(None, params, window) for params in value_combinations(stream, {})]
        return
    walk = stream.parent_walk()
    windows = stream.dates.windows
    if windows == Windows.REQUESTED:
        listed: List[Mapping[str, Any]] = []

        def first_time_through() -> Iterator[Mapping[str, Any]]:
            for parent in accepted(stream, walk):
                listed.append(parent)
                yield parent

        for index, window in enumerate(stream.windows()):
            parents = first_time_through() if index == 0 else listed
            yield window, window_slices(stream, parents, window, first=index == 0)
    elif windows == Windows.BY_PARENT_START:
        yield from by_parent_start(stream, walk)
    else:
        yield None, (make_slice(parent, params) for parent in accepted(stream, walk) for params in value_combinations(stream, parent))


def by_parent_start(stream: Sliced, walk: "MemoWalk") -> Iterable[Tuple[Optional[Window], Iterable[Slice]]]:
    """While the parent is listed, its instances are sliced as they come, each slice tagged with
    the window its instance started in (a failure then blocks that window on); once the listing
    is complete, the instances not sent yet go window by window, and each window's state can move."""
    table_windows = stream.windows()
    floor = stream.record_floor

    def with_windows(parents: Iterable[Mapping[str, Any]]) -> Iterator[Tuple[Window, Mapping[str, Any]]]:
        for parent in accepted(stream, parents):
            started = parse_zoom_time(parent.get("start_time"))
            if floor is not None and started is not None and started < floor:
                continue  # read by an earlier sync
            yield window_of(started, table_windows), parent

    def sliced(window: Window, parent: Mapping[str, Any]) -> Iterator[Slice]:
        started = parse_zoom_time(parent.get("start_time"))
        for params in value_combinations(stream, parent):
            stream_slice = {**make_slice(parent, params), "window": window}
            if started is not None:
                key = parent_key(parent, params)
                read = read_before(stream, key)
                if read is not None and read > started:
                    continue  # an earlier sync read this instance whole
                stream_slice["covers"] = Covers(key, started + AN_INSTANCE)
            yield stream_slice

    yield None, (s for window, parent in with_windows(walk.while_listing()) for s in sliced(window, parent))
    # Parents, not slices, are grouped: a slice is made only when it is sent.
    by_window: Dict[Window, List[Mapping[str, Any]]] = {window: [] for window in table_windows}
    for window, parent in with_windows(walk.rest()):
        by_window[window].append(parent)
    for window in table_windows:
        yield window, (s for parent in by_window.pop(window) for s in sliced(window, parent))


def slice_window(stream_slice: Mapping[str, Any]) -> Optional[Window]:
    """The window a slice's records belong to: the one it asks for, or the one its instance started in."""
    if "window" in stream_slice:
        return stream_slice["window"]
    if "from" in stream_slice:
        return date.fromisoformat(stream_slice["from"]), date.fromisoformat(stream_slice["to"])
    return None

