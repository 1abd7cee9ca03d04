"""The fake account's state and the pipeline every /v2 request goes through: latency -> fault draw ->
bearer check -> route -> granular scope -> rate limit -> handler (paging errors answered here),
counted in Stats; and the recording file downloads (/rec/download/..., bearer but no rate
category).
"""

from __future__ import annotations

import asyncio
import collections
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from aiohttp import web

from . import phone, transcripts
from .account import build_dataset
from .auth import TokenStore
from .config import FakeZoomConfig
from .context import Ctx, ZoomError
from .faults import Fault, FaultInjector
from .ground_truth import compute_ground_truth
from .model import default_start_date, documented_start_date
from .paging import PagingError
from .ratelimit import RateLimited, RateLimiter
from .routes import ROUTES
from .routing import Router
from .scopes import MISSING_SCOPE_CODE, missing_scope_message


JSON = "application/json"


def json_response(body: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(), status=status, content_type=JSON, headers=headers
    )


def error_response(http_status: int, code: int, message: str, headers: Optional[Mapping[str, str]] = None):
    return json_response({"code": code, "message": message}, http_status, headers)


@dataclass
class Stats:
    requests_by_endpoint: collections.Counter = field(default_factory=collections.Counter)
    requests_by_category: collections.Counter = field(default_factory=collections.Counter)
    status_counts: collections.Counter = field(default_factory=collections.Counter)
    faults_injected: collections.Counter = field(default_factory=collections.Counter)
    token_faults_injected: collections.Counter = field(default_factory=collections.Counter)  # the token endpoint's share
    token_requests: int = 0
    total_api_requests: int = 0
    # How long each hung request (hang, stall_body) was held before the client closed it.
    hung_seconds: list = field(default_factory=list)
    # File downloads (not API requests) per host the client named, and those that carried a token:
    # a host that is not the API's must never see one.
    downloads_by_host: collections.Counter = field(default_factory=collections.Counter)
    downloads_with_token_by_host: collections.Counter = field(default_factory=collections.Counter)
    # API requests per path as sent (with the `from`/`to` of a dated listing): who was asked about what.
    requests_by_path: collections.Counter = field(default_factory=collections.Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests_by_endpoint": dict(self.requests_by_endpoint),
            "requests_by_category": {c: self.requests_by_category[c] for c in ("light", "medium", "heavy")},
            "status_counts": dict(self.status_counts),
            "token_requests": self.token_requests,
            "token_faults_injected": dict(self.token_faults_injected),
            "faults_injected": {k: self.faults_injected[k] for k in ("5xx", "429", "drop", "bad_json", "hang", "stall_body", "expired_token", "invalid")},
            "hung_seconds": list(self.hung_seconds),
            "total_api_requests": self.total_api_requests,
            "downloads_by_host": dict(self.downloads_by_host),
            "downloads_with_token_by_host": dict(self.downloads_with_token_by_host),
            "requests_by_path": dict(self.requests_by_path),
        }


