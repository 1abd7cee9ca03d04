"""Entry point of `source-zoom` and `python main.py`.

Before the CDK sees them, the command line and the files it names are checked here: a config,
catalog or state file that is missing, unreadable, not JSON or of the wrong shape ends the run
with one config_error trace that names the file and what to fix, never with a stack trace.

The platform cancels a sync with SIGTERM (then SIGKILL after its grace period). On SIGTERM the
stop flag (source_zoom.stopping) is set, the message being printed is finished and nothing after
it is, and the process exits at the next message, or after STOP_GRACE_SECONDS at the latest when
no message comes (every worker stuck in a request): every state already emitted stays true, since
a state is only emitted after the records it covers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import signal
import sys
import threading
from typing import Any, List, Mapping, NoReturn, Optional

import orjson
import requests

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER, is_platform_debug_log_enabled
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteLogMessage,
    AirbyteMessage,
    AirbyteMessageSerializer,
    ConfiguredAirbyteCatalogSerializer,
    ConnectorSpecification,
    FailureType,
    Level,
    Status,
    Type,
)
from airbyte_cdk.sources.streams.http.exceptions import BaseBackoffException
from airbyte_cdk.utils import AirbyteTracedException
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets

from source_zoom.auth import config_error
from source_zoom.config import parse_config
from source_zoom.config_migrations import MigrateLegacyConfig
from source_zoom.source import SourceZoom
from source_zoom.stopping import request_stop, stop_requested

logger = logging.getLogger("airbyte")

# The exit status of a process ended by SIGTERM, as a shell reports it.
EXIT_ON_SIGTERM = 128 + signal.SIGTERM
# How long after SIGTERM the process may wait for its next message before it exits anyway: well
# inside the 10 s the platform is promised, with room for the flush.
STOP_GRACE_SECONDS = 5.0
INTERRUPTED = "Interrupted (Ctrl-C): the last state emitted is where the next sync resumes."
OUTPUT_CLOSED = "The reader of this sync's output went away: the last state it received is where the next sync resumes."
FLUSH_LOCK_SECONDS = 2.0

USAGE = (
    "run `source-zoom spec`, `check --config CONFIG`, `discover --config CONFIG` "
    "or `read --config CONFIG --catalog CATALOG [--state STATE]`"
)
# What a person should do about each file, said once for every way the file can be wrong.
FIX = {
    "config": "give the path of the connector's config JSON object (see `source-zoom spec`)",
    "catalog": "give the path of a configured catalog JSON object with a non-empty 'streams' list, built from `source-zoom discover`",
    "state": "clear the connection's state to start over from start_date (by hand: leave --state out), or give the state the last sync emitted (a JSON list of per-stream states)",
}


class ZoomEntrypoint(AirbyteEntrypoint):
    @staticmethod
    def validate_connection(source_spec: ConnectorSpecification, config: Any) -> None:
        # Our checks first: the JSON-schema validator's wording for a oneOf ("{} is not valid
        # under any of the given schemas") does not tell a person what to fix.
        parse_config(config)
        AirbyteEntrypoint.validate_connection(source_spec, config)


# --- the command line and its files --------------------------------------------------------------


def parse_command_line(args: List[str]) -> argparse.Namespace:
    """The CDK's parser, whose usage errors (a missing --catalog, an option a command does not
    take) become one config_error sentence instead of argparse's usage text and exit code 2."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            return AirbyteEntrypoint.parse_args(args)
    except SystemExit as exit_:
        if exit_.code in (0, None):  # --help: argparse's text is the answer
            sys.stderr.write(captured.getvalue())
            raise
        complaint = captured.getvalue().strip().splitlines()[-1:] or ["the arguments are not understood"]
        problem = complaint[0].split("error: ", 1)[-1]
        raise config_error(f"The command line is not one this connector takes ({problem}): {USAGE}.", captured.getvalue())


