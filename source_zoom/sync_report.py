"""What a sync skipped, could not read and ended short of, as typed values, and their form in the
Airbyte protocol.

One module because these values are made in one process and read in another: the connector
counts them as it reads (`SyncReport`) and makes the lines a person reads from them (the Sync
summary, "not available on this Zoom account"); they leave the process as ANALYTICS trace messages
(`report_messages`), and whoever reads the connector's output (scripts/demo.py, a test, a platform)
decodes them back into the same dataclasses (`reported_sync`). No one parses a sentence back.

Each message's `type` is a static namespaced name (SKIPPED_RESOURCES, UNAVAILABLE_TABLE,
INCOMPLETE_TABLE) and its `value` the JSON of one dataclass (`as_data`): fields by name, enums by
name, datetimes in ISO 8601, an endpoint by its path, Zoom's name of it, rate category, API and
scopes. A failure also carries what it derives (its failure type, what to do, its endpoint's name,
its sentence) for a reader with no connector at hand; decoding ignores those.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple, Union, get_args, get_origin, get_type_hints

from airbyte_cdk.models import AirbyteMessage
from airbyte_cdk.utils.analytics_message import create_analytics_message

from source_zoom.declarations import Api, Endpoint, Scopes
from source_zoom.errors import RequestFailure, TableFailure

SKIPPED_RESOURCES = "source_zoom.skipped_resources"
UNAVAILABLE_TABLE = "source_zoom.unavailable_table"
INCOMPLETE_TABLE = "source_zoom.incomplete_table"


@dataclass(frozen=True)
class SkippedClass:
    """Resources of one table skipped for one reason: Zoom's answer (status, code, and its meaning
    in the error rules), or a download's own reason (a file in the trash, gone, on a foreign host)."""

    table: str
    status: Optional[int]  # None: nothing was asked (a file the downloader would not fetch)
    code: Optional[int]  # Zoom's code; None when its answer had none
    meaning: str  # the error rules' meaning of the answer, or the download's reason
    count: int = 0
    download: bool = False  # skipped by the file downloader, for `meaning`

    def order(self) -> Tuple[str, str, str, str]:
        """Table, then Zoom's answer: the classes in the same order whichever thread met them first."""
        return self.table, str(self.status), str(self.code), self.meaning

    @property
    def named_as(self) -> Union[int, str, None]:
        """What the Sync summary names the class by: Zoom's code, or the download's reason."""
        return self.meaning if self.download else self.code


@dataclass(frozen=True)
class UnavailableTable:
    """A table Zoom would not serve on this account (a scope the app lacks, a product the account
    has not): Zoom's answer, its meaning, what Zoom said, the scopes it names as missing, and the
    product when it was said once for all of that product's tables (Zoom Phone)."""

    table: str
    status: int
    code: Optional[int]
    meaning: str
    said: str = ""
    scopes: Tuple[str, ...] = ()
    product: Optional[str] = None

    @property
    def reason(self) -> str:
        return f"Zoom code {self.code}: {self.said or self.meaning}"

    def __str__(self) -> str:
        """The reason, as the sentences that name an unavailable table say it."""
        return self.reason


@dataclass(frozen=True)
class ReportedSync:
    """Everything a sync reports as data, in the order of its messages."""

    skipped: Tuple[SkippedClass, ...] = ()
    unavailable: Tuple[UnavailableTable, ...] = ()
    incomplete: Tuple[TableFailure, ...] = ()


