"""Slices as data: what a table's requests are sliced by.

A slice is the product of a few named dimensions, each declared by the table:
- its parent's records (`parent`), kept only where the table's `parent_filter` holds
  (e.g. registration is on: no registrant listing of a meeting without registration);
- one value of a query parameter per slice (`each_value`, e.g. the registrant statuses Zoom
  can hold for that parent);
- a date window (`dates`, see windows.py): requested as `from`/`to`, or the window a parent
  instance started in, so that state can move window by window.

`slice_groups` yields the slices grouped by window end (None when not dated), in window order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from source_zoom.incremental import parse_zoom_time
from source_zoom.parents import has_registration
from source_zoom.windows import Windows, window_of

if TYPE_CHECKING:
    from source_zoom.zoom_stream import ZoomStream

Slice = Mapping[str, Any]


@dataclass(frozen=True)
class ParentFilter:
    """Which parent records a table is asked for; `reason` says why the others are not."""

    reason: str
    keeps: Callable[[Mapping[str, Any]], bool]


REGISTRATION_ON = ParentFilter("registration is off (Zoom answers 3000)", has_registration)


@dataclass(frozen=True)
class EachValue:
    """One slice per value of query parameter `param`: the values Zoom can hold for the parent."""

    param: str
    values_for: Callable[[Mapping[str, Any]], Sequence[str]]


def make_slice(parent: Optional[Mapping[str, Any]], params: Mapping[str, str], window: Optional[Tuple[date, date]] = None) -> Dict[str, Any]:
    stream_slice: Dict[str, Any] = {"parent": parent} if parent is not None else {}
    if params:
        stream_slice["params"] = dict(params)
    if window is not None:
        stream_slice.update({"from": window[0].isoformat(), "to": window[1].isoformat()})
    return stream_slice


def value_combinations(stream: "ZoomStream", parent: Mapping[str, Any]) -> Iterable[Mapping[str, str]]:
    if not stream.each_value:
        return [{}]
    choices = [[(dimension.param, value) for value in dimension.values_for(parent)] for dimension in stream.each_value]
    return [dict(combination) for combination in itertools.product(*choices)]


def accepted_parents(stream: "ZoomStream") -> Iterable[Optional[Mapping[str, Any]]]:
    if not stream.parent_stream:
        yield None
        return
    for parent in stream.parent_records():
        if stream.parent_filter is None or stream.parent_filter.keeps(parent):
            yield parent


def slice_groups(stream: "ZoomStream") -> Iterable[Tuple[Optional[Tuple[date, date]], Iterable[Slice]]]:
    """Slices to send, grouped by the date window they belong to (None: not dated), in window
    order so that the state can move window by window."""
    parents = accepted_parents(stream)
    windows = stream.dates.windows
    if windows == Windows.REQUESTED:
        parents = list(parents)
        for window in stream.windows():
            yield window, (
                make_slice(parent, params, window) for parent in parents for params in value_combinations(stream, parent or {})
            )
    elif windows == Windows.BY_PARENT_START:
        table_windows = stream.windows()
        # Parents, not slices, are grouped: a slice is made only when it is sent.
        by_window: Dict[date, List[Mapping[str, Any]]] = {end: [] for _, end in table_windows}
        floor = stream.record_floor
        for parent in parents:
            started = parse_zoom_time((parent or {}).get("start_time"))
            if floor is not None and started is not None and started < floor:
                continue  # read by an earlier sync
            by_window[window_of(started, table_windows)].append(parent or {})
        for window in table_windows:
            in_window = by_window[window[1]]
            yield window, (make_slice(parent, params) for parent in in_window for params in value_combinations(stream, parent))
    else:
        yield None, (make_slice(parent, params) for parent in parents for params in value_combinations(stream, parent or {}))


def registrant_statuses(meeting: Mapping[str, Any]) -> Sequence[str]:
    """The statuses a meeting's or webinar's registrants can have. Zoom lists `approved` ones only
    unless asked. Manual approval (approval_type 1) leaves registrants pending until the host
    decides; with automatic approval (0) nobody is ever pending, but the host can still cancel
    (deny) a registration."""
    return ("approved", "pending", "denied") if meeting.get("approval_type") == 1 else ("approved", "denied")


EACH_REGISTRANT_STATUS = EachValue("status", registrant_statuses)