def load_json_file(kind: str, path: str) -> Any:
    """The parsed content of the `kind` file at `path`; every way it cannot be read is one sentence."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        raise config_error(f"The {kind} file {path} does not exist: {FIX[kind]}.")
    except IsADirectoryError:
        raise config_error(f"The {kind} file {path} is a directory, not a file: {FIX[kind]}.")
    except OSError as error:
        raise config_error(f"The {kind} file {path} cannot be read ({error.strerror or type(error).__name__}): {FIX[kind]}.", str(error))
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise config_error(f"The {kind} file {path} is not UTF-8 text: {FIX[kind]}.", str(error))
    except json.JSONDecodeError as error:
        where = "it is empty" if not raw.strip() else f"line {error.lineno} column {error.colno}: {error.msg}"
        raise config_error(f"The {kind} file {path} is not JSON ({where}): {FIX[kind]}.", str(error))


def check_config_file(path: str) -> None:
    config = load_json_file("config", path)
    if not isinstance(config, dict):
        raise config_error(f"The config file {path} holds a JSON {json_type(config)}, not an object: {FIX['config']}.")


def check_catalog_file(path: str) -> None:
    catalog = load_json_file("catalog", path)
    if not isinstance(catalog, dict):
        raise config_error(f"The catalog file {path} holds a JSON {json_type(catalog)}, not an object: {FIX['catalog']}.")
    streams = catalog.get("streams")
    if not isinstance(streams, list) or not streams:
        said = "has no 'streams'" if streams is None else f"has 'streams' {json_type(streams)}" if not streams else "has 'streams' that is not a list"
        raise config_error(f"The catalog file {path} {said}: {FIX['catalog']}.")
    try:
        ConfiguredAirbyteCatalogSerializer.load(catalog)
    except Exception as error:  # the protocol model's own wording is in the internal message
        raise config_error(
            f"The catalog file {path} is not a configured catalog (each stream needs 'stream' with 'name', 'json_schema' "
            f"and 'supported_sync_modes', plus 'sync_mode' and 'destination_sync_mode'): {FIX['catalog']}.",
            f"{type(error).__name__}: {error}",
        )


def check_state_file(path: str) -> None:
    state = load_json_file("state", path)
    if state in (None, [], {}):  # "no state yet", as some platforms write it
        return
    if not isinstance(state, list):
        raise config_error(f"The state file {path} holds a JSON {json_type(state)}, not a list of per-stream states: {FIX['state']}.")
    not_objects = [position for position, entry in enumerate(state) if not isinstance(entry, dict)]
    if not_objects:
        raise config_error(
            f"The state file {path} is a list whose entry {not_objects[0]} is a JSON {json_type(state[not_objects[0]])}, "
            f"not a per-stream state object: {FIX['state']}."
        )
    # An object this source cannot read as a state is dropped with a warning and its table starts
    # over (SourceZoom.read_state): one bad entry does not cost the other tables their progress.


def json_type(value: Any) -> str:
    if isinstance(value, list):
        return "empty list" if not value else "list"
    if isinstance(value, dict):
        return "empty object" if not value else "object"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "null"


def check_files(parsed_args: argparse.Namespace) -> None:
    """The files a command reads, in the order the CDK would read them."""
    if getattr(parsed_args, "config", None) is not None:
        check_config_file(parsed_args.config)
    if getattr(parsed_args, "catalog", None) is not None:
        check_catalog_file(parsed_args.catalog)
    if getattr(parsed_args, "state", None) is not None:
        check_state_file(parsed_args.state)


def _config_from_args(args: List[str]) -> Optional[Mapping[str, Any]]:
    """The number of workers is fixed when the source is built, before the CDK reads the config.
    Only called once the config file has been checked; anything else is left to the CDK."""
    config_path = AirbyteEntrypoint.extract_config(args)
    if not config_path:
        return None
    try:
        with open(config_path) as config_file:
            config = json.load(config_file)
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) else None


# --- output ---------------------------------------------------------------------------------------


def emit(message: AirbyteMessage) -> None:
    """One message, one write: concurrent output never interleaves inside a line."""
    print(f"{filter_secrets(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode())}\n", end="", flush=True)


def end_with_error(error: AirbyteTracedException, command: Optional[str]) -> NoReturn:
    """A failure the connector explains (a config, catalog or state to fix, a refused login, a sync
    whose tables failed): its sentence, last, without a stack trace. `check` answers a config error
    FAILED as the protocol asks (exit 0); everything else exits 1."""
    logger.error(error.message)
    PRINT_BUFFER.flush()  # the log line before the trace, never after it
    message = error.as_airbyte_message()
    message.trace.error.stack_trace = None  # type: ignore[union-attr]
    emit(message)
    if command == "check" and error.failure_type == FailureType.config_error:
        emit(AirbyteMessage(type=Type.CONNECTION_STATUS, connectionStatus=AirbyteConnectionStatus(status=Status.FAILED, message=error.message)))
        sys.exit(0)
    sys.exit(1)


class NoTracebackForExplainedFailures(logging.Filter):
    """The CDK logs a traceback with each failed table ("Exception while syncing stream ...") and
    each request that ran out of retries; the table's error already says what happened and what to
    do, so those log lines keep their text and lose the traceback (kept with --debug). A failure
    the connector does not explain (a bug) keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        failure = record.exc_info[1] if record.exc_info else None
        if isinstance(failure, EXPLAINED_FAILURES):
            record.exc_info = None
            record.exc_text = None
        return True


