"""Zoom's OAuth endpoints: /oauth/token (account credentials, authorization code, refresh token
with rotation; faults drawn as the config asks) and /oauth/authorize (consent approved at once).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

from aiohttp import web

from .auth import SCOPES
from .pipeline import bad_json_response, json_response

if TYPE_CHECKING:
    from .pipeline import FakeZoom


class OAuthEndpoints:
    """The token and consent endpoints of one fake account (its tokens, config, faults and stats)."""

    def __init__(self, fake: "FakeZoom") -> None:
        self.fake = fake
        self.token_requests_served = 0

    # --- /oauth/token ---

    async def handle_token(self, request: web.Request) -> web.StreamResponse:
        self.fake.stats.token_requests += 1
        if self.fake.config.latency_ms:
            await asyncio.sleep(self.fake.config.latency_ms / 1000)
        self.token_requests_served += 1  # unlike stats, never reset: the script's position
        fault = self.fake.faults.scripted_token_fault(self.token_requests_served)
        if fault is None and self.fake.config.faults_on_token_endpoint and self.token_requests_served > len(self.fake.config.token_fault_script):
            fault = self.fake.faults.draw()
            if fault is not None and fault.kind in ("hang", "stall_body"):
                fault = None  # hangs are an API fault here; the token endpoint's own are 5xx, 429, drops
        if fault is not None and fault.kind != "bad_json":
            self.fake.stats.token_faults_injected[fault.kind] += 1
            early = self.fake.early_fault(request, fault)
            return early if early is not None else web.Response(status=500)  # dropped: never sent
        status, body = await self._grant(request)
        if fault is not None and status == 200:
            self.fake.stats.faults_injected["bad_json"] += 1
            self.fake.stats.token_faults_injected["bad_json"] += 1
            return bad_json_response(body, fault)
        return json_response(body, status)

    async def _grant(self, request: web.Request) -> tuple[int, dict[str, Any]]:
        if _basic_credentials(request) != (self.fake.config.client_id, self.fake.config.client_secret):
            return 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        form = dict(request.query)
        if request.can_read_body:
            form.update(await request.post())
        grant = form.get("grant_type", "")
        if grant == "account_credentials":
            if form.get("account_id") != self.fake.config.account_id:
                return 400, {"reason": "Invalid account_id", "error": "invalid_request"}
            return 200, self._token_body()
        if grant == "authorization_code":
            new_refresh, problem = self.fake.tokens.redeem_authorization_code(
                str(form.get("code", "")), self.fake.config.client_id, str(form.get("redirect_uri", "")))
            if new_refresh is None:
                return 400, {"reason": problem, "error": "invalid_request"}
            return 200, {**self._token_body(), "refresh_token": new_refresh}
        if grant == "refresh_token":
            new_refresh = self.fake.tokens.rotate_refresh_token(str(form.get("refresh_token", "")))
            if new_refresh is None:
                return 400, {"reason": "Invalid Token!", "error": "invalid_request"}
            return 200, {**self._token_body(), "refresh_token": new_refresh}
        return 400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}

    def _token_body(self) -> dict[str, Any]:
        token, ttl = self.fake.tokens.issue_access_token()
        return {"access_token": token, "token_type": "bearer", "expires_in": ttl, "scope": SCOPES}

    # --- /oauth/authorize ---

    async def handle_authorize(self, request: web.Request) -> web.StreamResponse:
        """Zoom's consent step, approved at once: a 302 to redirect_uri with `code` and `state`.
        An unknown client or an unusable redirect URI is answered here (never redirected to)."""
        query = request.query
        if query.get("client_id") != self.fake.config.client_id:
            return json_response({"reason": "Invalid client_id", "error": "invalid_client"}, 400)
        redirect_uri = query.get("redirect_uri", "")
        target = urlsplit(redirect_uri)
        if target.scheme not in ("http", "https") or not target.netloc:
            return json_response({"reason": "Invalid redirect_uri", "error": "invalid_request"}, 400)
        if query.get("response_type") != "code":
            answer = {"error": "unsupported_response_type"}
        else:
            answer = {"code": self.fake.tokens.issue_authorization_code(self.fake.config.client_id, redirect_uri)}
        if "state" in query:
            answer["state"] = query["state"]
        existing = parse_qsl(target.query, keep_blank_values=True)
        location = target._replace(query=urlencode(existing + list(answer.items()))).geturl()
        raise web.HTTPFound(location)


def _basic_credentials(request: web.Request) -> Optional[tuple[str, str]]:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret
