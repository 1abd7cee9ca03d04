"""The data model of a fake Zoom account: users, meetings, webinars, their past instances, and the
Dataset that indexes them, with the timestamp and uuid rules every other module shares.

The model is built by generate.py (what Stitch's tables read) and account.py (what Zoom keeps
beyond them, and the changes between syncs); the HTTP handlers (routes_*.py) and the ground truth
(ground_truth.py) both read it, and neither derives data from the other. This module imports
none of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from .config import FakeZoomConfig
from .horizons import beyond_lookup_limit, example_start_date, report_horizon

USER_STATUSES = ("active", "inactive", "pending")
REGISTRANT_STATUSES = ("approved", "pending", "denied")
UNLISTED_MEETING_TYPES = (1, 4)  # instant and PMI meetings are never in `type=scheduled`


# ----------------------------------------------------------------------------- date helpers


def fmt_ts(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> dt.datetime:
    """Parse "YYYY-MM-DD[THH:MM:SS[Z]]" as UTC (naive datetimes are UTC throughout the fake)."""
    text = text.strip().rstrip("Z")
    if "T" not in text:
        return dt.datetime.fromisoformat(text)
    return dt.datetime.fromisoformat(text[:19])


def six_months_before(today: dt.date) -> dt.date:
    return report_horizon(today)


def default_start_date(today: dt.date) -> str:
    """The start date a connector config gets when a test gives none: the report horizon's day."""
    return report_horizon(today).strftime("%Y-%m-%dT00:00:00Z")


def documented_start_date(today: dt.date) -> str:
    """The documented example start date inside the data (horizons.example_start_date)."""
    return fmt_ts(example_start_date(today))


def needs_double_encoding(uuid: str) -> bool:
    return uuid.startswith("/") or "//" in uuid


# ----------------------------------------------------------------------------- model


@dataclass
class PastInstance:
    """One past occurrence of a meeting or webinar (what /past_*/{id}/instances lists)."""

    uuid: str
    parent_id: int
    kind: str  # "meeting" | "webinar"
    start: dt.datetime
    end: dt.datetime
    participants: list[dict[str, Any]] = field(default_factory=list)  # each with its registrant_id
    poll_results: list[dict[str, Any]] = field(default_factory=list)  # the "questions" array
    qa: list[dict[str, Any]] = field(default_factory=list)  # webinars only
    absentees: list[dict[str, Any]] = field(default_factory=list)  # webinars with registration only
    files: list[dict[str, Any]] = field(default_factory=list)
    recording: Optional[dict[str, Any]] = None  # cloud recording list item (meetings only)

    @property
    def start_time(self) -> str:
        return fmt_ts(self.start)

    @property
    def end_time(self) -> str:
        return fmt_ts(self.end)

    def too_old(self, today: dt.date) -> bool:
        """Beyond Zoom's per-instance lookup limit: every lookup of it answers 400 code 12702."""
        return beyond_lookup_limit(self.start, today)


@dataclass
class Meeting:
    id: int
    host_id: str
    list_item: dict[str, Any]  # the short form /users/{id}/meetings returns
    detail: dict[str, Any]  # /meetings/{id}
    registrants: list[dict[str, Any]]  # every status; each carries its "status"
    questions: dict[str, Any]
    polls: list[dict[str, Any]]
    instances: list[PastInstance]
    deleted: bool = False  # listed, but /meetings/{id} and its children answer 404 code 3001
    polls_disabled: bool = False  # /meetings/{id}/polls answers 400 code 4400
    expired: bool = False  # a one-time meeting more than 30 days past its date

    @property
    def has_registration(self) -> bool:
        return self.detail["settings"]["approval_type"] in (0, 1)

    @property
    def listed(self) -> bool:
        """In /users/{id}/meetings?type=scheduled: not expired, not instant, not the PMI."""
        return not self.expired and self.detail["type"] not in UNLISTED_MEETING_TYPES

    @property
    def served(self) -> bool:
        """/meetings/{id} and its registrants, questions and polls answer (else 404 code 3001)."""
        return self.listed and not self.deleted


