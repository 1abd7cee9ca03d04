"""The stream graph checked as data, without any HTTP (as dlt checks its resource graph)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from source_zoom.declarations import CATEGORIES, FILE_DOWNLOADS, FILES
from source_zoom.downloads import FileTable
from source_zoom.streams import ALL_STREAMS, TABLES
from source_zoom.windows import Windows

API_STREAMS = [stream for stream in ALL_STREAMS if not issubclass(stream, FileTable)]
FILE_TABLES = [stream for stream in ALL_STREAMS if issubclass(stream, FileTable)]

SCHEMAS = Path(__file__).resolve().parent.parent / "source_zoom" / "schemas"


def test_given_the_registry_then_every_parent_and_join_is_registered_and_listed_before_its_readers():
    order = {stream: position for position, stream in enumerate(ALL_STREAMS)}
    for stream in ALL_STREAMS:
        sources = [stream.parent, *(join.stream for join in stream.joins), stream.enriched_by.stream if stream.enriched_by else None]
        for source in sources:
            if source is not None:
                assert source in order, f"{stream.__name__} reads {source.__name__}, which is not registered"
                assert order[source] < order[stream], f"{stream.__name__} is listed before {source.__name__}"


def test_given_the_registry_then_the_graph_has_no_cycle():
    for stream in ALL_STREAMS:
        seen, current = set(), stream
        while current is not None:
            assert current not in seen, f"cycle through {current.__name__}"
            seen.add(current)
            current = current.parent


def test_given_the_registry_then_names_are_unique_and_every_table_has_a_schema_file():
    names = [stream.stream_name() for stream in ALL_STREAMS]
    assert len(names) == len(set(names))
    assert len(TABLES) == len(list((Path(__file__).resolve().parent.parent / "source_zoom" / "schemas").glob("*.json")))


def test_given_the_tables_then_each_has_a_schema_file_and_each_schema_file_a_table():
    tables = {stream.stream_name() for stream in TABLES}
    files = {path.stem for path in SCHEMAS.glob("*.json")}
    assert tables - files == set(), "tables without a schema"
    assert files - tables == set(), "schemas without a table"


@pytest.mark.parametrize("stream", API_STREAMS, ids=lambda s: s.stream_name())
def test_given_a_stream_then_its_endpoint_has_exactly_one_rate_category(stream):
    assert stream.path_template == stream.endpoint.path  # the path is the endpoint's, declared once
    assert stream.endpoint.category in CATEGORIES, f"{stream.stream_name()}: {stream.path_template} has category {stream.endpoint.category}"
    assert stream.endpoint.api != FILES


@pytest.mark.parametrize("stream", FILE_TABLES, ids=lambda s: s.stream_name())
def test_given_a_table_of_downloaded_files_then_it_is_no_api_endpoint_and_runs_on_the_download_pool(stream):
    # Zoom documents no rate category for download_url: the call budget has no policy for it.
    assert stream.endpoint.category is None and stream.endpoint.api == FILES
    assert stream.parent is not None and stream.files_field
    assert stream.endpoint.pool == FILE_DOWNLOADS


@pytest.mark.parametrize("stream", API_STREAMS, ids=lambda s: s.stream_name())
def test_given_a_stream_then_its_path_names_only_what_its_parent_gives(stream):
    placeholders = set(re.findall(r"\{([^}]+)\}", stream.path_template))
    assert placeholders <= {"id", "uuid"}
    if placeholders:
        assert stream.parent is not None, f"{stream.stream_name()} needs a parent for {placeholders}"


@pytest.mark.parametrize("stream", ALL_STREAMS, ids=lambda s: s.stream_name())
def test_given_a_stream_then_its_date_policy_fits_where_it_hangs(stream):
    if stream.dates.windows == Windows.BY_PARENT_START:
        assert stream.parent is not None and stream.parent.dates.keeps_only_recent_instances, f"{stream.stream_name()} groups by a parent that is not a past instance"
    if stream.cursor_field:
        assert stream.dates.windows != Windows.NONE, f"{stream.stream_name()} is incremental but not windowed"
    if stream.dates.within_report_horizon:
        assert stream.dates.windows == Windows.REQUESTED


@pytest.mark.parametrize("stream", [s for s in ALL_STREAMS if s.stamp_from_parent], ids=lambda s: s.stream_name())
def test_given_a_child_then_its_stamps_come_from_fields_the_parent_has_or_is_keyed_by(stream):
    parent = stream.parent
    assert parent is not None
    # What a parent record carries for sure: its key, its id, its uuid and its own stamps.
    known = set(parent.stamp_from_parent) | set(parent.stamp_from_self) | {"id", "uuid", "start_time"}
    known |= set(parent.primary_key if isinstance(parent.primary_key, list) else [parent.primary_key])
    assert set(stream.stamp_from_parent.values()) <= known, (stream.stream_name(), set(stream.stamp_from_parent.values()) - known)
