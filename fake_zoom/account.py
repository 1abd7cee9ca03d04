"""The fake account's life: built once from the config, then changed as a test asks (new meetings
held, summaries edited).

It composes the account as Stitch's tables see it (generate.py, drawn by generator.py into the
model of model.py) with what Zoom keeps beyond those tables (ai_companion.py, transcripts.py,
meeting_qa.py, audit_logs.py): those modules read the model, and only this one knows them all, so
imports run one way. Every edit between syncs starts here (new meetings held; summaries edited
through ai_companion.edit_summaries).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Optional

from . import ai_companion, audit_logs, meeting_qa, phone, structure, surveys, transcripts
from .config import FakeZoomConfig
from .generate import generate
from .generator import Generator, attach_registrants
from .model import Dataset, PastInstance, User, fmt_ts, nothing_before_its_host


def build_dataset(config: FakeZoomConfig) -> Dataset:
    dataset = generate(config)
    hosts, today = dataset.hosting_users(), dataset.today
    # Drawn from a random stream of their own, after everything else: the other tables' data is
    # the same with or without them.
    rng = random.Random(f"{config.seed}:beyond-stitch")
    if config.ai_companion:
        ai_companion.turn_on_ai_companion(hosts)
    add_beyond_stitch(dataset, sorted(dataset.all_instances(), key=lambda i: (i.start, i.uuid)), rng)
    dataset.sign_in_logs = audit_logs.sign_ins(hosts, today, rng)
    dataset.operation_logs = audit_logs.operations(hosts, today, rng)
    structure.organise(dataset, random.Random(f"{config.seed}:structure"))
    surveys.conduct(dataset, sorted(dataset.all_instances(), key=lambda i: (i.start, i.uuid)), random.Random(f"{config.seed}:surveys"))
    dataset.phone = phone.build(dataset)  # Zoom Phone, from a random stream of its own
    return dataset


def add_past_meetings(dataset: Dataset, meetings_per_user: int, started_at: Optional[dt.datetime] = None) -> int:
    """Append `meetings_per_user` one-off meetings per active user (add_one_off_meetings),
    with summaries, transcripts and Q&A for some of them, the users' sign-ins when they start and
    an admin operation; deterministic per (seed, batch number). Returns how many were added."""
    added = add_one_off_meetings(dataset, meetings_per_user, started_at)
    # The meetings just appended (not u.meetings[-n:]: with n = 0 that is every meeting).
    new_instances = [i for u in dataset.users if u.status == "active"
                     for m in u.meetings[len(u.meetings) - meetings_per_user:] for i in m.instances]
    rng = random.Random(f"{dataset.config.seed}:add-beyond:{dataset.added_batches}")
    add_beyond_stitch(dataset, new_instances, rng)
    surveys.conduct(dataset, new_instances, random.Random(f"{dataset.config.seed}:surveys:{dataset.added_batches}"))
    held = started_at or min((i.start for i in new_instances), default=dt.datetime.combine(dataset.today, dt.time()))
    signed, changed = audit_logs.new_activity([u for u in dataset.users if u.status == "active"], held, rng)
    dataset.sign_in_logs += signed
    dataset.operation_logs += changed
    return added


def add_one_off_meetings(dataset: Dataset, meetings_per_user: int, started_at: Optional[dt.datetime] = None) -> int:
    """Append `meetings_per_user` one-off meetings per user, held today (or from `started_at`,
    naive UTC, one minute apart), each with participants and poll results; deterministic per
    (seed, batch number). Returns how many were added. What Zoom keeps beyond Stitch's tables
    comes with them through add_past_meetings."""
    dataset.added_batches += 1
    generator = Generator(dataset.config, dataset.today, rng_seed=f"{dataset.config.seed}:add:{dataset.added_batches}")
    generator.ids.reserve_existing(dataset)
    added = 0
    for user in (u for u in dataset.users if u.status == "active"):  # only active users can host today
        for slot in range(meetings_per_user):
            meeting = generator.meeting(user, index=len(user.meetings), recurring=False, held_today=slot,
                                        held_at=started_at)
            meeting.polls_disabled = any(m.polls_disabled for m in user.meetings)
            if meeting.polls_disabled:
                for instance in meeting.instances:
                    instance.poll_results = []
            user.meetings.append(meeting)
            added += 1
    dataset.reindex()
    return added


def add_user(dataset: Dataset, created_at: dt.datetime, recorded_at: dt.datetime) -> User:
    """A new active user made at `created_at` (naive UTC) who hosts one one-off meeting held and
    recorded at `recorded_at` (Zoom lets nobody record before being made: see
    model.nothing_before_its_host). Deterministic per (seed, batch number)."""
    dataset.added_batches += 1
    generator = Generator(dataset.config, dataset.today, rng_seed=f"{dataset.config.seed}:user:{dataset.added_batches}")
    generator.ids.reserve_existing(dataset)
    user = generator.user(len(dataset.users))
    user.record["created_at"] = user.record["user_created_at"] = fmt_ts(created_at)
    meeting = generator.meeting(user, index=0, recurring=False, held_today=0, held_at=recorded_at)
    meeting.detail["created_at"] = meeting.list_item["created_at"] = fmt_ts(created_at)
    for instance in meeting.instances:
        instance.recording = generator.recording(user, meeting.detail, instance)
    attach_registrants(meeting)
    user.meetings.append(meeting)
    nothing_before_its_host([user])
    dataset.users.append(user)
    dataset.reindex()
    return user


def add_beyond_stitch(dataset: Dataset, instances: list[PastInstance], rng: random.Random) -> None:
    """AI Companion summaries, transcripts and meeting Q&A of these instances, newest first (so the
    special transcripts land in the recent past every sync reads)."""
    newest_first = sorted(instances, key=lambda i: (i.start, i.uuid), reverse=True)
    ai_companion.summarise(dataset, newest_first, rng)
    transcripts.transcribe(dataset, newest_first, rng)
    meeting_qa.ask(dataset, newest_first, rng)
