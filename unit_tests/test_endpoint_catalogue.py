"""One catalogue of endpoints: a made-up Zoom Phone endpoint, declared in one place (the table's
`endpoint`), and its category, API budget, scopes and error rules used everywhere: the call
budget's pacing and daily cap, the pool its requests fan out on, `check`'s scope advice, the error
handler, and the sync's closing sentence."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Mapping

import pytest
import requests

from airbyte_cdk.models import FailureType, SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom import source as source_module
from source_zoom import streams as streams_module
from source_zoom.declarations import HEAVY, MEETING, PHONE, Endpoint, Outcome, Scopes, ZoomError
from source_zoom.errors import RequestFailed
from source_zoom.paging import Paging
from source_zoom.rate_limits import build_api_budget
from source_zoom.scopes import scope_warning
from source_zoom.source import SourceZoom
from source_zoom.streams.meetings import ReportMeetings
from source_zoom.zoom_stream import ZoomStream
from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, zoom_error

NOT_SET_UP = ZoomError("Zoom Phone is not set up on this account", Outcome.STREAM_UNAVAILABLE)


class MadeUpPhoneCalls(ZoomStream):
    """GET /phone/made_up_calls: declared here and nowhere else."""

    endpoint = Endpoint(
        "phone/made_up_calls", HEAVY, Scopes("phone:read:admin", "phone:read:list_made_up_calls:admin"), api=PHONE, errors={(403, None): NOT_SET_UP}
    )
    records_key = "calls"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"

    def get_json_schema(self) -> Mapping[str, Any]:
        return {"type": "object", "properties": {"id": {"type": "string"}}}


URL = re.compile(rf"{re.escape(API)}/phone/made_up_calls(\?.*)?$")


def answered(status: int, body: Dict[str, Any], headers: Dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = __import__("json").dumps(body).encode()
    response.headers.update(headers)
    response.request = requests.Request("GET", f"{API}/phone/made_up_calls").prepare()
    return response


# --- the budget -------------------------------------------------------------------------------


@pytest.mark.parametrize("plan, per_second, daily_cap", [("pro", 5, 15_000), ("business", 10, 30_000)])
def test_given_a_phone_endpoint_when_the_budget_is_built_then_it_is_paced_by_phones_table_at_the_plan(plan, per_second, daily_cap):
    budget = build_api_budget(plan, rate_share=1.0)

    policy = budget.for_endpoint(MadeUpPhoneCalls.endpoint).get_matching_policy(None)

    assert (policy.api, policy.category, policy.per_second, policy.daily_cap) == (PHONE, HEAVY, per_second, daily_cap)
    meeting_heavy = budget.for_endpoint(ReportMeetings.endpoint).get_matching_policy(None)
    assert meeting_heavy is not policy and meeting_heavy.api == MEETING  # each API has its own pacing
    # Zoom's figures (../shared/zoom-api.md, Zoom Phone section): Light, Medium and Heavy per second.
    phone = {category: budget.policies[(PHONE, category)].per_second for category in ("Light", "Medium", "Heavy")}
    assert phone == ({"Light": 20, "Medium": 10, "Heavy": 5} if plan == "pro" else {"Light": 40, "Medium": 20, "Heavy": 10})


def test_given_phones_daily_cap_used_up_when_meeting_tables_ask_then_they_go_on_and_phone_requests_fail_at_once():
    budget = build_api_budget("pro")
    phone = budget.for_endpoint(MadeUpPhoneCalls.endpoint)
    daily = answered(429, zoom_error(429, "You have reached the maximum daily rate limit for this API."), {"X-RateLimit-Category": "Heavy", "X-RateLimit-Type": "Daily-limit"})
    phone.update_from_response(daily.request, daily)

    with pytest.raises(RequestFailed) as refused:
        phone.acquire_call(requests.Request("GET", f"{API}/phone/made_up_calls").prepare(), block=False)
    assert "Zoom's daily Phone Heavy rate limit is used up until" in refused.value.message
    assert refused.value.failure.category == "Phone Heavy" and refused.value.failure_type == FailureType.transient_error

    # The Meeting API's Heavy requests are not stopped by Phone's cap (nor the other way round).
    budget.for_endpoint(ReportMeetings.endpoint).acquire_call(requests.Request("GET", f"{API}/report/users/u1/meetings").prepare(), block=False)


def test_given_the_meeting_apis_daily_cap_used_up_when_phone_tables_ask_then_they_go_on():
    budget = build_api_budget("pro")
    meeting = budget.for_endpoint(ReportMeetings.endpoint)
    daily = answered(429, zoom_error(429, "You have reached the maximum daily rate limit for this API."), {"X-RateLimit-Category": "Heavy", "X-RateLimit-Type": "Daily-limit"})
    meeting.update_from_response(daily.request, daily)

    with pytest.raises(RequestFailed):
        meeting.acquire_call(requests.Request("GET", f"{API}/report/users/u1/meetings").prepare(), block=False)
    budget.for_endpoint(MadeUpPhoneCalls.endpoint).acquire_call(requests.Request("GET", f"{API}/phone/made_up_calls").prepare(), block=False)


# --- check's scope advice ---------------------------------------------------------------------


def test_given_an_app_without_the_endpoints_scope_when_checked_then_the_advice_names_its_declared_scope():
    lacking = scope_warning([MadeUpPhoneCalls], {"user:read:admin"})
    assert lacking is not None and "made_up_phone_calls needs phone:read:list_made_up_calls:admin" in lacking
    assert scope_warning([MadeUpPhoneCalls], {"phone:read:admin"}) is None  # its classic scope is enough
    assert scope_warning([MadeUpPhoneCalls], {"phone:read:list_made_up_calls:admin"}) is None


# --- a read through the whole source -----------------------------------------------------------


@pytest.fixture
def with_the_made_up_table(monkeypatch):
    """The made-up table registered as any table is: in the registry's list."""
    monkeypatch.setattr(streams_module, "ALL_STREAMS", (*streams_module.ALL_STREAMS, MadeUpPhoneCalls))
    monkeypatch.setattr(source_module, "TABLES", (*source_module.TABLES, MadeUpPhoneCalls))


