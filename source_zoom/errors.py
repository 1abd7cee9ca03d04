"""How each Zoom answer is handled: one reviewable mapping from (HTTP status, Zoom code) to an action.

Zoom puts the real reason in the body (`{"code": 3001, "message": ...}`), so the HTTP status
alone cannot tell a deleted meeting from a wrong URL. Every skip is named with the resource, code
and message, and counted for the sync summary; nothing is swallowed by class.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Callable, List, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction

from source_zoom.auth import JWT_REJECTED
from source_zoom.declarations import FILES, MEETING, Endpoint, ErrorRules, Outcome, ZoomError
from source_zoom.stopping import SyncStopped

logger = logging.getLogger("airbyte")

# A request that failed (5xx, a dropped connection, a cut body, an expired token) is sent again
# up to MAX_RETRIES times. Zoom's per-second 429s are not failures but pacing: they are waited out
# without counting, for up to RATE_LIMITED_SECONDS from the request's first attempt.
MAX_RETRIES = 8
RATE_LIMITED_SECONDS = 600
# The CDK's own retry bounds, outside ours: never the ones that end a request.
CDK_MAX_TRIES = 100_000
CDK_MAX_SECONDS = 2 * RATE_LIMITED_SECONDS
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0
# A Retry-After further away than this means a daily quota: waiting would hang the sync for hours.
LONGEST_HONOURED_WAIT_SECONDS = 300
# After a token renewal the retry can go at once (the CDK needs a positive number).
RETRY_WITH_NEW_TOKEN_SECONDS = 0.01


# (HTTP status, Zoom code) -> what it means for a sync. Status-only rows use code None.
ZOOM_ERRORS: Mapping[Tuple[int, Optional[int]], ZoomError] = {
    (401, 124): ZoomError("access token invalid or expired", Outcome.RENEW_TOKEN),
    (400, 200): ZoomError("no permission, or the plan / webinar add-on is missing", Outcome.SKIP_RESOURCE),
    (400, 1001): ZoomError("user does not exist", Outcome.SKIP_RESOURCE),
    (404, 1001): ZoomError("user does not exist (deleted during the sync)", Outcome.SKIP_RESOURCE),
    (400, 1010): ZoomError("user does not belong to this account", Outcome.SKIP_RESOURCE),
    (401, 1010): ZoomError("user does not belong to this account", Outcome.SKIP_RESOURCE),
    (400, 3000): ZoomError("cannot access the meeting or webinar, or registration is not enabled", Outcome.SKIP_RESOURCE),
    (404, 3001): ZoomError("meeting or webinar does not exist or has expired", Outcome.SKIP_RESOURCE),
    (400, 3003): ZoomError("not the meeting host", Outcome.SKIP_RESOURCE),
    (400, 3161): ZoomError("user is not allowed to host (unlicensed)", Outcome.SKIP_RESOURCE),
    (400, 4400): ZoomError("polls are disabled", Outcome.SKIP_RESOURCE),
    (400, 12702): ZoomError("older than Zoom keeps it (about a year)", Outcome.SKIP_RESOURCE),
    # Zoom's validation error: a query it no longer accepts (e.g. a `from` that fell behind its
    # report horizon) or an expired paging token. Asked again, it answers the same.
    (400, 300): ZoomError("Zoom refused the request as invalid", Outcome.FAIL),
    (400, 4700): ZoomError("the app lacks a scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (401, 4700): ZoomError("the app lacks a scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (403, 4700): ZoomError("the app lacks a scope this table needs", Outcome.STREAM_UNAVAILABLE),
    # Apps made since 2024 have granular scopes only; a call without one is answered 4711 (or 104).
    (400, 4711): ZoomError("the app lacks a granular scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (401, 4711): ZoomError("the app lacks a granular scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (403, 4711): ZoomError("the app lacks a granular scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (400, 104): ZoomError("the app lacks a granular scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (401, 104): ZoomError("the app lacks a granular scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (403, 104): ZoomError("the app lacks a granular scope this table needs", Outcome.STREAM_UNAVAILABLE),
    (429, None): ZoomError("rate limited", Outcome.RATE_LIMITED),
    (408, None): ZoomError("request timeout", Outcome.RETRY),
    (500, None): ZoomError("Zoom server error", Outcome.RETRY),
    (502, None): ZoomError("bad gateway", Outcome.RETRY),
    (503, None): ZoomError("Zoom unavailable", Outcome.RETRY),
    (504, None): ZoomError("gateway timeout", Outcome.RETRY),
}


def response_json(response: requests.Response) -> Any:
    """Parsed body, parsed once: the error handler and the stream both need it. Raises ValueError."""
    cached = getattr(response, "_zoom_json", None)
    if cached is None:
        cached = response.json()
        response._zoom_json = cached  # type: ignore[attr-defined]
    return cached


def zoom_error_body(response: requests.Response) -> Tuple[Optional[int], str]:
    try:
        body = response_json(response)
    except ValueError:
        return None, response.text[:200]
    if not isinstance(body, dict):
        return None, str(body)[:200]
    code = body.get("code")
    return (code if isinstance(code, int) else None), str(body.get("message") or body.get("reason") or "")


def classify(status: int, code: Optional[int], extra_errors: Optional[Mapping[Tuple[int, Optional[int]], ZoomError]] = None) -> Optional[ZoomError]:
    """A stream's own rows (e.g. "endpoint removed") come before the shared table."""
    for table in (extra_errors or {}, ZOOM_ERRORS):
        error = table.get((status, code)) or table.get((status, None))
        if error is not None:
            return error
    return None


