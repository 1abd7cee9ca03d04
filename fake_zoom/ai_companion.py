"""AI Companion meeting summaries of the fake account, as Zoom keeps them.

Zoom writes a summary only for a meeting or webinar whose host has AI Companion's meeting summary
on (and starts it): the fake turns it on for every other host, and a host with it on gets a
summary for most of their instances. A summary can be edited after the meeting, which moves its
`summary_last_modified_time` (edit_summaries). The account-wide listing
(GET /meetings/meeting_summaries) and the detail (GET /meetings/{meetingUUID}/meeting_summary)
are built here from one record per instance, so the handlers and the ground truth serve the same.
Everything is drawn from its own random stream, after the rest of the account is generated, so
the data the other tables read does not change.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Optional

if TYPE_CHECKING:
    from .model import Dataset, PastInstance, User

# Summaries of an AI Companion host's instances: the other third were not started by the host.
SUMMARISED_SHARE = 2 / 3
SUMMARY_DETAILS = (
    ("Decisions", "The team agreed to ship the release on Friday."),
    ("Risks", "Two open defects may slip; owners were named."),
)
NEXT_STEPS = ("Send the release notes", "Book the retro")


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Summary:
    """One instance's AI Companion summary; `edits` counts the host's edits of it."""

    instance: "PastInstance"
    host: "User"
    topic: str
    parent_id: int
    created: dt.datetime
    last_modified: dt.datetime
    edits: int = 0
    editor: Optional["User"] = None
    extra_details: list = field(default_factory=list)

    @property
    def uuid(self) -> str:
        return self.instance.uuid

    def list_item(self) -> dict[str, Any]:
        """One entry of GET /meetings/meeting_summaries (rivet's
        MeetingsListAccountsMeetingOrWebinarSummariesResponse.summaries)."""
        instance = self.instance
        return {
            "meeting_host_id": self.host.id,
            "meeting_host_email": self.host.record["email"],
            "meeting_uuid": instance.uuid,
            "meeting_id": self.parent_id,
            "meeting_topic": self.topic,
            "meeting_start_time": instance.start_time,
            "meeting_end_time": instance.end_time,
            "summary_start_time": fmt(instance.start + dt.timedelta(minutes=1)),
            "summary_end_time": instance.end_time,
            "summary_created_time": fmt(self.created),
            "summary_last_modified_time": fmt(self.last_modified),
        }

    def detail(self) -> dict[str, Any]:
        """GET /meetings/{meetingUUID}/meeting_summary (rivet's MeetingsGetMeetingOrWebinarSummaryResponse).
        `summary_content` (Markdown) is the field Zoom keeps; overview, details and next steps
        are its older, deprecated form of the same summary; `edited_summary` only once edited."""
        details = [{"label": label, "summary": text} for label, text in SUMMARY_DETAILS] + self.extra_details
        overview = f"{self.topic}: the team reviewed the week and planned the next release."
        editor = self.editor or self.host
        body = {
            **self.list_item(),
            "summary_last_modified_user_id": editor.id,
            "summary_last_modified_user_email": editor.record["email"],
            "summary_title": f"Meeting summary for {self.topic}",
            "summary_overview": overview,
            "summary_details": details,
            "next_steps": list(NEXT_STEPS),
            "summary_content": markdown(overview, details, list(NEXT_STEPS)),
            "summary_doc_url": f"https://docs.zoom.us/doc/summary-{self.parent_id}-{self.instance.start:%Y%m%d%H%M}",
        }
        if self.edits:
            edited_steps = [*NEXT_STEPS, f"Follow-up {self.edits} agreed after the meeting"]
            edited_overview = f"{overview} (Edited by the host, revision {self.edits}.)"
            body["edited_summary"] = {
                "summary_overview": edited_overview,
                "summary_details": "\n".join(f"{d['label']}: {d['summary']}" for d in details),
                "next_steps": edited_steps,
            }
            body["summary_content"] = markdown(edited_overview, details, edited_steps)
        return body


def markdown(overview: str, details: list, next_steps: list) -> str:
    lines = ["## Quick recap", "", overview, ""]
    for detail in details:
        lines += [f"## {detail['label']}", "", detail["summary"], ""]
    lines += ["## Next steps", ""] + [f"- {step}" for step in next_steps]
    return "\n".join(lines)


def turn_on_ai_companion(hosts: list["User"]) -> None:
    """Every other host (the first one included) has AI Companion's meeting summary on."""
    for index, host in enumerate(hosts):
        host.ai_companion = index % 2 == 0


def summarise(dataset: "Dataset", instances: Iterable["PastInstance"], rng: random.Random) -> None:
    """Summaries of the given instances whose host has AI Companion on (most of them); the
    first of a batch is edited once already (before today: nobody edits in the future), so an
    edited summary is in every sync."""
    first = True
    midnight = dt.datetime.combine(dataset.today, dt.time())
    for instance in instances:
        host = dataset.host_of(instance)
        if not host.ai_companion or rng.random() >= SUMMARISED_SHARE or instance.uuid in dataset.summaries:
            continue
        parent = dataset.parent_of(instance)
        created = instance.end + dt.timedelta(minutes=rng.randint(2, 20))
        summary = Summary(instance, host, parent.detail["topic"], parent.id, created, created)
        if first:
            summary.edits = 1
            summary.last_modified = max(created, min(created + dt.timedelta(hours=rng.randint(1, 30)), midnight))
            summary.extra_details = [{"label": "Überblick", "summary": "Nächste Schritte für Zoë und 東京チーム 📅"}]
            first = False
        dataset.summaries[instance.uuid] = summary


def edit(summary: Summary, editor: "User", at: dt.datetime) -> None:
    """The host (or another user) edits the summary after the meeting: a new revision."""
    summary.edits += 1
    summary.editor = editor
    summary.last_modified = max(at.replace(microsecond=0), summary.created)


def edit_summaries(dataset: "Dataset", count: int = 1, at: Optional[dt.datetime] = None,
                   meetings_since: Optional[dt.datetime] = None) -> list[str]:
    """The hosts edit `count` summaries at `at` (naive UTC, default now), those of the earliest
    meetings (started at or after `meetings_since`) first: each gets a new revision and a later
    summary_last_modified_time. Returns their uuids."""
    at = at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    candidates = [s for s in dataset.summaries.values() if meetings_since is None or s.instance.start >= meetings_since]
    chosen = sorted(candidates, key=lambda s: (s.instance.start, s.uuid))[:count]
    for summary in chosen:
        edit(summary, summary.host, at)
    return [summary.uuid for summary in chosen]
