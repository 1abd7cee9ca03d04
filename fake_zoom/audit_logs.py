"""The account's audit trail: sign-in/sign-out activity and the admins' operation logs.

GET /report/activities lists each user's sign-ins and sign-outs, GET /report/operationlogs what
admins changed; both by `from`/`to` date (one month at most, within the reports' six months),
paged with `next_page_token`. The fake's users sign in and out every few days for longer than
the reports reach back, and both logs hold entries on both sides of the month-window edges a sync
uses (the last second of a window's last day and the first of the next), of the report horizon
and of the documented example start_date. Drawn from their own random stream.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any, Iterable

from .horizons import example_start_date, report_horizon, window_last_day

if TYPE_CHECKING:
    from .model import User

HISTORY_DAYS = 210  # beyond the six months the reports reach
CLIENTS = (("Browser", ""), ("Mac", "6.0.2.33403"), ("Windows", "6.0.2.33403"), ("iOS", "6.0.1.30215"), ("Android", "6.0.0.29878"))
# (category_type, action, operation detail) of the admin operations the fake's admin makes.
OPERATIONS = (
    ("user", "Add", "Add User {email}"),
    ("user_settings", "Update", "Update User Settings - {email}: Cloud recording on"),
    ("account", "Update", "Account Settings - Meeting: Q&A on"),
    ("recording", "Delete", "Delete Recording - {topic}"),
    ("role", "Update", "Update Role - Admin: View reports"),
    ("webinar", "Update", "Update Webinar Settings - Practice session on"),
)


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def edge_moments(today: dt.date) -> list[dt.datetime]:
    """Instants on both sides of the edges a sync meets: the example start_date, the report
    horizon, and the end of the first one-month window from each (last second, next day's first)."""
    example, horizon = example_start_date(today), report_horizon(today)
    moments = [example - dt.timedelta(seconds=1), example,
               dt.datetime.combine(horizon, dt.time()) - dt.timedelta(seconds=1), dt.datetime.combine(horizon, dt.time())]
    for first_day in (example.date(), horizon):
        last = window_last_day(first_day)
        moments += [dt.datetime.combine(last, dt.time(23, 59, 59)), dt.datetime.combine(last + dt.timedelta(days=1), dt.time())]
    return moments


def sign_in(user: "User", moment: dt.datetime, kind: str, client: tuple[str, str], ip: str) -> dict[str, Any]:
    """One entry of GET /report/activities (rivet's ReportsGetSignInSignOutActivityReportResponse.activity_logs)."""
    return {"email": user.record["email"], "time": fmt(moment), "type": kind, "ip_address": ip,
            "client_type": client[0], "version": client[1]}


def sign_ins(hosts: list["User"], today: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    """Every few days each host signs in and, some hours later, out; the first host also at every edge."""
    midnight = dt.datetime.combine(today, dt.time())
    logs = []
    for user in hosts:
        ip = f"203.0.113.{rng.randint(1, 254)}"
        day = HISTORY_DAYS
        while day > 0:
            client = rng.choice(CLIENTS)
            moment = midnight - dt.timedelta(days=day, hours=-rng.randint(6, 12), minutes=-rng.randint(0, 59))
            logs.append(sign_in(user, moment, "Sign in", client, ip))
            logs.append(sign_in(user, moment + dt.timedelta(hours=rng.randint(1, 9)), "Sign out", client, ip))
            day -= rng.randint(3, 9)
    if hosts:
        for moment in edge_moments(today):
            logs.append(sign_in(hosts[0], moment, "Sign in", CLIENTS[1], "198.51.100.7"))
    return logs


def operation(admin: "User", moment: dt.datetime, template: tuple[str, str, str], subject: "User", topic: str) -> dict[str, Any]:
    """One entry of GET /report/operationlogs (rivet's ReportsGetOperationLogsReportResponse.operation_logs)."""
    category, action, detail = template
    return {"time": fmt(moment), "operator": admin.record["email"], "category_type": category, "action": action,
            "operation_detail": detail.format(email=subject.record["email"], topic=topic)}


def operations(users: list["User"], today: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    """The first user is the account's admin: every few days an operation on the account or a user."""
    if not users:
        return []
    admin, midnight = users[0], dt.datetime.combine(today, dt.time())
    logs, day = [], HISTORY_DAYS
    while day > 0:
        moment = midnight - dt.timedelta(days=day, hours=-rng.randint(8, 18), minutes=-rng.randint(0, 59))
        logs.append(operation(admin, moment, rng.choice(OPERATIONS), rng.choice(users), "Weekly sync"))
        day -= rng.randint(2, 6)
    for number, moment in enumerate(edge_moments(today)):
        logs.append(operation(admin, moment, OPERATIONS[number % len(OPERATIONS)], users[number % len(users)], "Planning"))
    return logs


def new_activity(users: Iterable["User"], moment: dt.datetime, rng: random.Random) -> tuple[list, list]:
    """What users do at `moment` (when their new meetings start): they sign in, and the admin
    changes a setting a minute later."""
    users = list(users)
    signed = [sign_in(user, moment, "Sign in", rng.choice(CLIENTS), "192.0.2.10") for user in users]
    changed = [operation(users[0], moment + dt.timedelta(minutes=1), OPERATIONS[2], users[0], "Planning")] if users else []
    return signed, changed


def in_days(logs: list[dict[str, Any]], start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The entries whose time falls on a day in [start, end] (the listings' inclusive days), in time order."""
    chosen = [log for log in logs if start <= dt.date.fromisoformat(log["time"][:10]) <= end]
    return sorted(chosen, key=lambda log: (log["time"], log.get("email", ""), log.get("operation_detail", "")))
