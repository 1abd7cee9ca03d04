"""The parent graph of one sync: what every stream shares, and how streams read each other.

A child is read by slicing over its parent's records. Listing the parent again for every child
would multiply requests (Airbyte's 1.x Zoom source re-lists users and meetings for each table),
so each parent is listed once into its memo (memo.py, which also decides each memo's whole
life) and every reader walks the same records as they are listed. `SyncContext.readers` is the
graph itself: parent name -> the streams reading its memo. How another listing's records join or
enrich a stream's (`Join`, `Enrich`) is declared in records.py.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from airbyte_cdk.sources.streams.call_rate import APIBudget

from source_zoom.auth import ZoomAuthenticator
from source_zoom.config import ZoomConfig
from source_zoom.declarations import Endpoint
from source_zoom.memo import RecordMemo, SyncMemos
from source_zoom.pools import CategoryPool
from source_zoom.rate_limits import ZoomAPIBudget
from source_zoom.sync_report import SyncReport
from source_zoom.windows import CREATED_FIELDS, Window, Windows

if TYPE_CHECKING:
    from source_zoom.memo import MemoWalk

logger = logging.getLogger("airbyte")

class GraphNode:
    """Where a stream sits in the parent graph of one sync: what it reads (its sources), who reads
    it, and how far back the selected tables that depend on it need it listed. Mixed into
    http_stream.ZoomHttpStream, which sets `context`, `parent_stream`, `joined_streams` and `enriching_stream`."""

    context: "SyncContext"
    parent_stream: Optional["GraphNode"]
    joined_streams: List["GraphNode"]
    enriching_stream: Optional["GraphNode"]
    people_stream: Optional["GraphNode"]

    @property
    def has_children(self) -> bool:
        return self.name in self.context.readers

    @property
    def is_selected_table(self) -> bool:
        return not self.hidden and self.context.selected is not None and self.name in self.context.selected

    @property
    def sources(self) -> List["GraphNode"]:
        """The streams whose memos this stream reads."""
        found = [self.parent_stream] if self.parent_stream is not None else []
        found += self.joined_streams
        found += [self.enriching_stream] if self.enriching_stream is not None else []
        return found + ([self.people_stream] if self.people_stream is not None else [])

    def fields_read_from(self, source: "GraphNode") -> List[str]:
        """The fields of `source`'s records this stream uses (what its memo must keep)."""
        used: List[str] = []
        if source is self.parent_stream:
            used += list(self.stamp_from_parent.values())
        for join, joined in zip(self.joins, self.joined_streams):
            if joined is source:
                used += list(join.renamed.values())
        if source is self.enriching_stream and self.enriched_by is not None:
            used += [self.enriched_by.key, *self.enriched_by.fields.values()]
        # Date windows start no earlier than their parent's (or the account's oldest user's) creation.
        if (source is self.parent_stream and self.dates.windows == Windows.REQUESTED) or source is self.people_stream:
            used += list(CREATED_FIELDS)
        return used

    def parent_walk(self) -> "MemoWalk":
        """The parent's records, as its listing goes on."""
        return self.context.memo(self.parent_stream).walk()  # type: ignore[arg-type]

    def parents_in_window(self, parents: Iterable[Mapping[str, Any]], window: Window) -> Iterable[Tuple[Mapping[str, Any], bool]]:
        """Each parent a table asks one request per window of, and whether to ask it for `window`
        (listed_by.AskedOnlyInListedWindows asks fewer)."""
        return ((parent, True) for parent in parents)

    @property
    def record_floor(self) -> Optional[datetime]:
        """The earliest instance start this table still needs (from its state); None = since start_date."""
        return self.context.record_floors.get(self.name)

    def fetch_floor(self) -> Optional[datetime]:
        """The earliest instance start any selected table reading this stream needs (a join that
        takes only what this stream reads anyway does not count)."""
        readers = [r for r in self.context.readers.get(self.name, []) if not r.takes_only_what_is_read(self)]
        floors = [stream.record_floor for stream in self._as_table() + [table for reader in readers for table in reader.interested_tables()]]
        if not floors or any(floor is None for floor in floors):
            return None
        return min(floors)  # type: ignore[type-var]

    def interested_tables(self) -> List["GraphNode"]:
        """The selected tables that read this stream: itself, and those reading it, directly or not."""
        return self._as_table() + [table for reader in self.context.readers.get(self.name, []) for table in reader.interested_tables()]

    def _as_table(self) -> List["GraphNode"]:
        selected = self.context.selected
        return [self] if not self.hidden and (selected is None or self.name in selected) else []

    @property
    def skips_what_it_read(self) -> bool:
        """Whether the table may leave out slices an earlier sync read whole: no reader of its
        listing needs more than what the table reads for itself."""
        return all(reader.takes_only_what_is_read(self) for reader in self.context.readers.get(self.name, []))

    def takes_only_what_is_read(self, source: "GraphNode") -> bool:
        """Whether this stream takes from `source` nothing its own table does not read anyway (a
        join that adds only that), or nothing that makes it short (the people listing: a short one
        moves no window's start): then `source` neither reaches back for it nor holds it back."""
        if source is self.people_stream:
            return True
        return any(join.only_what_it_reads_anyway for join, joined in zip(self.joins, self.joined_streams) if joined is source)

    def is_short_without(self, source: "GraphNode") -> bool:
        """Whether a gap in `source`'s listing (or `source` unavailable) leaves this stream short.
        Not for what it takes only as it reads anyway, nor for the listing that enriches it: a
        record that listing lacks is filled from its own detail request (http_stream.Enrichment),
        which fails the record's slice if Zoom does not answer it. (Its floor still counts: a
        record the listing has costs no detail request.)"""
        return source is not self.enriching_stream and not self.takes_only_what_is_read(source)



