"""What a correct sync returns, computed from the data model by the contract's statement alone.

docs/contract.md, "What a sync returns", states in Zoom's terms which records a sync with a given
start_date and today must return; this module implements that statement and nothing else (it
never follows the connector's code). Every horizon comes from horizons.py, the module the fake's
handlers use too. Each table holds the FULL expected record per primary key: the fields the
endpoint the table reads serves (built by the same record builders the handlers serve) plus the
fields the connector stamps (the stream graph's last column).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Iterable, Optional

from . import phone, structure, surveys, usage_reports
from .horizons import report_horizon
from .model import Dataset, Meeting, PastInstance, User, Webinar, default_start_date, fmt_ts, parse_ts
from .report_rows import report_detail, report_listing_row
from .scopes import scope_of
from .transcripts import as_served

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
    "meeting_summaries",
    "recording_transcript_segments",
    "meeting_qna_results",
    "report_sign_in_activities",
    "report_operation_logs",
    "groups",
    "group_members",
    "roles",
    "role_members",
    "meeting_survey_results",
    "webinar_survey_results",
    "report_daily_usage",
    "report_cloud_recording_usage",
)

# The Zoom Phone tables' truth is phone.py's (its model, handlers and truth live together).
TABLES = TABLES + phone.TABLES

# Primary-key fields per table, in the contract's order.
PRIMARY_KEYS = {
    "users": ("id",),
    "meetings": ("uuid",),
    "meeting_registrants": ("id", "meeting_id"),
    "meeting_questions": ("meeting_id",),
    "meeting_polls": ("id", "meeting_id"),
    "report_meetings": ("uuid",),
    "report_meeting_participants": ("id", "meeting_id", "meeting_uuid", "user_id", "join_time"),
    "meeting_poll_results": ("meeting_uuid", "email", "respondent_index"),
    "meeting_files": ("meeting_uuid", "file_name"),
    "webinars": ("uuid",),
    "webinar_panelists": ("id", "webinar_id"),
    "webinar_registrants": ("webinar_id", "id"),
    "webinar_questions": ("webinar_id",),
    "webinar_tracking_sources": ("id", "webinar_id"),
    "webinar_polls": ("id", "webinar_id"),
    "report_webinars": ("uuid",),
    "report_webinar_participants": ("id", "webinar_id", "webinar_uuid", "user_id", "join_time"),
    "webinar_absentees": ("id", "webinar_uuid"),
    "webinar_poll_results": ("webinar_uuid", "email", "respondent_index"),
    "webinar_qna_results": ("webinar_uuid", "email", "respondent_index"),
    "webinar_files": ("webinar_uuid", "file_name"),
    "cloud_recordings": ("uuid",),
    "meeting_summaries": ("meeting_uuid",),
    "recording_transcript_segments": ("recording_file_id", "cue_index"),
    "meeting_qna_results": ("meeting_uuid", "email", "respondent_index"),
    # Zoom gives these rows no id: every field of the row together tells two rows apart.
    "report_sign_in_activities": ("email", "time", "type", "ip_address", "client_type", "version"),
    "report_operation_logs": ("time", "operator", "category_type", "action", "operation_detail"),
    "groups": ("id",),
    "group_members": ("group_id", "id"),
    "roles": ("id",),
    "role_members": ("role_id", "id"),
    "meeting_survey_results": ("meeting_uuid", "email", "respondent_index"),
    "webinar_survey_results": ("webinar_uuid", "email", "respondent_index"),
    "report_daily_usage": ("date",),
    "report_cloud_recording_usage": ("date",),
}
PRIMARY_KEYS.update(phone.PRIMARY_KEYS)

# The endpoint(s) each table's records come from: a table whose endpoint's granular scope the app
# lacks is empty (its calls answer 4711). report_meetings also reads the instance's detail report.
TABLE_ENDPOINTS = {
    "users": ("/v2/users",),
    "meetings": ("/v2/meetings/{meetingId}",),
    "meeting_registrants": ("/v2/meetings/{meetingId}/registrants",),
    "meeting_questions": ("/v2/meetings/{meetingId}/registrants/questions",),
    "meeting_polls": ("/v2/meetings/{meetingId}/polls",),
    "report_meetings": ("/v2/report/users/{userId}/meetings", "/v2/report/meetings/{meetingId}"),
    "report_meeting_participants": ("/v2/report/meetings/{meetingId}/participants",),
    "meeting_poll_results": ("/v2/past_meetings/{meetingId}/polls",),
    "meeting_files": ("/v2/past_meetings/{meetingId}/files",),
    "webinars": ("/v2/webinars/{webinarId}",),
    "webinar_panelists": ("/v2/webinars/{webinarId}/panelists",),
    "webinar_registrants": ("/v2/webinars/{webinarId}/registrants",),
    "webinar_questions": ("/v2/webinars/{webinarId}/registrants/questions",),
    "webinar_tracking_sources": ("/v2/webinars/{webinarId}/tracking_sources",),
    "webinar_polls": ("/v2/webinars/{webinarId}/polls",),
    "report_webinars": ("/v2/report/webinars/{webinarId}",),
    "report_webinar_participants": ("/v2/report/webinars/{webinarId}/participants",),
    "webinar_absentees": ("/v2/past_webinars/{webinarId}/absentees",),
    "webinar_poll_results": ("/v2/past_webinars/{webinarId}/polls",),
    "webinar_qna_results": ("/v2/past_webinars/{webinarId}/qa",),
    "webinar_files": ("/v2/past_webinars/{webinarId}/files",),
    "cloud_recordings": ("/v2/users/{userId}/recordings",),
    "meeting_summaries": ("/v2/meetings/meeting_summaries", "/v2/meetings/{meetingId}/meeting_summary"),
    "recording_transcript_segments": ("/v2/users/{userId}/recordings",),
    "meeting_qna_results": ("/v2/report/meetings/{meetingId}/qa",),
    "report_sign_in_activities": ("/v2/report/activities",),
    "report_operation_logs": ("/v2/report/operationlogs",),
    "groups": ("/v2/groups",),
    "group_members": ("/v2/groups", "/v2/groups/{groupId}/members"),
    "roles": ("/v2/roles",),
    "role_members": ("/v2/roles", "/v2/roles/{roleId}/members"),
    "meeting_survey_results": ("/v2/report/meetings/{meetingId}/survey",),
    "webinar_survey_results": ("/v2/report/webinars/{webinarId}/survey",),
    "report_daily_usage": ("/v2/report/daily",),
    "report_cloud_recording_usage": ("/v2/report/cloud_recording",),
}

Record = dict[str, Any]


def key_str(value: Any) -> Any:
    """A primary-key field Zoom omits or sends as null is emitted as ""."""
    return "" if value is None else value


def compute_ground_truth(dataset: Dataset, start_date: Optional[str] = None, origin: str = "") -> dict[str, Any]:
    """`origin`: scheme://host:port the connector reaches the fake at (recordings' download URLs point there)."""
    start = parse_ts(start_date or default_start_date(dataset.today))
    records = _SyncContract(dataset, start, origin).tables()
    assert tuple(records) + phone.TABLES == TABLES
    tables = {}
    for name, rows in records.items():
        if any(scope_of(endpoint) in dataset.missing_scopes for endpoint in TABLE_ENDPOINTS[name]):
            rows = []
        rows = _unique_by_key(name, rows)
        tables[name] = {
            "count": len(rows),
            "primary_keys": [[row[field] for field in PRIMARY_KEYS[name]] for row in rows],
            "records": rows,
        }
    for name, rows in phone.ground_truth(dataset, start, dataset.missing_scopes, scope_of).items():
        tables[name] = {"count": len(rows), "primary_keys": [[row[f] for f in PRIMARY_KEYS[name]] for row in rows], "records": rows}
    return {"start_date": fmt_ts(start), "today": dataset.today.isoformat(), "tables": tables}