class FakeZoom:
    """All mutable state of one fake account; only touched from the server's event loop."""

    def __init__(self, config: FakeZoomConfig) -> None:
        self.config = config
        self.dataset = build_dataset(config)
        self.tokens = TokenStore(config)
        self.limiter = RateLimiter(config.rate_limit_plan, config.heavy_daily_limit, config.daily_limit_headers)
        self.phone_limiter = phone.PhoneRateLimiter(config.rate_limit_plan, config.daily_limit_headers)  # Zoom Phone's own table
        self.faults = FaultInjector(config)
        self.router = Router(ROUTES)
        self.stats = Stats()

    # --- /v2 ---

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        route, params = self.router.match(raw_path)
        self.stats.total_api_requests += 1
        self.stats.requests_by_endpoint[route.counted_as(request.query) if route else f"{request.method} <unmatched>"] += 1
        window = "&".join(f"{key}={request.query[key]}" for key in ("from", "to") if key in request.query)
        self.stats.requests_by_path[f"{request.method} {raw_path}" + (f"?{window}" if window else "")] += 1
        if route is not None:
            self.stats.requests_by_category[route.category.lower()] += 1
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        fault = self.faults.draw(route.template if route else None)
        response = await self._answer(request, route, params, raw_path, fault)
        if response is None:  # dropped connection
            return web.Response(status=500)  # never reaches the client: the transport is gone
        self.stats.status_counts[str(response.status)] += 1
        return response

    async def _answer(self, request, route, params, raw_path, fault: Optional[Fault]):
        early = self.early_fault(request, fault)
        if early is not None or (fault is not None and fault.kind == "drop"):
            return early
        if fault is not None and fault.kind == "hang":
            self.stats.faults_injected["hang"] += 1
            await self._hold(request)
            return None
        message, force_expired = self.tokens.check(_bearer(request))
        if force_expired:
            self.stats.faults_injected["expired_token"] += 1
        if message is not None:
            return error_response(401, 124, message)
        if route is None or request.method != "GET":
            return error_response(404, 404, "Not Found")
        if route.scope in self.dataset.missing_scopes:  # Zoom checks the token's scopes before any quota
            return error_response(400, MISSING_SCOPE_CODE, missing_scope_message(route.scope))
        quota: dict[str, str] = {}
        try:
            quota = (self.phone_limiter if phone.is_phone(route.template) else self.limiter).admit(route.category)
            body = route.handler(Ctx(self.dataset, params, request.query, raw_path, origin_of(request)))
        except RateLimited as limited:
            return error_response(429, 429, limited.message, limited.headers)
        except ZoomError as error:
            return error_response(error.http_status, error.code, error.message, quota)
        except PagingError as error:
            return error_response(400, 300, str(error))
        if fault is not None and fault.kind == "bad_json":
            self.stats.faults_injected["bad_json"] += 1
            return bad_json_response(body, fault)
        if fault is not None and fault.kind == "stall_body":
            self.stats.faults_injected["stall_body"] += 1
            return await self._stall_body(request, body)
        return json_response(body, headers=quota)

    async def _stall_body(self, request: web.Request, body: Any) -> None:
        """Headers and half the body, then silence: a response that never finishes."""
        encoded = json.dumps(body, separators=(",", ":")).encode()
        response = web.StreamResponse(status=200, headers={"Content-Type": JSON, "Content-Length": str(len(encoded))})
        await response.prepare(request)
        await response.write(encoded[: len(encoded) // 2])
        await self._hold(request)
        return None

    async def _hold(self, request: web.Request) -> None:
        """Says nothing until the client closes the connection (or hang_seconds pass, then closes it)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < self.config.hang_seconds:
            transport = request.transport
            if transport is None or transport.is_closing():
                break
            await asyncio.sleep(0.05)
        self.stats.hung_seconds.append(round(loop.time() - started, 2))
        if request.transport is not None:
            request.transport.abort()

    def early_fault(self, request: web.Request, fault: Optional[Fault]) -> Optional[web.Response]:
        """Faults answered before any real work: 5xx, 429, dropped connection (returns None)."""
        if fault is None or fault.kind in ("bad_json", "hang", "stall_body"):
            return None
        self.stats.faults_injected[fault.kind] += 1
        if fault.kind == "invalid":  # Zoom's validation error: the same request is refused every time
            return error_response(400, 300, "Validation Failed.")
        if fault.kind == "5xx":
            return error_response(fault.status, fault.status, "Internal Error (injected fault)")
        if fault.kind == "429":
            headers = {"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS"}
            if fault.retry_after:
                headers["Retry-After"] = "1"
            return error_response(429, 429, "You have reached the maximum per-second rate limit for this API. "
                                            "Try again later.", headers)
        if request.transport is not None:
            request.transport.abort()
        return None

    # --- file downloads (recording files' download_url) ---

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """GET /rec/download/{fileId}: a transcript's WebVTT bytes, with the account's bearer token
        (Zoom's way for apps; no API rate category applies). Every request is counted under the
        host it was sent to, so a test can tell that none went to a host that is not Zoom's."""
        host = request.host.rpartition(":")[0] or request.host
        # Counted with the API's requests (what the connector asks of Zoom), in no rate category.
        self.stats.total_api_requests += 1
        self.stats.requests_by_endpoint["GET " + DOWNLOAD_ROUTE] += 1
        self.stats.downloads_by_host[host] += 1
        if request.headers.get("Authorization"):
            self.stats.downloads_with_token_by_host[host] += 1
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        response = self._download(request)
        self.stats.status_counts[str(response.status)] += 1
        return response

    def _download(self, request: web.Request) -> web.Response:
        message, force_expired = self.tokens.check(_bearer(request))
        if force_expired:
            self.stats.faults_injected["expired_token"] += 1
        if message is not None:
            return error_response(401, 124, message)
        transcript = self.dataset.transcripts.get(request.match_info["fileId"])
        if transcript is None or transcript.deleted_after_listing:
            return error_response(404, 3301, "This recording does not exist.")
        if transcript.status != "completed":
            return error_response(404, 3301, "The recording file is still being processed.")
        return web.Response(body=transcript.vtt(), content_type="text/vtt")


    # --- state a test reads and changes (/_fake, FakeZoomServer) ---

    def ground_truth(self, start_date: Optional[str] = None, origin: str = "") -> dict[str, Any]:
        return compute_ground_truth(self.dataset, start_date, origin)

    def grant_scope(self, scope: str) -> None:
        """The admin adds `scope` to the app: calls needing it answer from now on."""
        self.dataset.missing_scopes.discard(scope)

    def effective_config(self) -> dict[str, Any]:
        return {**self.config.as_dict(), "current_refresh_token": self.tokens.current_refresh_token,
                "default_start_date": default_start_date(self.dataset.today),
                "example_start_date": documented_start_date(self.dataset.today),
                "missing_scopes_now": sorted(self.dataset.missing_scopes)}


DOWNLOAD_ROUTE = transcripts.DOWNLOAD_PREFIX + "{fileId}"


def origin_of(request: web.Request) -> str:
    """Where the client sent the request: scheme://host:port as it named it."""
    return f"{request.scheme}://{request.host}"


def _bearer(request: web.Request) -> Optional[str]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def bad_json_response(body: Any, fault: Fault) -> web.Response:
    if fault.variant == 1:
        return web.Response(body=b"<html><body><h1>Bad Gateway</h1></body></html>", content_type="text/html")
    encoded = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(body=encoded[: max(1, len(encoded) // 2)], content_type=JSON)
