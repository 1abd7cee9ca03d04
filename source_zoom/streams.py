"""The Zoom tables. `ZoomStream` owns paging, slicing over a parent, stamping parent keys and
error handling; each table below is only its endpoint, parent and keys.

Parents are listed once per sync: the first stream that needs a parent's records fills a
`RecordMemo`, and the parent's own table and every child read from it.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, ClassVar, Dict, Iterable, List, Mapping, MutableMapping, Optional, Tuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests

from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.core import StreamData
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import ZoomAuthenticator
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
REQUEST_TIMEOUT = (10, 60)
# A listing longer than this (90 million rows at 300 a page) is a paging bug, not data.
MAX_PAGES_PER_LISTING = 300_000
FROM_MEMO = "from_memo"

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


def parse_zoom_time(value: Any) -> Optional[datetime]:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # Compared with the (aware) start date: a time without an offset is Zoom's UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


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
        self.parents_with_children: set = set()

    def memo(self, stream: "ZoomStream") -> "RecordMemo":
        with self._memos_lock:
            return self._memos.setdefault(stream.name, RecordMemo(stream))


class RecordMemo:
    """A parent's records, fetched once by whichever stream asks first."""

    def __init__(self, stream: "ZoomStream"):
        self._stream = stream
        self._lock = threading.Lock()
        self._records: Optional[List[Mapping[str, Any]]] = None

    def records(self) -> List[Mapping[str, Any]]:
        with self._lock:
            if self._records is None:
                self._records = list(self._stream.fetch_all_records())
            return self._records


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

    def __init__(self, context: SyncContext, parent: Optional["ZoomStream"] = None):
        self.context = context
        self.parent_stream = parent
        super().__init__(authenticator=context.authenticator, api_budget=context.api_budget)
        # Whole listings are read per slice; per-page resumable full refresh would read one page.
        self.cursor = None
        self._seen_keys: set = set()
        self._seen_lock = threading.Lock()
        self._pages_seen: Dict[str, int] = {}
        self._tokens_seen: set = set()
        self._probe_lock = threading.Lock()
        self._probed = False

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
        return self.name in self.context.parents_with_children

    def stream_slices(self, *, sync_mode: SyncMode = SyncMode.full_refresh, cursor_field: Any = None, stream_state: Any = None) -> Iterable[Optional[Mapping[str, Any]]]:
        if self.has_children:
            yield {FROM_MEMO: True}
        else:
            yield from self.http_slices()

    def http_slices(self) -> Iterable[Mapping[str, Any]]:
        parents: Iterable[Optional[Mapping[str, Any]]] = self.parent_records() if self.parent_stream else [None]
        for parent in parents:
            if self.context.report.unavailable.get(self.name):
                return
            if parent is not None and not self.accepts_parent(parent):
                continue
            base = {"parent": parent} if parent is not None else {}
            if self.monthly_windows:
                for window_from, window_to in self.windows():
                    yield {**base, "from": window_from.isoformat(), "to": window_to.isoformat()}
            else:
                yield base

    def parent_records(self) -> Iterable[Mapping[str, Any]]:
        return self.context.memo(self.parent_stream).records()

    def accepts_parent(self, parent: Mapping[str, Any]) -> bool:
        if self.needs_registration and not has_registration(parent):
            return False
        return True

    def windows(self) -> Iterable[Tuple[date, date]]:
        today = self.context.config.today.date()
        start = self.context.config.start_date.date()
        if self.windows_within_report_horizon:
            start = max(start, today - timedelta(days=REPORT_HORIZON_DAYS - 1))
        return month_windows(start, today)

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
        records: Optional[Iterable[Mapping[str, Any]]] = None
        if self.probe_before_fanning_out:
            with self._probe_lock:
                if not self._probed:
                    # The first slice is read alone: if Zoom says the endpoint is gone, the
                    # other slices know it before they send anything.
                    self._probed = True
                    records = list(self._records_of_slice(stream_slice))
        yield from self._records_of_slice(stream_slice) if records is None else records

    def _records_of_slice(self, stream_slice: Optional[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
        if self.context.report.unavailable.get(self.name):
            return []  # Zoom already said this table cannot be read: no request that cannot succeed
        if stream_slice and stream_slice.get(FROM_MEMO):
            return self.context.memo(self).records()
        return HttpStream.read_records(self, SyncMode.full_refresh, stream_slice=stream_slice)  # type: ignore[return-value]

    def fetch_all_records(self) -> Iterable[Mapping[str, Any]]:
        """Every record over every slice, straight from Zoom (used to fill this stream's memo)."""
        for stream_slice in self.http_slices():
            for record in HttpStream.read_records(self, SyncMode.full_refresh, stream_slice=stream_slice):
                yield record.data if isinstance(record, Record) else record  # type: ignore[union-attr]

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
        if self.since_start_date:
            started = parse_zoom_time(record.get("start_time"))
            if started is not None and started < self.context.config.start_date:
                return None
        if self.dedupe_by_primary_key and not self._first_time_seen(record):
            return None
        return record

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


class ReportMeetingParticipants(ZoomStream):
    """GET /report/meetings/{meetingUUID}/participants"""

    path_template = "report/meetings/{uuid}/participants"
    parent = ReportMeetings
    records_key = "participants"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"include_fields": "registrant_id"}
    primary_key = ["id", "meeting_id", "meeting_uuid", "user_id", "join_time"]
    stamp_from_parent = {"meeting_id": "id", "meeting_uuid": "uuid"}


class MeetingPollResults(ZoomStream):
    """GET /past_meetings/{meetingUUID}/polls"""

    path_template = "past_meetings/{uuid}/polls"
    parent = ReportMeetings
    records_key = "questions"
    primary_key = ["meeting_uuid", "email", "respondent_index"]
    stamp_from_parent = {"meeting_id": "id", "meeting_uuid": "uuid"}
    position_field = "respondent_index"


class MeetingFiles(ZoomStream):
    """GET /past_meetings/{meetingUUID}/files (removed by Zoom in 2024: ends empty with one warning)"""

    path_template = "past_meetings/{uuid}/files"
    parent = ReportMeetings
    records_key = "in_meeting_files"
    primary_key = ["meeting_uuid", "file_name"]
    stamp_from_parent = {"meeting_id": "id", "meeting_uuid": "uuid"}
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


class ReportWebinarParticipants(ZoomStream):
    """GET /report/webinars/{webinarUUID}/participants"""

    path_template = "report/webinars/{uuid}/participants"
    parent = WebinarInstances
    records_key = "participants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "webinar_id", "webinar_uuid", "user_id", "join_time"]
    stamp_from_parent = {"webinar_id": "webinar_id", "webinar_uuid": "uuid"}


class WebinarAbsentees(ZoomStream):
    """GET /past_webinars/{webinarUUID}/absentees"""

    path_template = "past_webinars/{uuid}/absentees"
    parent = WebinarInstances
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "webinar_uuid"]
    stamp_from_parent = {"webinar_id": "webinar_id", "webinar_uuid": "uuid"}
    needs_registration = True


