"""Every scope the connector names is the one Zoom documents for the endpoint: a user told "add X
to the Zoom app's scopes" adds exactly X, so X must be a name Zoom's app settings offer.

The rows below are facts copied from Zoom's own pages, never computed from the connector:

- granular: Zoom's "Granular OAuth Scopes" page, https://developers.zoom.us/docs/integrations/oauth-scopes-granular/
  (a table per product and section: "API Endpoint | Granular Scopes"). Each row names the
  operation as the page does. Where the page lists a user-level and an account-level scope (e.g.
  "List meeting polls": `meeting:read:list_polls`, `meeting:read:list_polls:admin`), the row keeps
  the `:admin` one: an admin-level Server-to-Server app reads the whole account with it, which is
  what the connector does.
- classic: Zoom's Meeting API description, each operation's `security` `openapi_oauth` list
  (../shared/zoom-openapi/ZoomMeetingAPISpec.2023-10.json; the 2023-07 file for the two files
  endpoints it still has), and the Phone API description (ZoomPhoneAPISpec.json, each operation's
  `openapi_oauth` list and its description's "Scopes:" line). None where neither names one.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

from fake_zoom.scopes import SCOPE_BY_ROUTE
from source_zoom.login import USERS_LISTING_SCOPES
from source_zoom.streams import ENDPOINTS

GRANULAR_PAGE = "https://developers.zoom.us/docs/integrations/oauth-scopes-granular/"

# Zoom's path -> (the operation as Zoom's granular page names it, its granular scope there, its
# classic scope in Zoom's OpenAPI description or None where the stored descriptions lack the path).
DOCUMENTED: Dict[str, Tuple[str, str, Optional[str]]] = {
    # Zoom User > Users / Groups
    "/users": ("List users", "user:read:list_users:admin", "user:read:admin"),
    "/groups": ("List groups", "group:read:list_groups:admin", "group:read:admin"),
    "/groups/{groupId}/members": ("List group members", "group:read:list_members:admin", "group:read:admin"),
    # Zoom Account > Roles
    "/roles": ("List roles", "role:read:list_roles:admin", "role:read:admin"),
    "/roles/{roleId}/members": ("List members in a role", "role:read:list_members:admin", "role:read:admin"),
    # Zoom Meeting > Meetings, Invitation & Registration, Polls
    "/users/{userId}/meetings": ("List meetings", "meeting:read:list_meetings:admin", "meeting:read:admin"),
    "/meetings/{meetingId}": ("Get a meeting", "meeting:read:meeting:admin", "meeting:read:admin"),
    "/meetings/{meetingId}/registrants": ("List meeting registrants", "meeting:read:list_registrants:admin", "meeting:read:admin"),
    "/meetings/{meetingId}/registrants/questions": ("List registration questions", "meeting:read:list_registration_questions:admin", "meeting:read:admin"),
    "/meetings/{meetingId}/polls": ("List meeting polls", "meeting:read:list_polls:admin", "meeting:read:admin"),
    "/past_meetings/{meetingId}/instances": ("List past meeting instances", "meeting:read:list_past_instances:admin", "meeting:read:admin"),
    "/past_meetings/{meetingId}/polls": ("List past meeting's poll results", "meeting:read:list_poll_results:admin", "meeting:read:admin"),
    # Zoom Meeting > Webinars
    "/users/{userId}/webinars": ("List webinars", "webinar:read:list_webinars:admin", "webinar:read:admin"),
    "/webinars/{webinarId}": ("Get a webinar", "webinar:read:webinar:admin", "webinar:read:admin"),
    "/webinars/{webinarId}/panelists": ("List panelists", "webinar:read:list_panelists:admin", "webinar:read:admin"),
    "/webinars/{webinarId}/registrants": ("List webinar registrants", "webinar:read:list_registrants:admin", "webinar:read:admin"),
    "/webinars/{webinarId}/registrants/questions": ("List registration questions", "webinar:read:list_registration_questions:admin", "webinar:read:admin"),
    "/webinars/{webinarId}/tracking_sources": ("Get webinar tracking sources", "webinar:read:list_tracking_sources:admin", "webinar:read:admin"),
    "/webinars/{webinarId}/polls": ("List a webinar's polls", "webinar:read:list_polls:admin", "webinar:read:admin"),
    "/past_webinars/{webinarId}/instances": ("List past webinar instances", "webinar:read:list_past_instances:admin", "webinar:read:admin"),
    "/past_webinars/{webinarId}/absentees": ("Get webinar absentees", "webinar:read:list_absentees:admin", "webinar:read:admin"),
    "/past_webinars/{webinarId}/polls": ("List past webinar poll results", "webinar:read:list_past_polls:admin", "webinar:read:admin"),
    "/past_webinars/{webinarId}/qa": ("List Q&As of a past webinar", "webinar:read:past_qa:admin", "webinar:read:admin"),
    # Zoom Meeting > Reports
    "/report/users/{userId}/meetings": ("Get meeting reports", "report:read:user:admin", "report:read:admin"),
    "/report/meetings/{meetingId}": ("Get meeting detail reports", "report:read:meeting:admin", "report:read:admin"),
    "/report/meetings/{meetingId}/participants": ("Get meeting participant reports", "report:read:list_meeting_participants:admin", "report:read:admin"),
    "/report/meetings/{meetingId}/qa": ("Get meeting Q&A report", "report:read:meeting_qna:admin", "report:read:admin"),
    "/report/meetings/{meetingId}/survey": ("Get meeting survey report", "report:read:meeting_survey:admin", None),
    "/report/webinars/{webinarId}": ("Get webinar detail reports", "report:read:webinar:admin", "report:read:admin"),
    "/report/webinars/{webinarId}/participants": ("Get webinar participant reports", "report:read:list_webinar_participants:admin", "report:read:admin"),
    "/report/webinars/{webinarId}/survey": ("Get webinar survey report", "report:read:webinar_survey:admin", None),
    "/report/history_meetings": ("Get history meeting and webinar list", "report:read:list_history_meetings:admin", None),
    "/report/activities": ("Get sign In / sign out activity report", "report:read:user_activities:admin", "report:read:admin"),
    "/report/operationlogs": ("Get operation logs report", "report:read:operation_logs:admin", "report:read:admin"),
    # Zoom Meeting > Cloud Recording, Summaries
    "/users/{userId}/recordings": ("List all recordings", "cloud_recording:read:list_user_recordings:admin", "recording:read:admin"),
    "/meetings/meeting_summaries": ("List an account's meeting or webinar summaries", "meeting:read:list_summaries:admin", None),
    "/meetings/{meetingId}/meeting_summary": ("Get a meeting or webinar summary", "meeting:read:summary:admin", None),
    # Zoom Phone > Users, Sites, Phone Numbers, Call Queues, Call Logs, Recordings, Voicemails, SMS
    "/phone/users": ("List phone users", "phone:read:list_users:admin", "phone:read:admin"),
    "/phone/sites": ("List phone sites", "phone:read:list_sites:admin", "phone:read:admin"),
    "/phone/numbers": ("List phone numbers", "phone:read:list_numbers:admin", "phone:read:admin"),
    "/phone/call_queues": ("List call queues", "phone:read:list_call_queues:admin", "phone:read:admin"),
    "/phone/call_history": ("Get account's call history", "phone:read:list_call_logs:admin", "phone:read:admin"),
    "/phone/call_history/{callLogId}": ("Get call history", "phone:read:call_log:admin", "phone:read:admin"),
    "/phone/recordings": ("Get call recordings", "phone:read:list_call_recordings:admin", "phone:read:admin"),
    "/phone/voice_mails": ("Get account voicemails", "phone:read:list_voicemails:admin", "phone:read:admin"),
    "/phone/sms/sessions": ("Get account's SMS sessions", "phone:read:list_sms_sessions:admin", "phone:read:admin"),
}

# Endpoints Zoom's granular page does not list (read in full: its Zoom Meeting > Reports section
# has no usage reports). Their classic scope is in Zoom's Meeting API description; the granular
# name is what other public sources use, not Zoom's page: kept, and said so in docs/contract.md.
NOT_ON_THE_PAGE: Dict[str, Tuple[str, str, str]] = {
    "/report/daily": ("Get daily usage report", "report:read:daily_usage:admin", "report:read:admin"),
    "/report/cloud_recording": ("Get cloud recording usage report", "report:read:cloud_recording:admin", "report:read:admin"),
}

# Endpoints Zoom removed in 2024: the granular page names no scope for them, so the connector
# names none (its tables end empty with one warning; `check` advises nothing for them).
REMOVED_BY_ZOOM = {"/past_meetings/{meetingId}/files", "/past_webinars/{webinarId}/files"}

API_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if endpoint.category is not None]


def expected_scopes(zoom_name: str) -> Tuple[Optional[str], Optional[str]]:
    """(granular, classic) as Zoom's pages give them for the endpoint."""
    if zoom_name in REMOVED_BY_ZOOM:
        return None, None
    _, granular, classic = DOCUMENTED.get(zoom_name) or NOT_ON_THE_PAGE[zoom_name]
    return granular, classic


