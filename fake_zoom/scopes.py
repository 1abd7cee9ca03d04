"""Zoom's granular scopes: which one each endpoint of the fake needs, in one map.

Apps made since 2024 have granular scopes only. A call whose token lacks the endpoint's scope is
answered HTTP 400 {"code": 4711, "message": "Invalid access token, does not contain scopes:[...]"}.
Names are the granular scopes Zoom's API reference gives per endpoint, as found in
Zoom's API notes and in public copies of Zoom's reference pages; the two removed files
endpoints' names and the meeting Q&A report's only follow the `<product>:read:<resource>:admin`
pattern (unconfirmed).
"""

from __future__ import annotations

MISSING_SCOPE_CODE = 4711

SCOPE_BY_ROUTE = {
    "/v2/users": "user:read:list_users:admin",
    "/v2/users/{userId}": "user:read:user:admin",
    "/v2/users/{userId}/meetings": "meeting:read:list_meetings:admin",
    "/v2/meetings/{meetingId}": "meeting:read:meeting:admin",
    "/v2/meetings/{meetingId}/registrants": "meeting:read:list_registrants:admin",
    "/v2/meetings/{meetingId}/registrants/questions": "meeting:read:list_registration_questions:admin",
    "/v2/meetings/{meetingId}/polls": "meeting:read:list_polls:admin",
    "/v2/past_meetings/{meetingId}/instances": "meeting:read:list_past_instances:admin",
    "/v2/past_meetings/{meetingId}/polls": "meeting:read:list_poll_results:admin",
    "/v2/past_meetings/{meetingId}/files": "meeting:read:list_past_files:admin",
    "/v2/report/users/{userId}/meetings": "report:read:user:admin",
    "/v2/report/meetings/{meetingId}": "report:read:meeting:admin",
    "/v2/report/meetings/{meetingId}/participants": "report:read:list_meeting_participants:admin",
    "/v2/report/history_meetings": "report:read:list_history_meetings:admin",
    "/v2/users/{userId}/webinars": "webinar:read:list_webinars:admin",
    "/v2/webinars/{webinarId}": "webinar:read:webinar:admin",
    "/v2/webinars/{webinarId}/panelists": "webinar:read:list_panelists:admin",
    "/v2/webinars/{webinarId}/registrants": "webinar:read:list_registrants:admin",
    "/v2/webinars/{webinarId}/registrants/questions": "webinar:read:list_registration_questions:admin",
    "/v2/webinars/{webinarId}/tracking_sources": "webinar:read:list_tracking_sources:admin",
    "/v2/webinars/{webinarId}/polls": "webinar:read:list_polls:admin",
    "/v2/past_webinars/{webinarId}/instances": "webinar:read:list_past_instances:admin",
    "/v2/past_webinars/{webinarId}/absentees": "webinar:read:list_absentees:admin",
    "/v2/past_webinars/{webinarId}/polls": "webinar:read:list_past_polls:admin",
    "/v2/past_webinars/{webinarId}/qa": "webinar:read:list_past_qa:admin",
    "/v2/past_webinars/{webinarId}/files": "webinar:read:list_past_files:admin",
    "/v2/report/webinars/{webinarId}": "report:read:webinar:admin",
    "/v2/report/webinars/{webinarId}/participants": "report:read:list_webinar_participants:admin",
    "/v2/users/{userId}/recordings": "cloud_recording:read:list_user_recordings:admin",
    "/v2/meetings/meeting_summaries": "meeting:read:list_summaries:admin",
    "/v2/meetings/{meetingId}/meeting_summary": "meeting:read:summary:admin",
    "/v2/report/meetings/{meetingId}/qa": "report:read:meeting_qa:admin",
    "/v2/report/activities": "report:read:user_activities:admin",
    "/v2/report/operationlogs": "report:read:operation_logs:admin",
    "/v2/phone/users": "phone:read:list_users:admin",
    "/v2/phone/sites": "phone:read:list_sites:admin",
    "/v2/phone/numbers": "phone:read:list_numbers:admin",
    "/v2/phone/call_queues": "phone:read:list_call_queues:admin",
    "/v2/phone/call_history": "phone:read:list_call_logs:admin",
    "/v2/phone/call_history/{callLogId}": "phone:read:call_log:admin",
    "/v2/phone/recordings": "phone:read:list_call_recordings:admin",
    "/v2/phone/voice_mails": "phone:read:list_voicemails:admin",
    "/v2/phone/sms/sessions": "phone:read:list_sms_sessions:admin",
}


def scope_of(route_template: str) -> str:
    return SCOPE_BY_ROUTE[route_template]


def missing_scope_message(scope: str) -> str:
    return f"Invalid access token, does not contain scopes:[{scope}]"
