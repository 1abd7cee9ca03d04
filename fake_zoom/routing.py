"""A route's declaration (template, rate category, handler, granular scope) and the router that
matches raw paths against them. Routing is done on the *raw* path, because Zoom's double-encoded
UUIDs can only be told apart from single-encoded ones before any percent-decoding.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from .context import Ctx


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "/v2/users/{userId}/meetings"
    category: str  # Light | Medium | Heavy
    handler: Callable[[Ctx], Any]
    # The granular scope Zoom's granular-scope page names for the endpoint; a token without it is
    # answered 400 code 4711 (scopes.py) before any quota is used. None: the page names none (an
    # endpoint Zoom removed), so no scope is checked.
    scope: Optional[str]
    # Query parameters that make one path two listings (history's report_type): the request
    # counts keep them apart, so that a benchmark's table names each listing's own requests.
    counted_by: tuple[str, ...] = ()

    @property
    def segments(self) -> list[str]:
        return self.template.strip("/").split("/")

    @property
    def name(self) -> str:
        return f"GET {self.template}"

    def counted_as(self, query: Mapping[str, str]) -> str:
        return self.name + "".join(f"?{key}={query[key]}" for key in self.counted_by if key in query)


class Router:
    """Matches raw paths segment by segment; params keep their percent-encoding.

    Where two templates fit one path, the one with a literal segment where the other has a param
    wins (/meetings/meeting_summaries before /meetings/{meetingId}), whatever the order of the
    route list, so each family of routes can be declared on its own.
    """

    def __init__(self, routes: list[Route]) -> None:
        self._by_length: dict[int, list[tuple[Route, list[str]]]] = collections.defaultdict(list)
        for route in sorted(routes, key=lambda route: [segment.startswith("{") for segment in route.segments]):
            self._by_length[len(route.segments)].append((route, route.segments))

    def match(self, raw_path: str) -> tuple[Optional[Route], dict[str, str]]:
        parts = raw_path.strip("/").split("/")
        for route, segments in self._by_length.get(len(parts), ()):
            params = {}
            for pattern, part in zip(segments, parts):
                if pattern.startswith("{"):
                    if not part:
                        break
                    params[pattern[1:-1]] = part
                elif pattern != part:
                    break
            else:
                return route, params
        return None, {}
