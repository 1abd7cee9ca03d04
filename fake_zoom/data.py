"""Deterministic data model of a fake Zoom account.

Everything is generated once from `random.Random(seed)` and dates relative to `config.today`, so the
same config gives byte-identical data. The HTTP handlers (server.py) and the ground truth
(ground_truth.py) both read this model; neither derives data from the other.

What Zoom keeps beyond Stitch's tables (AI Companion summaries, transcripts, meeting Q&A, audit
logs) is drawn by modules of its own that read this model; account.py adds it on top, so this
module imports none of them.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from .config import FakeZoomConfig
from .horizons import (
    ONE_TIME_MEETING_EXPIRY_DAYS,
    WEBINAR_DELETION_DAYS,
    beyond_lookup_limit,
    example_start_date,
    lookup_limit,
    report_horizon,
    window_last_day,
)

FIRST_NAMES = ["Ada", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea"]
LAST_NAMES = ["Ito", "Meyer", "Okafor", "Novak", "Silva", "Larsen", "Haddad", "Kim", "Rossi", "Dubois"]
TOPICS = ["Weekly sync", "Design review", "Customer call", "Planning", "Retro", "All hands", "Demo day"]
TIMEZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"]
DEPARTMENTS = ["Sales", "Engineering", "Support", "Marketing"]

RECENT_PAST_DAYS = 150  # the generated (non-boundary) past instances lie within this many days
USER_STATUSES = ("active", "inactive", "pending")
REGISTRANT_STATUSES = ("approved", "pending", "denied")
UNLISTED_MEETING_TYPES = (1, 4)  # instant and PMI meetings are never in `type=scheduled`


# ----------------------------------------------------------------------------- date helpers


def fmt_ts(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> dt.datetime:
    """Parse "YYYY-MM-DD[THH:MM:SS[Z]]" as UTC (naive datetimes are UTC throughout the fake)."""
    text = text.strip().rstrip("Z")
    if "T" not in text:
        return dt.datetime.fromisoformat(text)
    return dt.datetime.fromisoformat(text[:19])


def six_months_before(today: dt.date) -> dt.date:
    return report_horizon(today)


def default_start_date(today: dt.date) -> str:
    """The start date a connector config gets when a test gives none: the report horizon's day."""
    return report_horizon(today).strftime("%Y-%m-%dT00:00:00Z")


def documented_start_date(today: dt.date) -> str:
    """The documented example start date inside the data (horizons.example_start_date)."""
    return fmt_ts(example_start_date(today))


def needs_double_encoding(uuid: str) -> bool:
    return uuid.startswith("/") or "//" in uuid


# ----------------------------------------------------------------------------- model


@dataclass
class PastInstance:
    """One past occurrence of a meeting or webinar (what /past_*/{id}/instances lists)."""

    uuid: str
    parent_id: int
    kind: str  # "meeting" | "webinar"
    start: dt.datetime
    end: dt.datetime
    participants: list[dict[str, Any]] = field(default_factory=list)  # each with its registrant_id
    poll_results: list[dict[str, Any]] = field(default_factory=list)  # the "questions" array
    qa: list[dict[str, Any]] = field(default_factory=list)  # webinars only
    absentees: list[dict[str, Any]] = field(default_factory=list)  # webinars with registration only
    files: list[dict[str, Any]] = field(default_factory=list)
    recording: Optional[dict[str, Any]] = None  # cloud recording list item (meetings only)
    survey: Optional[dict[str, Any]] = None  # surveys.py: its id, name and answers

    @property
    def start_time(self) -> str:
        return fmt_ts(self.start)

    @property
    def end_time(self) -> str:
        return fmt_ts(self.end)

    def too_old(self, today: dt.date) -> bool:
        """Beyond Zoom's per-instance lookup limit: every lookup of it answers 400 code 12702."""
        return beyond_lookup_limit(self.start, today)


@dataclass
class Meeting:
    id: int
    host_id: str
    list_item: dict[str, Any]  # the short form /users/{id}/meetings returns
    detail: dict[str, Any]  # /meetings/{id}
    registrants: list[dict[str, Any]]  # every status; each carries its "status"
    questions: dict[str, Any]
    polls: list[dict[str, Any]]
    instances: list[PastInstance]
    deleted: bool = False  # listed, but /meetings/{id} and its children answer 404 code 3001
    polls_disabled: bool = False  # /meetings/{id}/polls answers 400 code 4400
    expired: bool = False  # a one-time meeting more than 30 days past its date

    @property
    def has_registration(self) -> bool:
        return self.detail["settings"]["approval_type"] in (0, 1)

    @property
    def listed(self) -> bool:
        """In /users/{id}/meetings?type=scheduled: not expired, not instant, not the PMI."""
        return not self.expired and self.detail["type"] not in UNLISTED_MEETING_TYPES

    @property
    def served(self) -> bool:
        """/meetings/{id} and its registrants, questions and polls answer (else 404 code 3001)."""
        return self.listed and not self.deleted


@dataclass
class Webinar:
    id: int
    host_id: str
    list_item: dict[str, Any]
    detail: dict[str, Any]
    panelists: list[dict[str, Any]]
    registrants: list[dict[str, Any]]  # every status; each carries its "status"
    questions: dict[str, Any]
    tracking_sources: list[dict[str, Any]]
    polls: list[dict[str, Any]]
    instances: list[PastInstance]
    expired: bool = False  # deleted by Zoom 90 days after it ended; its instances are still served

    @property
    def has_registration(self) -> bool:
        return self.detail["settings"]["approval_type"] in (0, 1)

    @property
    def listed(self) -> bool:
        """In /users/{id}/webinars, and /webinars/{id} and its children answer."""
        return not self.expired

    served = listed