# Failures that reach a person as a sentence of the connector's (a table's error, a login's).
EXPLAINED_FAILURES = (AirbyteTracedException, BaseBackoffException, requests.RequestException)


def hide_explained_tracebacks(debug: bool) -> None:
    if debug or is_platform_debug_log_enabled():
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, NoTracebackForExplainedFailures) for existing in handler.filters):
            handler.addFilter(NoTracebackForExplainedFailures())


# --- cancellation ---------------------------------------------------------------------------------


def install_stop_handler() -> None:
    """SIGTERM sets the stop flag and starts the watchdog. The handler runs in the main thread
    between two bytecodes, never inside a print, and does no output itself: a write it interrupts
    completes first (PEP 475), so no line is ever cut."""

    def on_sigterm(signum: int, frame: Any) -> None:
        if stop_requested():
            return
        request_stop()
        threading.Thread(target=exit_after_grace, name="stop-watchdog", daemon=True).start()

    signal.signal(signal.SIGTERM, on_sigterm)


def exit_after_grace() -> None:
    """The main thread exits at its next message; when none comes in STOP_GRACE_SECONDS, this does."""
    threading.Event().wait(STOP_GRACE_SECONDS)
    exit_stopped("no message came within the grace period; threads still running were dropped")


def exit_after_grace_with(code: int) -> None:
    """Ends the process with `code` if it is still alive STOP_GRACE_SECONDS from now (its output is gone)."""
    threading.Event().wait(STOP_GRACE_SECONDS)
    os._exit(code)


def exit_stopped(how: str) -> NoReturn:
    """Flushes the whole lines already printed and ends the process at once, without waiting for
    worker threads (a request in flight is dropped, its records are read again on resume). The
    print lock is held to the end, so no thread writes after the flush."""
    locked = PRINT_BUFFER.lock.acquire(timeout=FLUSH_LOCK_SECONDS)
    try:
        if locked:
            emit_unbuffered(f"Stopped on SIGTERM ({how}): the last state emitted is where the next sync resumes.")
            PRINT_BUFFER.flush()
        sys.__stdout__.flush()  # type: ignore[union-attr]
    finally:
        os._exit(EXIT_ON_SIGTERM)


def emit_unbuffered(text: str) -> None:
    line = orjson.dumps(AirbyteMessageSerializer.dump(AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.INFO, message=text)))).decode()
    PRINT_BUFFER.buffer.write(f"{line}\n")


def command_of(args: List[str]) -> Optional[str]:
    return next((arg for arg in args if arg in ("spec", "check", "discover", "read")), None)


def run(args: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if args is None else args
    command = command_of(args)
    try:
        check_files(parse_command_line(args))
        # Before anything reads the config: a Stitch or Airbyte Zoom config becomes ours for this run.
        args = MigrateLegacyConfig.migrate(args)
        entrypoint = ZoomEntrypoint(SourceZoom(_config_from_args(args)))
        parsed_args = entrypoint.parse_args(args)
        hide_explained_tracebacks(bool(getattr(parsed_args, "debug", False)))
        install_stop_handler()
        # As the CDK's launch(): one write per message, so concurrent output never interleaves.
        with PRINT_BUFFER:
            for message in entrypoint.run(parsed_args):
                if stop_requested():
                    exit_stopped("at the next message")
                print(f"{message}\n", end="")
    except AirbyteTracedException as error:
        end_with_error(error, command)
    except (BrokenPipeError, KeyboardInterrupt) as stop:
        # The platform stopped reading (or Ctrl-C): the read is over. One sentence for the person,
        # no traceback, and the process ends now: waiting for the interpreter to join the workers
        # (one may be inside a request up to its read timeout) is what the watchdog bounds.
        code = 130 if isinstance(stop, KeyboardInterrupt) else 1
        threading.Thread(target=exit_after_grace_with, args=(code,), name="stop-watchdog", daemon=True).start()
        said = INTERRUPTED if isinstance(stop, KeyboardInterrupt) else OUTPUT_CLOSED
        try:
            sys.stderr.write(f"{said}\n")
            sys.stderr.flush()
            sys.stdout.flush()  # the whole lines already printed; with nobody reading, the watchdog ends it
        except (BrokenPipeError, OSError):
            pass
        os._exit(code)
