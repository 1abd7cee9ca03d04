"""How report_meetings matches the history listing's hosts to the users it asks (listed_by.py):
on the email, case aside; a history row naming nobody among the users (an email changed since,
a deleted user) or nobody at all means every host is asked for that window."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable, Dict, List

from source_zoom.windows import report_horizon
from unit_tests.conftest import read_tables, records_of
from unit_tests.test_parents_stream import RECENT, StubZoom, stub  # noqa: F401 (stub: the fixture)

# One month window: the whole sync is one window, within Zoom's report horizon.
START = (datetime.now(timezone.utc) - timedelta(days=10)).strftime("%Y-%m-%dT00:00:00Z")
USERS = [{"id": "u-a", "email": "a@example.com", "status": "active"}, {"id": "u-b", "email": "b@example.com", "status": "active"}]


def noting(asked: List[str], user: str, body: Dict[str, Any]) -> Callable[[], Dict[str, Any]]:
    def answer() -> Dict[str, Any]:
        asked.append(user)
        return body

    return answer


def account(stub: StubZoom, history_rows: List[Dict[str, Any]], rows_by_user: Dict[str, List[Dict[str, Any]]], users: List[Dict[str, Any]] = USERS) -> List[str]:
    """Active hosts (`users`); the history listing answers `history_rows`; each host's report
    listing its rows. Returns the list the users asked are noted in."""
    asked: List[str] = []
    stub.answers["/v2/users?status=active"] = {"users": users, "next_page_token": ""}
    for status in ("inactive", "pending"):
        stub.answers[f"/v2/users?status={status}"] = {"users": [], "next_page_token": ""}
    stub.answers["/v2/report/history_meetings"] = {"history_meetings": history_rows, "next_page_token": ""}
    for user in users:
        rows = rows_by_user.get(user["id"], [])
        stub.answers[f"/v2/report/users/{user['id']}/meetings"] = noting(asked, user["id"], {"meetings": rows, "next_page_token": ""})
    return asked


def history_row(uuid: str, host_email: Any) -> Dict[str, Any]:
    row = {"meeting_uuid": uuid, "meeting_id": 7, "type": "Meeting", "start_time": RECENT, "department": "Sales", "tracking_fields": []}
    if host_email is not None:
        row["host_email"] = host_email
    return row


def report_row(uuid: str) -> Dict[str, Any]:
    return {"uuid": uuid, "id": 7, "type": 2, "start_time": RECENT, "participants_count": 2}


def test_given_a_history_naming_one_host_in_another_case_when_reading_report_meetings_then_only_that_host_is_asked(stub):
    asked = account(stub, [history_row("r1==", "A@Example.COM")], {"u-a": [report_row("r1==")]})

    output = read_tables(stub.config(start_date=START), ["report_meetings"])

    assert asked == ["u-a"]
    assert [(r["uuid"], r["host_id"], r["dept"]) for r in records_of(output, "report_meetings")] == [("r1==", "u-a", "Sales")]


def test_given_a_history_naming_someone_who_is_none_of_the_users_when_reading_report_meetings_then_every_host_is_asked(stub):
    """The history row carries an email no user has now (b's email changed since): b's instance
    is found by asking every host."""
    asked = account(stub, [history_row("r2==", "b.old@example.com")], {"u-b": [report_row("r2==")]})

    output = read_tables(stub.config(start_date=START), ["report_meetings"])

    assert sorted(asked) == ["u-a", "u-b"]
    assert [(r["uuid"], r["host_id"]) for r in records_of(output, "report_meetings")] == [("r2==", "u-b")]


def test_given_a_history_row_without_a_host_when_reading_report_meetings_then_every_host_is_asked(stub):
    asked = account(stub, [history_row("r3==", None)], {"u-b": [report_row("r3==")]})

    output = read_tables(stub.config(start_date=START), ["report_meetings"])

    assert sorted(asked) == ["u-a", "u-b"]
    assert [r["uuid"] for r in records_of(output, "report_meetings")] == ["r3=="]



def test_given_a_history_row_without_a_host_and_a_user_without_an_email_when_reading_report_meetings_then_the_other_hosts_are_asked_too(stub):
    """The user without an email cannot be matched to the row, nor stand for it."""
    no_email = {"id": "u-c", "status": "active"}
    asked = account(stub, [history_row("r4==", None)], {"u-a": [report_row("r4==")]}, users=[no_email, *USERS])

    output = read_tables(stub.config(start_date=START), ["report_meetings"])

    assert sorted(asked) == ["u-a", "u-b", "u-c"]
    assert [(r["uuid"], r["host_id"]) for r in records_of(output, "report_meetings")] == [("r4==", "u-a")]


def test_given_an_instance_from_the_day_before_zooms_horizon_when_reading_report_meetings_from_earlier_then_its_host_is_asked(stub):
    """start_date lies before Zoom's six months: the history listing starts at the horizon, the
    host's report listing of the first window also names an instance that started the evening
    before and ran into it (kept: it started after start_date). The history cannot name it, so
    every host is asked for that window."""
    horizon = report_horizon(datetime.now(timezone.utc).date())
    evening_before = datetime.combine(horizon - timedelta(days=1), time(23, 30), tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    late = {**report_row("r5=="), "start_time": evening_before}
    asked = account(stub, [history_row("r1==", "a@example.com")], {"u-a": [report_row("r1==")], "u-b": [late]})
    stub.answers["/v2/report/meetings/r5%3D%3D"] = {"uuid": "r5==", "dept": "Ops", "tracking_fields": []}  # the history lacks it

    output = read_tables(stub.config(start_date=(horizon - timedelta(days=30)).isoformat() + "T00:00:00Z"), ["report_meetings"])

    assert "u-b" in asked
    assert sorted((r["uuid"], r["host_id"]) for r in records_of(output, "report_meetings")) == [("r1==", "u-a"), ("r5==", "u-b")]
