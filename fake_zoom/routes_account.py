"""Routes of the account around the meetings: groups and roles with their members, the survey
reports, the daily usage and cloud recording usage reports. The model is in structure.py,
surveys.py and usage_reports.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from . import structure, surveys, usage_reports
from .context import Ctx, ZoomError, _date_param, choice
from .paging import token_page
from .routing import Route


def _structure_on_plan(ctx: Ctx) -> None:
    if not ctx.config.groups_and_roles:
        raise ZoomError(400, 200, structure.PLAN_MESSAGE)


def list_groups(ctx: Ctx):
    _structure_on_plan(ctx)
    body = token_page(structure.group_rows(ctx.dataset), "groups", ctx.path, ctx.query)
    body.pop("page_size")  # Zoom's type for this listing has no page_size
    return body


def list_group_members(ctx: Ctx):
    _structure_on_plan(ctx)
    group_id = unquote(ctx.params["groupId"])
    if structure.find_group(ctx.dataset, group_id) is None:
        raise ZoomError(404, 4130, f"A group with this {group_id} does not exist.")
    return token_page(structure.group_members(ctx.dataset, group_id), "members", ctx.path, ctx.query)


def list_roles(ctx: Ctx):
    _structure_on_plan(ctx)
    kind = choice(ctx, "type", ("common", "iq"), "common")
    rows = structure.role_rows(ctx.dataset) if kind == "common" else []  # no Zoom IQ roles on the fake account
    return {"roles": rows, "total_records": len(rows)}


def list_role_members(ctx: Ctx):
    _structure_on_plan(ctx)
    role_id = unquote(ctx.params["roleId"])
    if structure.find_role(ctx.dataset, role_id) is None:
        raise ZoomError(400, 1034, f"Role does not exist: {role_id}.")
    return token_page(structure.role_members(ctx.dataset, role_id), "members", ctx.path, ctx.query)


def get_meeting_survey(ctx: Ctx):
    return surveys.report(ctx.meeting_instance())


def get_webinar_survey(ctx: Ctx):
    return surveys.report(ctx.webinar_instance())


def _int_param(ctx: Ctx, name: str) -> int:
    text = ctx.query.get(name, "")
    if not text.isdigit():
        raise ZoomError(400, 300, f"Invalid field: {name}.")
    return int(text)


def get_daily_usage(ctx: Ctx) -> dict[str, Any]:
    year, month = _int_param(ctx, "year"), _int_param(ctx, "month")
    if not 1 <= month <= 12 or not usage_reports.daily_month_served(year, month, ctx.dataset.today):
        raise ZoomError(400, 300, usage_reports.DAILY_HORIZON_MESSAGE)
    return usage_reports.daily_report(ctx.dataset, year, month)


def get_cloud_recording_usage(ctx: Ctx) -> dict[str, Any]:
    first, last = _date_param(ctx.query, "from"), _date_param(ctx.query, "to")
    if not usage_reports.cloud_recording_served(first, last, ctx.dataset.today):
        raise ZoomError(400, 300, usage_reports.CLOUD_RECORDING_MESSAGE)
    return usage_reports.cloud_recording_report(ctx.dataset, first, last)


ROUTES = [
    Route("/v2/groups", "Medium", list_groups, "group:read:list_groups:admin"),
    Route("/v2/groups/{groupId}/members", "Medium", list_group_members, "group:read:list_members:admin"),
    Route("/v2/roles", "Medium", list_roles, "role:read:list_roles:admin"),
    Route("/v2/roles/{roleId}/members", "Medium", list_role_members, "role:read:list_members:admin"),
    # The survey reports' granular names are on Zoom's granular-scope page; the two usage reports'
    # are not (docs/contract.md, "Scope names"; unit_tests/test_scopes_documented.py).
    Route("/v2/report/meetings/{meetingId}/survey", "Heavy", get_meeting_survey, "report:read:meeting_survey:admin"),
    Route("/v2/report/webinars/{webinarId}/survey", "Heavy", get_webinar_survey, "report:read:webinar_survey:admin"),
    Route("/v2/report/daily", "Heavy", get_daily_usage, "report:read:daily_usage:admin"),
    Route("/v2/report/cloud_recording", "Heavy", get_cloud_recording_usage, "report:read:cloud_recording:admin"),
]