class WebinarPollResults(ZoomStream):
    """GET /past_webinars/{webinarUUID}/polls"""

    path_template = "past_webinars/{uuid}/polls"
    parent = WebinarInstances
    records_key = "questions"
    primary_key = ["webinar_uuid", "email", "respondent_index"]
    stamp_from_parent = {"webinar_id": "webinar_id", "webinar_uuid": "uuid"}
    position_field = "respondent_index"


class WebinarQnaResults(ZoomStream):
    """GET /past_webinars/{webinarUUID}/qa"""

    path_template = "past_webinars/{uuid}/qa"
    parent = WebinarInstances
    records_key = "questions"
    primary_key = ["webinar_uuid", "email", "respondent_index"]
    stamp_from_parent = {"webinar_id": "webinar_id", "webinar_uuid": "uuid"}
    position_field = "respondent_index"


class WebinarFiles(ZoomStream):
    """GET /past_webinars/{webinarUUID}/files (removed by Zoom in 2024: ends empty with one warning)"""

    path_template = "past_webinars/{uuid}/files"
    parent = WebinarInstances
    records_key = "in_meeting_files"
    primary_key = ["webinar_uuid", "file_name"]
    stamp_from_parent = {"webinar_id": "webinar_id", "webinar_uuid": "uuid"}
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


ALL_STREAMS: Tuple[type, ...] = (
    Users,
    UserMeetings,
    Meetings,
    MeetingRegistrants,
    MeetingPolls,
    MeetingQuestions,
    ReportMeetings,
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
            built[stream_class] = stream_class(context, parent)
            if parent is not None:
                context.parents_with_children.add(parent.name)
        return built[stream_class]

    return [build(stream_class) for stream_class in ALL_STREAMS]
