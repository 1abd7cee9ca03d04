"""SourceZoom: spec, check, discover and a concurrent read of the 22 Zoom tables."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from queue import Full, Queue
from datetime import timedelta
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    FailureType,
    Level,
    Status,
    SyncMode,
    TraceType,
    Type,
)
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.concurrent_source.concurrent_source_adapter import ConcurrentSourceAdapter
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message.repository import InMemoryMessageRepository
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.streams.concurrent.adapters import StreamFacade
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor, FinalStateCursor
from airbyte_cdk.utils import AirbyteTracedException

from source_zoom.auth import ZoomAuthenticator
from source_zoom.closing import CDK_CLOSING_ERROR, UNEXPECTED, TableError, closing_error
from source_zoom.config import parse_config
from source_zoom.horizons import horizon_lines
from source_zoom.login import LOGIN_CHECK, check_login
from source_zoom.incremental import CompletedWindowsCursor, load_state_file, parse_zoom_time, read_beyond_cursor, state_floor
from source_zoom.rate_limits import build_api_budget
from source_zoom.scopes import scope_warning
from source_zoom.stopping import stop_requested
from source_zoom.parents import SyncContext
from source_zoom.streams import ALL_STREAMS, TABLES, build_streams
from source_zoom.sync_report import ReportedSync, UnavailableTable, report_messages
from source_zoom.zoom_stream import ZoomStream

logger = logging.getLogger("airbyte")


class RecordQueue(Queue):
    """The queue records and states travel in. Once the read is over (its consumer gone: a broken
    pipe, Ctrl-C, the CDK's memory fail-fast), a worker's put gives up instead of blocking for
    ever, so the interpreter, which joins every worker at exit, can end."""

    def __init__(self, maxsize: int):
        super().__init__(maxsize=maxsize)
        self.stopped = threading.Event()

    def put(self, item: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        while not (self.stopped.is_set() or stop_requested()):
            try:
                return super().put(item, timeout=0.5)
            except Full:
                continue


HIDDEN_LISTINGS = tuple(stream.stream_name() for stream in ALL_STREAMS if stream.hidden)


class SourceZoom(ConcurrentSourceAdapter):
    message_repository = InMemoryMessageRepository(Level(AirbyteLogFormatter.level_mapping[logger.level]))

    def __init__(self, config: Optional[Mapping[str, Any]] = None, **kwargs: Any):
        # `config` is accepted as Airbyte's Python sources accept it; each command parses the
        # config it is given (sync_context).
        # Records and incremental states share this queue, so a state never overtakes its records.
        self._queue = RecordQueue(maxsize=10_000)
        # Every table is one partition that fans its requests out on the category pools
        # (num_workers each): one CDK worker per table lets all tables read at once.
        concurrent_source = ConcurrentSource.create(
            len(TABLES) + 1, 1, logger, self._slice_logger, self.message_repository, queue=self._queue
        )
        super().__init__(concurrent_source, **kwargs)
        self._context: Optional[SyncContext] = None
        self._context_config_id: Optional[int] = None
        self._streams: List[Stream] = []
        self._streams_context: Optional[SyncContext] = None
        # What the running read asked for; None outside a read (check, discover).
        self._catalog: Optional[ConfiguredAirbyteCatalog] = None
        self._state_manager: Optional[ConnectorStateManager] = None

    # --- one authenticator and one context per process ------------------------------------------

    def sync_context(self, config: Mapping[str, Any]) -> SyncContext:
        if self._context is None or self._context_config_id != id(config):
            zoom_config = parse_config(config)
            authenticator = ZoomAuthenticator(config, zoom_config.oauth_token_url)  # type: ignore[arg-type]
            budget = build_api_budget(zoom_config.rate_limit_plan)
            budget.before_send = authenticator  # signs a request again with the token current when it leaves
            self._context = SyncContext(zoom_config, authenticator, budget)
            self._context_config_id = id(config)
        return self._context

    # --- state ---------------------------------------------------------------------------------

    @classmethod
    def read_state(cls, state_path: str) -> List[AirbyteStateMessage]:
        """An entry this source cannot read is dropped with a warning (incremental.load_state_file)."""
        return load_state_file(state_path)

    # --- check ---------------------------------------------------------------------------------

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        succeeded, message = self.check_connection(logger, config)
        if succeeded:
            self._log_horizons(logger, None)
            return AirbyteConnectionStatus(status=Status.SUCCEEDED, message=self._scope_warning(logger))
        return AirbyteConnectionStatus(status=Status.FAILED, message=message)

    def _scope_warning(self, logger: logging.Logger) -> Optional[str]:
        """The tables the app's token has no scope for (the connection itself works)."""
        message = scope_warning(TABLES, self._context.authenticator.granted_scopes if self._context is not None else None)
        if message:
            logger.warning(message)
        return message

    def _log_horizons(self, logger: logging.Logger, tables: Optional[Iterable[str]]) -> None:
        """One line per horizon of Zoom's that start_date reaches past, for `tables` (None: all)."""
        context = self._context
        if context is None:
            return
        for line in horizon_lines(context.config.start_date, context.config.today.date(), set(tables) if tables is not None else None, context.record_floors):
            logger.warning(line)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, Optional[str]]:
        """The login check (login.py), whose sentence tells the causes apart: the credential, the
        URLs, the network, a missing scope."""
        try:
            refused = check_login(self.sync_context(config)).check_message()
        except AirbyteTracedException as error:
            return False, error.message
        return refused is None, refused

    # --- streams -------------------------------------------------------------------------------

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        context = self.sync_context(config)
        if not self._streams or self._streams_context is not context:
            self._streams = [self._as_concurrent(stream) for stream in build_streams(context) if not stream.hidden]
            self._streams_context = context
        return self._streams

    def _as_concurrent(self, stream: ZoomStream) -> Stream:
        cursor: Cursor = self._incremental_cursor(stream) or FinalStateCursor(stream.name, None, self.message_repository)
        return StreamFacade.create_from_stream(stream, self, logger, {}, cursor)

    def _incremental_cursor(self, stream: ZoomStream) -> Optional[CompletedWindowsCursor]:
        """A cursor for a table the catalog reads incrementally; its state also sets how far back
        this table (and the parents it reads) must list."""
        if self._catalog is None or self._state_manager is None or not stream.cursor_field:
            return None
        if not any(s.stream.name == stream.name and s.sync_mode == SyncMode.incremental for s in self._catalog.streams):
            return None
        context = stream.context
        saved = self._state_manager.get_stream_state(stream.name, None)
        floor = state_floor(
            stream.name,
            stream.cursor_field,
            saved,
            timedelta(days=context.config.lookback_days),
            context.config.start_date,
            context.started_at,
            logger,
        )
        if floor is not None:
            context.record_floors[stream.name] = floor
        saved_time = parse_zoom_time(saved.get(stream.cursor_field)) if floor is not None else None
        # A state from the future (a clock gone wrong) is not kept: this sync's progress replaces it.
        previous = min(saved_time, context.started_at) if saved_time is not None else None
        lookback = timedelta(days=context.config.lookback_days)
        stream.window_cursor = CompletedWindowsCursor(
            stream.name, stream.cursor_field, self._state_manager, self.message_repository, self._queue.put, previous, context.started_at,
            read_beyond=read_beyond_cursor(stream.name, saved, logger),
            settled_before=context.started_at - lookback,
        )
        return stream.window_cursor

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        context = self.sync_context(config)
        self._queue.stopped.clear()
        self._catalog = catalog
        self._state_manager = ConnectorStateManager(state=state)
        context.selected = {configured.stream.name for configured in catalog.streams}
        self._streams = []  # built again, now with the catalog's cursors and the state's floors
        known = {stream.name for stream in self.streams(config)}
        unknown = sorted(s.stream.name for s in catalog.streams if s.stream.name not in known)
        if unknown:
            raise AirbyteTracedException(
                message=f"The catalog names tables this source does not have: {', '.join(unknown)}. Refresh the source schema and select tables again.",
                failure_type=FailureType.config_error,
            )
        started = time.monotonic()
        records: Counter = Counter()
        table_errors: Dict[str, TableError] = {}
        logged_in = False
        try:
            # Once, before any table starts: a refused login ends the sync here with its one sentence.
            check_login(context)
            logged_in = True
            self._log_horizons(logger, context.selected)
            warn_full_refresh_only(logger, catalog)
            for message in super().read(logger, config, catalog, state):
                if message.type == Type.RECORD and message.record is not None:
                    records[message.record.stream] += 1
                elif message.type == Type.TRACE and message.trace is not None and message.trace.type == TraceType.STREAM_STATUS:
                    self._log_stream_end(logger, message, records)
                elif message.type == Type.TRACE and message.trace is not None and message.trace.error is not None and message.trace.error.stream_descriptor:
                    error = message.trace.error
                    name = error.stream_descriptor.name
                    ended = context.report.table_failures.get(name)
                    # How the table ended, as data, when this trace is the table's own ending.
                    ended = ended if ended is not None and ended.message == error.message else None
                    table_errors.setdefault(name, TableError(name, error.message, error.failure_type, ended))
                    if not logger.isEnabledFor(logging.DEBUG) and not error.message.startswith(UNEXPECTED):
                        # The table's sentence says what happened; its traceback is for --debug (a bug keeps it).
                        error.stack_trace = None
                yield message
        except Exception as error:
            # The typed report goes out before the error that ends the sync: that error stays the last message.
            if logged_in:
                yield from report_messages(context.report.reported())
            if isinstance(error, AirbyteTracedException) and error.internal_message == CDK_CLOSING_ERROR:
                raise closing_error(table_errors) from None
            raise
        else:
            yield from report_messages(context.report.reported())
        finally:
            if logged_in:
                self._log_summary(logger, time.monotonic() - started, records)
            # Whatever still runs stops asking Zoom and stops queueing: nothing reads it any more.
            self._queue.stopped.set()
            # A later read on this instance starts from a fresh context (pool, memos, counters).
            context.close()
            self._context = None
            self._streams = []
            self._catalog = self._state_manager = None

    def _log_stream_end(self, logger: logging.Logger, message: AirbyteMessage, records: Counter) -> None:
        status = message.trace.stream_status  # type: ignore[union-attr]
        if status is None or status.status not in (AirbyteStreamStatus.COMPLETE, AirbyteStreamStatus.INCOMPLETE) or self._context is None:
            return
        name = status.stream_descriptor.name
        report = self._context.report
        failed = report.failed_slices[name]
        logger.info(
            f"{name}: {status.status.value.lower()}, {records[name]} records, {report.requests[name]} requests, "
            f"{report.skipped(name)} resources skipped{f', {failed} requests failed after every retry' if failed else ''}."
        )

    def _log_summary(self, logger: logging.Logger, seconds: float, records: Counter) -> None:
        if self._context is None:
            return
        report = self._context.report
        reported = report.reported()
        skips = ", ".join(f"{stream} {count} (code {code})" for (stream, code), count in sorted(skip_counts(reported).items(), key=str)) or "none"
        unavailable = "; ".join(f"{table.table}: {table.reason}" for table in reported.unavailable) or "none"
        hidden = ", ".join(f"{stream} {report.requests[stream]}" for stream in HIDDEN_LISTINGS if report.requests[stream])
        logger.info(
            f"Sync summary: {sum(records.values())} records in {seconds:.1f} s, {sum(report.requests.values())} requests"
            f" ({LOGIN_CHECK} {report.requests[LOGIN_CHECK]}{f', parent listings: {hidden}' if hidden else ''}), "
            f"{self._context.authenticator.token_requests} token request(s); "
            f"skipped resources: {skips}; unavailable tables: {unavailable}.{scopes_to_add(reported.unavailable)}"
        )


