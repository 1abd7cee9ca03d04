"""Users of every status, and what Zoom lists per user: their meetings and webinars (hidden
parents of the detail tables). Reports and recordings, also listed per user, are in meetings.py
and recordings.py; the account-wide history listing is in history.py."""

from typing import Any, Mapping

from source_zoom.declarations import MEDIUM, EachValue, Endpoint, ParentFilter, Scopes
from source_zoom.paging import Paging
from source_zoom.zoom_stream import ZoomStream

# GET /users lists `active` users unless asked: deactivated users keep their history, pending
# users (invited, not yet joined) are people of the account too.
USER_STATUSES = ("active", "inactive", "pending")


def hosted_something(user: Mapping[str, Any]) -> bool:
    return user.get("status", "active") in ("active", "inactive")


# Every per-user listing runs over active and deactivated users; a pending user has hosted nothing.
HOSTS = ParentFilter("a pending user has hosted nothing", hosted_something)


class Users(ZoomStream):
    """GET /users?status=active|inactive|pending"""

    endpoint = Endpoint("users", MEDIUM, Scopes("user:read:admin", "user:read:list_users:admin"))
    each_value = (EachValue("status", lambda _: USER_STATUSES),)
    records_key = "users"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"
    # A user whose status changes between the status listings comes twice.
    dedupe_by_primary_key = True


class UserMeetings(ZoomStream):
    """GET /users/{userId}/meetings: the short form; `meetings` fetches each one's details."""

    hidden = True
    endpoint = Endpoint("users/{id}/meetings", MEDIUM, Scopes("meeting:read:admin", "meeting:read:list_meetings:admin"))
    parent = Users
    parent_filter = HOSTS
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"type": "scheduled"}
    primary_key = "id"
    dedupe_by_primary_key = True


class UserWebinars(ZoomStream):
    """GET /users/{userId}/webinars (page_number paging only)"""

    hidden = True
    endpoint = Endpoint("users/{id}/webinars", MEDIUM, Scopes("webinar:read:admin", "webinar:read:list_webinars:admin"))
    parent = Users
    parent_filter = HOSTS
    records_key = "webinars"
    paging = Paging.PAGE_NUMBER
    primary_key = "id"
    dedupe_by_primary_key = True
