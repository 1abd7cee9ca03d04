"""Cloud recordings, listed per user by month window, and the transcripts among their files."""

from datetime import timedelta
from typing import Any, Dict, List, Mapping, Optional

from source_zoom import webvtt
from source_zoom.declarations import FILES, MEDIUM, Endpoint, Scopes
from source_zoom.downloads import FILE_GONE_ERRORS, FileTable
from source_zoom.incremental import parse_zoom_time
from source_zoom.paging import Paging
from source_zoom.streams.users import HOSTS, Users
from source_zoom.windows import RECORDING_LISTING, UNDER_AN_INSTANCE
from source_zoom.zoom_stream import ZoomStream


class CloudRecordings(ZoomStream):
    """GET /users/{userId}/recordings: one record per recorded meeting instance."""

    endpoint = Endpoint("users/{id}/recordings", MEDIUM, Scopes("recording:read:admin", "cloud_recording:read:list_user_recordings:admin"))
    parent = Users
    parent_filter = HOSTS
    dates = RECORDING_LISTING
    records_key = "meetings"
    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "uuid"
    dedupe_by_primary_key = True
    cursor_field = "start_time"


class RecordingTranscriptSegments(FileTable):
    """The audio transcripts among a recording's files (`file_type` TRANSCRIPT, WebVTT), one
    record per cue: downloaded from their download_url and parsed (webvtt.py)."""

    # The download_url's path on Zoom's file host, not under /v2: no rate category, no scope of its own.
    endpoint = Endpoint("rec/download/{fileId}", None, api=FILES, errors=FILE_GONE_ERRORS, name="rec/download/{fileId}")
    parent = CloudRecordings
    files_field = "recording_files"
    dates = UNDER_AN_INSTANCE
    primary_key = ["recording_file_id", "cue_index"]
    stamp_from_parent = {"meeting_uuid": "uuid", "meeting_id": "id", "meeting_start_time": "start_time"}
    cursor_field = "meeting_start_time"

    @classmethod
    def reads_file(cls, recording_file: Mapping[str, Any]) -> bool:
        return recording_file.get("file_type") == "TRANSCRIPT"

    def not_served(self, recording_file: Mapping[str, Any]) -> Optional[str]:
        if recording_file.get("deleted_time"):
            return "file in the trash"
        status = recording_file.get("status") or "completed"
        return None if status == "completed" else f"file {status}"

    def rows_from(self, body: bytes, recording_file: Mapping[str, Any], parent: Mapping[str, Any]) -> List[Dict[str, Any]]:
        transcript = webvtt.parse(body)
        if transcript.problems:
            self.logger.warning(
                f"{self.name}: transcript {recording_file.get('id')} of meeting {parent.get('uuid')}: {transcript.describe_problems()}; "
                f"its {len(transcript.cues)} readable cue(s) arrived."
            )
        started = parse_zoom_time(recording_file.get("recording_start")) or parse_zoom_time(parent.get("start_time"))
        return [
            {
                "recording_file_id": recording_file.get("id"),
                "cue_index": cue.index,
                "cue_start_ms": cue.start_ms,
                "cue_end_ms": cue.end_ms,
                "cue_start_time": moment(started, cue.start_ms),
                "cue_end_time": moment(started, cue.end_ms),
                "speaker": cue.speaker,
                "text": cue.text,
            }
            for cue in transcript.cues
        ]


def moment(started: Any, offset_ms: int) -> Optional[str]:
    """The UTC time `offset_ms` after the recording's start, to the millisecond."""
    if started is None:
        return None
    at = started + timedelta(milliseconds=offset_ms)
    return at.strftime("%Y-%m-%dT%H:%M:%S") + f".{at.microsecond // 1000:03d}Z"
