"""Zoom's rule for instance UUIDs in a path."""

from __future__ import annotations

from urllib.parse import quote


def zoom_uuid_path_segment(uuid: str) -> str:
    """Zoom's rule: a UUID that begins with '/' or contains '//' is URL-encoded twice in a path,
    any other UUID once; a wrongly encoded UUID is answered 404 code 3001."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once

