"""Zoom Phone: the account's phone users, sites, numbers and call queues, and what happened on
them: every call (its history row and the elements of its path), call recordings, voicemails and
SMS sessions. Same REST API and logins as meetings; Zoom paces it with its own rate-limit table.

Zoom moved call logs to call history (changelog 2023-12-20): today the listing's rows sit under
`call_history` (keyed `call_history_uuid`) and a call's path under `call_elements` (keyed
`call_element_id`); older accounts, and Zoom's SDK types, still answer `call_logs` (keyed `id`) and
`call_path` (keyed `id`). Both shapes land in the same columns, each key under both its names. The
retired /phone/call_logs endpoints are never called.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

import requests

from source_zoom.declarations import HEAVY, LIGHT, MEDIUM, PHONE, EachValue, Endpoint, ErrorRules, Outcome, Scopes, ZoomError
from source_zoom.errors import response_json
from source_zoom.incremental import parse_zoom_time
from source_zoom.paging import Paging
from source_zoom.windows import RECORDING_LISTING, UNDER_AN_INSTANCE, DatePolicy, Windows
from source_zoom.zoom_stream import ZoomStream

# Zoom's Phone reference: "You'll receive a 403 error message if you have not set up Zoom Phone"
# (code 2031, "Zoom Phone has not been enabled for this account"): no Zoom Phone license, or a Pro
# plan without the add-on. It holds for every Phone table alike: said once, the tables end empty.
ZOOM_PHONE = "Zoom Phone"
PHONE_NOT_SET_UP = ZoomError(
    "Zoom Phone is not set up on this account (it needs a Zoom Phone license, on a Pro plan the Zoom Phone add-on)",
    Outcome.STREAM_UNAVAILABLE,
    said_once_for=ZOOM_PHONE,
)
PHONE_ERRORS: ErrorRules = {(403, 2031): PHONE_NOT_SET_UP}


def phone_endpoint(path: str, category: str, granular: str, name: str = "") -> Endpoint:
    """A Zoom Phone endpoint: Zoom Phone's rate-limit table, the classic scope every Phone
    listing shares and the endpoint's granular one (Zoom's Phone API reference), its errors."""
    return Endpoint(path, category, Scopes("phone:read:admin", granular), api=PHONE, errors=PHONE_ERRORS, name=name)

# Call history and voicemails: `from`/`to` cover one month, "the month defined should fall within
# the last six months" (Zoom's Phone reference; horizons.py says so once when start_date is older);
# recordings and SMS sessions state no horizon.
PHONE_HORIZON_LISTING = DatePolicy(windows=Windows.REQUESTED, within_report_horizon=True)

# GET /phone/users lists one status unless asked (its default is not documented): each is asked.
PHONE_USER_STATUSES = ("activate", "deactivate", "pending")


class PhoneTable(ZoomStream):
    """A Zoom Phone listing: next_page_token paging, Zoom Phone's errors."""

    paging = Paging.NEXT_PAGE_TOKEN
    primary_key = "id"
    # A key Zoom renamed between the two shapes of the call history: both names are filled.
    key_names: Tuple[str, ...] = ()


class PhoneDated(PhoneTable):
    """A Zoom Phone listing by month window, incremental on `cursor_field`; records before
    start_date (a moment; windows start on its day) or the state's floor are dropped."""

    def keeps_instance(self, record: Mapping[str, Any]) -> bool:
        start_date = self.context.config.start_date
        at = parse_zoom_time(record.get(self.cursor_field))
        return at is None or at >= max(self.fetch_floor() or start_date, start_date)


class PhoneUsers(PhoneTable):
    """GET /phone/users?status=activate|deactivate|pending: users with a Zoom Phone license."""

    endpoint = phone_endpoint("phone/users", MEDIUM, "phone:read:list_users:admin")
    records_key = "users"
    page_size = 100
    each_value = (EachValue("status", lambda _: PHONE_USER_STATUSES),)
    dedupe_by_primary_key = True  # a user whose status changes between the listings comes twice


class PhoneSites(PhoneTable):
    """GET /phone/sites"""

    endpoint = phone_endpoint("phone/sites", MEDIUM, "phone:read:list_sites:admin")
    records_key = "sites"


class PhoneNumbers(PhoneTable):
    """GET /phone/numbers?type=all&pending_numbers=true: assigned, unassigned and pending numbers."""

    endpoint = phone_endpoint("phone/numbers", MEDIUM, "phone:read:list_numbers:admin")
    records_key = "phone_numbers"
    page_size = 100
    extra_params = {"type": "all", "pending_numbers": "true"}


