"""The parent graph of one sync: what every stream shares, and the memo that lists each parent once.

A child is read by slicing over its parent's records. Listing the parent again for every child
would multiply requests (Airbyte's 1.x Zoom source re-lists users and meetings for each table),
so the first stream that needs a parent fills its `RecordMemo` and every reader gets the same
records. `readers` is the graph itself: parent name -> the streams reading its memo.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Set

from airbyte_cdk.sources.streams.call_rate import APIBudget

from source_zoom.auth import ZoomAuthenticator
from source_zoom.config import ZoomConfig
from source_zoom.errors import SyncReport
from source_zoom.rate_limits import ENDPOINT_CATEGORIES

if TYPE_CHECKING:
    from source_zoom.zoom_stream import ZoomStream

logger = logging.getLogger("airbyte")


def has_registration(record: Mapping[str, Any]) -> bool:
    """approval_type 0 (automatic) or 1 (manual) means registration is on; 2 means off."""
    if "registration_required" in record:
        return bool(record["registration_required"])
    settings = record.get("settings")
    return isinstance(settings, Mapping) and settings.get("approval_type") in (0, 1)


class SyncContext:
    """What every stream of one sync shares: config, the one authenticator, the one call budget,
    the skip report, the per-category pools and the parents' memos."""

    def __init__(self, config: ZoomConfig, authenticator: ZoomAuthenticator, api_budget: Optional[APIBudget] = None):
        self.config = config
        self.authenticator = authenticator
        self.api_budget = api_budget
        self.report = SyncReport()
        self._memos: Dict[str, RecordMemo] = {}
        self._memos_lock = threading.Lock()
        # stream name -> the streams that read its memo (children, and streams joining its records)
        self.readers: Dict[str, List["ZoomStream"]] = {}
        # What the read asks for: the catalog's tables (None = all) and, per incremental table
        # with a usable state, the earliest instance start it still needs.
        self.selected: Optional[Set[str]] = None
        self.record_floors: Dict[str, datetime] = {}
        self.started_at = datetime.now(timezone.utc)
        # One pool per Zoom rate category, `num_workers` requests each: requests queued behind
        # a Heavy slot never hold up Light or Medium ones, so every category runs at its own rate.
        self.pools = {
            category: ThreadPoolExecutor(max_workers=config.num_workers, thread_name_prefix=f"zoom-{category.lower()}")
            for category in sorted(set(ENDPOINT_CATEGORIES.values()))
        }
        self._logged_once: Set[str] = set()

    def memo(self, stream: "ZoomStream") -> "RecordMemo":
        with self._memos_lock:
            return self._memos.setdefault(stream.name, RecordMemo(stream))

    def log_once(self, key: str, message: str) -> None:
        with self._memos_lock:
            if key in self._logged_once:
                return
            self._logged_once.add(key)
        logger.warning(message)

    def close(self) -> None:
        for pool in self.pools.values():
            pool.shutdown(wait=False, cancel_futures=True)


class RecordMemo:
    """A parent's listing, fetched once per sync, and the requests of it that failed beyond
    retries (its readers are incomplete then).

    Readers (children, joins) get slim records: the fields they use. When the parent is itself a
    table of the catalog, that table fills the memo while it emits the full records, so a sync
    never holds every full parent record at once: memory grows with the slim records only."""

    def __init__(self, stream: "ZoomStream"):
        self._stream = stream
        self._lock = threading.Lock()
        self._filled = threading.Event()
        self._records: Optional[List[Mapping[str, Any]]] = None
        self.failures: List[str] = []
        self._owner_fills = stream.is_selected_table
        # Outside a read (no catalog) every reader gets whole records.
        self._fields: Optional[Set[str]] = None
        if stream.context.selected is not None:
            self._fields = {"id", "uuid", "start_time"}
            for reader in stream.context.readers.get(stream.name, []):
                self._fields.update(reader.stamp_from_parent.values())

    def _as_parent(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
        """What readers use: the keys in their paths and stamps, the start time for windows,
        and whether registration is on."""
        if self._fields is None:
            return record
        slim = {field: record[field] for field in self._fields if field in record}
        slim["registration_required"] = has_registration(record)
        return slim

    def records(self) -> List[Mapping[str, Any]]:
        if self._owner_fills:
            self._filled.wait()
            if self._records is not None:
                return self._records
            # The owner's read ended before its listing did: list it here.
        with self._lock:
            if self._records is None:
                failures: List[str] = []
                self._records = [self._as_parent(record) for record in self._stream.fetch_all_records(failures)]
                self.failures = failures
            return self._records

    def fill_emitting(self) -> Iterator[Mapping[str, Any]]:
        """The owner table's read: yields the full records and keeps the slim ones."""
        if not self._owner_fills:
            yield from self.records()  # outside a read (no catalog) every reader gets full records
            return
        failures: List[str] = []
        kept: List[Mapping[str, Any]] = []
        try:
            for record in self._stream.fetch_all_records(failures):
                kept.append(self._as_parent(record))
                yield record
            self.failures = failures
            self._records = kept
        finally:
            self._filled.set()