class SyncReport:
    """Counts what a sync asked Zoom and what it skipped and why, shared by every stream; logged
    per table as each ends and for the whole sync at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._skips: Counter = Counter()  # SkippedClass (count 0) -> resources skipped
        self.unavailable: Dict[str, UnavailableTable] = {}
        self.requests: Counter = Counter()
        self.failed_slices: Counter = Counter()
        # table -> how it ended incomplete (incremental.end_of_table), for the sync's closing sentence
        self.table_failures: Dict[str, TableFailure] = {}

    def table_failed(self, failure: TableFailure) -> None:
        with self._lock:
            self.table_failures.setdefault(failure.table, failure)

    def record_failed_slice(self, stream: str) -> int:
        with self._lock:
            self.failed_slices[stream] += 1
            return self.failed_slices[stream]

    def count_request(self, stream: str) -> None:
        with self._lock:
            self.requests[stream] += 1

    def skipped(self, stream: str) -> int:
        with self._lock:
            return sum(count for skip, count in self._skips.items() if skip.table == stream)

    def record_skip(self, skip: SkippedClass) -> None:
        with self._lock:
            self._skips[dataclasses.replace(skip, count=0)] += 1

    @property
    def said_for_product(self) -> Set[str]:
        """Tables whose unavailability was said once for their whole product (ZoomError.said_once_for)."""
        with self._lock:
            return {table for table, unavailable in self.unavailable.items() if unavailable.product is not None}

    def mark_unavailable(self, unavailable: UnavailableTable) -> bool:
        """True the first time, so the reason is logged once per stream."""
        with self._lock:
            if unavailable.table in self.unavailable:
                return False
            self.unavailable[unavailable.table] = unavailable
            return True

    def reported(self) -> ReportedSync:
        with self._lock:
            return ReportedSync(
                skipped=tuple(sorted((dataclasses.replace(skip, count=count) for skip, count in self._skips.items()), key=SkippedClass.order)),
                unavailable=tuple(self.unavailable[table] for table in sorted(self.unavailable)),
                incomplete=tuple(self.table_failures[table] for table in sorted(self.table_failures)),
            )


# --- the protocol form -------------------------------------------------------------------------

MESSAGE_TYPES: Mapping[str, type] = {SKIPPED_RESOURCES: SkippedClass, UNAVAILABLE_TABLE: UnavailableTable, INCOMPLETE_TABLE: TableFailure}


def report_messages(reported: ReportedSync) -> List[AirbyteMessage]:
    """One ANALYTICS trace per skipped class, per unavailable table and per table that ended incomplete."""
    typed = [(SKIPPED_RESOURCES, value) for value in reported.skipped]
    typed += [(UNAVAILABLE_TABLE, value) for value in reported.unavailable]
    typed += [(INCOMPLETE_TABLE, value) for value in reported.incomplete]
    return [create_analytics_message(kind, json.dumps(as_data(value), sort_keys=True)) for kind, value in typed]


def reported_sync(messages: Iterable[Mapping[str, Any]]) -> ReportedSync:
    """The typed report in a connector's output (its messages as JSON objects, one per line of
    stdout), decoded into the dataclasses it was made of; other messages are passed over."""
    found: Dict[type, List[Any]] = {kind: [] for kind in MESSAGE_TYPES.values()}
    for message in messages:
        trace = (message.get("trace") or {}) if message.get("type") == "TRACE" else {}
        analytics = (trace.get("analytics") or {}) if trace.get("type") == "ANALYTICS" else {}
        kind = MESSAGE_TYPES.get(analytics.get("type") or "")
        if kind is not None:
            found[kind].append(from_data(kind, json.loads(analytics["value"])))
    return ReportedSync(tuple(found[SkippedClass]), tuple(found[UnavailableTable]), tuple(found[TableFailure]))


def as_data(value: Any) -> Any:
    """A typed value as JSON data (see the module's docstring)."""
    if isinstance(value, Endpoint):
        scopes = value.scopes._asdict() if value.scopes is not None else None
        return {"path": value.path, "zoom_name": value.zoom_name, "category": value.category, "api": value.api.name, "scopes": scopes}
    if is_dataclass(value) and not isinstance(value, type):
        data = {item.name: as_data(getattr(value, item.name)) for item in fields(value)}
        if isinstance(value, RequestFailure):
            data.update(failure_type=value.failure_type.name, what_to_do=value.fault.value, endpoint_name=value.endpoint_name, sentence=value.message)
        return data
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [as_data(item) for item in value]
    return value


def from_data(kind: Any, data: Any) -> Any:
    """`as_data` undone, led by the dataclasses' field types."""
    if data is None:
        return None
    if get_origin(kind) is Union:
        return from_data(next(arg for arg in get_args(kind) if arg is not type(None)), data)
    if get_origin(kind) is tuple:
        return tuple(from_data(get_args(kind)[0], item) for item in data)
    if kind is Endpoint:
        scopes = Scopes(**data["scopes"]) if data.get("scopes") else None
        return Endpoint(data["path"], data["category"], scopes, Api[data["api"]], name=data["zoom_name"].removeprefix("/"))
    if is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(**{item.name: from_data(hints[item.name], data[item.name]) for item in fields(kind) if item.name in data})
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind[data]
    if kind is datetime:
        return datetime.fromisoformat(data)
    return data