def _unique_by_key(name: str, rows: list[Record]) -> list[Record]:
    """Keys are made "" where Zoom omits them; a key met twice is one record (the first)."""
    seen: set[tuple] = set()
    unique = []
    for row in rows:
        for field in PRIMARY_KEYS[name]:
            row[field] = key_str(row.get(field))
        key = tuple(repr(row[field]) for field in PRIMARY_KEYS[name])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


class _SyncContract:
    """docs/contract.md "What a sync returns", one method per rule."""

    def __init__(self, dataset: Dataset, start: dt.datetime, origin: str = "") -> None:
        self.dataset = dataset
        self.origin = origin
        self.today = dataset.today
        self.start = start
        self.horizon = report_horizon(dataset.today)
        self.hosts: list[User] = dataset.hosting_users()  # active and inactive users

    # --- which parents and instances Zoom still lists ---

    def listed_meetings(self) -> list[Meeting]:
        """What /users/{id}/meetings?type=scheduled lists for each host."""
        return [m for u in self.hosts for m in u.meetings if m.listed]

    def served_meetings(self) -> list[Meeting]:
        """Listed meetings whose /meetings/{id} answers."""
        return [m for m in self.listed_meetings() if m.served]

    def listed_webinars(self) -> list[Webinar]:
        """What /users/{id}/webinars lists for each host with a webinar licence."""
        return [w for u in self.hosts if u.webinar_licence for w in u.webinars if w.listed]

    def in_report_listing(self, instance: PastInstance) -> bool:
        """The report listing shows an instance with two or more participants in every window it
        runs in; a window starts no earlier than the report horizon and ends no later than today."""
        return (len(instance.participants) >= 2 and instance.start.date() <= self.today
                and instance.end.date() >= max(self.horizon, self.start.date()))

    def in_history_listing(self, instance: PastInstance) -> bool:
        """/report/history_meetings lists every instance whose start date is in [horizon, today]."""
        return self.horizon <= instance.start.date() <= self.today

    def reachable(self, instance: PastInstance, parent_listed: bool) -> bool:
        """An instance a sync can find, starting at or after start_date."""
        if instance.start < self.start:
            return False
        listed_somewhere = parent_listed or self.in_history_listing(instance)
        return listed_somewhere or (instance.kind == "meeting" and self.in_report_listing(instance))

    def meeting_instances(self) -> list[tuple[Meeting, PastInstance]]:
        listed = {m.id for m in self.listed_meetings()}
        return sorted(((m, i) for u in self.hosts for m in u.meetings for i in m.instances
                       if self.reachable(i, m.id in listed)), key=lambda pair: (pair[1].start, pair[1].uuid))

    def webinar_instances(self) -> list[tuple[Webinar, PastInstance]]:
        listed = {w.id for w in self.listed_webinars()}
        return sorted(((w, i) for u in self.hosts for w in u.webinars for i in w.instances
                       if self.reachable(i, w.id in listed)), key=lambda pair: (pair[1].start, pair[1].uuid))

    def looked_up(self, pairs: Iterable[tuple[Any, PastInstance]]) -> list[tuple[Any, PastInstance]]:
        """Instances whose per-instance lookups answer (not beyond the lookup limit, code 12702)."""
        return [(parent, i) for parent, i in pairs if not i.too_old(self.today)]

    # --- the tables ---

    def tables(self) -> dict[str, list[Record]]:
        meetings = self.served_meetings()
        registered_meetings = [m for m in meetings if m.has_registration]
        meeting_instances = self.looked_up(self.meeting_instances())
        webinars = self.listed_webinars()
        registered_webinars = [w for w in webinars if w.has_registration]
        webinar_instances = self.looked_up(self.webinar_instances())
        files_served = not self.dataset.config.files_endpoints_removed
        return {
            "users": [dict(u.record) for u in self.dataset.users],
            "meetings": [_with_occurences({**m.detail, "meeting_id": m.id}) for m in meetings],
            "meeting_registrants": [{**r, "meeting_id": m.id} for m in registered_meetings for r in m.registrants],
            "meeting_questions": [{**m.questions, "meeting_id": m.id} for m in registered_meetings],
            "meeting_polls": [{**p, "meeting_id": m.id} for m in meetings if not m.polls_disabled for p in m.polls],
            "report_meetings": self.report_meetings(),
            "report_meeting_participants": _children(meeting_instances, "meeting", lambda i: i.participants),
            "meeting_poll_results": _children(meeting_instances, "meeting", lambda i: i.poll_results, indexed=True),
            "meeting_files": _children(meeting_instances, "meeting", lambda i: i.files) if files_served else [],
            "webinars": [_with_occurences({**w.detail, "webinar_id": w.id}) for w in webinars],
            "webinar_panelists": [{**p, "webinar_id": w.id} for w in webinars for p in w.panelists],
            "webinar_registrants": [{**r, "webinar_id": w.id} for w in registered_webinars for r in w.registrants],
            "webinar_questions": [{**w.questions, "webinar_id": w.id} for w in registered_webinars],
            "webinar_tracking_sources": [{**s, "webinar_id": w.id} for w in registered_webinars
                                         for s in w.tracking_sources],
            "webinar_polls": [{**p, "webinar_id": w.id} for w in webinars for p in w.polls],
            "report_webinars": [{**report_detail(self.dataset, i), "webinar_id": w.id} for w, i in webinar_instances],
            "report_webinar_participants": _children(webinar_instances, "webinar", lambda i: i.participants),
            "webinar_absentees": _children([(w, i) for w, i in webinar_instances if w.has_registration], "webinar",
                                           lambda i: i.absentees),
            "webinar_poll_results": _children(webinar_instances, "webinar", lambda i: i.poll_results, indexed=True),
            "webinar_qna_results": _children(webinar_instances, "webinar", lambda i: i.qa, indexed=True),
            "webinar_files": _children(webinar_instances, "webinar", lambda i: i.files) if files_served else [],
            "cloud_recordings": self.cloud_recordings(),
            "meeting_summaries": self.meeting_summaries(),
            "recording_transcript_segments": self.transcript_segments(),
            "meeting_qna_results": _children(meeting_instances, "meeting", lambda i: i.qa, indexed=True),
            "report_sign_in_activities": self.audit_log(self.dataset.sign_in_logs),
            "report_operation_logs": self.audit_log(self.dataset.operation_logs),
            **structure.truth(self.dataset),
            "meeting_survey_results": surveys.truth_rows(meeting_instances, "meeting"),
            "webinar_survey_results": surveys.truth_rows(webinar_instances, "webinar"),
            **usage_reports.truth(self.dataset, self.start),
        }

    def report_meetings(self) -> list[Record]:
        """Report listing rows of every host, each joined with its instance's detail report (dept,
        tracking_fields) and stamped with the listing's user as host_id; one row per uuid."""
        rows = []
        for user in self.hosts:
            instances = [i for m in user.meetings for i in m.instances
                         if i.start >= self.start and self.in_report_listing(i)]
            for instance in sorted(instances, key=lambda i: (i.start, i.uuid)):
                row = report_listing_row(self.dataset, instance)
                detail = report_detail(self.dataset, instance)
                rows.append({**row, "meeting_id": row["id"], "dept": detail["dept"],
                             "tracking_fields": detail["tracking_fields"], "host_id": user.id})
        return rows

    def recorded_instances(self) -> list[PastInstance]:
        """Every host's meeting instance with a recording that started in [start_date, today]."""
        instances = [i for u in self.hosts for m in u.meetings for i in m.instances
                     if i.recording is not None and self.start <= i.start and i.start.date() <= self.today]
        return sorted(instances, key=lambda i: (i.start, i.uuid))

    def cloud_recordings(self) -> list[Record]:
        """Every recording of a host's meeting instance that started in [start_date, today], its
        files' download URLs as served to the connector."""
        return [as_served(i.recording, self.origin) for i in self.recorded_instances()]

    def meeting_summaries(self) -> list[Record]:
        """The AI Companion summary of every meeting or webinar instance that has one (its host had
        AI Companion on) and started in [start_date, today], as its detail serves it now."""
        summaries = [s for s in self.dataset.summaries.values()
                     if self.start <= s.instance.start and s.instance.start.date() <= self.today]
        return [s.detail() for s in sorted(summaries, key=lambda s: (s.instance.start, s.uuid))]

    def transcript_segments(self) -> list[Record]:
        """One row per cue with a time line of every transcript of a counted recording that its
        download_url serves (not a file still processing, not one on a host that is not Zoom's, not
        one deleted after the listing)."""
        by_instance: dict[str, list] = {}
        for transcript in self.dataset.transcripts.values():
            by_instance.setdefault(transcript.instance.uuid, []).append(transcript)
        rows = []
        for instance in self.recorded_instances():
            for transcript in by_instance.get(instance.uuid, []):
                if transcript.downloadable:
                    rows += transcript.rows()
        return rows

    def audit_log(self, logs: list[Record]) -> list[Record]:
        """The entries at or after start_date (a moment) on a day the listing reaches: from
        max(start_date's day, the report horizon) to today."""
        first_day = max(self.start.date(), self.horizon)
        return [dict(log) for log in logs
                if parse_ts(log["time"]) >= self.start and first_day <= parse_ts(log["time"]).date() <= self.today]


def _with_occurences(record: Record) -> Record:
    """Stitch's misspelled `occurences` copy of Zoom's `occurrences` (with `occurence_id`)."""
    if isinstance(record.get("occurrences"), list):
        record["occurences"] = [{**o, "occurence_id": o.get("occurrence_id")} for o in record["occurrences"]]
    return record


def _children(pairs: list[tuple[Any, PastInstance]], kind: str, items: Callable[[PastInstance], list],
              indexed: bool = False) -> list[Record]:
    """Per-instance rows stamped with their instance's <kind>_id, _uuid and _start_time (and the
    0-based respondent_index for poll results and Q&A)."""
    rows = []
    for parent, instance in pairs:
        for position, item in enumerate(items(instance)):
            row = {**item, f"{kind}_id": parent.id, f"{kind}_uuid": instance.uuid,
                   f"{kind}_start_time": instance.start_time}
            if indexed:
                row["respondent_index"] = position
            rows.append(row)
    return rows

