"""The Zoom tables. `ZoomStream` owns paging, slicing over a parent, stamping parent keys and
error handling; each table below is only its endpoint, parent and keys.

Parents are listed once per sync into a `RecordMemo`: the parent's own table fills it while it
emits its records (or, for a hidden parent, the first reader does), and every child reads the
slim records it keeps. Every table is one partition whose requests fan out on the thread pool
of its Zoom rate category, so all tables read at once and each category runs at its own pace.
"""

from __future__ import annotations

import logging
import re
import threading
from abc import ABC
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Callable, ClassVar, Deque, Dict, Iterable, Iterator, List, Mapping, MutableMapping, Optional, Set, Tuple, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests

from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.core import StreamData
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import ZoomAuthenticator
from source_zoom.incremental import CompletedWindowsCursor, parse_zoom_time
from source_zoom.rate_limits import ENDPOINT_CATEGORIES
from source_zoom.config import ZoomConfig
from source_zoom.errors import (
    Outcome,
    SyncReport,
    ZoomBackoffStrategy,
    ZoomError,
    ZoomErrorHandler,
    classify,
    resource_of,
    response_json,
    zoom_error_body,
)

logger = logging.getLogger("airbyte")

PAGE_SIZE = 300
# Zoom's report endpoints serve the last six months only (and want `from` inside that range).
REPORT_HORIZON_DAYS = 6 * 30
# Per-instance lookups (participants, polls, Q&A) answer 12702 for anything older than a year.
INSTANCE_LOOKUP_DAYS = 365
REQUEST_TIMEOUT = (10, 60)
# A listing longer than this (90 million rows at 300 a page) is a paging bug, not data.
MAX_PAGES_PER_LISTING = 300_000
# One resource that keeps failing is skipped with an error; this many mean the endpoint is down, and
# the table's other slices are not sent (each would wait out the whole retry budget).
FAILED_SLICES_BEFORE_GIVING_UP = 3

FILES_GONE_ERRORS = {
    (404, 404): ZoomError("Zoom removed the in-meeting files endpoints in 2024", Outcome.STREAM_UNAVAILABLE),
    (410, None): ZoomError("Zoom removed the in-meeting files endpoints in 2024", Outcome.STREAM_UNAVAILABLE),
}


class Paging(Enum):
    NONE = "none"
    NEXT_PAGE_TOKEN = "next_page_token"
    PAGE_NUMBER = "page_number"


def zoom_uuid_path_segment(uuid: str) -> str:
    """Zoom's rule: a UUID that begins with '/' or contains '//' is URL-encoded twice in a path,
    any other UUID once; a wrongly encoded UUID is answered 404 code 3001."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def has_registration(record: Mapping[str, Any]) -> bool:
    """approval_type 0 (automatic) or 1 (manual) means registration is on; 2 means off."""
    if "registration_required" in record:
        return bool(record["registration_required"])
    settings = record.get("settings")
    return isinstance(settings, Mapping) and settings.get("approval_type") in (0, 1)


def month_windows(start: date, end: date) -> Iterable[Tuple[date, date]]:
    """Consecutive, non-overlapping inclusive windows of at most one month, as Zoom's reports want."""
    window_start = start
    while window_start <= end:
        next_start = (window_start.replace(day=1) + timedelta(days=32)).replace(day=min(window_start.day, 28))
        window_end = min(end, next_start - timedelta(days=1))
        yield window_start, window_end
        window_start = window_end + timedelta(days=1)


T = TypeVar("T")
R = TypeVar("R")


def map_in_order(pool: ThreadPoolExecutor, function: Callable[[T], R], items: Iterable[T], in_flight: int) -> Iterator[R]:
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


def starts_before(record: Mapping[str, Any], floor: Optional[datetime]) -> bool:
    started = parse_zoom_time(record.get("start_time")) if floor is not None else None
    return started is not None and started < floor  # type: ignore[operator]


class SyncContext:
    """What every stream of one sync shares: config, the one authenticator, the one call budget,
    the skip report and the parents' memos."""

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


