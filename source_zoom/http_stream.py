"""`ZoomHttpStream`: what every Zoom table declares, turned into the CDK's hooks.

A table sets class attributes (its endpoint, parent, keys, stamps, slice dimensions and date
policy); this class turns them into the CDK's hooks: path, query, paging, parsing, one slice's
pages (`fetch_slice` gathered whole, `read_slice` page by page) and the record as emitted. It knows nothing of how a table is read: the
read path drives it, in zoom_stream.py beside ZoomStream, the class tables subclass, which hands
each read to it.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC
from datetime import date
from typing import Any, Callable, ClassVar, Dict, Iterable, Iterator, List, Mapping, MutableMapping, Optional, Sequence

import requests

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.sources.streams.http import HttpClient, HttpStream
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.declarations import EachValue, Endpoint, Enrich, Join, ParentFilter
from source_zoom.errors import (
    Fault,
    RequestFailed,
    RequestFailure,
    Outcome,
    ZoomBackoffStrategy,
    ZoomErrorHandler,
    classify,
    missing_scopes,
    resource_of,
    response_json,
    zoom_error_body,
)
from source_zoom.incremental import CompletedWindowsCursor
from source_zoom.paging import PAGE_SIZE, PageGuard, Paging, PagingProblem, next_page
from source_zoom.parents import GraphNode, SyncContext
from source_zoom.paths import zoom_uuid_path_segment
from source_zoom.records import SeenKeys, SliceKeys
from source_zoom.sync_report import SkippedClass, UnavailableTable
from source_zoom.windows import NOT_DATED, DatePolicy, Window, first_day_of, starts_before, table_windows

logger = logging.getLogger("airbyte")


# --- the record as emitted: what the table stamps on it, and what an enrichment fills in ---


def key_fields(primary_key: Any) -> List[str]:
    if primary_key is None:
        return []
    return [primary_key] if isinstance(primary_key, str) else [k if isinstance(k, str) else k[0] for k in primary_key]


def stamp(record: Dict[str, Any], parent: Mapping[str, Any], position: int, declaration: Any) -> None:
    """What the table declares it stamps (stamp_from_parent, stamp_from_self, position_field,
    copies_occurrences_for_stitch), and "" for missing key fields."""
    for field, parent_field in declaration.stamp_from_parent.items():
        record[field] = parent.get(parent_field)
    for field, own_field in declaration.stamp_from_self.items():
        record[field] = record.get(own_field)
    if declaration.position_field:
        record[declaration.position_field] = position
    if declaration.copies_occurrences_for_stitch and isinstance(record.get("occurrences"), list):
        # Stitch's schema spells it `occurences`: those columns stay filled for migrated users.
        record["occurences"] = [
            {**occurrence, "occurence_id": occurrence.get("occurrence_id")}
            for occurrence in record["occurrences"]
            if isinstance(occurrence, Mapping)
        ]
    for key_field in key_fields(declaration.primary_key):
        if record.get(key_field) is None:
            record[key_field] = ""


class Enrichment:
    """An `Enrich` at work: the enriching listing indexed by key, and the detail request for a
    record it lacks (`fetch_detail(path)` -> the detail object or None)."""

    def __init__(self, spec: Enrich, enriching_records: List[Mapping[str, Any]], fetch_detail: Callable[[str], Optional[Mapping[str, Any]]]):
        self._spec = spec
        self._index = {r[spec.key]: r for r in enriching_records if r.get(spec.key)}
        self._fetch_detail = fetch_detail

    def apply(self, record: Dict[str, Any], path_segment: Callable[[str], str]) -> None:
        spec = self._spec
        if not record.get(spec.key):
            return
        match = self._index.get(record[spec.key])
        if match is not None:
            record.update({ours: match.get(theirs) for ours, theirs in spec.fields.items()})
            return
        # The enriching listing lacks this one: its detail, one request (failures beyond retries fail the slice).
        detail = self._fetch_detail(spec.detail.path.format(uuid=path_segment(record[spec.key])))
        if detail is not None:
            record.update({ours: detail.get(theirs) for ours, theirs in spec.detail_fields.items()})


class ZoomHttpStream(GraphNode, HttpStream, ABC):
    """One Zoom table (or a hidden parent). Subclasses set class attributes only:

    endpoint          what it calls (declarations.Endpoint: path, budget, category, scopes, error
                      rules); `path_template` is its path: `{id}` and `{uuid}` are the parent
                      record's (the UUID encoded by zoom_uuid_path_segment)
    parent            the stream class sliced over; `parent_filter` which of its records
    each_value        query parameters with one slice per value (e.g. registrant status)
    dates             how the table meets date windows and which past instances it keeps
    records_key       where the list sits in the response; None when the response is the record
    paging            Zoom's paging style for the endpoint; `page_size` its largest page
    stamp_from_parent child field -> parent field, so a record names what it belongs to
    stamp_from_self   field -> field of the record itself (e.g. meeting_id <- id)
    position_field    the record's position in its response (tells anonymous answers apart)
    stamp_from_response field -> field of the response around the records (e.g. the survey's id)
    joins             other listings of the same things whose records this stream also takes
    enriched_by       fields the endpoint leaves out, taken from another listing (or a detail request)
    """

    endpoint: ClassVar[Endpoint]
    path_template: ClassVar[str]  # endpoint.path, set by __init_subclass__
    parent: ClassVar[Optional[type]] = None
    parent_filter: ClassVar[Optional[ParentFilter]] = None
    each_value: ClassVar[Sequence[EachValue]] = ()
    dates: ClassVar[DatePolicy] = NOT_DATED
    records_key: ClassVar[Optional[str]] = None
    paging: ClassVar[Paging] = Paging.NONE
    # Zoom's largest page for the endpoint (most take 300; some Zoom Phone listings 100).
    page_size: ClassVar[int] = PAGE_SIZE
    extra_params: ClassVar[Mapping[str, Any]] = {}
    stamp_from_parent: ClassVar[Mapping[str, str]] = {}
    stamp_from_self: ClassVar[Mapping[str, str]] = {}
    position_field: ClassVar[Optional[str]] = None
    stamp_from_response: ClassVar[Mapping[str, str]] = {}
    # The same record can come in two slices (a meeting across midnight of a month's end).
    dedupe_by_primary_key: ClassVar[bool] = False
    # Stitch's schema spells it `occurences`: keep those columns filled for migrated users.
    copies_occurrences_for_stitch: ClassVar[bool] = False
    hidden: ClassVar[bool] = False
    # Incremental tables: the instance's start time; a table under a past instance stamps it
    # from the parent (e.g. meeting_start_time).
    cursor_field: ClassVar[Any] = ""  # HttpStream's "no cursor" is an empty value
    joins: ClassVar[Sequence[Join]] = ()
    enriched_by: ClassVar[Optional[Enrich]] = None

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        if "endpoint" in cls.__dict__:
            cls.path_template = cls.endpoint.path

    def __init__(
        self,
        context: SyncContext,
        parent: Optional[GraphNode] = None,
        joined: Sequence[GraphNode] = (),
        enriching: Optional[GraphNode] = None,
        people: Optional[GraphNode] = None,
    ):
        self.context = context
        self.parent_stream = parent
        self.joined_streams = list(joined)
        self.enriching_stream = enriching
        # An account-wide dated listing: the account's people, whose oldest creation its windows start from.
        self.people_stream = people
        self._enrichment: Optional[Enrichment] = None
        super().__init__(authenticator=context.authenticator, api_budget=context.budget_for(self.endpoint))
        # Whole listings are read per slice; per-page resumable full refresh would read one page.
        self.cursor = None
        # Set by the source when the catalog asks for this table incrementally.
        self.window_cursor: Optional[CompletedWindowsCursor] = None
        self._http_client._session.hooks["response"].append(self._count_request)
        # What belongs to the listing attempt a slice is fetched for (its paging guard, the keys it
        # emitted), set by the thread that fetches the slice: the same stream can be listed by two
        # attempts at once (a table and the memo thread listing it again after it failed).
        self._attempt = threading.local()
        # Whether a first slice was read alone (fanout.read_in_parallel).
        self.probed = False

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
        # Kept: a request that fails for good leaves its RequestFailure there for the thread that sent it.
        handler = ZoomErrorHandler(self.name, on_token_rejected=self.context.authenticator.mark_rejected, endpoint=self.endpoint)
        self._error_handlers = [handler]
        return handler

    def get_backoff_strategy(self) -> ZoomBackoffStrategy:
        return ZoomBackoffStrategy(self.context.stopped)

    def request_kwargs(self, **kwargs: Any) -> Mapping[str, Any]:
        return {"timeout": self.context.config.request_timeout}

    @property
    def category(self) -> str:
        """The pool this stream's requests fan out on: its endpoint's rate category, of its API."""
        return self.endpoint.pool

    def _count_request(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.context.report.count_request(self.name)

    def windows(self) -> List[Window]:
        config = self.context.config
        return table_windows(self.name, self.dates, config.start_date, config.today, self.fetch_floor(), self.account_first_day())

    def account_first_day(self) -> Optional[date]:
        """The first day anything of the account can be dated on: that of its oldest user (waits
        for the whole users listing). None when a user does not say when it was made, or the
        listing is short or unavailable: then nothing is left out."""
        if self.people_stream is None:
            return None
        memo = self.context.memo(self.people_stream)
        try:
            people = memo.records()
        except Exception:  # the users listing failed: its own table says so, and this one reads from start_date
            return None
        if not people or not memo.complete or memo.gaps or self.context.report.unavailable.get(self.people_stream.name):
            return None
        days = [first_day_of(person) for person in people]
        return None if any(day is None for day in days) else min(days)  # type: ignore[type-var]

    # --- the CDK's hooks ----------------------------------------------------------------------

    def stream_slices(self, *, sync_mode: SyncMode = SyncMode.full_refresh, cursor_field: Any = None, stream_state: Any = None) -> Iterable[Optional[Mapping[str, Any]]]:
        # One partition per table: its requests fan out on the pool of its rate category, so all
        # tables run at once and no table's queue of requests waits behind another's.
        yield {}

    def prepare(self) -> None:
        """Before the fan-out, in the table's own thread (a memo is never filled from a pool
        thread, which could wait on itself): the index of the listing that enriches this one."""
        if self.enriched_by is not None and self.enriching_stream is not None:
            self._detail_client = self.client_for(self.enriched_by.detail)
            self._enrichment = Enrichment(self.enriched_by, self.context.memo(self.enriching_stream).records(), self._fetch_detail)

    def client_for(self, endpoint: Endpoint) -> HttpClient:
        """An HTTP client for another endpoint this stream calls: the same token, retries and
        counting as the stream's own, that endpoint's error rules and its place in the budget."""
        handler = ZoomErrorHandler(self.name, on_token_rejected=self.context.authenticator.mark_rejected, endpoint=endpoint)
        self._error_handlers.append(handler)
        client = HttpClient(
            name=self.name,
            logger=self.logger,
            error_handler=handler,
            api_budget=self.context.budget_for(endpoint),
            authenticator=self.context.authenticator,
            backoff_strategy=self.get_backoff_strategy(),
            message_repository=InMemoryMessageRepository(),
        )
        client._session.hooks["response"].append(self._count_request)
        return client

    def _fetch_detail(self, path: str) -> Optional[Mapping[str, Any]]:
        """The detail object, or None: not served (counted and, for a missing scope, said once
        with the scope to add: the table then ends unavailable, its state waiting for the fields
        it could not fill), or not asked once the table is unavailable (no request that cannot succeed)."""
        if self.context.report.unavailable.get(self.name):
            return None
        _, response = self._detail_client.send_request("GET", self.url_base + path, request_kwargs=self.request_kwargs())
        if not response.ok:
            account_for_skip(self, response, self.enriched_by.detail if self.enriched_by is not None else self.endpoint)
            return None
        detail = response_json(response)
        return detail if isinstance(detail, Mapping) else None

    def fetch_slice(self, stream_slice: Mapping[str, Any], seen: Optional[SeenKeys] = None) -> List[Mapping[str, Any]]:
        """Every record of one slice, gathered whole (a slice read on a pool, whose size does not
        grow with the account: fanout.py says which). `seen`: the keys its listing attempt emitted
        (tables that dedupe by primary key drop a record seen before). None of its records goes
        out unless all do: a slice that fails part-way gives every key it took back, so that its
        records are not dropped as seen when they are read again."""
        taken = SliceKeys(seen) if seen is not None else None
        try:
            return list(self._slice_records(stream_slice, taken))
        except BaseException:
            if taken is not None:
                taken.give_back()
            raise

    def read_slice(self, stream_slice: Mapping[str, Any], seen: Optional[SeenKeys] = None) -> Iterator[Mapping[str, Any]]:
        """One slice's records as its pages come, a page asked only once the records of the one
        before are taken (a slice as large as the account: fanout.py says which), so that no more
        than a page of it is held. A record handed on is out: its key stays taken whatever
        becomes of the rest of the slice (a record listed twice goes out once); a slice that fails
        part-way gives back only the key of a record it took and did not hand on."""
        taken = SliceKeys(seen) if seen is not None else None
        try:
            for record in self._slice_records(stream_slice, taken):
                if taken is not None:
                    taken.handed_on()
                yield record
        except BaseException:
            if taken is not None:
                taken.give_back()
            raise

    def _slice_records(self, stream_slice: Mapping[str, Any], taken: Optional[SliceKeys]) -> Iterator[Mapping[str, Any]]:
        """One slice's records, page by page. A window Zoom refuses as starting before its
        horizon, its clock being ahead of ours, is asked again from Zoom's horizon; Zoom refuses it
        on its first page, before any record: a refusal after records came (midnight passing
        between two pages) fails the slice instead, as asking again could not take back what
        went out."""
        came = False
        try:
            for record in self._pages(stream_slice, taken):
                came = True
                yield record
        except RequestFailed as refused:
            invalid = refused.failure.status == 400 and refused.failure.code == 300
            later = self.dates.start_zoom_takes(stream_slice["from"], stream_slice["to"], self.context.config.today) if invalid and "from" in stream_slice and not came else None
            if later is None:
                raise
            yield from self._pages({**stream_slice, "from": later}, taken)

    def _pages(self, stream_slice: Mapping[str, Any], taken: Optional[SliceKeys]) -> Iterator[Mapping[str, Any]]:
        """The CDK's paging of one slice (each page's records parsed as they are taken, the next
        page asked after them), with this listing attempt's paging guard and keys: thread-local,
        set by the thread that reads the slice, which is the one that resumes it page by page."""
        self._attempt.guard = PageGuard()
        self._attempt.seen = taken
        try:
            for record in HttpStream.read_records(self, SyncMode.full_refresh, stream_slice=stream_slice):
                yield record.data if isinstance(record, Record) else record  # type: ignore[misc]
        except AirbyteTracedException as error:
            # The CDK raises a request that failed for good as a sentence; its handler kept it as data.
            failure = None if isinstance(error, RequestFailed) else self.failure_of_this_thread()
            if failure is None:
                raise
            raise RequestFailed(failure) from error

    def failure_of_this_thread(self) -> Optional[RequestFailure]:
        """How this thread's last request failed for good, on any of the stream's endpoints."""
        found = [handler.take_failure() for handler in self._error_handlers]
        return next((failure for failure in found if failure is not None), None)

    def path(self, *, stream_state: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, next_page_token: Any = None) -> str:
        parent = (stream_slice or {}).get("parent") or {}
        values = {"id": parent.get("id")}
        if parent.get("uuid"):
            values["uuid"] = zoom_uuid_path_segment(parent["uuid"])
        return self.path_template.format(**values)

    def request_params(self, stream_state: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, next_page_token: Optional[Mapping[str, Any]] = None) -> MutableMapping[str, Any]:
        params: Dict[str, Any] = dict(self.extra_params)
        if self.paging != Paging.NONE:
            params["page_size"] = self.page_size
        stream_slice = stream_slice or {}
        params.update(stream_slice.get("params") or {})
        if "from" in stream_slice:
            params.update(self.dates.query(stream_slice["from"], stream_slice["to"], self.context.config.today))
        params.update(next_page_token or {})
        return params

    def next_page_token(self, response: requests.Response) -> Optional[Mapping[str, Any]]:
        if not response.ok or self.paging == Paging.NONE:
            return None
        body = response_json(response)  # a page that is not an object: parse_response warned
        guard = getattr(self._attempt, "guard", None)
        if guard is None:
            guard = self._attempt.guard = PageGuard()
        try:
            return next_page(self.paging, body, response.request.url, guard)
        except PagingProblem as problem:
            raise RequestFailed(RequestFailure(Fault.PAGING, self.name, self.endpoint, resource_of(response.request.url), said=str(problem)))

    def parse_response(self, response: requests.Response, *, stream_state: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, next_page_token: Any = None) -> Iterable[Mapping[str, Any]]:
        if not response.ok:
            account_for_skip(self, response)
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
        around = {field: body.get(body_field) for field, body_field in self.stamp_from_response.items()} if isinstance(body, Mapping) else {}
        for position, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            record = self.build_record({**item, **around}, parent, position)
            if record is not None:
                yield record

    # --- records ------------------------------------------------------------------------------

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        stamp(record, parent, position, self)
        if not self.keeps_instance(record):
            return None
        seen = getattr(self._attempt, "seen", None)
        if self.dedupe_by_primary_key and seen is not None and not seen.first_time(record):
            return None
        if self._enrichment is not None:
            self._enrichment.apply(record, zoom_uuid_path_segment)
        return record

    def keeps_instance(self, record: Mapping[str, Any]) -> bool:
        """Past instances before the start (start_date, or the earliest a reader's state needs)
        are dropped. Zoom states no age limit for its per-instance lookups: they are asked, and an
        instance Zoom calls too old (12702) is skipped by that table with one log line. (Tables
        read at once: sharing "too old" between them would make what is sent depend on timing.)"""
        if not self.dates.keeps_only_recent_instances:
            return True
        start_date = self.context.config.start_date  # a moment, not a day: windows start on its day
        return not starts_before(record, max(self.fetch_floor() or start_date, start_date))

    def primary_key_fields(self) -> List[str]:
        return key_fields(self.primary_key)


def account_for_skip(stream: ZoomHttpStream, response: requests.Response, endpoint: Optional[Endpoint] = None) -> None:
    """A skipped answer (of `endpoint`, by default the stream's own) counted for the summary; a
    table Zoom will not serve is said once, with the scope to add."""
    status = response.status_code
    code, message = zoom_error_body(response)
    error = classify(status, code, (endpoint or stream.endpoint).errors)
    report = stream.context.report
    report.record_skip(SkippedClass(stream.name, status, code, error.meaning if error is not None else message))
    if error is None or error.outcome != Outcome.STREAM_UNAVAILABLE:
        return
    unavailable = UnavailableTable(stream.name, status, code, error.meaning, message, tuple(missing_scopes(message)), error.said_once_for)
    if unavailable.product is not None:
        report.mark_unavailable(unavailable)
        stream.context.log_once(
            f"unavailable:{unavailable.product}",
            f"{unavailable.product}: {unavailable.meaning} ({unavailable.reason}); its tables end empty, and the rest of the sync goes on.",
        )
    elif report.mark_unavailable(unavailable):
        scopes = unavailable.scopes
        advice = f" Add {', '.join(scopes)} to the Zoom app's scopes; the next sync then reads this table's whole history." if scopes else ""
        stream.logger.warning(
            f"{stream.name}: not available on this Zoom account ({unavailable.meaning}; {unavailable.reason}); "
            f"this table ends here, empty or partial, and the rest of the sync goes on.{advice}"
        )
