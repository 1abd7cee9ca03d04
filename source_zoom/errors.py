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
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Callable, List, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction

from source_zoom.auth import JWT_REJECTED
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


# The in-meeting files endpoints Zoom removed in 2024 ("GCM encryption updates"): whatever 4xx they
# answer (404 code 404 "removed", 410, or 400/404/422 for an id they no longer take: Zoom's last
# spec declares an integer id there, deprecated), they are gone. Not 401 (a token to renew, or a
# scope) nor 429 (a rate limit): those keep their meaning.
FILES_GONE = ZoomError("Zoom removed the in-meeting files endpoints in 2024", Outcome.STREAM_UNAVAILABLE)
FILES_GONE_ERRORS: Mapping[Tuple[int, Optional[int]], ZoomError] = {
    (status, None): FILES_GONE for status in range(400, 500) if status not in (401, 429)
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
    """The one phrase every daily-cap failure carries (read back by `daily_limit_in`)."""
    return f"Zoom's daily {category + ' ' if category else ''}rate limit is used up until {resets_at:%Y-%m-%dT%H:%M:%SZ} ({why})"


DAILY_LIMIT_PHRASE = re.compile(r"Zoom's daily (?:(\w+) )?rate limit(?: is|,) used up until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")


def daily_limit_in(message: str) -> Optional[Tuple[str, str]]:
    """(category, reset time) when a failure message is a daily cap's."""
    found = DAILY_LIMIT_PHRASE.search(message or "")
    return (found.group(1) or "", found.group(2)) if found else None


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


class SyncReport:
    """Counts what a sync asked Zoom and what it skipped and why, shared by every stream; logged
    per table as each ends and for the whole sync at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.skips: Counter = Counter()
        self.unavailable: dict = {}
        # Tables whose unavailability was said once for their whole product (ZoomError.said_once_for).
        self.said_for_product: set = set()
        self.requests: Counter = Counter()
        self.failed_slices: Counter = Counter()

    def record_failed_slice(self, stream: str) -> int:
        with self._lock:
            self.failed_slices[stream] += 1
            return self.failed_slices[stream]

    def count_request(self, stream: str) -> None:
        with self._lock:
            self.requests[stream] += 1

    def skipped(self, stream: str) -> int:
        with self._lock:
            return sum(count for (name, _), count in self.skips.items() if name == stream)

    def record_skip(self, stream: str, code: Optional[int]) -> None:
        with self._lock:
            self.skips[(stream, code)] += 1

    def mark_unavailable(self, stream: str, reason: str) -> bool:
        """True the first time, so the reason is logged once per stream."""
        with self._lock:
            if stream in self.unavailable:
                return False
            self.unavailable[stream] = reason
            return True


class ZoomErrorHandler(ErrorHandler):
    """Maps a response to the CDK's actions through ZOOM_ERRORS; a 200 whose body is not JSON is
    retried, since Zoom (or a proxy) cut it short. It also keeps the retry budget of each request
    (the CDK counts a 429 like a failure; here it does not)."""

    def __init__(
        self,
        stream_name: str,
        extra_errors: Optional[Mapping[Tuple[int, Optional[int]], ZoomError]] = None,
        on_token_rejected: Optional[Callable[[Optional[str]], bool]] = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._stream_name = stream_name
        self._extra_errors = extra_errors or {}
        # Marks the rejected token stale so the retry renews it; False when it cannot be renewed.
        self._on_token_rejected = on_token_rejected
        self._clock = clock
        # The request this thread is retrying: [url, failures so far, when its first answer came].
        # A thread sends one request at a time, retries included, so the run is the thread's; it
        # ends with the request's last answer (or when the thread sends another URL).
        self._current = threading.local()

    @property
    def max_retries(self) -> Optional[int]:
        return CDK_MAX_TRIES

    @property
    def max_time(self) -> Optional[int]:
        return CDK_MAX_SECONDS

    def _budget(self, request: Any, failed: bool) -> Tuple[int, float]:
        """Counts one more answer of a request that is retried: (failures so far, seconds since its first answer)."""
        now = self._clock()
        url = getattr(request, "url", None)
        run = getattr(self._current, "run", None)
        if run is None or run[0] != url:
            run = self._current.run = [url, 0, now]
        run[1] += 1 if failed else 0
        return run[1], now - run[2]

    def _last(self, resolution: ErrorResolution) -> ErrorResolution:
        """A resolution after which the request is not sent again: its retry run ends."""
        self._current.run = None
        return resolution

    def _retry(self, request: Any, message: str) -> ErrorResolution:
        """Send it again, unless it already failed MAX_RETRIES times after its first try."""
        failures, _ = self._budget(request, failed=True)
        if failures > MAX_RETRIES:
            return self._last(ErrorResolution(ResponseAction.FAIL, FailureType.transient_error, message))
        return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, message)

    def interpret_response(self, response_or_exception: Optional[Union[requests.Response, Exception]] = None) -> ErrorResolution:
        if isinstance(response_or_exception, Exception) or response_or_exception is None:
            # The message outlives the retries as the sync's error trace: it must say which endpoint failed.
            failed_request = getattr(response_or_exception, "request", None)
            endpoint = f" on {resource_of(failed_request.url)}" if getattr(failed_request, "url", None) else ""
            return self._retry(
                failed_request,
                f"{self._stream_name}: network error talking to Zoom{endpoint} ({type(response_or_exception).__name__}: {response_or_exception}).",
            )
        response = response_or_exception
        request = response.request
        resource = resource_of(request.url if request is not None else response.url)
        if response.ok:
            try:
                response_json(response)
            except ValueError:
                return self._retry(request, f"{self._stream_name}: Zoom answered {resource} with a body that is not valid JSON; retrying.")
            return self._last(ErrorResolution(ResponseAction.SUCCESS))
        code, message = zoom_error_body(response)
        error = classify(response.status_code, code, self._extra_errors)
        # The one wording of a failed request (closing.py reads it back for the sync's last line).
        detail = f"{resource} answered HTTP {response.status_code}, Zoom code {code}: {message}"
        if error is None:  # an answer the error table does not know: asked again, it would be the same
            return self._last(ErrorResolution(ResponseAction.FAIL, FailureType.system_error, f"{self._stream_name}: {detail}"))
        if error.outcome in (Outcome.SKIP_RESOURCE, Outcome.STREAM_UNAVAILABLE):
            return self._last(ErrorResolution(
                ResponseAction.IGNORE,
                None,
                f"{self._stream_name}: skipped {resource}: Zoom code {code} ({message or error.meaning}).",
            ))
        if error.outcome == Outcome.RENEW_TOKEN:
            if self._on_token_rejected is None:
                return ErrorResolution(ResponseAction.REFRESH_TOKEN_THEN_RETRY, FailureType.transient_error, f"{self._stream_name}: {detail}")
            # A plain retry re-applies the shared authenticator, which renews the stale token
            # once for all threads; unlike the CDK's refresh-then-retry, a request may meet an
            # expired token more than once in a long sync (bounded by the retry budget).
            if not self._on_token_rejected(request.headers.get("Authorization") if request is not None else None):
                return self._last(ErrorResolution(ResponseAction.FAIL, FailureType.config_error, JWT_REJECTED))
            return self._retry(request, f"{self._stream_name}: {detail}")
        if error.outcome == Outcome.RATE_LIMITED:
            resets_at = daily_limit_resets_at(response)
            if resets_at is not None:
                category = response.headers.get("X-RateLimit-Category", "").capitalize()
                return self._last(ErrorResolution(
                    ResponseAction.FAIL,
                    FailureType.transient_error,
                    f"{self._stream_name}: {daily_limit_message(category, resets_at)}, said on {resource}",
                ))
            _, waited = self._budget(request, failed=False)
            if waited > RATE_LIMITED_SECONDS:
                return self._last(ErrorResolution(
                    ResponseAction.FAIL,
                    FailureType.transient_error,
                    f"{self._stream_name}: Zoom kept answering {resource} with its per-second rate limit (429) for "
                    f"{waited / 60:.0f} minutes, so other apps use this account's API limits too",
                ))
            return ErrorResolution(ResponseAction.RATE_LIMITED, FailureType.transient_error, f"{self._stream_name}: {detail}")
        if error.outcome == Outcome.RETRY:
            return self._retry(request, f"{self._stream_name}: {detail}")
        return self._last(ErrorResolution(ResponseAction.FAIL, FailureType.system_error, f"{self._stream_name}: {detail}"))


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
    sync's stop event, instead of letting the CDK sleep through a stop."""

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