class ZoomStream(HttpStream, ABC):
    """One Zoom table (or a hidden parent). Subclasses set class attributes only:

    path_template     endpoint under /v2; `{id}` and `{uuid}` are the parent record's (the UUID
                      encoded by zoom_uuid_path_segment)
    parent            the stream class sliced over
    records_key       where the list sits in the response; None when the response is the record
    paging            Zoom's paging style for the endpoint
    stamp_from_parent child field -> parent field, so a record names what it belongs to
    stamp_from_self   field -> field of the record itself (e.g. meeting_id <- id)
    """

    path_template: ClassVar[str]
    parent: ClassVar[Optional[type]] = None
    records_key: ClassVar[Optional[str]] = None
    paging: ClassVar[Paging] = Paging.NONE
    extra_params: ClassVar[Mapping[str, Any]] = {}
    stamp_from_parent: ClassVar[Mapping[str, str]] = {}
    stamp_from_self: ClassVar[Mapping[str, str]] = {}
    needs_registration: ClassVar[bool] = False
    # Report and recording listings: slices are parent x month windows from start_date.
    monthly_windows: ClassVar[bool] = False
    windows_within_report_horizon: ClassVar[bool] = False
    # Keep only parent records that started on or after start_date.
    since_start_date: ClassVar[bool] = False
    # Position of the record in its response, to tell anonymous answers apart.
    position_field: ClassVar[Optional[str]] = None
    # The same record can come in two windows (a meeting across midnight of a month's end).
    dedupe_by_primary_key: ClassVar[bool] = False
    extra_errors: ClassVar[Mapping[Tuple[int, Optional[int]], ZoomError]] = {}
    # Read one slice before the rest, for endpoints Zoom may have removed.
    probe_before_fanning_out: ClassVar[bool] = False
    # Stitch's schema spells it `occurences`: keep those columns filled for migrated users.
    copies_occurrences_for_stitch: ClassVar[bool] = False
    hidden: ClassVar[bool] = False
    # Incremental tables: the instance's start time; a table under a past instance stamps it
    # from the parent (e.g. meeting_start_time) and is sliced by the window it falls in.
    cursor_field: ClassVar[Any] = ""  # HttpStream's "no cursor" is an empty value
    # Also emit the records of this stream's memo (a listing of the same things from another endpoint).
    joins: ClassVar[Optional[type]] = None
    # Past instances Zoom no longer serves lookups for (12702) are not listed, and said so once.
    drops_instances_beyond_lookup_horizon: ClassVar[bool] = False

    def __init__(self, context: SyncContext, parent: Optional["ZoomStream"] = None, joined: Optional["ZoomStream"] = None):
        self.context = context
        self.parent_stream = parent
        self.joined_stream = joined
        super().__init__(authenticator=context.authenticator, api_budget=context.api_budget)
        # Whole listings are read per slice; per-page resumable full refresh would read one page.
        self.cursor = None
        # Set by the source when the catalog asks for this table incrementally.
        self.window_cursor: Optional[CompletedWindowsCursor] = None
        self._http_client._session.hooks["response"].append(self._count_request)
        self._seen_keys: set = set()
        self._seen_lock = threading.Lock()
        self._pages_seen: Dict[str, int] = {}
        self._tokens_seen: set = set()

    # --- wiring -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.stream_name()

    @classmethod
    def stream_name(cls) -> str:
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in cls.__name__).lstrip("_")

    @property
    def url_base(self) -> str:
        return self.context.config.api_base_url + "/"

    def get_json_schema(self) -> Mapping[str, Any]:
        if self.hidden:
            return {"type": "object", "additionalProperties": True, "properties": {}}
        return super().get_json_schema()

    def get_error_handler(self) -> ZoomErrorHandler:
        return ZoomErrorHandler(self.name, self.extra_errors, self.context.authenticator.mark_rejected)

    def get_backoff_strategy(self) -> ZoomBackoffStrategy:
        return ZoomBackoffStrategy()

    def request_kwargs(self, **kwargs: Any) -> Mapping[str, Any]:
        return {"timeout": REQUEST_TIMEOUT}

    # --- slices -----------------------------------------------------------------------------

    @property
    def has_children(self) -> bool:
        return self.name in self.context.readers

    def _count_request(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.context.report.count_request(self.name)

    @property
    def is_windowed(self) -> bool:
        """Sliced by date window: report and recording listings, and tables under a past instance."""
        return self.monthly_windows or bool(self.cursor_field and self.parent_stream is not None)

    @property
    def record_floor(self) -> Optional[datetime]:
        """The earliest instance start this table still needs (from its state); None = since start_date."""
        return self.context.record_floors.get(self.name)

    def fetch_floor(self) -> Optional[datetime]:
        """The earliest instance start any selected table reading this stream needs."""
        floors = [stream.record_floor for stream in self.interested_tables()]
        if not floors or any(floor is None for floor in floors):
            return None
        return min(floors)  # type: ignore[type-var]

    def interested_tables(self) -> List["ZoomStream"]:
        selected = self.context.selected
        own = [self] if not self.hidden and (selected is None or self.name in selected) else []
        return own + [table for reader in self.context.readers.get(self.name, []) for table in reader.interested_tables()]

    @property
    def category(self) -> str:
        """Zoom's rate-limit category of this stream's endpoint."""
        template = re.sub(r"\{[^}]+\}", "{}", self.path_template)
        return next(category for endpoint, category in ENDPOINT_CATEGORIES.items() if re.sub(r"\{[^}]+\}", "{}", endpoint) == template)

    def stream_slices(self, *, sync_mode: SyncMode = SyncMode.full_refresh, cursor_field: Any = None, stream_state: Any = None) -> Iterable[Optional[Mapping[str, Any]]]:
        # One partition per table: its requests fan out on the pool of its rate category, so all
        # tables run at once and no table's queue of requests waits behind another's.
        yield {}

    def http_slice_groups(self) -> Iterable[Tuple[Optional[date], Iterable[Mapping[str, Any]]]]:
        """Slices to send, grouped by the date window they belong to (None: not windowed), in
        window order so that the state can move window by window."""
        parents = self.accepted_parents()
        if self.monthly_windows:
            parents = list(parents)
            for window_from, window_to in self.windows():
                yield window_to, (self.slice_for(parent, window_from, window_to) for parent in parents)
        elif self.is_windowed:
            windows = self.windows()
            by_window: Dict[date, List[Mapping[str, Any]]] = {window_to: [] for _, window_to in windows}
            floor = self.record_floor
            for parent in parents:
                started = parse_zoom_time(parent.get("start_time"))
                if floor is not None and started is not None and started < floor:
                    continue  # read by an earlier sync
                day = started.date() if started is not None else windows[-1][1]
                window_to = next((end for start, end in windows if day <= end), windows[-1][1])
                by_window[window_to].append(self.slice_for(parent))
            for window_to, slices in by_window.items():
                yield window_to, slices
        else:
            yield None, (self.slice_for(parent) for parent in parents)

    def accepted_parents(self) -> Iterable[Optional[Mapping[str, Any]]]:
        if not self.parent_stream:
            yield None
            return
        for parent in self.parent_records():
            if self.accepts_parent(parent):
                yield parent

    @staticmethod
    def slice_for(parent: Optional[Mapping[str, Any]], window_from: Optional[date] = None, window_to: Optional[date] = None) -> Mapping[str, Any]:
        stream_slice: Dict[str, Any] = {"parent": parent} if parent is not None else {}
        if window_from is not None and window_to is not None:
            stream_slice.update({"from": window_from.isoformat(), "to": window_to.isoformat()})
        return stream_slice

    def parent_records(self) -> Iterable[Mapping[str, Any]]:
        return self.context.memo(self.parent_stream).records()

    def accepts_parent(self, parent: Mapping[str, Any]) -> bool:
        if self.needs_registration and not has_registration(parent):
            return False
        return True

    def windows(self) -> List[Tuple[date, date]]:
        today = self.context.config.today.date()
        start = self.context.config.start_date.date()
        floor = self.fetch_floor()
        if floor is not None:
            start = max(start, floor.date())
        if self.windows_within_report_horizon:
            horizon = today - timedelta(days=REPORT_HORIZON_DAYS - 1)
            if start < horizon:
                self.context.log_once(
                    f"horizon:{self.name}",
                    f"{self.name}: Zoom's reports reach back six months only, so {start.isoformat()} to "
                    f"{(horizon - timedelta(days=1)).isoformat()} cannot be listed here; instances in that range still "
                    "reach the participant and poll tables through /past_meetings/{id}/instances, up to a year back.",
                )
                start = horizon
        return list(month_windows(start, today)) or [(today, today)]

    # --- requests ---------------------------------------------------------------------------

    def path(self, *, stream_state: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, next_page_token: Any = None) -> str:
        parent = (stream_slice or {}).get("parent") or {}
        values = {"id": parent.get("id")}
        if parent.get("uuid"):
            values["uuid"] = zoom_uuid_path_segment(parent["uuid"])
        return self.path_template.format(**values)

    def request_params(self, stream_state: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, next_page_token: Optional[Mapping[str, Any]] = None) -> MutableMapping[str, Any]:
        params: Dict[str, Any] = dict(self.extra_params)
        if self.paging != Paging.NONE:
            params["page_size"] = PAGE_SIZE
        if self.monthly_windows and stream_slice:
            params["from"], params["to"] = stream_slice["from"], stream_slice["to"]
        params.update(next_page_token or {})
        return params

    def next_page_token(self, response: requests.Response) -> Optional[Mapping[str, Any]]:
        if not response.ok or self.paging == Paging.NONE:
            return None
        body = response_json(response)
        if not isinstance(body, Mapping):
            return None  # parse_response warned that this page is not what Zoom sends
        if self.paging == Paging.NEXT_PAGE_TOKEN:
            token = body.get("next_page_token")
            if not token:
                return None
            if not isinstance(token, str):
                raise self._listing_stopped(response.request.url, f"sent a paging token that is not a string ({token!r:.50})")
            self._guard_against_endless_paging(response, token)
            return {"next_page_token": token}
        page_number, page_count = body.get("page_number") or 1, body.get("page_count") or 0
        if not isinstance(page_number, int) or not isinstance(page_count, int):
            raise self._listing_stopped(response.request.url, f"sent a page_number/page_count that is not a number ({page_number!r:.20}/{page_count!r:.20})")
        if page_number >= page_count:
            return None
        self._guard_against_endless_paging(response, str(page_number + 1))
        return {"page_number": page_number + 1}

    def _guard_against_endless_paging(self, response: requests.Response, token: str) -> None:
        parts = urlsplit(response.request.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("next_page_token", "page_number")]
        listing = f"{parts.path}?{urlencode(query)}"
        with self._seen_lock:
            pages = self._pages_seen[listing] = self._pages_seen.get(listing, 0) + 1
            repeated = (listing, token) in self._tokens_seen
            self._tokens_seen.add((listing, token))
        if repeated or pages > MAX_PAGES_PER_LISTING:
            problem = "returned a paging token it had already returned" if repeated else f"kept paging past {MAX_PAGES_PER_LISTING} pages"
            raise self._listing_stopped(listing, f"{problem}; stopped that listing instead of looping forever")

    def _listing_stopped(self, url: str, problem: str) -> AirbyteTracedException:
        return AirbyteTracedException(
            message=f"{self.name}: Zoom {problem} for {resource_of(url)}. Run the sync again; report this to Zoom if it repeats.",
            failure_type=FailureType.system_error,
        )

    # --- records ----------------------------------------------------------------------------

    def read_records(self, sync_mode: SyncMode, cursor_field: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, stream_state: Any = None) -> Iterable[StreamData]:
        if self.has_children:
            memo = self.context.memo(self)
            # The memo reaches back as far as the neediest reader; this table only to its own floor.
            yield from (record for record in memo.fill_emitting() if not starts_before(record, self.record_floor))
            self._end_of_table([])
            if self.window_cursor is not None:
                self.window_cursor.window_read(self.windows()[-1][1])
            return
        failures: List[str] = []
        for window_end, slices in self.http_slice_groups():
            yield from self._read_in_parallel(slices, failures)
            if failures or self.upstream_failures() or self.context.report.unavailable.get(self.name):
                break  # the state must not move past a window that was not read whole
            if self.window_cursor is not None and window_end is not None:
                # Queued by this thread behind the window's records: no state overtakes its records.
                self.window_cursor.window_read(window_end)
        self._end_of_table(failures)

    def fetch_all_records(self, failures: List[str]) -> Iterable[Mapping[str, Any]]:
        """Every record over every slice, straight from Zoom (used to fill this stream's memo)."""
        if self.joined_stream is not None:
            for record in self.context.memo(self.joined_stream).records():
                if self._first_time_seen(record):
                    yield record
        for _, slices in self.http_slice_groups():
            yield from self._read_in_parallel(slices, failures)

    def _read_in_parallel(self, slices: Iterable[Mapping[str, Any]], failures: List[str]) -> Iterable[Mapping[str, Any]]:
        """The records of `slices` in slice order, `num_workers` requests at a time on this
        stream's category pool. A slice that fails beyond retries is noted in `failures` and the
        rest go on, until FAILED_SLICES_BEFORE_GIVING_UP say the endpoint itself is down."""
        slices = iter(slices)
        if self.probe_before_fanning_out:
            # The first slice alone: if Zoom says the endpoint is gone, nothing else is sent.
            first = next(slices, None)
            if first is not None:
                yield from self._fetch_slice(first, failures)
        worth_asking = (s for s in slices if not self._stops_asking(failures))
        pool = self.context.pools[self.category]
        for records in map_in_order(pool, lambda s: self._fetch_slice(s, failures), worth_asking, in_flight=self.context.config.num_workers):
            yield from records

    def _stops_asking(self, failures: List[str]) -> bool:
        return bool(self.context.report.unavailable.get(self.name)) or len(failures) >= FAILED_SLICES_BEFORE_GIVING_UP

    def _fetch_slice(self, stream_slice: Mapping[str, Any], failures: List[str]) -> List[Mapping[str, Any]]:
        if self._stops_asking(failures):
            return []  # no request that cannot succeed
        try:
            return [
                record.data if isinstance(record, Record) else record  # type: ignore[misc]
                for record in HttpStream.read_records(self, SyncMode.full_refresh, stream_slice=stream_slice)
            ]
        except AirbyteTracedException as error:
            if error.failure_type == FailureType.config_error:
                raise  # a login or config a person must fix ends the sync with its own sentence
            self._note_failure(error, failures)
            return []
        except Exception as error:  # retries exhausted, or an answer the error table says to fail on
            self._note_failure(error, failures)
            return []

    def _note_failure(self, error: Exception, failures: List[str]) -> None:
        failures.append(getattr(error, "message", None) or f"{type(error).__name__}: {error}")
        self.context.report.record_failed_slice(self.name)
        if len(failures) == FAILED_SLICES_BEFORE_GIVING_UP:
            self.logger.error(
                f"{self.name}: {FAILED_SLICES_BEFORE_GIVING_UP} requests failed after every retry, so the rest of this table "
                "is not requested in this sync, which ends incomplete. Run it again later."
            )

    @property
    def is_selected_table(self) -> bool:
        return not self.hidden and self.context.selected is not None and self.name in self.context.selected

    def upstream_failures(self) -> List[str]:
        """Failures of the parent listings this stream reads: its own list of parents is short then."""
        found: List[str] = []
        for source in (self.parent_stream, self.joined_stream):
            if source is not None:
                found += [f"{source.name}: {failure}" for failure in self.context.memo(source).failures] + source.upstream_failures()
        return found

    def _end_of_table(self, failures: List[str]) -> None:
        own = failures + (self.context.memo(self).failures if self.has_children else [])
        upstream = self.upstream_failures()
        if not own and not upstream:
            return
        problems = []
        if own:
            problems.append(f"{len(own)} request(s) failed after every retry (first: {own[0]})")
        if upstream:
            problems.append(f"a parent listing is incomplete ({upstream[0]})")
        raise AirbyteTracedException(
            message=f"{self.name} is incomplete: {'; '.join(problems)}. Its state did not move past the gap; run the sync again.",
            failure_type=FailureType.transient_error,
        )

    def parse_response(self, response: requests.Response, *, stream_state: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, next_page_token: Any = None) -> Iterable[Mapping[str, Any]]:
        if not response.ok:
            self._account_for_skip(response)
            return
        body = response_json(response)
        items = body.get(self.records_key) if self.records_key and isinstance(body, Mapping) else body
        if items is None:
            return
        if isinstance(items, Mapping):
            items = [items]
        if not isinstance(items, list) or (self.records_key and not isinstance(body, Mapping)):
            self.logger.warning(f"{self.name}: Zoom answered {resource_of(response.url)} with {type(items).__name__} where records were expected; nothing taken from it.")
            return
        parent = (stream_slice or {}).get("parent") or {}
        for position, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            record = self.build_record(dict(item), parent, position)
            if record is not None:
                yield record

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        for field, parent_field in self.stamp_from_parent.items():
            record[field] = parent.get(parent_field)
        for field, own_field in self.stamp_from_self.items():
            record[field] = record.get(own_field)
        if self.position_field:
            record[self.position_field] = position
        if self.copies_occurrences_for_stitch and isinstance(record.get("occurrences"), list):
            record["occurences"] = [
                {**occurrence, "occurence_id": occurrence.get("occurrence_id")}
                for occurrence in record["occurrences"]
                if isinstance(occurrence, Mapping)
            ]
        for key_field in self.primary_key_fields():
            if record.get(key_field) is None:
                record[key_field] = ""
        if not self.keeps_instance(record):
            return None
        if self.dedupe_by_primary_key and not self._first_time_seen(record):
            return None
        return record

    def keeps_instance(self, record: Mapping[str, Any]) -> bool:
        """Past instances before the start (start_date, or the earliest a reader's state needs)
        are dropped; so are those Zoom's per-instance lookups no longer serve."""
        if not (self.since_start_date or self.monthly_windows):
            return True
        floor = self.fetch_floor()
        if self.since_start_date:
            floor = max(floor or self.context.config.start_date, self.context.config.start_date)
        if starts_before(record, floor):
            return False
        if self.drops_instances_beyond_lookup_horizon:
            horizon = self.context.config.today - timedelta(days=INSTANCE_LOOKUP_DAYS)
            if starts_before(record, datetime.combine(horizon.date(), datetime.min.time(), tzinfo=timezone.utc)):
                self.context.log_once(
                    f"lookup-horizon:{self.name}",
                    f"{self.name}: Zoom no longer serves participants, polls or Q&A of instances that started before "
                    f"{horizon.date().isoformat()} (code 12702 after a year); those instances are left out.",
                )
                return False
        return True

    def primary_key_fields(self) -> List[str]:
        key = self.primary_key
        if key is None:
            return []
        return [key] if isinstance(key, str) else [k if isinstance(k, str) else k[0] for k in key]

    def _first_time_seen(self, record: Mapping[str, Any]) -> bool:
        key: Any = tuple(record.get(field) for field in self.primary_key_fields())
        try:
            hash(key)
        except TypeError:  # a key Zoom sent as an object or list
            key = repr(key)
        with self._seen_lock:
            if key in self._seen_keys:
                return False
            self._seen_keys.add(key)
            return True

    def _account_for_skip(self, response: requests.Response) -> None:
        code, message = zoom_error_body(response)
        error = classify(response.status_code, code, self.extra_errors)
        self.context.report.record_skip(self.name, code)
        if error is not None and error.outcome == Outcome.STREAM_UNAVAILABLE:
            reason = f"Zoom code {code}: {message or error.meaning}"
            if self.context.report.mark_unavailable(self.name, reason):
                self.logger.warning(
                    f"{self.name}: not available on this Zoom account ({error.meaning}; {reason}); "
                    "this table ends here, empty or partial, and the rest of the sync goes on."
                )


# --- users and meetings ------------------------------------------------------------------------


class Users(ZoomStream):
    """GET /users"""

    path_template = "users"
    records_key = "users"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"


class UserMeetings(ZoomStream):
    """GET /users/{userId}/meetings: the short form; `meetings` fetches each one's details."""

    hidden = True
    path_template = "users/{id}/meetings"
    parent = Users
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"type": "scheduled"}
    primary_key = "id"
    dedupe_by_primary_key = True


