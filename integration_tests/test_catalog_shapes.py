"""Catalogs the platform really sends, against the fake Zoom API: trimmed `json_schema`s (what
column selection sends), and child tables selected without their parents."""

from __future__ import annotations

import copy
from typing import Any, Dict, List

import pytest

from integration_tests.sync_support import (
    compare_records,
    full_catalog,
    record_key,
    records_by_table,
    run_connector,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Children whose parent tables (meetings, webinars, users) are left out of the catalog: each must
# still list its hidden parents itself.
CHILDREN_WITHOUT_PARENTS = ["meeting_registrants", "report_meeting_participants", "meeting_poll_results", "webinar_absentees", "webinar_qna_results"]



@pytest.fixture(scope="module")
def full_sync(fake, discovered) -> Dict[str, List[Dict[str, Any]]]:
    code, messages, stderr = run_connector("read", fake.connector_config(), full_catalog(discovered))
    assert code == 0, stderr[-3000:]
    return records_by_table(messages)


def trimmed(stream: Dict[str, Any]) -> Dict[str, Any]:
    """The stream with a json_schema cut to its primary key, its cursor and one more column (when
    it has one: every column of an audit log is its key), as the platform sends it when a user
    deselects every other column."""
    stream = copy.deepcopy(stream)
    properties = stream["json_schema"]["properties"]
    kept = {path[0] for path in stream["source_defined_primary_key"]} | set(stream.get("default_cursor_field") or [])
    kept |= set(sorted(name for name in properties if name not in kept)[:1])
    stream["json_schema"]["properties"] = {name: schema for name, schema in properties.items() if name in kept}
    return stream


def by_key(records: List[Dict[str, Any]], key_fields: List[List[str]]) -> Dict[Any, Dict[str, Any]]:
    return {record_key(record, key_fields): record for record in records}


def test_given_a_catalog_with_trimmed_schemas_when_reading_then_every_record_arrives_with_the_selected_columns_unchanged(fake, discovered, keys, full_sync):
    catalog = full_catalog([trimmed(stream) for stream in discovered])
    selected = {entry["stream"]["name"]: set(entry["stream"]["json_schema"]["properties"]) for entry in catalog["streams"]}

    code, messages, stderr = run_connector("read", fake.connector_config(), catalog)

    assert code == 0, stderr[-3000:]
    emitted = records_by_table(messages)
    assert compare_records(emitted, fake.ground_truth(fake.connector_config()["start_date"]), keys) == {}
    for table, columns in selected.items():
        full = by_key(full_sync[table], keys[table])
        for key, record in by_key(emitted[table], keys[table]).items():
            assert {c: record.get(c) for c in columns} == {c: full[key].get(c) for c in columns}, (table, key)


def test_given_only_child_tables_when_reading_then_each_equals_the_ground_truth_and_no_parent_table_is_emitted(fake, discovered, keys, full_sync):
    catalog = full_catalog([stream for stream in discovered if stream["name"] in CHILDREN_WITHOUT_PARENTS])
    truth = fake.ground_truth(fake.connector_config()["start_date"])
    truth = {"tables": {table: truth["tables"][table] for table in CHILDREN_WITHOUT_PARENTS}}

    code, messages, stderr = run_connector("read", fake.connector_config(), catalog)

    assert code == 0, stderr[-3000:]
    emitted = records_by_table(messages)
    assert set(emitted) == set(CHILDREN_WITHOUT_PARENTS)
    assert compare_records(emitted, truth, keys) == {}
    assert all(truth["tables"][table]["count"] > 0 for table in CHILDREN_WITHOUT_PARENTS)
    for table in CHILDREN_WITHOUT_PARENTS:  # the same records as when the parents are read too
        assert by_key(emitted[table], keys[table]) == by_key(full_sync[table], keys[table]), table


@pytest.mark.parametrize("child", ["meeting_registrants", "webinar_absentees"])
def test_given_a_single_child_table_when_reading_then_it_equals_its_ground_truth(fake, discovered, keys, child):
    catalog = full_catalog([stream for stream in discovered if stream["name"] == child])
    truth = fake.ground_truth(fake.connector_config()["start_date"])

    code, messages, stderr = run_connector("read", fake.connector_config(), catalog)

    assert code == 0, stderr[-3000:]
    emitted = records_by_table(messages)
    assert set(emitted) == {child}
    assert compare_records(emitted, {"tables": {child: truth["tables"][child]}}, keys) == {}
