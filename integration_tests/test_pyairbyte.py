"""PyAirbyte runs the installed `source-zoom` console script and fills its default DuckDB cache.

This is how a data person uses the connector from a notebook (README, "PyAirbyte"), so the test
goes through PyAirbyte's own discover, catalog and cache code, not ours.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import pytest

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import plant_non_ascii_names

pytestmark = pytest.mark.integration


def installed_console_script() -> str:
    """The `source-zoom` next to this interpreter: under `.venv/bin/python -m pytest` that bin is not on PATH."""
    beside_python = Path(sys.executable).parent / "source-zoom"
    found = str(beside_python) if beside_python.exists() else shutil.which("source-zoom")
    assert found, "the source-zoom console script is not installed: run `pip install -e .` (scripts/bootstrap.sh does)"
    return found


@pytest.fixture(scope="module")
def pyairbyte(tmp_path_factory):
    """Imports PyAirbyte offline, with its default cache and files in a temporary folder.

    PyAirbyte reads these variables once, when it is imported, so they are set before the import.
    Offline mode skips the connector registry and, like DO_NOT_TRACK, turns telemetry off: CI
    reaches no network but PyPI.
    """
    home = tmp_path_factory.mktemp("pyairbyte")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AIRBYTE_OFFLINE_MODE", "1")
        env.setenv("DO_NOT_TRACK", "1")
        env.setenv("AIRBYTE_PROJECT_DIR", str(home))
        env.setenv("AIRBYTE_CACHE_ROOT", str(home / ".cache"))
        env.setenv("AIRBYTE_TEMP_DIR", str(home / "tmp"))
        env.setenv("AIRBYTE_LOGGING_ROOT", str(home / "logs"))
        (home / "tmp").mkdir()
        assert "airbyte" not in sys.modules, "PyAirbyte was imported before its environment was set"
        airbyte = importlib.import_module("airbyte")
        yield airbyte, home


@pytest.fixture(scope="module")
def fake():
    with FakeZoomServer(FakeZoomConfig.default()) as server:
        yield server


@pytest.fixture(scope="module")
def planted(fake):
    """Non-ASCII names and a topic planted in the fake before the read (its data is ASCII only)."""
    return plant_non_ascii_names(fake, fake.connector_config()["start_date"])


@pytest.fixture(scope="module")
def read_into_default_cache(pyairbyte, fake, planted):
    ab, home = pyairbyte
    source = ab.get_source("source-zoom", config=fake.connector_config(), local_executable=installed_console_script())
    source.check()
    source.select_all_streams()
    result = source.read()
    return source, result, home


def test_given_pyairbyte_when_reading_all_streams_then_22_tables_land_in_the_default_duckdb_cache(read_into_default_cache):
    source, result, home = read_into_default_cache

    assert len(source.get_available_streams()) == 22
    assert set(result.streams) == set(source.get_available_streams())
    assert Path(result.cache.db_path).is_relative_to(home)


def test_given_pyairbyte_when_reading_then_sql_row_counts_equal_the_ground_truth(fake, read_into_default_cache):
    source, result, _ = read_into_default_cache
    truth = fake.ground_truth(fake.connector_config()["start_date"])["tables"]
    keys = {stream.name: stream.source_defined_primary_key for stream in source.discovered_catalog.streams}
    cache = result.cache

    counted = {}
    for table in truth:
        key_columns = ", ".join(path[0] for path in keys[table])
        (row,) = cache.run_sql_query(
            f"SELECT COUNT(*) AS row_count, COUNT(DISTINCT ({key_columns})) AS key_count "
            f"FROM {cache.schema_name}.{table}"
        )
        counted[table] = (row["row_count"], row["key_count"])

    assert counted == {table: (expected["count"], expected["count"]) for table, expected in truth.items()}
    assert sum(expected["count"] for expected in truth.values()) > 500


def test_given_non_ascii_names_and_topics_when_read_into_duckdb_then_the_sql_values_are_unchanged(planted, read_into_default_cache):
    _, result, _ = read_into_default_cache
    cache = result.cache

    found, expected = {}, {}
    for p in planted:
        # Match on the string key fields only: DuckDB may type a join time as a TIMESTAMP.
        where = " AND ".join(f"{field} = '{value}'" for field, value in p.match.items() if field != "join_time")
        rows = cache.run_sql_query(f"SELECT {p.field} AS value FROM {cache.schema_name}.{p.table} WHERE {where}")
        found[f"{p.table}.{p.field}"] = p.value in {row["value"] for row in rows}
        expected[f"{p.table}.{p.field}"] = True
    assert found == expected, [(p.table, p.field, p.value) for p in planted]


# (table, column) -> the DuckDB type a schema's JSON type must land as. A schema change that turns
# one of these into text (an id declared as number or string, a date-time without its format, an
# object without a type) fails here, where a destination would have made the wrong column.
EXPECTED_DUCKDB_TYPES = {
    ("meetings", "id"): "BIGINT",  # 64-bit meeting id, lossless
    ("meetings", "meeting_id"): "BIGINT",  # stamped copy of id
    ("report_meeting_participants", "meeting_id"): "BIGINT",  # stamped from the parent
    ("webinars", "id"): "BIGINT",
    ("cloud_recordings", "total_size"): "BIGINT",
    # date-time: PyAirbyte asks for a timestamp with time zone; DuckDB's catalog names it TIMESTAMP
    ("meetings", "start_time"): "TIMESTAMP",
    ("report_meetings", "start_time"): "TIMESTAMP",
    ("users", "created_at"): "TIMESTAMP",
    ("report_meeting_participants", "failover"): "BOOLEAN",
    ("cloud_recordings", "auto_delete"): "BOOLEAN",
    ("meetings", "settings"): "JSON",  # nested object
    ("meetings", "occurrences"): "JSON",  # array of objects
    ("cloud_recordings", "type"): "VARCHAR",  # Zoom's string enum
    ("report_meetings", "dept"): "VARCHAR",
}


def test_given_pyairbyte_when_reading_then_typed_fields_get_their_duckdb_column_types(read_into_default_cache):
    _, result, _ = read_into_default_cache
    cache = result.cache
    tables = sorted({table for table, _ in EXPECTED_DUCKDB_TYPES})
    rows = cache.run_sql_query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{cache.schema_name}' AND table_name IN ({', '.join(repr(t) for t in tables)})"
    )
    actual = {(row["table_name"], row["column_name"]): row["data_type"] for row in rows}

    assert {column: actual.get(column) for column in EXPECTED_DUCKDB_TYPES} == EXPECTED_DUCKDB_TYPES


def test_given_pyairbyte_when_reading_then_nested_settings_are_queryable_json(fake, read_into_default_cache):
    _, result, _ = read_into_default_cache
    cache = result.cache
    (row,) = cache.run_sql_query(
        "SELECT COUNT(*) AS meetings, "
        "COUNT(*) FILTER (WHERE json_extract_string(settings, '$.encryption_type') = 'enhanced_encryption') AS encrypted, "
        "COUNT(*) FILTER (WHERE json_extract(settings, '$.breakout_room.enable') = 'false') AS without_breakout_rooms "
        f"FROM {cache.schema_name}.meetings"
    )
    expected = fake.ground_truth(fake.connector_config()["start_date"])["tables"]["meetings"]["count"]

    assert (row["meetings"], row["encrypted"], row["without_breakout_rooms"]) == (expected, expected, expected)
