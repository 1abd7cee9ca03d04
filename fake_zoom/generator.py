"""How each record of the fake account is drawn: people, meetings, webinars, registrants, polls,
past instances, participants, recordings; every id unique, everything from one random.Random.

generate.py composes these draws into an account (with its quirks and a real account's cases);
account.py draws new meetings with them between syncs.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from typing import Any, Optional

from .config import FakeZoomConfig
from .model import UNLISTED_MEETING_TYPES, Dataset, Meeting, PastInstance, User, Webinar, fmt_ts, needs_double_encoding, parse_ts

FIRST_NAMES = ["Ada", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lea"]
LAST_NAMES = ["Ito", "Meyer", "Okafor", "Novak", "Silva", "Larsen", "Haddad", "Kim", "Rossi", "Dubois"]
TOPICS = ["Weekly sync", "Design review", "Customer call", "Planning", "Retro", "All hands", "Demo day"]
TIMEZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo"]
DEPARTMENTS = ["Sales", "Engineering", "Support", "Marketing"]

RECENT_PAST_DAYS = 150  # the generated (non-boundary) past instances lie within this many days


class Ids:
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


class Generator:
    def __init__(self, config: FakeZoomConfig, today: dt.date, rng_seed: Any) -> None:
        self.config = config
        self.today = today
        self.midnight = dt.datetime(today.year, today.month, today.day)
        self.rng = random.Random(rng_seed)
        self.ids = Ids(self.rng)
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

