"""Post-meeting and post-webinar surveys.

A host can attach a survey to a meeting or webinar; attendees answer it when they leave, named or
anonymously (an anonymous respondent comes without e-mail or name). GET
/report/meetings/{meetingUUID}/survey and /report/webinars/{webinarUUID}/survey serve one entry
per respondent under `survey_answers`, with the survey's id and name around them (rivet meetings'
ReportsGetMeetingSurveyReportResponse, ReportsGetWebinarSurveyReportResponse), and GET
/report/history_meetings?report_type=survey lists the instances that have such a report. An
instance without a survey is answered with no respondents. Drawn from a random stream of its own.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from .model import Dataset, PastInstance

SURVEY_SHARE = 1 / 4  # the share of instances whose meeting or webinar had a survey attached
ANONYMOUS = {"email": "", "name": "Anonymous", "first_name": "", "last_name": ""}
QUESTIONS = (("How useful was this session?", ("Very useful", "Somewhat useful", "Not useful")),
             ("Would you attend again?", ("Yes", "No", "Maybe")))


def fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def conduct(dataset: "Dataset", instances: Iterable["PastInstance"], rng: random.Random) -> None:
    """Surveys for some instances: one or two named respondents (participants) and an anonymous one."""
    for instance in instances:
        if instance.survey is not None or rng.random() >= SURVEY_SHARE:
            continue
        named = [{"email": p["user_email"], "name": p["name"], "first_name": p["name"].split(" ")[0],
                  "last_name": " ".join(p["name"].split(" ")[1:])} for p in instance.participants[: rng.randint(1, 2)]]
        respondents = named + [dict(ANONYMOUS)]
        survey_id = f"survey-{instance.parent_id}"
        answers = []
        for number, respondent in enumerate(respondents):
            answered = instance.end + dt.timedelta(minutes=1 + number)
            details = [{"question": question, "question_id": f"{survey_id}-q{q}", "answer": rng.choice(choices),
                        "date_time": fmt(answered)} for q, (question, choices) in enumerate(QUESTIONS)]
            answers.append({**respondent, "answer_details": details})
        instance.survey = {"survey_id": survey_id, "survey_name": f"After {instance.kind} {instance.parent_id}", "answers": answers}


def report(instance: "PastInstance") -> dict[str, Any]:
    """The survey report of one instance, as Zoom serves it."""
    survey = instance.survey or {}
    kind = instance.kind
    body = {f"{kind}_id": instance.parent_id, f"{kind}_uuid": instance.uuid, "start_time": instance.start_time,
            "survey_answers": list(survey.get("answers", []))}
    if survey:
        body.update(survey_id=survey["survey_id"], survey_name=survey["survey_name"])
    return body


def truth_rows(pairs: list[tuple[Any, "PastInstance"]], kind: str) -> list[dict[str, Any]]:
    """One row per respondent of each instance with a survey, stamped with the instance's keys and
    start time, its position (respondent_index) and the survey's id and name."""
    rows = []
    for parent, instance in pairs:
        if instance.survey is None:
            continue
        for position, answer in enumerate(instance.survey["answers"]):
            rows.append({**answer, f"{kind}_id": parent.id, f"{kind}_uuid": instance.uuid, f"{kind}_start_time": instance.start_time,
                         "respondent_index": position, "survey_id": instance.survey["survey_id"],
                         "survey_name": instance.survey["survey_name"]})
    return rows
