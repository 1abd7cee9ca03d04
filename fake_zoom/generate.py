"""The account as Stitch's tables see it, generated once from `random.Random(seed)` and dates
relative to `config.today` (the same config gives byte-identical data): users of every status,
their meetings, webinars and past instances, plus the special cases a connector must survive
(quirks) and a real account's (meetings Zoom no longer lists, instances on every boundary).

What Zoom keeps beyond Stitch's tables (AI Companion summaries, transcripts, meeting Q&A, audit
logs) is drawn by modules of its own that read the model; account.py adds it on top, so this
module imports none of them.
"""

from __future__ import annotations

import datetime as dt

from .config import FakeZoomConfig
from .generator import Generator, attach_registrants
from .horizons import (
    ONE_TIME_MEETING_EXPIRY_DAYS,
    WEBINAR_DELETION_DAYS,
    example_start_date,
    lookup_limit,
    report_horizon,
    window_last_day,
)
from .model import Dataset, Meeting, PastInstance, User, fmt_ts, parse_ts

# ----------------------------------------------------------------------------- quirks


def _apply_quirks(dataset_users: list[User], generator: Generator) -> None:
    """The special cases a robust connector must survive (see docs/contract.md, Errors)."""
    first_user = dataset_users[0]
    # A user without a webinar licence (the last one, so user 0 keeps its webinars).
    if len(dataset_users) > 1:
        unlicensed = dataset_users[-1]
        unlicensed.webinar_licence = False
        unlicensed.webinars = []
    # One user whose meetings have polls disabled (user 1, so user 0 keeps the uuid quirks' polls).
    polls_user = dataset_users[1] if len(dataset_users) > 1 else None
    if polls_user is not None:
        for meeting in polls_user.meetings:
            meeting.polls_disabled = True
            for instance in meeting.instances:
                instance.poll_results = []

    # A user who changed login type (e.g. to SSO) 20 days ago: Zoom's `created_at` is then, while
    # `user_created_at` and the user's meetings and recordings are older.
    if len(dataset_users) > 1:
        dataset_users[1].record["created_at"] = fmt_ts(generator.midnight - dt.timedelta(days=20))

    past_instances = [i for m in first_user.meetings for i in m.instances]
    # Instance uuids that must be double-encoded in a path.
    if past_instances:
        past_instances[0].uuid = "/" + past_instances[0].uuid[1:]
    if len(past_instances) > 1:
        uuid = past_instances[1].uuid
        past_instances[1].uuid = uuid[:5] + "//" + uuid[7:]
    for instance in past_instances[:2]:
        _sync_uuid(instance)

    # A participant who joined twice and two guests without a Zoom user id, plus an anonymous poll.
    crowded = past_instances[-1] if past_instances else None
    if crowded is not None:
        _add_rejoin_and_guests(crowded, generator)
        _add_anonymous_respondents(crowded, first_user.meetings, generator)

    # A past instance with a single participant: the report listing shows it under type=pastOne only
    # (type=past needs two); the history listing and its meeting's instance list show it.
    lonely_user = dataset_users[2] if len(dataset_users) > 2 else None
    if lonely_user is not None and lonely_user.meetings and lonely_user.meetings[-1].instances:
        lonely = lonely_user.meetings[-1].instances[-1]
        lonely.participants = lonely.participants[:1]

    # A meeting listed by /users/{id}/meetings but deleted before its detail is fetched.
    deleted = generator.meeting(first_user, index=len(first_user.meetings), recurring=False)
    deleted.deleted = True
    deleted.instances = []
    first_user.meetings.append(deleted)

    # A webinar instance beyond the lookup limit (its report/past lookups answer 12702).
    licensed = [user for user in dataset_users if user.webinars]
    if licensed:
        webinar = licensed[0].webinars[0]
        old_start = generator.at(lookup_limit(generator.today) - dt.timedelta(days=5), 10)
        old = generator.past_instance("webinar", licensed[0], webinar.detail, old_start, webinar.polls,
                                      webinar.has_registration)
        webinar.instances.append(old)
        attach_registrants(webinar)


def _sync_uuid(instance: PastInstance) -> None:
    """Propagate a changed instance uuid to the records that carry it."""
    if instance.recording is not None:
        instance.recording["uuid"] = instance.uuid
        for recording_file in instance.recording["recording_files"]:
            recording_file["meeting_id"] = instance.uuid


def _add_rejoin_and_guests(instance: PastInstance, generator: Generator) -> None:
    if instance.participants:
        rejoin = dict(instance.participants[0])
        join = parse_ts(rejoin["leave_time"]) + dt.timedelta(minutes=2)
        leave = min(join + dt.timedelta(minutes=5), instance.end + dt.timedelta(minutes=5))
        rejoin.update(join_time=fmt_ts(join), leave_time=fmt_ts(leave), duration=int((leave - join).total_seconds()))
        instance.participants.append(rejoin)
    instance.participants.extend(generator.participant(instance, guest=True) for _ in range(2))


def _add_anonymous_respondents(instance: PastInstance, meetings: list[Meeting], generator: Generator) -> None:
    polls = next(m for m in meetings if instance in m.instances).polls
    if not polls:
        return
    for _ in range(2):
        instance.poll_results.append({
            "name": "Anonymous",
            "email": "",
            "question_details": [
                {
                    "question": poll["questions"][0]["name"],
                    "answer": generator.rng.choice(poll["questions"][0]["answers"]),
                    "polling_id": poll["id"],
                    "date_time": fmt_ts(instance.start + dt.timedelta(minutes=3)),
                }
                for poll in polls
            ],
        })


# ----------------------------------------------------------------------------- real accounts


