"""Incremental syncs of past instances: the state shape, the floor a state gives, and the cursor
that emits state each time a date window is complete.

State, per stream (the CDK's per-stream state): `{"<cursor_field>": "2026-11-26T11:00:00Z"}`,
meaning every instance that started before that time has been read. The next sync reads from
that time minus `lookback_days`, because Zoom publishes reports some time after a meeting ends.

A sync that ends part-way (a daily rate limit, a failed request) has also read things past its
cursor that the cursor cannot vouch for, since something before them is missing. The state keeps
them too, so that the next sync does not pay for them again (a capped account's Heavy requests
are a day's worth each): `"read_beyond_cursor": {"<key>": "<until>"}`, meaning that everything
under `key` (a past instance's uuid, or a user whose report windows were read) that started
before `until` has been read. Only what Zoom will not change any more is kept there (started
before the sync's start minus `lookback_days`), and an entry goes once the cursor passes it.

What keeps a table's state from moving is decided here too: the gaps of what it reads through
(its parents, the listings it joins, their parents) and its own unavailability keep a window
from counting as read (`blocked`: the read path, zoom_stream.read_table, asks after each
window); and how a table ends once read (`end_of_table`): quietly, with a warning, or as a
failure that names what went wrong and says where its state stays. One module, because these
are the rules of what a state may vouch for.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Dict, List, Mapping, MutableMapping, Optional, Protocol

from airbyte_cdk.models import AirbyteMessage, AirbyteStateMessage, AirbyteStateMessageSerializer, AirbyteStateType, FailureType

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.errors import Fault, TableFailure
from source_zoom.memo import Gap
from source_zoom.windows import Window, end_of_day, format_zoom_time, parse_zoom_time  # noqa: F401 (parse_zoom_time: also read from here)

logger = logging.getLogger("airbyte")

# What the CDK writes for a finished full refresh: switching a table to incremental starts it over quietly.
FULL_REFRESH_STATE_KEY = "__ab_no_cursor_state_message"
READ_BEYOND_CURSOR = "read_beyond_cursor"
EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
# At most this many entries past the cursor are kept (a few MB of state); past that, the latest
# are left out and read again by the next sync.
MAX_READ_BEYOND_CURSOR = 50_000


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
    if saved is None and isinstance(state, Mapping) and set(state) == {READ_BEYOND_CURSOR}:
        return None  # a first sync that ended part-way: from start_date, without what it read
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


def read_beyond_cursor(stream_name: str, state: Optional[Mapping[str, Any]], logger: logging.Logger) -> Dict[str, datetime]:
    """What a saved state says was read past its cursor; an entry this source cannot read is left
    out (it is read again), said once."""
    saved = state.get(READ_BEYOND_CURSOR) if isinstance(state, Mapping) else None
    if saved is None:
        return {}
    entries = {key: parse_zoom_time(value) for key, value in saved.items()} if isinstance(saved, Mapping) else {}
    readable = {key: until for key, until in entries.items() if isinstance(key, str) and until is not None}
    if not isinstance(saved, Mapping) or len(readable) < len(saved):
        logger.warning(f"{stream_name}: part of the saved state's {READ_BEYOND_CURSOR} is not readable; what it named is read again.")
    return readable


class CompletedWindowsCursor(Cursor):
    """The state of one incremental table, moved forward each time the table has read a date
    window whole (windows are read in order, so everything before it is read too), and what the
    table read beyond it (`read_beyond_cursor`, see the module's docstring).

    The table's own worker calls `window_read` after yielding the window's last record, and
    `slice_read` after yielding each slice's; the state goes out through `deliver`, the queue the
    records travel in: it is queued behind the records it vouches for. (The CDK's message
    repository is drained between any two records and would let a state overtake records still
    queued.)"""

    def __init__(
        self,
        stream_name: str,
        cursor_field: str,
        state_manager: ConnectorStateManager,
        message_repository: MessageRepository,
        deliver: Callable[[AirbyteMessage], None],
        previous: Optional[datetime],
        sync_started_at: datetime,
        read_beyond: Optional[Mapping[str, datetime]] = None,
        settled_before: Optional[datetime] = None,
    ):
        self._stream_name = stream_name
        self._cursor_field = cursor_field
        self._state_manager = state_manager
        self._message_repository = message_repository
        self._deliver = deliver
        self._value = previous
        self._sync_started_at = sync_started_at
        # Data that started before this can no longer change (the sync's start minus the lookback).
        self._settled_before = settled_before or sync_started_at
        self._read_beyond: Dict[str, datetime] = dict(read_beyond or {})
        self._unsaved = False  # read_beyond changed since the last state went out
        self._lock = threading.Lock()
        self._emitted = False

    @property
    def state(self) -> MutableMapping[str, Any]:
        state: Dict[str, Any] = {self._cursor_field: format_zoom_time(self._value)} if self._value else {}
        beyond = {key: until for key, until in self._read_beyond.items() if self._value is None or until > self._value}
        if beyond:
            kept = sorted(beyond.items(), key=lambda item: item[1])[:MAX_READ_BEYOND_CURSOR]
            state[READ_BEYOND_CURSOR] = {key: format_zoom_time(until) for key, until in kept}
        return state

    def read_until(self, key: str) -> Optional[datetime]:
        """Everything under `key` that started before this time was read (by this or an earlier sync)."""
        with self._lock:
            return self._read_beyond.get(key)

    def slice_read(self, key: str, until: datetime, after: Optional[datetime] = None) -> None:
        """A slice is read whole and its records are out: everything under `key` that started
        before `until` is read, if everything under it before `after` was read already (the
        cursor, or an earlier slice or sync, covers it). Kept only for what can no longer change."""
        until = min(until, self._settled_before)
        with self._lock:
            covered = max(self._read_beyond.get(key, EARLIEST), self._value or EARLIEST)
            if until <= covered or (after is not None and after > covered):
                return
            self._read_beyond[key] = until
            self._unsaved = True

    def checkpoint(self) -> None:
        """Sends the state if what was read beyond the cursor grew since the last one."""
        with self._lock:
            if not self._unsaved:
                return
            message = self._state_message()
        self._deliver(message)

    def window_read(self, window_end: date, unfinished_since: Optional[datetime] = None) -> None:
        """Every instance that started up to the end of `window_end` (and before the sync
        started) is read, except one Zoom has not finished (a call in progress, left out until a
        later sync finds it whole): the state stops at its start. The state never moves back."""
        completed = min(end_of_day(window_end), self._sync_started_at)
        if unfinished_since is not None:
            completed = min(completed, unfinished_since)
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
        self._unsaved = False
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


# --- what keeps a table short, and how it ends ---


class Reader(Protocol):
    """What the verdict needs of a table or a listing (a zoom_stream.ZoomStream): its name, what it
    reads through, and where its failure is kept and said."""

    name: str
    context: Any  # parents.SyncContext: the memos, the report
    sources: List[Any]
    logger: logging.Logger

    def is_short_without(self, source: Any) -> bool: ...


def upstream_gaps(stream: Reader) -> List[Gap]:
    """What the stream reads through that is short: gaps of its sources' listings (and theirs),
    and sources Zoom would not serve at all (unavailable: a gap from the beginning). A listing
    joined only for what it reads for its own table anyway (`Join.only_what_it_reads_anyway`) adds
    nothing another source lacks, and what an enriching listing lacks is asked one by one, so
    neither makes its reader short (parents.GraphNode.is_short_without)."""
    found: List[Gap] = []
    for source in stream.sources:
        if not stream.is_short_without(source):
            continue
        unavailable = stream.context.report.unavailable.get(source.name)
        if unavailable:
            said = source.name in stream.context.report.said_for_product
            found.append(Gap(f"{source.name} is unavailable ({unavailable})", None, 0, unavailable=True, said=said))
        found += [gap.through(source.name) for gap in stream.context.memo(source).gaps] + upstream_gaps(source)
    return found


def blocked(stream: Reader, window: Optional[Window]) -> bool:
    """Whether an upstream gap or the stream's own unavailability keeps this window from counting as read."""
    if stream.context.report.unavailable.get(stream.name):
        return True
    return any(gap.reaches(window) for gap in upstream_gaps(stream))


def end_of_table(stream: Reader, gaps: List[Gap]) -> None:
    """A table that read everything ends quietly; one whose parents were unavailable ends with a
    warning (it is not this sync's fault, and the state waits for the data); any other gap ends it
    incomplete, with the first failure named and the failure type of what went wrong: an answer
    no retry changes (system_error) before a daily cap before Zoom or the network failing
    (transient_error, which the platform retries on its own)."""
    upstream = upstream_gaps(stream)
    failed = [gap for gap in gaps + upstream if not gap.unavailable]
    if not failed:
        if any(not gap.said for gap in upstream):
            stream.logger.warning(
                f"{stream.name}: not read, because {upstream[0].message}; its state stays where it was, so the next "
                "sync after Zoom serves it reads this table's whole history."
            )
        return
    own = [gap for gap in gaps if not gap.unavailable]
    refused = [gap for gap in own if gap.failure_type == FailureType.system_error]
    if refused:
        fail(stream, TableFailure(
            stream.name,
            f"{stream.name} is incomplete: Zoom refused {sum(gap.requests for gap in refused)} request(s) (first: "
            f"{refused[0].message}). Its state stays before the gap while the other tables finish, and asking again gets the "
            "same answer: report this message to the connector's maintainers.",
            FailureType.system_error,
            cause=refused[0].failure,
            names_own=True,
        ), internal_message="; ".join(gap.message for gap in failed[:3]))
    daily = next((gap.failure for gap in failed if gap.failure is not None and gap.failure.fault == Fault.DAILY_CAP), None)
    if daily is not None:
        fail(stream, TableFailure(
            stream.name,
            f"{stream.name} stopped at Zoom's daily {daily.category + ' ' if daily.category else ''}rate limit, used up until "
            f"{daily.resets_at:%Y-%m-%dT%H:%M:%SZ}: what it read is in its state, and a sync after that time continues from there.",
            FailureType.transient_error,
            daily_cap=daily,
        ), internal_message="; ".join(gap.message for gap in failed[:3]))
    problems = []
    requests = sum(gap.requests for gap in own)
    if requests:
        problems.append(f"{requests} request(s) failed after every retry (first: {own[0].message})")
    upstream_failed = [gap for gap in upstream if not gap.unavailable]
    if upstream_failed:
        problems.append(f"a parent listing is incomplete ({upstream_failed[0].message})")
    if not problems:  # only a stop: nothing after it reaches anyone
        problems.append(own[0].message)
    fail(stream, TableFailure(
        stream.name,
        f"{stream.name} is incomplete: {'; '.join(problems)}. Its state did not move past the gap; run the sync again.",
        FailureType.transient_error,
        cause=own[0].failure if requests else (upstream_failed[0].failure if upstream_failed else None),
        names_own=bool(requests),
    ))


def fail(stream: Reader, failure: TableFailure, internal_message: Optional[str] = None) -> None:
    """Ends the table with its failure: kept as data for the sync's closing sentence, raised as its error."""
    stream.context.report.table_failed(failure)
    raise AirbyteTracedException(message=failure.message, internal_message=internal_message, failure_type=failure.failure_type)
