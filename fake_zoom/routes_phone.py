"""Routes of Zoom Phone (the account's model, its rules and its truth are in phone.py): the
listings of phone users, sites, numbers and call queues; the call history by month window and
each call's path, in the account's shape; call recordings, voicemails and SMS sessions. Every
route answers 403 code 2031 on an account without Zoom Phone. The rate category and granular
scope of each are those of Zoom's Phone API reference; Zoom Phone's limits are its own
(pipeline.py admits these routes on phone.PhoneRateLimiter).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional
from urllib.parse import unquote

from .context import Ctx, ZoomError
from .horizons import add_months
from .paging import token_page
from .phone import NOT_ENABLED, PhoneAccount, as_element, as_row, horizon
from .routing import Route

# Zoom's largest page per listing (the spec's `maximum`); a larger page_size is served at it.
MAX_PAGE = {"users": 100, "numbers": 100, "call_queues": 100, "sms/sessions": 100}


def _account(ctx: Ctx) -> PhoneAccount:
    account: PhoneAccount = ctx.dataset.phone
    if not account.licensed:
        raise ZoomError(*NOT_ENABLED)
    return account


def _window(ctx: Ctx, with_horizon: bool, default_days: int) -> tuple[dt.date, dt.date]:
    """The days a from/to listing covers: one month at most (a longer range answers its first
    month), within six months where Zoom says so; without `from`, the last `default_days`."""
    today = ctx.dataset.today
    raw_from, raw_to = ctx.query.get("from", ""), ctx.query.get("to", "")
    if not raw_from:
        return today - dt.timedelta(days=default_days), today
    try:
        start = dt.date.fromisoformat(raw_from[:10])
        end = dt.date.fromisoformat(raw_to[:10]) if raw_to else today
    except ValueError:
        raise ZoomError(400, 300, "Invalid parameter: from/to.") from None
    if with_horizon and start < horizon(today):
        raise ZoomError(400, 300, "The month defined should fall within the last six months.")
    return start, min(end, add_months(start, 1) - dt.timedelta(days=1))


def _page(ctx: Ctx, items: list, key: str, listing: str, extra: Optional[dict] = None) -> dict[str, Any]:
    query = dict(ctx.query)
    if listing in MAX_PAGE and query.get("page_size", "").isdigit():
        query["page_size"] = str(min(int(query["page_size"]), MAX_PAGE[listing]))
    # The SMS session listing's pages carry no total_records (Zoom's type and spec).
    return token_page(items, key, ctx.path, query, extra, counted=listing != "sms/sessions")


def list_users(ctx: Ctx):
    account = _account(ctx)
    status = ctx.query.get("status") or "activate"
    return _page(ctx, [u for u in account.users if u["status"] == status], "users", "users")


def list_sites(ctx: Ctx):
    return _page(ctx, _account(ctx).sites, "sites", "sites")


def list_numbers(ctx: Ctx):
    account = _account(ctx)
    kind = ctx.query.get("type") or "assigned"
    pending = ctx.query.get("pending_numbers") == "true"
    chosen = [n for n in account.numbers if (kind == "all" or (kind == "assigned") == bool(n["assignee"]))
              and (pending or n["status"] != "pending")]
    return _page(ctx, chosen, "phone_numbers", "numbers")


def list_call_queues(ctx: Ctx):
    return _page(ctx, _account(ctx).call_queues, "call_queues", "call_queues")


def in_days(records: list, field_name: str, start: dt.date, end: dt.date) -> list:
    chosen = [r for r in records if start <= dt.date.fromisoformat(r[field_name][:10]) <= end]
    return sorted(chosen, key=lambda r: r[field_name])


def list_call_history(ctx: Ctx):
    """GET /phone/call_history: the account's calls that started on a day in [from, to]."""
    account = _account(ctx)
    start, end = _window(ctx, with_horizon=True, default_days=1)
    calls = sorted((c for c in account.calls if start <= c.start.date() <= end), key=lambda c: (c.row["start_time"], c.row["id"]))
    extra = {"from": start.isoformat(), "to": end.isoformat()}
    return _page(ctx, [as_row(account, c) for c in calls], account.shape, "call_history", extra)


def get_call_path(ctx: Ctx):
    """GET /phone/call_history/{callHistoryUuid}: the call and its path."""
    account = _account(ctx)
    call = account.calls_by_id().get(unquote(ctx.params["callLogId"]))
    if call is None:
        raise ZoomError(404, 301, f"Call history does not exist for call log Id: {unquote(ctx.params['callLogId'])}.")
    row = as_row(account, call)
    body = {name: row[name] for name in DETAIL_FIELDS if name in row}
    if account.shape == "call_history":
        body["call_history_uuid"] = row["call_history_uuid"]
        body["call_elements"] = [as_element(account, e) for e in call.elements]
    else:
        body["call_path"] = [as_element(account, e) for e in call.elements]
    return body


# The call's own fields in its path's answer (the listing's row has more).
DETAIL_FIELDS = ("id", "call_id", "connect_type", "call_type", "direction", "international", "hide_caller_id", "end_to_end",
                 "caller_ext_id", "caller_name", "caller_did_number", "caller_ext_number", "caller_email", "caller_ext_type",
                 "callee_ext_id", "callee_name", "callee_email", "callee_did_number", "callee_ext_number", "callee_ext_type",
                 "department", "cost_center", "site_id", "group_id", "site_name", "start_time", "answer_time", "end_time")


def list_recordings(ctx: Ctx):
    account = _account(ctx)
    start, end = _window(ctx, with_horizon=False, default_days=30)
    return _page(ctx, in_days(account.recordings, "date_time", start, end), "recordings", "recordings")


def list_voicemails(ctx: Ctx):
    account = _account(ctx)
    start, end = _window(ctx, with_horizon=True, default_days=30)
    status = ctx.query.get("status") or "all"
    chosen = [v for v in in_days(account.voicemails, "date_time", start, end) if status == "all" or v["status"] == status]
    return _page(ctx, chosen, "voice_mails", "voice_mails", {"from": start.isoformat(), "to": end.isoformat()})


def list_sms_sessions(ctx: Ctx):
    account = _account(ctx)
    start, end = _window(ctx, with_horizon=False, default_days=30)
    session_type = ctx.query.get("session_type") or "user"
    chosen = [s for s in in_days(account.sms_sessions, "last_access_time", start, end) if session_type in ("all", s["session_type"])]
    return _page(ctx, chosen, "sms_sessions", "sms/sessions")


ROUTES = [
    Route("/v2/phone/users", "Medium", list_users, "phone:read:list_users:admin"),
    Route("/v2/phone/sites", "Medium", list_sites, "phone:read:list_sites:admin"),
    Route("/v2/phone/numbers", "Medium", list_numbers, "phone:read:list_numbers:admin"),
    Route("/v2/phone/call_queues", "Medium", list_call_queues, "phone:read:list_call_queues:admin"),
    Route("/v2/phone/call_history", "Heavy", list_call_history, "phone:read:list_call_logs:admin"),
    Route("/v2/phone/call_history/{callLogId}", "Light", get_call_path, "phone:read:call_log:admin"),
    Route("/v2/phone/recordings", "Medium", list_recordings, "phone:read:list_call_recordings:admin"),
    Route("/v2/phone/voice_mails", "Heavy", list_voicemails, "phone:read:list_voicemails:admin"),
    Route("/v2/phone/sms/sessions", "Medium", list_sms_sessions, "phone:read:list_sms_sessions:admin"),
]
