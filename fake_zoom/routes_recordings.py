"""Routes of what a meeting leaves behind: a user's cloud recordings in a window, the in-meeting
files of a past meeting or webinar (endpoints Zoom has removed, unless the config keeps them), and
AI Companion's meeting summaries (the account's listing and one meeting's summary).
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import unquote

from . import transcripts
from .context import Ctx, ZoomError, date_range, decode_uuid_segment
from .model import PastInstance
from .paging import token_page
from .routing import Route


FILES_REMOVED_MESSAGE = "This API endpoint has been removed."


def _files(ctx: Ctx, instance_of: Callable[[], PastInstance]):
    if ctx.config.files_endpoints_removed:
        raise ZoomError(404, 404, FILES_REMOVED_MESSAGE)
    return {"in_meeting_files": instance_of().files}


def get_past_meeting_files(ctx: Ctx):
    return _files(ctx, ctx.meeting_instance)


def get_past_webinar_files(ctx: Ctx):
    return _files(ctx, ctx.webinar_instance)


def list_user_recordings(ctx: Ctx):
    user = ctx.user()
    start, end = date_range(ctx, reports=False)
    recordings = [
        transcripts.as_served(i.recording, ctx.origin)
        for m in user.meetings
        for i in sorted(m.instances, key=lambda i: i.start)
        if i.recording is not None and start <= i.start.date() <= end
    ]
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    return token_page(recordings, "meetings", ctx.path, ctx.query, extra)


def list_meeting_summaries(ctx: Ctx):
    """GET /meetings/meeting_summaries: the account's AI Companion summaries of meetings and
    webinars that started on a day in [from, to] (one month at most; Zoom states no horizon)."""
    start, end = date_range(ctx, reports=False)
    chosen = sorted((s for s in ctx.dataset.summaries.values() if start <= s.instance.start.date() <= end),
                    key=lambda s: (s.instance.start, s.uuid))
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    return token_page([s.list_item() for s in chosen], "summaries", ctx.path, ctx.query, extra, counted=False)


def get_meeting_summary(ctx: Ctx):
    """GET /meetings/{meetingUUID}/meeting_summary (the uuid encoded by Zoom's rule)."""
    raw = ctx.params["meetingId"]
    summary = ctx.dataset.summaries.get(decode_uuid_segment(raw) or "")
    if summary is None:
        raise ZoomError(404, 3001, f"Meeting summary does not exist: {unquote(raw)}.")
    return summary.detail()


ROUTES = [
    Route("/v2/meetings/meeting_summaries", "Medium", list_meeting_summaries, "meeting:read:list_summaries:admin"),
    Route("/v2/meetings/{meetingId}/meeting_summary", "Light", get_meeting_summary, "meeting:read:summary:admin"),
    # Removed by Zoom in 2024: its granular-scope page names no scope for them.
    Route("/v2/past_meetings/{meetingId}/files", "Medium", get_past_meeting_files, None),
    Route("/v2/past_webinars/{webinarId}/files", "Medium", get_past_webinar_files, None),
    Route("/v2/users/{userId}/recordings", "Medium", list_user_recordings,
          "cloud_recording:read:list_user_recordings:admin"),
]
