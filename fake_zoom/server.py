"""The fake Zoom REST API v2: an aiohttp app on one event loop, plus a threaded test harness.

Every /v2 request goes through one pipeline: latency -> fault draw -> bearer check -> route ->
rate limit -> handler. Routing is done on the *raw* path, because Zoom's double-encoded UUIDs
can only be told apart from single-encoded ones before any percent-decoding.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from aiohttp import web

from .auth import SCOPES, TokenStore
from .config import FakeZoomConfig
from .data import (
    REGISTRANT_STATUSES,
    USER_STATUSES,
    Dataset,
    Meeting,
    PastInstance,
    User,
    Webinar,
    default_start_date,
    documented_start_date,
    history_row,
    needs_double_encoding,
    report_detail,
    report_listing_row,
)
from . import ai_companion, audit_logs, phone, transcripts
from .account import add_past_meetings, build_dataset
from .faults import Fault, FaultInjector
from .ground_truth import compute_ground_truth
from .horizons import listing_span_ok, report_horizon
from .paging import PagingError, number_page, token_page
from .ratelimit import RateLimited, RateLimiter
from .scopes import MISSING_SCOPE_CODE, missing_scope_message, scope_of

API_PREFIX = "/v2"
JSON = "application/json"
FILES_REMOVED_MESSAGE = "This API endpoint has been removed."
WEBINAR_PLAN_MISSING = (
    "Webinar plan is missing. You must subscribe to the webinar plan and enable webinar for this user "
    "in order to perform this action."
)


class ZoomError(Exception):
    """An error answer in Zoom's {"code", "message"} shape."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code, self.message = http_status, code, message


def json_response(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(), status=status, content_type=JSON, headers=headers
    )


def error_response(http_status: int, code: int, message: str, headers: Optional[Mapping[str, str]] = None):
    return json_response({"code": code, "message": message}, http_status, headers)


# ----------------------------------------------------------------------------- request context


@dataclass
class Ctx:
    """What a handler sees: the model, the raw path params, the decoded query."""

    dataset: Dataset
    params: dict[str, str]  # raw (still percent-encoded) path segments
    query: Mapping[str, str]
    path: str  # raw path without query, binds page tokens to their listing
    origin: str = ""  # scheme://host:port the client came to (download URLs point back at it)

    @property
    def config(self) -> FakeZoomConfig:
        return self.dataset.config

    def user(self) -> User:
        raw = unquote(self.params["userId"])
        user = self.dataset.find_user(raw)
        if user is None or not user.hosts:  # a pending user has no meetings, webinars or reports yet
            raise ZoomError(404, 1001, f"User does not exist: {raw}.")
        return user

    def meeting(self) -> Meeting:
        raw = unquote(self.params["meetingId"])
        meeting = self.dataset.meetings_by_id.get(_as_int(raw))
        if meeting is None or not meeting.served:  # deleted, expired, instant or PMI
            raise ZoomError(404, 3001, f"Meeting does not exist: {raw}.")
        return meeting

    def past_meeting(self) -> Meeting:
        """The meeting whose past instances /past_meetings/{id}/instances lists: every meeting
        Zoom still holds instances of, listed or not (the deleted-quirk meeting holds none)."""
        raw = unquote(self.params["meetingId"])
        meeting = self.dataset.meetings_by_id.get(_as_int(raw))
        if meeting is None or meeting.deleted:
            raise ZoomError(404, 3001, f"Meeting does not exist: {raw}.")
        return meeting

    def webinar(self) -> Webinar:
        raw = unquote(self.params["webinarId"])
        webinar = self.dataset.webinars_by_id.get(_as_int(raw))
        if webinar is None or not webinar.served:  # deleted 90 days after it ended
            raise ZoomError(404, 3001, f"Webinar does not exist: {raw}.")
        return webinar

    def past_webinar(self) -> Webinar:
        raw = unquote(self.params["webinarId"])
        webinar = self.dataset.webinars_by_id.get(_as_int(raw))
        if webinar is None:
            raise ZoomError(404, 3001, f"Webinar does not exist: {raw}.")
        return webinar

    def meeting_instance(self) -> PastInstance:
        return self._instance("meetingId", "meeting", self.dataset.meetings_by_id,
                              self.dataset.meeting_instances_by_uuid)

    def webinar_instance(self) -> PastInstance:
        return self._instance("webinarId", "webinar", self.dataset.webinars_by_id,
                              self.dataset.webinar_instances_by_uuid)

    def _instance(self, param: str, kind: str, by_id: dict, by_uuid: dict) -> PastInstance:
        """An id means the latest past instance; a uuid means that instance (encoding checked)."""
        raw = self.params[param]
        once = unquote(raw)
        parent = by_id.get(_as_int(once))
        if parent is not None:
            if getattr(parent, "deleted", False) or not parent.instances:
                raise ZoomError(404, 3001, f"{kind.capitalize()} does not exist: {once}.")
            instance = max(parent.instances, key=lambda i: i.start)
        else:
            instance = by_uuid.get(decode_uuid_segment(raw) or "")
            if instance is None:
                raise ZoomError(404, 3001, f"{kind.capitalize()} does not exist: {once}.")
        if instance.too_old(self.dataset.today):
            raise ZoomError(400, 12702, f"Can not access a {kind} a year ago.")
        return instance


def _as_int(text: str) -> Optional[int]:
    return int(text) if text.isdigit() else None