@dataclass
class User:
    record: dict[str, Any]
    meetings: list[Meeting] = field(default_factory=list)
    webinars: list[Webinar] = field(default_factory=list)
    webinar_licence: bool = True
    ai_companion: bool = False  # AI Companion's meeting summary on: Zoom summarises their meetings

    @property
    def id(self) -> str:
        """The user's id; "" for a pending user Zoom lists without one."""
        return self.record.get("id", "")

    @property
    def status(self) -> str:
        return self.record["status"]

    @property
    def hosts(self) -> bool:
        """Active and inactive users have hosted; a pending user has not (its per-user endpoints 404)."""
        return self.status != "pending"


@dataclass
class Dataset:
    config: FakeZoomConfig
    today: dt.date
    users: list[User]
    added_batches: int = 0
    missing_scopes: set[str] = field(default_factory=set)  # granular scopes the app lacks right now
    # What Zoom keeps beyond Stitch's tables (ai_companion.py, transcripts.py, audit_logs.py):
    summaries: dict[str, Any] = field(default_factory=dict)  # instance uuid -> ai_companion.Summary
    transcripts: dict[str, Any] = field(default_factory=dict)  # recording file id -> transcripts.TranscriptFile
    sign_in_logs: list[dict[str, Any]] = field(default_factory=list)
    operation_logs: list[dict[str, Any]] = field(default_factory=list)
    structure: Any = None  # structure.Structure: the account's groups and roles

    def __post_init__(self) -> None:
        if not self.missing_scopes:
            self.missing_scopes = set(self.config.missing_scopes)
        self.reindex()

    def reindex(self) -> None:
        self.users_by_id = {user.id: user for user in self.users if user.id}
        self.users_by_email = {user.record["email"].lower(): user for user in self.users}
        self.meetings_by_id = {m.id: m for m in self.all_meetings()}
        self.webinars_by_id = {w.id: w for w in self.all_webinars()}
        self.meeting_instances_by_uuid = {i.uuid: i for m in self.all_meetings() for i in m.instances}
        self.webinar_instances_by_uuid = {i.uuid: i for w in self.all_webinars() for i in w.instances}

    def all_meetings(self) -> Iterator[Meeting]:
        for user in self.users:
            yield from user.meetings

    def all_webinars(self) -> Iterator[Webinar]:
        for user in self.users:
            yield from user.webinars

    def hosting_users(self) -> list[User]:
        return [user for user in self.users if user.hosts]

    def find_user(self, user_id_or_email: str) -> Optional[User]:
        return self.users_by_id.get(user_id_or_email) or self.users_by_email.get(user_id_or_email.lower())

    def parent_of(self, instance: PastInstance) -> "Meeting | Webinar":
        by_id = self.meetings_by_id if instance.kind == "meeting" else self.webinars_by_id
        return by_id[instance.parent_id]

    def host_of(self, instance: PastInstance) -> User:
        return self.users_by_id[self.parent_of(instance).host_id]

    def add_one_off_meetings(self, meetings_per_user: int, started_at: Optional[dt.datetime] = None) -> int:
        """Append `meetings_per_user` one-off meetings per user, held today (or from `started_at`,
        naive UTC, one minute apart), each with participants and poll results; deterministic per
        (seed, batch number). Returns how many were added. What Zoom keeps beyond Stitch's tables
        comes with them through account.add_past_meetings."""
        self.added_batches += 1
        generator = _Generator(self.config, self.today, rng_seed=f"{self.config.seed}:add:{self.added_batches}")
        generator.ids.reserve_existing(self)
        added = 0
        for user in (u for u in self.users if u.status == "active"):  # only active users can host today
            for slot in range(meetings_per_user):
                meeting = generator.meeting(user, index=len(user.meetings), recurring=False, held_today=slot,
                                            held_at=started_at)
                meeting.polls_disabled = any(m.polls_disabled for m in user.meetings)
                if meeting.polls_disabled:
                    for instance in meeting.instances:
                        instance.poll_results = []
                user.meetings.append(meeting)
                added += 1
        self.reindex()
        return added

    def all_instances(self) -> list[PastInstance]:
        return [i for m in self.all_meetings() for i in m.instances] + [i for w in self.all_webinars() for i in w.instances]


# ----------------------------------------------------------------------------- generation


class _Ids:
    """Unique ids of every kind Zoom uses, drawn from one rng."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[Any] = set()
        self.next_participant_id = 16778240

    def reserve_existing(self, dataset: Dataset) -> None:
        self.used.update(dataset.meetings_by_id)
        self.used.update(dataset.webinars_by_id)
        self.used.update(dataset.meeting_instances_by_uuid)
        self.used.update(dataset.webinar_instances_by_uuid)
        self.used.update(dataset.users_by_id)

    def _unique(self, make) -> Any:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def meeting_id(self) -> int:
        """A 64-bit int of 10-11 digits, like Zoom's 81234567890."""
        return self._unique(lambda: self.rng.randint(8_000_000_000, 99_999_999_999))

    def uuid(self) -> str:
        """24-char base64-like instance uuid ending in "==", never one that needs double encoding."""

        def make() -> str:
            text = base64.b64encode(self.rng.randbytes(17)).decode()[:22] + "=="
            return text if not needs_double_encoding(text) else ""

        while True:
            value = self._unique(make)
            if value:
                return value

    def zoom_id(self) -> str:
        """22-char url-safe id (users, registrants, panelists, polls, recording files)."""
        return self._unique(lambda: base64.urlsafe_b64encode(self.rng.randbytes(17)).decode()[:22])

    def participant_id(self) -> str:
        self.next_participant_id += self.rng.randint(1, 4000)
        return str(self.next_participant_id)


