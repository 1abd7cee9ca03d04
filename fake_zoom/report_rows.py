"""The records the report endpoints serve, computed from the model: one row of the report listing,
an instance's detail report, one row of the history listing. The handlers (routes_reports.py) serve
them and the ground truth (ground_truth.py) expects them, so both build them here.
"""

from __future__ import annotations

from typing import Any

from .model import Dataset, Meeting, PastInstance, Webinar

def _minutes(instance: PastInstance) -> int:
    return int((instance.end - instance.start).total_seconds() // 60)


def _participant_minutes(instance: PastInstance) -> int:
    return sum(p["duration"] for p in instance.participants) // 60


def _report_tracking_fields(parent: "Meeting | Webinar") -> list[dict[str, Any]]:
    """The parent's tracking fields as the reports carry them: `field` and `value` only (a
    meeting's own tracking fields also have `visible`, which no report type has)."""
    return [{"field": f["field"], "value": f["value"]} for f in parent.detail.get("tracking_fields", [])]


def _custom_keys(parent: "Meeting | Webinar") -> list[dict[str, Any]]:
    """The custom key/value pairs the reports carry: the fake's registration meetings and webinars
    carry a booking reference, the others none."""
    return [{"key": "booking_ref", "value": f"BK-{parent.id}"}] if parent.has_registration else []


def report_listing_row(dataset: Dataset, instance: PastInstance) -> dict[str, Any]:
    """One row of GET /report/users/{id}/meetings (rivet's ReportsGetMeetingReportsResponse.meetings):
    no dept, host_id or tracking_fields; those are only in the instance's detail report."""
    host, parent = dataset.host_of(instance), dataset.parent_of(instance)
    name = f"{host.record['first_name']} {host.record['last_name']}"
    return {
        "uuid": instance.uuid,
        "id": parent.id,
        "type": parent.detail["type"],
        "topic": parent.detail["topic"],
        "user_name": name,
        "user_email": host.record["email"],
        "start_time": instance.start_time,
        "end_time": instance.end_time,
        "duration": _minutes(instance),
        "total_minutes": _participant_minutes(instance),
        "participants_count": len(instance.participants),
        "source": "Zoom",
        "session_key": "",
        "custom_keys": _custom_keys(parent),
        "has_recording": instance.recording is not None,
        "has_screen_share": len(instance.participants) >= 3,
        "has_chat": bool(instance.poll_results),
        "schedule_time": parent.detail["start_time"],
        "host_name": name,
        "host_organization": "Example Corp",
        "meeting_encryption_status": 1,
        # The listed user's own attendance: the host opens the instance and closes it. A host is
        # never held in a waiting room, so the row has no join_waiting_room_time.
        "join_time": instance.start_time,
        "leave_time": instance.end_time,
        # Rows of signed-in users of this account (guests have no account user id).
        "participants_count_my_account": sum(1 for p in instance.participants if p["id"]),
    }


def report_detail(dataset: Dataset, instance: PastInstance) -> dict[str, Any]:
    """GET /report/meetings/{uuid} and /report/webinars/{uuid} (rivet's
    ReportsGetMeetingDetailReportsResponse / ReportsGetWebinarDetailReportsResponse)."""
    host, parent = dataset.host_of(instance), dataset.parent_of(instance)
    return {
        "uuid": instance.uuid,
        "id": parent.id,
        "type": parent.detail["type"],
        "topic": parent.detail["topic"],
        "user_name": f"{host.record['first_name']} {host.record['last_name']}",
        "user_email": host.record["email"],
        "start_time": instance.start_time,
        "end_time": instance.end_time,
        "duration": _minutes(instance),
        "total_minutes": _participant_minutes(instance),
        "participants_count": len(instance.participants),
        "dept": host.record["dept"],
        "custom_keys": _custom_keys(parent),
        "tracking_fields": _report_tracking_fields(parent),
    }


# The flags of the history row's `feature_used` (Zoom's type) that no meeting of the fake uses.
FEATURES_NEVER_USED = (
    "annotation", "avatar", "breakout_room", "closed_caption", "color_themes", "document_collaboration",
    "file_sharing", "gen_ai_virtual_background", "immersive_scene", "join_by_room", "language_interpretation",
    "live_transcription", "live_translation", "meeting_questions", "meeting_summary", "meeting_wallpaper",
    "multi_share", "multi_speaker", "personalized_audio_isolation", "portrait_lighting", "raise_hand", "reaction",
    "record_to_computer", "remote_control", "smart_recording", "switch_to_mobile", "telephone_usage",
    "virtual_background", "whiteboard", "zoom_apps",
)


def history_row(dataset: Dataset, instance: PastInstance) -> dict[str, Any]:
    """One row of GET /report/history_meetings (rivet's ReportsGetHistoryMeetingAndWebinarListResponse)."""
    host, parent = dataset.host_of(instance), dataset.parent_of(instance)
    settings = parent.detail["settings"]
    return {
        "meeting_uuid": instance.uuid,
        "meeting_id": parent.id,
        "type": "Meeting" if instance.kind == "meeting" else "Webinar",
        "host_display_name": host.record["display_name"],
        "host_email": host.record["email"],
        "start_time": instance.start_time,
        "end_time": instance.end_time,
        "topic": parent.detail["topic"],
        "participants": len(instance.participants),
        "duration": _minutes(instance),
        "total_participant_minutes": _participant_minutes(instance),
        "department": host.record["dept"],
        "group": [],
        "source": "Zoom",
        "create_time": parent.detail["created_at"],
        "custom_fields": _custom_keys(parent),
        "tracking_fields": _report_tracking_fields(parent),
        "feature_used": {
            **{feature: False for feature in FEATURES_NEVER_USED},
            "screen_sharing": len(instance.participants) >= 3,
            "video_on": bool(settings.get("host_video")),
            "in_meeting_chat": bool(instance.poll_results),
            "poll": bool(parent.polls),
            "waiting_room": bool(settings.get("waiting_room")),
            "record_to_cloud": instance.recording is not None,
            "registration": parent.has_registration,
        },
    }

