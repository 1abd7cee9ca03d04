"""Routes of users and their meetings: /users, /users/{userId}, /users/{userId}/meetings,
/meetings/{meetingId} with its registrants, registration questions and polls, and a meeting's past
instances and their poll results (/past_meetings/{meetingId}/...).
"""

from __future__ import annotations

from urllib.parse import unquote

from .context import Ctx, ZoomError, choice, of_status, past_answers
from .model import USER_STATUSES, Meeting
from .paging import token_page
from .routing import Route


def list_users(ctx: Ctx):
    status = choice(ctx, "status", USER_STATUSES, "active")
    users = [u.record for u in ctx.dataset.users if u.status == status]
    return token_page(users, "users", ctx.path, ctx.query)


def get_user(ctx: Ctx):
    # Any user of the account, pending ones included (by email when Zoom gave them no id).
    raw = unquote(ctx.params["userId"])
    user = ctx.dataset.find_user(raw)
    if user is None:
        raise ZoomError(404, 1001, f"User does not exist: {raw}.")
    return user.record


def list_user_meetings(ctx: Ctx):
    # `type=scheduled` (Zoom's default): every type the fake is asked for lists the scheduled
    # meetings, so expired one-time, instant and PMI meetings are never here.
    return token_page([m.list_item for m in ctx.user().meetings if m.listed], "meetings", ctx.path, ctx.query)


def get_meeting(ctx: Ctx):
    return ctx.meeting().detail


def _registered_meeting(ctx: Ctx) -> Meeting:
    meeting = ctx.meeting()
    if not meeting.has_registration:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this meeting: {meeting.id}.")
    return meeting


def list_meeting_registrants(ctx: Ctx):
    registrants = of_status(ctx, _registered_meeting(ctx).registrants)
    return token_page(registrants, "registrants", ctx.path, ctx.query)


def get_meeting_questions(ctx: Ctx):
    return _registered_meeting(ctx).questions


def list_meeting_polls(ctx: Ctx):
    meeting = ctx.meeting()
    if meeting.polls_disabled:
        raise ZoomError(400, 4400, "Meeting poll is not enabled")
    return {"total_records": len(meeting.polls), "polls": meeting.polls}


def list_past_meeting_instances(ctx: Ctx):
    meeting = ctx.past_meeting()
    return {"meetings": [{"uuid": i.uuid, "start_time": i.start_time} for i in meeting.instances]}


def get_past_meeting_polls(ctx: Ctx):
    instance = ctx.meeting_instance()
    return past_answers(instance, instance.poll_results)


ROUTES = [
    Route("/v2/users", "Medium", list_users, "user:read:list_users:admin"),
    Route("/v2/users/{userId}", "Medium", get_user, "user:read:user:admin"),
    Route("/v2/users/{userId}/meetings", "Medium", list_user_meetings, "meeting:read:list_meetings:admin"),
    Route("/v2/meetings/{meetingId}", "Light", get_meeting, "meeting:read:meeting:admin"),
    Route("/v2/meetings/{meetingId}/registrants", "Medium", list_meeting_registrants,
          "meeting:read:list_registrants:admin"),
    Route("/v2/meetings/{meetingId}/registrants/questions", "Light", get_meeting_questions,
          "meeting:read:list_registration_questions:admin"),
    Route("/v2/meetings/{meetingId}/polls", "Light", list_meeting_polls, "meeting:read:list_polls:admin"),
    Route("/v2/past_meetings/{meetingId}/instances", "Medium", list_past_meeting_instances,
          "meeting:read:list_past_instances:admin"),
    Route("/v2/past_meetings/{meetingId}/polls", "Medium", get_past_meeting_polls,
          "meeting:read:list_poll_results:admin"),
]