class SyncContext:
    """What every stream of one sync shares: config, the one authenticator, the one call budget,
    the skip report, the per-category pools and the parents' memos."""

    def __init__(self, config: ZoomConfig, authenticator: ZoomAuthenticator, api_budget: Optional[APIBudget] = None):
        self.config = config
        self.authenticator = authenticator
        self.api_budget = api_budget
        self.report = SyncReport()
        # Set when the read stops (its consumer is gone, or a signal): pool tasks stop asking.
        self.stopped = threading.Event()
        if isinstance(api_budget, ZoomAPIBudget):
            api_budget.stopped = self.stopped
        self.memos = SyncMemos(self.stopped)
        self._lock = threading.Lock()
        # stream name -> the streams that read its memo (children, and streams joining its records)
        self.readers: Dict[str, List["GraphNode"]] = {}
        # What the read asks for: the catalog's tables (None = all) and, per incremental table
        # with a usable state, the earliest instance start it still needs.
        self.selected: Optional[Set[str]] = None
        self.record_floors: Dict[str, datetime] = {}
        self.started_at = datetime.now(timezone.utc)
        # One pool per Zoom rate category (and one for file downloads), `num_workers` requests each:
        # requests queued behind a Heavy slot never hold up Light or Medium ones, so every category
        # runs at its own rate. Made on first use, shut by close().
        self._pools: Dict[str, CategoryPool] = {}
        self._logged_once: Set[str] = set()
        # listing stream name -> the earliest start of a record it left out because Zoom has not
        # finished it (a call still in progress): no state of a table reading it moves past that.
        self.unfinished: Dict[str, datetime] = {}

    def note_unfinished(self, stream_name: str, started: datetime) -> None:
        with self._lock:
            earliest = self.unfinished.get(stream_name)
            self.unfinished[stream_name] = started if earliest is None else min(earliest, started)

    def unfinished_since(self, stream: "ZoomStream") -> Optional[datetime]:
        """The earliest start of an unfinished record left out by the stream or anything it reads through."""
        pending = [stream]
        found: List[datetime] = []
        while pending:
            current = pending.pop()
            with self._lock:
                earliest = self.unfinished.get(current.name)
            if earliest is not None:
                found.append(earliest)
            pending += current.sources
        return min(found) if found else None

    def budget_for(self, endpoint: Endpoint) -> Optional[APIBudget]:
        """The call budget as the requests of `endpoint` see it: its API's policy for its category."""
        if isinstance(self.api_budget, ZoomAPIBudget):
            return self.api_budget.for_endpoint(endpoint)  # type: ignore[return-value]
        return self.api_budget

    def memo(self, stream: "GraphNode") -> RecordMemo:
        return self.memos.memo(stream)

    def log_once(self, key: str, message: str) -> None:
        with self._lock:
            if key in self._logged_once:
                return
            self._logged_once.add(key)
        logger.warning(message)

    def pool(self, category: str) -> CategoryPool:
        with self._lock:
            if category not in self._pools:
                self._pools[category] = CategoryPool(self.config.num_workers, f"zoom-{category.lower().replace(' ', '-')}")
            return self._pools[category]

    def close(self) -> None:
        self.stopped.set()
        with self._lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.shutdown(cancel_futures=True)
