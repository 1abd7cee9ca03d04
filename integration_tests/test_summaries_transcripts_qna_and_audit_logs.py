"""The tables beyond Stitch's (summaries, transcripts, meeting Q&A, audit logs) against the fake Zoom API: every record compared with the
ground truth in a full sync and in an incremental sync after new activity and edited summaries;
the requests they cost; the token never sent to a host that is not Zoom's; an account without AI
Companion and an app without the new scopes end those tables empty, with one line, not an error."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records, format_differences, latest_states, records_by_table, run_connector

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NEW_TABLES = ("meeting_summaries", "recording_transcript_segments", "meeting_qna_results", "report_sign_in_activities",
              "report_operation_logs")
CURSORS = {"meeting_summaries": "summary_last_modified_time", "recording_transcript_segments": "meeting_start_time",
           "meeting_qna_results": "meeting_start_time", "report_sign_in_activities": "time", "report_operation_logs": "time"}


def catalog_of(discovered: List[Mapping[str, Any]], sync_mode: str) -> Dict[str, Any]:
    streams = []
    for stream in discovered:
        if stream["name"] in NEW_TABLES:
            incremental = sync_mode == "incremental"
            streams.append({"stream": stream, "sync_mode": sync_mode, "primary_key": stream["source_defined_primary_key"],
                            "destination_sync_mode": "append_dedup" if incremental else "overwrite",
                            "cursor_field": stream["default_cursor_field"] if incremental else None})
    return {"streams": streams}


def only_new_tables(truth: Mapping[str, Any]) -> Dict[str, Any]:
    return {**truth, "tables": {name: table for name, table in truth["tables"].items() if name in NEW_TABLES}}


def logs(messages: List[Mapping[str, Any]]) -> List[str]:
    return [m["log"]["message"] for m in messages if m["type"] == "LOG"]



@pytest.fixture(scope="module")
def full_sync(fake, discovered):
    fake.reset_stats()
    code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "full_refresh"))
    return code, messages, stderr, fake.stats()


def test_given_discover_then_the_new_tables_are_offered_incrementally_with_their_cursor(discovered):
    modes = {s["name"]: (s["supported_sync_modes"], s.get("default_cursor_field")) for s in discovered}
    for table, cursor in CURSORS.items():
        assert modes[table] == (["full_refresh", "incremental"], [cursor]), table


def test_given_a_full_sync_then_every_record_of_the_new_tables_equals_the_ground_truth(fake, full_sync, keys):
    code, messages, stderr, _ = full_sync
    assert code == 0, stderr[-3000:]
    truth = only_new_tables(fake.ground_truth())

    problems = compare_records(records_by_table(messages), truth, keys)

    assert problems == {}, format_differences(problems)
    assert all(truth["tables"][table]["count"] > 0 for table in NEW_TABLES)


def test_given_a_full_sync_then_each_table_cost_what_zoom_s_listings_say_and_no_more(fake, full_sync):
    _, _, _, stats = full_sync
    requested = stats["requests_by_endpoint"]
    truth = fake.ground_truth()["tables"]
    dataset = fake.fake.dataset
    # One summary body per listed summary; one Q&A request per instance that had Q&A (the history
    # report lists them: the default start_date is its horizon, so no instance is older than it).
    assert requested["GET /v2/meetings/{meetingId}/meeting_summary"] == truth["meeting_summaries"]["count"]
    asked = {row["meeting_uuid"] for row in truth["meeting_qna_results"]["records"]}
    assert requested["GET /v2/report/meetings/{meetingId}/qa"] == len(asked)
    # One download per transcript the listing calls completed on Zoom's hosts (the one deleted
    # since is asked and answers 404); none for the file still processing.
    recorded = {r["uuid"] for r in truth["cloud_recordings"]["records"]}
    asked_files = [t for t in dataset.transcripts.values() if t.instance.uuid in recorded and t.status == "completed" and not t.foreign_host]
    assert requested["GET /rec/download/{fileId}"] == len(asked_files)


def test_given_a_download_url_on_another_host_then_no_request_and_no_token_went_there_and_one_warning_named_it(fake, full_sync):
    _, messages, _, stats = full_sync
    assert "localhost" not in stats["downloads_by_host"] and "localhost" not in stats["downloads_with_token_by_host"]
    assert stats["downloads_with_token_by_host"] == stats["downloads_by_host"] == {"127.0.0.1": stats["requests_by_endpoint"]["GET /rec/download/{fileId}"]}
    named = [line for line in logs(messages) if "localhost" in line]
    assert len(named) == 1 and "never sent there" in named[0]


def test_given_malformed_transcripts_then_the_sync_succeeds_and_each_is_named_once_with_its_problems(fake, full_sync):
    code, messages, _, _ = full_sync
    broken = next(t for t in fake.fake.dataset.transcripts.values() if any(c.no_time_line for c in t.cues))
    headerless = next(t for t in fake.fake.dataset.transcripts.values() if not t.header)
    assert code == 0
    for transcript, problem in ((broken, "cue without a valid time line"), (broken, "not UTF-8"), (headerless, "no WEBVTT header")):
        lines = [line for line in logs(messages) if transcript.id in line]
        assert len(lines) == 1 and problem in lines[0], lines


def test_given_new_activity_and_edited_summaries_when_syncing_again_then_what_changed_arrives_and_together_they_equal_the_truth(discovered, keys):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = {**fake.connector_config(), "lookback_days": 0}
        catalog = catalog_of(discovered, "incremental")
        code, first, stderr = run_connector("read", config, catalog)
        assert code == 0, stderr
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        # Three new meetings per active host: the fake's batch then holds new transcripts, Q&A and
        # summaries (each drawn per meeting, deterministic per seed and batch).
        fake.add_data(meetings_per_user=3, started_at=now)
        # The summaries of the earliest meetings the sync reads: edited long after their meeting.
        start = dt.datetime.fromisoformat(config["start_date"].replace("Z", ""))
        edited = fake.edit_summaries(2, at=now, meetings_since=start)
        fake.reset_stats()

        code, second, stderr = run_connector("read", config, catalog, state=latest_states(first))

        assert code == 0, stderr
        truth = only_new_tables(fake.ground_truth())
        requested = fake.stats()["requests_by_endpoint"]
    first_records, second_records = records_by_table(first), records_by_table(second)
    # The second sync reads what changed since the first: new logs, new instances' Q&A and
    # transcripts, new and edited summaries (their new revision).
    second_summaries = {r["meeting_uuid"]: r for r in second_records["meeting_summaries"]}
    assert set(edited) <= set(second_summaries)
    expected = {r["meeting_uuid"]: r for r in truth["tables"]["meeting_summaries"]["records"]}
    for uuid in edited:
        assert second_summaries[uuid] == expected[uuid] and "edited_summary" in second_summaries[uuid]
    assert requested["GET /v2/meetings/{meetingId}/meeting_summary"] == len(second_summaries) < len(expected)
    for table in NEW_TABLES:
        assert second_records.get(table), f"{table}: nothing new arrived"
    # What a deduplicating destination holds after both: the first sync's rows, replaced by the
    # second's where the key is the same, equals the truth record for record.
    merged = {}
    for table in NEW_TABLES:
        rows = {}
        for record in first_records.get(table, []) + second_records.get(table, []):
            rows[tuple(str(record.get(field[0])) for field in keys[table])] = record
        merged[table] = list(rows.values())
    problems = compare_records(merged, truth, keys)
    assert problems == {}, format_differences(problems)


def test_given_an_account_without_ai_companion_then_the_summaries_table_is_empty_with_one_log_line(discovered):
    with FakeZoomServer(FakeZoomConfig.default(ai_companion=False)) as fake:
        catalog = {"streams": [s for s in catalog_of(discovered, "full_refresh")["streams"] if s["stream"]["name"] == "meeting_summaries"]}
        code, messages, stderr = run_connector("read", fake.connector_config(), catalog)
    assert code == 0, stderr
    assert not records_by_table(messages).get("meeting_summaries")
    assert len([line for line in logs(messages) if "no AI Companion summary" in line]) == 1


def test_given_an_app_without_the_new_scopes_then_those_tables_end_empty_with_one_warning_naming_the_scope(discovered):
    missing = ("meeting:read:list_summaries:admin", "report:read:meeting_qna:admin", "report:read:user_activities:admin",
               "report:read:operation_logs:admin", "cloud_recording:read:list_user_recordings:admin")
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=missing)) as fake:
        code, messages, stderr = run_connector("read", fake.connector_config(), catalog_of(discovered, "full_refresh"))
    assert code == 0, stderr
    assert not any(records_by_table(messages).get(table) for table in NEW_TABLES)
    for scope in missing:
        named = [line for line in logs(messages) if f"Add {scope}" in line]
        assert len(named) == 1, (scope, named)
    assert not [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]


@pytest.mark.parametrize("auth_type", ["server_to_server_oauth", "oauth2_refresh_token", "jwt"])
def test_given_each_login_when_discovering_and_reading_the_new_tables_then_they_equal_the_ground_truth(auth_type, keys):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        code, discovered_messages, stderr = run_connector("discover", fake.connector_config(auth_type=auth_type))
        assert code == 0, stderr
        streams = next(m["catalog"]["streams"] for m in discovered_messages if m["type"] == "CATALOG")
        assert set(NEW_TABLES) <= {s["name"] for s in streams}
        # discover used the refresh token up: the read takes the rotated one, as the platform would.
        code, messages, stderr = run_connector("read", fake.connector_config(auth_type=auth_type), catalog_of(streams, "full_refresh"))
        assert code == 0, stderr
        problems = compare_records(records_by_table(messages), only_new_tables(fake.ground_truth()), keys)
    assert problems == {}, format_differences(problems)
