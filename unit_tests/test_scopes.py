"""The scopes each endpoint needs: the connector's table agrees with the fake's, written apart from
it from Zoom's granular-scope list, and covers every endpoint the connector calls."""

from __future__ import annotations

from fake_zoom.scopes import SCOPE_BY_ROUTE
from source_zoom.rate_limits import ENDPOINT_CATEGORIES
from source_zoom.scopes import ENDPOINT_SCOPES, missing_for
from source_zoom.streams import TABLES
from source_zoom.streams.webinar_instances import WebinarQnaResults
from source_zoom.paths import endpoint_shape


def test_given_every_endpoint_the_connector_calls_then_its_scopes_are_known():
    assert {endpoint_shape(e) for e in ENDPOINT_CATEGORIES} == {endpoint_shape(e) for e in ENDPOINT_SCOPES}


def test_given_the_fakes_scope_map_then_the_granular_names_agree():
    fake = {endpoint_shape(route.removeprefix("/v2/")): scope for route, scope in SCOPE_BY_ROUTE.items()}
    ours = {endpoint_shape(endpoint): scopes.granular for endpoint, scopes in ENDPOINT_SCOPES.items()}
    assert {e: s for e, s in ours.items() if e in fake} == {e: s for e, s in fake.items() if e in ours}


def test_given_classic_scopes_then_no_table_lacks_anything():
    classic = {"user:read:admin", "meeting:read:admin", "webinar:read:admin", "report:read:admin", "recording:read:admin", "phone:read:admin"}
    assert {table.stream_name(): missing_for(table, classic) for table in TABLES if missing_for(table, classic)} == {}


def test_given_a_webinar_qna_table_then_it_needs_the_listing_scopes_it_reads_through():
    granted = {"user:read:list_users:admin", "webinar:read:list_webinars:admin", "webinar:read:webinar:admin", "webinar:read:list_past_instances:admin"}
    # Q&A itself, and the history report that names deleted webinars' instances.
    assert sorted(missing_for(WebinarQnaResults, granted)) == ["report:read:list_history_meetings:admin", "webinar:read:list_past_qa:admin"]
