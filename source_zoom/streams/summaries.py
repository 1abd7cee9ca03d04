"""AI Companion meeting and webinar summaries: the account's listing of them, and each one's body.

A summary can be edited long after its meeting, and Zoom's listing goes by the meeting's date:
so every sync lists every month window since start_date (one Medium request per window and 300
summaries), and fetches the body (one Light request each) only of the summaries modified since
the table's state. The table is incremental on `summary_last_modified_time`: the listing's rows
carry it as their `start_time`, the time windows and states go by.
"""

import threading
from datetime import datetime
from typing import Any, Dict, Iterable, Mapping, Optional

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.core import StreamData

from source_zoom.declarations import LIGHT, MEDIUM, Endpoint, Scopes
from source_zoom.incremental import parse_zoom_time
from source_zoom.paging import Paging
from source_zoom.windows import UNDER_AN_INSTANCE, DatePolicy, Windows
from source_zoom.zoom_stream import ZoomStream

# Listed by month window of the meeting's start; Zoom states no horizon for it.
SUMMARY_LISTING = DatePolicy(windows=Windows.REQUESTED, since_start_date=True)


class MeetingSummaryListing(ZoomStream):
    """GET /meetings/meeting_summaries: every summary of the account (hosts with AI Companion on),
    by month window of the meeting's start."""

    hidden = True
    endpoint = Endpoint("meetings/meeting_summaries", MEDIUM, Scopes("meeting:read:admin", "meeting:read:list_summaries:admin"))
    dates = SUMMARY_LISTING
    records_key = "summaries"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "uuid"
    # `uuid` for the detail's path; `start_time` is what windows and states go by: the last edit.
    stamp_from_self = {"uuid": "meeting_uuid", "start_time": "summary_last_modified_time"}
    dedupe_by_primary_key = True

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.listed = 0
        self._count_lock = threading.Lock()

    def fetch_floor(self) -> Optional[datetime]:
        """Always the whole range: an old meeting's summary may have been edited since the last sync."""
        return None

    def keeps_instance(self, record: Mapping[str, Any]) -> bool:
        """Summaries of meetings that started at or after start_date (a moment, as for every instance)."""
        started = parse_zoom_time(record.get("meeting_start_time"))
        return started is None or started >= self.context.config.start_date

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        built = super().build_record(record, parent, position)
        if built is not None:
            with self._count_lock:
                self.listed += 1
        return built


class MeetingSummaries(ZoomStream):
    """GET /meetings/{meetingUUID}/meeting_summary of each listed summary modified since the state."""

    endpoint = Endpoint("meetings/{uuid}/meeting_summary", LIGHT, Scopes("meeting:read:admin", "meeting:read:summary:admin"))
    parent = MeetingSummaryListing
    dates = UNDER_AN_INSTANCE
    primary_key = "meeting_uuid"
    dedupe_by_primary_key = True
    cursor_field = "summary_last_modified_time"

    def read_records(self, sync_mode: SyncMode, cursor_field: Any = None, stream_slice: Optional[Mapping[str, Any]] = None, stream_state: Any = None) -> Iterable[StreamData]:
        yield from super().read_records(sync_mode, cursor_field, stream_slice, stream_state)
        listing = self.parent_stream
        if listing is not None and listing.listed == 0 and not self.context.report.unavailable.get(listing.name):  # type: ignore[attr-defined]
            since = self.context.config.start_date.date().isoformat()
            self.logger.info(
                f"{self.name}: Zoom lists no AI Companion summary of a meeting since {since}: Zoom makes one only "
                "for hosts with AI Companion's meeting summary on (a paid plan's add-on), so the table is empty."
            )
