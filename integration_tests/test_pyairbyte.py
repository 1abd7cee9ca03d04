"""PyAirbyte runs the installed `source-zoom` console script and fills its default DuckDB cache.

This is how a data person uses the connector from a notebook (docs/pyairbyte.md), so the test
goes through PyAirbyte's own discover, catalog and cache code, not ours: the DuckDB block of
docs/pyairbyte.md is run here as printed, as integration_tests/test_doc_snippets.py runs every
other runnable block (a fresh checkout, a fresh shell, `run.problems == []`), against a fake on
the sample config's port with non-ASCII names planted in it, and the DuckDB file it leaves is then
checked with SQL: PyAirbyte's full sync runs once per suite.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import shutil
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import unquote, urlsplit

import pytest

from fake_zoom.__main__ import SAMPLE_CONFIG_PORT
from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests import doc_snippets as ds
from integration_tests.sync_support import PlantedValue, discover_streams, plant_non_ascii_names, postgres_dsn_or_skip
from source_zoom.config import DEFAULT_HISTORY_DAYS
from source_zoom.streams import TABLES as CATALOG_TABLES  # the catalog: every table, counted nowhere else

pytestmark = [pytest.mark.integration, pytest.mark.slow]


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
        saved = airbyte_loggers()
        airbyte = importlib.import_module("airbyte")
        try:
            yield airbyte, home
        finally:
            restore(saved)


def airbyte_loggers() -> Dict[str, Tuple[Any, ...]]:
    """How the `airbyte` logger tree is set up. PyAirbyte's package is also called `airbyte`, and it
    turns that logger's propagation off and gives it a file of its own: the CDK logs under the same
    name, so every in-process read in this worker after PyAirbyte would otherwise lose its log lines."""
    names = ["airbyte"] + [name for name in logging.root.manager.loggerDict if name.startswith("airbyte.")]
    return {name: _logger_state(logging.getLogger(name)) for name in names}


def _logger_state(logger: logging.Logger) -> Tuple[Any, ...]:
    return logger.level, logger.propagate, list(logger.handlers), list(logger.filters), logger.disabled


def restore(saved: Dict[str, Tuple[Any, ...]]) -> None:
    for name in ["airbyte"] + [name for name in logging.root.manager.loggerDict if name.startswith("airbyte.")]:
        logger = logging.getLogger(name)
        level, propagate, handlers, filters, disabled = saved.get(name, (logging.NOTSET, True, [], [], False))
        for handler in logger.handlers:
            if handler not in handlers:
                handler.close()
        logger.setLevel(level)
        logger.propagate, logger.handlers, logger.filters, logger.disabled = propagate, handlers, filters, disabled


DOC_BLOCK = ("docs/pyairbyte.md", "source.read()")  # the DuckDB block (the PostgreSQL one reads with cache=)
DEFAULT_CACHE_FILE = Path(".cache") / "default_cache" / "default_cache.duckdb"  # where the block says the read lands


@dataclass(frozen=True)
class DocumentedRead:
    run: ds.Run
    db_file: Path  # the DuckDB file the block's read left in its checkout
    cache: Any  # PyAirbyte's DuckDBCache on that file
    truth: Dict[str, Any]  # the fake's ground truth per table, for the sample config's start date
    keys: Dict[str, List[List[str]]]
    planted: List[PlantedValue]


def sample_config_start_date() -> str:
    """The sample config gives no start_date: the connector starts DEFAULT_HISTORY_DAYS back, at midnight UTC (spec.yaml)."""
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=DEFAULT_HISTORY_DAYS)).strftime("%Y-%m-%dT00:00:00Z")


@pytest.fixture(scope="module")
def read_into_default_cache(pyairbyte, tmp_path_factory) -> DocumentedRead:
    """The docs' DuckDB block, run as printed against a fake on the sample config's port (held
    meanwhile: one user of it at a time) with non-ASCII names and a topic planted first (the
    fake's generated data is ASCII only)."""
    snippet = ds.snippet_containing(*DOC_BLOCK)
    assert "local_executable=\".venv/bin/source-zoom\"" in snippet.code and str(DEFAULT_CACHE_FILE) in snippet.code, snippet.code
    checkout = ds.fresh_checkout(tmp_path_factory.mktemp("checkout"))
    start_date = sample_config_start_date()
    with ds.sample_port(), FakeZoomServer(FakeZoomConfig.default(), port=SAMPLE_CONFIG_PORT) as fake:
        planted = plant_non_ascii_names(fake, start_date)
        run = ds.run_snippet(snippet, checkout, ds.fresh_shell_environment())
        truth = fake.ground_truth(start_date)["tables"]
        keys = {stream["name"]: stream["source_defined_primary_key"] for stream in discover_streams(fake.connector_config(start_date=start_date))}
    db_file = checkout / DEFAULT_CACHE_FILE
    assert run.problems == [] and db_file.exists(), run.describe()
    from airbyte.caches import DuckDBCache

    cache = DuckDBCache(db_path=db_file, cache_dir=tmp_path_factory.mktemp("duckdb-cache-dir"))
    return DocumentedRead(run, db_file, cache, truth, keys, planted)


def test_given_pyairbyte_when_reading_all_streams_then_every_table_lands_in_the_default_duckdb_cache(read_into_default_cache):
    read = read_into_default_cache
    rows = read.cache.run_sql_query(f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{read.cache.schema_name}'")
    tables = {row["table_name"] for row in rows if not row["table_name"].startswith("_airbyte")}  # not PyAirbyte's own

    assert read.run.problems == [], read.run.describe()
    assert tables == {table.stream_name() for table in CATALOG_TABLES}


def test_given_pyairbyte_when_reading_then_sql_row_counts_equal_the_ground_truth(read_into_default_cache):
    truth, keys, cache = read_into_default_cache.truth, read_into_default_cache.keys, read_into_default_cache.cache

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


def test_given_non_ascii_names_and_topics_when_read_into_duckdb_then_the_sql_values_are_unchanged(read_into_default_cache):
    planted, cache = read_into_default_cache.planted, read_into_default_cache.cache

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
    cache = read_into_default_cache.cache
    tables = sorted({table for table, _ in EXPECTED_DUCKDB_TYPES})
    rows = cache.run_sql_query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{cache.schema_name}' AND table_name IN ({', '.join(repr(t) for t in tables)})"
    )
    actual = {(row["table_name"], row["column_name"]): row["data_type"] for row in rows}

    assert {column: actual.get(column) for column in EXPECTED_DUCKDB_TYPES} == EXPECTED_DUCKDB_TYPES


def test_given_pyairbyte_when_reading_then_nested_settings_are_queryable_json(read_into_default_cache):
    cache = read_into_default_cache.cache
    (row,) = cache.run_sql_query(
        "SELECT COUNT(*) AS meetings, "
        "COUNT(*) FILTER (WHERE json_extract_string(settings, '$.encryption_type') = 'enhanced_encryption') AS encrypted, "
        "COUNT(*) FILTER (WHERE json_extract(settings, '$.breakout_room.enable') = 'false') AS without_breakout_rooms "
        f"FROM {cache.schema_name}.meetings"
    )
    expected = read_into_default_cache.truth["meetings"]["count"]

    assert (row["meetings"], row["encrypted"], row["without_breakout_rooms"]) == (expected, expected, expected)


# --- a real destination: PostgreSQL ---------------------------------------------------------------

@pytest.fixture(scope="module")
def postgres_dsn():
    return postgres_dsn_or_skip()


@pytest.fixture(scope="module")
def postgres_cache(pyairbyte, postgres_dsn):
    ab, home = pyairbyte
    from airbyte.caches import PostgresCache

    dsn = urlsplit(postgres_dsn)
    # A schema of its own per run: earlier runs' tables and states never mix in.
    schema = f"zoom_{uuid.uuid4().hex[:12]}"
    cache = PostgresCache(
        host=dsn.hostname, port=dsn.port or 5432, username=unquote(dsn.username or ""), password=unquote(dsn.password or ""),
        database=dsn.path.lstrip("/"), schema_name=schema, cache_dir=home / "postgres-cache",
    )
    yield cache
    cache.run_sql_query(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # run_sql_query commits


def sql_keys(cache, table: str, key_fields: List[List[str]]) -> List[Tuple[Any, ...]]:
    columns = ", ".join(path[0] for path in key_fields)
    rows = cache.run_sql_query(f"SELECT {columns} FROM {cache.schema_name}.{table}")
    return [tuple(as_zoom_value(row[path[0]]) for path in key_fields) for row in rows]


def as_zoom_value(value: Any) -> Any:
    """A key as the ground truth writes it: PyAirbyte types date-time columns as timestamps and
    date columns (the usage reports' `date`) as dates."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_given_pyairbyte_and_postgres_when_a_full_then_an_incremental_sync_load_then_every_table_equals_the_ground_truth_without_duplicate_keys(
    pyairbyte, postgres_cache
):
    ab, _ = pyairbyte
    with FakeZoomServer(FakeZoomConfig.default()) as fake:
        config = fake.connector_config()
        source = ab.get_source("source-zoom", config=config, local_executable=installed_console_script())
        source.select_all_streams()
        keys = {stream.name: stream.source_defined_primary_key for stream in source.discovered_catalog.streams}
        first = source.read(cache=postgres_cache)
        first_requests = fake.stats()["requests_by_endpoint"]
        state_after_first = {s.stream_descriptor.name: s.stream_state for s in postgres_cache.get_state_provider("source-zoom").stream_state_artifacts}

        added = fake.add_data(meetings_per_user=2)
        fake.reset_stats()
        second = source.read(cache=postgres_cache)  # PyAirbyte passes the state the first read left in the cache
        second_requests = fake.stats()["requests_by_endpoint"]
        truth = fake.ground_truth(config["start_date"])["tables"]

    assert set(first.streams) == set(second.streams) == set(truth) and len(truth) == len(CATALOG_TABLES)
    counted, problems = {}, {}
    for table, expected in truth.items():
        got = sql_keys(postgres_cache, table, keys[table])
        counted[table] = len(got)
        duplicated = [key for key, count in Counter(got).items() if count > 1]
        expected_keys = {tuple(key) for key in expected["primary_keys"]}
        if duplicated or set(got) != expected_keys or len(got) != expected["count"]:
            problems[table] = f"rows {len(got)} expected {expected['count']}; duplicated {duplicated[:3]}; missing {sorted(expected_keys - set(got), key=str)[:3]}; extra {sorted(set(got) - expected_keys, key=str)[:3]}"
    assert problems == {}
    # The second read was incremental: it started from the state the first one left, so the
    # participants of the instances that sync had read were not asked for again.
    assert state_after_first.get("report_meeting_participants"), state_after_first
    report_listing = "GET /v2/report/users/{userId}/meetings"
    participants = "GET /v2/report/meetings/{meetingId}/participants"
    assert 0 < second_requests[participants] < first_requests[participants], (first_requests[participants], second_requests[participants])
    print(
        f"\nPostgreSQL ({postgres_cache.schema_name}): full sync, then {added} meetings added and an incremental sync; rows per table "
        + ", ".join(f"{table} {count}" for table, count in sorted(counted.items()))
        + f"; total {sum(counted.values())}, equal to the ground truth, no duplicate keys; meeting participant requests {first_requests[participants]} then {second_requests[participants]}, "
        f"report listings {first_requests[report_listing]} then {second_requests[report_listing]}"
    )
