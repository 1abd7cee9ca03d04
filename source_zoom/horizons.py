"""What Zoom still holds: the horizons a start_date can reach past, in one place.

A start_date years back is a valid choice (the recordings and meeting details have no horizon),
but some tables cannot reach it: Zoom's reports refuse a `from` older than six months, and Zoom
answers per-instance lookups of anything older than about a year with code 12702. `check` logs
one line per horizon the start_date reaches past, and a read the same lines once, before its
first table; both take them from `horizon_lines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Collection, List, Mapping, Optional, Tuple

from source_zoom.windows import add_months, first_whole_month, report_horizon

# Zoom answers a per-instance lookup older than this with 12702 ("Can not access a meeting a year
# ago"); its support pages say 12 to 15 months, so the date said is approximate.
LOOKUP_HORIZON_MONTHS = 12


@dataclass(frozen=True)
class Horizon:
    """tables: the tables it bounds. earliest: today -> the first day Zoom still serves to them.
    kept: how far back, in words. source: where Zoom says so. then: what becomes of the older part."""

    tables: Tuple[str, ...]
    earliest: Callable[[date], date]
    kept: str
    source: str
    then: str


HORIZONS: Tuple[Horizon, ...] = (
    Horizon(
        tables=("report_meetings", "report_sign_in_activities", "report_operation_logs", "phone_call_history",
                "phone_call_elements", "phone_voicemails"),
        earliest=report_horizon,
        kept="six calendar months",
        source=(
            "Zoom's API reference, GET /report/users/{userId}/meetings: \"the month must fall within the past six months\"; "
            "GET /report/activities: \"should fall within the last six months\"; the operation log and the account's history "
            "report are read over the same months; Zoom's Phone API reference, GET /phone/call_history and "
            "GET /phone/voice_mails: \"The month defined should fall within the last six months\""
        ),
        then="older months are not asked (Zoom refuses them)",
    ),
    Horizon(
        tables=(
            "report_meeting_participants",
            "meeting_poll_results",
            "meeting_qna_results",
            "meeting_survey_results",
            "webinar_survey_results",
            "report_webinars",
            "report_webinar_participants",
            "webinar_absentees",
            "webinar_poll_results",
            "webinar_qna_results",
        ),
        earliest=lambda today: add_months(today, -LOOKUP_HORIZON_MONTHS),
        kept="about a year",
        source=(
            "Zoom's API reference, GET /report/meetings/{meetingId}/participants, GET /past_meetings/{meetingId}/polls and "
            "GET /report/webinars/{webinarId}: error 12702 \"Can not access a meeting a year ago\"; Zoom's support pages say "
            "12 to 15 months"
        ),
        then=(
            "every older instance is still asked and Zoom's 12702 answer is skipped and counted in the summary; instances "
            "older than the reports' six months come only from meetings and webinars Zoom still lists"
        ),
    ),
    Horizon(
        tables=("report_daily_usage",),
        earliest=lambda today: first_whole_month(report_horizon(today)),
        kept="the whole calendar months of the last six",
        source="Zoom's API reference, GET /report/daily: \"Daily report can only be provided for a month that falls within the recent 6 months\"",
        then="older months are not asked (Zoom refuses them)",
    ),
    Horizon(
        tables=("report_cloud_recording_usage",),
        earliest=report_horizon,
        kept="six calendar months, up to yesterday",
        source=(
            "Zoom's API reference, GET /report/cloud_recording: \"You can only get cloud recording reports that is one day "
            "earlier than the current date and for the most recent period of 6 months\""
        ),
        then="older days are not asked (Zoom refuses them)",
    ),
)


def horizon_lines(start_date: datetime, today: date, tables: Optional[Collection[str]] = None, floors: Optional[Mapping[str, datetime]] = None) -> List[str]:
    """One sentence per horizon that start_date reaches past, for `tables` (None: every table);
    a table whose state (`floors`) already starts after the horizon is not named."""
    lines = []
    for horizon in HORIZONS:
        earliest = horizon.earliest(today)
        bounded = [
            table
            for table in horizon.tables
            if (tables is None or table in tables) and max(start_date, (floors or {}).get(table, start_date)).date() < earliest
        ]
        if bounded:
            lines.append(
                f"start_date {start_date.date().isoformat()} reaches past what Zoom keeps for {', '.join(bounded)}: "
                f"Zoom keeps {horizon.kept}, so they start at {'about ' if horizon.kept.startswith('about') else ''}"
                f"{earliest.isoformat()} ({horizon.source}); {horizon.then}."
            )
    return lines
