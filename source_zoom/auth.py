"""One Zoom access token per process, for the three ways a Zoom account can log in.

Zoom invalidates a Server-to-Server token when a new one is issued, and a user OAuth refresh
token is single use: so there is exactly one authenticator per sync, shared by every stream, and
a refresh never runs twice at once.

Not the CDK's OAuth classes: their token request is retried by `backoff` on a 5xx, a read timeout
or a dropped connection, which sends a single-use refresh token again when Zoom may already have
spent it (here one whose answer was lost is never resent); so the three logins share this one
class, which also keeps what the token answer grants (`scope`, read for the scope advice).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Mapping, MutableMapping, Optional

import requests
import urllib3
from requests.auth import AuthBase, HTTPBasicAuth

from airbyte_cdk.models import FailureType
from airbyte_cdk.config_observation import emit_configuration_as_airbyte_control_message
from airbyte_cdk.utils import AirbyteTracedException
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets

from source_zoom.reach import unreachable

logger = logging.getLogger("airbyte")

SERVER_TO_SERVER = "server_to_server_oauth"
REFRESH_TOKEN = "oauth2_refresh_token"
JWT = "jwt"



def jwt_refused(said: str = "") -> str:
    """The sentence for a JWT Zoom refuses; `said` is Zoom's answer, e.g. "HTTP 401, code 124: Invalid access token."."""
    return (
        f"Zoom refused credentials.jwt_token{f' ({said})' if said else ''}: the JWT expired or was revoked, and Zoom retired "
        "JWT apps in 2023, so no new one can be made; create a Server-to-Server OAuth app on marketplace.zoom.us and use "
        "auth_type server_to_server_oauth with its account_id, client_id and client_secret."
    )


JWT_REJECTED = jwt_refused()

ZOOM_TOKEN_URL = "https://zoom.us/oauth/token"
ZOOMGOV_TOKEN_URL = "https://zoomgov.com/oauth/token"

# Renew this long before Zoom's expiry so a request in flight never carries a dying token.
EXPIRY_MARGIN_SECONDS = 120
TOKEN_REQUEST_TIMEOUT = (10, 30)
# Five attempts over about 24 s of backoff: a token endpoint that fails one request in ten still logs in.
TOKEN_REQUEST_ATTEMPTS = 5
TOKEN_RETRY_BASE_SECONDS = 1.0

# Token endpoint answers that say Zoom did not act on the request (throttled, unavailable): a
# refresh token sent with it is still unused, so it may be sent again. Any other failure after the
# request left (500, 502, 504, a read timeout, a dropped connection, a garbled 200) may come after
# Zoom rotated the refresh token: unknown, so a refresh token is never sent twice on it.
NOT_ACTED_ON = (429, 503)

CHECK_CLIENT = "fix credentials.client_id and client_secret: copy them from the app's App Credentials page on marketplace.zoom.us"
CHECK_ACCOUNT = "fix credentials.account_id: copy the Account ID from the Server-to-Server app's App Credentials page"
REAUTHORIZE = (
    "credentials.refresh_token is no longer valid (used up, expired or revoked): re-authorize the Zoom app "
    "(Airbyte's Authenticate your Zoom account button) to get a new one"
)
# What to tell a person when Zoom refuses a login (Zoom codes and OAuth error names), per login.
TOKEN_ERROR_ADVICE = {
    SERVER_TO_SERVER: {
        "invalid_client": CHECK_CLIENT,
        "4702": CHECK_CLIENT,
        "4704": CHECK_CLIENT,
        "unauthorized_client": "check that the Zoom app is activated and of the Server-to-Server OAuth type",
        "invalid_request": CHECK_ACCOUNT,
        "4740": CHECK_ACCOUNT,
        "4705": "the grant type is not allowed for this app: check the app type matches auth_type",
        "4735": "the account does not allow this app: check the app's account",
    },
    REFRESH_TOKEN: {
        "invalid_client": CHECK_CLIENT,
        "4702": CHECK_CLIENT,
        "4704": CHECK_CLIENT,
        "unauthorized_client": "check that the Zoom app is activated and of the user OAuth type",
        "4705": "the grant type is not allowed for this app: check the app type matches auth_type",
        "4735": "the account does not allow this app: check the app's account",
        # Zoom's answers to a refresh token it will not take.
        "invalid_request": REAUTHORIZE,
        "invalid_grant": REAUTHORIZE,
        "4711": REAUTHORIZE,
        "4733": REAUTHORIZE,
    },
}


class LoginFailed(AirbyteTracedException):
    """A login that failed without Zoom refusing it (token answer lost, token endpoint down): a
    transient error, but no request of this sync can succeed after it. Its sentence is the one to
    end the sync with, rather than one failed request per table."""


