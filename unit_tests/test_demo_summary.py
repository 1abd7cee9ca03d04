"""The demo's notes below its table (scripts/demo.py) are made from the connector's typed report,
decoded from its ANALYTICS messages, never from its log lines."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer

from scripts.demo import summary_lines
from source_zoom.sync_report import ReportedSync, SkippedClass, UnavailableTable, report_messages, reported_sync


def on_the_wire(messages: List[AirbyteMessage]) -> List[Dict[str, Any]]:
    """The messages as the demo reads them: one JSON object per line of the connector's stdout."""
    return [json.loads(json.dumps(AirbyteMessageSerializer.dump(message))) for message in messages]


def test_given_a_typed_report_then_the_demo_summary_is_made_from_it():
    sent = ReportedSync(
        skipped=(
            SkippedClass("meeting_polls", 400, 4400, "polls are disabled", 3),
            SkippedClass("webinar_polls", 400, 4400, "polls are disabled", 1),
            SkippedClass("users", 404, 1001, "user does not exist (deleted during the sync)", 1),
            SkippedClass("users", 400, 1001, "user does not exist", 2),
            SkippedClass("recording_transcript_segments", None, None, "file in the trash", 2, download=True),
        ),
        unavailable=(
            UnavailableTable("webinar_tracking_sources", 400, 4711, "the app lacks a granular scope this table needs", "no scope", ("webinar:read:list_tracking_sources:admin",)),
            UnavailableTable("meeting_files", 404, 404, "Zoom removed the in-meeting files endpoints in 2024", "removed"),
        ),
    )
    messages = [{"type": "LOG", "log": {"level": "INFO", "message": "a line"}}, *on_the_wire(report_messages(sent))]

    lines = summary_lines(reported_sync(messages))

    assert lines == [
        "",
        "Empty on purpose (the fake plays an account where Zoom would not serve them):",
        "  meeting_files               Zoom removed the in-meeting files endpoints in 2024 (code 404): the fake answers as Zoom does",
        "  webinar_tracking_sources    the fake's app lacks webinar:read:list_tracking_sources:admin (fake_zoom/config.py, DEFAULT_MISSING_SCOPES): "
        "Zoom's answer to such an app is code 4711",
        "",
        "Skipped resources, one class per line (Zoom's answers the connector skips, each logged once):",
        "  code    count  meaning                                                       tables",
        "  1001        2  user does not exist                                           users 2",
        "  1001        1  user does not exist (deleted during the sync)                 users 1",
        "  4400        4  polls are disabled                                            meeting_polls 3, webinar_polls 1",
        "",
        "Files not downloaded, one reason per line (the connector's own reasons, each counted as a skipped resource):",
        "   count  reason                                                        tables",
        "       2  file in the trash                                             recording_transcript_segments 2",
    ]