def _add_people_of_every_status(users: list[User], generator: Generator) -> list[User]:
    """Deactivated users (they host like active ones) and pending users (invited, never hosted;
    the first one comes without an `id`, which Zoom's type allows)."""
    inactive = []
    for index in range(generator.config.inactive_users):
        user = generator.user(len(users) + index)
        user.record["status"] = "inactive"
        generator.hosted_content(user)
        inactive.append(user)
    pending = []
    for index in range(generator.config.pending_users):
        user = generator.user(len(users) + len(inactive) + index)
        user.record["status"] = "pending"
        user.webinar_licence = False
        if index == 0:
            del user.record["id"]
        pending.append(user)
    return inactive + pending


def _add_history_beyond_listings(hosts: list[User], generator: Generator) -> None:
    """Meetings and webinars Zoom no longer lists whose past instances it still serves: per host an
    instant or PMI meeting and an expired one-time meeting within the report horizon; every third
    host a webinar deleted 90+ days after it ended; every fifth host the same kinds older than
    the report horizon (still served, but nothing lists them any more)."""
    today = generator.today
    horizon_days = (today - report_horizon(today)).days
    for index, user in enumerate(hosts):
        meeting_type = 1 if index % 2 == 0 else 4
        generator.dropped_meeting(user, meeting_type, [generator.days_ago(generator.rng.randint(3, 120))])
        expired_day = generator.rng.randint(ONE_TIME_MEETING_EXPIRY_DAYS + 1, horizon_days - 5)
        generator.dropped_meeting(user, 2, [generator.days_ago(expired_day)])
        if index % 3 == 0 and user.webinar_licence:
            ended_day = generator.rng.randint(WEBINAR_DELETION_DAYS + 1, horizon_days - 5)
            generator.deleted_webinar(user, generator.days_ago(ended_day))
        if index % 5 == 0:
            out_of_reach = generator.rng.randint(horizon_days + 5, (today - lookup_limit(today)).days - 5)
            generator.dropped_meeting(user, 2, [generator.days_ago(out_of_reach)])
            if user.webinar_licence:
                generator.deleted_webinar(user, generator.days_ago(out_of_reach + 3))


def boundary_starts(today: dt.date) -> dict[str, dt.datetime]:
    """The start of each instance that sits on one side of a boundary (naive UTC), by name."""
    example = example_start_date(today)
    horizon = report_horizon(today)
    limit = lookup_limit(today)
    midnight = dt.datetime.combine
    starts = {
        "before_example_start": example - dt.timedelta(minutes=1),
        "at_example_start": example,
        "at_report_horizon": midnight(horizon, dt.time(0, 0)),
        "before_report_horizon": midnight(horizon - dt.timedelta(days=1), dt.time(22, 0)),
        "at_lookup_limit": midnight(limit, dt.time(0, 0)),
        "before_lookup_limit": midnight(limit - dt.timedelta(days=1), dt.time(23, 0)),
    }
    for name, first_day in (("example_window", example.date()), ("horizon_window", horizon)):
        last = window_last_day(first_day)
        starts[f"{name}_last_minute"] = midnight(last, dt.time(23, 59))  # runs past midnight: two windows
        starts[f"{name}_next_day"] = midnight(last + dt.timedelta(days=1), dt.time(0, 0))
    return starts


# How long each boundary instance runs: the ones just before the horizon and the start date end
# before midnight, so no window from the next day overlaps them; the last-minute ones run past it.
BOUNDARY_MINUTES = {"before_report_horizon": 30, "example_window_last_minute": 40, "horizon_window_last_minute": 40}


def _add_boundary_instances(host: User, generator: Generator) -> None:
    """Instances on both sides of every boundary the sync's contract names (docs/contract.md,
    "What a sync returns"). All but the lookup-limit pair belong to meetings Zoom no longer lists
    (found only through the date-windowed listings); the lookup-limit pair belongs to a listed
    recurring meeting, whose /past_meetings/{id}/instances still lists them."""
    starts = boundary_starts(generator.today)
    for name, start in starts.items():
        if name in ("at_lookup_limit", "before_lookup_limit"):
            continue
        meeting_type = 2 if (generator.today - start.date()).days > ONE_TIME_MEETING_EXPIRY_DAYS else 1
        generator.dropped_meeting(host, meeting_type, [start], minutes=BOUNDARY_MINUTES.get(name, 30),
                                  topic=f"Boundary: {name}")
    recurring = generator.meeting(host, index=len(host.meetings), recurring=True)
    recurring.detail["topic"] = recurring.list_item["topic"] = "Boundary: lookup limit"
    for name in ("at_lookup_limit", "before_lookup_limit"):
        recurring.instances.append(generator.past_instance("meeting", host, recurring.detail, starts[name],
                                                           recurring.polls, minutes=30))
    attach_registrants(recurring)
    host.meetings.append(recurring)


# ----------------------------------------------------------------------------- entry point


def generate(config: FakeZoomConfig) -> Dataset:
    """The account as Stitch's tables see it: users of every status, their meetings, webinars and
    past instances, quirks and a real account's cases included. account.build_dataset adds what
    Zoom keeps beyond those tables."""
    today = config.anchor_date
    generator = Generator(config, today, rng_seed=config.seed)
    users = [generator.user(index) for index in range(config.users)]
    for user in users:
        generator.hosted_content(user)
    if config.quirks and users:
        _apply_quirks(users, generator)
    others = _add_people_of_every_status(users, generator)
    hosts = users + [u for u in others if u.hosts]
    if config.real_account and hosts:
        _add_history_beyond_listings(hosts, generator)
        _add_boundary_instances(hosts[0], generator)
    return Dataset(config=config, today=today, users=users + others)