"""The one list of the fake's /v2 routes: each family of routes declares its own in a module of its
own (routes_*.py); adding a family is one module and one line here.
"""

from __future__ import annotations

from . import routes_account, routes_phone, routes_recordings, routes_reports, routes_users_meetings, routes_webinars

ROUTES = [
    *routes_users_meetings.ROUTES,
    *routes_webinars.ROUTES,
    *routes_reports.ROUTES,
    *routes_recordings.ROUTES,
    *routes_account.ROUTES,
    *routes_phone.ROUTES,
]
