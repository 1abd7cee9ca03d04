"""What a route handler sees and raises: the request context (the model, the raw path params, the
decoded query) with the lookups every family shares (a user, a meeting, a past instance by id or
by uuid under Zoom's encoding rule), the query rules every listing shares (dates, windows,
choices), and ZoomError, the error answer in Zoom's shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional
from urllib.parse import unquote

from .config import FakeZoomConfig
from .horizons import listing_span_ok, report_horizon
from .model import REGISTRANT_STATUSES, Dataset, Meeting, PastInstance, User, Webinar, needs_double_encoding


class ZoomError(Exception):
    """An error answer in Zoom's {"code", "message"} shape."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code, self.message = http_status, code, message


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


# ----------------------------------------------------------------------------- query rules


def _date_param(query: Mapping[str, str], name: str) -> dt.date:
    text = query.get(name, "")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ZoomError(400, 300, f"Invalid field: {name}. Expected yyyy-mm-dd, got {text!r}.") from None


REPORT_HORIZON_MESSAGE = "The 'from' date cannot be earlier than 6 months before today."


def date_range(ctx: Ctx, reports: bool) -> tuple[dt.date, dt.date]:
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


def choice(ctx: Ctx, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = ctx.query.get(name, "") or default
    if value not in allowed:
        raise ZoomError(400, 300, f"Invalid field: {name}. Expected one of {', '.join(allowed)}.")
    return value


def of_status(ctx: Ctx, registrants: list) -> list:
    """`status` = approved (Zoom's default) | pending | denied: only registrants of that status."""
    status = choice(ctx, "status", REGISTRANT_STATUSES, "approved")
    return [r for r in registrants if r["status"] == status]


def past_answers(instance: PastInstance, answers: list) -> dict[str, Any]:
    return {"id": instance.parent_id, "uuid": instance.uuid, "start_time": instance.start_time, "questions": answers}
