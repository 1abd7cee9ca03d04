"""The record as a table emits it: the parent's keys and its own stamped on it, its position in
the response, Stitch's spelling of occurrences, "" for a key field Zoom left out, once per key in
one listing attempt, and the fields another listing fills in (`Enrich`)."""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from source_zoom.declarations import Enrich, Join


def key_fields(primary_key: Any) -> List[str]:
    if primary_key is None:
        return []
    return [primary_key] if isinstance(primary_key, str) else [k if isinstance(k, str) else k[0] for k in primary_key]


def stamp(record: Dict[str, Any], parent: Mapping[str, Any], position: int, declaration: Any) -> None:
    """What the table declares it stamps (stamp_from_parent, stamp_from_self, position_field,
    copies_occurrences_for_stitch), and "" for missing key fields."""
    for field, parent_field in declaration.stamp_from_parent.items():
        record[field] = parent.get(parent_field)
    for field, own_field in declaration.stamp_from_self.items():
        record[field] = record.get(own_field)
    if declaration.position_field:
        record[declaration.position_field] = position
    if declaration.copies_occurrences_for_stitch and isinstance(record.get("occurrences"), list):
        # Stitch's schema spells it `occurences`: those columns stay filled for migrated users.
        record["occurences"] = [
            {**occurrence, "occurence_id": occurrence.get("occurrence_id")}
            for occurrence in record["occurrences"]
            if isinstance(occurrence, Mapping)
        ]
    for key_field in key_fields(declaration.primary_key):
        if record.get(key_field) is None:
            record[key_field] = ""


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
    whole gives them back, so that its records are not dropped as seen when they are read again."""

    def __init__(self, seen: SeenKeys):
        self._seen = seen
        self._taken: List[Any] = []

    def first_time(self, record: Mapping[str, Any]) -> bool:
        key = self._seen.key_of(record)
        if not self._seen.take(key):
            return False
        self._taken.append(key)
        return True

    def give_back(self) -> None:
        self._seen.forget(self._taken)
        self._taken = []


class Enrichment:
    """An `Enrich` at work: the enriching listing indexed by key, and the detail request for a
    record it lacks (`fetch_detail(path)` -> the detail object or None)."""

    def __init__(self, spec: Enrich, enriching_records: List[Mapping[str, Any]], fetch_detail: Callable[[str], Optional[Mapping[str, Any]]]):
        self._spec = spec
        self._index = {r[spec.key]: r for r in enriching_records if r.get(spec.key)}
        self._fetch_detail = fetch_detail

    def apply(self, record: Dict[str, Any], path_segment: Callable[[str], str]) -> None:
        spec = self._spec
        if not record.get(spec.key):
            return
        match = self._index.get(record[spec.key])
        if match is not None:
            record.update({ours: match.get(theirs) for ours, theirs in spec.fields.items()})
            return
        # The enriching listing lacks this one: its detail, one request (failures beyond retries fail the slice).
        detail = self._fetch_detail(spec.detail.path.format(uuid=path_segment(record[spec.key])))
        if detail is not None:
            record.update({ours: detail.get(theirs) for ours, theirs in spec.detail_fields.items()})
