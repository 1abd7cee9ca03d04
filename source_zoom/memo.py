"""Parent memos and their whole life, in one place.

A child is read by slicing over its parent's records (parents.py holds the graph). Each parent is
listed once per sync into its memo, which keeps the slim fields its readers use, lets them take
records as they are listed (`MemoWalk`), says when the listing is complete and which gaps it has.

The life of a memo, all decided here (`SyncMemos`):
- *made* the first time a reading needs it, with one `Claim` for each stream that reads it and
  that some selected table depends on (`interested_tables`);
- *filled* by its own table when that table is in the catalog (the table keeps each record as it
  emits it), or else by a thread of the memo's own, started by its first walk;
- *walked* by its readers (children, joins, enrichments) while it fills;
- *listed again* by a thread of the memo's own when the table filling it stops before its listing
  ends (an error part-way): that thread takes over the claims the table's reading held on the
  memos it reads, so none of them is freed under it;
- *freed* once it is complete and every claim on it is released. A claim is held by one
  `Reading` (one run of a stream's listing: a table's read, or a memo's listing thread) and
  released once, by that reading when it ends, never by another run of the same stream.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Protocol, Set, Tuple

from airbyte_cdk.models import FailureType

from source_zoom.declarations import has_registration

# What every memo keeps of a parent record: keys, the start time (windows), the type (meeting or
# webinar rows of a listing), the status (users) and the registration setting (set below).
SLIM_FIELDS = ("id", "uuid", "start_time", "type", "status")


@dataclass(frozen=True)
class Gap:
    """Records a listing may be missing: from `from_day` on (None: from any day), because of
    `message`; `requests` failed beyond retries (0 when the listing was unavailable)."""

    message: str
    from_day: Optional[date]
    requests: int
    unavailable: bool = False
    failure_type: FailureType = FailureType.transient_error
    # The unavailability was said already, once for its whole product (declarations.ZoomError.said_once_for).
    said: bool = False
    failure: Any = None  # the first failed request's errors.RequestFailure (None: no request failed)

    def through(self, name: str) -> "Gap":
        return replace(self, message=f"{name}: {self.message}")

    def reaches(self, window: Optional[Tuple[date, date]]) -> bool:
        return self.from_day is None or window is None or window[1] >= self.from_day


class Listed(Protocol):
    """What a memo needs of the stream it holds (a ZoomStream)."""

    name: str
    sources: List[Any]
    is_selected_table: bool
    context: Any

    def primary_key_fields(self) -> List[str]: ...

    def fetch_all_records(self, gaps: List[Gap]) -> Iterable[Mapping[str, Any]]: ...

    def interested_tables(self) -> List[Any]: ...

    def fields_read_from(self, source: Any) -> List[str]: ...


class Claim:
    """One reading stream's hold on one memo: the memo is not freed while a claim is unreleased."""

    def __init__(self, memo: "RecordMemo", reader: str):
        self.memo = memo
        self.reader = reader
        self.released = False

    def release(self) -> None:
        self.memo._release(self)


