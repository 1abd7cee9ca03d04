"""Nothing silently short (issue 22), against the fake Zoom API: a sync never ends with fewer rows
than Zoom holds, or with a state past rows it did not read, without saying so."""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, List, Mapping

import pytest

from airbyte_cdk.models import AirbyteStreamStatus, ConfiguredAirbyteCatalog, ConfiguredAirbyteCatalogSerializer, FailureType
from airbyte_cdk.models.airbyte_protocol_serializers import AirbyteCatalogSerializer
from airbyte_cdk.test.entrypoint_wrapper import read

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import (
    REPO_ROOT,
    compare_records,
    discover_streams,
    format_differences,
    full_catalog,
    incremental_catalog,
    start_read,
)
from source_zoom import SourceZoom
from source_zoom.auth import LoginFailed
from source_zoom.streams import TABLES
from source_zoom.streams.meetings import Meetings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("unpaced_in_process")]

# The tables that read through `meetings` (directly or through its past instances).
READ_THROUGH_MEETINGS = (
    "meeting_registrants", "meeting_questions", "meeting_polls",
    "report_meeting_participants", "meeting_poll_results",
)


def statuses(output: Any) -> Dict[str, str]:
    """The last status each stream reported."""
    found: Dict[str, str] = {}
    for message in output.trace_messages:
        status = message.trace.stream_status
        if status is not None:
            found[status.stream_descriptor.name] = status.status.name
    return found


def records_of(output: Any) -> Dict[str, List[Dict[str, Any]]]:
    tables: Dict[str, List[Dict[str, Any]]] = {}
    for message in output.records:
        tables.setdefault(message.record.stream, []).append(message.record.data)
    return tables


@pytest.fixture
def meetings_failing_once_part_way(monkeypatch):
    """`meetings` raises on its third request, as a slice re-raises a login that failed for longer
    than its retries; every later request (a relisting) goes through."""
    calls = {"count": 0}
    lock = threading.Lock()
    fetch = Meetings.fetch_slice

    def failing_once(self, stream_slice, *args, **kwargs):
        with lock:
            calls["count"] += 1
            third = calls["count"] == 3
        if third:
            raise LoginFailed(message="Could not get a Zoom access token: planted for the test.", failure_type=FailureType.transient_error)
        return fetch(self, stream_slice, *args, **kwargs)

    monkeypatch.setattr(Meetings, "fetch_slice", failing_once)
    return calls


def test_given_a_parent_table_that_fails_part_way_when_its_children_read_through_it_then_they_have_every_row_or_end_incomplete(
    meetings_failing_once_part_way,
):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = fake.connector_config()
        catalog = incremental_catalog_of(config)
        output = read(SourceZoom(config), config, catalog, expecting_exception=True)
        truth = fake.ground_truth()

    assert meetings_failing_once_part_way["count"] >= 3, "the planted failure never happened: nothing was tested"
    ended = statuses(output)
    assert ended["meetings"] == AirbyteStreamStatus.INCOMPLETE.name
    keys = primary_keys_of_tables()
    got = records_of(output)
    for table in READ_THROUGH_MEETINGS:
        if ended.get(table) == AirbyteStreamStatus.COMPLETE.name:
            problems = compare_records({table: got.get(table, [])}, {"tables": {table: truth["tables"][table]}}, keys)
            assert problems == {}, f"{table} ended complete without every row:\n{format_differences(problems)}"
        else:
            assert ended.get(table) == AirbyteStreamStatus.INCOMPLETE.name, (table, ended.get(table))


def incremental_catalog_of(config: Mapping[str, Any]) -> ConfiguredAirbyteCatalog:
    """Every table, incremental where it can be (discovered in process)."""
    discovered = AirbyteCatalogSerializer.dump(SourceZoom(config).discover(logging.getLogger("airbyte"), config))
    return ConfiguredAirbyteCatalogSerializer.load(incremental_catalog(discovered["streams"]))


def primary_keys_of_tables() -> Dict[str, List[List[str]]]:
    return {stream.stream_name(): key_paths(stream.primary_key) for stream in TABLES}


def key_paths(primary_key: Any) -> List[List[str]]:
    if isinstance(primary_key, str):
        return [[primary_key]]
    return [[field] if isinstance(field, str) else list(field) for field in primary_key]


# --- 3. a listing that only adds what another lists too does not hold back its readers' state ---

REPORT_LISTING_SCOPE = "report:read:user:admin"
# Incremental tables under a past meeting instance (the history listing names every instance).
UNDER_A_MEETING_INSTANCE = ("report_meeting_participants", "meeting_poll_results")


def test_given_an_app_without_the_report_listing_scope_when_syncing_then_the_instance_tables_read_everything_and_move_their_state():
    missing = (REPORT_LISTING_SCOPE, *FakeZoomConfig().missing_scopes)
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=missing)) as fake:
        config = fake.connector_config()
        catalog = incremental_catalog_of(config)
        output = read(SourceZoom(config), config, catalog)
        truth = fake.ground_truth()

    assert [error.trace.error.message for error in output.errors] == []
    got = records_of(output)
    problems = compare_records(got, truth, primary_keys_of_tables())
    assert problems == {}, format_differences(problems)
    assert truth["tables"]["report_meetings"]["count"] == 0  # the scope really is missing
    start = config["start_date"]
    for table in UNDER_A_MEETING_INSTANCE:
        assert truth["tables"][table]["count"] > 0
        states = [m.state.stream.stream_state.__dict__ for m in output.state_messages if m.state.stream.stream_descriptor.name == table]
        assert states and states[-1].get("meeting_start_time", "") > start, (table, states[-1:] or "no state")
    not_read = [m.log.message for m in output.logs if "not read, because" in m.log.message]
    assert not [line for line in not_read if line.split(":")[0] in UNDER_A_MEETING_INSTANCE], not_read


