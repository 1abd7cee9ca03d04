"""What a table declares, and nothing that reads it: the endpoint it calls (path, API budget,
rate category, scopes, error rules), the dimensions its requests are sliced by (`EachValue`,
`ParentFilter`), and the other listings whose records it takes (`Join`, `Enrich`).

This module imports nothing of the connector's: everything that acts on a declaration (the
budget, the error handler, the scope advice, the closing sentence, the read path) reads it from
here, so what an endpoint is lives in one place, beside the table that reads it:

    class PhoneUsers(ZoomStream):
        endpoint = Endpoint("phone/users", MEDIUM, Scopes("phone:read:admin", "phone:read:list_users:admin"), api=PHONE)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping, NamedTuple, Optional, Sequence, Tuple


# --- endpoints ------------------------------------------------------------------------------


class Api(Enum):
    """Which of Zoom's rate-limit tables an endpoint counts against: each has its own per-second
    rates per category and its own daily Heavy cap (../shared/zoom-api.md)."""

    MEETING = "Meeting"
    PHONE = "Phone"
    # A recording file on Zoom's file host: not an API call, no rate category (downloads.py).
    FILES = "Files"


MEETING = Api.MEETING
PHONE = Api.PHONE
FILES = Api.FILES

# Zoom's rate categories (each endpoint's label in Zoom's API reference).
LIGHT = "Light"
MEDIUM = "Medium"
HEAVY = "Heavy"
CATEGORIES = (LIGHT, MEDIUM, HEAVY)
FILE_DOWNLOADS = "Downloads"  # the pool downloads run on (not a Zoom rate category)


class Outcome(Enum):
    SKIP_RESOURCE = "skip this resource"
    STREAM_UNAVAILABLE = "the stream cannot be read on this account"
    RETRY = "retry"
    RENEW_TOKEN = "renew the access token and retry"
    RATE_LIMITED = "wait and retry"
    FAIL = "fail"


@dataclass(frozen=True)
class ZoomError:
    meaning: str
    outcome: Outcome
    # An unavailability that holds for a whole product of the account (no Zoom Phone): said once
    # for all its tables, under this key, instead of once per table.
    said_once_for: Optional[str] = None


# (HTTP status, Zoom code) -> what it means; a status-only rule has code None.
ErrorRules = Mapping[Tuple[int, Optional[int]], ZoomError]


class Scopes(NamedTuple):
    """The scopes that let an app call an endpoint: apps made before 2024 carry classic ones
    (`meeting:read:admin`), apps made since granular ones only (`meeting:read:list_meetings:admin`)."""

    classic: str
    granular: str


@dataclass(frozen=True, eq=False)
class Endpoint:
    """One endpoint the connector calls, declared once (compared by identity).

    path      under the API root (/v2); `{id}` and `{uuid}` are the parent record's
    category  Zoom's rate category (LIGHT, MEDIUM, HEAVY); None for a file download
    scopes    what the app needs to call it (None: Zoom names none)
    api       whose rate-limit table it counts against (MEETING, PHONE; FILES: none)
    errors    its own (status, code) rules, read before the shared table (errors.ZOOM_ERRORS)
    name      Zoom's name of the path, for what a person reads; by default each placeholder is
              named after the word before it (`past_meetings/{uuid}/polls` -> `/past_meetings/{meetingId}/polls`)
    """

    path: str
    category: Optional[str]
    scopes: Optional[Scopes] = None
    api: Api = MEETING
    errors: ErrorRules = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        if self.api != FILES and self.category not in CATEGORIES:
            raise ValueError(f"{self.path}: rate category {self.category!r} is not one of {', '.join(CATEGORIES)}")

    @property
    def zoom_name(self) -> str:
        """`/report/users/{userId}/meetings`: the endpoint as Zoom's reference names it."""
        return "/" + (self.name or re.sub(r"([a-z_]+)/\{[^}]+\}", lambda m: f"{m[1]}/{{{placeholder(m[1])}}}", self.path))

    @property
    def pool(self) -> str:
        """The pool its requests fan out on, one per API's category: "Heavy" (the Meeting API's),
        "Phone Heavy", and FILE_DOWNLOADS for files."""
        if self.api == FILES:
            return FILE_DOWNLOADS
        return self.category if self.api == MEETING else f"{self.api.value} {self.category}"  # type: ignore[return-value]

    @property
    def budget_key(self) -> Tuple[Api, Optional[str]]:
        """The pacing it shares: its API's category."""
        return self.api, self.category

    def __repr__(self) -> str:
        return f"Endpoint({self.path!r}, {self.category!r}, api={self.api.value})"


