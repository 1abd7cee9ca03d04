"""Asking a child only where another listing says there is something to read.

Some per-instance lookups cost a Heavy request each and find something for few instances (the
Q&A of a meeting: most meetings have none). When an account-wide listing names the instances
that have it (Zoom's history report with `report_type=qa`), a table asks only those, plus the
instances that listing cannot speak for (older than it reaches): nothing is left unasked that
could hold data.

Declared on the table as `asked_if = AskedIfListed(...)` with `joins = (asked_if.join(),)`: the
listing is then one of the table's sources like any join (its memo, its gaps holding back the
table's state, its unavailability keeping the state where it was), read whole before the table's
own requests go out (the read path, zoom_stream.read_table, reads a table's joins first), and
none of its records is taken as the table's own. A listing Zoom would not serve (a missing scope) names nothing: then every
instance is asked.

The same for a table asking one request per parent and date window (a host's report listing):
declared as `asked_in_window_if = AskedInWindowIfListed(...)`, a parent is asked for a window
only if the account-wide listing names one of its records there (the history report names every
past instance of every host), and every parent is asked for a window that listing cannot speak for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

from source_zoom.declarations import Join
from source_zoom.incremental import upstream_gaps
from source_zoom.windows import parse_zoom_time, start_of_day

if TYPE_CHECKING:
    from source_zoom.memo import MemoWalk
    from source_zoom.zoom_stream import ZoomStream


def takes_no_record(record: Mapping[str, Any]) -> bool:
    return False


@dataclass(frozen=True)
class AskedIfListed:
    """Ask a parent only if `stream` lists it (matched on `key`), or if `reaches(parent, table)`
    says that listing cannot speak for it."""

    stream: type
    key: str
    reaches: Callable[[Mapping[str, Any], "ZoomStream"], bool]

    def join(self) -> Join:
        return Join(self.stream, keeps=takes_no_record)


class FilteredWalk:
    """A parent memo's walk with the parents not worth asking left out (same interface as MemoWalk)."""

    def __init__(self, walk: "MemoWalk", worth_asking: Callable[[Mapping[str, Any]], bool]):
        self._walk = walk
        self._worth_asking = worth_asking

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return (parent for parent in self._walk if self._worth_asking(parent))

    def while_listing(self) -> Iterator[Mapping[str, Any]]:
        return (parent for parent in self._walk.while_listing() if self._worth_asking(parent))

    def rest(self) -> List[Mapping[str, Any]]:
        return [parent for parent in self._walk.rest() if self._worth_asking(parent)]


class AskedOnlyIfListed:
    """Mixed into a ZoomStream that declares `asked_if`: its parents are walked through the filter."""

    asked_if: ClassVar[AskedIfListed]
    _listed: Optional[Set[Any]] = None

    def parent_walk(self) -> Any:
        return FilteredWalk(super().parent_walk(), self.worth_asking)  # type: ignore[misc]

    def worth_asking(self, parent: Mapping[str, Any]) -> bool:
        listed = self.listed_keys()
        return listed is None or parent.get(self.asked_if.key) in listed or not self.asked_if.reaches(parent, self)  # type: ignore[arg-type]

    def listed_keys(self) -> Optional[Set[Any]]:
        """The keys the listing names (read whole by then: it is a join); None when Zoom would
        not serve it, so that every parent is asked."""
        if self._listed is None:
            stream: "ZoomStream" = self  # type: ignore[assignment]
            listing = next(joined for join, joined in zip(stream.joins, stream.joined_streams) if join.stream is self.asked_if.stream)
            if stream.context.report.unavailable.get(listing.name):
                return None
            self._listed = {record.get(self.asked_if.key) for record in stream.context.memo(listing).records()}
        return self._listed


# --- asked per date window: only the parents the listing names in that window ---

# Zoom does not say in which time zone it reads a listing's `from`/`to` days (a zone is UTC-12 to
# UTC+14), and a report listing also names an instance in a window it runs into past midnight:
# a record counts for a window when it started up to a day before or after it.
ONE_DAY = timedelta(days=1)
# A name no parent answers to: a listed record without a host or a start (it could be anyone's,
# in any window), or a parent without one (it is always asked).
ANYONE = object()


