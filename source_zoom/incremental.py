"""Incremental syncs of past instances: the state shape, the floor a state gives, and the cursor
that emits state each time a date window is complete.

State, per stream (the CDK's per-stream state): `{"<cursor_field>": "2026-11-26T11:00:00Z"}`,
meaning every instance that started before that time has been read. The next sync reads from
that time minus `lookback_days`, because Zoom publishes reports some time after a meeting ends.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, List, Mapping, MutableMapping, Optional

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, AirbyteStateMessageSerializer, AirbyteStateType, FailureType

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils import AirbyteTracedException

logger = logging.getLogger("airbyte")

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
    """The state of one incremental table, moved forward each time the table has read a date
    window whole (windows are read in order, so everything before it is read too).

    The table's own worker calls `window_read` after yielding the window's last record, and the
    state goes out through `deliver`, the queue the records travel in: it is queued behind the
    records it vouches for. (The CDK's message repository is drained between any two records and
    would let a state overtake records still queued.)"""

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
        self._emitted = False

    @property
    def state(self) -> MutableMapping[str, Any]:
        return {self._cursor_field: format_zoom_time(self._value)} if self._value else {}

    def window_read(self, window_end: date) -> None:
        """Every instance that started up to the end of `window_end` (and before the sync
        started) is read; the state never moves back."""
        completed = min(end_of_day(window_end), self._sync_started_at)
        with self._lock:
            if self._value is not None and completed <= self._value:
                return
            self._value = completed
            message = self._state_message()
        self._deliver(message)

    def observe(self, record: Record) -> None:
        pass

    def close_partition(self, partition: Partition) -> None:
        pass  # the table's one partition delivers its states as it reads its windows

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


def load_state_file(state_path: str) -> List[AirbyteStateMessage]:
    """A state file that is not JSON fails with one sentence; an entry this source cannot read
    is dropped with a warning, and the table it belonged to starts over."""
    if not state_path:
        return []
    try:
        with open(state_path) as state_file:
            saved = json.load(state_file)
    except (OSError, ValueError) as error:
        raise AirbyteTracedException(
            message=f"The state file is not readable JSON ({type(error).__name__}): clear the connection's state to start over from start_date.",
            internal_message=str(error),
            failure_type=FailureType.config_error,
        )
    if not saved:
        return []
    if not isinstance(saved, list):
        raise AirbyteTracedException(
            message="The state is not a list of per-stream state messages, the only shape this source writes: clear the connection's state to start over from start_date.",
            failure_type=FailureType.config_error,
        )
    messages = []
    for entry in saved:
        try:
            message = AirbyteStateMessageSerializer.load(entry)
            if message.type != AirbyteStateType.STREAM or message.stream is None:
                raise ValueError("not a per-stream state")
            messages.append(message)
        except Exception as error:  # any shape the protocol's model rejects
            stream = ((entry.get("stream") or {}).get("stream_descriptor") or {}).get("name") if isinstance(entry, dict) else None
            logger.warning(
                f"Ignored a saved state entry{f' of {stream}' if stream else ''} this source cannot read ({type(error).__name__}); "
                "the table it belonged to starts over from start_date."
            )
    return messages