class Meetings(ZoomStream):
    """GET /meetings/{meetingId}"""

    path_template = "meetings/{id}"
    parent = UserMeetings
    primary_key = "uuid"
    stamp_from_self = {"meeting_id": "id"}
    dedupe_by_primary_key = True
    copies_occurrences_for_stitch = True


class MeetingRegistrants(ZoomStream):
    """GET /meetings/{meetingId}/registrants"""

    path_template = "meetings/{id}/registrants"
    parent = Meetings
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "meeting_id"]
    stamp_from_parent = {"meeting_id": "id"}
    needs_registration = True


class MeetingQuestions(ZoomStream):
    """GET /meetings/{meetingId}/registrants/questions"""

    path_template = "meetings/{id}/registrants/questions"
    parent = Meetings
    primary_key = "meeting_id"
    stamp_from_parent = {"meeting_id": "id"}
    needs_registration = True


class MeetingPolls(ZoomStream):
    """GET /meetings/{meetingId}/polls"""

    path_template = "meetings/{id}/polls"
    parent = Meetings
    records_key = "polls"
    primary_key = ["id", "meeting_id"]
    stamp_from_parent = {"meeting_id": "id"}


class ReportMeetings(ZoomStream):
    """GET /report/users/{userId}/meetings: every past meeting instance with two or more participants."""

    path_template = "report/users/{id}/meetings"
    parent = Users
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"type": "past"}
    primary_key = "uuid"
    stamp_from_self = {"meeting_id": "id"}
    monthly_windows = True
    windows_within_report_horizon = True
    dedupe_by_primary_key = True
    cursor_field = "start_time"


