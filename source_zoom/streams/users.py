"""Users, and what Zoom lists per user: their meetings and webinars (hidden parents of the detail
tables). Reports and recordings, also listed per user, are with meetings and in recordings.py."""

from source_zoom.paging import Paging
from source_zoom.zoom_stream import ZoomStream


class Users(ZoomStream):
    """GET /users"""

    path_template = "users"
    records_key = "users"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"


class UserMeetings(ZoomStream):
    """GET /users/{userId}/meetings: the short form; `meetings` fetches each one's details."""

    hidden = True
    path_template = "users/{id}/meetings"
    parent = Users
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"type": "scheduled"}
    primary_key = "id"
    dedupe_by_primary_key = True


class UserWebinars(ZoomStream):
    """GET /users/{userId}/webinars (page_number paging only)"""

    hidden = True
    path_template = "users/{id}/webinars"
    parent = Users
    records_key = "webinars"
    paging = Paging.PAGE_NUMBER
    primary_key = "id"
    dedupe_by_primary_key = True
