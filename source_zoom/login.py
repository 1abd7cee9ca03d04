"""The login check: whether Zoom takes this config's login at all, asked once before any table starts.

A token proves only that the token endpoint took the credentials; a JWT is not even asked for, and
nothing yet says that `api_base_url` is Zoom's API and takes the token. One cheap authenticated
call does: `GET {api_base_url}/users?page_size=1`. Only its 401, its 404 or an answer that is not
Zoom's counts as a refused login: a config_error naming the field to fix, and the sync ends there
with that one sentence (no table starts, so no table repeats it). A missing scope is not a refused
login: the call says which scope, and the read goes on (each table Zoom will not serve ends with
its own warning). 429, 5xx and network failures are retried; if they outlast the retries the login
ends as a transient error that says so. `check` and `read` both start here.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Optional, Tuple

import requests

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import JWT, ZOOM_TOKEN_URL, ZOOMGOV_TOKEN_URL, LoginFailed, config_error, jwt_refused
from source_zoom.config import DEFAULT_API_BASE_URL
from source_zoom.errors import (
    RATE_LIMITED_SECONDS,
    ZoomBackoffStrategy,
    daily_limit_message,
    daily_limit_resets_at,
    missing_scopes,
    response_json,
    wait_before_retry,
)
from source_zoom.reach import unreachable

logger = logging.getLogger("airbyte")

# Zoom's answers when the token lacks the scope of the call (classic, granular): not a refused login.
SCOPE_CODES = (4700, 4711, 104)
USERS_LISTING_SCOPES = ("user:read:list_users:admin", "user:read:admin")  # granular, classic
# Attempts for 429, 5xx, network failures and garbled bodies before the login ends as transient.
LOGIN_CHECK_ATTEMPTS = 5
# A 200 whose body is not JSON is retried (a proxy or Zoom cut it short); this many in a row is a
# server that is not Zoom.
NOT_ZOOM_ANSWERS_BEFORE_GIVING_UP = 3
# How the login check is counted in the sync's requests (the summary names it).
LOGIN_CHECK = "login check"
ZOOMGOV_API = "https://api.zoomgov.com/v2"


@dataclass(frozen=True)
class LoginChecked:
    """Zoom took the login. `refusal` is Zoom's answer when it would not list users all the same
    (e.g. "HTTP 400, code 4711: ..."); `scope_missing` says whether that answer is a missing scope."""

    url: str
    refusal: Optional[str] = None
    scope_missing: bool = False
    scopes_named: Tuple[str, ...] = ()

    def check_message(self) -> Optional[str]:
        """What `check` answers when Zoom would not list users; None when it did."""
        if self.refusal is None:
            return None
        if self.scope_missing:
            scopes = ", ".join(self.scopes_named) or f"{USERS_LISTING_SCOPES[0]} (classic apps: {USERS_LISTING_SCOPES[1]})"
            return (
                f"Zoom accepted the login but the app may not list users ({self.refusal}): add the scope {scopes} to the "
                "Zoom app on marketplace.zoom.us, with the read scopes of the tables you want (docs/zoom.md#scopes)."
            )
        return (
            f"Zoom accepted the login but refused to list users at {self.url} ({self.refusal}): check on marketplace.zoom.us "
            "that the app belongs to this account and is activated, and that the account's plan allows it."
        )


def zoom_answer(response: requests.Response) -> Optional[Tuple[int, str]]:
    """(code, message) when the body is Zoom's error JSON; None when it is not Zoom's."""
    try:
        body = response_json(response)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("code"), int):
        return None
    return body["code"], str(body.get("message") or "")


def lists_users(response: requests.Response) -> Optional[bool]:
    """True when a 200 is Zoom's users page; False when it is JSON but not that; None when it is not JSON."""
    try:
        body = response_json(response)
    except ValueError:
        return None
    return isinstance(body, dict) and isinstance(body.get("users"), list)


def not_zoom(url: str, base: str, what: str) -> AirbyteTracedException:
    return config_error(
        f"api_base_url {base} is not Zoom's API: GET {url} answered {what}; set api_base_url to {DEFAULT_API_BASE_URL} "
        f"(ZoomGov: {ZOOMGOV_API}), or leave it out."
    )


def describe_body(response: requests.Response) -> str:
    kind = (response.headers.get("Content-Type") or "no content type").split(";")[0].strip()
    return f"HTTP {response.status_code} with a body that is not Zoom's JSON ({kind})"