def read_made_up(config: Mapping[str, Any]) -> tuple:
    source = SourceZoom()
    context = source.sync_context(config)
    catalog = CatalogBuilder().with_stream(MadeUpPhoneCalls.stream_name(), SyncMode.full_refresh).build()
    messages: List[Any] = []
    closing = None
    try:
        for message in source.read(logging.getLogger("airbyte"), config, catalog, None):
            messages.append(message)
    except AirbyteTracedException as error:
        closing = error
    return context, messages, closing


def test_given_the_made_up_endpoint_when_read_then_its_requests_are_paced_and_pooled_as_phone_heavy(zoom_api, with_the_made_up_table):
    zoom_api.get(URL, json={"calls": [{"id": "c1"}, {"id": "c2"}], "next_page_token": ""})
    config = config_with(JWT_CREDENTIALS)

    context, messages, closing = read_made_up(config)

    assert closing is None
    assert [m.record.data["id"] for m in messages if m.type == Type.RECORD] == ["c1", "c2"]
    assert context.api_budget.policies[(PHONE, HEAVY)]._used_today == 1  # its request went through Phone's Heavy policy
    assert context.api_budget.policies[(MEETING, HEAVY)]._used_today == 0
    (stream,) = [s for s in streams_module.build_streams(context) if isinstance(s, MadeUpPhoneCalls)]
    assert stream.category == "Phone Heavy"  # its requests fan out on Phone's Heavy pool, apart from the Meeting API's
    assert context.pool(stream.category) is not context.pool(ReportMeetings.endpoint.pool)


def test_given_zoom_answering_the_made_up_endpoints_own_error_when_read_then_its_rule_ends_the_table_unavailable(zoom_api, with_the_made_up_table, caplog):
    zoom_api.get(URL, status_code=403, json=zoom_error(403, "Zoom Phone has not been enabled for this account."))

    context, messages, closing = read_made_up(config_with(JWT_CREDENTIALS))

    assert closing is None  # the rule says "unavailable": the table ends empty with a warning, the sync goes on
    assert "made_up_phone_calls" in context.report.unavailable
    assert any(
        "made_up_phone_calls: not available on this Zoom account (Zoom Phone is not set up on this account" in record.getMessage()
        for record in caplog.records
    ), [record.getMessage() for record in caplog.records]
    assert len([r for r in zoom_api.request_history if "made_up_calls" in r.url]) == 1


def test_given_zoom_refusing_the_made_up_endpoint_when_read_then_the_closing_sentence_names_it_as_declared(zoom_api, with_the_made_up_table):
    zoom_api.get(URL, status_code=400, json=zoom_error(300, "Validation Failed."))

    _, _, closing = read_made_up(config_with(JWT_CREDENTIALS))

    assert closing is not None and closing.failure_type == FailureType.system_error
    assert "Zoom rejected GET /phone/made_up_calls as invalid (HTTP 400, code 300: Validation Failed.)" in closing.message, closing.message
