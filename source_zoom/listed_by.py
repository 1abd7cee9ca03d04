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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator, List, Mapping, Optional, Set

from source_zoom.declarations import Join

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
