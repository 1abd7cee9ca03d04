"""Knobs of the fake Zoom API: dataset size, credentials, rate limits, latency and faults."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

RATE_LIMIT_PLANS = (None, "free", "pro", "business")
PERSISTENT_FAULTS = ("5xx", "drop", "invalid", "hang")
DAILY_LIMIT_HEADERS = ("real", "documented")
# The granular scope the default app lacks, so one table of the default sync is unavailable.
DEFAULT_MISSING_SCOPES = ("webinar:read:list_tracking_sources:admin",)
SCRIPTED_TOKEN_FAULTS = ("", "429", "500", "502", "503", "504", "drop", "bad_json")


@dataclass
class FakeZoomConfig:
    # --- dataset ---
    seed: int = 42
    users: int = 5
    meetings_per_user: int = 4
    recurring_per_user: int = 1  # how many of a user's meetings are recurring (type 8)
    past_instances: int = 3  # past instances per recurring meeting; a one-off meeting has 1
    webinars_per_user: int = 1
    registrants: int = 5  # per meeting/webinar with registration
    participants: int = 4  # per past instance
    polls: int = 2  # per meeting/webinar
    poll_respondents: int = 3  # per past instance
    qa_askers: int = 2
    panelists: int = 2
    tracking_sources: int = 2
    absentees: int = 2
    recordings: float = 0.5  # share of past meeting instances that have a cloud recording
    files_endpoints_removed: bool = True
    quirks: bool = True
    # --- a real company's account (docs/contract.md, "What a sync returns") ---
    inactive_users: int = 2  # deactivated users, hosting like active ones
    pending_users: int = 2  # invited users who never hosted; the first has no `id`
    # Meetings/webinars Zoom no longer lists (instant, PMI, expired, deleted) and the instances on
    # both sides of every horizon and window edge.
    real_account: bool = True
    today: Optional[dt.date] = None  # date anchor of every generated date; None = today (UTC)
    # Every other host has AI Companion's meeting summary on (False: an account without AI Companion).
    ai_companion: bool = True
    # False: a plan without groups and roles (Free): their listings answer 400 code 200 (structure.py).
    groups_and_roles: bool = True
    # Zoom Phone (phone.py): licensed (False: every Phone endpoint answers 403 code 2031), the shape
    # of its call history ("call_history", today's, or "call_logs", the previous one), and how
    # often (in days, on average) each phone user calls.
    zoom_phone: bool = True
    phone_shape: str = "call_history"
    phone_call_every_days: int = 4

    # --- auth ---
    token_ttl_seconds: float = 3600
    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret"
    account_id: str = "fake-account"
    refresh_token: str = "fake-refresh-token-0"
    jwt_token: str = "fake-jwt-token"

    # --- serving ---
    rate_limit_plan: Optional[str] = None  # None | "free" | "pro" | "business"
    heavy_daily_limit: Optional[int] = None  # None = the plan's figure (30,000 / 60,000); counted without a plan too
    # "real": the used-up daily cap answers with lowercase x-ratelimit-category / -remaining only, as
    # seen from Zoom; "documented": the documented headers incl. X-RateLimit-Type and Retry-After.
    daily_limit_headers: str = "real"
    missing_scopes: tuple[str, ...] = DEFAULT_MISSING_SCOPES  # granular scopes the app lacks (code 4711)
    latency_ms: float = 0

    # --- faults (drawn per API request from random.Random(fault_seed)) ---
    fault_seed: int = 1
    rate_5xx: float = 0.0
    rate_429: float = 0.0
    rate_429_no_retry_after_share: float = 0.0
    rate_drop: float = 0.0
    rate_bad_json: float = 0.0
    # A server that hangs: "hang" accepts the request and never answers; "stall_body" sends the
    # headers and half the body, then nothing more. Either lasts until the client gives up (closes
    # the connection) or hang_seconds pass, after which the connection is closed unanswered.
    rate_hang: float = 0.0
    rate_stall_body: float = 0.0
    hang_seconds: float = 300
    token_expire_every_n_requests: int = 0  # 0 = off
    faults_on_token_endpoint: bool = False
    # The fates of the first token requests, in order, before any drawn fault: "429", "500",
    # "502", "503", "504", "drop" (connection closed before answering), "bad_json" (a 200 cut in
    # half after the grant, so a refresh token is rotated and its answer lost) or "" (answered).
    token_fault_script: tuple = ()
    # One route template (e.g. "/v2/meetings/{meetingId}/polls") that fails on every request with
    # `persistent_fault` ("5xx" = HTTP 500, "drop" = connection dropped, "invalid" = HTTP 400 code 300,
    # Zoom's answer to a request it finds invalid, "hang" = held unanswered for hang_seconds): a fault no
    # retry outlasts.
    persistent_fault_endpoint: Optional[str] = None
    persistent_fault: str = "5xx"

    def __post_init__(self) -> None:
        if isinstance(self.today, str):
            self.today = dt.date.fromisoformat(self.today)
        if self.rate_limit_plan not in RATE_LIMIT_PLANS:
            raise ValueError(f"rate_limit_plan must be one of {RATE_LIMIT_PLANS}")
        if self.persistent_fault not in PERSISTENT_FAULTS:
            raise ValueError(f"persistent_fault must be one of {PERSISTENT_FAULTS}")
        if self.daily_limit_headers not in DAILY_LIMIT_HEADERS:
            raise ValueError(f"daily_limit_headers must be one of {DAILY_LIMIT_HEADERS}")
        if self.missing_scopes is None:
            self.missing_scopes = ()
        elif isinstance(self.missing_scopes, str):  # the CLI's --set missing_scopes=a,b ("" = none)
            self.missing_scopes = tuple(s.strip() for s in self.missing_scopes.split(",") if s.strip())
        self.missing_scopes = tuple(self.missing_scopes)
        self.token_fault_script = tuple(self.token_fault_script)
        unknown = set(self.token_fault_script) - set(SCRIPTED_TOKEN_FAULTS)
        if unknown:
            raise ValueError(f"token_fault_script entries must be among {SCRIPTED_TOKEN_FAULTS}, not {sorted(unknown)}")

    @property
    def anchor_date(self) -> dt.date:
        """The date every generated date is relative to."""
        return self.today or dt.datetime.now(dt.timezone.utc).date()

    @classmethod
    def default(cls, **overrides: Any) -> "FakeZoomConfig":
        """The demo dataset: small, a full sync takes well under a minute."""
        return cls(**overrides)

    @classmethod
    def benchmark(cls, scale: int = 1, **overrides: Any) -> "FakeZoomConfig":
        """50*scale active users, 10 meetings each (2 recurring with 3 past instances), 2 webinars,
        20 registrants (approved, pending, denied), 30 participants, 2 polls per meeting/webinar;
        5*scale inactive and 3*scale pending users; every host's unlisted meetings in proportion;
        as in every dataset, AI Companion summaries for every other host, transcripts of most
        recordings, Q&A in a sixth of the meeting instances, seven months of audit logs."""
        values: dict[str, Any] = dict(
            users=50 * scale,
            inactive_users=5 * scale,
            pending_users=3 * scale,
            meetings_per_user=10,
            recurring_per_user=2,
            past_instances=3,
            webinars_per_user=2,
            registrants=20,
            participants=30,
            polls=2,
        )
        values.update(overrides)
        return cls(**values)

    @classmethod
    def named(cls, dataset: str, scale: int = 1, **overrides: Any) -> "FakeZoomConfig":
        if dataset == "default":
            return cls.default(**overrides)
        if dataset == "benchmark":
            return cls.benchmark(scale, **overrides)
        raise ValueError(f"unknown dataset {dataset!r} (default|benchmark)")

    def as_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["today"] = self.anchor_date.isoformat()
        return values