class PhoneCallQueues(PhoneTable):
    """GET /phone/call_queues"""

    endpoint = phone_endpoint("phone/call_queues", MEDIUM, "phone:read:list_call_queues:admin")
    records_key = "call_queues"
    page_size = 100


def both_names(record: Dict[str, Any], names: Tuple[str, str]) -> None:
    """A key Zoom renamed, filled under both its names from whichever the answer has."""
    value = next((record[name] for name in names if record.get(name) is not None), None)
    for name in names:
        record[name] = value


class PhoneCallHistory(PhoneDated):
    """GET /phone/call_history (account-wide, by month window). A call still in progress (no
    end_time) is left out, and the table's state stops at its start, so that a later sync
    finds it whole."""

    endpoint = phone_endpoint("phone/call_history", HEAVY, "phone:read:list_call_logs:admin")
    dates = PHONE_HORIZON_LISTING
    records_key = "call_history"
    cursor_field = "start_time"
    dedupe_by_primary_key = True
    key_names = ("id", "call_history_uuid")

    def parse_response(self, response: requests.Response, **kwargs: Any):
        """Today's `call_history` rows, or an older account's `call_logs`."""
        body = response_json(response) if response.ok else None
        if isinstance(body, Mapping) and "call_history" not in body and "call_logs" in body:
            body["call_history"] = body.pop("call_logs")
        return super().parse_response(response, **kwargs)

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        both_names(record, self.key_names)
        started = parse_zoom_time(record.get("start_time"))
        if not record.get("end_time") and started is not None:
            self.context.note_unfinished(self.name, started)
            return None
        return super().build_record(record, parent, position)


class PhoneCallElements(PhoneTable):
    """GET /phone/call_history/{id}: one record per element of the call's path (`call_elements`,
    or an older account's `call_path`), with the call's id."""

    # Zoom's SDK names the path parameter callLogId (its spec: callHistoryUuid).
    endpoint = phone_endpoint("phone/call_history/{id}", LIGHT, "phone:read:call_log:admin", name="phone/call_history/{callLogId}")
    paging = Paging.NONE  # one answer per call: Zoom's spec gives the detail no paging parameters
    parent = PhoneCallHistory
    dates = UNDER_AN_INSTANCE
    records_key = "call_elements"
    primary_key = "call_element_id"
    key_names = ("call_element_id", "id")
    stamp_from_parent = {"call_history_id": "id"}
    cursor_field = "start_time"

    def parse_response(self, response: requests.Response, **kwargs: Any):
        body = response_json(response) if response.ok else None
        if isinstance(body, Mapping) and "call_elements" not in body and "call_path" in body:
            body["call_elements"] = body.pop("call_path")
        return super().parse_response(response, **kwargs)

    def build_record(self, record: Dict[str, Any], parent: Mapping[str, Any], position: int) -> Optional[Dict[str, Any]]:
        both_names(record, self.key_names)
        return super().build_record(record, parent, position)


class PhoneRecordings(PhoneDated):
    """GET /phone/recordings: every owner type (user, call queue, common area), by month window."""

    endpoint = phone_endpoint("phone/recordings", MEDIUM, "phone:read:list_call_recordings:admin")
    dates = RECORDING_LISTING
    records_key = "recordings"
    cursor_field = "date_time"
    dedupe_by_primary_key = True


class PhoneVoicemails(PhoneDated):
    """GET /phone/voice_mails: every owner's voicemails, read and unread (`status` defaults to all)."""

    endpoint = phone_endpoint("phone/voice_mails", HEAVY, "phone:read:list_voicemails:admin")
    dates = PHONE_HORIZON_LISTING
    records_key = "voice_mails"
    cursor_field = "date_time"
    dedupe_by_primary_key = True


class PhoneSmsSessions(PhoneDated):
    """GET /phone/sms/sessions?session_type=all: the account's sessions whoever owns them (Zoom
    lists the users' only unless asked), by the month their last message fell in."""

    endpoint = phone_endpoint("phone/sms/sessions", MEDIUM, "phone:read:list_sms_sessions:admin")
    dates = RECORDING_LISTING
    records_key = "sms_sessions"
    page_size = 100
    extra_params = {"session_type": "all", "filter_type": "last_message_time"}
    primary_key = "session_id"
    cursor_field = "last_access_time"
    dedupe_by_primary_key = True
