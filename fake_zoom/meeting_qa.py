"""Q&A in meetings (Zoom has it in meetings since 2023, not only in webinars).

A meeting with Q&A on collects questions from its attendees, answered by the host or not;
anonymous questions come without a name ("Anonymous Attendee") or e-mail. GET
/report/meetings/{meetingUUID}/qa serves one entry per asker (rivet's
ReportsGetMeetingQAReportResponse.questions), and GET /report/history_meetings?report_type=qa
lists the instances that have such a report. Drawn from its own random stream.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .model import Dataset, PastInstance

QA_SHARE = 1 / 6  # the share of meeting instances whose meeting had Q&A on
ANONYMOUS = "Anonymous Attendee"
QUESTIONS = ("Will the recording be shared?", "Is the deadline still Friday?", "Who owns the follow-up?")


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ask(dataset: "Dataset", instances: Iterable["PastInstance"], rng: random.Random) -> None:
    """Q&A for some meeting instances: one or two named askers and an anonymous one; the
    meeting's settings say Q&A (with anonymous questions) is on."""
    for instance in instances:
        if instance.kind != "meeting" or instance.qa or rng.random() >= QA_SHARE:
            continue
        meeting = dataset.parent_of(instance)
        host = dataset.host_of(instance).record
        askers = [(p.get("id", ""), p["name"], p["user_email"]) for p in instance.participants[: rng.randint(1, 2)]]
        askers.append(("", ANONYMOUS, ""))
        instance.qa = [asker_entry(instance, host, asker, number, rng) for number, asker in enumerate(askers)]
        meeting.detail["settings"]["question_and_answer"].update(enable=True, allow_submit_questions=True, allow_anonymous_questions=True)


def asker_entry(instance: "PastInstance", host: dict, asker: tuple, number: int, rng: random.Random) -> dict[str, Any]:
    user_id, name, email = asker
    asked = instance.start + dt.timedelta(minutes=5 + number)
    details = []
    for question_number in range(rng.randint(1, 2)):
        answered = (number + question_number) % 3 != 2
        details.append({
            "question": rng.choice(QUESTIONS),
            "answer": "Yes, later today." if answered else "",
            "question_id": f"q-{instance.start:%Y%m%d%H%M}-{number}-{question_number}",
            "create_time": fmt(asked + dt.timedelta(minutes=question_number)),
            "question_status": "answered" if answered else "open",
            "answer_details": [{
                "user_id": host["id"],
                "name": f"{host['first_name']} {host['last_name']}",
                "email": host["email"],
                "content": "Yes, later today.",
                "create_time": fmt(asked + dt.timedelta(minutes=question_number + 2)),
                "type": "host_answered_publicly",
            }] if answered else [],
        })
    return {"user_id": user_id, "email": email, "name": name, "question_details": details}
