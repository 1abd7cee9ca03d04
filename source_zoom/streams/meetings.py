"""Meetings and what hangs off a meeting: registrants, registration questions, polls; and the
report listing of its past instances."""

from source_zoom.declarations import EACH_REGISTRANT_STATUS, HEAVY, LIGHT, MEDIUM, REGISTRATION_ON, Endpoint, Enrich, Scopes
from source_zoom.listed_by import AskedInWindowIfListed, AskedOnlyInListedWindows
from source_zoom.paging import Paging
from source_zoom.streams.history import HistoryMeetings
from source_zoom.streams.users import HOSTS, UserMeetings, Users
from source_zoom.windows import REPORT_LISTING
from source_zoom.zoom_stream import ZoomStream


class Meetings(ZoomStream):
    """GET /meetings/{meetingId}"""

    endpoint = Endpoint("meetings/{id}", LIGHT, Scopes("meeting:read:admin", "meeting:read:meeting:admin"))
    parent = UserMeetings
    primary_key = "uuid"
    stamp_from_self = {"meeting_id": "id"}
    dedupe_by_primary_key = True
    copies_occurrences_for_stitch = True


class MeetingRegistrants(ZoomStream):
    """GET /meetings/{meetingId}/registrants?status=approved|pending|denied"""

    endpoint = Endpoint("meetings/{id}/registrants", MEDIUM, Scopes("meeting:read:admin", "meeting:read:list_registrants:admin"))
    parent = Meetings
    parent_filter = REGISTRATION_ON
    each_value = (EACH_REGISTRANT_STATUS,)
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "meeting_id"]
    stamp_from_parent = {"meeting_id": "id"}


class MeetingQuestions(ZoomStream):
    """GET /meetings/{meetingId}/registrants/questions"""

    endpoint = Endpoint("meetings/{id}/registrants/questions", LIGHT, Scopes("meeting:read:admin", "meeting:read:list_registration_questions:admin"))
    parent = Meetings
    parent_filter = REGISTRATION_ON
    primary_key = "meeting_id"
    stamp_from_parent = {"meeting_id": "id"}


class MeetingPolls(ZoomStream):
    """GET /meetings/{meetingId}/polls"""

    endpoint = Endpoint("meetings/{id}/polls", LIGHT, Scopes("meeting:read:admin", "meeting:read:list_polls:admin"))
    parent = Meetings
    records_key = "polls"
    primary_key = ["id", "meeting_id"]
    stamp_from_parent = {"meeting_id": "id"}


class ReportMeetings(AskedOnlyInListedWindows, ZoomStream):
    """GET /report/users/{userId}/meetings: every past meeting instance with two or more participants.
    The listing leaves out the host's department and the tracking fields: the account's history
    listing has them (one request per month window), and the instance's report detail
    (GET /report/meetings/{uuid}) for a row the history lacks. The history listing names every
    past instance of every host: a host is asked for a window only if it lists one of theirs there."""

    endpoint = Endpoint("report/users/{id}/meetings", HEAVY, Scopes("report:read:admin", "report:read:user:admin"))
    parent = Users
    parent_filter = HOSTS
    stamp_from_parent = {"host_id": "id"}  # the listing is of the meetings this user hosted
    enriched_by = Enrich(
        HistoryMeetings,
        key="uuid",
        fields={"dept": "department", "tracking_fields": "tracking_fields"},
        detail=Endpoint("report/meetings/{uuid}", HEAVY, Scopes("report:read:admin", "report:read:meeting:admin")),
        detail_fields={"dept": "dept", "tracking_fields": "tracking_fields"},
    )
    asked_in_window_if = AskedInWindowIfListed(HistoryMeetings, listed_field="host_email", parent_field="email")
    dates = REPORT_LISTING
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"type": "past"}
    primary_key = "uuid"
    stamp_from_self = {"meeting_id": "id"}
    dedupe_by_primary_key = True
    cursor_field = "start_time"
