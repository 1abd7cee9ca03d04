"""/_fake/...: what a test asks of the fake over HTTP (never rate limited or faulted): the ground
truth, the request counts, the effective config, and the account's changes between syncs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from aiohttp import web

from . import ai_companion
from .account import add_past_meetings
from .pipeline import Stats, json_response, origin_of

if TYPE_CHECKING:
    from .pipeline import FakeZoom


class Introspection:
    """The /_fake endpoints of one fake account."""

    def __init__(self, fake: "FakeZoom") -> None:
        self.fake = fake

    async def handle_ground_truth(self, request: web.Request) -> web.Response:
        try:
            return json_response(self.fake.ground_truth(request.query.get("start_date") or None, origin_of(request)))
        except ValueError as error:
            return json_response({"error": f"bad start_date: {error}"}, 400)

    async def handle_stats(self, request: web.Request) -> web.Response:
        return json_response(self.fake.stats.as_dict())

    async def handle_reset_stats(self, request: web.Request) -> web.Response:
        self.fake.stats = Stats()
        return json_response({"ok": True})

    async def handle_config(self, request: web.Request) -> web.Response:
        return json_response(self.fake.effective_config())

    async def handle_add_data(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        started_at = dt.datetime.fromisoformat(body["started_at"].replace("Z", "")) if body.get("started_at") else None
        added = add_past_meetings(self.fake.dataset, int(body.get("meetings_per_user", 1)), started_at)
        return json_response({"added_meetings": added})

    async def handle_edit_summaries(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        at = dt.datetime.fromisoformat(body["at"].replace("Z", "")) if body.get("at") else None
        since = dt.datetime.fromisoformat(body["meetings_since"].replace("Z", "")) if body.get("meetings_since") else None
        return json_response({"edited": ai_companion.edit_summaries(self.fake.dataset, int(body.get("count", 1)), at, since)})

    async def handle_grant_scope(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        scope = body.get("scope") if isinstance(body, dict) else None
        if not isinstance(scope, str) or not scope:
            return json_response({"error": 'expected a JSON body {"scope": "<granular scope>"}'}, 400)
        self.fake.grant_scope(scope)
        return json_response({"missing_scopes": sorted(self.fake.dataset.missing_scopes)})

    async def handle_reset_daily(self, request: web.Request) -> web.Response:
        self.fake.limiter.reset_daily()
        return json_response({"ok": True})
