"""The account's audit trail: who signed in and out, and what admins changed. Account-wide
report listings by month window (Heavy, Pro plan or higher), incremental on each entry's `time`."""

from typing import Any, Mapping

from source_zoom.declarations import HEAVY, Endpoint, ErrorRules, Outcome, Scopes, ZoomError
from source_zoom.incremental import parse_zoom_time
from source_zoom.paging import Paging
from source_zoom.windows import REPORT_LISTING
from source_zoom.zoom_stream import ZoomStream

# A Free account has no reports: Zoom answers every window "No permission" (400 code 200). That
# holds for the whole account, so the table ends with one warning and its state stays, ready for
# the plan's upgrade.
NEEDS_A_PAID_PLAN: ErrorRules = {
    (400, 200): ZoomError("Zoom's reports need a Pro plan or higher", Outcome.STREAM_UNAVAILABLE),
}


class AccountLog(ZoomStream):
    """An account-wide log listed by month window (reaching back six months, as Zoom's reports do)."""

    dates = REPORT_LISTING
    paging = Paging.NEXT_PAGE_TOKEN
    cursor_field = "time"

    def keeps_instance(self, record: Mapping[str, Any]) -> bool:
        """Entries at or after start_date (a moment; windows start on its day), or the state's floor."""
        start_date = self.context.config.start_date
        at = parse_zoom_time(record.get("time"))
        return at is None or at >= max(self.fetch_floor() or start_date, start_date)


class ReportSignInActivities(AccountLog):
    """GET /report/activities: every sign-in and sign-out of the account's users. Zoom gives an
    entry no id: all its fields together are the key (two entries equal in every field are one)."""

    endpoint = Endpoint("report/activities", HEAVY, Scopes("report:read:admin", "report:read:user_activities:admin"), errors=NEEDS_A_PAID_PLAN)
    records_key = "activity_logs"
    primary_key = ["email", "time", "type", "ip_address", "client_type", "version"]


class ReportOperationLogs(AccountLog):
    """GET /report/operationlogs (every category_type): what the account's admins changed."""

    endpoint = Endpoint("report/operationlogs", HEAVY, Scopes("report:read:admin", "report:read:operation_logs:admin"), errors=NEEDS_A_PAID_PLAN)
    records_key = "operation_logs"
    extra_params = {"category_type": "all"}
    primary_key = ["time", "operator", "category_type", "action", "operation_detail"]
