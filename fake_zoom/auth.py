"""Access tokens, the rotating refresh token, authorization codes, and the JWT that is always accepted.

User OAuth as Zoom documents it: the consent step (`GET /oauth/authorize`) issues a code bound
to the client and the redirect URI; the token endpoint exchanges it once (grant_type
authorization_code, the same redirect URI) for an access token and a refresh token, which then
rotates on every refresh. The fake approves every consent at once (no login page) and does not
model the app's redirect URL allow list: any absolute http(s) URI is accepted at consent, and the
exchange must name the same one.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Optional

from .config import FakeZoomConfig

SCOPES = "user:read:admin meeting:read:admin webinar:read:admin report:read:admin recording:read:admin account:read:admin group:read:admin role:read:admin phone:read:admin"
INVALID_TOKEN = "Invalid access token."
EXPIRED_TOKEN = "Access token is expired."


@dataclass(frozen=True)
class _AuthorizationCode:
    client_id: str
    redirect_uri: str


INVALID_CODE = "Invalid authorization code"
REDIRECT_MISMATCH = "Redirect URI mismatch."


@dataclass
class _AccessToken:
    expires_at: float
    requests: int = 0
    force_expired: bool = False


class TokenStore:
    def __init__(self, config: FakeZoomConfig) -> None:
        self.config = config
        self._tokens: dict[str, _AccessToken] = {}
        self._counter = itertools.count(1)
        self._refresh_counter = itertools.count(1)
        self.current_refresh_token = config.refresh_token
        self._codes: dict[str, _AuthorizationCode] = {}
        # Every refresh token presented, in order, and those refused: what Zoom saw of a login.
        self.presented_refresh_tokens: list[str] = []
        self.refused_refresh_tokens: list[str] = []

    def issue_access_token(self) -> tuple[str, int]:
        token = f"fake-access-{next(self._counter)}-{secrets.token_hex(8)}"
        self._tokens[token] = _AccessToken(expires_at=time.monotonic() + self.config.token_ttl_seconds)
        return token, int(self.config.token_ttl_seconds)

    def rotate_refresh_token(self, presented: str) -> Optional[str]:
        """Refresh tokens are single use: the presented one must be the current one; it is replaced."""
        self.presented_refresh_tokens.append(presented)
        if not presented or presented != self.current_refresh_token:
            self.refused_refresh_tokens.append(presented)
            return None
        return self._replace_refresh_token()

    def _replace_refresh_token(self) -> str:
        self.current_refresh_token = f"fake-refresh-token-{next(self._refresh_counter)}-{secrets.token_hex(4)}"
        return self.current_refresh_token

    def issue_authorization_code(self, client_id: str, redirect_uri: str) -> str:
        code = f"fake-code-{secrets.token_urlsafe(16)}"
        self._codes[code] = _AuthorizationCode(client_id, redirect_uri)
        return code

    def redeem_authorization_code(self, code: str, client_id: str, redirect_uri: str) -> tuple[Optional[str], Optional[str]]:
        """(new refresh token, None) or (None, Zoom's reason). A code is single use: the first
        exchange that presents it consumes it, even one that fails. A successful exchange starts a
        new authorization, whose refresh token replaces the account's current one."""
        issued = self._codes.pop(code, None)
        if issued is None or issued.client_id != client_id:
            return None, INVALID_CODE
        if redirect_uri != issued.redirect_uri:
            return None, REDIRECT_MISMATCH
        return self._replace_refresh_token(), None

    def check(self, bearer: Optional[str]) -> tuple[Optional[str], bool]:
        """Returns (error message or None, whether this call force-expired the token)."""
        if bearer is not None and bearer == self.config.jwt_token:
            return None, False
        state = self._tokens.get(bearer or "")
        if state is None:
            return INVALID_TOKEN, False
        if state.force_expired or time.monotonic() >= state.expires_at:
            return EXPIRED_TOKEN, False
        state.requests += 1
        limit = self.config.token_expire_every_n_requests
        if limit and state.requests > limit:
            state.force_expired = True
            return EXPIRED_TOKEN, True
        return None, False
