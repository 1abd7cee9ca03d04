"""Each key once in one listing attempt (`SeenKeys`; a slice not read whole gives its keys back,
`SliceKeys`), and the records the joined listings add to a table (`Join`), under its field names
and each key once too. One module, because a joined record and a table's own take their keys
from the same attempt: a record listed twice goes out once, whichever listing brought it."""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from source_zoom.declarations import Join


def joined_record(join: Join, record: Mapping[str, Any]) -> Dict[str, Any]:
    """A record another listing joins into a table's, under the table's field names."""
    joined = dict(record)
    for ours, theirs in join.renamed.items():
        joined[ours] = record.get(theirs)
    return joined


def joined_records(
    listings: Iterable[Tuple[Join, Iterable[Mapping[str, Any]]]], keeps_instance: Callable[[Mapping[str, Any]], bool], seen: "SeenKeys"
) -> Iterator[Dict[str, Any]]:
    """The records the joined listings add to a table: those each join keeps, under the table's
    field names, that the table keeps as its own, each key once."""
    for join, listed in listings:
        for record in listed:
            if join.keeps(record):
                joined = joined_record(join, record)
                if keeps_instance(joined) and seen.first_time(joined):
                    yield joined


class SeenKeys:
    """The primary keys one listing attempt has emitted: a record seen twice (an instance listed in
    two windows) goes out once; a new attempt starts empty."""

    def __init__(self, fields: List[str]):
        self._fields = fields
        self._lock = threading.Lock()
        self._seen: set = set()

    def key_of(self, record: Mapping[str, Any]) -> Any:
        key: Any = tuple(record.get(field) for field in self._fields)
        try:
            hash(key)
        except TypeError:  # a key Zoom sent as an object or list
            key = repr(key)
        return key

    def first_time(self, record: Mapping[str, Any]) -> bool:
        return self.take(self.key_of(record))

    def take(self, key: Any) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True

    def forget(self, keys: Optional[List[Any]] = None) -> None:
        """Every key (None), or those of records that did not go out after all."""
        with self._lock:
            if keys is None:
                self._seen = set()
            else:
                self._seen.difference_update(keys)


class SliceKeys:
    """The keys one slice's records take in their listing attempt's SeenKeys: a slice not read
    whole gives back those of records that did not go out, so that they are not dropped as seen
    when they are read again (a record that went out stays seen: it goes out once)."""

    def __init__(self, seen: SeenKeys):
        self._seen = seen
        self._taken: List[Any] = []

    def first_time(self, record: Mapping[str, Any]) -> bool:
        key = self._seen.key_of(record)
        if not self._seen.take(key):
            return False
        self._taken.append(key)
        return True

    def handed_on(self) -> None:
        """The records whose keys were taken so far went out (a slice read page by page): their
        keys stay taken whatever becomes of the rest of the slice."""
        self._taken = []

    def give_back(self) -> None:
        """The keys of records taken and not handed on (all of a slice gathered whole) are free again."""
        self._seen.forget(self._taken)
        self._taken = []
