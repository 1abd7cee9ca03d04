"""What `check` says of the Zoom scopes the app lacks for the tables, classic and granular.

Apps made before 2024 carry classic scopes (`meeting:read:admin`); apps made since carry granular
ones only (`meeting:read:list_meetings:admin`). A call without its scope is answered code 4700
(classic) or 4711/104 (granular) naming the scope; the table ends unavailable, the sync goes on.
Each endpoint declares its scopes (declarations.Endpoint); `check` compares the scopes of the
app's token with those of every endpoint a table reads through and names what is missing.

A listing that only fills some of a table's fields (`enriched_by`: report_meetings' dept and
tracking_fields from the history report) is not needed for the table to be whole: a row it lacks
is filled from that row's own report, one request more. So its scope is named apart, with that
cost; the per-row report's scope is the table's own (without it the table ends unavailable).
"""

from __future__ import annotations

from typing import Iterable, List, Optional

from source_zoom.declarations import Endpoint


def endpoints_of(stream_class: type) -> List[Endpoint]:
    """Every endpoint a table's read calls: its own and those of what it reads through."""
    found: List[Endpoint] = []
    pending = [stream_class]
    while pending:
        current = pending.pop()
        if current.endpoint not in found:
            found.append(current.endpoint)
        if current.enriched_by is not None and current.enriched_by.detail not in found:
            found.append(current.enriched_by.detail)
        pending += [current.parent] if current.parent else []
        pending += [join.stream for join in current.joins]
    return found


def lacking(endpoints: Iterable[Endpoint], granted: Iterable[str]) -> List[str]:
    """The granular scopes of `endpoints` the app has neither in classic nor granular form."""
    granted = set(granted)
    return [e.scopes.granular for e in endpoints if e.scopes is not None and e.scopes.classic not in granted and e.scopes.granular not in granted]


def missing_for(stream_class: type, granted: Iterable[str]) -> List[str]:
    """The scopes (granular names) the app lacks for a table; empty when its classic or granular
    scopes are all there."""
    return lacking(endpoints_of(stream_class), granted)


def costlier_without(stream_class: type, granted: Iterable[str]) -> List[str]:
    """The scopes (granular names) of the listing that fills some of a table's fields, when the
    app lacks them: the table is still whole, each of its rows then costs one more request."""
    enriched_by = stream_class.enriched_by
    if enriched_by is None:
        return []
    return sorted(set(lacking(endpoints_of(enriched_by.stream), granted)) - set(missing_for(stream_class, granted)))


def scope_warning(tables: Iterable[type], granted: Optional[Iterable[str]]) -> Optional[str]:
    """What `check` says when Zoom names the token's scopes and some tables lack theirs (they
    will end unavailable); None when it does not say, or nothing is missing."""
    if not granted:
        return None
    granted = set(granted)
    tables = list(tables)
    unreadable = {table.stream_name(): sorted(set(missing_for(table, granted))) for table in tables}
    unreadable = {table: scopes for table, scopes in unreadable.items() if scopes}
    costlier = {table.stream_name(): (table, costlier_without(table, granted)) for table in tables}
    costlier = {name: (table, scopes) for name, (table, scopes) in costlier.items() if scopes and name not in unreadable}
    sentences = []
    if unreadable:
        sentences.append(
            "Connected, but the Zoom app lacks scopes for some tables, which will end empty with a warning until the "
            "scopes are added: " + "; ".join(f"{table} needs {', '.join(scopes)}" for table, scopes in sorted(unreadable.items())) + "."
        )
    for name, (table, scopes) in sorted(costlier.items()):
        fields = " and ".join(table.enriched_by.fields)
        detail = table.enriched_by.detail
        sentences.append(
            f"{'Connected, but ' if not sentences else ''}{name} fills {fields} from a listing the app has no scope for "
            f"({', '.join(scopes)}): each of its rows then costs one more {detail.category} request ({detail.zoom_name}); "
            f"add {', '.join(scopes)} to spare them."
        )
    return " ".join(sentences) or None