class RecordMemo:
    """A parent's listing, fetched once per sync, the gaps it has, and the claims on it.

    Readers get slim records: the fields they use. They read it as it fills (`walk`): a child sends
    its first requests on the first parent records listed instead of waiting for the whole listing.
    The listing is complete (and its gaps known) only when a walk has ended; the read path
    (zoom_stream.read_table) moves no state over a parent before that."""

    def __init__(self, stream: Listed, memos: "SyncMemos"):
        self._stream = stream
        self._memos = memos
        self._changed = threading.Condition()
        self._records: List[Mapping[str, Any]] = []
        self._complete = False
        self._freed = False
        self._listing_started = False
        self._error: Optional[BaseException] = None
        self.gaps: List[Gap] = []
        readers = [reader for reader in stream.context.readers.get(stream.name, []) if reader.interested_tables()]
        # One claim per reading stream, handed to the first reading of it (reading_claim).
        self._unclaimed: Dict[int, Claim] = {id(reader): Claim(self, reader.name) for reader in readers}
        self._held: Set[Claim] = set(self._unclaimed.values())
        # The owner fills the memo only when some selected table reads it.
        self.filled_by_owner = stream.is_selected_table and bool(readers)
        # Outside a read (no catalog) every reader gets whole records.
        self._fields: Optional[Set[str]] = None
        if stream.context.selected is not None:
            self._fields = set(SLIM_FIELDS)
            for reader in readers:
                self._fields.update(reader.fields_read_from(stream))

    @property
    def name(self) -> str:
        return self._stream.name

    def _as_parent(self, record: Mapping[str, Any]) -> Mapping[str, Any]:
        """What readers use: keys in their paths and stamps, the start time for windows, the
        user's status, and the registration setting."""
        if self._fields is None:
            return record
        slim = {field: record[field] for field in self._fields if field in record}
        slim["registration_required"] = has_registration(record)
        settings = record.get("settings")
        if isinstance(settings, Mapping) and "approval_type" in settings:
            slim["approval_type"] = settings["approval_type"]
        return slim

    # --- readers ---

    def walk(self) -> "MemoWalk":
        """One reader's way through the records, as they are listed."""
        if not self.filled_by_owner:
            self._memos._list_in_thread(self, already_listed=None, claims=None)
        return MemoWalk(self)

    def records(self) -> List[Mapping[str, Any]]:
        """Every record, once the listing is complete (an enrichment needs the whole index)."""
        return list(self.walk())

    @property
    def complete(self) -> bool:
        return self._complete

    def _available(self, index: int, wait: bool) -> Tuple[List[Mapping[str, Any]], bool]:
        """The records from `index` on listed so far, and whether the listing is complete; with
        `wait`, first waits until there is one more or the listing is complete."""
        with self._changed:
            while wait and index >= len(self._records) and not self._complete and not self._stream.context.stopped.is_set():
                self._changed.wait(timeout=0.5)
            if self._freed:
                raise RuntimeError(f"the memo of {self.name} was freed while a reader without a claim on it still walked it")
            if self._complete and self._error is not None:
                raise self._error
            return self._records[index:], self._complete

    # --- who fills it ---

    def keep(self, record: Mapping[str, Any]) -> None:
        with self._changed:
            self._records.append(self._as_parent(record))
            self._changed.notify_all()

    def finish(self, gaps: List[Gap], error: Optional[BaseException] = None) -> None:
        with self._changed:
            self.gaps = list(gaps)
            self._error = error
            self._complete = True
            self._changed.notify_all()
            self._free_if_unclaimed()

    def _key(self, record: Mapping[str, Any]) -> Any:
        return repr(tuple(record.get(field) for field in self._stream.primary_key_fields()))

    def _listed_keys(self) -> Set[Any]:
        with self._changed:
            return {self._key(record) for record in self._records}

    # --- claims ---

    def _reading_claim(self, reader: Listed) -> Optional[Claim]:
        """The claim registered for `reader`, for its first reading (None: it has none, because no
        selected table depends on it, or another reading of it holds it)."""
        with self._changed:
            return self._unclaimed.pop(id(reader), None)

    def _release(self, claim: Claim) -> None:
        with self._changed:
            if claim.released:
                return
            claim.released = True
            self._held.discard(claim)
            self._free_if_unclaimed()

    def _free_if_unclaimed(self) -> None:
        if self._complete and not self._held and not self._freed:
            self._records = []  # every reader is done: free the memory
            self._freed = True


class Reading:
    """One run of a stream's listing (its table's read, or its memo's listing thread) and the
    claims it holds on the memos it reads. Used as `with memos.reading(stream):`; when it ends,
    SyncMemos decides what becomes of its claims."""

    def __init__(self, memos: "SyncMemos", stream: Listed, claims: List[Claim]):
        self._memos = memos
        self.stream = stream
        self.claims = claims
        # The memo this reading fills as it emits (a table of the catalog that others read).
        self.fills: Optional[RecordMemo] = None

    def __enter__(self) -> "Reading":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._memos._end(self, exc_info[1])


