"""Users are made at a moment, and nothing of theirs is dated before it (Zoom's rule, not the connector's).

Zoom's reference for GET /users: `user_created_at` is "the date and time when this user was
created", `created_at` "when this user's latest login type was created" (later, when the login
type changed)."""

import datetime as dt

import pytest
from conftest import make_config

from fake_zoom.account import add_user
from fake_zoom.generate import generate
from fake_zoom.model import parse_ts


def dated_things(user):
    """Every date of a user's own: meetings and webinars made, past instances, recordings."""
    for parent in [*user.meetings, *user.webinars]:
        yield parse_ts(parent.detail["created_at"])
        for instance in parent.instances:
            yield instance.start
            if instance.recording is not None:
                yield parse_ts(instance.recording["start_time"])


@pytest.mark.parametrize("config", [make_config(), make_config(users=40, seed=7), make_config(quirks=False, real_account=False)])
def test_given_a_generated_account_then_every_user_says_when_it_was_made_and_has_nothing_dated_before(config):
    dataset = generate(config)

    for user in dataset.users:
        made = parse_ts(user.record["user_created_at"])
        assert parse_ts(user.record["created_at"]) >= made
        assert all(moment >= made for moment in dated_things(user)), user.record["email"]


def test_given_the_default_account_then_one_user_changed_login_type_after_recording(server):
    users = [u for u in server.fake.dataset.users if u.record["created_at"] != u.record["user_created_at"]]

    assert len(users) == 1
    (user,) = users
    assert min(dated_things(user)) < parse_ts(user.record["created_at"])


def test_given_a_new_user_when_it_records_the_day_it_was_made_then_the_recording_is_listed(server, api):
    made = dt.datetime(2025, 6, 1, 23, 10)
    record = server.add_user(made, made + dt.timedelta(minutes=30))

    listed = {u["id"]: u for u in api.pages("/users", "users", status="active")}
    recordings = api.pages(f"/users/{record['id']}/recordings", "meetings", **{"from": "2025-06-01", "to": "2025-06-01"})

    assert listed[record["id"]]["user_created_at"] == listed[record["id"]]["created_at"] == "2025-06-01T23:10:00Z"
    assert [r["start_time"] for r in recordings] == ["2025-06-01T23:40:00Z"]


def test_given_a_recording_before_its_user_was_made_then_the_fake_refuses_it():
    dataset = generate(make_config(users=1, quirks=False, real_account=False))
    made = dt.datetime(2025, 6, 1, 12, 0)

    with pytest.raises(ValueError, match="made at 2025-06-01T12:00:00Z"):
        add_user(dataset, made, made - dt.timedelta(minutes=1))
    assert len(dataset.users) == len(generate(make_config(users=1, quirks=False, real_account=False)).users)