class MeetingInstances(ZoomStream):
    """GET /past_meetings/{meetingId}/instances joined with the report listing: every past instance
    once, including those the report leaves out (under two participants, or over six months old)."""

    hidden = True
    path_template = "past_meetings/{id}/instances"
    parent = Meetings
    joins = ReportMeetings
    records_key = "meetings"
    primary_key = "uuid"
    stamp_from_parent = {"id": "id"}
    since_start_date = True
    drops_instances_beyond_lookup_horizon = True
    dedupe_by_primary_key = True


MEETING_INSTANCE_KEYS = {"meeting_id": "id", "meeting_uuid": "uuid", "meeting_start_time": "start_time"}


class ReportMeetingParticipants(ZoomStream):
    """GET /report/meetings/{meetingUUID}/participants"""

    path_template = "report/meetings/{uuid}/participants"
    parent = MeetingInstances
    records_key = "participants"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"include_fields": "registrant_id"}
    primary_key = ["id", "meeting_id", "meeting_uuid", "user_id", "join_time"]
    stamp_from_parent = MEETING_INSTANCE_KEYS
    cursor_field = "meeting_start_time"


class MeetingPollResults(ZoomStream):
    """GET /past_meetings/{meetingUUID}/polls"""

    path_template = "past_meetings/{uuid}/polls"
    parent = MeetingInstances
    records_key = "questions"
    primary_key = ["meeting_uuid", "email", "respondent_index"]
    stamp_from_parent = MEETING_INSTANCE_KEYS
    position_field = "respondent_index"
    cursor_field = "meeting_start_time"


