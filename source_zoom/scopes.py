"""The Zoom scopes each endpoint needs, classic and granular, in one place.

Apps made before 2024 carry classic scopes (`meeting:read:admin`); apps made since carry granular
ones only (`meeting:read:list_meetings:admin`). A call without its scope is answered code 4700
(classic) or 4711/104 (granular) naming the scope; the table ends unavailable, the sync goes on.
`check` compares the scopes of the app's token with this table and names what is missing.
"""

from __future__ import annotations

from typing import Iterable, List, Mapping, NamedTuple, Optional

from source_zoom.paths import endpoint_shape


class Scopes(NamedTuple):
    classic: str
    granular: str


# Endpoint template (as in rate_limits.ENDPOINT_CATEGORIES) -> the scopes that let an app call it.
ENDPOINT_SCOPES: Mapping[str, Scopes] = {
    "users": Scopes("user:read:admin", "user:read:list_users:admin"),
    "users/{userId}": Scopes("user:read:admin", "user:read:user:admin"),
    "users/{userId}/meetings": Scopes("meeting:read:admin", "meeting:read:list_meetings:admin"),
    "users/{userId}/webinars": Scopes("webinar:read:admin", "webinar:read:list_webinars:admin"),
    "users/{userId}/recordings": Scopes("recording:read:admin", "cloud_recording:read:list_user_recordings:admin"),
    "meetings/{meetingId}": Scopes("meeting:read:admin", "meeting:read:meeting:admin"),
    "meetings/{meetingId}/registrants": Scopes("meeting:read:admin", "meeting:read:list_registrants:admin"),
    "meetings/{meetingId}/registrants/questions": Scopes("meeting:read:admin", "meeting:read:list_registration_questions:admin"),
    "meetings/{meetingId}/polls": Scopes("meeting:read:admin", "meeting:read:list_polls:admin"),
    "past_meetings/{meetingId}/instances": Scopes("meeting:read:admin", "meeting:read:list_past_instances:admin"),
    "past_meetings/{meetingId}/polls": Scopes("meeting:read:admin", "meeting:read:list_poll_results:admin"),
    "past_meetings/{meetingId}/files": Scopes("meeting:read:admin", "meeting:read:list_past_files:admin"),
    "report/users/{userId}/meetings": Scopes("report:read:admin", "report:read:user:admin"),
    "report/meetings/{meetingId}": Scopes("report:read:admin", "report:read:meeting:admin"),
    "report/meetings/{meetingId}/participants": Scopes("report:read:admin", "report:read:list_meeting_participants:admin"),
    "report/history_meetings": Scopes("report:read:admin", "report:read:list_history_meetings:admin"),
    "webinars/{webinarId}": Scopes("webinar:read:admin", "webinar:read:webinar:admin"),
    "webinars/{webinarId}/panelists": Scopes("webinar:read:admin", "webinar:read:list_panelists:admin"),
    "webinars/{webinarId}/registrants": Scopes("webinar:read:admin", "webinar:read:list_registrants:admin"),
    "webinars/{webinarId}/registrants/questions": Scopes("webinar:read:admin", "webinar:read:list_registration_questions:admin"),
    "webinars/{webinarId}/tracking_sources": Scopes("webinar:read:admin", "webinar:read:list_tracking_sources:admin"),
    "webinars/{webinarId}/polls": Scopes("webinar:read:admin", "webinar:read:list_polls:admin"),
    "past_webinars/{webinarId}/instances": Scopes("webinar:read:admin", "webinar:read:list_past_instances:admin"),
    "past_webinars/{webinarId}/absentees": Scopes("webinar:read:admin", "webinar:read:list_absentees:admin"),
    "past_webinars/{webinarId}/polls": Scopes("webinar:read:admin", "webinar:read:list_past_polls:admin"),
    "past_webinars/{webinarId}/qa": Scopes("webinar:read:admin", "webinar:read:list_past_qa:admin"),
    "past_webinars/{webinarId}/files": Scopes("webinar:read:admin", "webinar:read:list_past_files:admin"),
    "report/webinars/{webinarId}": Scopes("report:read:admin", "report:read:webinar:admin"),
    "report/webinars/{webinarId}/participants": Scopes("report:read:admin", "report:read:list_webinar_participants:admin"),
    "meetings/meeting_summaries": Scopes("meeting:read:admin", "meeting:read:list_summaries:admin"),
    "meetings/{meetingId}/meeting_summary": Scopes("meeting:read:admin", "meeting:read:summary:admin"),
    # Granular name not confirmed by Zoom's reference here (it follows report:read:<resource>:admin).
    "report/meetings/{meetingId}/qa": Scopes("report:read:admin", "report:read:meeting_qa:admin"),
    "report/activities": Scopes("report:read:admin", "report:read:user_activities:admin"),
    "report/operationlogs": Scopes("report:read:admin", "report:read:operation_logs:admin"),
    # Zoom Phone: one classic scope for every listing, a granular one each (Zoom's Phone API reference).
    "phone/users": Scopes("phone:read:admin", "phone:read:list_users:admin"),
    "phone/sites": Scopes("phone:read:admin", "phone:read:list_sites:admin"),
    "phone/numbers": Scopes("phone:read:admin", "phone:read:list_numbers:admin"),
    "phone/call_queues": Scopes("phone:read:admin", "phone:read:list_call_queues:admin"),
    "phone/call_history": Scopes("phone:read:admin", "phone:read:list_call_logs:admin"),
    "phone/call_history/{callLogId}": Scopes("phone:read:admin", "phone:read:call_log:admin"),
    "phone/recordings": Scopes("phone:read:admin", "phone:read:list_call_recordings:admin"),
    "phone/voice_mails": Scopes("phone:read:admin", "phone:read:list_voicemails:admin"),
    "phone/sms/sessions": Scopes("phone:read:admin", "phone:read:list_sms_sessions:admin"),
}


def endpoints_of(stream_class: type) -> List[str]:
    """Every endpoint a table's read calls: its own and those of what it reads through."""
    found: List[str] = []
    pending = [stream_class]
    while pending:
        current = pending.pop()
        if current.path_template not in found:
            found.append(current.path_template)
        pending += [current.parent] if current.parent else []
        pending += [join.stream for join in current.joins]
    return found


def scopes_for(template: str) -> Optional[Scopes]:
    shape = endpoint_shape(template)
    return next((scopes for endpoint, scopes in ENDPOINT_SCOPES.items() if endpoint_shape(endpoint) == shape), None)


def missing_for(stream_class: type, granted: Iterable[str]) -> List[str]:
    """The scopes (granular names) the app lacks for a table; empty when its classic or granular
    scopes are all there."""
    granted = set(granted)
    missing: List[str] = []
    for template in endpoints_of(stream_class):
        scopes = scopes_for(template)
        if scopes is not None and scopes.classic not in granted and scopes.granular not in granted:
            missing.append(scopes.granular)
    return missing


def scope_warning(tables: Iterable[type], granted: Optional[Iterable[str]]) -> Optional[str]:
    """What `check` says when Zoom names the token's scopes and some tables lack theirs (they
    will end unavailable); None when it does not say, or nothing is missing."""
    if not granted:
        return None
    granted = set(granted)
    lacking = {table.stream_name(): sorted(set(missing_for(table, granted))) for table in tables}
    lacking = {table: scopes for table, scopes in lacking.items() if scopes}
    if not lacking:
        return None
    return (
        "Connected, but the Zoom app lacks scopes for some tables, which will end empty with a warning until the "
        "scopes are added: " + "; ".join(f"{table} needs {', '.join(scopes)}" for table, scopes in sorted(lacking.items())) + "."
    )