def warn_full_refresh_only(logger: logging.Logger, catalog: ConfiguredAirbyteCatalog) -> None:
    """Incremental asked of tables Zoom gives no cursor to: said once, since they run full refresh."""
    no_cursor = {stream.stream_name() for stream in TABLES if not stream.cursor_field}
    asked = sorted(s.stream.name for s in catalog.streams if s.sync_mode == SyncMode.incremental and s.stream.name in no_cursor)
    if asked:
        logger.warning(
            f"Incremental sync was asked for {', '.join(asked)}, which only support full refresh (Zoom lists them with no "
            "date to resume from): they are read in full every sync, and the state holds nothing for them. Set them to "
            "full refresh in the connection to silence this."
        )


def skip_counts(reported: ReportedSync) -> Counter:
    """Resources skipped per table and what the summary names the class by (Zoom's code, a download's reason)."""
    counts: Counter = Counter()
    for skip in reported.skipped:
        counts[(skip.table, skip.named_as)] += skip.count
    return counts


def scopes_to_add(unavailable: Iterable[UnavailableTable]) -> str:
    """The fix for tables Zoom would not serve for want of a scope, said last (empty when none)."""
    scopes = sorted({scope for table in unavailable for scope in table.scopes})
    if not scopes:
        return ""
    return f" To read them, add {', '.join(scopes)} to the Zoom app's scopes; the next sync then reads their whole history."
