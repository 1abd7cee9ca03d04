"""What `check` says of the Zoom scopes the app lacks for the tables, classic and granular.

Apps made before 2024 carry classic scopes (`meeting:read:admin`); apps made since carry granular
ones only (`meeting:read:list_meetings:admin`). A call without its scope is answered code 4700
(classic) or 4711/104 (granular) naming the scope; the table ends unavailable, the sync goes on.
Each endpoint declares its scopes (declarations.Endpoint); `check` compares the scopes of the
app's token with those of every endpoint a table reads through and names what is missing.
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
        pending += [current.parent] if current.parent else []
        pending += [join.stream for join in current.joins]
    return found


def missing_for(stream_class: type, granted: Iterable[str]) -> List[str]:
    """The scopes (granular names) the app lacks for a table; empty when its classic or granular
    scopes are all there."""
    granted = set(granted)
    missing: List[str] = []
    for endpoint in endpoints_of(stream_class):
        scopes = endpoint.scopes
        if scopes is not None and scopes.classic not in granted and scopes.granular not in granted:
            missing.append(scopes.granular)
    return missing


def scope_warning(tables: Iterable[type], granted: Optional[Iterable[str]]) -> Optional[str]:
    """What `check` says when Zoom names the token's scopes and some tables lack theirs (they
    will end unavailable); None when it does not say, or nothing is missing."""
    if not granted:
        return None
    granted = set(granted)
    lacking = {table.stream_name(): sorted(set(missing_for(table, granted))) for table in tables}
    lacking = {table: scopes for table, scopes in lacking.items() if scopes}
    if not lacking:
        return None
    return (
        "Connected, but the Zoom app lacks scopes for some tables, which will end empty with a warning until the "
        "scopes are added: " + "; ".join(f"{table} needs {', '.join(scopes)}" for table, scopes in sorted(lacking.items())) + "."
    )
