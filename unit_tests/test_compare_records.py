"""compare_records: the whole-record check the integration tests rest on, on hand-written inputs."""

from __future__ import annotations

import copy

from integration_tests.sync_support import MISSING, Difference, compare_records, format_differences

KEYS = {
    "report_meeting_participants": [["id"], ["meeting_id"], ["meeting_uuid"], ["user_id"], ["join_time"]],
    "meeting_polls": [["id"], ["meeting_id"]],
    "users": [["id"]],
}

PARTICIPANT = {
    "id": "p1",
    "meeting_id": 81234567890,
    "meeting_uuid": "abc==",
    "user_id": "u1",
    "join_time": "2026-11-02T09:00:00Z",
    "meeting_start_time": "2026-11-02T08:58:00Z",
    "name": "Ann",
    "duration": 3600,
}
POLL = {
    "id": "poll1",
    "meeting_id": 81234567890,
    "title": "Lunch",
    "questions": [
        {"name": "Which?", "answers": ["soup", "salad", "pasta"]},
        {"name": "When?", "answers": ["12:00", "13:00"]},
    ],
}
USER = {"id": "u1", "first_name": "Ann", "group_ids": ["g1", "g2", "g3"], "settings": {"pmi": 123, "tz": "UTC"}}


def truth_of(**tables):
    return {"tables": {name: {"count": len(records), "primary_keys": [], "records": records} for name, records in tables.items()}}


def emitted_of(**tables):
    return {name: copy.deepcopy(records) for name, records in tables.items()}


def test_given_identical_records_in_another_order_when_comparing_then_there_is_no_difference():
    other = dict(PARTICIPANT, id="p2")
    truth = truth_of(report_meeting_participants=[PARTICIPANT, other], meeting_polls=[POLL], users=[USER])

    problems = compare_records(emitted_of(report_meeting_participants=[other, PARTICIPANT], meeting_polls=[POLL], users=[USER]), truth, KEYS)

    assert problems == {}


def test_given_a_wrong_stamped_value_when_comparing_then_the_key_field_and_both_values_are_reported():
    wrong = dict(PARTICIPANT, meeting_start_time="2026-11-02T09:00:00Z")  # e.g. taken from the join time

    problems = compare_records(emitted_of(report_meeting_participants=[wrong]), truth_of(report_meeting_participants=[PARTICIPANT]), KEYS)

    key = ("p1", 81234567890, "abc==", "u1", "2026-11-02T09:00:00Z")
    assert problems == {"report_meeting_participants": [Difference(key, "meeting_start_time", "2026-11-02T08:58:00Z", "2026-11-02T09:00:00Z")]}
    assert "meeting_start_time: expected '2026-11-02T08:58:00Z', got '2026-11-02T09:00:00Z'" in format_differences(problems)


def test_given_a_missing_field_when_comparing_then_it_is_reported_as_missing():
    incomplete = {k: v for k, v in PARTICIPANT.items() if k != "duration"}

    problems = compare_records(emitted_of(report_meeting_participants=[incomplete]), truth_of(report_meeting_participants=[PARTICIPANT]), KEYS)

    [difference] = problems["report_meeting_participants"]
    assert (difference.field, difference.expected, difference.got) == ("duration", 3600, MISSING)


def test_given_an_extra_field_when_comparing_then_it_is_reported_as_unexpected():
    padded = dict(PARTICIPANT, status="in_meeting")

    problems = compare_records(emitted_of(report_meeting_participants=[padded]), truth_of(report_meeting_participants=[PARTICIPANT]), KEYS)

    [difference] = problems["report_meeting_participants"]
    assert (difference.field, difference.expected, difference.got) == ("status", MISSING, "in_meeting")


def test_given_a_null_where_a_field_is_expected_when_comparing_then_null_is_not_taken_for_absent():
    nulled = dict(PARTICIPANT, name=None)

    problems = compare_records(emitted_of(report_meeting_participants=[nulled]), truth_of(report_meeting_participants=[PARTICIPANT]), KEYS)

    [difference] = problems["report_meeting_participants"]
    assert (difference.field, difference.expected, difference.got) == ("name", "Ann", None)


def test_given_reordered_answer_choices_of_a_poll_when_comparing_then_the_nested_path_is_reported():
    reordered = copy.deepcopy(POLL)
    reordered["questions"][0]["answers"] = ["salad", "soup", "pasta"]

    problems = compare_records(emitted_of(meeting_polls=[reordered]), truth_of(meeting_polls=[POLL]), KEYS)

    fields = [d.field for d in problems["meeting_polls"]]
    assert fields == ["questions[0].answers[0]", "questions[0].answers[1]"]


def test_given_reordered_poll_questions_when_comparing_then_the_difference_is_reported():
    reordered = dict(POLL, questions=list(reversed(POLL["questions"])))

    problems = compare_records(emitted_of(meeting_polls=[reordered]), truth_of(meeting_polls=[POLL]), KEYS)

    assert problems["meeting_polls"][0].field.startswith("questions[0]")


def test_given_an_order_free_array_in_another_order_when_comparing_then_it_is_equal_but_a_changed_member_is_not():
    reordered = dict(USER, group_ids=["g3", "g1", "g2"])
    changed = dict(USER, group_ids=["g3", "g1", "g1"])

    assert compare_records(emitted_of(users=[reordered]), truth_of(users=[USER]), KEYS) == {}
    [difference] = compare_records(emitted_of(users=[changed]), truth_of(users=[USER]), KEYS)["users"]
    assert difference.field == "group_ids"


def test_given_a_float_where_an_int_is_expected_when_comparing_then_they_differ():
    as_float = dict(PARTICIPANT, duration=3600.0)
    nested_bool = dict(USER, settings={"pmi": True, "tz": "UTC"})
    expected_with_one = dict(USER, settings={"pmi": 1, "tz": "UTC"})

    problems = compare_records(emitted_of(report_meeting_participants=[as_float], users=[nested_bool]), truth_of(report_meeting_participants=[PARTICIPANT], users=[expected_with_one]), KEYS)

    assert [d.field for d in problems["report_meeting_participants"]] == ["duration"]
    assert [d.field for d in problems["users"]] == ["settings.pmi"]


def test_given_a_record_missing_one_extra_and_one_twice_when_comparing_then_each_is_reported():
    other = dict(PARTICIPANT, id="p2")
    stranger = dict(PARTICIPANT, id="p9")

    problems = compare_records(
        emitted_of(report_meeting_participants=[PARTICIPANT, PARTICIPANT, stranger]),
        truth_of(report_meeting_participants=[PARTICIPANT, other]),
        KEYS,
    )

    [duplicate, extra, missing] = problems["report_meeting_participants"]
    assert (duplicate.key[0], duplicate.got) == ("p1", "emitted again")
    assert (extra.key[0], extra.expected, extra.got) == ("p9", MISSING, stranger)
    assert (missing.key[0], missing.expected, missing.got) == ("p2", other, MISSING)


def test_given_a_table_the_connector_did_not_emit_when_comparing_then_every_expected_record_is_missing():
    problems = compare_records({}, truth_of(users=[USER]), KEYS)

    assert problems == {"users": [Difference(("u1",), "(record)", USER, MISSING)]}


def test_given_a_truth_with_primary_keys_only_when_comparing_then_it_fails_loudly_instead_of_passing():
    truth = {"tables": {"users": {"count": 1, "primary_keys": [["u1"]]}}}

    problems = compare_records(emitted_of(users=[USER]), truth, KEYS)

    [difference] = problems["users"]
    assert difference.field == "(table)"
    assert "no `records`" in difference.got
