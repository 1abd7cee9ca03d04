"""The nine Zoom Phone tables against the fake Zoom API: every record equal to the ground truth in
a full sync and in an incremental sync after new calls (one of them in progress during the first
sync, which must arrive whole on the second and never half); both shapes of Zoom's call history;
an account without Zoom Phone; an app without a Phone scope; the three logins."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping

import pytest

from fake_zoom import phone
from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests import sync_support
from integration_tests.sync_support import compare_records, error_traces as errors, format_differences, latest_states, log_lines as logs, records_by_table, run_connector

pytestmark = pytest.mark.integration

PHONE_TABLES = phone.TABLES
CURSORS = {"phone_call_history": "start_time", "phone_call_elements": "start_time", "phone_recordings": "date_time",
           "phone_voicemails": "date_time", "phone_sms_sessions": "last_access_time"}


def statuses(messages: List[Mapping[str, Any]]) -> Dict[str, str]:
    found = {}
    for m in messages:
        if m["type"] == "TRACE" and m["trace"]["type"] == "STREAM_STATUS":
            found[m["trace"]["stream_status"]["stream_descriptor"]["name"]] = m["trace"]["stream_status"]["status"]
    return found


def catalog_of(discovered, sync_mode: str, tables=PHONE_TABLES) -> Dict[str, Any]:
    return sync_support.catalog_of(discovered, sync_mode, tables)


def only_phone(truth: Mapping[str, Any]) -> Dict[str, Any]:
    return sync_support.only_tables(truth, PHONE_TABLES)



def sync_and_compare(fake: FakeZoomServer, catalog: Mapping[str, Any], keys, config=None) -> List[Dict[str, Any]]:
    code, messages, stderr = run_connector("read", config or fake.connector_config(), catalog)
    assert code == 0, stderr[-3000:]
    truth = only_phone(fake.ground_truth())
    problems = compare_records(records_by_table(messages), truth, keys)
    assert problems == {}, format_differences(problems)
    return messages


def test_given_discover_then_the_phone_tables_are_offered_with_their_keys_and_cursors(discovered):
    found = {s["name"]: s for s in discovered if s["name"] in PHONE_TABLES}
    assert sorted(found) == sorted(PHONE_TABLES)
    for table, fields in phone.PRIMARY_KEYS.items():
        assert found[table]["source_defined_primary_key"] == [[field] for field in fields]
    for table, cursor in CURSORS.items():
        assert (found[table]["supported_sync_modes"], found[table]["default_cursor_field"]) == (["full_refresh", "incremental"], [cursor])


@pytest.mark.parametrize("shape", ["call_history", "call_logs"])
def test_given_either_shape_of_call_history_when_syncing_then_every_record_equals_the_ground_truth(shape, discovered, keys):
    with FakeZoomServer(FakeZoomConfig.default(phone_shape=shape)) as fake:
        truth = fake.ground_truth()["tables"]
        messages = sync_and_compare(fake, catalog_of(discovered, "full_refresh"), keys)
        requested = fake.stats()["requests_by_endpoint"]
    assert all(truth[table]["count"] > 0 for table in PHONE_TABLES)
    # Each call's path read once, and the retired call_logs endpoints never.
    assert requested["GET /v2/phone/call_history/{callLogId}"] == truth["phone_call_history"]["count"]
    assert not [endpoint for endpoint in requested if "call_logs" in endpoint]
    # Deleted extensions, anonymous callers, internal calls, every owner's texts, every user's status.
    rows = records_by_table(messages)
    assert any(r["callee_name"] == "Former Employee" for r in rows["phone_call_history"])
    assert any(r["hide_caller_id"] and r["caller_number_type"] == "anonymous_number" for r in rows["phone_call_history"])
    assert any(r["connect_type"] == "internal" for r in rows["phone_call_history"])
    assert {r["session_type"] for r in rows["phone_sms_sessions"]} == {"user", "call_queue", "auto_receptionist"}
    assert {r["status"] for r in rows["phone_users"]} == {"activate", "deactivate", "pending"}
    assert {r["status"] for r in rows["phone_numbers"]} == {"available", "pending"} and any(not r["assignee"] for r in rows["phone_numbers"])
    assert not errors(messages)


def test_given_a_call_in_progress_when_syncing_again_after_new_calls_then_it_arrives_whole_once_and_together_they_equal_the_truth(discovered, keys):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = {**fake.connector_config(), "lookback_days": 0}
        catalog = catalog_of(discovered, "incremental")
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        # Calls of today, one of them still going on while the first sync runs.
        fake._in_loop(lambda: phone.add_activity(fake.fake.dataset, now - dt.timedelta(hours=2), calls_per_user=1, in_progress=1))
        (going_on,) = [c.row["id"] for c in fake.fake.dataset.phone.calls if not c.finished]
        code, first, stderr = run_connector("read", config, catalog)
        assert code == 0, stderr
        first_rows = records_by_table(first)
        assert going_on not in {r["id"] for r in first_rows["phone_call_history"]}
        assert going_on not in {r["call_history_id"] for r in first_rows["phone_call_elements"]}

        later = now + dt.timedelta(minutes=5)
        fake._in_loop(lambda: phone.finish_calls(fake.fake.dataset, later))
        fake._in_loop(lambda: phone.add_activity(fake.fake.dataset, later, calls_per_user=2))
        fake.reset_stats()
        code, second, stderr = run_connector("read", config, catalog, state=latest_states(first))
        assert code == 0, stderr
        truth = only_phone(fake.ground_truth())
        requested = fake.stats()["requests_by_endpoint"]
    second_rows = records_by_table(second)
    # The call that was in progress arrives whole: its end, its whole path.
    (ended,) = [r for r in second_rows["phone_call_history"] if r["id"] == going_on]
    assert ended["end_time"]
    expected_elements = [r for r in truth["tables"]["phone_call_elements"]["records"] if r["call_history_id"] == going_on]
    assert sorted(r["call_element_id"] for r in second_rows["phone_call_elements"] if r["call_history_id"] == going_on) == \
        sorted(r["call_element_id"] for r in expected_elements) != []
    # The second sync reads what is new, not the history again.
    assert requested["GET /v2/phone/call_history/{callLogId}"] == len(second_rows["phone_call_history"]) < truth["tables"]["phone_call_history"]["count"]
    for table in ("phone_call_history", "phone_call_elements", "phone_sms_sessions", "phone_recordings"):
        assert second_rows.get(table), f"{table}: nothing new arrived"
    # What a deduplicating destination holds after both equals the truth record for record.
    merged = {}
    for table in PHONE_TABLES:
        rows = {}
        for record in first_rows.get(table, []) + second_rows.get(table, []):
            rows[tuple(str(record.get(field[0])) for field in keys[table])] = record
        merged[table] = list(rows.values())
    problems = compare_records(merged, truth, keys)
    assert problems == {}, format_differences(problems)


def test_given_an_account_without_zoom_phone_then_the_nine_tables_end_empty_and_complete_with_one_log_line(discovered):
    with FakeZoomServer(FakeZoomConfig.default(zoom_phone=False)) as fake:
        code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "incremental"))
    assert code == 0, stderr
    assert not any(records_by_table(messages).get(table) for table in PHONE_TABLES)
    assert not errors(messages)
    assert {table: status for table, status in statuses(messages).items() if table in PHONE_TABLES} == {t: "COMPLETE" for t in PHONE_TABLES}
    # One warning says why (each request Zoom refused is an INFO line of its own, as every skip is).
    warned = [m["log"]["message"] for m in messages if m["type"] == "LOG" and m["log"]["level"] == "WARN"]
    said = [line for line in warned if "Zoom Phone" in line or any(table in line for table in PHONE_TABLES)]
    assert len(said) == 1 and "Zoom Phone is not set up on this account" in said[0], said


def test_given_an_app_without_a_phone_scope_then_that_table_ends_empty_with_one_warning_naming_the_scope(discovered, keys):
    missing = "phone:read:list_call_logs:admin"
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=(missing,))) as fake:
        messages = sync_and_compare(fake, catalog_of(discovered, "full_refresh"), keys)
    rows = records_by_table(messages)
    assert not rows.get("phone_call_history") and not rows.get("phone_call_elements")
    assert rows.get("phone_users") and rows.get("phone_voicemails")
    assert len([line for line in logs(messages) if f"Add {missing}" in line]) == 1
    assert not errors(messages)


@pytest.mark.slow  # a discover and a sync per login
@pytest.mark.parametrize("auth_type", ["server_to_server_oauth", "oauth2_refresh_token", "jwt"])
def test_given_each_login_when_discovering_and_reading_the_phone_tables_then_they_equal_the_ground_truth(auth_type, keys):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        code, discovered_messages, stderr = run_connector("discover", fake.connector_config(auth_type=auth_type))
        assert code == 0, stderr
        streams = next(m["catalog"]["streams"] for m in discovered_messages if m["type"] == "CATALOG")
        # discover used the refresh token up: the read takes the rotated one, as the platform would.
        sync_and_compare(fake, catalog_of(streams, "full_refresh"), keys, fake.connector_config(auth_type=auth_type))