# --- 6. what a table is said to have read past its cursor, it read ------------------------------

PARTICIPANTS_SCOPE = "report:read:list_meeting_participants:admin"


def test_given_a_table_whose_scope_is_missing_when_the_scope_is_granted_then_the_next_sync_reads_its_whole_history():
    """A slice Zoom would not serve (4711) read nothing: the state must not say it was read, or the
    instances it names would be left out for ever once the scope is granted."""
    missing = (PARTICIPANTS_SCOPE, *FakeZoomConfig().missing_scopes)
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=missing)) as fake:
        config = fake.connector_config()
        catalog = incremental_catalog_of(config)
        first = read(SourceZoom(config), config, catalog)
        states = list({message.state.stream.stream_descriptor.name: message.state for message in first.state_messages}.values())
        fake.grant_scope(PARTICIPANTS_SCOPE)
        second = read(SourceZoom(config), config, catalog, state=states)
        truth = fake.ground_truth()

    assert truth["tables"]["report_meeting_participants"]["count"] > 0
    assert records_of(first).get("report_meeting_participants", []) == []
    got = records_of(second).get("report_meeting_participants", [])
    problems = compare_records({"report_meeting_participants": got}, {"tables": {"report_meeting_participants": truth["tables"]["report_meeting_participants"]}}, primary_keys_of_tables())
    assert problems == {}, format_differences(problems)


# --- 7. a listing that only fills some fields (an enrichment) --------------------------------------

HISTORY_SCOPE = "report:read:list_history_meetings:admin"
INSTANCE_REPORT_SCOPE = "report:read:meeting:admin"
INSTANCE_REPORT = "GET /v2/report/meetings/{meetingId}"


def report_meetings_catalog(config: Mapping[str, Any]) -> ConfiguredAirbyteCatalog:
    catalog = ConfiguredAirbyteCatalogSerializer.dump(incremental_catalog_of(config))
    catalog["streams"] = [stream for stream in catalog["streams"] if stream["stream"]["name"] == "report_meetings"]
    return ConfiguredAirbyteCatalogSerializer.load(catalog)


def last_state_of(output: Any, table: str) -> Dict[str, Any]:
    states = [m.state.stream.stream_state.__dict__ for m in output.state_messages if m.state.stream.stream_descriptor.name == table]
    return states[-1] if states else {}


def test_given_an_app_without_the_history_scope_when_syncing_report_meetings_then_each_row_is_filled_from_its_report_and_the_state_moves():
    """report_meetings takes dept and tracking_fields from the history listing, and a row that
    listing lacks from the instance's own report: without the history scope every row is filled
    that way, the table is whole, so its state must move (before, it stayed at start_date and
    every sync read the whole history again, one Heavy request a row, after saying "not read")."""
    missing = (HISTORY_SCOPE, *FakeZoomConfig().missing_scopes)
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=missing)) as fake:
        config = fake.connector_config()
        output = read(SourceZoom(config), config, report_meetings_catalog(config))
        truth = fake.ground_truth()

    assert truth["tables"]["report_meetings"]["count"] > 0
    got = records_of(output).get("report_meetings", [])
    problems = compare_records({"report_meetings": got}, {"tables": {"report_meetings": truth["tables"]["report_meetings"]}}, primary_keys_of_tables())
    assert problems == {}, format_differences(problems)
    assert last_state_of(output, "report_meetings").get("start_time", "") > config["start_date"]
    assert not [m.log.message for m in output.logs if m.log.message.startswith("report_meetings: not read")]


def test_given_an_app_without_the_history_and_instance_report_scopes_when_syncing_report_meetings_then_it_says_the_scope_once_and_the_next_sync_reads_it_whole():
    """Without either source of dept and tracking_fields, report_meetings cannot fill them: it
    says so once with the scope to add, asks no more instance reports that cannot succeed, keeps
    its state, and once the scope is granted the next sync reads every row whole (before: one
    refused request per row, the rows went out without those fields, nothing was said)."""
    missing = (HISTORY_SCOPE, INSTANCE_REPORT_SCOPE, *FakeZoomConfig().missing_scopes)
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=missing)) as fake:
        config = fake.connector_config()
        catalog = report_meetings_catalog(config)
        first = read(SourceZoom(config), config, catalog)
        refused = fake.stats()["requests_by_endpoint"].get(INSTANCE_REPORT, 0)
        states = [message.state for message in first.state_messages][-1:]
        fake.grant_scope(INSTANCE_REPORT_SCOPE)
        second = read(SourceZoom(config), config, catalog, state=states)
        truth = fake.ground_truth()

    warnings = [m.log.message for m in first.logs if m.log.level.name == "WARN" and m.log.message.startswith("report_meetings:")]
    assert len(warnings) == 1 and INSTANCE_REPORT_SCOPE in warnings[0], warnings
    assert 0 < refused <= config.get("num_workers", 10), refused  # at most the requests already in flight
    assert last_state_of(first, "report_meetings").get("start_time", "") <= config["start_date"]
    assert truth["tables"]["report_meetings"]["count"] > 0
    got = records_of(second).get("report_meetings", [])
    problems = compare_records({"report_meetings": got}, {"tables": {"report_meetings": truth["tables"]["report_meetings"]}}, primary_keys_of_tables())
    assert problems == {}, format_differences(problems)
