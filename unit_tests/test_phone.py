"""The Zoom Phone tables on a mocked account: the previous shape of the call history lands in the
same columns as today's; a call still in progress is left out, its path not asked, and the state
stops at its start; an account without Zoom Phone ends the nine tables empty with one warning."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from source_zoom.source import SourceZoom
from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, paths_requested, read_tables, records_of

PHONE_TABLES = ["phone_users", "phone_sites", "phone_numbers", "phone_call_queues", "phone_call_history",
                "phone_call_elements", "phone_recordings", "phone_voicemails", "phone_sms_sessions"]
EARLIER = (datetime.now(timezone.utc) - timedelta(days=3)).replace(microsecond=0)
LATER = EARLIER + timedelta(hours=1)


def at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_given_the_previous_shape_when_reading_calls_then_they_land_in_the_same_columns_as_today_s(zoom_api):
    zoom_api.get(re.compile(rf"{re.escape(API)}/phone/call_history\?.*"), json={"call_logs": [
        {"id": "log-1", "call_id": "7001", "start_time": at(EARLIER), "end_time": at(LATER)}], "next_page_token": ""})
    zoom_api.get(f"{API}/phone/call_history/log-1", json={"id": "log-1", "call_path": [
        {"id": "path-1", "event": "incoming", "start_time": at(EARLIER)}]})

    output = read_tables(config_with(JWT_CREDENTIALS), ["phone_call_history", "phone_call_elements"])

    (call,) = records_of(output, "phone_call_history")
    (element,) = records_of(output, "phone_call_elements")
    assert (call["id"], call["call_history_uuid"], call["call_id"]) == ("log-1", "log-1", "7001")
    assert (element["call_element_id"], element["id"], element["call_history_id"]) == ("path-1", "path-1", "log-1")
    assert not [path for path in paths_requested(zoom_api) if "call_logs" in path]


def test_given_a_call_in_progress_when_reading_incrementally_then_it_is_left_out_and_the_state_stops_at_its_start(zoom_api):
    zoom_api.get(re.compile(rf"{re.escape(API)}/phone/call_history\?.*"), json={"call_history": [
        {"call_history_uuid": "ended", "start_time": at(EARLIER), "end_time": at(EARLIER + timedelta(minutes=5))},
        {"call_history_uuid": "going-on", "start_time": at(LATER)},
    ], "next_page_token": ""})
    zoom_api.get(f"{API}/phone/call_history/ended", json={"call_history_uuid": "ended", "call_elements": [{"call_element_id": "e-1"}]})
    config = config_with(JWT_CREDENTIALS)
    catalog = CatalogBuilder().with_stream("phone_call_history", SyncMode.incremental).with_stream("phone_call_elements", SyncMode.incremental).build()

    output = read(SourceZoom(config), dict(config), catalog)

    assert [r["id"] for r in records_of(output, "phone_call_history")] == ["ended"]
    assert "/phone/call_history/going-on" not in paths_requested(zoom_api)
    for table in ("phone_call_history", "phone_call_elements"):
        states = [s.state.stream.stream_state.__dict__ for s in output.state_messages if s.state.stream.stream_descriptor.name == table]
        assert states and states[-1]["start_time"] == at(LATER), (table, states)


def test_given_an_account_without_zoom_phone_then_the_nine_tables_end_empty_with_one_warning(zoom_api):
    zoom_api.get(re.compile(rf"{re.escape(API)}/phone/.*"), status_code=403,
                 json={"code": 2031, "message": "Zoom Phone has not been enabled for this account."})

    # A start_date within the six months Zoom lists calls for (an earlier one adds one line saying so).
    output = read_tables(config_with(JWT_CREDENTIALS, start_date=at(EARLIER - timedelta(days=30))), PHONE_TABLES)

    assert not output.errors and not output.records
    warnings = [m.log.message for m in output.logs if m.log.level.value == "WARN"]
    assert len([w for w in warnings if "phone" in w.lower()]) == 1, warnings
    assert "Zoom Phone is not set up on this account" in " ".join(warnings)
