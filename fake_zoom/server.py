"""The fake Zoom REST API v2 as an aiohttp app (create_app), plus a threaded test harness
(FakeZoomServer).

The app wires the /v2 pipeline (pipeline.py, routes from routes.py), the OAuth endpoints
(oauth_endpoints.py), the file downloads and the /_fake introspection (introspection.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any, Callable, Optional

from aiohttp import web

from . import ai_companion
from .account import add_past_meetings, add_user
from .config import FakeZoomConfig
from .introspection import Introspection
from .model import default_start_date, documented_start_date
from .oauth_endpoints import OAuthEndpoints
from .pipeline import DOWNLOAD_ROUTE, FakeZoom, Stats


API_PREFIX = "/v2"
FAKE_KEY = web.AppKey("fake_zoom", FakeZoom)


def create_app(config: Optional[FakeZoomConfig] = None) -> web.Application:
    fake = FakeZoom(config or FakeZoomConfig.default())
    app = web.Application()
    app[FAKE_KEY] = fake
    introspection, oauth = Introspection(fake), OAuthEndpoints(fake)
    app.router.add_get("/_fake/ground_truth", introspection.handle_ground_truth)
    app.router.add_get("/_fake/stats", introspection.handle_stats)
    app.router.add_post("/_fake/reset_stats", introspection.handle_reset_stats)
    app.router.add_get("/_fake/config", introspection.handle_config)
    app.router.add_post("/_fake/add_data", introspection.handle_add_data)
    app.router.add_post("/_fake/grant_scope", introspection.handle_grant_scope)
    app.router.add_post("/_fake/edit_summaries", introspection.handle_edit_summaries)
    app.router.add_get(DOWNLOAD_ROUTE, fake.handle_download)
    app.router.add_post("/_fake/reset_daily", introspection.handle_reset_daily)
    app.router.add_post("/oauth/token", oauth.handle_token)
    app.router.add_get("/oauth/authorize", oauth.handle_authorize)
    app.router.add_route("*", API_PREFIX + "/{tail:.*}", fake.handle_api)
    return app


# ----------------------------------------------------------------------------- test harness


class FakeZoomServer:
    """Runs the fake in a background thread on 127.0.0.1 and a free port.

        with FakeZoomServer(FakeZoomConfig.default()) as server:
            requests.get(server.base_url + "/users", headers=...)
    """

    def __init__(self, config: Optional[FakeZoomConfig] = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or FakeZoomConfig.default()
        self.host, self.port = host, port
        self._app = create_app(self.config)
        self.fake = self._app[FAKE_KEY]
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "FakeZoomServer":
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._serve, args=(ready, failure), name="fake-zoom", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def _serve(self, ready: threading.Event, failure: list) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        runner = web.AppRunner(self._app, access_log=None, handle_signals=False)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, self.host, self.port).start())
            self.port = runner.addresses[0][1]
        except BaseException as error:  # surface bind errors in the caller's thread
            failure.append(error)
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> "FakeZoomServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _in_loop(self, function: Callable[[], Any]) -> Any:
        """Run `function` on the server's loop so it never races a request handler."""

        async def call():
            return function()

        assert self._loop is not None, "server not started"
        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout=60)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + API_PREFIX

    @property
    def token_url(self) -> str:
        return self.url + "/oauth/token"

    @property
    def current_refresh_token(self) -> str:
        return self.fake.tokens.current_refresh_token

    def ground_truth(self, start_date: Optional[str] = None) -> dict[str, Any]:
        return self._in_loop(lambda: self.fake.ground_truth(start_date, self.url))

    def stats(self) -> dict[str, Any]:
        return self._in_loop(self.fake.stats.as_dict)

    def reset_stats(self) -> None:
        def reset():
            self.fake.stats = Stats()

        self._in_loop(reset)

    def add_data(self, meetings_per_user: int = 1, started_at: Optional[dt.datetime] = None) -> int:
        """Adds one-off past meetings (see account.add_past_meetings); started_at is naive UTC."""
        return self._in_loop(lambda: add_past_meetings(self.fake.dataset, meetings_per_user, started_at))

    def add_user(self, created_at: dt.datetime, recorded_at: dt.datetime) -> dict[str, Any]:
        """Adds a user made at `created_at` who records one meeting at `recorded_at` (account.add_user;
        naive UTC); returns the user's record."""
        return self._in_loop(lambda: add_user(self.fake.dataset, created_at, recorded_at).record)

    def edit_summaries(self, count: int = 1, at: Optional[dt.datetime] = None, meetings_since: Optional[dt.datetime] = None) -> list[str]:
        """The hosts edit `count` AI Companion summaries (ai_companion.edit_summaries); times are naive UTC."""
        return self._in_loop(lambda: ai_companion.edit_summaries(self.fake.dataset, count, at, meetings_since))

    def grant_scope(self, scope: str) -> None:
        """Grant the app a granular scope it lacked (config.missing_scopes)."""
        self._in_loop(lambda: self.fake.grant_scope(scope))

    def reset_daily_limits(self) -> None:
        """Start the next "day": the Heavy daily counter starts again from zero."""
        self._in_loop(self.fake.limiter.reset_daily)

    @property
    def example_start_date(self) -> str:
        """The documented start_date inside the data (instances on both sides of it)."""
        return documented_start_date(self.fake.dataset.today)

    def connector_config(self, auth_type: str = "server_to_server_oauth", start_date: Optional[str] = None) -> dict:
        cfg = self.config
        if auth_type == "server_to_server_oauth":
            credentials = {"auth_type": auth_type, "account_id": cfg.account_id, "client_id": cfg.client_id,
                           "client_secret": cfg.client_secret}
        elif auth_type == "oauth2_refresh_token":
            credentials = {"auth_type": auth_type, "client_id": cfg.client_id, "client_secret": cfg.client_secret,
                           "refresh_token": self.current_refresh_token}
        elif auth_type == "jwt":
            credentials = {"auth_type": auth_type, "jwt_token": cfg.jwt_token}
        else:
            raise ValueError(f"unknown auth_type {auth_type!r}")
        return {
            "credentials": credentials,
            "start_date": start_date or default_start_date(self.fake.dataset.today),
            "api_base_url": self.base_url,
            "oauth_token_url": self.token_url,
            # The connector paces itself to the plan this fake enforces; a fake without limits
            # is treated as the fastest real plan.
            "rate_limit_plan": cfg.rate_limit_plan or "business",
        }
