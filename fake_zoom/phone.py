"""Zoom Phone in the fake account: its data, its ground truth and its rate limits (its handlers
are routes_phone.py).

What Zoom documents and this module models (Zoom's Phone API reference, ZoomPhoneAPISpec.json):
- The Phone API needs a Zoom Phone license: without one every Phone endpoint answers 403 code 2031
  "Zoom Phone has not been enabled for this account." (`zoom_phone=False`).
- Its own rate-limit table, apart from the Meeting API's: Pro Light 20/s, Medium 10/s, Heavy 5/s
  and 15,000 Heavy a day; Business and up 40, 20, 10 and 30,000 (Zoom's "Rate limits" page).
- `from`/`to` listings answer one month: a longer range is answered with its first month only
  (as reported on Zoom's forum); without `from` the call history gives the last 24 hours and the
  other listings the last 30 days. Call history and voicemails list the last six calendar months
  only: an earlier `from` answers 400 code 300. Recordings and SMS sessions state no horizon.
- Call logs became call history: an account answers today's shape (`call_history` rows keyed
  `call_history_uuid`, a call's path as `call_elements` keyed `call_element_id`) or, with
  `phone_shape="call_logs"`, the previous one (`call_logs` keyed `id`, `call_path` keyed `id`).
- A call in progress is listed without `end_time` (and a path that has not ended).
- Defaults of the query parameters a sync must override: /phone/users lists `activate` users only
  unless `status` is given (Zoom documents no default: the fake takes the one that loses most);
  /phone/numbers lists assigned numbers only unless `type=all`, and no pending numbers unless
  `pending_numbers=true`; /phone/sms/sessions lists users' sessions only unless `session_type=all`.

Drawn from a random stream of its own (seed:phone): the other tables' data is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from .audit_logs import edge_moments
from .horizons import add_months
from .ratelimit import RateLimiter

if TYPE_CHECKING:
    from .model import Dataset

PREFIX = "/v2/phone/"
HISTORY_DAYS = 200  # beyond the six months call history and voicemails are listed
HORIZON_MONTHS = 6
NOT_ENABLED = (403, 2031, "Zoom Phone has not been enabled for this account.")
PHONE_QPS = {
    "free": {"Light": 20, "Medium": 10, "Heavy": 5},  # Zoom Phone needs a paid plan; taken as Pro's
    "pro": {"Light": 20, "Medium": 10, "Heavy": 5},
    "business": {"Light": 40, "Medium": 20, "Heavy": 10},
}
PHONE_HEAVY_DAILY = {"free": 15_000, "pro": 15_000, "business": 30_000}

TABLES = ("phone_users", "phone_sites", "phone_numbers", "phone_call_queues", "phone_call_history",
          "phone_call_elements", "phone_recordings", "phone_voicemails", "phone_sms_sessions")
PRIMARY_KEYS = {
    "phone_users": ("id",), "phone_sites": ("id",), "phone_numbers": ("id",), "phone_call_queues": ("id",),
    "phone_call_history": ("id",), "phone_call_elements": ("call_element_id",), "phone_recordings": ("id",),
    "phone_voicemails": ("id",), "phone_sms_sessions": ("session_id",),
}
# The endpoints each table's records come from (a missing granular scope on any empties it).
TABLE_ENDPOINTS = {
    "phone_users": ("/v2/phone/users",),
    "phone_sites": ("/v2/phone/sites",),
    "phone_numbers": ("/v2/phone/numbers",),
    "phone_call_queues": ("/v2/phone/call_queues",),
    "phone_call_history": ("/v2/phone/call_history",),
    "phone_call_elements": ("/v2/phone/call_history", "/v2/phone/call_history/{callLogId}"),
    "phone_recordings": ("/v2/phone/recordings",),
    "phone_voicemails": ("/v2/phone/voice_mails",),
    "phone_sms_sessions": ("/v2/phone/sms/sessions",),
}


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def horizon(today: dt.date) -> dt.date:
    return add_months(today, -HORIZON_MONTHS)


class PhoneRateLimiter(RateLimiter):
    """Zoom Phone's own per-category limits and Heavy daily cap, counted apart from the Meeting API's."""

    def __init__(self, plan: Optional[str], daily_limit_headers: str = "real") -> None:
        super().__init__(plan, PHONE_HEAVY_DAILY[plan] if plan else None, daily_limit_headers)
        self.qps = PHONE_QPS


def is_phone(template: str) -> bool:
    return template.startswith(PREFIX)


# ----------------------------------------------------------------------------- the model


@dataclass
class Extension:
    """Someone or something calls can reach: a phone user, a call queue, the auto receptionist."""

    id: str
    number: int
    name: str
    kind: str  # user | call_queue | auto_receptionist (Zoom's ext_type)
    email: str = ""
    did: str = ""
    site: Optional[dict[str, str]] = None
    department: str = ""
    cost_center: str = ""
    deleted: bool = False


@dataclass
class Call:
    row: dict[str, Any]  # the listing's row, previous shape (keyed `id`)
    elements: list[dict[str, Any]]  # its path, previous shape (each keyed `id`)

    @property
    def start(self) -> dt.datetime:
        return parse(self.row["start_time"])

    @property
    def finished(self) -> bool:
        return bool(self.row.get("end_time"))


@dataclass
class PhoneAccount:
    licensed: bool
    shape: str  # "call_history" (today's) | "call_logs" (previous)
    users: list[dict[str, Any]] = field(default_factory=list)
    sites: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    call_queues: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    recordings: list[dict[str, Any]] = field(default_factory=list)
    voicemails: list[dict[str, Any]] = field(default_factory=list)
    sms_sessions: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)
    added: int = 0

    def calls_by_id(self) -> dict[str, Call]:
        return {call.row["id"]: call for call in self.calls}


def _id(rng: random.Random, length: int = 22) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(length))


def _history_id(rng: random.Random, moment: dt.datetime) -> str:
    """Zoom's call history ids: the call's day, then a UUID ("20211008-48c1dfd4-91ce-...")."""
    hexes = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{moment:%Y%m%d}-{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:]}"


def _did(rng: random.Random) -> str:
    return f"+1650{rng.randint(2000000, 9999999)}"


SITES = (("Main Site", 1, "US", "United States"), ("Remote Office", 2, "DE", "Germany"))
STATUS_OF = {"active": "activate", "inactive": "deactivate", "pending": "pending"}
ACTIVATION_OF = {"activate": "activated", "deactivate": "activated", "pending": "not ready"}
CALLING_PLAN = {"name": "US/CA Unlimited Calling", "type": 200, "billing_account_id": "3WWAEiEjTj2IQuyDiKMd_A",
                "billing_account_name": "Main billing", "billing_subscription_id": "sub-1", "billing_subscription_name": "Zoom Phone"}


def build(dataset: "Dataset") -> PhoneAccount:
    """The account's Zoom Phone: every user of the account has a Phone license (deactivated users
    keep theirs, pending users are not activated yet), two sites, two call queues, the users'
    numbers, and about HISTORY_DAYS of calls with their recordings and voicemails, and texts."""
    config = dataset.config
    rng = random.Random(f"{config.seed}:phone")
    account = PhoneAccount(licensed=config.zoom_phone, shape=config.phone_shape, rng=rng)
    sites = []
    for name, code, iso, country in SITES:
        receptionist = {"extension_id": _id(rng), "extension_number": 200 + code, "id": _id(rng), "name": f"{name} Receptionist"}
        sites.append({"country": {"code": iso, "name": country}, "id": _id(rng), "main_auto_receptionist": receptionist,
                      "name": name, "site_code": code})
        account.extensions.append(Extension(receptionist["id"], receptionist["extension_number"], receptionist["name"],
                                            "auto_receptionist", did=_did(rng), site={"id": sites[-1]["id"], "name": name}))
    account.sites = sites
    for position, user in enumerate(dataset.users):
        site = sites[position % len(sites)]
        record = user.record
        status = STATUS_OF[user.status]
        number = {"id": _id(rng), "number": _did(rng)}
        extension = Extension(_id(rng), 1000 + position, f"{record.get('first_name', '')} {record.get('last_name', '')}".strip(),
                              "user", email=record["email"], did=number["number"], site={"id": site["id"], "name": site["name"]},
                              department=record.get("dept") or "", cost_center="CC-" + (record.get("dept") or "none")[:3].upper())
        account.users.append({
            "calling_plans": [dict(CALLING_PLAN)] if status != "pending" else [],
            "email": record["email"], "extension_id": extension.id, "extension_number": extension.number,
            "id": user.id or _id(rng), "name": extension.name, "phone_user_id": _id(rng),
            "site": dict(extension.site), "status": status, "activation_status": ACTIVATION_OF[status],
            "phone_numbers": [number] if status != "pending" else [], "department": extension.department,
            "cost_center": extension.cost_center,
        })
        if status == "pending":
            continue
        account.extensions.append(extension)
        account.numbers.append(_number(rng, number, extension, site, "user"))
    for position, (name, status) in enumerate((("Sales Queue", "active"), ("Support Queue", "inactive"))):
        site = sites[position % len(sites)]
        number = {"id": _id(rng), "number": _did(rng), "source": "internal"}
        queue = {"extension_id": _id(rng), "extension_number": 300 + position, "id": _id(rng), "name": name,
                 "phone_numbers": [number], "site": {"id": site["id"], "name": site["name"]}, "status": status}
        account.call_queues.append(queue)
        extension = Extension(queue["id"], queue["extension_number"], name, "call_queue", did=number["number"], site=queue["site"])
        account.extensions.append(extension)
        account.numbers.append(_number(rng, {"id": number["id"], "number": number["number"]}, extension, site, "callQueue"))
    for kind in ("unassigned", "unassigned", "pending"):
        account.numbers.append(_number(rng, {"id": _id(rng), "number": _did(rng)}, None, sites[0], kind))
    # A user whose extension was deleted: calls to them stay in the history, under their old extension.
    gone = Extension(_id(rng), 1999, "Former Employee", "user", email="former.employee@example.com", did=_did(rng),
                     site={"id": sites[0]["id"], "name": sites[0]["name"]}, deleted=True)
    account.extensions.append(gone)
    midnight = dt.datetime.combine(dataset.today, dt.time())
    users = [e for e in account.extensions if e.kind == "user" and not e.deleted]
    every = max(1, config.phone_call_every_days)
    for extension in users:
        day = HISTORY_DAYS
        while day > 0:
            moment = midnight - dt.timedelta(days=day) + dt.timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59),
                                                                       seconds=rng.randint(0, 59))
            add_call(account, moment, extension)
            day -= rng.randint(1, 2 * every - 1)
    # Calls on both sides of every edge a sync meets (the horizon, window ends, the example start).
    for moment in edge_moments(dataset.today):
        add_call(account, moment, users[0] if users else gone)
    _texts(account, dataset.today, users)
    return account


def _number(rng: random.Random, number: dict, extension: Optional[Extension], site: dict, kind: str) -> dict[str, Any]:
    assigned = extension is not None
    return {
        "assignee": {"extension_number": extension.number, "id": extension.id, "name": extension.name, "type": kind} if assigned else {},
        "capability": ["incoming", "outgoing"] if assigned else [],
        "carrier": {"code": 1, "name": "Bandwidth"},
        "display_name": extension.name if assigned else "",
        "emergency_address": {"address_line1": "55 Almaden Blvd", "address_line2": "Floor 6", "city": "San Jose",
                              "country": "US", "state_code": "CA", "zip": "95113"},
        "emergency_address_status": 1 if assigned else 2,
        "emergency_address_update_time": "2025-03-01T10:00:00Z",
        "id": number["id"], "location": "San Jose, California, United States", "number": number["number"],
        "number_type": "toll", "sip_group": {"display_name": "", "id": ""},
        "site": {"id": site["id"], "name": site["name"]}, "source": "internal",
        "status": "pending" if kind == "pending" else "available",
    }


# ----------------------------------------------------------------------------- calls

CALL_KINDS = ("outbound", "inbound", "internal", "queue", "voicemail", "anonymous", "to_former_employee")
EXTERNAL = ("Acme Corp", "Globex", "Initech", "Umbrella Ltd")


def _party(prefix: str, extension: Optional[Extension], external: Optional[tuple[str, str]] = None, hidden: bool = False) -> dict[str, Any]:
    """The caller_* or callee_* fields of a row or element, for an extension or an outside number."""
    if extension is not None:
        values = {"ext_id": extension.id, "did_number": extension.did, "ext_number": str(extension.number),
                  "name": extension.name, "email": extension.email, "ext_type": extension.kind,
                  "number_type": "zoom_pstn", "device_type": "MAC_Client(6.0.2.33403)" if extension.kind == "user" else "",
                  "country_iso_code": "US", "country_code": "1"}
    else:
        name, number = external or ("", "")
        values = {"ext_id": "", "did_number": "" if hidden else number, "ext_number": "", "name": "Anonymous" if hidden else name,
                  "email": "", "ext_type": "", "number_type": "anonymous_number" if hidden else "external_pstn",
                  "device_type": "", "country_iso_code": "" if hidden else "US", "country_code": "" if hidden else "1"}
    return {f"{prefix}_{key}": value for key, value in values.items()}


def add_call(account: PhoneAccount, start: dt.datetime, extension: Extension, kind: Optional[str] = None,
             in_progress: bool = False) -> Call:
    """One call of `extension` at `start`: its history row, its path, and its recording or voicemail."""
    rng = account.rng
    kind = kind or rng.choice(CALL_KINDS)
    others = [e for e in account.extensions if e.kind == "user" and not e.deleted and e is not extension]
    queue = next((e for e in account.extensions if e.kind == "call_queue"), extension)
    former = next((e for e in account.extensions if e.deleted), extension)
    outside = (rng.choice(EXTERNAL), f"+1408{rng.randint(2000000, 9999999)}")
    other = rng.choice(others) if others else extension
    hidden = kind == "anonymous"
    if kind == "outbound":
        caller, callee, direction, connect = _party("caller", extension), _party("callee", None, outside), "outbound", "external"
    elif kind == "internal":
        caller, callee, direction, connect = _party("caller", extension), _party("callee", other), "outbound", "internal"
    elif kind == "to_former_employee":
        caller, callee, direction, connect = _party("caller", extension), _party("callee", former), "outbound", "internal"
    elif kind == "queue":
        caller, callee, direction, connect = _party("caller", None, outside), _party("callee", queue), "inbound", "external"
    else:  # inbound, voicemail, anonymous
        caller, callee, direction, connect = _party("caller", None, outside, hidden), _party("callee", extension), "inbound", "external"
    ring = rng.randint(3, 20)
    answered = kind not in ("voicemail",)
    talk = rng.randint(20, 900)
    end = start + dt.timedelta(seconds=ring + talk)
    result = "answered" if answered else "voicemail"
    recorded = kind in ("outbound", "queue") and not in_progress
    call_id = str(rng.randint(7_000_000_000_000_000_000, 7_999_999_999_999_999_999))
    site = extension.site or {"id": "", "name": ""}
    row = {
        "id": _history_id(rng, start), "call_id": call_id, "direction": direction, "international": False,
        "start_time": fmt(start), "answer_time": fmt(start + dt.timedelta(seconds=ring)) if answered else "",
        "end_time": fmt(end), "duration": talk if answered else 0, "connect_type": connect,
        "sbc_id": "", "sbc_name": "", "sip_group_id": "", "sip_group_name": "", "call_type": "general",
        "call_result": result, "hide_caller_id": hidden, "end_to_end": False, **caller, **callee,
        "department": extension.department, "cost_center": extension.cost_center, "site_id": site["id"],
        "group_id": "", "site_name": site["name"], "spam": "", "recording_status": "recorded" if recorded else "non_recorded",
        "caller_account_code": "", "callee_account_code": "",
    }
    elements = []
    legs: list[tuple[str, str, dict, int, int]] = []  # (event, result, callee fields, from second, to second)
    if kind == "queue":
        members = (others + [extension])[:2]
        legs.append(("incoming", "answered", callee, 0, 1))
        for number, member in enumerate(members):
            last = number == len(members) - 1
            legs.append(("ring_to_member", "answered" if last else "no_answer", _party("callee", member), 1, ring + (talk if last else 0)))
    elif kind == "voicemail":
        legs.append(("incoming", "voicemail", callee, 0, ring + talk))
    else:
        legs.append(("outgoing" if direction == "outbound" else "incoming", "answered", callee, 0, ring + talk))
    voicemail_id = _id(rng) if kind == "voicemail" and not in_progress else ""
    recording_id = _id(rng) if recorded else ""
    for segment, (event, leg_result, leg_callee, begin, until) in enumerate(legs):
        leg_caller = {k: row[k] for k in caller}
        elements.append({
            "id": _history_id(rng, start), "call_id": call_id, "connect_type": connect, "call_type": "general",
            "direction": direction, "hide_caller_id": hidden, "end_to_end": False, **leg_caller, **leg_callee,
            "client_code": "", "department": extension.department, "cost_center": extension.cost_center,
            "site_id": site["id"], "group_id": "", "site_name": site["name"],
            "start_time": fmt(start + dt.timedelta(seconds=begin)),
            "answer_time": fmt(start + dt.timedelta(seconds=ring)) if leg_result == "answered" else "",
            "end_time": fmt(start + dt.timedelta(seconds=until)), "event": event, "result": leg_result,
            "result_reason": "answered_by_other" if leg_result == "no_answer" else "",
            "device_private_ip": "10.0.0.12", "device_public_ip": "203.0.113.24",
            "operator_ext_number": "", "operator_ext_id": "", "operator_ext_type": "user", "operator_name": "",
            "press_key": "", "segment": segment, "node": 0, "is_node": 1 if segment == 0 else 0,
            "recording_id": recording_id if leg_result == "answered" else "", "recording_type": "automatic",
            "hold_time": 0, "waiting_time": ring if event == "ring_to_member" else 0,
            "voicemail_id": voicemail_id if leg_result == "voicemail" else "",
        })
    if in_progress:
        for record in [row] + elements[-1:]:
            record.pop("end_time")
        row["duration"] = 0
    call = Call(row, elements)
    account.calls.append(call)
    if recorded:
        account.recordings.append(_recording(account, call, extension, recording_id, end, elements[-1]))
    if voicemail_id:
        account.voicemails.append(_voicemail(account, call, extension, voicemail_id, start + dt.timedelta(seconds=ring), talk))
    return call


def _owner(extension: Extension) -> dict[str, Any]:
    return {"extension_number": extension.number, "id": extension.id, "name": extension.name,
            "type": {"user": "user", "call_queue": "callQueue"}.get(extension.kind, "autoReceptionist"),
            "extension_status": "deleted" if extension.deleted else "",
            "extension_deleted_time": "2026-01-05T09:00:00Z" if extension.deleted else ""}


def _recording(account: PhoneAccount, call: Call, extension: Extension, recording_id: str, end: dt.datetime,
               element: dict[str, Any]) -> dict[str, Any]:
    row = call.row
    return {
        "auto_delete_policy": "", "call_id": row["call_id"], "call_log_id": row["id"], "call_element_id": element["id"],
        "callee_name": row["callee_name"], "callee_number": row["callee_did_number"], "callee_number_type": 1,
        "caller_name": row["caller_name"], "caller_number": row["caller_did_number"] or row["caller_ext_number"],
        "caller_number_type": 1 if row["caller_ext_id"] else 2,
        "outgoing_by": {"name": extension.name, "extension_number": str(extension.number)},
        "accepted_by": {"name": row["callee_name"], "extension_number": row["callee_ext_number"]},
        "date_time": row["answer_time"] or row["start_time"], "disclaimer_status": 0, "direction": row["direction"],
        "download_url": f"https://zoom.us/v2/phone/recording/download/{recording_id}", "duration": row["duration"],
        "end_time": fmt(end), "id": recording_id, "meeting_uuid": "", "owner": _owner(extension),
        "recording_type": "Automatic", "site": {"id": row["site_id"], "name": row["site_name"]},
        "transcript_download_url": f"https://zoom.us/v2/phone/recording_transcript/download/{recording_id}",
        "auto_delete_enable": False, "caller_account_code": "", "callee_account_code": "",
    }


def _voicemail(account: PhoneAccount, call: Call, extension: Extension, voicemail_id: str, at: dt.datetime, seconds: int) -> dict[str, Any]:
    row = call.row
    return {
        "call_id": row["call_id"], "call_log_id": row["id"], "call_element_id": call.elements[-1]["id"],
        "callee_name": extension.name, "callee_number": str(extension.number), "callee_number_type": 1,
        "caller_name": row["caller_name"], "caller_number": row["caller_did_number"], "caller_number_type": 2,
        "date_time": fmt(at), "download_url": f"https://zoom.us/v2/phone/voice_mails/download/{voicemail_id}",
        "duration": min(seconds, 120), "id": voicemail_id, "status": account.rng.choice(("read", "unread")),
        "owner": _owner(extension), "deleted_time": "", "days_left_auto_permantely_delete": 0, "soft_deleted_type": "Manual",
        "caller_account_code": "", "callee_account_code": "",
    }


def _texts(account: PhoneAccount, today: dt.date, users: list[Extension]) -> None:
    """SMS sessions with outside numbers, owned by users, a call queue and the auto receptionist."""
    rng = account.rng
    owners = users[:3] + [next(e for e in account.extensions if e.kind == kind) for kind in ("call_queue", "auto_receptionist")]
    midnight = dt.datetime.combine(today, dt.time())
    for number, owner in enumerate(owners * 3):
        # Each owner's first session is recent (within any sync's reach), the others reach back further.
        days = rng.randint(0, 20) if number < len(owners) else rng.randint(0, HISTORY_DAYS)
        last = midnight - dt.timedelta(days=days, hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        add_sms_session(account, owner, last, number)


SESSION_TYPE = {"user": "user", "call_queue": "call_queue", "auto_receptionist": "auto_receptionist"}
OWNER_TYPE = {"user": "user", "call_queue": "callQueue", "auto_receptionist": "autoReceptionist"}


def add_sms_session(account: PhoneAccount, owner: Extension, last: dt.datetime, number: int) -> None:
    outside = f"+1408{account.rng.randint(2000000, 9999999)}"
    account.sms_sessions.append({
        "last_access_time": fmt(last),
        "participants": [
            {"display_name": owner.name, "owner": {"id": owner.id, "type": OWNER_TYPE[owner.kind]}, "phone_number": owner.did,
             "is_session_owner": True, "extension_status": "", "extension_deleted_time": ""},
            {"display_name": f"Customer {number}", "owner": {}, "phone_number": outside, "is_session_owner": False,
             "extension_status": "", "extension_deleted_time": ""},
        ],
        "session_id": _id(account.rng, 32), "session_type": SESSION_TYPE[owner.kind],
    })


def add_activity(dataset: "Dataset", at: dt.datetime, calls_per_user: int = 1, in_progress: int = 0) -> list[Call]:
    """New calls of every active phone user at `at` (and `in_progress` of them not ended yet), and
    a text for each: what a later sync must find."""
    account: PhoneAccount = dataset.phone
    account.added += 1
    users = [e for e in account.extensions if e.kind == "user" and not e.deleted]
    added = []
    for number in range(calls_per_user):
        for extension in users:
            added.append(add_call(account, at + dt.timedelta(minutes=number), extension, kind="queue" if number == 0 else None))
    for number in range(in_progress):
        added.append(add_call(account, at + dt.timedelta(minutes=30 + number), users[number % len(users)], kind="outbound", in_progress=True))
    for number, extension in enumerate(users):
        add_sms_session(account, extension, at, 1000 * account.added + number)
    return added


def finish_calls(dataset: "Dataset", at: dt.datetime) -> list[str]:
    """Every call still in progress ends at `at`: the ids of those ended."""
    account: PhoneAccount = dataset.phone
    ended = []
    for call in account.calls:
        if call.finished:
            continue
        end = max(at, call.start + dt.timedelta(seconds=30))
        call.row["end_time"] = fmt(end)
        call.row["duration"] = int((end - call.start).total_seconds())
        call.elements[-1]["end_time"] = fmt(end)
        ended.append(call.row["id"])
    return ended


# ----------------------------------------------------------------------------- serving


def as_row(account: PhoneAccount, call: Call) -> dict[str, Any]:
    """A history row in the account's shape."""
    row = dict(call.row)
    if account.shape == "call_history":
        row["call_history_uuid"] = row.pop("id")
    return row


