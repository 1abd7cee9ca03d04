"""The incremental cursor's bookkeeping and the floor a saved state gives, without HTTP."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any, List

import pytest

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message.repository import InMemoryMessageRepository

from source_zoom.incremental import CompletedWindowsCursor, state_floor

STARTED = datetime(2026, 11, 26, 11, 0, 0, tzinfo=timezone.utc)
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
LOGGER = logging.getLogger("test")


def cursor_with_deliveries(previous=None):
    delivered: List[Any] = []
    cursor = CompletedWindowsCursor(
        "report_meetings", "start_time", ConnectorStateManager(), InMemoryMessageRepository(), delivered.append, previous, STARTED
    )
    return cursor, delivered


def saved_values(delivered) -> List[str]:
    return [message.state.stream.stream_state.start_time for message in delivered]


def test_given_windows_read_in_order_when_each_ends_then_the_state_moves_to_its_end_and_the_last_to_the_sync_start():
    cursor, delivered = cursor_with_deliveries()

    cursor.window_read(date(2026, 9, 30))
    cursor.window_read(date(2026, 10, 31))
    cursor.window_read(date(2026, 11, 26))

    # The last window is today: only what started before the sync started is known to be read.
    assert saved_values(delivered) == ["2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-11-26T11:00:00Z"]


def test_given_a_saved_state_when_a_window_ends_before_it_then_the_state_never_moves_back():
    cursor, delivered = cursor_with_deliveries(previous=datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))

    cursor.window_read(date(2026, 11, 24))

    assert delivered == []
    assert cursor.state == {"start_time": "2026-11-25T09:00:00Z"}


def test_given_nothing_delivered_when_the_stream_ends_then_one_state_is_still_emitted():
    repository = InMemoryMessageRepository()
    cursor = CompletedWindowsCursor("cloud_recordings", "start_time", ConnectorStateManager(), repository, [].append, None, STARTED)

    cursor.ensure_at_least_one_state_emitted()

    assert len(list(repository.consume_queue())) == 1


def test_given_a_state_delivered_when_the_stream_ends_then_no_second_state_is_emitted():
    repository = InMemoryMessageRepository()
    cursor = CompletedWindowsCursor("cloud_recordings", "start_time", ConnectorStateManager(), repository, [].append, None, STARTED)
    cursor.window_read(date(2026, 11, 26))

    cursor.ensure_at_least_one_state_emitted()

    assert list(repository.consume_queue()) == []


@pytest.mark.parametrize(
    "saved, expected",
    [
        (None, None),
        ({}, None),
        ({"__ab_no_cursor_state_message": True}, None),
        ({"start_time": "2026-11-20T08:00:00Z"}, datetime(2026, 11, 19, 8, 0, tzinfo=timezone.utc)),
        ({"start_time": "2025-06-01T00:00:00Z"}, START_DATE),  # never before start_date
        ({"start_time": "2027-01-01T00:00:00Z"}, STARTED - timedelta(days=1)),  # a future state is capped at now
        ({"start_time": "garbage"}, None),
        ({"start_time": 17}, None),
    ],
)
def test_state_floor(saved, expected):
    assert state_floor("report_meetings", "start_time", saved, timedelta(days=1), START_DATE, STARTED, LOGGER) == expected