class AnswerLost(Exception):
    """The token request left, and what came back does not say whether Zoom acted on it."""


def config_error(message: str, internal: Optional[str] = None) -> AirbyteTracedException:
    return AirbyteTracedException(message=message, internal_message=internal or message, failure_type=FailureType.config_error)


class ZoomAuthenticator(AuthBase):
    """Bearer authenticator the CDK's HttpClient drives: `get_auth_header` on every request and
    `refresh_and_set_access_token` when Zoom answers 401 code 124."""

    def __init__(self, config: MutableMapping[str, Any], token_url: str):
        self._config = config
        self._credentials: MutableMapping[str, Any] = config["credentials"]
        self._auth_type: str = self._credentials["auth_type"]
        self._token_url = token_url
        self._lock = threading.Lock()
        self._access_token: Optional[str] = None
        self._expires_at = 0.0
        self.token_requests = 0
        # The scopes Zoom says the current token carries (None: it did not say, or a JWT).
        self.granted_scopes: Optional[set] = None
        self._login_failure: Optional[AirbyteTracedException] = None
        if self._auth_type == JWT:
            self._access_token = self._credentials["jwt_token"]
            self._expires_at = float("inf")

    @property
    def auth_type(self) -> str:
        return self._auth_type

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self.get_auth_header())
        return request

    def get_auth_header(self) -> Mapping[str, Any]:
        return {"Authorization": f"Bearer {self.get_access_token()}"}

    def get_access_token(self) -> str:
        if self._token_is_fresh():
            return self._access_token  # type: ignore[return-value]
        with self._lock:
            if not self._token_is_fresh():
                self._renew()
            return self._access_token  # type: ignore[return-value]

    def refresh_and_set_access_token(self) -> None:
        """Called after a 401 code 124. Threads that hit the same expired token at once renew it once."""
        stale = self._access_token
        with self._lock:
            if self._access_token != stale:
                return
            if self._auth_type == JWT:
                raise config_error(JWT_REJECTED)
            self._renew()

    def mark_rejected(self, rejected_authorization: Optional[str]) -> bool:
        """Zoom answered 401 code 124 to a request sent with `rejected_authorization`. The next
        get_auth_header renews the token, once for all threads. False when it cannot be renewed."""
        if self._auth_type == JWT:
            return False
        with self._lock:
            if rejected_authorization == f"Bearer {self._access_token}":
                self._expires_at = 0.0
        return True

    def _token_is_fresh(self) -> bool:
        return self._access_token is not None and time.monotonic() < self._expires_at

    def _renew(self) -> None:
        response_json = self._request_token()
        token = response_json["access_token"]
        add_to_secrets(token)
        expires_in = float(response_json.get("expires_in") or 3600)
        self._access_token = token
        if isinstance(response_json.get("scope"), str):
            self.granted_scopes = set(response_json["scope"].replace(",", " ").split())
        self._expires_at = time.monotonic() + max(expires_in - EXPIRY_MARGIN_SECONDS, expires_in / 2)
        new_refresh_token = response_json.get("refresh_token")
        if self._auth_type == REFRESH_TOKEN and new_refresh_token:
            add_to_secrets(new_refresh_token)
            if new_refresh_token != self._credentials.get("refresh_token"):
                self._credentials["refresh_token"] = new_refresh_token
                # The old refresh token is dead now: the platform must store the new one or the
                # next sync cannot log in.
                emit_configuration_as_airbyte_control_message(self._config)
        logger.info(f"Obtained a Zoom access token ({self._auth_type}), valid for {int(expires_in)} s.")

    def _token_request_args(self) -> Mapping[str, Any]:
        basic = HTTPBasicAuth(self._credentials["client_id"], self._credentials["client_secret"])
        if self._auth_type == SERVER_TO_SERVER:
            return {"params": {"grant_type": "account_credentials", "account_id": self._credentials["account_id"]}, "auth": basic}
        return {"data": {"grant_type": "refresh_token", "refresh_token": self._credentials["refresh_token"]}, "auth": basic}

    def _request_token(self) -> Mapping[str, Any]:
        """Zoom's token answer, after retries that can never spend a single-use refresh token twice.

        Once Zoom refused the login, or a refresh-token answer was lost, every later call raises
        the same error without a request: other threads of the sync would otherwise send the
        refresh token again."""
        if self._login_failure is not None:
            raise self._login_failure
        try:
            return self._request_token_with_retries()
        except AirbyteTracedException as error:
            if error.failure_type == FailureType.config_error or self._auth_type == REFRESH_TOKEN:
                self._login_failure = error
            raise

    def _request_token_with_retries(self) -> Mapping[str, Any]:
        last_problem = ""
        unreached: Optional[BaseException] = None
        for attempt in range(1, TOKEN_REQUEST_ATTEMPTS + 1):
            try:
                return self._one_token_request()
            except AnswerLost as lost:
                if self._auth_type == REFRESH_TOKEN:
                    raise LoginFailed(
                        message=f"Zoom's token endpoint {lost} while rotating the refresh token, so it is unknown whether Zoom "
                        "used the refresh token up; it was not sent again, since a refresh token works only once. "
                        "Run the sync again: it logs in with the refresh token the platform holds.",
                        internal_message=f"token request to {self._token_url}: {lost}",
                        failure_type=FailureType.transient_error,
                    ) from lost
                last_problem = f"{self._token_url} {lost}"
            except _NotActedOn as refused:
                last_problem = f"{self._token_url} {refused}"
                unreached = refused.__cause__
            if attempt < TOKEN_REQUEST_ATTEMPTS:
                time.sleep(min(TOKEN_RETRY_BASE_SECONDS * 2**attempt, 10))
        if isinstance(unreached, requests.RequestException):
            message = f"Could not get a Zoom access token: {unreachable('oauth_token_url', self._token_url, unreached)}"
        else:
            message = (
                f"Could not get a Zoom access token: {last_problem} ({TOKEN_REQUEST_ATTEMPTS} tries); Zoom or the network is "
                "failing, not the credentials: run it again later."
            )
        raise LoginFailed(message=message, internal_message=last_problem, failure_type=FailureType.transient_error)

    def _one_token_request(self) -> Mapping[str, Any]:
        """One POST to the token endpoint. Raises _NotActedOn when the refresh token (if any) is
        certainly still unused, AnswerLost when that is unknown, a config error when Zoom refused."""
        self.token_requests += 1
        try:
            response = requests.post(self._token_url, timeout=TOKEN_REQUEST_TIMEOUT, **self._token_request_args())
        except requests.ConnectTimeout as error:
            raise _NotActedOn(f"could not be reached ({type(error).__name__})") from error
        except requests.Timeout as error:
            raise AnswerLost("did not answer in time") from error
        except requests.ConnectionError as error:
            if never_sent(error):
                raise _NotActedOn(f"could not be reached ({type(error).__name__})") from error
            raise AnswerLost("dropped the connection before answering") from error
        if response.status_code in NOT_ACTED_ON:
            raise _NotActedOn(f"answered HTTP {response.status_code}")
        if response.status_code >= 500:
            raise AnswerLost(f"answered HTTP {response.status_code}")
        if not response.ok:
            raise self._token_rejection(response)
        try:
            body = response.json()
        except ValueError as error:
            raise AnswerLost("answered with a body that is not JSON") from error
        if not isinstance(body, dict) or not body.get("access_token"):
            if self._auth_type == REFRESH_TOKEN:
                raise AnswerLost("answered without an access_token")
            keys = sorted(body) if isinstance(body, dict) else type(body).__name__
            raise config_error("Zoom's token endpoint answered without an access_token: check oauth_token_url.", f"Token response keys: {keys}")
        return body

    def _token_rejection(self, response: requests.Response) -> AirbyteTracedException:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if response.status_code in (404, 405) or not (body.get("code") or body.get("error") or body.get("reason")):
            # Zoom's token endpoint always says why it refuses; a 404 or a body without a reason is another server.
            return config_error(
                f"oauth_token_url {self._token_url} is not Zoom's token endpoint (it answered HTTP {response.status_code}"
                f"{'' if body else ' without a Zoom error body'}): set it to {ZOOM_TOKEN_URL} (ZoomGov: {ZOOMGOV_TOKEN_URL}), or leave it out.",
                f"Token endpoint {self._token_url} answered {response.status_code}: {response.text[:500]}",
            )
        code = str(body.get("code") or body.get("error") or "")
        reason = body.get("reason") or body.get("message") or body.get("error_description") or response.reason
        advice = TOKEN_ERROR_ADVICE[self._auth_type].get(code, "check the credentials and oauth_token_url in the connector config")
        label = {SERVER_TO_SERVER: "Server-to-Server OAuth", REFRESH_TOKEN: "OAuth refresh-token"}[self._auth_type]
        return config_error(
            f"Zoom rejected the {label} credentials (HTTP {response.status_code}"
            f"{', ' + code if code else ''}: {reason}): {advice}.",
            f"Token endpoint {self._token_url} answered {response.status_code}: {response.text[:500]}",
        )


class _NotActedOn(Exception):
    """The token request was refused before Zoom acted on it (or never left): safe to send again."""


def never_sent(error: requests.ConnectionError) -> bool:
    """Whether a connection error happened before the request reached the server: no connection
    was made (refused, no route, DNS), as opposed to one dropped after the request was written."""
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))
