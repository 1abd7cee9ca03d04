"""Zoom's granular scopes: which one each endpoint of the fake needs (declared on its route), and
Zoom's answer when the token lacks it.

Apps made since 2024 have granular scopes only. A call whose token lacks the endpoint's scope is
answered HTTP 400 {"code": 4711, "message": "Invalid access token, does not contain scopes:[...]"}.
Names are the account-level (`:admin`) granular scopes Zoom's "Granular OAuth Scopes" page
(https://developers.zoom.us/docs/integrations/oauth-scopes-granular/) gives per endpoint. The page
does not list the two usage reports (`/report/daily`, `/report/cloud_recording`): their names are
those other public sources use. The two files endpoints Zoom removed have no scope on the page:
their routes check none.
"""

from __future__ import annotations

from typing import Optional

from .routes import ROUTES

MISSING_SCOPE_CODE = 4711

# Declared beside each route (routing.Route.scope); the map is what the ground truth and tests read.
SCOPE_BY_ROUTE = {route.template: route.scope for route in ROUTES}


def scope_of(route_template: str) -> Optional[str]:
    return SCOPE_BY_ROUTE[route_template]


def missing_scope_message(scope: str) -> str:
    return f"Invalid access token, does not contain scopes:[{scope}]"
