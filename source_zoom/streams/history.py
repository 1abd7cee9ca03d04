"""The account-wide history listing: every past meeting and webinar instance Zoom still reports,
whoever hosted it and whether or not its meeting is still listed. One-time meetings drop out of
`type=scheduled` 30 days after their date, instant and PMI meetings are never in it, webinars are
deleted 90 days after they end: their past instances reach the instance tables through here."""

from typing import Any, Dict, Mapping, Optional

from source_zoom.declarations import HEAVY, Endpoint, Scopes
from source_zoom.paging import Paging
from source_zoom.windows import REPORT_LISTING
from source_zoom.zoom_stream import ZoomStream

WEBINAR_ROW_TYPES = ("Webinar", 5, 6, 9)


def is_meeting_row(record: Mapping[str, Any]) -> bool:
    """History rows say "Meeting"/"Webinar"; report rows carry the meeting type (5, 6, 9 = webinars)."""
    return record.get("type") not in WEBINAR_ROW_TYPES


def is_webinar_row(record: Mapping[str, Any]) -> bool:
    return record.get("type") == "Webinar"


class HistoryMeetings(ZoomStream):
    """GET /report/history_meetings: past instances of the whole account, by month window."""

    hidden = True
    endpoint = Endpoint("report/history_meetings", HEAVY, Scopes("report:read:admin", "report:read:list_history_meetings:admin"))
    dates = REPORT_LISTING
    records_key = "history_meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    extra_params = {"date_type": "start_time", "meeting_type": "all"}
    primary_key = "uuid"
    # Shaped as an instance for the instance tables that join it.
    stamp_from_self = {"uuid": "meeting_uuid", "id": "meeting_id"}
    dedupe_by_primary_key = True

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        features = record.get("feature_used")
        # Absentees are asked only of instances that had registration on; when the row does not
        # say, they are asked (and a 3000 answer is skipped).
        known = isinstance(features, Mapping) and "registration" in features
        record["registration_required"] = bool(features["registration"]) if known else True
        return super().build_record(record, parent, position)


class HistoryMeetingsWithQna(HistoryMeetings):
    """GET /report/history_meetings?report_type=qa: the meeting instances that have a Q&A report,
    so that meeting_qna_results asks only those (one Heavy request per instance otherwise)."""

    extra_params = {"date_type": "start_time", "meeting_type": "meeting", "report_type": "qa"}
