"""Zoom's two paging styles, and the guard that stops a listing which would page forever.

Most listings page with `next_page_token` (empty or missing on the last page); the webinar list
only with `page_number`/`page_count`. A paging guard belongs to one listing attempt: a listing
that is read again (after a failed attempt) starts with a clean guard, or it would take its own
first tokens for a loop.
"""

from __future__ import annotations

import threading
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Set, Tuple
from urllib.parse import parse_qsl, urlencode, urlsplit

PAGE_SIZE = 300
# A listing longer than this (90 million rows at 300 a page) is a paging bug, not data.
MAX_PAGES_PER_LISTING = 300_000


class Paging(Enum):
    NONE = "none"
    NEXT_PAGE_TOKEN = "next_page_token"
    PAGE_NUMBER = "page_number"


class PagingProblem(Exception):
    """Zoom's paging cannot be followed; the message says how."""


class PageGuard:
    """The pages and tokens one listing attempt has seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: Dict[str, int] = {}
        self._tokens: Set[Tuple[str, str]] = set()

    def check(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("next_page_token", "page_number")]
        listing = f"{parts.path}?{urlencode(query)}"
        with self._lock:
            pages = self._pages[listing] = self._pages.get(listing, 0) + 1
            repeated = (listing, token) in self._tokens
            self._tokens.add((listing, token))
        if repeated or pages > MAX_PAGES_PER_LISTING:
            problem = "returned a paging token it had already returned" if repeated else f"kept paging past {MAX_PAGES_PER_LISTING} pages"
            raise PagingProblem(f"{problem}; stopped that listing instead of looping forever")


def next_page(paging: Paging, body: Any, url: str, guard: PageGuard) -> Optional[Mapping[str, Any]]:
    """The query of the next page, None on the last one. Raises PagingProblem."""
    if paging == Paging.NONE or not isinstance(body, Mapping):
        return None
    if paging == Paging.NEXT_PAGE_TOKEN:
        token = body.get("next_page_token")
        if not token:
            return None
        if not isinstance(token, str):
            raise PagingProblem(f"sent a paging token that is not a string ({token!r:.50})")
        guard.check(url, token)
        return {"next_page_token": token}
    page_number, page_count = body.get("page_number") or 1, body.get("page_count") or 0
    if not isinstance(page_number, int) or not isinstance(page_count, int):
        raise PagingProblem(f"sent a page_number/page_count that is not a number ({page_number!r:.20}/{page_count!r:.20})")
    if page_number >= page_count:
        return None
    guard.check(url, str(page_number + 1))
    return {"page_number": page_number + 1}