class SyncMemos:
    """Every memo of one sync, made on first use (one per parent stream)."""

    def __init__(self, stopped: threading.Event):
        self._stopped = stopped
        self._memos: Dict[str, RecordMemo] = {}
        self._lock = threading.Lock()

    def memo(self, stream: Listed) -> RecordMemo:
        with self._lock:
            memo = self._memos.get(stream.name)
            if memo is None:
                memo = self._memos[stream.name] = RecordMemo(stream, self)
            return memo

    def reading(self, stream: Listed, claims: Optional[List[Claim]] = None) -> Reading:
        """A run of `stream`'s listing: with the stream's own claims on its sources (its first
        reading), or with `claims` handed over by an earlier reading that stopped part-way."""
        if claims is None:
            claims = [claim for claim in (self.memo(source)._reading_claim(stream) for source in stream.sources) if claim is not None]
        reading = Reading(self, stream, claims)
        if stream.name in stream.context.readers:
            memo = self.memo(stream)
            if memo.filled_by_owner:
                reading.fills = memo
        return reading

    def _end(self, reading: Reading, error: Optional[BaseException]) -> None:
        """A reading ended. If it filled a memo and stopped before the listing ended, the memo is
        listed again by a thread that takes over its claims; otherwise its claims are released."""
        memo = reading.fills
        if memo is not None and not memo.complete:
            if not self._stopped.is_set() and self._list_in_thread(memo, already_listed=memo._listed_keys(), claims=reading.claims):
                return
            why = f"the sync stopped before {memo.name} was listed whole" if error is None else f"{memo.name} stopped part-way ({error})"
            ended = memo._stream.context.report.table_failures.get(memo.name) if error is not None else None
            # The failed request the owner's ending names (errors.TableFailure), for the readers.
            failure = (ended.daily_cap or ended.cause) if ended is not None else None
            memo.finish(memo.gaps + [Gap(why, None, 0, failure=failure)])
        for claim in reading.claims:
            claim.release()

    def _list_in_thread(self, memo: RecordMemo, already_listed: Optional[Set[Any]], claims: Optional[List[Claim]]) -> bool:
        """One thread lists the stream into its memo (not a pool thread: its slices go to the pools),
        once per memo; False if one already did. `already_listed`: keys of records readers already
        have, from an owner that stopped early; `claims`: those the owner's reading held."""
        with memo._changed:
            if memo._listing_started:
                return False
            memo._listing_started = True
        reading = self.reading(memo._stream, claims)
        reading.fills = None  # this thread fills the memo itself; it is never listed a third time
        threading.Thread(target=self._list, args=(memo, reading, already_listed), name=f"zoom-memo-{memo.name}", daemon=True).start()
        return True

    def _list(self, memo: RecordMemo, reading: Reading, already_listed: Optional[Set[Any]]) -> None:
        gaps: List[Gap] = []
        error: Optional[BaseException] = None
        with reading:
            try:
                for record in memo._stream.fetch_all_records(gaps):
                    if already_listed is None or memo._key(record) not in already_listed:
                        memo.keep(record)
            except BaseException as failure:  # handed to every reader: the table reading through it fails with it
                error = failure
            memo.finish(gaps, error)


class MemoWalk:
    """One reader's place in a memo: `for record in walk` takes every record (waiting for the
    listing to end); `while_listing()` only those listed before it ends, and `rest()` then the others."""

    def __init__(self, memo: RecordMemo):
        self._memo = memo
        self._index = 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        while True:
            batch, complete = self._memo._available(self._index, wait=True)
            self._index += len(batch)
            yield from batch
            if complete and not batch:
                return
            if not batch and self._memo._stream.context.stopped.is_set():
                return

    def while_listing(self) -> Iterator[Mapping[str, Any]]:
        """Records one at a time while the listing goes on; ends as soon as it is complete."""
        while True:
            batch, complete = self._memo._available(self._index, wait=True)
            if complete or not batch:
                return
            self._index += 1
            yield batch[0]

    def rest(self) -> List[Mapping[str, Any]]:
        """Every record this walk has not handed out yet (waits for the listing to end)."""
        return list(self)