@dataclass(frozen=True)
class AskedInWindowIfListed:
    """Ask a parent for a date window only if `stream` lists a record of it that started in that
    window (a day either side), the parent matched on its `parent_field` = the record's
    `listed_field` (an email: case aside). Every parent is asked for a window that listing cannot
    speak for: unavailable, short there, read from later than the table needs, or naming someone
    who is none of the parents (a deleted user, an email changed since)."""

    stream: type
    listed_field: str
    parent_field: str


def listed_name(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) and value else ANYONE


class AskedOnlyInListedWindows:
    """Mixed into a ZoomStream that declares `asked_in_window_if` and reads that listing whole
    before its own requests (a join, or the listing that enriches it: prepare() waits for it): a
    parent the listing names nothing of in a window gets a slice that asks nothing
    (slicing.NOTHING_TO_ASK), so that reading the window still vouches for that parent in the
    table's state."""

    asked_in_window_if: ClassVar[AskedInWindowIfListed]
    _named: Optional[List[Tuple[Optional[date], Any]]] = None

    def fields_read_from(self, source: Any) -> List[str]:
        used = super().fields_read_from(source)  # type: ignore[misc]
        stream: "ZoomStream" = self  # type: ignore[assignment]
        if source is stream.parent_stream:
            used.append(self.asked_in_window_if.parent_field)
        if type(source) is self.asked_in_window_if.stream:
            used.append(self.asked_in_window_if.listed_field)
        return used

    def parents_in_window(self, parents: Iterable[Mapping[str, Any]], window: Tuple[date, date]) -> Iterator[Tuple[Mapping[str, Any], bool]]:
        """Each parent, and whether to ask it for `window`: those the listing names first, as they
        are listed; then the others, asked too when the listing names someone none of the parents is."""
        named = self.names_in(window)
        if named is None:
            yield from ((parent, True) for parent in parents)
            return
        passed_over: List[Mapping[str, Any]] = []
        matched: Set[Any] = set()
        for parent in parents:
            name = listed_name(parent.get(self.asked_in_window_if.parent_field))
            if name is ANYONE:
                yield parent, True  # no name to look for: the listing cannot say
            elif name in named:
                matched.add(name)
                yield parent, True
            else:
                passed_over.append(parent)
        somebody_else = bool(named - matched)
        yield from ((parent, somebody_else) for parent in passed_over)

    def names_in(self, window: Tuple[date, date]) -> Optional[Set[Any]]:
        """Who the listing names in the window, a day either side (ANYONE for a record without a
        name or a start); None when it cannot speak for the window."""
        stream: "ZoomStream" = self  # type: ignore[assignment]
        listing = self._listing()
        if stream.context.report.unavailable.get(listing.name):
            return None
        widened = (window[0] - ONE_DAY, window[1] + ONE_DAY)
        memo = stream.context.memo(listing)
        if self._named is None:  # the whole listing (its gaps are known once it is)
            self._named = [(start_day(record), listed_name(record.get(self.asked_in_window_if.listed_field))) for record in memo.records()]
        if any(gap.reaches(widened) for gap in memo.gaps + upstream_gaps(listing)):
            return None
        # What the table keeps of the window (an instance running into it from the day before
        # too) must have started when the listing was read for: not so when the listing starts
        # later (Zoom's horizon on the table's first window; a floor of its own).
        if listed_since(listing) > max(kept_since(stream), start_of_day(widened[0])):
            return None
        return {name if day is not None else ANYONE for day, name in self._named if day is None or widened[0] <= day <= widened[1]}

    def _listing(self) -> "ZoomStream":
        stream: "ZoomStream" = self  # type: ignore[assignment]
        found = [source for source in stream.sources if type(source) is self.asked_in_window_if.stream]
        if not found:
            raise TypeError(f"{stream.name} is asked by what {self.asked_in_window_if.stream.__name__} lists, which it does not read")
        return found[0]


def kept_since(stream: "ZoomStream") -> datetime:
    """The earliest start a table keeps (http_stream.keeps_instance): start_date, or its floor."""
    start_date = stream.context.config.start_date
    return max(stream.fetch_floor() or start_date, start_date)


def listed_since(listing: "ZoomStream") -> datetime:
    """From when a dated listing names every record: its first window's day, and what it keeps."""
    windows = listing.windows()
    return max(start_of_day(windows[0][0]), kept_since(listing)) if windows else kept_since(listing)


def start_day(record: Mapping[str, Any]) -> Optional[date]:
    started = parse_zoom_time(record.get("start_time"))
    return started.astimezone(timezone.utc).date() if started is not None else None