def as_element(account: PhoneAccount, element: Mapping[str, Any]) -> dict[str, Any]:
    element = dict(element)
    if account.shape == "call_history":
        element["call_element_id"] = element.pop("id")
    return element


# ----------------------------------------------------------------------------- ground truth


def ground_truth(dataset: "Dataset", start: dt.datetime, missing_scopes: set, scope_of: Callable[[str], str]) -> dict[str, list]:
    """What a correct sync returns for the nine Phone tables (docs/contract.md, "What a sync
    returns"): every user of every status, site, number (assigned, unassigned, pending) and call
    queue; every call that ended and started in [start_date, today] on a day Zoom's call history
    still lists (six months), each key under both its names, with every element of its path;
    recordings and SMS sessions at or after start_date; voicemails at or after start_date within
    six months. Without Zoom Phone, or without a table's scope, the table is empty."""
    account: PhoneAccount = dataset.phone
    today, first_day = dataset.today, max(start.date(), horizon(dataset.today))

    def since(records: list, field_name: str, earliest: dt.date) -> list:
        return [dict(r) for r in records if parse(r[field_name]) >= start and earliest <= parse(r[field_name]).date() <= today]

    calls = sorted((c for c in account.calls if c.finished and c.start >= start and first_day <= c.start.date() <= today),
                   key=lambda c: (c.row["start_time"], c.row["id"]))
    tables = {
        "phone_users": [dict(u) for u in account.users],
        "phone_sites": [dict(s) for s in account.sites],
        "phone_numbers": [dict(n) for n in account.numbers],
        "phone_call_queues": [dict(q) for q in account.call_queues],
        "phone_call_history": [{**as_row(account, c), "id": c.row["id"], "call_history_uuid": c.row["id"]} for c in calls],
        "phone_call_elements": [{**as_element(account, e), "id": e["id"], "call_element_id": e["id"], "call_history_id": c.row["id"]}
                                for c in calls for e in c.elements],
        "phone_recordings": since(account.recordings, "date_time", start.date()),
        "phone_voicemails": since(account.voicemails, "date_time", first_day),
        "phone_sms_sessions": since(account.sms_sessions, "last_access_time", start.date()),
    }
    for name, endpoints in TABLE_ENDPOINTS.items():
        if not account.licensed or any(scope_of(endpoint) in missing_scopes for endpoint in endpoints):
            tables[name] = []
    return tables