@dataclass
class Webinar:
    id: int
    host_id: str
    list_item: dict[str, Any]
    detail: dict[str, Any]
    panelists: list[dict[str, Any]]
    registrants: list[dict[str, Any]]  # every status; each carries its "status"
    questions: dict[str, Any]
    tracking_sources: list[dict[str, Any]]
    polls: list[dict[str, Any]]
    instances: list[PastInstance]
    expired: bool = False  # deleted by Zoom 90 days after it ended; its instances are still served

    @property
    def has_registration(self) -> bool:
        return self.detail["settings"]["approval_type"] in (0, 1)

    @property
    def listed(self) -> bool:
        """In /users/{id}/webinars, and /webinars/{id} and its children answer."""
        return not self.expired

    served = listed


@dataclass
class User:
    record: dict[str, Any]
    meetings: list[Meeting] = field(default_factory=list)
    webinars: list[Webinar] = field(default_factory=list)
    webinar_licence: bool = True
    ai_companion: bool = False  # AI Companion's meeting summary on: Zoom summarises their meetings

    @property
    def id(self) -> str:
        """The user's id; "" for a pending user Zoom lists without one."""
        return self.record.get("id", "")

    @property
    def status(self) -> str:
        return self.record["status"]

    @property
    def hosts(self) -> bool:
        """Active and inactive users have hosted; a pending user has not (its per-user endpoints 404)."""
        return self.status != "pending"

    @property
    def created(self) -> dt.datetime:
        """When the user was made (Zoom's `user_created_at`; `created_at` is when the user's latest
        login type was made, which can be later)."""
        return parse_ts(self.record["user_created_at"])


def nothing_before_its_host(users: list[User]) -> None:
    """Zoom's rule: nothing of a user's (a meeting or webinar made, a past instance, a recording) is
    dated before the user was made. A dataset that breaks it is refused."""
    for user in users:
        if "user_created_at" not in user.record:
            continue
        made = user.created
        for parent in [*user.meetings, *user.webinars]:
            dated = [parse_ts(parent.detail["created_at"])] + [instance.start for instance in parent.instances]
            if min(dated) < made:
                raise ValueError(f"user {user.id or user.record['email']} made at {fmt_ts(made)} would have {parent.id} dated {fmt_ts(min(dated))}")


@dataclass
class Dataset:
    config: FakeZoomConfig
    today: dt.date
    users: list[User]
    added_batches: int = 0
    missing_scopes: set[str] = field(default_factory=set)  # granular scopes the app lacks right now
    # What Zoom keeps beyond Stitch's tables (ai_companion.py, transcripts.py, audit_logs.py):
    summaries: dict[str, Any] = field(default_factory=dict)  # instance uuid -> ai_companion.Summary
    transcripts: dict[str, Any] = field(default_factory=dict)  # recording file id -> transcripts.TranscriptFile
    sign_in_logs: list[dict[str, Any]] = field(default_factory=list)
    operation_logs: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.missing_scopes:
            self.missing_scopes = set(self.config.missing_scopes)
        self.reindex()

    def reindex(self) -> None:
        nothing_before_its_host(self.users)
        self.users_by_id = {user.id: user for user in self.users if user.id}
        self.users_by_email = {user.record["email"].lower(): user for user in self.users}
        self.meetings_by_id = {m.id: m for m in self.all_meetings()}
        self.webinars_by_id = {w.id: w for w in self.all_webinars()}
        self.meeting_instances_by_uuid = {i.uuid: i for m in self.all_meetings() for i in m.instances}
        self.webinar_instances_by_uuid = {i.uuid: i for w in self.all_webinars() for i in w.instances}

    def all_meetings(self) -> Iterator[Meeting]:
        for user in self.users:
            yield from user.meetings

    def all_webinars(self) -> Iterator[Webinar]:
        for user in self.users:
            yield from user.webinars

    def hosting_users(self) -> list[User]:
        return [user for user in self.users if user.hosts]

    def find_user(self, user_id_or_email: str) -> Optional[User]:
        return self.users_by_id.get(user_id_or_email) or self.users_by_email.get(user_id_or_email.lower())

    def parent_of(self, instance: PastInstance) -> "Meeting | Webinar":
        by_id = self.meetings_by_id if instance.kind == "meeting" else self.webinars_by_id
        return by_id[instance.parent_id]

    def host_of(self, instance: PastInstance) -> User:
        return self.users_by_id[self.parent_of(instance).host_id]

    def all_instances(self) -> list[PastInstance]:
        return [i for m in self.all_meetings() for i in m.instances] + [i for w in self.all_webinars() for i in w.instances]