def missing_scopes(message: str) -> List[str]:
    """The scopes Zoom names in "Invalid access token, does not contain scopes:[a, b]"."""
    found = re.search(r"scopes?\s*:\s*\[([^\]]*)\]", message or "")
    return [scope.strip() for scope in found.group(1).split(",") if scope.strip()] if found else []


def daily_limit_message(category: str, resets_at: datetime, why: str = "every app on the account counts towards it") -> str:
    """The one phrase every daily-cap failure carries."""
    return f"Zoom's daily {category + ' ' if category else ''}rate limit is used up until {resets_at:%Y-%m-%dT%H:%M:%SZ} ({why})"


class Fault(Enum):
    """What kind of failure a request ended with, which decides what a person does about it."""

    DAILY_CAP = "a daily rate limit is used up: a sync after it resets continues"
    KEPT_RATE_LIMITED = "Zoom kept answering with its per-second rate limit"
    ZOOM_OR_NETWORK = "Zoom or the network failed after every retry: run the sync again"
    NO_ANSWER = "Zoom could not be reached after every retry: run the sync again"
    REFUSED = "Zoom refused the request, and no retry changes that: report it"
    PAGING = "Zoom's paging could not be followed: run the sync again"


TRANSIENT_FAULTS = (Fault.DAILY_CAP, Fault.KEPT_RATE_LIMITED, Fault.ZOOM_OR_NETWORK, Fault.NO_ANSWER)