def placeholder(resource: str) -> str:
    """`past_meetings` -> `meetingId`, `call_queues` -> `callQueueId`."""
    words = resource.removeprefix("past_").removesuffix("s").split("_")
    return words[0] + "".join(word.capitalize() for word in words[1:]) + "Id"


# The in-meeting files endpoints Zoom removed in 2024 ("GCM encryption updates"): whatever 4xx they
# answer (404 code 404 "removed", 410, or 400/404/422 for an id they no longer take: Zoom's last
# spec declares an integer id there, deprecated), they are gone. Not 401 (a token to renew, or a
# scope) nor 429 (a rate limit): those keep their meaning.
FILES_GONE = ZoomError("Zoom removed the in-meeting files endpoints in 2024", Outcome.STREAM_UNAVAILABLE)
FILES_GONE_ERRORS: ErrorRules = {(status, None): FILES_GONE for status in range(400, 500) if status not in (401, 429)}


# --- slices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParentFilter:
    """Which parent records a table is asked for; `reason` says why the others are not."""

    reason: str
    keeps: Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class EachValue:
    """One slice per value of query parameter `param`: the values Zoom can hold for the parent."""

    param: str
    values_for: Callable[[Mapping[str, Any]], Sequence[str]]


def has_registration(record: Mapping[str, Any]) -> bool:
    """approval_type 0 (automatic) or 1 (manual) means registration is on; 2 means off."""
    if "registration_required" in record:
        return bool(record["registration_required"])
    settings = record.get("settings")
    return isinstance(settings, Mapping) and settings.get("approval_type") in (0, 1)


REGISTRATION_ON = ParentFilter("registration is off (Zoom answers 3000)", has_registration)


def registrant_statuses(meeting: Mapping[str, Any]) -> Sequence[str]:
    """The statuses a meeting's or webinar's registrants can have. Zoom lists `approved` ones only
    unless asked. Manual approval (approval_type 1) leaves registrants pending until the host
    decides; with automatic approval (0) nobody is ever pending, but the host can still cancel
    (deny) a registration."""
    return ("approved", "pending", "denied") if meeting.get("approval_type") == 1 else ("approved", "denied")


EACH_REGISTRANT_STATUS = EachValue("status", registrant_statuses)


# --- other listings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Join:
    """Another listing of the same things whose records this stream also takes (where `keeps`
    holds), renamed to this stream's fields (`renamed`: our field -> its field).

    `only_what_it_reads_anyway`: take only what that listing reads for its own table in this sync,
    never make it list more (further back, or at all when its table is not selected), because
    another join lists the same things more cheaply. A daily cap then never re-spends a whole
    report listing on the next day for a child that was not read yet."""

    stream: type
    keeps: Callable[[Mapping[str, Any]], bool] = lambda record: True
    renamed: Mapping[str, str] = field(default_factory=dict)
    only_what_it_reads_anyway: bool = False


@dataclass(frozen=True)
class Enrich:
    """Fields a listing leaves out, taken from another listing of the same things matched on
    `key`; for a record that listing lacks, from one detail request (`detail`, its `{uuid}` the
    record's key)."""

    stream: type
    key: str
    fields: Mapping[str, str]  # our field -> its field
    detail: Endpoint
    detail_fields: Mapping[str, str]  # our field -> the detail's field
