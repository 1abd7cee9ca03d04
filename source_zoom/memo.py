"""The memo of one parent listing: fetched once per sync, shared by every reader, walked while it fills.

A child is read by slicing over its parent's records (parents.py holds the graph). The memo
keeps the slim fields its readers use, lets them take records as they are listed (`MemoWalk`),
says when the listing is complete and which gaps it has, and frees itself after its last reader.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Iterator, List, Mapping, Optional, Set, Tuple

if TYPE_CHECKING:
    from source_zoom.parents import Gap
    from source_zoom.zoom_stream import ZoomStream

# What every memo keeps of a parent record: keys, the start time (windows), the type (meeting or
# webinar rows of a listing), the status (users) and the registration setting (set below).
SLIM_FIELDS = ("id", "uuid", "start_time", "type", "status")


def has_registration(record: Mapping[str, Any]) -> bool:
    """approval_type 0 (automatic) or 1 (manual) means registration is on; 2 means off."""
    if "registration_required" in record:
        return bool(record["registration_required"])
    settings = record.get("settings")
    return isinstance(settings, Mapping) and settings.get("approval_type") in (0, 1)


class RecordMemo:
    """A parent's listing, fetched once per sync, the gaps it has, and who still reads it.

    Readers (children, joins, enrichments) get slim records: the fields they use. They read it as
    it fills (`walk`): a child sends its first requests on the first parent records listed instead
    of waiting for the whole listing, so the next rate category is not idle meanwhile. The listing
    is complete (and its gaps known) only when a walk has ended; read_path moves no state over
    a parent before that.

    When the parent is itself a table of the catalog, that table fills the memo while it emits the
    full records, window by window, so a sync never holds every full parent record at once;
    otherwise the first walk starts one thread that lists it. The memo is freed once every reader
    that some selected table depends on is done with it."""

    def __init__(self, stream: "ZoomStream"):
        self._stream = stream
        self._changed = threading.Condition()
        self._records: List[Mapping[str, Any]] = []
        self._complete = False
        self._listing_started = False
        self._error: Optional[BaseException] = None
        self.gaps: List["Gap"] = []
        readers = [reader for reader in stream.context.readers.get(stream.name, []) if reader.interested_tables()]
        self._pending_readers: Set[str] = {reader.name for reader in readers}
        # The owner fills the memo only when some selected table reads it.
        self.filled_by_owner = stream.is_selected_table and bool(readers)
        # Outside a read (no catalog) every reader gets whole records.
        self._fields: Optional[Set[str]] = None
        if stream.context.selected is not None:
            self._fields = set(SLIM_FIELDS)
            for reader in readers:
                self._fields.update(reader.fields_read_from(stream))

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
            self._start_listing(already_listed=None)
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
            if self._complete and self._error is not None:
                raise self._error
            return self._records[index:], self._complete

    # --- who fills it ---

    def _start_listing(self, already_listed: Optional[Set[Any]]) -> None:
        """One thread lists the stream into the memo (not a pool thread: its slices go to the pools).
        `already_listed`: keys of records readers already have, from an owner that stopped early."""
        with self._changed:
            if self._listing_started:
                return
            self._listing_started = True
        threading.Thread(target=self._list, args=(already_listed,), name=f"zoom-memo-{self._stream.name}", daemon=True).start()

    def _list(self, already_listed: Optional[Set[Any]]) -> None:
        gaps: List[Gap] = []
        # A new listing attempt: nothing an earlier, failed attempt saw is taken as a duplicate.
        self._stream.seen_keys.forget()
        try:
            for record in self._stream.fetch_all_records(gaps):
                if already_listed is None or self._key(record) not in already_listed:
                    self.keep(record)
        except BaseException as error:  # handed to every reader: the table reading through it fails with it
            self._error = error
        self.finish(gaps)

    def keep(self, record: Mapping[str, Any]) -> None:
        with self._changed:
            self._records.append(self._as_parent(record))
            self._changed.notify_all()

    def finish(self, gaps: List["Gap"]) -> None:
        with self._changed:
            self.gaps = list(gaps)
            self._complete = True
            self._changed.notify_all()
            self._free_if_unread()

    def abandon(self) -> None:
        """The owner stopped before its listing ended: the rest is listed by a thread of the memo's
        own (records readers already have are not handed to them twice)."""
        with self._changed:
            if self._complete or self._listing_started:
                return
            already_listed = {self._key(record) for record in self._records}
        self._start_listing(already_listed)

    def _key(self, record: Mapping[str, Any]) -> Any:
        return repr(tuple(record.get(field) for field in self._stream.primary_key_fields()))

    def release(self, reader: "ZoomStream") -> None:
        with self._changed:
            self._pending_readers.discard(reader.name)
            self._free_if_unread()

    def _free_if_unread(self) -> None:
        if not self._pending_readers and self._complete:
            self._records = []  # every reader is done: free the memory


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
