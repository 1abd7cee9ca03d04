"""Webinars and what hangs off a webinar: panelists, registrants, registration questions,
tracking sources, polls."""

from source_zoom.paging import Paging
from source_zoom.slicing import EACH_REGISTRANT_STATUS, REGISTRATION_ON
from source_zoom.streams.users import UserWebinars
from source_zoom.zoom_stream import ZoomStream


class Webinars(ZoomStream):
    """GET /webinars/{webinarId}"""

    path_template = "webinars/{id}"
    parent = UserWebinars
    primary_key = "uuid"
    stamp_from_self = {"webinar_id": "id"}
    dedupe_by_primary_key = True
    copies_occurrences_for_stitch = True


class WebinarPanelists(ZoomStream):
    """GET /webinars/{webinarId}/panelists"""

    path_template = "webinars/{id}/panelists"
    parent = Webinars
    records_key = "panelists"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarRegistrants(ZoomStream):
    """GET /webinars/{webinarId}/registrants?status=approved|pending|denied"""

    path_template = "webinars/{id}/registrants"
    parent = Webinars
    parent_filter = REGISTRATION_ON
    each_value = (EACH_REGISTRANT_STATUS,)
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["webinar_id", "id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarQuestions(ZoomStream):
    """GET /webinars/{webinarId}/registrants/questions"""

    path_template = "webinars/{id}/registrants/questions"
    parent = Webinars
    parent_filter = REGISTRATION_ON
    primary_key = "webinar_id"
    stamp_from_parent = {"webinar_id": "id"}


class WebinarTrackingSources(ZoomStream):
    """GET /webinars/{webinarId}/tracking_sources"""

    path_template = "webinars/{id}/tracking_sources"
    parent = Webinars
    parent_filter = REGISTRATION_ON
    records_key = "tracking_sources"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}


class WebinarPolls(ZoomStream):
    """GET /webinars/{webinarId}/polls"""

    path_template = "webinars/{id}/polls"
    parent = Webinars
    records_key = "polls"
    primary_key = ["id", "webinar_id"]
    stamp_from_parent = {"webinar_id": "id"}