@dataclass(frozen=True)
class RequestFailure:
    """A request that failed beyond retries, as data: the table, the endpoint (as declared) and
    the resource asked, Zoom's answer (status, code, what it said), when a daily cap resets, and
    the kind of fault (what to do). `message` is the one wording of it, made here and never read back."""

    fault: Fault
    table: str = ""
    endpoint: Optional[Endpoint] = None
    resource: str = ""  # the path asked, under the API root: /meetings/123/polls
    status: Optional[int] = None  # None: no answer came
    code: Optional[int] = None
    said: str = ""  # Zoom's message; for no answer, the error; for paging, the problem
    error_name: str = ""  # for no answer: the exception's type
    category: str = ""  # for a daily cap: the rate category (with its API's name for Phone's)
    resets_at: Optional[datetime] = None
    why: str = ""  # for a daily cap: why it is spent
    waited_seconds: float = 0.0  # for KEPT_RATE_LIMITED

    @property
    def failure_type(self) -> FailureType:
        return FailureType.transient_error if self.fault in TRANSIENT_FAULTS else FailureType.system_error

    @property
    def endpoint_name(self) -> str:
        """The endpoint as Zoom's reference names it (the resource for a file, or what is not declared)."""
        return self.endpoint.zoom_name if self.endpoint is not None and self.endpoint.api != FILES else self.resource

    @property
    def message(self) -> str:
        table = f"{self.table}: " if self.table else ""
        if self.fault == Fault.DAILY_CAP:
            said_on = f", said on {self.resource}" if self.resource else ""
            return f"{table}{daily_limit_message(self.category, self.resets_at, *([self.why] if self.why else []))}{said_on}"  # type: ignore[arg-type]
        if self.fault == Fault.KEPT_RATE_LIMITED:
            return (
                f"{table}Zoom kept answering {self.resource} with its per-second rate limit (429) for "
                f"{self.waited_seconds / 60:.0f} minutes, so other apps use this account's API limits too"
            )
        if self.fault == Fault.NO_ANSWER:
            endpoint = f" on {self.resource}" if self.resource else ""
            return f"{table}network error talking to Zoom{endpoint} ({self.error_name}: {self.said})."
        if self.fault == Fault.PAGING:
            return f"{table}Zoom {self.said} for {self.resource}. Run the sync again; report this to Zoom if it repeats."
        if self.status == 200:  # a body that is not JSON, every time
            return f"{table}Zoom answered {self.resource} with a body that is not valid JSON; retrying."
        return f"{table}{self.resource} answered HTTP {self.status}, Zoom code {self.code}: {self.said}"


class RequestFailed(AirbyteTracedException):
    """A request that failed beyond retries, carrying its `RequestFailure`."""

    def __init__(self, failure: RequestFailure):
        super().__init__(message=failure.message, failure_type=failure.failure_type)
        self.failure = failure


def daily_limit_resets_at(response: requests.Response, now: Optional[datetime] = None) -> Optional[datetime]:
    """When a 429 is Zoom's daily cap, the time it resets; None for a per-second limit.

    Zoom documents `X-RateLimit-Type: Daily-limit` and an ISO Retry-After, but real answers have
    come with lowercase headers and neither: then the body ("daily rate limit") or
    `X-RateLimit-Remaining: 0` tells, and the cap resets at 00:00 UTC."""
    if response.status_code != 429:
        return None
    now = now or datetime.now(timezone.utc)
    kind = response.headers.get("X-RateLimit-Type", "").lower()
    _, message = zoom_error_body(response)
    message = message.lower()
    remaining = response.headers.get("X-RateLimit-Remaining", "").strip()
    daily = kind == "daily-limit" or "daily" in message or (not kind and remaining == "0" and "per-second" not in message)
    if not daily:
        return None
    wait = retry_after_seconds(response)
    if wait is not None and wait > LONGEST_HONOURED_WAIT_SECONDS:
        # Zoom's Retry-After is a whole second; the microseconds are our own clock's.
        return datetime.fromtimestamp(round(now.timestamp() + wait), timezone.utc)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)


def resource_of(url: str) -> str:
    path = urlsplit(url).path
    return path.split("/v2", 1)[-1] if "/v2/" in path else path


@dataclass(frozen=True)
class TableFailure:
    """How a table ended incomplete, as data: its sentence, its failure type, and the failed
    request that sentence names first (`cause`: its own when `names_own`, else that of a listing
    it reads through; None when no request failed, e.g. a stop) or the daily cap it stopped at."""

    table: str
    message: str
    failure_type: FailureType
    cause: Optional[RequestFailure] = None
    names_own: bool = False
    daily_cap: Optional[RequestFailure] = None


