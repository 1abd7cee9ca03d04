"""Routes of webinars: /users/{userId}/webinars (page_number paging), /webinars/{webinarId} with its
panelists, registrants, registration questions, tracking sources and polls, and a webinar's past
instances with their absentees, poll results and Q&A (/past_webinars/{webinarId}/...).
"""

from __future__ import annotations

from .context import Ctx, ZoomError, of_status, past_answers
from .model import Webinar
from .paging import number_page, token_page
from .routing import Route


WEBINAR_PLAN_MISSING = (
    "Webinar plan is missing. You must subscribe to the webinar plan and enable webinar for this user "
    "in order to perform this action."
)


def _registered_webinar(ctx: Ctx) -> Webinar:
    webinar = ctx.webinar()
    if not webinar.has_registration:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this webinar: {webinar.id}.")
    return webinar


def list_user_webinars(ctx: Ctx):
    user = ctx.user()
    if not user.webinar_licence:
        raise ZoomError(400, 200, WEBINAR_PLAN_MISSING)
    return number_page([w.list_item for w in user.webinars if w.listed], "webinars", ctx.query)


def get_webinar(ctx: Ctx):
    return ctx.webinar().detail


def list_webinar_panelists(ctx: Ctx):
    panelists = ctx.webinar().panelists
    return {"total_records": len(panelists), "panelists": panelists}


def list_webinar_registrants(ctx: Ctx):
    registrants = of_status(ctx, _registered_webinar(ctx).registrants)
    return token_page(registrants, "registrants", ctx.path, ctx.query)


def get_webinar_questions(ctx: Ctx):
    return _registered_webinar(ctx).questions


def list_webinar_tracking_sources(ctx: Ctx):
    sources = _registered_webinar(ctx).tracking_sources
    return {"total_records": len(sources), "tracking_sources": sources}


def list_webinar_polls(ctx: Ctx):
    polls = ctx.webinar().polls
    return {"total_records": len(polls), "polls": polls}


def list_past_webinar_instances(ctx: Ctx):
    webinar = ctx.past_webinar()
    return {"webinars": [{"uuid": i.uuid, "start_time": i.start_time} for i in webinar.instances]}


def list_past_webinar_absentees(ctx: Ctx):
    instance = ctx.webinar_instance()
    webinar = ctx.dataset.webinars_by_id[instance.parent_id]
    if not webinar.has_registration:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this webinar: {webinar.id}.")
    return token_page(instance.absentees, "registrants", ctx.path, ctx.query)


def get_past_webinar_polls(ctx: Ctx):
    instance = ctx.webinar_instance()
    return past_answers(instance, instance.poll_results)


def get_past_webinar_qa(ctx: Ctx):
    instance = ctx.webinar_instance()
    return past_answers(instance, instance.qa)


ROUTES = [
    Route("/v2/users/{userId}/webinars", "Medium", list_user_webinars, "webinar:read:list_webinars:admin"),
    Route("/v2/webinars/{webinarId}", "Light", get_webinar, "webinar:read:webinar:admin"),
    Route("/v2/webinars/{webinarId}/panelists", "Medium", list_webinar_panelists, "webinar:read:list_panelists:admin"),
    Route("/v2/webinars/{webinarId}/registrants", "Medium", list_webinar_registrants,
          "webinar:read:list_registrants:admin"),
    Route("/v2/webinars/{webinarId}/registrants/questions", "Light", get_webinar_questions,
          "webinar:read:list_registration_questions:admin"),
    Route("/v2/webinars/{webinarId}/tracking_sources", "Medium", list_webinar_tracking_sources,
          "webinar:read:list_tracking_sources:admin"),
    Route("/v2/webinars/{webinarId}/polls", "Light", list_webinar_polls, "webinar:read:list_polls:admin"),
    Route("/v2/past_webinars/{webinarId}/instances", "Medium", list_past_webinar_instances,
          "webinar:read:list_past_instances:admin"),
    Route("/v2/past_webinars/{webinarId}/absentees", "Heavy", list_past_webinar_absentees,
          "webinar:read:list_absentees:admin"),
    Route("/v2/past_webinars/{webinarId}/polls", "Medium", get_past_webinar_polls,
          "webinar:read:list_past_polls:admin"),
    Route("/v2/past_webinars/{webinarId}/qa", "Medium", get_past_webinar_qa, "webinar:read:past_qa:admin"),
]
