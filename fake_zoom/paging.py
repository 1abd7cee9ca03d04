"""Zoom's two paging styles: next_page_token (T) and page_number (N)."""

from __future__ import annotations

import base64
import hashlib
import math
from typing import Any, Mapping, Optional

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300
TOKEN_QUERY_KEYS = ("next_page_token", "page_size", "page_number")


class PagingError(Exception):
    """A bad page_size or next_page_token: Zoom answers 400 code 300."""


def page_size_of(query: Mapping[str, str]) -> int:
    raw = query.get("page_size", "")
    if raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise PagingError(f"Invalid field: page_size={raw!r}.") from None
    if size < 1:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


def _query_signature(path: str, query: Mapping[str, str]) -> str:
    """Binds a token to the listing it came from: the path and every param but the paging ones."""
    bound = sorted((k, v) for k, v in query.items() if k not in TOKEN_QUERY_KEYS)
    digest = hashlib.blake2s(repr((path, bound)).encode(), digest_size=9).digest()
    return base64.b32encode(digest).decode().rstrip("=")


def encode_token(offset: int, path: str, query: Mapping[str, str]) -> str:
    # Stateless and opaque: offset plus the query signature, base64url without padding.
    raw = f"{offset}.{_query_signature(path, query)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, path: str, query: Mapping[str, str]) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset_text, signature = raw.split(".", 1)
        offset = int(offset_text)
    except (ValueError, UnicodeDecodeError):
        raise PagingError("The next page token is invalid or expired.") from None
    if signature != _query_signature(path, query) or offset < 0:
        raise PagingError("The next page token is invalid or expired.")
    return offset


def token_page(
    items: list[Any], key: str, path: str, query: Mapping[str, str], extra: Optional[dict[str, Any]] = None,
    counted: bool = True,
) -> dict[str, Any]:
    """One page of a next_page_token listing ("" on the last page); `counted=False` for a listing
    whose pages Zoom sends without total_records."""
    size = page_size_of(query)
    token = query.get("next_page_token", "")
    offset = decode_token(token, path, query) if token else 0
    end = offset + size
    body: dict[str, Any] = dict(extra or {})
    body["page_size"] = size
    if counted:
        body["total_records"] = len(items)
    body["next_page_token"] = encode_token(end, path, query) if end < len(items) else ""
    body[key] = items[offset:end]
    return body


def number_page(items: list[Any], key: str, query: Mapping[str, str]) -> dict[str, Any]:
    """One page of a legacy page_number listing."""
    size = page_size_of(query)
    try:
        number = int(query.get("page_number", "1") or "1")
    except ValueError:
        raise PagingError("Invalid field: page_number.") from None
    number = max(number, 1)
    offset = (number - 1) * size
    return {
        "page_count": math.ceil(len(items) / size),
        "page_number": number,
        "page_size": size,
        "total_records": len(items),
        key: items[offset:offset + size],
    }