def check_login(context: Any) -> LoginChecked:
    """Raises a config_error when Zoom refuses the login (or is not Zoom), LoginFailed (transient)
    when Zoom or the network fails beyond the retries; else says what Zoom answered."""
    config, authenticator = context.config, context.authenticator
    base = config.api_base_url
    url = f"{base}/users"
    token_renewed = False
    garbled_in_a_row = 0
    problem = ""
    attempt = 0
    started = time.monotonic()
    while attempt < LOGIN_CHECK_ATTEMPTS:
        attempt += 1
        token = authenticator.get_access_token()  # a refused credential raises here, once
        sent = f"Bearer {token}"
        try:
            context.report.count_request(LOGIN_CHECK)
            response = requests.get(url, params={"page_size": 1}, headers={"Authorization": sent}, timeout=config.request_timeout)
        except requests.RequestException as error:
            problem = unreachable("api_base_url", base, error)
            wait(error, attempt, context.stopped)
            continue
        status = response.status_code
        answer = zoom_answer(response)
        if response.ok:
            verdict = lists_users(response)
            if verdict:
                return LoginChecked(url)
            if verdict is False:
                raise not_zoom(url, base, "HTTP 200 with JSON that is not Zoom's list of users")
            garbled_in_a_row += 1
            if garbled_in_a_row >= NOT_ZOOM_ANSWERS_BEFORE_GIVING_UP:
                raise not_zoom(url, base, f"{describe_body(response)}, {garbled_in_a_row} times in a row")
            problem = f"GET {url} failed {attempt} times, the last with a body cut short: Zoom or the network is failing, not the config; run it again later."
            wait(response, attempt, context.stopped)
            continue
        garbled_in_a_row = 0
        if status == 404:
            said = f"HTTP 404, code {answer[0]}: {answer[1]}" if answer else "HTTP 404"
            raise config_error(
                f"api_base_url {base} is wrong: GET {url} answered {said}; set it to {DEFAULT_API_BASE_URL} (ZoomGov: "
                f"{ZOOMGOV_API}), with /v2 and nothing after it, or leave it out."
            )
        if answer is not None and answer[0] in SCOPE_CODES:
            named = tuple(missing_scopes(answer[1]))
            return LoginChecked(url, f"HTTP {status}, code {answer[0]}: {answer[1]}", scope_missing=True, scopes_named=named)
        if status == 429:
            resets_at = daily_limit_resets_at(response)
            if resets_at is not None:
                category = response.headers.get("X-RateLimit-Category", "").capitalize()
                said = daily_limit_message(category, resets_at)
                raise LoginFailed(message=f"{said}: a sync after that time can read again.", internal_message=f"login check: {said}", failure_type=FailureType.transient_error)
            if time.monotonic() - started < RATE_LIMITED_SECONDS:
                # Zoom's per-second limit is pacing, not a failure: waited out without counting (as for every request).
                attempt -= 1
                wait(response, attempt + 1, context.stopped)
                continue
        if status in (408, 429) or status >= 500:
            said = f" (code {answer[0]}: {answer[1]})" if answer else ""
            problem = (
                f"GET {url} failed {attempt} times, the last with HTTP {status}{said}: Zoom or the network is failing, not the "
                "config; run it again later."
            )
            wait(response, attempt, context.stopped)
            continue
        if answer is None:
            raise not_zoom(url, base, describe_body(response))
        refusal = f"HTTP {status}, code {answer[0]}: {answer[1]}"
        if status != 401:
            return LoginChecked(url, refusal)
        if authenticator.auth_type == JWT:
            raise config_error(jwt_refused(refusal))
        if not token_renewed:
            # Another login of the same app may have replaced this token a moment ago: one new token, once.
            authenticator.mark_rejected(sent)
            token_renewed = True
            attempt -= 1  # not a failed attempt: the same question with the new token
            continue
        raise config_error(
            f"Zoom's API at {base} refused the access token that {config.oauth_token_url} had just issued ({refusal}): "
            f"api_base_url and oauth_token_url must be of the same Zoom; use {DEFAULT_API_BASE_URL} with "
            f"{ZOOM_TOKEN_URL}, or for ZoomGov {ZOOMGOV_API} with {ZOOMGOV_TOKEN_URL}."
        )
    raise LoginFailed(message=problem, internal_message=f"login check: {problem}", failure_type=FailureType.transient_error)


def wait(response_or_error: Any, attempt: int, stopped: threading.Event) -> None:
    if attempt < LOGIN_CHECK_ATTEMPTS:
        wait_before_retry(ZoomBackoffStrategy.seconds_to_wait(response_or_error, attempt), stopped)
