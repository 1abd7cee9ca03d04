"""Incremental syncs against the fake Zoom API: a first sync, new meetings, a second sync that
reads only what is new, and a sync stopped half-way that resumes from its last state."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping, Tuple

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import (
    incremental_catalog,
    latest_states,
    read_until,
    saved_value,
    truth_keys,
    state_messages,
    REPO_ROOT,
    compare_records,
    discover_streams,
    primary_keys,
    records_by_table,
    run_connector,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Zoom removed the in-meeting files endpoints; the fake answers them 404 code 404 like Zoom.
UNAVAILABLE_ON_THE_FAKE = ("meeting_files", "webinar_files")
# Zoom serves recording storage up to yesterday: its state is the end of the last day served.
SERVED_UP_TO_YESTERDAY = ("report_cloud_recording_usage",)
# Zoom's daily report changes until its month is over: the current month is read by every sync.
CURRENT_MONTH_READ_AGAIN = ("report_daily_usage",)


def keys_of(records: Mapping[str, List[Dict[str, Any]]], keys: Mapping[str, Any], table: str) -> List[Tuple[Any, ...]]:
    return primary_keys(records.get(table, []), keys[table])


@pytest.fixture
def fake():
    with FakeZoomServer(FakeZoomConfig.default()) as server:
        yield server


@pytest.fixture
def discovered(fake):
    return discover_streams(fake.connector_config())



def test_discover_offers_incremental_on_past_instance_tables_with_their_cursor(discovered):
    modes = {s["name"]: (s["supported_sync_modes"], s.get("default_cursor_field"), s.get("source_defined_cursor")) for s in discovered}
    assert modes["report_meetings"] == (["full_refresh", "incremental"], ["start_time"], True)
    assert modes["cloud_recordings"] == (["full_refresh", "incremental"], ["start_time"], True)
    assert modes["report_webinars"] == (["full_refresh", "incremental"], ["start_time"], True)
    for table in ("report_meeting_participants", "meeting_poll_results"):
        assert modes[table] == (["full_refresh", "incremental"], ["meeting_start_time"], True)
    for table in ("report_webinar_participants", "webinar_poll_results", "webinar_qna_results", "webinar_absentees"):
        assert modes[table] == (["full_refresh", "incremental"], ["webinar_start_time"], True)
    assert modes["users"][0] == ["full_refresh"] and modes["meetings"][0] == ["full_refresh"]


def test_given_no_state_when_syncing_incrementally_then_every_record_arrives_and_each_table_saves_its_cursor(fake, discovered, keys):
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    code, messages, stderr = run_connector("read", fake.connector_config(), incremental_catalog(discovered))
    after = dt.datetime.now(dt.timezone.utc)

    assert code == 0, stderr
    assert compare_records(records_by_table(messages), fake.ground_truth(), keys) == {}
    states = latest_states(messages)
    for stream in discovered:
        if "incremental" not in stream["supported_sync_modes"]:
            continue
        cursor_field = stream["default_cursor_field"][0]
        value = saved_value(states, stream["name"])
        if stream["name"] in UNAVAILABLE_ON_THE_FAKE:
            # Read up to the first window that had anything to ask (the fake has an instance on
            # start_date's first day, so nothing): a table that becomes readable later still
            # gets its whole history.
            assert not value or dt.datetime.fromisoformat(value[cursor_field].replace("Z", "+00:00")) < before, (stream["name"], value)
            continue
        assert value is not None and set(value) == {cursor_field}, (stream["name"], value)
        saved = dt.datetime.fromisoformat(value[cursor_field].replace("Z", "+00:00"))
        if stream["name"] in SERVED_UP_TO_YESTERDAY:
            assert saved == before.replace(hour=0, minute=0, second=0), (stream["name"], value)
            continue
        assert before <= saved <= after, (stream["name"], value)


def test_given_new_meetings_when_syncing_again_without_lookback_then_exactly_the_new_instances_and_their_children_arrive(fake, discovered, keys):
    config = {**fake.connector_config(), "lookback_days": 0}
    catalog = incremental_catalog(discovered)
    code, first, stderr = run_connector("read", config, catalog)
    assert code == 0, stderr
    truth_before = fake.ground_truth()
    added = fake.add_data(meetings_per_user=2, started_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    truth_after = fake.ground_truth()
    fake.reset_stats()

    code, second, stderr = run_connector("read", config, catalog, state=latest_states(first))

    assert code == 0, stderr
    records = records_by_table(second)
    # The fake adds meetings to active users only: a deactivated or pending user hosts nothing new.
    assert added == 2 * len([u for u in truth_before["tables"]["users"]["records"] if u["status"] == "active"])
    for stream in discovered:
        table = stream["name"]
        if "incremental" not in stream["supported_sync_modes"]:
            continue
        new = truth_keys(truth_after, table) - truth_keys(truth_before, table)
        if table in CURRENT_MONTH_READ_AGAIN:
            new = {key for key in truth_keys(truth_after, table) if key[0][:7] == truth_after["today"][:7]}
        got = keys_of(records, keys, table)
        assert sorted(got, key=str) == sorted(new, key=str), table
    assert len(keys_of(records, keys, "report_meetings")) == added
    assert keys_of(records, keys, "report_meeting_participants") and keys_of(records, keys, "meeting_poll_results")
    # Only the new instances' children were asked for.
    requested = fake.stats()["requests_by_endpoint"]
    assert requested.get("GET /v2/report/meetings/{meetingId}/participants", 0) == added


def test_given_the_default_lookback_when_syncing_again_then_the_last_day_is_read_again_and_nothing_older(fake, discovered, keys):
    catalog = incremental_catalog(discovered)
    code, first, stderr = run_connector("read", fake.connector_config(), catalog)
    assert code == 0, stderr
    states = latest_states(first)
    truth_before = fake.ground_truth()
    fake.add_data(meetings_per_user=1, started_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    truth_after = fake.ground_truth()

    code, second, stderr = run_connector("read", fake.connector_config(), catalog, state=states)

    assert code == 0, stderr
    records = records_by_table(second)
    for table, cursor_field in (("report_meetings", "start_time"), ("report_meeting_participants", "meeting_start_time"), ("cloud_recordings", "start_time")):
        saved = dt.datetime.fromisoformat(saved_value(states, table)[cursor_field].replace("Z", "+00:00"))
        floor = saved - dt.timedelta(days=1)
        got = set(keys_of(records, keys, table))
        assert truth_keys(truth_after, table) - truth_keys(truth_before, table) <= got, table
        for record in records.get(table, []):
            assert dt.datetime.fromisoformat(record[cursor_field].replace("Z", "+00:00")) >= floor, (table, record[cursor_field])


def test_given_a_sync_stopped_half_way_when_resumed_from_its_last_state_then_nothing_is_lost(discovered, keys):
    # Latency makes the read slow enough to stop it in the middle of the participant table.
    with FakeZoomServer(FakeZoomConfig.default(latency_ms=15)) as slow_fake:
        config = {**slow_fake.connector_config(), "lookback_days": 0, "num_workers": 2}
        catalog = incremental_catalog(discovered)
        seen = read_until(config, catalog, stop_after_states=("report_meeting_participants", 1))
        truth = slow_fake.ground_truth()
        code, resumed, stderr = run_connector("read", config, catalog, state=latest_states(seen))

    assert code == 0, stderr
    stopped_records, resumed_records = records_by_table(seen), records_by_table(resumed)
    total = len(truth["tables"]["report_meeting_participants"]["primary_keys"])
    # What the stopped sync read and its state says it read (windows, and instances past them) is not read again.
    assert len(resumed_records.get("report_meeting_participants", [])) < total, "the resumed sync read everything again"
    for table in truth["tables"]:
        union = set(keys_of(stopped_records, keys, table)) | set(keys_of(resumed_records, keys, table))
        assert union == truth_keys(truth, table), table
        assert len(set(keys_of(resumed_records, keys, table))) == len(keys_of(resumed_records, keys, table)), table


@pytest.mark.parametrize(
    "saved",
    [{"start_time": "not a time"}, {"start_time": None}, {"other": 1}, {"__ab_no_cursor_state_message": True}],
)
def test_given_an_unusable_state_when_syncing_then_that_table_starts_over(fake, discovered, keys, saved):
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "report_meetings"}, "stream_state": saved}}]

    code, messages, stderr = run_connector("read", fake.connector_config(), incremental_catalog(discovered), state=state)

    assert code == 0, stderr
    records = records_by_table(messages)
    assert sorted(keys_of(records, keys, "report_meetings"), key=str) == sorted(truth_keys(fake.ground_truth(), "report_meetings"), key=str)
    warnings = [m["log"]["message"] for m in messages if m["type"] == "LOG" and m["log"]["level"] == "WARN" and "starts over" in m["log"]["message"]]
    if "__ab_no_cursor_state_message" in saved:
        assert warnings == []  # a table switched from full refresh to incremental starts over quietly
    else:
        assert len(warnings) == 1 and "report_meetings" in warnings[0]


def test_given_a_state_entry_of_the_wrong_shape_when_syncing_then_it_is_ignored_with_a_warning(fake, discovered, keys):
    state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "cloud_recordings"}, "stream_state": "yesterday"}}]

    code, messages, stderr = run_connector("read", fake.connector_config(), incremental_catalog(discovered), state=state)

    assert code == 0, stderr
    assert compare_records(records_by_table(messages), fake.ground_truth(), keys) == {}
    warnings = [m["log"]["message"] for m in messages if m["type"] == "LOG" and m["log"]["level"] == "WARN" and "Ignored a saved state entry" in m["log"]["message"]]
    assert len(warnings) == 1 and "cloud_recordings" in warnings[0]


@pytest.mark.parametrize("state", ["yesterday", {"report_meetings": {"start_time": "2026-01-01T00:00:00Z"}}])
def test_given_a_state_that_is_not_a_list_of_stream_states_when_reading_then_it_ends_with_one_config_error(fake, discovered, state):
    code, messages, _ = run_connector("read", fake.connector_config(), incremental_catalog(discovered), state=state)

    errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert code != 0
    assert len(errors) == 1 and errors[0]["failure_type"] == "config_error"
    assert "clear the connection's state" in errors[0]["message"] and "\n" not in errors[0]["message"]
    assert not [m for m in messages if m["type"] == "RECORD"]


def test_given_a_start_date_beyond_the_report_horizon_when_syncing_then_the_gap_is_logged_once_and_the_rest_arrives(fake, discovered, keys):
    start_date = "2024-06-01T00:00:00Z"
    config = fake.connector_config(start_date=start_date)

    code, messages, stderr = run_connector("read", config, incremental_catalog(discovered))

    assert code == 0, stderr
    assert compare_records(records_by_table(messages), fake.ground_truth(start_date), keys) == {}
    horizon = [m["log"]["message"] for m in messages if m["type"] == "LOG" and "report_meetings" in m["log"]["message"] and "six months" in m["log"]["message"]]
    assert len(horizon) == 1 and "start_date 2024-06-01" in horizon[0]
