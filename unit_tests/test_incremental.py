"""The incremental cursor's bookkeeping and the floor a saved state gives, without HTTP."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from typing import Any, List, Mapping

import pytest

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message.repository import InMemoryMessageRepository

from source_zoom.incremental import WINDOW_END, CompletedWindowsCursor, state_floor

STARTED = datetime(2026, 11, 26, 11, 0, 0, tzinfo=timezone.utc)
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)
LOGGER = logging.getLogger("test")


class FakePartition:
    def __init__(self, window_end: date):
        self.window_end = window_end

    def to_slice(self) -> Mapping[str, Any]:
        return {WINDOW_END: self.window_end.isoformat()}


def cursor_with_deliveries(previous=None):
    delivered: List[Any] = []
    cursor = CompletedWindowsCursor(
        "report_meetings", "start_time", ConnectorStateManager(), InMemoryMessageRepository(), delivered.append, previous, STARTED
    )
    return cursor, delivered


def saved_values(delivered) -> List[str]:
    return [message.state.stream.stream_state.start_time for message in delivered]


def test_given_a_later_window_closing_first_when_the_earlier_closes_then_state_moves_over_both():
    cursor, delivered = cursor_with_deliveries()
    october, november = date(2026, 10, 31), date(2026, 11, 26)
    cursor.slice_created(october)
    cursor.window_sliced(october)
    cursor.slice_created(november)
    cursor.window_sliced(november)

    cursor.close_partition(FakePartition(november))
    assert delivered == []  # october is still being read: the state must not skip it

    cursor.close_partition(FakePartition(october))
    assert saved_values(delivered) == ["2026-11-26T11:00:00Z"]  # the last window ends at the sync's start


def test_given_a_window_with_no_slices_when_it_is_sliced_then_state_moves_past_it():
    cursor, delivered = cursor_with_deliveries()

    cursor.window_sliced(date(2026, 9, 30))

    assert saved_values(delivered) == ["2026-10-01T00:00:00Z"]


def test_given_a_window_still_being_sliced_when_its_slices_close_then_state_waits():
    cursor, delivered = cursor_with_deliveries()
    window = date(2026, 9, 30)
    cursor.slice_created(window)
    cursor.close_partition(FakePartition(window))
    assert delivered == []  # more slices of the window may still come

    cursor.window_sliced(window)
    assert saved_values(delivered) == ["2026-10-01T00:00:00Z"]


def test_given_a_saved_state_when_a_window_ends_before_it_then_the_state_never_moves_back():
    cursor, delivered = cursor_with_deliveries(previous=datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))

    cursor.window_sliced(date(2026, 11, 24))

    assert delivered == []
    assert cursor.state == {"start_time": "2026-11-25T09:00:00Z"}


def test_given_nothing_delivered_when_the_stream_ends_then_one_state_is_still_emitted():
    repository = InMemoryMessageRepository()
    cursor = CompletedWindowsCursor("cloud_recordings", "start_time", ConnectorStateManager(), repository, [].append, None, STARTED)

    cursor.ensure_at_least_one_state_emitted()

    assert len(list(repository.consume_queue())) == 1


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
