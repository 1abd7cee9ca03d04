"""Webinars and what hangs off a webinar: panelists, registrants, registration questions,
tracking sources, polls."""

from source_zoom.declarations import EACH_REGISTRANT_STATUS, LIGHT, MEDIUM, REGISTRATION_ON, Endpoint, Scopes
from source_zoom.paging import Paging
from source_zoom.streams.users import UserWebinars
from source_zoom.zoom_stream import ZoomStream


class Webinars(ZoomStream):
    """GET /webinars/{webinarId}"""

    endpoint = Endpoint("webinars/{id}", LIGHT, Scopes("webinar:read:admin", "webinar:read:webinar:admin"))
    parent = UserWebinars
    primary_key = "uuid"
    stamp_from_self = {"webinar_id": "id"}
    dedupe_by_primary_key = True
    copies_occurrences_for_stitch = True


class WebinarPanelists(ZoomStream):
    """GET /webinars/{webinarId}/panelists"""

    endpoint = Endpoint("webinars/{id}/panelists", MEDIUM, Scopes("webinar:read:admin", "webinar:read:list_panelists:admin"))
    parent = Webinars
    records_key = "panelists"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarRegistrants(ZoomStream):
    """GET /webinars/{webinarId}/registrants?status=approved|pending|denied"""

    endpoint = Endpoint("webinars/{id}/registrants", MEDIUM, Scopes("webinar:read:admin", "webinar:read:list_registrants:admin"))
    parent = Webinars
    parent_filter = REGISTRATION_ON
    each_value = (EACH_REGISTRANT_STATUS,)
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["webinar_id", "id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarQuestions(ZoomStream):
    """GET /webinars/{webinarId}/registrants/questions"""

    endpoint = Endpoint("webinars/{id}/registrants/questions", LIGHT, Scopes("webinar:read:admin", "webinar:read:list_registration_questions:admin"))
    parent = Webinars
    parent_filter = REGISTRATION_ON
    primary_key = "webinar_id"
    stamp_from_parent = {"webinar_id": "id"}


class WebinarTrackingSources(ZoomStream):
    """GET /webinars/{webinarId}/tracking_sources"""

    endpoint = Endpoint("webinars/{id}/tracking_sources", MEDIUM, Scopes("webinar:read:admin", "webinar:read:list_tracking_sources:admin"))
    parent = Webinars
    parent_filter = REGISTRATION_ON
    records_key = "tracking_sources"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarPolls(ZoomStream):
    """GET /webinars/{webinarId}/polls"""

    endpoint = Endpoint("webinars/{id}/polls", LIGHT, Scopes("webinar:read:admin", "webinar:read:list_polls:admin"))
    parent = Webinars
    records_key = "polls"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}