class MeetingFiles(ZoomStream):
    """GET /past_meetings/{meetingUUID}/files (removed by Zoom in 2024: ends empty with one warning)"""

    path_template = "past_meetings/{uuid}/files"
    parent = MeetingInstances
    records_key = "in_meeting_files"
    primary_key = ["meeting_uuid", "file_name"]
    stamp_from_parent = MEETING_INSTANCE_KEYS
    cursor_field = "meeting_start_time"
    extra_errors = FILES_GONE_ERRORS
    probe_before_fanning_out = True


# --- webinars ----------------------------------------------------------------------------------


class UserWebinars(ZoomStream):
    """GET /users/{userId}/webinars (page_number paging only)"""

    hidden = True
    path_template = "users/{id}/webinars"
    parent = Users
    records_key = "webinars"
    paging = Paging.PAGE_NUMBER
    primary_key = "id"
    dedupe_by_primary_key = True


class Webinars(ZoomStream):
    """GET /webinars/{webinarId}"""

    path_template = "webinars/{id}"
    parent = UserWebinars
    primary_key = "uuid"
    stamp_from_self = {"webinar_id": "id"}
    dedupe_by_primary_key = True
    copies_occurrences_for_stitch = True


class WebinarPanelists(ZoomStream):
    """GET /webinars/{webinarId}/panelists"""

    path_template = "webinars/{id}/panelists"
    parent = Webinars
    records_key = "panelists"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarRegistrants(ZoomStream):
    """GET /webinars/{webinarId}/registrants"""

    path_template = "webinars/{id}/registrants"
    parent = Webinars
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["webinar_id", "id"]
    stamp_from_parent = {"webinar_id": "id"}
    needs_registration = True


