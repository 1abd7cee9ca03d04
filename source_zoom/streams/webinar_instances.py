"""Past webinar instances and what hangs off one: the report, participants, absentees, poll
results, Q&A, in-webinar files. Each child stamps the instance's keys and start time (its cursor)."""

from typing import Any, Dict, Mapping, Optional

from source_zoom.declarations import FILES_GONE_ERRORS, HEAVY, MEDIUM, REGISTRATION_ON, Endpoint, Join, Scopes, has_registration
from source_zoom.listed_by import AskedIfListed, AskedOnlyIfListed
from source_zoom.paging import Paging
from source_zoom.streams.history import HistoryMeetings, HistoryWithSurvey, is_webinar_row, within_history_report
from source_zoom.streams.webinars import Webinars
from source_zoom.windows import PAST_INSTANCES, UNDER_AN_INSTANCE
from source_zoom.zoom_stream import ZoomStream


class WebinarInstances(ZoomStream):
    """Every past webinar instance Zoom still lists, once: GET /past_webinars/{webinarId}/instances
    of each listed webinar, and the account's history listing's webinars (deleted webinars too:
    Zoom deletes a webinar 90 days after it ends, and still serves its instances' reports)."""

    hidden = True
    endpoint = Endpoint("past_webinars/{id}/instances", MEDIUM, Scopes("webinar:read:admin", "webinar:read:list_past_instances:admin"))
    parent = Webinars
    joins = (Join(HistoryMeetings, is_webinar_row, renamed={"webinar_id": "id"}),)
    dates = PAST_INSTANCES
    records_key = "webinars"
    primary_key = "uuid"
    stamp_from_parent = {"webinar_id": "id"}
    dedupe_by_primary_key = True

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        record["registration_required"] = has_registration(parent)
        return super().build_record(record, parent, position)


class ReportWebinars(ZoomStream):
    """GET /report/webinars/{webinarUUID}"""

    endpoint = Endpoint("report/webinars/{uuid}", HEAVY, Scopes("report:read:admin", "report:read:webinar:admin"))
    parent = WebinarInstances
    primary_key = "uuid"
    stamp_from_self = {"webinar_id": "id"}
    dedupe_by_primary_key = True
    cursor_field = "start_time"
    dates = UNDER_AN_INSTANCE


WEBINAR_INSTANCE_KEYS = {"webinar_id": "webinar_id", "webinar_uuid": "uuid", "webinar_start_time": "start_time"}


class ReportWebinarParticipants(ZoomStream):
    """GET /report/webinars/{webinarUUID}/participants"""

    endpoint = Endpoint("report/webinars/{uuid}/participants", HEAVY, Scopes("report:read:admin", "report:read:list_webinar_participants:admin"))
    parent = WebinarInstances
    dates = UNDER_AN_INSTANCE
    records_key = "participants"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"include_fields": "registrant_id"}
    primary_key = ["id", "webinar_id", "webinar_uuid", "user_id", "join_time"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"


class WebinarAbsentees(ZoomStream):
    """GET /past_webinars/{webinarUUID}/absentees"""

    endpoint = Endpoint("past_webinars/{uuid}/absentees", HEAVY, Scopes("webinar:read:admin", "webinar:read:list_absentees:admin"))
    parent = WebinarInstances
    parent_filter = REGISTRATION_ON
    dates = UNDER_AN_INSTANCE
    records_key = "registrants"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = ["id", "webinar_uuid"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"


class WebinarAnswers(ZoomStream):
    """What the respondents of one webinar instance answered (not a table itself): one record per
    entry of the response's `questions`, told apart by its position (anonymous entries have no email)."""

    parent = WebinarInstances
    dates = UNDER_AN_INSTANCE
    records_key = "questions"
    primary_key = ["webinar_uuid", "email", "respondent_index"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"
    position_field = "respondent_index"


class WebinarPollResults(WebinarAnswers):
    """GET /past_webinars/{webinarUUID}/polls"""

    endpoint = Endpoint("past_webinars/{uuid}/polls", MEDIUM, Scopes("webinar:read:admin", "webinar:read:list_past_polls:admin"))


class WebinarQnaResults(WebinarAnswers):
    """GET /past_webinars/{webinarUUID}/qa"""

    endpoint = Endpoint("past_webinars/{uuid}/qa", MEDIUM, Scopes("webinar:read:admin", "webinar:read:past_qa:admin"))


class WebinarFiles(ZoomStream):
    """GET /past_webinars/{webinarUUID}/files (removed by Zoom in 2024: ends empty with one warning)"""

    # No scopes: as meeting_files (Zoom's granular-scope page names none for a removed endpoint).
    endpoint = Endpoint("past_webinars/{uuid}/files", MEDIUM, errors=FILES_GONE_ERRORS)
    parent = WebinarInstances
    dates = UNDER_AN_INSTANCE
    records_key = "in_meeting_files"
    primary_key = ["webinar_uuid", "file_name"]
    stamp_from_parent = WEBINAR_INSTANCE_KEYS
    cursor_field = "webinar_start_time"


class WebinarSurveyResults(AskedOnlyIfListed, WebinarAnswers):
    """GET /report/webinars/{webinarUUID}/survey: as meeting_survey_results, for webinar instances."""

    endpoint = Endpoint("report/webinars/{uuid}/survey", HEAVY, Scopes("report:read:admin", "report:read:webinar_survey:admin"))
    records_key = "survey_answers"
    stamp_from_response = {"survey_id": "survey_id", "survey_name": "survey_name"}
    asked_if = AskedIfListed(HistoryWithSurvey, key="uuid", reaches=within_history_report)
    joins = (asked_if.join(),)