class ZoomErrorHandler(ErrorHandler):
    """Maps a response to the CDK's actions through the endpoint's own rules, then ZOOM_ERRORS; a
    200 whose body is not JSON is retried, since Zoom (or a proxy) cut it short. A request that
    fails for good leaves its `RequestFailure` for the thread that sent it (`take_failure`)."""

    def __init__(
        self,
        stream_name: str,
        extra_errors: Optional[ErrorRules] = None,
        on_token_rejected: Optional[Callable[[Optional[str]], bool]] = None,
        clock: Callable[[], float] = time.monotonic,
        endpoint: Optional[Endpoint] = None,
    ):
        self._stream_name = stream_name
        self._endpoint = endpoint
        self._extra_errors = extra_errors if extra_errors is not None else (endpoint.errors if endpoint is not None else {})
        # Marks the rejected token stale so the retry renews it; False when it cannot be renewed.
        self._on_token_rejected = on_token_rejected
        self._clock = clock
        # The request this thread is retrying: [url, failures so far, when its first answer came].
        # A thread sends one request at a time, retries included, so the run is the thread's; it
        # ends with the request's last answer (or when the thread sends another URL).
        self._current = threading.local()

    # The CDK's bounds are set out of reach: its retry count would count a 429 as a failure, and
    # Zoom's 429s are pacing; MAX_RETRIES failures and RATE_LIMITED_SECONDS of 429s are kept here.
    @property
    def max_retries(self) -> Optional[int]:
        return CDK_MAX_TRIES

    @property
    def max_time(self) -> Optional[int]:
        return CDK_MAX_SECONDS

    def take_failure(self) -> Optional[RequestFailure]:
        """How the last request this thread sent failed for good (once; None if it did not)."""
        failure = getattr(self._current, "failure", None)
        self._current.failure = None
        return failure

    def _budget(self, request: Any, failed: bool) -> Tuple[int, float]:
        """Counts one more answer of a request that is retried: (failures so far, seconds since its first answer)."""
        now = self._clock()
        url = getattr(request, "url", None)
        run = getattr(self._current, "run", None)
        if run is None or run[0] != url:
            run = self._current.run = [url, 0, now]
            self._current.failure = None
        run[1] += 1 if failed else 0
        return run[1], now - run[2]

    def _last(self, resolution: ErrorResolution) -> ErrorResolution:
        """A resolution after which the request is not sent again: its retry run ends."""
        self._current.run = None
        return resolution

    def _failed(self, failure: RequestFailure, failure_type: Optional[FailureType] = None) -> ErrorResolution:
        """The request ends failed: its failure is kept for the thread, its message goes to the CDK."""
        self._current.run = None
        self._current.failure = failure
        return ErrorResolution(ResponseAction.FAIL, failure_type or failure.failure_type, failure.message)

    def _retry(self, request: Any, failure: RequestFailure) -> ErrorResolution:
        """Send it again, unless it already failed MAX_RETRIES times after its first try."""
        failures, _ = self._budget(request, failed=True)
        if failures > MAX_RETRIES:
            return self._failed(failure, FailureType.transient_error)
        return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, failure.message)

    def _failure(self, fault: Fault, resource: str, **answer: Any) -> RequestFailure:
        return RequestFailure(fault, table=self._stream_name, endpoint=self._endpoint, resource=resource, **answer)

    def interpret_response(self, response_or_exception: Optional[Union[requests.Response, Exception]] = None) -> ErrorResolution:
        if isinstance(response_or_exception, Exception) or response_or_exception is None:
            # The failure outlives the retries as the sync's error trace: it must say which endpoint failed.
            failed_request = getattr(response_or_exception, "request", None)
            resource = resource_of(failed_request.url) if getattr(failed_request, "url", None) else ""
            failure = self._failure(Fault.NO_ANSWER, resource, said=str(response_or_exception), error_name=type(response_or_exception).__name__)
            return self._retry(failed_request, failure)
        response = response_or_exception
        request = response.request
        resource = resource_of(request.url if request is not None else response.url)
        if response.ok:
            if response.is_redirect or (self._endpoint is not None and self._endpoint.api == FILES):
                return self._last(ErrorResolution(ResponseAction.SUCCESS))  # a file's body, or a hop: not JSON
            try:
                response_json(response)
            except ValueError:
                return self._retry(request, self._failure(Fault.ZOOM_OR_NETWORK, resource, status=response.status_code))
            return self._last(ErrorResolution(ResponseAction.SUCCESS))
        code, message = zoom_error_body(response)
        error = classify(response.status_code, code, self._extra_errors)
        answered = self._failure(Fault.REFUSED, resource, status=response.status_code, code=code, said=message)
        if error is None:  # an answer the error table does not know: asked again, it would be the same
            return self._failed(answered)
        if error.outcome in (Outcome.SKIP_RESOURCE, Outcome.STREAM_UNAVAILABLE):
            return self._last(ErrorResolution(
                ResponseAction.IGNORE,
                None,
                f"{self._stream_name}: skipped {resource}: Zoom code {code} ({message or error.meaning}).",
            ))
        if error.outcome == Outcome.RENEW_TOKEN:
            if self._on_token_rejected is None:
                return ErrorResolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.transient_error, answered.message)
            # A plain retry re-applies the shared authenticator, which renews the stale token
            # once for all threads; unlike the CDK's refresh-then-retry, a request may meet an
            # expired token more than once in a long sync (bounded by the retry budget).
            if not self._on_token_rejected(request.headers.get("Authorization") if request is not None else None):
                return self._last(ErrorResolution(ResponseAction.FAIL, FailureType.config_error, JWT_REJECTED))
            return self._retry(request, replace(answered, fault=Fault.ZOOM_OR_NETWORK))
        if error.outcome == Outcome.RATE_LIMITED:
            resets_at = daily_limit_resets_at(response)
            if resets_at is not None:
                category = rate_label(self._endpoint, response.headers.get("X-RateLimit-Category", "").capitalize())
                return self._failed(self._failure(Fault.DAILY_CAP, resource, status=429, code=code, said=message, category=category, resets_at=resets_at))
            _, waited = self._budget(request, failed=False)
            if waited > RATE_LIMITED_SECONDS:
                return self._failed(self._failure(Fault.KEPT_RATE_LIMITED, resource, status=429, code=code, said=message, waited_seconds=waited))
            return ErrorResolution(ResponseAction.RATE_LIMITED, FailureType.transient_error, answered.message)
        if error.outcome == Outcome.RETRY:
            return self._retry(request, replace(answered, fault=Fault.ZOOM_OR_NETWORK))
        return self._failed(answered)


