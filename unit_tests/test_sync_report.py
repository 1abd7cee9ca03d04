"""What a sync skipped, could not read and ended short of arrives as data: ANALYTICS trace messages
whose values decode back into the connector's dataclasses (source_zoom/sync_report.py), while the
lines a person reads stay as they were and the closing error stays the last message."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Dict, List

from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, FailureType, TraceType, Type

from source_zoom.declarations import HEAVY, PHONE, Endpoint, Scopes
from source_zoom.errors import Fault, RequestFailure, TableFailure
from source_zoom.sync_report import (
    INCOMPLETE_TABLE,
    SKIPPED_RESOURCES,
    UNAVAILABLE_TABLE,
    ReportedSync,
    SkippedClass,
    UnavailableTable,
    as_data,
    report_messages,
    reported_sync,
)
from unit_tests.conftest import API, JWT_CREDENTIALS, LOGIN_CHECK_URL, config_with, log_lines, read_tables, zoom_error

USERS = {"users": [{"id": "u1"}, {"id": "u2"}], "next_page_token": ""}
SCOPE_MISSING = "Invalid access token, does not contain scopes:[recording:read:admin]."


def on_the_wire(messages: List[AirbyteMessage]) -> List[Dict[str, Any]]:
    """The messages as another process reads them: one JSON object per line of stdout."""
    return [json.loads(json.dumps(AirbyteMessageSerializer.dump(message))) for message in messages]


def analytics(messages: List[AirbyteMessage]) -> List[AirbyteMessage]:
    return [m for m in messages if m.type == Type.TRACE and m.trace.type == TraceType.ANALYTICS]


def test_given_a_skipped_user_and_a_missing_scope_when_read_then_both_arrive_as_typed_messages(zoom_api):
    zoom_api.get(f"{API}/users", json=USERS)
    zoom_api.get(f"{API}/users/u1/webinars", status_code=400, json=zoom_error(200, "Webinar plan is missing."))
    zoom_api.get(f"{API}/users/u2/webinars", json={"webinars": [{"id": 5}], "page_number": 1, "page_count": 1})
    zoom_api.get(f"{API}/webinars/5", json={"id": 5, "uuid": "w5"})
    zoom_api.get(re.compile(rf"{re.escape(API)}/users/u\d/recordings\?.*"), status_code=400, json=zoom_error(4700, SCOPE_MISSING))

    output = read_tables(config_with(JWT_CREDENTIALS), ["webinars", "cloud_recordings", "users"])
    reported = reported_sync(on_the_wire(output.analytics_messages))

    assert SkippedClass("user_webinars", 400, 200, "no permission, or the plan / webinar add-on is missing", count=1) in reported.skipped
    assert SkippedClass("cloud_recordings", 400, 4700, "the app lacks a scope this table needs", count=1) in reported.skipped
    assert reported.unavailable == (
        UnavailableTable("cloud_recordings", 400, 4700, "the app lacks a scope this table needs", SCOPE_MISSING, ("recording:read:admin",), None),
    )
    assert reported.incomplete == ()
    assert {m.trace.analytics.type for m in output.analytics_messages} == {SKIPPED_RESOURCES, UNAVAILABLE_TABLE}
    # The lines a person reads are made from the same values, word for word as before.
    (summary,) = [line for line in log_lines(output) if line.startswith("Sync summary")]
    assert "skipped resources: cloud_recordings 1 (code 4700), user_webinars 1 (code 200); unavailable tables: cloud_recordings: Zoom code 4700: " + SCOPE_MISSING in summary
    assert summary.endswith(" To read them, add recording:read:admin to the Zoom app's scopes; the next sync then reads their whole history.")
    # ... and stay the last thing read: the typed messages come before the summary.
    ordered = output.get_message_by_types([Type.LOG, Type.TRACE])
    assert ordered[-1].type == Type.LOG and ordered[-1].log.message == summary


def test_given_a_product_the_account_has_not_when_read_then_its_tables_arrive_unavailable_for_that_product(zoom_api):
    zoom_api.get(re.compile(rf"{re.escape(API)}/phone/users(\?.*)?$"), status_code=403, json=zoom_error(2031, "Zoom Phone has not been enabled for this account."))

    output = read_tables(config_with(JWT_CREDENTIALS), ["phone_users"])
    (unavailable,) = reported_sync(on_the_wire(output.analytics_messages)).unavailable

    assert (unavailable.table, unavailable.status, unavailable.code, unavailable.product, unavailable.scopes) == ("phone_users", 403, 2031, "Zoom Phone", ())
    assert unavailable.said == "Zoom Phone has not been enabled for this account."
    assert unavailable.meaning.startswith("Zoom Phone is not set up on this account")


def test_given_a_table_that_fails_when_read_then_its_failure_arrives_as_data_and_the_closing_error_stays_last(zoom_api):
    zoom_api.get(f"{API}/users", status_code=400, json=zoom_error(300, "Validation Failed."))
    zoom_api.get(LOGIN_CHECK_URL, json={"users": []})  # the login check passed: the table's own requests fail

    output = read_tables(config_with(JWT_CREDENTIALS), ["users"], expecting_exception=True)
    wire = on_the_wire(output.analytics_messages)
    (failure,) = reported_sync(wire).incomplete

    assert (failure.table, failure.failure_type, failure.names_own) == ("users", FailureType.system_error, True)
    cause = failure.cause
    assert (cause.fault, cause.status, cause.code, cause.said) == (Fault.REFUSED, 400, 300, "Validation Failed.")
    assert (cause.resource, cause.endpoint.zoom_name, cause.endpoint.category) == ("/users", "/users", "Medium")
    (value,) = [json.loads(m["trace"]["analytics"]["value"]) for m in wire if m["trace"]["analytics"]["type"] == INCOMPLETE_TABLE]
    assert value["cause"]["what_to_do"] == "Zoom refused the request, and no retry changes that: report it"
    assert value["cause"]["endpoint_name"] == "/users" and value["cause"]["failure_type"] == "system_error"
    # The closing error is the last message; every typed message came before it.
    ordered = output.get_message_by_types([Type.LOG, Type.TRACE])
    assert ordered[-1].type == Type.TRACE and ordered[-1].trace.type == TraceType.ERROR
    assert "users" in ordered[-1].trace.error.message and ordered[-1].trace.error.stream_descriptor is None
    assert ordered.index(output.analytics_messages[-1]) < len(ordered) - 1


def test_given_every_kind_of_value_when_sent_and_decoded_then_each_comes_back_as_it_was():
    endpoint = Endpoint("phone/call_history", HEAVY, Scopes("phone:read:admin", "phone:read:list_call_logs:admin"), api=PHONE)
    cap = RequestFailure(
        Fault.DAILY_CAP, "phone_call_history", endpoint, "/phone/call_history", 429, 429, "daily limit", category="Phone Heavy",
        resets_at=datetime(2026, 12, 8, tzinfo=timezone.utc), why="every app on the account counts towards it",
    )
    sent = ReportedSync(
        skipped=(SkippedClass("meetings", 404, 3001, "meeting or webinar does not exist or has expired", 3), SkippedClass("recording_transcript_segments", None, None, "file in the trash", 1, download=True)),
        unavailable=(UnavailableTable("phone_users", 403, 2031, "Zoom Phone is not set up", "not enabled", (), "Zoom Phone"),),
        incomplete=(TableFailure("phone_call_history", cap.message, FailureType.transient_error, cap, True, cap),),
    )

    decoded = reported_sync(on_the_wire(report_messages(sent)))

    assert decoded.skipped == sent.skipped and decoded.unavailable == sent.unavailable
    assert as_data(decoded.incomplete) == as_data(sent.incomplete)  # an endpoint is compared by identity: its data is compared
    (failure,) = decoded.incomplete
    assert failure.cause.resets_at == datetime(2026, 12, 8, tzinfo=timezone.utc) and failure.cause.message == cap.message
    assert failure.cause.endpoint.zoom_name == "/phone/call_history" and failure.cause.endpoint.api == PHONE and failure.cause.endpoint.pool == "Phone Heavy"


def test_given_messages_that_are_not_the_report_then_the_decoder_passes_over_them():
    others = [
        {"type": "LOG", "log": {"level": "INFO", "message": "Sync summary: ..."}},
        {"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": 1, "stream_status": {}}},
        {"type": "TRACE", "trace": {"type": "ANALYTICS", "emitted_at": 1, "analytics": {"type": "another_connector.event", "value": "1"}}},
    ]

    assert reported_sync(others) == ReportedSync()
