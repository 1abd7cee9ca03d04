"""Zoom's granular scopes: which one each endpoint of the fake needs (declared on its route), and
Zoom's answer when the token lacks it.

Apps made since 2024 have granular scopes only. A call whose token lacks the endpoint's scope is
answered HTTP 400 {"code": 4711, "message": "Invalid access token, does not contain scopes:[...]"}.
Names are the granular scopes Zoom's API reference gives per endpoint, as found in
Zoom's API notes and in public copies of Zoom's reference pages; the two removed files
endpoints' names and the meeting Q&A report's only follow the `<product>:read:<resource>:admin`
pattern (unconfirmed).
"""

from __future__ import annotations

from .routes import ROUTES

MISSING_SCOPE_CODE = 4711

# Declared beside each route (routing.Route.scope); the map is what the ground truth and tests read.
SCOPE_BY_ROUTE = {route.template: route.scope for route in ROUTES}


def scope_of(route_template: str) -> str:
    return SCOPE_BY_ROUTE[route_template]


def missing_scope_message(scope: str) -> str:
    return f"Invalid access token, does not contain scopes:[{scope}]"