def rate_label(endpoint: Optional[Endpoint], category: str) -> str:
    """A category as failures name it: the Meeting API's plainly, another API's with its name."""
    if endpoint is None or endpoint.api == MEETING or not category:
        return category
    return f"{endpoint.api.value} {category}"


def retry_after_seconds(response: requests.Response) -> Optional[float]:
    """Zoom sends Retry-After as an ISO-8601 datetime on daily limits; proxies send seconds."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def wait_before_retry(seconds: float, stopped: threading.Event) -> None:
    """Waits out a backoff, or stops waiting the moment the sync stops (SyncStopped): a stopped
    sync must not keep its process alive for a minute of backoff."""
    if stopped.wait(seconds):
        raise SyncStopped()


# What the strategy hands the CDK once it has waited itself (the CDK sleeps that plus one second).
ALREADY_WAITED_SECONDS = 0.001


class ZoomBackoffStrategy(BackoffStrategy):
    """Retry-After when Zoom gives it, else exponential backoff with full jitter so that parallel
    workers that hit a limit together do not come back together. The strategy waits itself, on the
    sync's stop event, instead of letting the CDK sleep through a stop. (Not the CDK's backoff from
    headers: Zoom's Retry-After is an ISO date-time, and the CDK's reads seconds.)"""

    def __init__(self, stopped: Optional[threading.Event] = None):
        self._stopped = stopped or threading.Event()

    def backoff_time(self, response_or_exception: Any, attempt_count: int) -> Optional[float]:
        if self._stopped.is_set():
            raise SyncStopped()
        wait_before_retry(self.seconds_to_wait(response_or_exception, attempt_count), self._stopped)
        return ALREADY_WAITED_SECONDS

    @staticmethod
    def seconds_to_wait(response_or_exception: Any, attempt_count: int) -> float:
        if isinstance(response_or_exception, requests.Response) and response_or_exception.status_code == 401:
            return RETRY_WITH_NEW_TOKEN_SECONDS
        if isinstance(response_or_exception, requests.Response):
            wait = retry_after_seconds(response_or_exception)
            if wait is not None:
                return min(wait, LONGEST_HONOURED_WAIT_SECONDS) + random.uniform(0, 0.25)
        ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt_count - 1))
        return random.uniform(ceiling / 2, ceiling)
