"""Past meeting instances and what hangs off one: participants, poll results, Q&A, in-meeting
files. Each child stamps the instance's keys and start time (its cursor)."""

from source_zoom.declarations import FILES_GONE_ERRORS, HEAVY, MEDIUM, Endpoint, Join, Scopes
from source_zoom.listed_by import AskedIfListed, AskedOnlyIfListed
from source_zoom.paging import Paging
from source_zoom.streams.history import (
    HistoryMeetings,
    HistoryMeetingsWithQna,
    HistoryWithSurvey,
    is_meeting_row,
    within_history_report,
)
from source_zoom.streams.meetings import Meetings, ReportMeetings
from source_zoom.windows import PAST_INSTANCES, UNDER_AN_INSTANCE
from source_zoom.zoom_stream import ZoomStream


class MeetingInstances(ZoomStream):
    """Every past meeting instance Zoom still lists, once: the report listing's, the account's
    history listing's (meetings that dropped out of `type=scheduled`: expired one-time, instant
    and PMI meetings, and instances under two participants), and
    GET /past_meetings/{meetingId}/instances of each listed meeting (older than the reports reach)."""

    hidden = True
    endpoint = Endpoint("past_meetings/{id}/instances", MEDIUM, Scopes("meeting:read:admin", "meeting:read:list_past_instances:admin"))
    parent = Meetings
    # The history lists every instance the report listing does (any participant count): the report
    # listing only adds what report_meetings reads for itself anyway.
    joins = (Join(ReportMeetings, is_meeting_row, only_what_it_reads_anyway=True), Join(HistoryMeetings, is_meeting_row))
    dates = PAST_INSTANCES
    records_key = "meetings"
    primary_key = "uuid"
    stamp_from_parent = {"id": "id"}
    dedupe_by_primary_key = True


MEETING_INSTANCE_KEYS = {"meeting_id": "id", "meeting_uuid": "uuid", "meeting_start_time": "start_time"}


class ReportMeetingParticipants(ZoomStream):
    """GET /report/meetings/{meetingUUID}/participants"""

    endpoint = Endpoint("report/meetings/{uuid}/participants", HEAVY, Scopes("report:read:admin", "report:read:list_meeting_participants:admin"))
    parent = MeetingInstances
    dates = UNDER_AN_INSTANCE
    records_key = "participants"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"include_fields": "registrant_id"}
    primary_key = ["id", "meeting_id", "meeting_uuid", "user_id", "join_time"]
    stamp_from_parent = MEETING_INSTANCE_KEYS
    cursor_field = "meeting_start_time"


class MeetingAnswers(ZoomStream):
    """What the respondents of one meeting instance answered (not a table itself): one record per
    entry of the response's `questions`, told apart by its position (anonymous entries have no email)."""

    parent = MeetingInstances
    dates = UNDER_AN_INSTANCE
    records_key = "questions"
    primary_key = ["meeting_uuid", "email", "respondent_index"]
    stamp_from_parent = MEETING_INSTANCE_KEYS
    position_field = "respondent_index"
    cursor_field = "meeting_start_time"


class MeetingPollResults(MeetingAnswers):
    """GET /past_meetings/{meetingUUID}/polls"""

    endpoint = Endpoint("past_meetings/{uuid}/polls", MEDIUM, Scopes("meeting:read:admin", "meeting:read:list_poll_results:admin"))


class MeetingFiles(ZoomStream):
    """GET /past_meetings/{meetingUUID}/files (removed by Zoom in 2024: ends empty with one warning)"""

    # No scopes: Zoom's granular-scope page names none for an endpoint it removed, so `check`
    # advises none (the instances it reads through carry meeting:read:admin and their own).
    endpoint = Endpoint("past_meetings/{uuid}/files", MEDIUM, errors=FILES_GONE_ERRORS)
    parent = MeetingInstances
    dates = UNDER_AN_INSTANCE
    records_key = "in_meeting_files"
    primary_key = ["meeting_uuid", "file_name"]
    stamp_from_parent = MEETING_INSTANCE_KEYS
    cursor_field = "meeting_start_time"


class MeetingQnaResults(AskedOnlyIfListed, MeetingAnswers):
    """GET /report/meetings/{meetingUUID}/qa: one record per asker (anonymous askers too), asked
    of the instances Zoom's history report lists with a Q&A report, and of those older than it reaches."""

    endpoint = Endpoint("report/meetings/{uuid}/qa", HEAVY, Scopes("report:read:admin", "report:read:meeting_qna:admin"))
    asked_if = AskedIfListed(HistoryMeetingsWithQna, key="uuid", reaches=within_history_report)
    joins = (asked_if.join(),)


class MeetingSurveyResults(AskedOnlyIfListed, MeetingAnswers):
    """GET /report/meetings/{meetingUUID}/survey: one record per respondent (anonymous ones too),
    with the survey's id and name, asked of the instances Zoom's history report lists with a survey
    report, and of those older than it reaches."""

    endpoint = Endpoint("report/meetings/{uuid}/survey", HEAVY, Scopes("report:read:admin", "report:read:meeting_survey:admin"))
    records_key = "survey_answers"
    stamp_from_response = {"survey_id": "survey_id", "survey_name": "survey_name"}
    asked_if = AskedIfListed(HistoryWithSurvey, key="uuid", reaches=within_history_report)
    joins = (asked_if.join(),)