def decode_uuid_segment(raw_segment: str) -> Optional[str]:
    """The uuid a raw path segment names, or None when it is encoded the wrong way.

    Zoom's rule: a uuid starting with "/" or containing "//" must be encoded twice, every other
    uuid exactly once. Base64 uuids never contain "%", so a "%" left after one decoding pass
    means the client encoded twice.
    """
    once = unquote(raw_segment)
    if "%" in once:
        uuid = unquote(once)
        return uuid if needs_double_encoding(uuid) else None
    return once if not needs_double_encoding(once) else None


# ----------------------------------------------------------------------------- handlers


def _date_param(query: Mapping[str, str], name: str) -> dt.date:
    text = query.get(name, "")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ZoomError(400, 300, f"Invalid field: {name}. Expected yyyy-mm-dd, got {text!r}.") from None


REPORT_HORIZON_MESSAGE = "The 'from' date cannot be earlier than 6 months before today."


def _date_range(ctx: Ctx, reports: bool) -> tuple[dt.date, dt.date]:
    """from/to of report, history and recording listings: required, to >= from, a span of at most
    one month (one day of slack for inclusive windows), and for reports no older than 6 months."""
    start, end = _date_param(ctx.query, "from"), _date_param(ctx.query, "to")
    if end < start:
        raise ZoomError(400, 300, "The 'to' date must not be before the 'from' date.")
    if not listing_span_ok(start, end):
        raise ZoomError(400, 300, "The date range between 'from' and 'to' cannot exceed one month.")
    if reports and start < report_horizon(ctx.dataset.today):
        raise ZoomError(400, 300, REPORT_HORIZON_MESSAGE)
    return start, end


