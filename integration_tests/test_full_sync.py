"""End to end: the connector's real entry point against the fake Zoom API, compared with its ground truth."""

from __future__ import annotations

import jsonschema
import pytest

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import read

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import (
    compare_records,
    discover_streams,
    full_catalog,
    load_schema,
    records_by_table,
    run_connector,
)
from source_zoom import SourceZoom
from source_zoom.streams import TABLES as CATALOG_TABLES  # the catalog: every table, counted nowhere else
from source_zoom.sync_report import reported_sync

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.usefixtures("unpaced_in_process")]



@pytest.fixture(scope="module")
def subprocess_sync(fake, discovered):
    fake.reset_stats()
    config = fake.connector_config()
    code, messages, stderr = run_connector("read", config, full_catalog(discovered))
    return code, messages, stderr, fake.stats()


def test_given_the_fake_when_discovering_then_every_table_with_its_primary_key_is_listed(discovered):
    assert sorted(s["name"] for s in discovered) == sorted(t.stream_name() for t in CATALOG_TABLES)
    assert all(stream["source_defined_primary_key"] for stream in discovered)


def test_given_a_full_sync_as_a_subprocess_then_every_table_equals_the_ground_truth(fake, subprocess_sync, keys):
    code, messages, stderr, _ = subprocess_sync
    assert code == 0, stderr[-3000:]
    truth = fake.ground_truth(fake.connector_config()["start_date"])

    problems = compare_records(records_by_table(messages), truth, keys)

    assert problems == {}
    assert sum(t["count"] for t in truth["tables"].values()) > 500


def test_given_a_full_sync_then_every_record_is_valid_against_its_table_schema(subprocess_sync):
    _, messages, _, _ = subprocess_sync
    for table, records in records_by_table(messages).items():
        validator = jsonschema.Draft7Validator(load_schema(table))
        for record in records:
            errors = list(validator.iter_errors(record))
            assert not errors, (table, errors[0].message, record)


def test_given_a_full_sync_then_the_quirky_uuids_were_read_through_double_encoding(fake, subprocess_sync):
    _, messages, _, _ = subprocess_sync
    instance_uuids = {r["meeting_uuid"] for r in records_by_table(messages)["report_meeting_participants"]}
    assert any(u.startswith("/") for u in instance_uuids)
    assert any("//" in u for u in instance_uuids)


def test_given_a_full_sync_then_skipped_resources_are_logged_once_each_with_their_code(subprocess_sync):
    _, messages, _, _ = subprocess_sync
    logs = [m["log"]["message"] for m in messages if m["type"] == "LOG"]
    for code in ("3001", "200", "4400"):
        assert any(f"Zoom code {code}" in line for line in logs), code
    skips = [line for line in logs if "skipped /" in line]
    assert len(skips) == len(set(skips))
    # The two removed files endpoints, and the table whose granular scope the fake's app lacks: as data ...
    unavailable = {table.table: table for table in reported_sync(messages).unavailable}
    assert sorted(unavailable) == ["meeting_files", "webinar_files", "webinar_tracking_sources"]
    assert unavailable["webinar_tracking_sources"].scopes == ("webinar:read:list_tracking_sources:admin",)
    # ... and said once each to the person reading.
    warnings = [line for line in logs if "not available on this Zoom account" in line]
    assert len(warnings) == 3 and all(sum(line.startswith(f"{table}: ") for line in warnings) == 1 for table in unavailable), warnings
    assert any("Add webinar:read:list_tracking_sources:admin to the Zoom app's scopes" in line for line in logs)
    summary = [line for line in logs if line.startswith("Sync summary")]
    assert len(summary) == 1


def test_given_a_full_sync_then_stream_statuses_are_reported_for_every_table(subprocess_sync):
    _, messages, _, _ = subprocess_sync
    statuses = {}
    for m in messages:
        if m["type"] == "TRACE" and m["trace"]["type"] == "STREAM_STATUS":
            status = m["trace"]["stream_status"]
            statuses.setdefault(status["stream_descriptor"]["name"], []).append(status["status"])
    assert len(statuses) == len(CATALOG_TABLES)
    assert all(s[0] == "STARTED" and s[-1] == "COMPLETE" for s in statuses.values()), statuses


def test_given_a_full_sync_then_every_failed_request_is_an_expected_skip_and_parents_were_listed_once(fake, subprocess_sync):
    _, messages, _, stats = subprocess_sync
    by_endpoint = stats["requests_by_endpoint"]
    users = fake.ground_truth(fake.connector_config()["start_date"])["tables"]["users"]["records"]
    hosts = [user for user in users if user["status"] in ("active", "inactive")]
    assert len(hosts) < len(users)  # the account has pending users, who have hosted nothing
    assert by_endpoint["GET /v2/users"] == 1 + 3  # the login check, then one listing per user status
    assert by_endpoint["GET /v2/users/{userId}/meetings"] == len(hosts)
    logs = [m["log"]["message"] for m in messages if m["type"] == "LOG"]
    skip_lines = [line for line in logs if "skipped /" in line]
    # No request that cannot succeed: meetings without registration are never asked for
    # registrants (that would be a code 3000 skip), and each removed files endpoint is asked once.
    assert not [line for line in skip_lines if "code 3000" in line]
    failed = sum(count for status, count in stats["status_counts"].items() if not status.startswith("2"))
    assert failed == len(skip_lines)
    assert sum("/files" in line for line in skip_lines) == 2


def test_given_the_cdk_entrypoint_in_process_then_the_result_equals_the_subprocess_sync(fake, subprocess_sync, discovered):
    _, messages, _, _ = subprocess_sync
    config = fake.connector_config()
    catalog = CatalogBuilder()
    for stream in discovered:
        catalog.with_stream(stream["name"], SyncMode.full_refresh)

    output = read(SourceZoom(config), config, catalog.build())

    in_process = {}
    for message in output.records:
        in_process.setdefault(message.record.stream, []).append(message.record.data)
    assert not output.errors
    expected = records_by_table(messages)
    assert {t: len(r) for t, r in in_process.items()} == {t: len(r) for t, r in expected.items()}


@pytest.mark.parametrize("auth_type", ["oauth2_refresh_token", "jwt"])
def test_given_each_login_when_syncing_users_then_it_works(auth_type):
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = fake.connector_config(auth_type=auth_type)
        catalog = full_catalog([s for s in discover_streams(config) if s["name"] == "users"])
        # discover consumed the refresh token: the next run must use the rotated one, as the platform would.
        config = fake.connector_config(auth_type=auth_type)

        code, messages, stderr = run_connector("read", config, catalog)

        assert code == 0, stderr[-2000:]
        assert len(records_by_table(messages)["users"]) == fake.ground_truth(config["start_date"])["tables"]["users"]["count"]
        if auth_type == "oauth2_refresh_token":
            updates = [m["control"]["connectorConfig"]["config"] for m in messages if m["type"] == "CONTROL"]
            assert updates and updates[-1]["credentials"]["refresh_token"] == fake.current_refresh_token


def test_given_tokens_expiring_every_few_dozen_requests_when_syncing_then_nothing_is_lost(keys):
    with FakeZoomServer(FakeZoomConfig.default(token_expire_every_n_requests=25)) as fake:
        config = fake.connector_config()
        code, messages, stderr = run_connector("read", config, full_catalog(discover_streams(config)))

        assert code == 0, stderr[-2000:]
        assert compare_records(records_by_table(messages), fake.ground_truth(config["start_date"]), keys) == {}
        assert fake.stats()["faults_injected"]["expired_token"] > 3
