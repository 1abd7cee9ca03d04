"""Full syncs of every table against a fake Zoom API that misbehaves on a seeded schedule.

A bad day at Zoom: 10% 5xx, 10% 429 (half without Retry-After), 2% dropped connections, 1%
truncated or non-JSON bodies, access tokens expiring every 40 requests, and (for the user OAuth
login) a refresh token the server rotates on every use. Every record must still arrive exactly
once. A fault that outlasts the retry budget must end the sync with an error naming the endpoint
and the fault, after a bounded number of attempts, while the other tables still arrive.

The connector runs in-process (the CDK's entrypoint_wrapper) so that the waits between retries can
be shortened; the retries themselves, their order and their count are the connector's own.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Dict, List, Mapping

import pytest

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams.http import rate_limiting
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, discover, read

from fake_zoom.config import FakeZoomConfig
from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records, control_messages
from source_zoom import SourceZoom, auth, errors, rate_limits
from source_zoom.config import DEFAULT_NUM_WORKERS
from source_zoom.fanout import FAILED_SLICES_BEFORE_GIVING_UP

# Paced (not `unpaced_in_process`): unpaced, the fake's tokens that expire every 40 requests churn
# so fast under the connector's threads that one request in a run once failed all its attempts.
pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Twelve users make about 950 requests per sync, so every fault kind fires several times.
DATASET: Mapping[str, Any] = {"users": 12}
FAULT_MIX: Mapping[str, Any] = {
    "rate_5xx": 0.10,
    "rate_429": 0.10,
    "rate_429_no_retry_after_share": 0.5,
    "rate_drop": 0.02,
    "rate_bad_json": 0.01,
    "token_expire_every_n_requests": 40,
}


def seeds_to_run() -> tuple:
    """Seeds 1 to 3, or the range SOURCE_ZOOM_FAULT_SEEDS names ("1-20": more seeds, e.g. with a
    CPU hog taking both cores, where a per-second 429 must still never end a table)."""
    first, _, last = os.environ.get("SOURCE_ZOOM_FAULT_SEEDS", "1-3").partition("-")
    return tuple(range(int(first), int(last or first) + 1))


SEEDS = seeds_to_run()
REQUEST_FAULTS = ("5xx", "429", "drop", "bad_json")
ALWAYS_FAILING_ROUTE = "/v2/meetings/{meetingId}/polls"  # meeting_polls: a leaf table, nothing reads through it


@dataclass(frozen=True)
class CleanSync:
    keys: Dict[str, List[List[str]]]
    requests_by_endpoint: Dict[str, int]

    @property
    def requests(self) -> int:
        return sum(self.requests_by_endpoint.values())


@pytest.fixture(autouse=True)
def short_waits(monkeypatch):
    """The connector waits out each backoff (errors.wait_before_retry), then the CDK sleeps one
    extra second (rate_limiting.user_defined_backoff_handler): hundreds of faults would be minutes
    of sleeping. Waits are capped at 20 ms; what is retried, and how often, is unchanged."""
    monkeypatch.setattr(rate_limiting, "time", SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, 0.02))))
    wait = errors.wait_before_retry  # the connector's own wait before a retry (it ends on a stop)
    monkeypatch.setattr(errors, "wait_before_retry", lambda seconds, stopped: wait(min(seconds, 0.02), stopped))


@pytest.fixture(autouse=True)
def budget_keeps_the_plans_rate(monkeypatch):
    """The injected 429s come to one request in ten whatever the rate, so the call budget would
    keep slowing towards its floor (as it should for Zoom's) and a sync of 1,400 requests would
    take minutes; the fake enforces no rate here. A floor at the plan's rate keeps the pacing as
    it is without faults (unit_tests/test_rate_limits.py covers the slowing down)."""
    monkeypatch.setattr(rate_limits, "FLOOR_SHARE", 1.0)


def sync_all_tables(config: Mapping[str, Any], tables: List[str], expect_failure: bool = False) -> EntrypointOutput:
    catalog = CatalogBuilder()
    for table in tables:
        catalog.with_stream(table, SyncMode.full_refresh)
    return read(SourceZoom(config), config, catalog.build(), expecting_exception=expect_failure)


def log_messages(output: EntrypointOutput) -> List[str]:
    return [message.log.message for message in output.logs]


def records_by_table(output: EntrypointOutput) -> Dict[str, List[Dict[str, Any]]]:
    tables: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for message in output.records:
        tables[message.record.stream].append(message.record.data)
    return tables


@pytest.fixture(scope="module")
def clean_sync() -> CleanSync:
    """The same dataset without faults: the tables' keys and how many requests a sync needs."""
    with FakeZoomServer(FakeZoomConfig.default(**DATASET)) as fake:
        config = fake.connector_config()
        streams = discover(SourceZoom(config), config).catalog.catalog.streams
        keys = {stream.name: stream.source_defined_primary_key for stream in streams}
        fake.reset_stats()
        output = sync_all_tables(config, sorted(keys))
        assert not output.errors
        assert compare_records(records_by_table(output), fake.ground_truth(config["start_date"]), keys) == {}
        return CleanSync(keys, fake.stats()["requests_by_endpoint"])


def faulty_sync(clean_sync: CleanSync, seed: int, auth_type: str) -> tuple[EntrypointOutput, dict, dict, str]:
    with FakeZoomServer(FakeZoomConfig.default(**DATASET, **FAULT_MIX, fault_seed=seed)) as fake:
        config = fake.connector_config(auth_type)
        output = sync_all_tables(config, sorted(clean_sync.keys))
        return output, fake.ground_truth(config["start_date"]), fake.stats(), fake.current_refresh_token


def assert_every_fault_survived(label: str, output: EntrypointOutput, truth: dict, stats: dict, clean_sync: CleanSync) -> None:
    assert [error.trace.error.message for error in output.errors] == []
    lost_or_duplicated = compare_records(records_by_table(output), truth, clean_sync.keys)
    assert lost_or_duplicated == {}
    injected = stats["faults_injected"]
    assert all(injected[kind] > 0 for kind in (*REQUEST_FAULTS, "expired_token")), injected
    # Each faulted request cost exactly one retry, and nothing else was asked twice: a 401 is
    # either a forced expiry or a request that still carried the token another thread renewed.
    retried = stats["total_api_requests"] - clean_sync.requests
    assert retried == sum(injected[kind] for kind in REQUEST_FAULTS) + stats["status_counts"].get("401", 0)
    records = sum(len(records) for records in records_by_table(output).values())
    print(
        f"\n{label}: faults injected {injected} = {sum(injected.values())}, all survived "
        f"({retried} retried requests); {records} records, lost 0, duplicated 0; "
        f"{stats['total_api_requests']} requests (clean sync {clean_sync.requests}), {stats['token_requests']} token requests"
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_given_a_seeded_fault_mix_when_syncing_all_tables_then_every_record_arrives_exactly_once(clean_sync, seed):
    output, truth, stats, _ = faulty_sync(clean_sync, seed, "server_to_server_oauth")

    assert_every_fault_survived(f"fault mix, seed {seed}", output, truth, stats, clean_sync)


def test_given_the_fault_mix_and_a_rotating_refresh_token_when_syncing_then_nothing_is_lost_and_the_last_token_is_handed_back(clean_sync, capsys):
    output, truth, stats, current_refresh_token = faulty_sync(clean_sync, 4, "oauth2_refresh_token")

    handed_back = [c["connectorConfig"]["config"]["credentials"]["refresh_token"] for c in control_messages(capsys.readouterr().out)]
    assert_every_fault_survived("fault mix with a rotating refresh token, seed 4", output, truth, stats, clean_sync)
    # Every renewal used the token the previous one received, and each new one was handed to the platform.
    assert len(handed_back) == stats["token_requests"] == len(set(handed_back)) > 10
    assert handed_back[-1] == current_refresh_token


@pytest.mark.parametrize(
    "fault, error_pattern",
    [
        ("5xx", r"meeting_polls: /meetings/\d+/polls answered HTTP 500, Zoom code 500"),
        ("drop", r"meeting_polls: network error talking to Zoom on /meetings/\d+/polls \(ConnectionError"),
    ],
    ids=["5xx", "drop"],
)
def test_given_an_endpoint_that_always_fails_when_syncing_then_the_sync_ends_with_an_error_naming_it_and_the_other_tables_arrive(
    clean_sync, fault, error_pattern
):
    config_overrides = dict(DATASET, persistent_fault_endpoint=ALWAYS_FAILING_ROUTE, persistent_fault=fault)
    with FakeZoomServer(FakeZoomConfig.default(**config_overrides)) as fake:
        config = fake.connector_config()
        output = sync_all_tables(config, sorted(clean_sync.keys), expect_failure=True)
        truth, stats = fake.ground_truth(config["start_date"]), fake.stats()

    messages = [error.trace.error.message for error in output.errors]
    assert any(re.search(error_pattern, message) for message in messages), messages
    assert output.get_stream_statuses("meeting_polls")[-1].name == "INCOMPLETE"
    assert set(compare_records(records_by_table(output), truth, clean_sync.keys)) == {"meeting_polls"}
    others = [table for table in clean_sync.keys if table != "meeting_polls"]
    assert all(output.get_stream_statuses(table)[-1].name == "COMPLETE" for table in others)
    # Bounded, never a hang: each poll request sent was retried its whole budget, then given up;
    # after FAILED_SLICES_BEFORE_GIVING_UP of them only the slices already in flight were sent.
    route = f"GET {ALWAYS_FAILING_ROUTE}"
    attempts = stats["requests_by_endpoint"][route]
    slices_sent, leftover = divmod(attempts, errors.MAX_RETRIES + 1)
    assert leftover == 0
    assert FAILED_SLICES_BEFORE_GIVING_UP <= slices_sent <= FAILED_SLICES_BEFORE_GIVING_UP + DEFAULT_NUM_WORKERS
    assert slices_sent < clean_sync.requests_by_endpoint[route]
    assert any("the rest of this table is not requested in this sync" in line for line in log_messages(output))
    print(f"\nalways-failing {fault} on {ALWAYS_FAILING_ROUTE}: {stats['requests_by_endpoint'][route]} attempts, then: {messages[0]}")


# --- the token endpoint faults too ----------------------------------------------------------------

# A lighter mix, drawn on the token endpoint as well: with the full mix one renewal in about 150
# would fail all its attempts, and a sync renews about 25 times.
TOKEN_FAULT_MIX: Mapping[str, Any] = {**FAULT_MIX, "rate_5xx": 0.05, "rate_429": 0.05, "faults_on_token_endpoint": True}


@pytest.fixture
def short_token_waits(monkeypatch):
    monkeypatch.setattr(auth, "TOKEN_RETRY_BASE_SECONDS", 0.01)


def test_given_faults_on_the_token_endpoint_when_a_server_to_server_sync_runs_then_every_record_arrives_exactly_once(clean_sync, short_token_waits):
    # Each fault kind once on the first renewals for certain, then drawn like any request's.
    script = ("429", "", "500", "drop", "", "bad_json", "502", "", "504", "503")
    with FakeZoomServer(FakeZoomConfig.default(**DATASET, **TOKEN_FAULT_MIX, token_fault_script=script, fault_seed=5)) as fake:
        config = fake.connector_config()
        output = sync_all_tables(config, sorted(clean_sync.keys))
        truth, stats = fake.ground_truth(config["start_date"]), fake.stats()

    assert [error.trace.error.message for error in output.errors] == []
    assert compare_records(records_by_table(output), truth, clean_sync.keys) == {}
    on_token = stats["token_faults_injected"]
    assert sum(on_token.values()) >= 7 and stats["token_requests"] > 20, (on_token, stats["token_requests"])
    records = sum(len(records) for records in records_by_table(output).values())
    print(f"\ntoken endpoint faults (server-to-server): {stats['token_requests']} token requests, faults on them {on_token}; "
          f"{records} records, lost 0, duplicated 0")


def refresh_token_syncs(fake: FakeZoomServer, keys: Dict[str, List[List[str]]], syncs: int, capsys) -> List[Dict[str, Any]]:
    """Syncs one after another, each logging in with the refresh token the platform stored last
    (the last one handed back, else the one it had); what each sent, what Zoom refused, its errors."""
    stored_refresh_token = fake.config.refresh_token
    runs = []
    for _ in range(syncs):
        config = fake.connector_config("oauth2_refresh_token")
        config["credentials"]["refresh_token"] = stored_refresh_token
        presented_before = len(fake.fake.tokens.presented_refresh_tokens)
        refused_before = len(fake.fake.tokens.refused_refresh_tokens)
        output = sync_all_tables(config, sorted(keys), expect_failure=True)
        handed_back = [c["connectorConfig"]["config"]["credentials"]["refresh_token"] for c in control_messages(capsys.readouterr().out)]
        stored_refresh_token = handed_back[-1] if handed_back else stored_refresh_token
        runs.append({
            "presented": fake.fake.tokens.presented_refresh_tokens[presented_before:],
            "refused": fake.fake.tokens.refused_refresh_tokens[refused_before:],
            "errors": [error.trace.error.message for error in output.errors],
            "lost": [error.trace.error.message for error in output.errors if "it was not sent again" in error.trace.error.message],
            "problems": compare_records(records_by_table(output), fake.ground_truth(config["start_date"]), keys),
        })
    return runs


def assert_refresh_token_kept_its_word(runs: List[Dict[str, Any]]) -> None:
    for number, run in enumerate(runs, 1):
        assert len(run["presented"]) == len(set(run["presented"])), f"sync {number} sent a refresh token twice: {run['presented']}"
        asks_to_reauthorize = any("re-authorize" in message for message in run["errors"])
        assert asks_to_reauthorize == bool(run["refused"]), (number, run)


def describe(runs: List[Dict[str, Any]]) -> str:
    return "; ".join(
        f"sync {number}: {len(run['presented'])} refresh token(s) sent, {len(run['refused'])} refused, "
        + ("completed, equal to the ground truth" if not run["errors"] and not run["problems"] else f"failed: {run['errors'][0][:140]}")
        for number, run in enumerate(runs, 1)
    )


def test_given_a_token_answer_lost_before_zoom_rotated_when_the_next_sync_runs_then_it_logs_in_with_the_same_refresh_token(clean_sync, short_token_waits, capsys):
    # First login: 429 and 503 (Zoom did not act: sent again), then a dropped connection (the
    # answer is lost; this fake dropped it before granting, as a real Zoom may or may not have).
    script = ("429", "503", "drop")
    with FakeZoomServer(FakeZoomConfig.default(**DATASET, **FAULT_MIX, token_fault_script=script)) as fake:
        runs = refresh_token_syncs(fake, clean_sync.keys, 2, capsys)

    assert_refresh_token_kept_its_word(runs)
    first, second = runs
    assert first["presented"] == []  # 429, 503 and the drop all came before Zoom looked at the token
    assert second["presented"][0] == "fake-refresh-token-0"  # the token the platform still held was still good
    assert first["lost"] and "dropped the connection before answering" in first["lost"][0]
    assert not first["refused"] and not second["refused"]
    assert second["errors"] == [] and second["problems"] == {}
    print(f"\ntoken answer lost before rotation: {describe(runs)}")


def test_given_a_token_answer_lost_after_zoom_rotated_when_the_next_sync_runs_then_it_asks_for_re_authorization(clean_sync, short_token_waits, capsys):
    # First login: Zoom rotates the refresh token and the 200 arrives cut in half.
    with FakeZoomServer(FakeZoomConfig.default(**DATASET, token_fault_script=("bad_json",))) as fake:
        runs = refresh_token_syncs(fake, clean_sync.keys, 2, capsys)

    assert_refresh_token_kept_its_word(runs)
    first, second = runs
    assert first["lost"] and "re-authorize" not in " ".join(first["errors"])
    assert len(second["refused"]) == 1
    assert any("re-authorize the Zoom app" in message for message in second["errors"]), second["errors"]
    print(f"\ntoken answer lost after rotation: {describe(runs)}")
