"""Incremental syncs of past instances: the state shape, the floor a state gives, and the cursor
that emits state each time a date window is complete.

State, per stream (the CDK's per-stream state): `{"<cursor_field>": "2026-11-26T11:00:00Z"}`,
meaning every instance that started before that time has been read. The next sync reads from
that time minus `lookback_days`, because Zoom publishes reports some time after a meeting ends.
"""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Dict, List, Mapping, MutableMapping, Optional

from airbyte_cdk.models import AirbyteMessage

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

WINDOW_END = "window_end"
# What the CDK writes for a finished full refresh: switching a table to incremental starts it over quietly.
FULL_REFRESH_STATE_KEY = "__ab_no_cursor_state_message"


def parse_zoom_time(value: Any) -> Optional[datetime]:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_zoom_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def state_floor(
    stream_name: str,
    cursor_field: str,
    state: Optional[Mapping[str, Any]],
    lookback: timedelta,
    start_date: datetime,
    now: datetime,
    logger: logging.Logger,
) -> Optional[datetime]:
    """The earliest instance start the next read needs, or None to read from start_date."""
    if not state or (isinstance(state, Mapping) and set(state) == {FULL_REFRESH_STATE_KEY}):
        return None
    saved = parse_zoom_time(state.get(cursor_field)) if isinstance(state, Mapping) else None
    if saved is None:
        logger.warning(
            f"{stream_name}: the saved state {dict(state) if isinstance(state, Mapping) else state!r} has no "
            f"'{cursor_field}' timestamp this source can read; this table starts over from start_date."
        )
        return None
    if saved > now:
        logger.warning(f"{stream_name}: the saved state {format_zoom_time(saved)} lies in the future; reading from now minus the lookback.")
        saved = now
    return max(start_date, saved - lookback)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)


class CompletedWindowsCursor(Cursor):
    """Emits state when every slice of a date window, and of every window before it, is read.

    A stream announces its windows in order while it slices (`slice_created`, `window_sliced`);
    slices of later windows may finish first, but the state only moves past a window once
    nothing before it is outstanding, so a sync stopped half-way resumes without a gap.

    The state goes out through `deliver`, the queue the partitions' records travel in: the
    worker that closes a partition has queued its records already, so no state can overtake
    the records it vouches for (the CDK's message repository is drained between records of
    other partitions and would let it)."""

    def __init__(
        self,
        stream_name: str,
        cursor_field: str,
        state_manager: ConnectorStateManager,
        message_repository: MessageRepository,
        deliver: Callable[[AirbyteMessage], None],
        previous: Optional[datetime],
        sync_started_at: datetime,
    ):
        self._stream_name = stream_name
        self._cursor_field = cursor_field
        self._state_manager = state_manager
        self._message_repository = message_repository
        self._deliver = deliver
        self._value = previous
        self._sync_started_at = sync_started_at
        self._lock = threading.Lock()
        self._windows: List[date] = []
        self._outstanding: Dict[date, int] = {}
        self._sliced: set = set()
        self._first_incomplete = 0
        self._emitted = False

    @property
    def state(self) -> MutableMapping[str, Any]:
        return {self._cursor_field: format_zoom_time(self._value)} if self._value else {}

    def slice_created(self, window_end: date) -> None:
        with self._lock:
            if window_end not in self._outstanding:
                self._windows.append(window_end)
                self._outstanding[window_end] = 0
            self._outstanding[window_end] += 1

    def window_sliced(self, window_end: date) -> None:
        with self._lock:
            if window_end not in self._outstanding:
                self._windows.append(window_end)
                self._outstanding[window_end] = 0
            self._sliced.add(window_end)
        self._advance()

    def observe(self, record: Record) -> None:
        pass

    def close_partition(self, partition: Partition) -> None:
        window = (partition.to_slice() or {}).get(WINDOW_END)
        if window is None:
            return
        with self._lock:
            self._outstanding[date.fromisoformat(window)] -= 1
        self._advance()

    def _advance(self) -> None:
        with self._lock:
            moved = False
            while self._first_incomplete < len(self._windows):
                window = self._windows[self._first_incomplete]
                if window not in self._sliced or self._outstanding[window] > 0:
                    break
                self._first_incomplete += 1
                moved = True
            if not moved:
                return
            completed = min(end_of_day(self._windows[self._first_incomplete - 1]), self._sync_started_at)
            if self._value is not None and completed <= self._value:
                return
            self._value = completed
            self._deliver(self._state_message())

    def _state_message(self) -> AirbyteMessage:
        self._state_manager.update_state_for_stream(self._stream_name, None, self.state)
        self._emitted = True
        return self._state_manager.create_state_message(self._stream_name, None)

    def ensure_at_least_one_state_emitted(self) -> None:
        # Called on the main thread once every record of the stream is out.
        with self._lock:
            if not self._emitted:
                self._message_repository.emit_message(self._state_message())

    def should_be_synced(self, record: Record) -> bool:
        return True