class WebinarQuestions(ZoomStream):
    """GET /webinars/{webinarId}/registrants/questions"""

    path_template = "webinars/{id}/registrants/questions"
    parent = Webinars
    primary_key = "webinar_id"
    stamp_from_parent = {"webinar_id": "id"}
    needs_registration = True


class WebinarTrackingSources(ZoomStream):
    """GET /webinars/{webinarId}/tracking_sources"""

    path_template = "webinars/{id}/tracking_sources"
    parent = Webinars
    records_key = "tracking_sources"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}
    needs_registration = True


class WebinarPolls(ZoomStream):
    """GET /webinars/{webinarId}/polls"""

    path_template = "webinars/{id}/polls"
    parent = Webinars
    records_key = "polls"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarInstances(ZoomStream):
    """GET /past_webinars/{webinarId}/instances: each past occurrence, with its own UUID."""

    hidden = True
    path_template = "past_webinars/{id}/instances"
    parent = Webinars
    records_key = "webinars"
    primary_key = "uuid"
    stamp_from_parent = {"webinar_id": "id"}
    since_start_date = True
    drops_instances_beyond_lookup_horizon = True
    dedupe_by_primary_key = True

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        record["registration_required"] = has_registration(parent)
        return super().build_record(record, parent, position)


class ReportWebinars(ZoomStream):
    """GET /report/webinars/{webinarUUID}"""

    path_template = "report/webinars/{uuid}"
    parent = WebinarInstances
    primary_key = "uuid"
    stamp_from_self = {"webinar_id": "id"}
    dedupe_by_primary_key = True
    cursor_field = "start_time"