def _choice(ctx: Ctx, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = ctx.query.get(name, "") or default
    if value not in allowed:
        raise ZoomError(400, 300, f"Invalid field: {name}. Expected one of {', '.join(allowed)}.")
    return value


def list_users(ctx: Ctx):
    status = _choice(ctx, "status", USER_STATUSES, "active")
    users = [u.record for u in ctx.dataset.users if u.status == status]
    return token_page(users, "users", ctx.path, ctx.query)


def get_user(ctx: Ctx):
    # Any user of the account, pending ones included (by email when Zoom gave them no id).
    raw = unquote(ctx.params["userId"])
    user = ctx.dataset.find_user(raw)
    if user is None:
        raise ZoomError(404, 1001, f"User does not exist: {raw}.")
    return user.record


def list_user_meetings(ctx: Ctx):
    # `type=scheduled` (Zoom's default): every type the fake is asked for lists the scheduled
    # meetings, so expired one-time, instant and PMI meetings are never here.
    return token_page([m.list_item for m in ctx.user().meetings if m.listed], "meetings", ctx.path, ctx.query)


def get_meeting(ctx: Ctx):
    return ctx.meeting().detail


def _registered_meeting(ctx: Ctx) -> Meeting:
    meeting = ctx.meeting()
    if not meeting.has_registration:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this meeting: {meeting.id}.")
    return meeting


def _registered_webinar(ctx: Ctx) -> Webinar:
    webinar = ctx.webinar()
    if not webinar.has_registration:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this webinar: {webinar.id}.")
    return webinar


def _of_status(ctx: Ctx, registrants: list) -> list:
    """`status` = approved (Zoom's default) | pending | denied: only registrants of that status."""
    status = _choice(ctx, "status", REGISTRANT_STATUSES, "approved")
    return [r for r in registrants if r["status"] == status]


def list_meeting_registrants(ctx: Ctx):
    registrants = _of_status(ctx, _registered_meeting(ctx).registrants)
    return token_page(registrants, "registrants", ctx.path, ctx.query)


def get_meeting_questions(ctx: Ctx):
    return _registered_meeting(ctx).questions


def list_meeting_polls(ctx: Ctx):
    meeting = ctx.meeting()
    if meeting.polls_disabled:
        raise ZoomError(400, 4400, "Meeting poll is not enabled")
    return {"total_records": len(meeting.polls), "polls": meeting.polls}


def list_past_meeting_instances(ctx: Ctx):
    meeting = ctx.past_meeting()
    return {"meetings": [{"uuid": i.uuid, "start_time": i.start_time} for i in meeting.instances]}


def _past_answers(instance: PastInstance, answers: list) -> dict[str, Any]:
    return {"id": instance.parent_id, "uuid": instance.uuid, "start_time": instance.start_time, "questions": answers}


def get_past_meeting_polls(ctx: Ctx):
    instance = ctx.meeting_instance()
    return _past_answers(instance, instance.poll_results)


def _files(ctx: Ctx, instance_of: Callable[[], PastInstance]):
    if ctx.config.files_endpoints_removed:
        raise ZoomError(404, 404, FILES_REMOVED_MESSAGE)
    return {"in_meeting_files": instance_of().files}


def get_past_meeting_files(ctx: Ctx):
    return _files(ctx, ctx.meeting_instance)


REPORT_TYPES = ("past", "pastOne", "pastJoined")


def list_report_meetings(ctx: Ctx):
    """Every instance the user hosted (listed meeting or not) with two or more participants that
    was running at some time during [from 00:00, to 23:59:59]: an instance that runs past midnight
    at a window's edge is listed by both windows."""
    user = ctx.user()
    start, end = _date_range(ctx, reports=True)
    # type=past (Zoom's default): two or more participants; pastOne: a single one. pastJoined
    # (meetings the user joined) is answered like past: the fake keeps no one's attendance elsewhere.
    single = _choice(ctx, "type", REPORT_TYPES, "past") == "pastOne"
    listed = sorted(
        (i for m in user.meetings for i in m.instances
         if (len(i.participants) == 1) == single and i.start.date() <= end and i.end.date() >= start),
        key=lambda i: i.start,
    )
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    rows = [report_listing_row(ctx.dataset, i) for i in listed]
    return token_page(rows, "meetings", ctx.path, ctx.query, extra)


def get_report_meeting(ctx: Ctx):
    return report_detail(ctx.dataset, ctx.meeting_instance())


def _participants(ctx: Ctx, instance: PastInstance):
    """Participant report rows; `registrant_id` only when asked with include_fields=registrant_id."""
    asked = {field.strip() for field in ctx.query.get("include_fields", "").split(",")}
    rows = instance.participants
    if "registrant_id" not in asked:
        rows = [{k: v for k, v in row.items() if k != "registrant_id"} for row in rows]
    return token_page(rows, "participants", ctx.path, ctx.query)


def list_report_meeting_participants(ctx: Ctx):
    return _participants(ctx, ctx.meeting_instance())


HISTORY_MEETING_TYPES = ("meeting", "webinar", "all")
# report_type: only the instances that have that report. The fake keeps polls and Q&A; no
# instance has a survey, resource or reaction report.
HISTORY_REPORT_TYPES: dict[str, Callable[[PastInstance], bool]] = {
    "all": lambda instance: True,
    "poll": lambda instance: bool(instance.poll_results),
    "qa": lambda instance: bool(instance.qa),
    "survey": lambda instance: False,
    "resource": lambda instance: False,
    "reaction": lambda instance: False,
}


def list_history_meetings(ctx: Ctx):
    """GET /report/history_meetings: every past instance of every host of the account (active or
    inactive, any participant count, listed or not, deleted webinars too) whose start (or end,
    with date_type=end_time) date lies in [from, to]; the report listing's horizon applies."""
    start, end = _date_range(ctx, reports=True)
    date_type = _choice(ctx, "date_type", ("start_time", "end_time"), "start_time")
    meeting_type = _choice(ctx, "meeting_type", HISTORY_MEETING_TYPES, "all")
    has_report = HISTORY_REPORT_TYPES[_choice(ctx, "report_type", tuple(HISTORY_REPORT_TYPES), "all")]
    kinds = ("meeting", "webinar") if meeting_type == "all" else (meeting_type,)
    instances = []
    for user in ctx.dataset.hosting_users():
        parents = (user.meetings if "meeting" in kinds else []) + (user.webinars if "webinar" in kinds else [])
        for parent in parents:
            for instance in parent.instances:
                day = (instance.start if date_type == "start_time" else instance.end).date()
                if start <= day <= end and has_report(instance):
                    instances.append(instance)
    instances.sort(key=lambda i: (i.start, i.uuid))
    rows = [history_row(ctx.dataset, i) for i in instances]
    # Zoom's type for this listing (rivet's ReportsGetHistoryMeetingAndWebinarListResponse) has
    # only next_page_token and page_size beside the rows: no from/to echo, no total_records.
    return token_page(rows, "history_meetings", ctx.path, ctx.query, counted=False)


def list_user_webinars(ctx: Ctx):
    user = ctx.user()
    if not user.webinar_licence:
        raise ZoomError(400, 200, WEBINAR_PLAN_MISSING)
    return number_page([w.list_item for w in user.webinars if w.listed], "webinars", ctx.query)


def get_webinar(ctx: Ctx):
    return ctx.webinar().detail


def list_webinar_panelists(ctx: Ctx):
    panelists = ctx.webinar().panelists
    return {"total_records": len(panelists), "panelists": panelists}


def list_webinar_registrants(ctx: Ctx):
    registrants = _of_status(ctx, _registered_webinar(ctx).registrants)
    return token_page(registrants, "registrants", ctx.path, ctx.query)


def get_webinar_questions(ctx: Ctx):
    return _registered_webinar(ctx).questions


def list_webinar_tracking_sources(ctx: Ctx):
    sources = _registered_webinar(ctx).tracking_sources
    return {"total_records": len(sources), "tracking_sources": sources}


def list_webinar_polls(ctx: Ctx):
    polls = ctx.webinar().polls
    return {"total_records": len(polls), "polls": polls}


def list_past_webinar_instances(ctx: Ctx):
    webinar = ctx.past_webinar()
    return {"webinars": [{"uuid": i.uuid, "start_time": i.start_time} for i in webinar.instances]}


def get_report_webinar(ctx: Ctx):
    return report_detail(ctx.dataset, ctx.webinar_instance())


def list_report_webinar_participants(ctx: Ctx):
    return _participants(ctx, ctx.webinar_instance())


def list_past_webinar_absentees(ctx: Ctx):
    instance = ctx.webinar_instance()
    webinar = ctx.dataset.webinars_by_id[instance.parent_id]
    if not webinar.has_registration:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this webinar: {webinar.id}.")
    return token_page(instance.absentees, "registrants", ctx.path, ctx.query)


def get_past_webinar_polls(ctx: Ctx):
    instance = ctx.webinar_instance()
    return _past_answers(instance, instance.poll_results)


def get_past_webinar_qa(ctx: Ctx):
    instance = ctx.webinar_instance()
    return _past_answers(instance, instance.qa)


def get_past_webinar_files(ctx: Ctx):
    return _files(ctx, ctx.webinar_instance)


def list_user_recordings(ctx: Ctx):
    user = ctx.user()
    start, end = _date_range(ctx, reports=False)
    recordings = [
        transcripts.as_served(i.recording, ctx.origin)
        for m in user.meetings
        for i in sorted(m.instances, key=lambda i: i.start)
        if i.recording is not None and start <= i.start.date() <= end
    ]
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    return token_page(recordings, "meetings", ctx.path, ctx.query, extra)


def list_meeting_summaries(ctx: Ctx):
    """GET /meetings/meeting_summaries: the account's AI Companion summaries of meetings and
    webinars that started on a day in [from, to] (one month at most; Zoom states no horizon)."""
    start, end = _date_range(ctx, reports=False)
    chosen = sorted((s for s in ctx.dataset.summaries.values() if start <= s.instance.start.date() <= end),
                    key=lambda s: (s.instance.start, s.uuid))
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    return token_page([s.list_item() for s in chosen], "summaries", ctx.path, ctx.query, extra, counted=False)


def get_meeting_summary(ctx: Ctx):
    """GET /meetings/{meetingUUID}/meeting_summary (the uuid encoded by Zoom's rule)."""
    raw = ctx.params["meetingId"]
    summary = ctx.dataset.summaries.get(decode_uuid_segment(raw) or "")
    if summary is None:
        raise ZoomError(404, 3001, f"Meeting summary does not exist: {unquote(raw)}.")
    return summary.detail()


def get_report_meeting_qa(ctx: Ctx):
    """GET /report/meetings/{meetingUUID}/qa: one entry per asker (anonymous ones too)."""
    instance = ctx.meeting_instance()
    return _past_answers(instance, instance.qa)


def _audit_listing(ctx: Ctx, logs: list, key: str, echo_dates: bool, **filters: str):
    """A report of the account's audit trail: entries on a day in [from, to] (one month at most,
    within the reports' six months), oldest first."""
    start, end = _date_range(ctx, reports=True)
    rows = [row for row in audit_logs.in_days(logs, start, end) if all(row[f] == v for f, v in filters.items())]
    extra = {"from": start.isoformat(), "to": end.isoformat()} if echo_dates else {}
    return token_page(rows, key, ctx.path, ctx.query, extra, counted=False)


def list_sign_in_activities(ctx: Ctx):
    """GET /report/activities: sign-in and sign-out activity of the account's users."""
    return _audit_listing(ctx, ctx.dataset.sign_in_logs, "activity_logs", echo_dates=True)


OPERATION_CATEGORIES = ("all", "user", "user_settings", "account", "billing", "im", "recording", "phone_contacts",
                        "webinar", "sub_account", "role", "zoom_rooms")


def list_operation_logs(ctx: Ctx):
    """GET /report/operationlogs: what the account's admins did; `category_type` narrows it."""
    category = _choice(ctx, "category_type", OPERATION_CATEGORIES, "all")
    filters = {} if category == "all" else {"category_type": category}
    return _audit_listing(ctx, ctx.dataset.operation_logs, "operation_logs", echo_dates=False, **filters)


# ----------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "/v2/users/{userId}/meetings"
    category: str  # Light | Medium | Heavy
    handler: Callable[[Ctx], Any]
    # Query parameters that make one path two listings (history's report_type): the request
    # counts keep them apart, so that a benchmark's table names each listing's own requests.
    counted_by: tuple[str, ...] = ()

    @property
    def segments(self) -> list[str]:
        return self.template.strip("/").split("/")

    @property
    def name(self) -> str:
        return f"GET {self.template}"

    def counted_as(self, query: Mapping[str, str]) -> str:
        return self.name + "".join(f"?{key}={query[key]}" for key in self.counted_by if key in query)


ROUTES = [
    Route("/v2/users", "Medium", list_users),
    Route("/v2/users/{userId}", "Medium", get_user),
    Route("/v2/users/{userId}/meetings", "Medium", list_user_meetings),
    # Before /meetings/{meetingId}: the router takes the first route a path fits.
    Route("/v2/meetings/meeting_summaries", "Medium", list_meeting_summaries),
    Route("/v2/meetings/{meetingId}", "Light", get_meeting),
    Route("/v2/meetings/{meetingId}/meeting_summary", "Light", get_meeting_summary),
    Route("/v2/meetings/{meetingId}/registrants", "Medium", list_meeting_registrants),
    Route("/v2/meetings/{meetingId}/registrants/questions", "Light", get_meeting_questions),
    Route("/v2/meetings/{meetingId}/polls", "Light", list_meeting_polls),
    Route("/v2/past_meetings/{meetingId}/instances", "Medium", list_past_meeting_instances),
    Route("/v2/past_meetings/{meetingId}/polls", "Medium", get_past_meeting_polls),
    Route("/v2/past_meetings/{meetingId}/files", "Medium", get_past_meeting_files),
    Route("/v2/report/users/{userId}/meetings", "Heavy", list_report_meetings),
    Route("/v2/report/meetings/{meetingId}", "Heavy", get_report_meeting),
    Route("/v2/report/meetings/{meetingId}/participants", "Heavy", list_report_meeting_participants),
    Route("/v2/report/meetings/{meetingId}/qa", "Heavy", get_report_meeting_qa),
    Route("/v2/report/activities", "Heavy", list_sign_in_activities),
    Route("/v2/report/operationlogs", "Heavy", list_operation_logs),
    Route("/v2/report/history_meetings", "Heavy", list_history_meetings, counted_by=("report_type",)),
    Route("/v2/users/{userId}/webinars", "Medium", list_user_webinars),
    Route("/v2/webinars/{webinarId}", "Light", get_webinar),
    Route("/v2/webinars/{webinarId}/panelists", "Medium", list_webinar_panelists),
    Route("/v2/webinars/{webinarId}/registrants", "Medium", list_webinar_registrants),
    Route("/v2/webinars/{webinarId}/registrants/questions", "Light", get_webinar_questions),
    Route("/v2/webinars/{webinarId}/tracking_sources", "Medium", list_webinar_tracking_sources),
    Route("/v2/webinars/{webinarId}/polls", "Light", list_webinar_polls),
    Route("/v2/past_webinars/{webinarId}/instances", "Medium", list_past_webinar_instances),
    Route("/v2/past_webinars/{webinarId}/absentees", "Heavy", list_past_webinar_absentees),
    Route("/v2/past_webinars/{webinarId}/polls", "Medium", get_past_webinar_polls),
    Route("/v2/past_webinars/{webinarId}/qa", "Medium", get_past_webinar_qa),
    Route("/v2/past_webinars/{webinarId}/files", "Medium", get_past_webinar_files),
    Route("/v2/report/webinars/{webinarId}", "Heavy", get_report_webinar),
    Route("/v2/report/webinars/{webinarId}/participants", "Heavy", list_report_webinar_participants),
    Route("/v2/users/{userId}/recordings", "Medium", list_user_recordings),
    *(Route(template, category, handler) for template, category, handler in phone.ROUTES),
]


class Router:
    """Matches raw paths segment by segment; params keep their percent-encoding."""

    def __init__(self, routes: list[Route]) -> None:
        self._by_length: dict[int, list[tuple[Route, list[str]]]] = collections.defaultdict(list)
        for route in routes:
            self._by_length[len(route.segments)].append((route, route.segments))

    def match(self, raw_path: str) -> tuple[Optional[Route], dict[str, str]]:
        parts = raw_path.strip("/").split("/")
        for route, segments in self._by_length.get(len(parts), ()):
            params = {}
            for pattern, part in zip(segments, parts):
                if pattern.startswith("{"):
                    if not part:
                        break
                    params[pattern[1:-1]] = part
                elif pattern != part:
                    break
            else:
                return route, params
        return None, {}


# ----------------------------------------------------------------------------- state and pipeline


@dataclass
class Stats:
    requests_by_endpoint: collections.Counter = field(default_factory=collections.Counter)
    requests_by_category: collections.Counter = field(default_factory=collections.Counter)
    status_counts: collections.Counter = field(default_factory=collections.Counter)
    faults_injected: collections.Counter = field(default_factory=collections.Counter)
    token_faults_injected: collections.Counter = field(default_factory=collections.Counter)  # the token endpoint's share
    token_requests: int = 0
    total_api_requests: int = 0
    # How long each hung request (hang, stall_body) was held before the client closed it.
    hung_seconds: list = field(default_factory=list)
    # File downloads (not API requests) per host the client named, and those that carried a token:
    # a host that is not the API's must never see one.
    downloads_by_host: collections.Counter = field(default_factory=collections.Counter)
    downloads_with_token_by_host: collections.Counter = field(default_factory=collections.Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_by_endpoint": dict(self.requests_by_endpoint),
            "requests_by_category": {c: self.requests_by_category[c] for c in ("light", "medium", "heavy")},
            "status_counts": dict(self.status_counts),
            "token_requests": self.token_requests,
            "token_faults_injected": dict(self.token_faults_injected),
            "faults_injected": {k: self.faults_injected[k] for k in ("5xx", "429", "drop", "bad_json", "hang", "stall_body", "expired_token", "invalid")},
            "hung_seconds": list(self.hung_seconds),
            "total_api_requests": self.total_api_requests,
            "downloads_by_host": dict(self.downloads_by_host),
            "downloads_with_token_by_host": dict(self.downloads_with_token_by_host),
        }


class FakeZoom:
    """All mutable state of one fake account; only touched from the server's event loop."""

    def __init__(self, config: FakeZoomConfig) -> None:
        self.config = config
        self.dataset = build_dataset(config)
        self.tokens = TokenStore(config)
        self.limiter = RateLimiter(config.rate_limit_plan, config.heavy_daily_limit, config.daily_limit_headers)
        self.phone_limiter = phone.PhoneRateLimiter(config.rate_limit_plan, config.daily_limit_headers)
        self.faults = FaultInjector(config)
        self.router = Router(ROUTES)
        self.stats = Stats()
        self.token_requests_served = 0

    # --- /v2 ---

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        route, params = self.router.match(raw_path)
        self.stats.total_api_requests += 1
        self.stats.requests_by_endpoint[route.counted_as(request.query) if route else f"{request.method} <unmatched>"] += 1
        if route is not None:
            self.stats.requests_by_category[route.category.lower()] += 1
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        fault = self.faults.draw(route.template if route else None)
        response = await self._answer(request, route, params, raw_path, fault)
        if response is None:  # dropped connection
            return web.Response(status=500)  # never reaches the client: the transport is gone
        self.stats.status_counts[str(response.status)] += 1
        return response

    async def _answer(self, request, route, params, raw_path, fault: Optional[Fault]):
        early = self._early_fault(request, fault)
        if early is not None or (fault is not None and fault.kind == "drop"):
            return early
        if fault is not None and fault.kind == "hang":
            self.stats.faults_injected["hang"] += 1
            await self._hold(request)
            return None
        message, force_expired = self.tokens.check(_bearer(request))
        if force_expired:
            self.stats.faults_injected["expired_token"] += 1
        if message is not None:
            return error_response(401, 124, message)
        if route is None or request.method != "GET":
            return error_response(404, 404, "Not Found")
        scope = scope_of(route.template)
        if scope in self.dataset.missing_scopes:  # Zoom checks the token's scopes before any quota
            return error_response(400, MISSING_SCOPE_CODE, missing_scope_message(scope))
        quota: dict[str, str] = {}
        try:
            quota = (self.phone_limiter if phone.is_phone(route.template) else self.limiter).admit(route.category)
            body = route.handler(Ctx(self.dataset, params, request.query, raw_path, origin_of(request)))
        except RateLimited as limited:
            return error_response(429, 429, limited.message, limited.headers)
        except (ZoomError, phone.PhoneRefused) as error:
            return error_response(error.http_status, error.code, error.message, quota)
        except PagingError as error:
            return error_response(400, 300, str(error))
        if fault is not None and fault.kind == "bad_json":
            self.stats.faults_injected["bad_json"] += 1
            return _bad_json_response(body, fault)
        if fault is not None and fault.kind == "stall_body":
            self.stats.faults_injected["stall_body"] += 1
            return await self._stall_body(request, body)
        return json_response(body, headers=quota)

    async def _stall_body(self, request: web.Request, body: Any) -> None:
        """Headers and half the body, then silence: a response that never finishes."""
        encoded = json.dumps(body, separators=(",", ":")).encode()
        response = web.StreamResponse(status=200, headers={"Content-Type": JSON, "Content-Length": str(len(encoded))})
        await response.prepare(request)
        await response.write(encoded[: len(encoded) // 2])
        await self._hold(request)
        return None

    async def _hold(self, request: web.Request) -> None:
        """Says nothing until the client closes the connection (or hang_seconds pass, then closes it)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < self.config.hang_seconds:
            transport = request.transport
            if transport is None or transport.is_closing():
                break
            await asyncio.sleep(0.05)
        self.stats.hung_seconds.append(round(loop.time() - started, 2))
        if request.transport is not None:
            request.transport.abort()

    def _early_fault(self, request: web.Request, fault: Optional[Fault]) -> Optional[web.Response]:
        """Faults answered before any real work: 5xx, 429, dropped connection (returns None)."""
        if fault is None or fault.kind in ("bad_json", "hang", "stall_body"):
            return None
        self.stats.faults_injected[fault.kind] += 1
        if fault.kind == "invalid":  # Zoom's validation error: the same request is refused every time
            return error_response(400, 300, "Validation Failed.")
        if fault.kind == "5xx":
            return error_response(fault.status, fault.status, "Internal Error (injected fault)")
        if fault.kind == "429":
            headers = {"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS"}
            if fault.retry_after:
                headers["Retry-After"] = "1"
            return error_response(429, 429, "You have reached the maximum per-second rate limit for this API. "
                                            "Try again later.", headers)
        if request.transport is not None:
            request.transport.abort()
        return None

    # --- file downloads (recording files' download_url) ---

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """GET /rec/download/{fileId}: a transcript's WebVTT bytes, with the account's bearer token
        (Zoom's way for apps; no API rate category applies). Every request is counted under the
        host it was sent to, so a test can tell that none went to a host that is not Zoom's."""
        host = request.host.rpartition(":")[0] or request.host
        # Counted with the API's requests (what the connector asks of Zoom), in no rate category.
        self.stats.total_api_requests += 1
        self.stats.requests_by_endpoint["GET " + DOWNLOAD_ROUTE] += 1
        self.stats.downloads_by_host[host] += 1
        if request.headers.get("Authorization"):
            self.stats.downloads_with_token_by_host[host] += 1
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        response = self._download(request)
        self.stats.status_counts[str(response.status)] += 1
        return response

    def _download(self, request: web.Request) -> web.Response:
        message, force_expired = self.tokens.check(_bearer(request))
        if force_expired:
            self.stats.faults_injected["expired_token"] += 1
        if message is not None:
            return error_response(401, 124, message)
        transcript = self.dataset.transcripts.get(request.match_info["fileId"])
        if transcript is None or transcript.deleted_after_listing:
            return error_response(404, 3301, "This recording does not exist.")
        if transcript.status != "completed":
            return error_response(404, 3301, "The recording file is still being processed.")
        return web.Response(body=transcript.vtt(), content_type="text/vtt")

    # --- /oauth/token ---

    async def handle_token(self, request: web.Request) -> web.StreamResponse:
        self.stats.token_requests += 1
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        self.token_requests_served += 1  # unlike stats, never reset: the script's position
        fault = self.faults.scripted_token_fault(self.token_requests_served)
        if fault is None and self.config.faults_on_token_endpoint and self.token_requests_served > len(self.config.token_fault_script):
            fault = self.faults.draw()
            if fault is not None and fault.kind in ("hang", "stall_body"):
                fault = None  # hangs are an API fault here; the token endpoint's own are 5xx, 429, drops
        if fault is not None and fault.kind != "bad_json":
            self.stats.token_faults_injected[fault.kind] += 1
            early = self._early_fault(request, fault)
            return early if early is not None else web.Response(status=500)  # dropped: never sent
        status, body = await self._grant(request)
        if fault is not None and status == 200:
            self.stats.faults_injected["bad_json"] += 1
            self.stats.token_faults_injected["bad_json"] += 1
            return _bad_json_response(body, fault)
        return json_response(body, status)

    async def _grant(self, request: web.Request) -> tuple[int, dict[str, Any]]:
        if _basic_credentials(request) != (self.config.client_id, self.config.client_secret):
            return 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        form = dict(request.query)
        if request.can_read_body:
            form.update(await request.post())
        grant = form.get("grant_type", "")
        if grant == "account_credentials":
            if form.get("account_id") != self.config.account_id:
                return 400, {"reason": "Invalid account_id", "error": "invalid_request"}
            return 200, self._token_body()
        if grant == "authorization_code":
            new_refresh, problem = self.tokens.redeem_authorization_code(
                str(form.get("code", "")), self.config.client_id, str(form.get("redirect_uri", "")))
            if new_refresh is None:
                return 400, {"reason": problem, "error": "invalid_request"}
            return 200, {**self._token_body(), "refresh_token": new_refresh}
        if grant == "refresh_token":
            new_refresh = self.tokens.rotate_refresh_token(str(form.get("refresh_token", "")))
            if new_refresh is None:
                return 400, {"reason": "Invalid Token!", "error": "invalid_request"}
            return 200, {**self._token_body(), "refresh_token": new_refresh}
        return 400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}

    def _token_body(self) -> dict[str, Any]:
        token, ttl = self.tokens.issue_access_token()
        return {"access_token": token, "token_type": "bearer", "expires_in": ttl, "scope": SCOPES}

    # --- /oauth/authorize ---

    async def handle_authorize(self, request: web.Request) -> web.StreamResponse:
        """Zoom's consent step, approved at once: a 302 to redirect_uri with `code` and `state`.
        An unknown client or an unusable redirect URI is answered here (never redirected to)."""
        query = request.query
        if query.get("client_id") != self.config.client_id:
            return json_response({"reason": "Invalid client_id", "error": "invalid_client"}, 400)
        redirect_uri = query.get("redirect_uri", "")
        target = urlsplit(redirect_uri)
        if target.scheme not in ("http", "https") or not target.netloc:
            return json_response({"reason": "Invalid redirect_uri", "error": "invalid_request"}, 400)
        if query.get("response_type") != "code":
            answer = {"error": "unsupported_response_type"}
        else:
            answer = {"code": self.tokens.issue_authorization_code(self.config.client_id, redirect_uri)}
        if "state" in query:
            answer["state"] = query["state"]
        existing = parse_qsl(target.query, keep_blank_values=True)
        location = target._replace(query=urlencode(existing + list(answer.items()))).geturl()
        raise web.HTTPFound(location)

    # --- /_fake ---

    def ground_truth(self, start_date: Optional[str] = None, origin: str = "") -> dict[str, Any]:
        return compute_ground_truth(self.dataset, start_date, origin)

    def grant_scope(self, scope: str) -> None:
        """The admin adds `scope` to the app: calls needing it answer from now on."""
        self.dataset.missing_scopes.discard(scope)

    def effective_config(self) -> dict[str, Any]:
        return {**self.config.as_dict(), "current_refresh_token": self.tokens.current_refresh_token,
                "default_start_date": default_start_date(self.dataset.today),
                "example_start_date": documented_start_date(self.dataset.today),
                "missing_scopes_now": sorted(self.dataset.missing_scopes)}

    async def handle_ground_truth(self, request: web.Request) -> web.Response:
        try:
            return json_response(self.ground_truth(request.query.get("start_date") or None, origin_of(request)))
        except ValueError as error:
            return json_response({"error": f"bad start_date: {error}"}, 400)

    async def handle_stats(self, request: web.Request) -> web.Response:
        return json_response(self.stats.as_dict())

    async def handle_reset_stats(self, request: web.Request) -> web.Response:
        self.stats = Stats()
        return json_response({"ok": True})

    async def handle_config(self, request: web.Request) -> web.Response:
        return json_response(self.effective_config())

    async def handle_add_data(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        started_at = dt.datetime.fromisoformat(body["started_at"].replace("Z", "")) if body.get("started_at") else None
        added = add_past_meetings(self.dataset, int(body.get("meetings_per_user", 1)), started_at)
        return json_response({"added_meetings": added})

    async def handle_edit_summaries(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        at = dt.datetime.fromisoformat(body["at"].replace("Z", "")) if body.get("at") else None
        since = dt.datetime.fromisoformat(body["meetings_since"].replace("Z", "")) if body.get("meetings_since") else None
        return json_response({"edited": ai_companion.edit_summaries(self.dataset, int(body.get("count", 1)), at, since)})

    async def handle_grant_scope(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        scope = body.get("scope") if isinstance(body, dict) else None
        if not isinstance(scope, str) or not scope:
            return json_response({"error": 'expected a JSON body {"scope": "<granular scope>"}'}, 400)
        self.grant_scope(scope)
        return json_response({"missing_scopes": sorted(self.dataset.missing_scopes)})

    async def handle_reset_daily(self, request: web.Request) -> web.Response:
        self.limiter.reset_daily()
        return json_response({"ok": True})


DOWNLOAD_ROUTE = transcripts.DOWNLOAD_PREFIX + "{fileId}"


def origin_of(request: web.Request) -> str:
    """Where the client sent the request: scheme://host:port as it named it."""
    return f"{request.scheme}://{request.host}"


def _bearer(request: web.Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _basic_credentials(request: web.Request) -> Optional[tuple[str, str]]:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


def _bad_json_response(body: Any, fault: Fault) -> web.Response:
    if fault.variant == 1:
        return web.Response(body=b"<html><body><h1>Bad Gateway</h1></body></html>", content_type="text/html")
    encoded = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(body=encoded[: max(1, len(encoded) // 2)], content_type=JSON)


FAKE_KEY = web.AppKey("fake_zoom", FakeZoom)


def create_app(config: Optional[FakeZoomConfig] = None) -> web.Application:
    fake = FakeZoom(config or FakeZoomConfig.default())
    app = web.Application()
    app[FAKE_KEY] = fake
    app.router.add_get("/_fake/ground_truth", fake.handle_ground_truth)
    app.router.add_get("/_fake/stats", fake.handle_stats)
    app.router.add_post("/_fake/reset_stats", fake.handle_reset_stats)
    app.router.add_get("/_fake/config", fake.handle_config)
    app.router.add_post("/_fake/add_data", fake.handle_add_data)
    app.router.add_post("/_fake/grant_scope", fake.handle_grant_scope)
    app.router.add_post("/_fake/edit_summaries", fake.handle_edit_summaries)
    app.router.add_get(DOWNLOAD_ROUTE, fake.handle_download)
    app.router.add_post("/_fake/reset_daily", fake.handle_reset_daily)
    app.router.add_post("/oauth/token", fake.handle_token)
    app.router.add_get("/oauth/authorize", fake.handle_authorize)
    app.router.add_route("*", API_PREFIX + "/{tail:.*}", fake.handle_api)
    return app


# ----------------------------------------------------------------------------- test harness


class FakeZoomServer:
    """Runs the fake in a background thread on 127.0.0.1 and a free port.

        with FakeZoomServer(FakeZoomConfig.default()) as server:
            requests.get(server.base_url + "/users", headers=...)
    """

    def __init__(self, config: Optional[FakeZoomConfig] = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or FakeZoomConfig.default()
        self.host, self.port = host, port
        self._app = create_app(self.config)
        self.fake = self._app[FAKE_KEY]
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "FakeZoomServer":
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._serve, args=(ready, failure), name="fake-zoom", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def _serve(self, ready: threading.Event, failure: list) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, self.host, self.port).start())
            self.port = runner.addresses[0][1]
        except BaseException as error:  # surface bind errors in the caller's thread
            failure.append(error)
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> "FakeZoomServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _in_loop(self, function: Callable[[], Any]) -> Any:
        """Run `function` on the server's loop so it never races a request handler."""

        async def call():
            return function()

        assert self._loop is not None, "server not started"
        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=60)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def token_url(self) -> str:
        return self.url + "/oauth/token"

    @property
    def current_refresh_token(self) -> str:
        return self.fake.tokens.current_refresh_token

    def ground_truth(self, start_date: Optional[str] = None) -> dict[str, Any]:
        return self._in_loop(lambda: self.fake.ground_truth(start_date, self.url))

    def stats(self) -> dict[str, Any]:
        return self._in_loop(self.fake.stats.as_dict)

    def reset_stats(self) -> None:
        def reset():
            self.fake.stats = Stats()

        self._in_loop(reset)

    def add_data(self, meetings_per_user: int = 1, started_at: Optional[dt.datetime] = None) -> int:
        """Adds one-off past meetings (see account.add_past_meetings); started_at is naive UTC."""
        return self._in_loop(lambda: add_past_meetings(self.fake.dataset, meetings_per_user, started_at))

    def edit_summaries(self, count: int = 1, at: Optional[dt.datetime] = None, meetings_since: Optional[dt.datetime] = None) -> list[str]:
        """The hosts edit `count` AI Companion summaries (ai_companion.edit_summaries); times are naive UTC."""
        return self._in_loop(lambda: ai_companion.edit_summaries(self.fake.dataset, count, at, meetings_since))

    def grant_scope(self, scope: str) -> None:
        """Grant the app a granular scope it lacked (config.missing_scopes)."""
        self._in_loop(lambda: self.fake.grant_scope(scope))

    def reset_daily_limits(self) -> None:
        """Start the next "day": the Heavy daily counter starts again from zero."""
        self._in_loop(self.fake.limiter.reset_daily)

    @property
    def example_start_date(self) -> str:
        """The documented start_date inside the data (instances on both sides of it)."""
        return documented_start_date(self.fake.dataset.today)

    def connector_config(self, auth_type: str = "server_to_server_oauth", start_date: Optional[str] = None) -> dict:
        cfg = self.config
        if auth_type == "server_to_server_oauth":
            credentials = {"auth_type": auth_type, "account_id": cfg.account_id, "client_id": cfg.client_id,
                           "client_secret": cfg.client_secret}
        elif auth_type == "oauth2_refresh_token":
            credentials = {"auth_type": auth_type, "client_id": cfg.client_id, "client_secret": cfg.client_secret,
                           "refresh_token": self.current_refresh_token}
        elif auth_type == "jwt":
            credentials = {"auth_type": auth_type, "jwt_token": cfg.jwt_token}
        else:
            raise ValueError(f"unknown auth_type {auth_type!r}")
        return {
            "credentials": credentials,
            "start_date": start_date or default_start_date(self.fake.dataset.today),
            "api_base_url": self.base_url,
            "oauth_token_url": self.token_url,
            # The connector paces itself to the plan this fake enforces; a fake without limits
            # is treated as the fastest real plan.
            "rate_limit_plan": cfg.rate_limit_plan or "business",
        }
