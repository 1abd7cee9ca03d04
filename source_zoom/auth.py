"""One Zoom access token per process, for the three ways a Zoom account can log in.

Zoom invalidates a Server-to-Server token when a new one is issued, and a user OAuth refresh
token is single use: so there is exactly one authenticator per sync, shared by every stream, and
a refresh never runs twice at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Mapping, MutableMapping, Optional

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from airbyte_cdk.models import FailureType
from airbyte_cdk.config_observation import emit_configuration_as_airbyte_control_message
from airbyte_cdk.utils import AirbyteTracedException
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets

logger = logging.getLogger("airbyte")

SERVER_TO_SERVER = "server_to_server_oauth"
REFRESH_TOKEN = "oauth2_refresh_token"
JWT = "jwt"

JWT_REJECTED = (
    "Zoom rejected the JWT token (expired or revoked). Zoom retired JWT apps in 2023: "
    "create a Server-to-Server OAuth app and use auth_type server_to_server_oauth."
)

# Renew this long before Zoom's expiry so a request in flight never carries a dying token.
EXPIRY_MARGIN_SECONDS = 120
TOKEN_REQUEST_TIMEOUT = (10, 30)
TOKEN_REQUEST_ATTEMPTS = 4
TOKEN_RETRY_BASE_SECONDS = 1.0

# What to tell a person for the token endpoint's answers (Zoom codes and OAuth error names).
TOKEN_ERROR_ADVICE = {
    "invalid_client": "check client_id and client_secret of the Zoom app",
    "unauthorized_client": "check that the Zoom app is activated and of the right type",
    "invalid_grant": "re-authorize the Zoom app to get a new refresh token",
    "invalid_request": "check account_id (Server-to-Server) or re-authorize the app (refresh token)",
    "4702": "check client_id and client_secret of the Zoom app",
    "4704": "check client_id and client_secret of the Zoom app",
    "4705": "the grant type is not allowed for this app: check the app type matches auth_type",
    "4711": "the refresh token is invalid or was already used: re-authorize the Zoom app",
    "4733": "the refresh token has expired: re-authorize the Zoom app",
    "4735": "the account does not allow this app: check the app's account",
    "4740": "check the account_id of the Server-to-Server app",
}


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
        if self._auth_type == JWT:
            self._access_token = self._credentials["jwt_token"]
            self._expires_at = float("inf")

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
        token = response_json.get("access_token")
        if not token:
            raise config_error("Zoom's token endpoint answered without an access_token.", f"Token response keys: {sorted(response_json)}")
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
        last_problem = ""
        for attempt in range(1, TOKEN_REQUEST_ATTEMPTS + 1):
            self.token_requests += 1
            try:
                response = requests.post(self._token_url, timeout=TOKEN_REQUEST_TIMEOUT, **self._token_request_args())
            except requests.ConnectionError as error:
                # The request never reached Zoom, so even a single-use refresh token is still valid.
                last_problem = f"cannot connect to {self._token_url}: {type(error).__name__}"
            except requests.Timeout as error:
                if self._auth_type == REFRESH_TOKEN:
                    # Zoom may have rotated the refresh token before the answer was lost; retrying
                    # blindly would burn it. Fail loudly instead.
                    raise AirbyteTracedException(
                        message="Zoom's token endpoint did not answer in time while rotating the refresh token; "
                        "if the next sync cannot log in, re-authorize the Zoom app.",
                        internal_message=str(error),
                        failure_type=FailureType.transient_error,
                    ) from error
                last_problem = f"{self._token_url} timed out"
            else:
                if response.status_code == 429 or response.status_code >= 500:
                    last_problem = f"{self._token_url} answered HTTP {response.status_code}"
                elif not response.ok:
                    raise self._token_rejection(response)
                else:
                    try:
                        return response.json()
                    except ValueError:
                        last_problem = f"{self._token_url} answered with a body that is not JSON"
            if attempt < TOKEN_REQUEST_ATTEMPTS:
                time.sleep(min(TOKEN_RETRY_BASE_SECONDS * 2**attempt, 10))
        raise AirbyteTracedException(
            message=f"Could not get a Zoom access token: {last_problem}. Zoom may be down; try again later.",
            internal_message=last_problem,
            failure_type=FailureType.transient_error,
        )

    def _token_rejection(self, response: requests.Response) -> AirbyteTracedException:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = str(body.get("code") or body.get("error") or "")
        reason = body.get("reason") or body.get("message") or body.get("error_description") or response.reason
        advice = TOKEN_ERROR_ADVICE.get(code, "check the credentials in the connector config")
        label = {SERVER_TO_SERVER: "Server-to-Server OAuth", REFRESH_TOKEN: "OAuth refresh-token"}[self._auth_type]
        return config_error(
            f"Zoom rejected the {label} credentials (HTTP {response.status_code}"
            f"{', ' + code if code else ''}: {reason}): {advice}.",
            f"Token endpoint {self._token_url} answered {response.status_code}: {response.text[:500]}",
        )