def test_given_every_endpoint_the_connector_declares_then_zoom_documents_its_scopes():
    without_row = [e.zoom_name for e in API_ENDPOINTS if e.zoom_name not in {**DOCUMENTED, **NOT_ON_THE_PAGE} and e.zoom_name not in REMOVED_BY_ZOOM]
    assert without_row == [], f"add Zoom's documented scope for {without_row} (from {GRANULAR_PAGE}) to DOCUMENTED"


def test_given_each_declared_endpoint_then_its_granular_scope_is_zoom_s():
    declared = {e.zoom_name: e.scopes.granular if e.scopes else None for e in API_ENDPOINTS}
    documented = {name: expected_scopes(name)[0] for name in declared}
    assert {name: scope for name, scope in declared.items() if scope != documented[name]} == {}


def test_given_each_declared_endpoint_then_its_classic_scope_is_zoom_s_where_zoom_s_description_names_one():
    declared = {e.zoom_name: e.scopes.classic if e.scopes else None for e in API_ENDPOINTS}
    documented = {name: expected_scopes(name)[1] for name in declared}
    named = {name for name, scope in documented.items() if scope is not None}
    assert {name: declared[name] for name in named if declared[name] != documented[name]} == {}
    # Classic names no stored description of Zoom's gives (paths added after them): docs/contract.md says so.
    assert sorted(set(declared) - named - REMOVED_BY_ZOOM) == [
        "/meetings/meeting_summaries", "/meetings/{meetingId}/meeting_summary", "/report/history_meetings",
        "/report/meetings/{meetingId}/survey", "/report/webinars/{webinarId}/survey",
    ]


def test_given_the_login_check_then_it_names_zoom_s_scopes_for_listing_users():
    _, granular, classic = DOCUMENTED["/users"]
    assert USERS_LISTING_SCOPES == (granular, classic)


def test_given_the_fake_zoom_api_then_each_route_needs_zoom_s_granular_scope():
    fake = {route.removeprefix("/v2"): scope for route, scope in SCOPE_BY_ROUTE.items()}
    # The fake names paths by Zoom's placeholders too; a route the connector does not call
    # (GET /users/{userId}) is checked against the page all the same.
    fake_only = {"/users/{userId}": ("Get a user", "user:read:user:admin", "user:read:admin")}
    documented = {name: row[1] for name, row in {**DOCUMENTED, **NOT_ON_THE_PAGE, **fake_only}.items()}
    documented.update({name: None for name in REMOVED_BY_ZOOM})
    assert {route: scope for route, scope in fake.items() if documented.get(route, "no row") != scope} == {}
