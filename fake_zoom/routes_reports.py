"""Routes of Zoom's reports (/report/...): a user's meetings in a window, an instance's detail,
participants and Q&A, the history listing of meetings and webinars, a webinar instance's detail
and participants, and the account's audit trail (sign-in activities, operation logs). All are
Heavy, and their windows keep to the report horizon.
"""

from __future__ import annotations

from typing import Callable

from . import audit_logs
from .context import Ctx, choice, date_range, past_answers
from .model import PastInstance
from .paging import token_page
from .report_rows import history_row, report_detail, report_listing_row
from .routing import Route


REPORT_TYPES = ("past", "pastOne", "pastJoined")


def list_report_meetings(ctx: Ctx):
    """Every instance the user hosted (listed meeting or not) with two or more participants that
    was running at some time during [from 00:00, to 23:59:59]: an instance that runs past midnight
    at a window's edge is listed by both windows."""
    user = ctx.user()
    start, end = date_range(ctx, reports=True)
    # type=past (Zoom's default): two or more participants; pastOne: a single one. pastJoined
    # (meetings the user joined) is answered like past: the fake keeps no one's attendance elsewhere.
    single = choice(ctx, "type", REPORT_TYPES, "past") == "pastOne"
    listed = sorted(
        (i for m in user.meetings for i in m.instances
         if (len(i.participants) == 1) == single and i.start.date() <= end and i.end.date() >= start),
        key=lambda i: i.start,
    )
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    rows = [report_listing_row(ctx.dataset, i) for i in listed]
    return token_page(rows, "meetings", ctx.path, ctx.query, extra)


def get_report_meeting(ctx: Ctx):
    return report_detail(ctx.dataset, ctx.meeting_instance())


def _participants(ctx: Ctx, instance: PastInstance):
    """Participant report rows; `registrant_id` only when asked with include_fields=registrant_id."""
    asked = {field.strip() for field in ctx.query.get("include_fields", "").split(",")}
    rows = instance.participants
    if "registrant_id" not in asked:
        rows = [{k: v for k, v in row.items() if k != "registrant_id"} for row in rows]
    return token_page(rows, "participants", ctx.path, ctx.query)


def list_report_meeting_participants(ctx: Ctx):
    return _participants(ctx, ctx.meeting_instance())


HISTORY_MEETING_TYPES = ("meeting", "webinar", "all")
# report_type: only the instances that have that report. The fake keeps polls, Q&A and surveys;
# no instance has a resource or reaction report.
HISTORY_REPORT_TYPES: dict[str, Callable[[PastInstance], bool]] = {
    "all": lambda instance: True,
    "poll": lambda instance: bool(instance.poll_results),
    "qa": lambda instance: bool(instance.qa),
    "survey": lambda instance: instance.survey is not None,
    "resource": lambda instance: False,
    "reaction": lambda instance: False,
}


def list_history_meetings(ctx: Ctx):
    """GET /report/history_meetings: every past instance of every host of the account (active or
    inactive, any participant count, listed or not, deleted webinars too) whose start (or end,
    with date_type=end_time) date lies in [from, to]; the report listing's horizon applies."""
    start, end = date_range(ctx, reports=True)
    date_type = choice(ctx, "date_type", ("start_time", "end_time"), "start_time")
    meeting_type = choice(ctx, "meeting_type", HISTORY_MEETING_TYPES, "all")
    has_report = HISTORY_REPORT_TYPES[choice(ctx, "report_type", tuple(HISTORY_REPORT_TYPES), "all")]
    kinds = ("meeting", "webinar") if meeting_type == "all" else (meeting_type,)
    instances = []
    for user in ctx.dataset.hosting_users():
        parents = (user.meetings if "meeting" in kinds else []) + (user.webinars if "webinar" in kinds else [])
        for parent in parents:
            for instance in parent.instances:
                day = (instance.start if date_type == "start_time" else instance.end).date()
                if start <= day <= end and has_report(instance):
                    instances.append(instance)
    instances.sort(key=lambda i: (i.start, i.uuid))
    rows = [history_row(ctx.dataset, i) for i in instances]
    # Zoom's type for this listing (rivet's ReportsGetHistoryMeetingAndWebinarListResponse) has
    # only next_page_token and page_size beside the rows: no from/to echo, no total_records.
    return token_page(rows, "history_meetings", ctx.path, ctx.query, counted=False)


def get_report_webinar(ctx: Ctx):
    return report_detail(ctx.dataset, ctx.webinar_instance())


def list_report_webinar_participants(ctx: Ctx):
    return _participants(ctx, ctx.webinar_instance())


def get_report_meeting_qa(ctx: Ctx):
    """GET /report/meetings/{meetingUUID}/qa: one entry per asker (anonymous ones too)."""
    instance = ctx.meeting_instance()
    return past_answers(instance, instance.qa)


def _audit_listing(ctx: Ctx, logs: list, key: str, echo_dates: bool, **filters: str):
    """A report of the account's audit trail: entries on a day in [from, to] (one month at most,
    within the reports' six months), oldest first."""
    start, end = date_range(ctx, reports=True)
    rows = [row for row in audit_logs.in_days(logs, start, end) if all(row[f] == v for f, v in filters.items())]
    extra = {"from": start.isoformat(), "to": end.isoformat()} if echo_dates else {}
    return token_page(rows, key, ctx.path, ctx.query, extra, counted=False)


def list_sign_in_activities(ctx: Ctx):
    """GET /report/activities: sign-in and sign-out activity of the account's users."""
    return _audit_listing(ctx, ctx.dataset.sign_in_logs, "activity_logs", echo_dates=True)


OPERATION_CATEGORIES = ("all", "user", "user_settings", "account", "billing", "im", "recording", "phone_contacts",
                        "webinar", "sub_account", "role", "zoom_rooms")


def list_operation_logs(ctx: Ctx):
    """GET /report/operationlogs: what the account's admins did; `category_type` narrows it."""
    category = choice(ctx, "category_type", OPERATION_CATEGORIES, "all")
    filters = {} if category == "all" else {"category_type": category}
    return _audit_listing(ctx, ctx.dataset.operation_logs, "operation_logs", echo_dates=False, **filters)


ROUTES = [
    Route("/v2/report/users/{userId}/meetings", "Heavy", list_report_meetings, "report:read:user:admin"),
    Route("/v2/report/meetings/{meetingId}", "Heavy", get_report_meeting, "report:read:meeting:admin"),
    Route("/v2/report/meetings/{meetingId}/participants", "Heavy", list_report_meeting_participants,
          "report:read:list_meeting_participants:admin"),
    Route("/v2/report/meetings/{meetingId}/qa", "Heavy", get_report_meeting_qa, "report:read:meeting_qna:admin"),
    Route("/v2/report/activities", "Heavy", list_sign_in_activities, "report:read:user_activities:admin"),
    Route("/v2/report/operationlogs", "Heavy", list_operation_logs, "report:read:operation_logs:admin"),
    Route("/v2/report/history_meetings", "Heavy", list_history_meetings,
          "report:read:list_history_meetings:admin", counted_by=("report_type",)),
    Route("/v2/report/webinars/{webinarId}", "Heavy", get_report_webinar, "report:read:webinar:admin"),
    Route("/v2/report/webinars/{webinarId}/participants", "Heavy", list_report_webinar_participants,
          "report:read:list_webinar_participants:admin"),
]