WEBINAR_INSTANCE_KEYS = {"webinar_id": "webinar_id", "webinar_uuid": "uuid", "webinar_start_time": "start_time"}


class ReportWebinarParticipants(ZoomStream):
    """GET /report/webinars/{webinarUUID}/participants"""

    path_template = "report/webinars/{uuid}/participants"
    parent = WebinarInstances
    records_key = "participants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "webinar_id", "webinar_uuid", "user_id", "join_time"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"


class WebinarAbsentees(ZoomStream):
    """GET /past_webinars/{webinarUUID}/absentees"""

    path_template = "past_webinars/{uuid}/absentees"
    parent = WebinarInstances
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "webinar_uuid"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"
    needs_registration = True


class WebinarPollResults(ZoomStream):
    """GET /past_webinars/{webinarUUID}/polls"""

    path_template = "past_webinars/{uuid}/polls"
    parent = WebinarInstances
    records_key = "questions"
    primary_key = ["webinar_uuid", "email", "respondent_index"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"
    position_field = "respondent_index"


class WebinarQnaResults(ZoomStream):
    """GET /past_webinars/{webinarUUID}/qa"""

    path_template = "past_webinars/{uuid}/qa"
    parent = WebinarInstances
    records_key = "questions"
    primary_key = ["webinar_uuid", "email", "respondent_index"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"
    position_field = "respondent_index"


class WebinarFiles(ZoomStream):
    """GET /past_webinars/{webinarUUID}/files (removed by Zoom in 2024: ends empty with one warning)"""

    path_template = "past_webinars/{uuid}/files"
    parent = WebinarInstances
    records_key = "in_meeting_files"
    primary_key = ["webinar_uuid", "file_name"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"
    extra_errors = FILES_GONE_ERRORS
    probe_before_fanning_out = True


# --- recordings --------------------------------------------------------------------------------


class CloudRecordings(ZoomStream):
    """GET /users/{userId}/recordings: one record per recorded meeting instance."""

    path_template = "users/{id}/recordings"
    parent = Users
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "uuid"
    monthly_windows = True
    dedupe_by_primary_key = True
    cursor_field = "start_time"


ALL_STREAMS: Tuple[type, ...] = (
    Users,
    UserMeetings,
    Meetings,
    MeetingRegistrants,
    MeetingPolls,
    MeetingQuestions,
    ReportMeetings,
    MeetingInstances,
    ReportMeetingParticipants,
    MeetingPollResults,
    MeetingFiles,
    UserWebinars,
    Webinars,
    WebinarPanelists,
    WebinarRegistrants,
    WebinarAbsentees,
    WebinarPolls,
    WebinarInstances,
    WebinarPollResults,
    WebinarQnaResults,
    WebinarQuestions,
    WebinarTrackingSources,
    WebinarFiles,
    ReportWebinars,
    ReportWebinarParticipants,
    CloudRecordings,
)
TABLES: Tuple[type, ...] = tuple(stream for stream in ALL_STREAMS if not stream.hidden)


def build_streams(context: SyncContext) -> List[ZoomStream]:
    """Each stream built once; children get the very instance of their parent."""
    built: Dict[type, ZoomStream] = {}

    def build(stream_class: type) -> ZoomStream:
        if stream_class not in built:
            parent = build(stream_class.parent) if stream_class.parent else None
            joined = build(stream_class.joins) if stream_class.joins else None
            stream = built[stream_class] = stream_class(context, parent, joined)
            for source in (parent, joined):
                if source is not None:
                    context.readers.setdefault(source.name, []).append(stream)
        return built[stream_class]

    return [build(stream_class) for stream_class in ALL_STREAMS]
