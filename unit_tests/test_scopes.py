"""The scopes each endpoint needs: the endpoints' declarations agree with the fake's map, written
apart from them from Zoom's granular-scope list, and every API endpoint the connector calls has them."""

from __future__ import annotations

from fake_zoom.scopes import SCOPE_BY_ROUTE
from source_zoom.declarations import FILES_GONE_ERRORS
from source_zoom.scopes import missing_for, scope_warning
from source_zoom.streams import ENDPOINTS, TABLES
from source_zoom.streams.meetings import ReportMeetings
from source_zoom.streams.webinar_instances import WebinarQnaResults

API_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if endpoint.category is not None]


def test_given_every_endpoint_the_connector_calls_then_its_scopes_are_known():
    # Only the endpoints Zoom removed name no scope (Zoom's granular-scope page has none for them).
    removed = [endpoint.zoom_name for endpoint in API_ENDPOINTS if endpoint.errors is FILES_GONE_ERRORS]
    assert [endpoint.zoom_name for endpoint in API_ENDPOINTS if endpoint.scopes is None] == removed
    assert removed == ["/past_meetings/{meetingId}/files", "/past_webinars/{webinarId}/files"]
    assert {endpoint.scopes for endpoint in ENDPOINTS if endpoint.category is None} == {None}  # a file download needs none of its own


def test_given_the_fakes_scope_map_then_the_granular_names_agree():
    fake = {route.removeprefix("/v2"): scope for route, scope in SCOPE_BY_ROUTE.items()}
    ours = {endpoint.zoom_name: endpoint.scopes.granular if endpoint.scopes else None for endpoint in API_ENDPOINTS}
    assert {e: s for e, s in ours.items() if e in fake} == {e: s for e, s in fake.items() if e in ours}
    assert set(ours) <= set(fake)  # the names match: every endpoint is compared


def test_given_classic_scopes_then_no_table_lacks_anything():
    classic = {"user:read:admin", "meeting:read:admin", "webinar:read:admin", "report:read:admin", "recording:read:admin",
               "group:read:admin", "role:read:admin", "phone:read:admin"}
    assert {table.stream_name(): missing_for(table, classic) for table in TABLES if missing_for(table, classic)} == {}


def test_given_a_webinar_qna_table_then_it_needs_the_listing_scopes_it_reads_through():
    granted = {"user:read:list_users:admin", "webinar:read:list_webinars:admin", "webinar:read:webinar:admin", "webinar:read:list_past_instances:admin"}
    # Q&A itself, and the history report that names deleted webinars' instances.
    assert sorted(missing_for(WebinarQnaResults, granted)) == ["report:read:list_history_meetings:admin", "webinar:read:past_qa:admin"]


# Every granular scope report_meetings' own read needs (users, its listing, the instance report).
REPORT_MEETINGS_OWN = {"user:read:list_users:admin", "report:read:user:admin", "report:read:meeting:admin"}


def test_given_report_meetings_then_its_instance_report_is_one_of_its_own_scopes():
    # A row the history listing lacks is filled from the instance's report: without that scope the table ends unavailable.
    assert sorted(missing_for(ReportMeetings, REPORT_MEETINGS_OWN - {"report:read:meeting:admin"})) == ["report:read:meeting:admin"]
    assert missing_for(ReportMeetings, REPORT_MEETINGS_OWN) == []


def test_given_an_app_without_the_history_scope_when_checked_then_report_meetings_is_said_to_cost_a_request_a_row():
    said = scope_warning([ReportMeetings], REPORT_MEETINGS_OWN)
    assert said == (
        "Connected, but report_meetings fills dept and tracking_fields from a listing the app has no scope for "
        "(report:read:list_history_meetings:admin): each of its rows then costs one more Heavy request "
        "(/report/meetings/{meetingId}); add report:read:list_history_meetings:admin to spare them."
    )
    assert scope_warning([ReportMeetings], REPORT_MEETINGS_OWN | {"report:read:list_history_meetings:admin"}) is None
    assert scope_warning([ReportMeetings], {"user:read:admin", "report:read:admin"}) is None  # classic
