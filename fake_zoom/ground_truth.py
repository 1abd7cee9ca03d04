"""The records a correct connector emits for a full sync, computed from the data model.

Follows docs/contract.md: which parents are sliced, which children are skipped (deleted meetings,
registration disabled, polls disabled, webinar licence missing, instances older than a year),
report/recording date windows, and primary-key tuples in the contract's field order, with "" for a
missing key string and ints for meeting_id / webinar_id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, Optional

from .data import Dataset, Meeting, PastInstance, Webinar, default_start_date, fmt_ts, parse_ts, six_months_before

TABLES = (
    "users",
    "meetings",
    "meeting_registrants",
    "meeting_questions",
    "meeting_polls",
    "report_meetings",
    "report_meeting_participants",
    "meeting_poll_results",
    "meeting_files",
    "webinars",
    "webinar_panelists",
    "webinar_registrants",
    "webinar_questions",
    "webinar_tracking_sources",
    "webinar_polls",
    "report_webinars",
    "report_webinar_participants",
    "webinar_absentees",
    "webinar_poll_results",
    "webinar_qna_results",
    "webinar_files",
    "cloud_recordings",
)

Key = tuple[Any, ...]


def key_str(value: Any) -> Any:
    """A primary-key field Zoom omits or sends as null is emitted as ""."""
    return "" if value is None else value


def compute_ground_truth(dataset: Dataset, start_date: Optional[str] = None) -> dict[str, Any]:
    start_text = fmt_ts(parse_ts(start_date or default_start_date(dataset.today)))
    tables = {name: [list(key) for key in keys] for name, keys in _tables(dataset, start_text).items()}
    return {
        "start_date": start_text,
        "today": dataset.today.isoformat(),
        "tables": {name: {"count": len(keys), "primary_keys": keys} for name, keys in tables.items()},
    }


def _tables(dataset: Dataset, start_text: str) -> dict[str, list[Key]]:
    files_served = not dataset.config.files_endpoints_removed
    meetings = list(_fetchable_meetings(dataset))
    report_instances = list(_report_meeting_instances(dataset, parse_ts(start_text).date()))
    meeting_instances = list(_every_meeting_instance(dataset, meetings, report_instances, start_text))
    webinars = list(_listed_webinars(dataset))
    webinar_instances = list(_webinar_instances(dataset, webinars, start_text))
    tables: dict[str, list[Key]] = {
        "users": [(u.id,) for u in dataset.users],
        "meetings": [(m.detail["uuid"],) for m in meetings],
        "meeting_registrants": [(r["id"], m.id) for m in meetings if m.has_registration for r in m.registrants],
        "meeting_questions": [(m.id,) for m in meetings if m.has_registration],
        "meeting_polls": [(p["id"], m.id) for m in meetings if not m.polls_disabled for p in m.polls],
        "report_meetings": [(i.uuid,) for _, i in report_instances],
        "report_meeting_participants": [
            (key_str(p.get("id")), m.id, i.uuid, key_str(p.get("user_id")), key_str(p.get("join_time")))
            for m, i in meeting_instances
            for p in i.participants
        ],
        "meeting_poll_results": [_respondent_key(i, index, r) for _, i in meeting_instances
                                 for index, r in enumerate(i.poll_results)],
        "meeting_files": [(i.uuid, f["file_name"]) for _, i in meeting_instances if files_served for f in i.files],
        "webinars": [(w.detail["uuid"],) for w in webinars],
        "webinar_panelists": [(p["id"], w.id) for w in webinars for p in w.panelists],
        "webinar_registrants": [(w.id, r["id"]) for w in webinars if w.has_registration for r in w.registrants],
        "webinar_questions": [(w.id,) for w in webinars if w.has_registration],
        "webinar_tracking_sources": [(s["id"], w.id) for w in webinars if w.has_registration
                                     for s in w.tracking_sources],
        "webinar_polls": [(p["id"], w.id) for w in webinars for p in w.polls],
        "report_webinars": [(i.uuid,) for _, i in webinar_instances],
        "report_webinar_participants": [
            (key_str(p.get("id")), w.id, i.uuid, key_str(p.get("user_id")), key_str(p.get("join_time")))
            for w, i in webinar_instances
            for p in i.participants
        ],
        "webinar_absentees": [(r["id"], i.uuid) for w, i in webinar_instances if w.has_registration
                              for r in i.absentees],
        "webinar_poll_results": [_respondent_key(i, index, r) for _, i in webinar_instances
                                 for index, r in enumerate(i.poll_results)],
        "webinar_qna_results": [_respondent_key(i, index, r) for _, i in webinar_instances
                                for index, r in enumerate(i.qa)],
        "webinar_files": [(i.uuid, f["file_name"]) for _, i in webinar_instances if files_served for f in i.files],
        "cloud_recordings": [(i.uuid,) for i in _recorded_instances(dataset, parse_ts(start_text).date())],
    }
    assert tuple(tables) == TABLES
    return tables


def _respondent_key(instance: PastInstance, index: int, respondent: dict[str, Any]) -> Key:
    return (instance.uuid, key_str(respondent.get("email")), index)


def _fetchable_meetings(dataset: Dataset) -> Iterator[Meeting]:
    """Meetings listed by /users/{id}/meetings whose detail does not answer 404."""
    return (m for m in dataset.all_meetings() if not m.deleted)


def _every_meeting_instance(
    dataset: Dataset, meetings: list[Meeting], report_instances: list[tuple[Meeting, PastInstance]], start_text: str
) -> Iterator[tuple[Meeting, PastInstance]]:
    """The instances the participant, poll and file tables hang off: the report listing's, plus
    what /past_meetings/{id}/instances lists for each fetchable meeting (starting at or after the
    start date, lookups not answering 12702), each uuid once."""
    seen: set[str] = set()
    for meeting, instance in report_instances:
        seen.add(instance.uuid)
        yield meeting, instance
    for meeting in meetings:
        for instance in meeting.instances:
            if instance.uuid in seen or instance.start_time < start_text or instance.too_old(dataset.today):
                continue
            seen.add(instance.uuid)
            yield meeting, instance


def _listed_webinars(dataset: Dataset) -> Iterator[Webinar]:
    """Webinars of licensed users (the others answer 400 code 200 and are skipped)."""
    return (w for u in dataset.users if u.webinar_licence for w in u.webinars)


def report_window_start(today: dt.date, start_day: dt.date) -> dt.date:
    """Reports only reach back 6 months; the connector clamps its first window to the day after."""
    return max(start_day, six_months_before(today) + dt.timedelta(days=1))


def _report_meeting_instances(dataset: Dataset, start_day: dt.date) -> Iterator[tuple[Meeting, PastInstance]]:
    """What /report/users/{id}/meetings lists over the sync's windows: instances with >= 2
    participants whose start date lies in [clamped start, today]; a uuid is emitted once."""
    first_day = report_window_start(dataset.today, start_day)
    seen: set[str] = set()
    for meeting in dataset.all_meetings():
        for instance in meeting.instances:
            listed = len(instance.participants) >= 2 and first_day <= instance.start.date() <= dataset.today
            if listed and instance.uuid not in seen:
                seen.add(instance.uuid)
                yield meeting, instance


def _webinar_instances(
    dataset: Dataset, webinars: list[Webinar], start_text: str
) -> Iterator[tuple[Webinar, PastInstance]]:
    """Instances from /past_webinars/{id}/instances starting at or after the start date whose
    lookups do not answer 12702 (older than a year)."""
    for webinar in webinars:
        for instance in webinar.instances:
            if instance.start_time >= start_text and not instance.too_old(dataset.today):
                yield webinar, instance


def _recorded_instances(dataset: Dataset, start_day: dt.date) -> Iterator[PastInstance]:
    seen: set[str] = set()
    for meeting in dataset.all_meetings():
        for instance in meeting.instances:
            in_window = start_day <= instance.start.date() <= dataset.today
            if instance.recording is not None and in_window and instance.uuid not in seen:
                seen.add(instance.uuid)
                yield instance