class _Generator:
    def __init__(self, config: FakeZoomConfig, today: dt.date, rng_seed: Any) -> None:
        self.config = config
        self.today = today
        self.midnight = dt.datetime(today.year, today.month, today.day)
        self.rng = random.Random(rng_seed)
        self.ids = _Ids(self.rng)
        self.webinar_counter = 0  # account-wide, so registration settings vary across users

    # --- people ---

    def person(self) -> tuple[str, str, str]:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}{self.rng.randint(1, 9999)}@example.com"
        return first, last, email

    def user(self, index: int) -> User:
        first, last, email = self.person()
        created = self.midnight - dt.timedelta(days=self.rng.randint(400, 2000))
        record = {
            "id": self.ids.zoom_id(),
            "email": email,
            "first_name": first,
            "last_name": last,
            "display_name": f"{first} {last}",
            "type": 2,
            "pmi": self.rng.randint(10_000_000_000, 99_999_999_999),
            "timezone": self.rng.choice(TIMEZONES),
            "verified": 1,
            "dept": self.rng.choice(DEPARTMENTS),
            "created_at": fmt_ts(created),
            "last_login_time": fmt_ts(self.midnight - dt.timedelta(hours=self.rng.randint(1, 300))),
            "last_client_version": f"5.17.{self.rng.randint(0, 11)}.{self.rng.randint(1000, 9999)}(mac)",
            "group_ids": [self.ids.zoom_id()],
            "im_group_ids": ["im-group-all-staff"],
            "status": "active",
            "role_id": "2",
            "user_created_at": fmt_ts(created),
            "custom_attributes": [{"key": "cost_center", "name": "Cost center", "value": "CC-100"}],
            "division_ids": ["division-main"],
            "employee_unique_id": f"emp-{index + 1:05d}",
            "host_key": f"{100000 + index:06d}",
            "license_info_list": [{"license_type": "MEETING", "license_option": 2, "subscription_id": "subscription-pro"}],
            "plan_united_type": "1",
        }
        return User(record=record)

    def registrant(self, base_time: dt.datetime) -> dict[str, Any]:
        first, last, email = self.person()
        return {
            "id": self.ids.zoom_id(),
            "email": email,
            "first_name": first,
            "last_name": last,
            "address": f"{self.rng.randint(1, 200)} Main St",
            "city": "Springfield",
            "country": "US",
            "zip": f"{self.rng.randint(10000, 99999)}",
            "state": "IL",
            "phone": f"555-{self.rng.randint(1000, 9999)}",
            "industry": "Software",
            "org": "Example Corp",
            "job_title": "Engineer",
            "purchasing_time_frame": "Within a month",
            "role_in_purchase_process": "Influencer",
            "no_of_employees": "51-100",
            "comments": "",
            "custom_questions": [{"title": "How did you hear about us?", "value": "A friend"}],
            "status": "approved",
            "create_time": fmt_ts(base_time - dt.timedelta(days=self.rng.randint(1, 30))),
            "join_url": f"https://example.zoom.us/w/{self.rng.randint(10**9, 10**10)}?tk=fake",
        }

    def registrants(self, count: int, base_time: dt.datetime, approval_type: Optional[int] = None
                    ) -> list[dict[str, Any]]:
        """`count` registrants; of a meeting/webinar with `approval_type` 0 or 1 they come in the
        statuses Zoom gives them (see registrant_status). Absentees (no approval_type) are approved."""
        registrants = [self.registrant(base_time) for _ in range(count)]
        if approval_type is not None:
            for index, registrant in enumerate(registrants):
                registrant["status"] = registrant_status(index, approval_type)
        return registrants

    # --- meetings and webinars ---

    def polls(self, count: int) -> list[dict[str, Any]]:
        return [
            {
                "id": self.ids.zoom_id(),
                "title": f"Poll {number + 1}",
                "status": "notstart",
                "anonymous": number % 2 == 1,
                "poll_type": 1,
                "questions": [
                    {
                        "name": f"Question {number + 1}?",
                        "type": "single",
                        "answer_required": False,
                        "answers": ["Yes", "No"],
                        "right_answers": ["Yes"],
                        "show_as_dropdown": False,
                        "case_sensitive": False,
                        "answer_min_character": 1,
                        "answer_max_character": 200,
                        "rating_min_value": 0,
                        "rating_max_value": 0,
                        "rating_min_label": "",
                        "rating_max_label": "",
                        "prompts": [],
                    },
                    {
                        "name": "Match each tool to its use.",
                        "type": "matching",
                        "answer_required": False,
                        "answers": ["Slides", "Notes"],
                        "right_answers": [],
                        "show_as_dropdown": True,
                        "case_sensitive": False,
                        "answer_min_character": 1,
                        "answer_max_character": 200,
                        "rating_min_value": 0,
                        "rating_max_value": 0,
                        "rating_min_label": "",
                        "rating_max_label": "",
                        "prompts": [
                            {"prompt_question": "Presenting", "prompt_right_answers": ["Slides"]},
                            {"prompt_question": "Writing down", "prompt_right_answers": ["Notes"]},
                        ],
                    },
                ],
            }
            for number in range(count)
        ]

    @staticmethod
    def registration_questions() -> dict[str, Any]:
        return {
            "questions": [{"field_name": "last_name", "required": True}, {"field_name": "org", "required": False}],
            "custom_questions": [
                {"title": "How did you hear about us?", "type": "single", "required": False, "answers": ["A friend", "Ads"]}
            ],
        }

    def settings(self, approval_type: int, webinar: bool) -> dict[str, Any]:
        """Every member of Zoom's meeting or webinar `settings` (the two differ), at Zoom's defaults."""
        interpreters = [{"email": "interpreter@example.com", "languages": "US,FR", "interpreter_languages": "English,French"}]
        settings: dict[str, Any] = {
            "host_video": True,
            "approval_type": approval_type,
            "registration_type": 1,
            "audio": "both",
            "audio_conference_info": "",
            "auto_recording": "cloud",
            "enforce_login": False,
            "enforce_login_domains": "",
            "alternative_hosts": "",
            "alternative_host_update_polls": False,
            "allow_host_control_participant_mute_state": False,
            "allow_multiple_devices": True,
            "close_registration": False,
            "global_dial_in_countries": ["US"],
            "global_dial_in_numbers": [
                {"city": "New York", "country": "US", "country_name": "US", "number": "+1 6465588656", "type": "toll"}
            ],
            "contact_name": "Host",
            "contact_email": "host@example.com",
            "email_in_attendee_report": False,
            "registrants_confirmation_email": True,
            "registrants_email_notification": True,
            "meeting_authentication": False,
            "authentication_option": "",
            "authentication_domains": "",
            "authentication_name": "",
            "show_share_button": True,
            "language_interpretation": {"enable": False, "interpreters": interpreters},
            "sign_language_interpretation": {
                "enable": False, "interpreters": [{"email": "signer@example.com", "sign_language": "American"}]
            },
            "question_and_answer": {
                "enable": False,
                "allow_submit_questions": False,
                "allow_anonymous_questions": False,
                "attendees_can_comment": False,
                "attendees_can_upvote": False,
            },
        }
        if webinar:
            settings.update(
                panelists_video=True,
                practice_session=False,
                hd_video=False,
                hd_video_for_attendees=False,
                send_1080p_video_to_attendees=False,
                on_demand=False,
                post_webinar_survey=False,
                survey_url="",
                registrants_restrict_number=0,
                add_watermark=False,
                add_audio_watermark=False,
                email_language="en-US",
                enable_session_branding=False,
                panelist_authentication=False,
                panelists_invitation_email_notification=True,
                attendees_and_panelists_reminder_email_notification={"enable": True, "type": 1},
                follow_up_attendees_email_notification={"enable": False, "type": 0},
                follow_up_absentees_email_notification={"enable": False, "type": 0},
            )
            settings["question_and_answer"].update(allow_auto_reply=False, answer_questions="all", auto_reply_text="")
        else:
            settings.update(
                participant_video=True,
                cn_meeting=False,
                in_meeting=False,
                join_before_host=False,
                jbh_time=0,
                mute_upon_entry=True,
                watermark=False,
                use_pmi=False,
                waiting_room=False,
                waiting_room_options={"mode": "follow_setting", "who_goes_to_waiting_room": "everyone"},
                alternative_hosts_email_notification=True,
                alternative_host_manage_meeting_summary=False,
                alternative_host_manage_cloud_recording=False,
                approved_or_denied_countries_or_regions={
                    "enable": False, "method": "approve", "approved_list": ["US"], "denied_list": ["CA"]
                },
                auto_add_recording_to_video_management={
                    "enable": False, "channels": [{"channel_id": "channel-recordings", "name": "Recordings"}]
                },
                auto_start_meeting_summary=False,
                auto_start_ai_companion_questions=False,
                who_will_receive_summary=1,
                who_can_ask_questions=1,
                summary_template_id="",
                breakout_room={"enable": False, "rooms": [{"name": "Room 1", "participants": ["guest@example.com"]}]},
                calendar_type=1,
                continuous_meeting_chat={
                    "enable": False, "auto_add_invited_external_users": False, "auto_add_meeting_participants": False,
                    "channel_id": "",
                },
                custom_keys=[{"key": "cost_center", "value": "CC-100"}],
                device_testing=False,
                disable_participant_video=False,
                email_notification=True,
                encryption_type="enhanced_encryption",
                focus_mode=False,
                host_save_video_order=False,
                internal_meeting=False,
                meeting_invitees=[{"email": "invitee@example.com", "internal_user": False}],
                participant_focused_meeting=False,
                private_meeting=False,
                push_change_to_calendar=False,
                resources=[{"resource_type": "whiteboard", "resource_id": "whiteboard-1", "permission_level": "editor"}],
            )
            settings["question_and_answer"]["question_visibility"] = "answered"
        return settings

    def schedule_detail(
        self, user: User, kind: str, entity_id: int, uuid: str, recurring: bool, approval_type: int, topic: str
    ) -> dict[str, Any]:
        """The /meetings/{id} or /webinars/{id} detail object."""
        start = self.midnight + dt.timedelta(days=self.rng.randint(1, 30), hours=self.rng.randint(8, 18))
        meeting_type = (8 if recurring else 2) if kind == "meeting" else (9 if recurring else 5)
        base_url = f"https://example.zoom.us/{'j' if kind == 'meeting' else 'w'}/{entity_id}"
        secret = "password" if kind == "meeting" else "passcode"
        detail: dict[str, Any] = {
            "uuid": uuid,
            "id": entity_id,
            "host_id": user.id,
            "host_email": user.record["email"],
            "topic": topic,
            "type": meeting_type,
            "start_time": fmt_ts(start),
            "duration": 60,
            "timezone": user.record["timezone"],
            "agenda": f"Agenda of {topic.lower()}",
            "created_at": fmt_ts(self.midnight - dt.timedelta(days=self.rng.randint(160, 300))),
            "start_url": f"{base_url}?zak=fake-start-token",
            "join_url": base_url,
            "password": f"{self.rng.randint(100000, 999999)}",
            # Zoom names these "...passcode" on webinars and "...password" on meetings.
            f"h323_{secret}": f"{self.rng.randint(100000, 999999)}",
            f"encrypted_{secret}": base64.urlsafe_b64encode(self.rng.randbytes(24)).decode(),
            "settings": self.settings(approval_type, webinar=kind == "webinar"),
            "tracking_fields": [{"field": "Project", "value": "Fake"}],
            "creation_source": "web_portal",
        }
        # Zoom's meeting and webinar objects differ beyond the passcode names (see Zoom's types).
        if kind == "meeting":
            detail.update(
                status="waiting",
                pmi=str(user.record["pmi"]),
                assistant_id="",
                pre_schedule=False,
                chat_join_url=f"https://example.zoom.us/launch/chat?meeting={entity_id}",
                pstn_password=detail["password"],
                dynamic_host_key=f"{entity_id % 1_000_000:06d}",
            )
            detail["tracking_fields"][0]["visible"] = True
            detail["settings"]["authentication_exception"] = [
                {"name": "Guest speaker", "email": "speaker@example.com", "join_url": f"{base_url}?tk=exception"}
            ]
        else:
            detail.update(
                is_simulive=False,
                record_file_id="",
                transition_to_live=False,
                simulive_delay_start={"enable": False, "time": 0, "timeunit": "second"},
            )
        if recurring:
            detail["recurrence"] = {
                "type": 2,
                "repeat_interval": 1,
                "weekly_days": str(start.isoweekday() % 7 + 1),
                "monthly_day": 1,
                "monthly_week": 1,
                "monthly_week_day": 1,
                "end_times": 10,
                "end_date_time": fmt_ts(start + dt.timedelta(weeks=9)),
            }
            detail["occurrences"] = [
                {
                    "occurrence_id": str(int((start + dt.timedelta(weeks=week)).timestamp() * 1000)),
                    "start_time": fmt_ts(start + dt.timedelta(weeks=week)),
                    "duration": 60,
                    "status": "available",
                }
                for week in range(3)
            ]
        return detail

    @staticmethod
    def short_form(detail: dict[str, Any]) -> dict[str, Any]:
        """The list item of /users/{id}/meetings and /users/{id}/webinars."""
        keys = ("uuid", "id", "host_id", "topic", "type", "start_time", "duration", "timezone", "agenda",
                "created_at", "join_url")
        item = {key: detail[key] for key in keys}
        # A meeting's list item has its pmi; a webinar's says whether it is simulive.
        for key in ("pmi", "is_simulive"):
            if key in detail:
                item[key] = detail[key]
        return item

    def past_starts(self, count: int, held_today: Optional[int], held_at: Optional[dt.datetime] = None) -> list[dt.datetime]:
        """Start times of `count` past instances, newest first, all within RECENT_PAST_DAYS."""
        if held_today is not None and held_at is not None:
            return [held_at.replace(microsecond=0) + dt.timedelta(minutes=held_today)]
        if held_today is not None:
            return [self.midnight + dt.timedelta(minutes=5 + (30 * held_today) % (23 * 60))]
        if count <= 0:
            return []
        hour = self.rng.randint(7, 18)
        if count == 1:
            return [self.midnight - dt.timedelta(days=self.rng.randint(1, RECENT_PAST_DAYS), hours=-hour)]
        # weekly, never older than RECENT_PAST_DAYS
        step = min(7, max(1, (RECENT_PAST_DAYS - 1) // count))
        newest = self.rng.randint(1, RECENT_PAST_DAYS - step * (count - 1))
        return [self.midnight - dt.timedelta(days=newest + step * n, hours=-hour) for n in range(count)]

    def meeting(self, user: User, index: int, recurring: bool, held_today: Optional[int] = None,
                held_at: Optional[dt.datetime] = None) -> Meeting:
        meeting_id = self.ids.meeting_id()
        topic = f"{self.rng.choice(TOPICS)} #{index + 1}"
        approval_type = (0, 1, 2)[index % 3]
        detail = self.schedule_detail(user, "meeting", meeting_id, self.ids.uuid(), recurring, approval_type, topic)
        has_registration = approval_type in (0, 1)
        polls = self.polls(self.config.polls)
        instance_count = self.config.past_instances if recurring else 1
        instances = [
            self.past_instance("meeting", user, detail, start, polls)
            for start in self.past_starts(instance_count, held_today, held_at)
        ]
        registrants = self.registrants(self.config.registrants, start_of(detail), approval_type) \
            if has_registration else []
        for number, registrant in enumerate(registrants):
            registrant["participant_pin_code"] = 100_000 + number  # meeting registrants only, in Zoom's types
        meeting = Meeting(
            id=meeting_id,
            host_id=user.id,
            list_item=self.short_form(detail),
            detail=detail,
            registrants=registrants,
            questions=self.registration_questions() if has_registration else {},
            polls=polls,
            instances=instances,
        )
        attach_registrants(meeting)
        return meeting

    def webinar(self, user: User, index: int) -> Webinar:
        webinar_id = self.ids.meeting_id()
        topic = f"Webinar: {self.rng.choice(TOPICS)} #{index + 1}"
        recurring = index == 0 and self.config.past_instances > 1
        approval_type = (0, 1, 2)[self.webinar_counter % 3]
        self.webinar_counter += 1
        detail = self.schedule_detail(user, "webinar", webinar_id, self.ids.uuid(), recurring, approval_type, topic)
        has_registration = approval_type in (0, 1)
        polls = self.polls(self.config.polls)
        registrants = self.registrants(self.config.registrants, start_of(detail), approval_type) \
            if has_registration else []
        instance_count = self.config.past_instances if recurring else 1
        instances = [
            self.past_instance("webinar", user, detail, start, polls, has_registration)
            for start in self.past_starts(instance_count, None)
        ]
        webinar = Webinar(
            id=webinar_id,
            host_id=user.id,
            list_item=self.short_form(detail),
            detail=detail,
            panelists=self.panelists(webinar_id),
            registrants=registrants,
            questions=self.registration_questions() if has_registration else {},
            tracking_sources=self.tracking_sources(webinar_id) if has_registration else [],
            polls=polls,
            instances=instances,
        )
        attach_registrants(webinar)
        return webinar

    def hosted_content(self, user: User) -> None:
        """A host's scheduled meetings (the first ones recurring) and webinars."""
        for index in range(self.config.meetings_per_user):
            user.meetings.append(self.meeting(user, index, recurring=index < self.config.recurring_per_user))
        for index in range(self.config.webinars_per_user):
            user.webinars.append(self.webinar(user, index))

    def days_ago(self, days: int) -> dt.datetime:
        return self.midnight - dt.timedelta(days=days, hours=-self.rng.randint(7, 18))

    def at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour)

    def dropped_meeting(self, user: User, meeting_type: int, starts: list[dt.datetime],
                        minutes: Optional[int] = None, topic: Optional[str] = None) -> Meeting:
        """A meeting `type=scheduled` no longer lists (instant 1, PMI 4, or one-time 2 past its
        30 days), held at `starts`; its past instances are still served. Appended to the user."""
        meeting = self.meeting(user, index=len(user.meetings), recurring=False)
        detail = meeting.detail
        if meeting_type == 4:  # the personal meeting room's id is the user's PMI
            self.ids.used.add(user.record["pmi"])
            meeting.id = detail["id"] = user.record["pmi"]
            detail["join_url"] = f"https://example.zoom.us/j/{meeting.id}"
        detail.update(type=meeting_type, start_time=fmt_ts(starts[0]))
        if topic:
            detail["topic"] = topic
        if meeting_type in UNLISTED_MEETING_TYPES:  # instant meetings and the PMI take no registration
            detail["settings"]["approval_type"] = 2
            meeting.registrants, meeting.questions = [], {}
        meeting.list_item = self.short_form(detail)
        meeting.expired = meeting_type == 2
        meeting.instances = [self.past_instance("meeting", user, detail, start, meeting.polls, minutes=minutes)
                             for start in starts]
        if any(m.polls_disabled for m in user.meetings):  # polls are a per-user setting
            meeting.polls_disabled = True
            for instance in meeting.instances:
                instance.poll_results = []
        attach_registrants(meeting)
        user.meetings.append(meeting)
        return meeting

    def deleted_webinar(self, user: User, start: dt.datetime) -> Webinar:
        """A one-time webinar that ended more than 90 days ago: Zoom deleted it, but still serves
        its instance's reports, polls, Q&A and absentees. Appended to the user."""
        webinar = self.webinar(user, index=max(1, len(user.webinars)))
        webinar.detail.update(type=5, start_time=fmt_ts(start), topic=f"Webinar: archived #{len(user.webinars) + 1}")
        webinar.detail.pop("recurrence", None)
        webinar.detail.pop("occurrences", None)
        webinar.list_item = self.short_form(webinar.detail)
        webinar.expired = True
        webinar.instances = [self.past_instance("webinar", user, webinar.detail, start, webinar.polls,
                                                webinar.has_registration)]
        attach_registrants(webinar)
        user.webinars.append(webinar)
        return webinar

    def panelists(self, webinar_id: int) -> list[dict[str, Any]]:
        panelists = []
        for _ in range(self.config.panelists):
            first, last, email = self.person()
            panelists.append({
                "id": self.ids.zoom_id(),
                "name": f"{first} {last}",
                "email": email,
                "join_url": f"https://example.zoom.us/w/{webinar_id}?tk=panelist-{self.rng.randint(1, 10**6)}",
                "virtual_background_id": "",
                "name_tag_id": "",
                "name_tag_name": f"{first} {last}",
                "name_tag_pronouns": "",
                "name_tag_description": "",
            })
        return panelists

    def tracking_sources(self, webinar_id: int) -> list[dict[str, Any]]:
        return [
            {
                "id": self.ids.zoom_id(),
                "source_name": f"Source {number + 1}",
                "tracking_url": f"https://example.zoom.us/webinar/register/{webinar_id}?source={number + 1}",
                "visitor_count": self.rng.randint(0, 500),
                "registration_count": self.rng.randint(0, 50),
            }
            for number in range(self.config.tracking_sources)
        ]

    # --- past instances ---

    def past_instance(
        self,
        kind: str,
        user: User,
        detail: dict[str, Any],
        start: dt.datetime,
        polls: list[dict[str, Any]],
        has_registration: bool = False,
        minutes: Optional[int] = None,
    ) -> PastInstance:
        end = start + dt.timedelta(minutes=minutes or self.rng.randint(20, 90))
        instance = PastInstance(uuid=self.ids.uuid(), parent_id=detail["id"], kind=kind, start=start, end=end)
        instance.participants = [self.participant(instance) for _ in range(self.config.participants)]
        instance.poll_results = self.poll_results(instance, polls, self.config.poll_respondents)
        instance.files = [self.in_meeting_file(instance)]
        if kind == "webinar":
            instance.qa = self.qa(instance)
            if has_registration:
                instance.absentees = self.registrants(self.config.absentees, start)
        elif self.rng.random() < self.config.recordings:
            instance.recording = self.recording(user, detail, instance)
        return instance

    def participant(self, instance: PastInstance, guest: bool = False) -> dict[str, Any]:
        first, last, email = self.person()
        span = max(1, int((instance.end - instance.start).total_seconds() // 60))
        join = instance.start + dt.timedelta(minutes=self.rng.randint(0, span // 2))
        leave = join + dt.timedelta(minutes=self.rng.randint(1, max(1, span // 2)))
        # A signed-in participant's account user id; guests have none.
        account_user_id = "" if guest else self.ids.zoom_id()
        return {
            "id": account_user_id,
            "user_id": self.ids.participant_id(),
            "name": f"{first} {last}",
            "user_email": "" if guest else email,
            "join_time": fmt_ts(join),
            "leave_time": fmt_ts(leave),
            "duration": int((leave - join).total_seconds()),
            "participant_user_id": account_user_id,
            "bo_mtg_id": "",
            "registrant_id": "",
            "status": "in_meeting",
            "failover": False,
            "customer_key": "",
        }

    def poll_results(
        self, instance: PastInstance, polls: list[dict[str, Any]], respondents: int
    ) -> list[dict[str, Any]]:
        if not polls:
            return []
        results = []
        for participant in instance.participants[:respondents]:
            answered = instance.start + dt.timedelta(minutes=self.rng.randint(1, 15))
            results.append({
                "name": participant["name"],
                "email": participant["user_email"],
                "question_details": [
                    {
                        "question": poll["questions"][0]["name"],
                        "answer": self.rng.choice(poll["questions"][0]["answers"]),
                        "polling_id": poll["id"],
                        "date_time": fmt_ts(answered),
                    }
                    for poll in polls
                ],
            })
        return results

    def qa(self, instance: PastInstance) -> list[dict[str, Any]]:
        return [
            {
                "name": participant["name"],
                "email": participant["user_email"],
                "question_details": [{"question": "Will the slides be shared?", "answer": "Yes, by email."}],
            }
            for participant in instance.participants[: self.config.qa_askers]
        ]

    def in_meeting_file(self, instance: PastInstance) -> dict[str, Any]:
        return {
            "file_name": f"notes-{instance.start.strftime('%Y%m%d')}-{self.rng.randint(100, 999)}.txt",
            "download_url": f"https://example.zoom.us/rec/download/{self.ids.zoom_id()}",
            "file_size": self.rng.randint(1_000, 2_000_000),
        }

    def recording(self, user: User, detail: dict[str, Any], instance: PastInstance) -> dict[str, Any]:
        files = []
        for file_type, extension, recording_type in (("MP4", "MP4", "shared_screen_with_speaker_view"),
                                                     ("M4A", "M4A", "audio_only")):
            file_id = self.ids.zoom_id()
            files.append({
                "id": file_id,
                "meeting_id": instance.uuid,
                "recording_start": fmt_ts(instance.start),
                "recording_end": fmt_ts(instance.end),
                "file_type": file_type,
                "file_extension": extension,
                "file_size": self.rng.randint(100_000, 500_000_000),
                "play_url": f"https://example.zoom.us/rec/play/{file_id}",
                "download_url": f"https://example.zoom.us/rec/download/{file_id}",
                "status": "completed",
                "recording_type": recording_type,
            })
        return {
            "uuid": instance.uuid,
            "id": detail["id"],
            "account_id": self.config.account_id,
            "host_id": user.id,
            "topic": detail["topic"],
            "type": str(detail["type"]),
            "start_time": fmt_ts(instance.start),
            "duration": int((instance.end - instance.start).total_seconds() // 60),
            "total_size": sum(f["file_size"] for f in files),
            "recording_count": len(files),
            "recording_play_passcode": self.ids.zoom_id(),
            "auto_delete": False,
            "auto_delete_date": "",
            "recording_files": files,
        }


def start_of(detail: dict[str, Any]) -> dt.datetime:
    return parse_ts(detail["start_time"])


def registrant_status(index: int, approval_type: int) -> str:
    """Manual approval (1) leaves registrants approved, pending or denied; automatic approval (0)
    approves everyone, but the host can still deny (cancel) one, so it has no pending ones."""
    if approval_type == 1:
        return ("approved", "pending", "denied", "approved", "approved")[index % 5]
    return "denied" if index % 5 == 2 else "approved"


def attach_registrants(parent: "Meeting | Webinar") -> None:
    """Participants of a meeting/webinar with registration joined as one of its approved
    registrants: the report's `registrant_id` (served only with include_fields=registrant_id)."""
    approved = [r["id"] for r in parent.registrants if r["status"] == "approved"]
    for instance in parent.instances:
        for position, participant in enumerate(instance.participants):
            participant["registrant_id"] = approved[position % len(approved)] if approved else ""


# ----------------------------------------------------------------------------- served records


def _minutes(instance: PastInstance) -> int:
    return int((instance.end - instance.start).total_seconds() // 60)


def _participant_minutes(instance: PastInstance) -> int:
    return sum(p["duration"] for p in instance.participants) // 60


def _report_tracking_fields(parent: "Meeting | Webinar") -> list[dict[str, Any]]:
    """The parent's tracking fields as the reports carry them: `field` and `value` only (a
    meeting's own tracking fields also have `visible`, which no report type has)."""
    return [{"field": f["field"], "value": f["value"]} for f in parent.detail.get("tracking_fields", [])]


def _custom_keys(parent: "Meeting | Webinar") -> list[dict[str, Any]]:
    """The custom key/value pairs the reports carry: the fake's registration meetings and webinars
    carry a booking reference, the others none."""
    return [{"key": "booking_ref", "value": f"BK-{parent.id}"}] if parent.has_registration else []


def report_listing_row(dataset: Dataset, instance: PastInstance) -> dict[str, Any]:
    """One row of GET /report/users/{id}/meetings (rivet's ReportsGetMeetingReportsResponse.meetings):
    no dept, host_id or tracking_fields; those are only in the instance's detail report."""
    host, parent = dataset.host_of(instance), dataset.parent_of(instance)
    name = f"{host.record['first_name']} {host.record['last_name']}"
    return {
        "uuid": instance.uuid,
        "id": parent.id,
        "type": parent.detail["type"],
        "topic": parent.detail["topic"],
        "user_name": name,
        "user_email": host.record["email"],
        "start_time": instance.start_time,
        "end_time": instance.end_time,
        "duration": _minutes(instance),
        "total_minutes": _participant_minutes(instance),
        "participants_count": len(instance.participants),
        "source": "Zoom",
        "session_key": "",
        "custom_keys": _custom_keys(parent),
        "has_recording": instance.recording is not None,
        "has_screen_share": len(instance.participants) >= 3,
        "has_chat": bool(instance.poll_results),
        "schedule_time": parent.detail["start_time"],
        "host_name": name,
        "host_organization": "Example Corp",
        "meeting_encryption_status": 1,
        # The listed user's own attendance: the host opens the instance and closes it. A host is
        # never held in a waiting room, so the row has no join_waiting_room_time.
        "join_time": instance.start_time,
        "leave_time": instance.end_time,
        # Rows of signed-in users of this account (guests have no account user id).
        "participants_count_my_account": sum(1 for p in instance.participants if p["id"]),
    }


def report_detail(dataset: Dataset, instance: PastInstance) -> dict[str, Any]:
    """GET /report/meetings/{uuid} and /report/webinars/{uuid} (rivet's
    ReportsGetMeetingDetailReportsResponse / ReportsGetWebinarDetailReportsResponse)."""
    host, parent = dataset.host_of(instance), dataset.parent_of(instance)
    return {
        "uuid": instance.uuid,
        "id": parent.id,
        "type": parent.detail["type"],
        "topic": parent.detail["topic"],
        "user_name": f"{host.record['first_name']} {host.record['last_name']}",
        "user_email": host.record["email"],
        "start_time": instance.start_time,
        "end_time": instance.end_time,
        "duration": _minutes(instance),
        "total_minutes": _participant_minutes(instance),
        "participants_count": len(instance.participants),
        "dept": host.record["dept"],
        "custom_keys": _custom_keys(parent),
        "tracking_fields": _report_tracking_fields(parent),
    }


# The flags of the history row's `feature_used` (Zoom's type) that no meeting of the fake uses.
FEATURES_NEVER_USED = (
    "annotation", "avatar", "breakout_room", "closed_caption", "color_themes", "document_collaboration",
    "file_sharing", "gen_ai_virtual_background", "immersive_scene", "join_by_room", "language_interpretation",
    "live_transcription", "live_translation", "meeting_questions", "meeting_summary", "meeting_wallpaper",
    "multi_share", "multi_speaker", "personalized_audio_isolation", "portrait_lighting", "raise_hand", "reaction",
    "record_to_computer", "remote_control", "smart_recording", "switch_to_mobile", "telephone_usage",
    "virtual_background", "whiteboard", "zoom_apps",
)


def history_row(dataset: Dataset, instance: PastInstance) -> dict[str, Any]:
    """One row of GET /report/history_meetings (rivet's ReportsGetHistoryMeetingAndWebinarListResponse)."""
    host, parent = dataset.host_of(instance), dataset.parent_of(instance)
    settings = parent.detail["settings"]
    return {
        "meeting_uuid": instance.uuid,
        "meeting_id": parent.id,
        "type": "Meeting" if instance.kind == "meeting" else "Webinar",
        "host_display_name": host.record["display_name"],
        "host_email": host.record["email"],
        "start_time": instance.start_time,
        "end_time": instance.end_time,
        "topic": parent.detail["topic"],
        "participants": len(instance.participants),
        "duration": _minutes(instance),
        "total_participant_minutes": _participant_minutes(instance),
        "department": host.record["dept"],
        "group": [],
        "source": "Zoom",
        "create_time": parent.detail["created_at"],
        "custom_fields": _custom_keys(parent),
        "tracking_fields": _report_tracking_fields(parent),
        "feature_used": {
            **{feature: False for feature in FEATURES_NEVER_USED},
            "screen_sharing": len(instance.participants) >= 3,
            "video_on": bool(settings.get("host_video")),
            "in_meeting_chat": bool(instance.poll_results),
            "poll": bool(parent.polls),
            "waiting_room": bool(settings.get("waiting_room")),
            "record_to_cloud": instance.recording is not None,
            "registration": parent.has_registration,
        },
    }


# ----------------------------------------------------------------------------- quirks


def _apply_quirks(dataset_users: list[User], generator: _Generator) -> None:
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


def _add_rejoin_and_guests(instance: PastInstance, generator: _Generator) -> None:
    if instance.participants:
        rejoin = dict(instance.participants[0])
        join = parse_ts(rejoin["leave_time"]) + dt.timedelta(minutes=2)
        leave = min(join + dt.timedelta(minutes=5), instance.end + dt.timedelta(minutes=5))
        rejoin.update(join_time=fmt_ts(join), leave_time=fmt_ts(leave), duration=int((leave - join).total_seconds()))
        instance.participants.append(rejoin)
    instance.participants.extend(generator.participant(instance, guest=True) for _ in range(2))


def _add_anonymous_respondents(instance: PastInstance, meetings: list[Meeting], generator: _Generator) -> None:
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


def _add_people_of_every_status(users: list[User], generator: _Generator) -> list[User]:
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


def _add_history_beyond_listings(hosts: list[User], generator: _Generator) -> None:
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


def _add_boundary_instances(host: User, generator: _Generator) -> None:
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
    generator = _Generator(config, today, rng_seed=config.seed)
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
