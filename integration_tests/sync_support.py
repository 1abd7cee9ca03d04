"""Runs the connector against the fake Zoom API and compares what it emits with the fake's ground truth."""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

from integration_tests import launcher

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = REPO_ROOT / "source_zoom" / "schemas"


def run_connector(command: str, config: Mapping[str, Any], catalog: Optional[Mapping[str, Any]] = None, state: Any = None, timeout: int = 600, debug: bool = False, paced: bool = False) -> Tuple[int, List[Dict[str, Any]], str]:
    """`python main.py <command>` as a new process, as Airbyte runs it (integration_tests/launcher.py
    spares it the imports); returns (exit code, messages, stderr). Unpaced unless `paced`: the
    fake's default account has no per-second limits (see the launcher)."""
    with tempfile.TemporaryDirectory() as directory:
        args = [command]
        if command != "spec":
            args += ["--config", write_json(directory, "config.json", config)]
        if catalog is not None:
            args += ["--catalog", write_json(directory, "catalog.json", catalog)]
        if state is not None:
            args += ["--state", write_json(directory, "state.json", state)]
        if debug:
            args.append("--debug")
        finished = launcher.run(args, timeout=timeout, paced=paced)
    messages = []
    for line in finished.stdout.splitlines():
        line = line.strip()
        if line:
            messages.append(json.loads(line))  # every stdout line must be an Airbyte message
    return finished.returncode, messages, finished.stderr


def write_json(directory: str, name: str, content: Any) -> str:
    path = Path(directory) / name
    path.write_text(json.dumps(content))
    return str(path)


def start_read(directory: str, config: Mapping[str, Any], catalog: Mapping[str, Any], state: Any = None, text: bool = False, stderr: Any = launcher.DEVNULL, paced: bool = False) -> launcher.Launched:
    """`python main.py read` as a new process whose stdout is a pipe this side reads, with config,
    catalog (and state) written to files in `directory`: for tests that drive the process
    themselves (to interrupt it, or to stop reading it). Unpaced unless `paced`, as run_connector."""
    args = ["read", "--config", write_json(directory, "config.json", config), "--catalog", write_json(directory, "catalog.json", catalog)]
    if state is not None:
        args += ["--state", write_json(directory, "state.json", state)]
    return launcher.launch(args, stdout=launcher.PIPE, stderr=stderr, text=text, paced=paced)


def full_catalog(discovered_streams: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    return {
        "streams": [
            {"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite", "primary_key": stream.get("source_defined_primary_key")}
            for stream in discovered_streams
        ]
    }


def incremental_catalog(discovered: List[Mapping[str, Any]]) -> Dict[str, Any]:
    """Every table that supports it read incrementally (append + dedup), the rest full refresh."""
    streams = []
    for stream in discovered:
        incremental = "incremental" in stream["supported_sync_modes"]
        streams.append({
            "stream": stream,
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": "append_dedup" if incremental else "overwrite",
            "cursor_field": stream.get("default_cursor_field") if incremental else None,
            "primary_key": stream["source_defined_primary_key"],
        })
    return {"streams": streams}


def catalog_of(discovered: Iterable[Mapping[str, Any]], sync_mode: str, tables: Iterable[str]) -> Dict[str, Any]:
    """Some tables, each incremental (append + dedup) where asked and supported, else full refresh."""
    chosen = [stream for stream in discovered if stream["name"] in set(tables)]
    return incremental_catalog(chosen) if sync_mode == "incremental" else full_catalog(chosen)


def only_tables(truth: Mapping[str, Any], tables: Iterable[str]) -> Dict[str, Any]:
    """The fake's ground truth of some tables only."""
    tables = set(tables)
    return {**truth, "tables": {name: table for name, table in truth["tables"].items() if name in tables}}


def log_lines(messages: Iterable[Mapping[str, Any]]) -> List[str]:
    return [m["log"]["message"] for m in messages if m["type"] == "LOG"]


def error_traces(messages: Iterable[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    return [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]


def state_messages(messages: List[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    return [m["state"] for m in messages if m["type"] == "STATE"]


def latest_states(messages: List[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """What the platform would save: the last state of each stream."""
    last: Dict[str, Dict[str, Any]] = {}
    for state in state_messages(messages):
        last[state["stream"]["stream_descriptor"]["name"]] = state
    return list(last.values())


def saved_value(states: List[Mapping[str, Any]], table: str) -> Optional[dict]:
    for state in states:
        if state["stream"]["stream_descriptor"]["name"] == table:
            return state["stream"]["stream_state"]
    return None


def truth_keys(truth: Mapping[str, Any], table: str) -> set:
    return {tuple(key) for key in truth["tables"][table]["primary_keys"]}


def read_until(config: Mapping[str, Any], catalog: Mapping[str, Any], stop_after_states: Tuple[str, int]) -> List[Dict[str, Any]]:
    """Runs `read` and kills it once `stop_after_states[0]` has emitted that many states: what a
    platform sees when a sync dies. Returns the messages read up to then."""
    table, count = stop_after_states
    seen: List[Dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as directory:
        process = start_read(directory, config, catalog, text=True)
        states_of_table = 0
        try:
            for line in process.stdout:  # type: ignore[union-attr]
                message = json.loads(line)
                seen.append(message)
                if message["type"] == "STATE" and message["state"]["stream"]["stream_descriptor"]["name"] == table:
                    states_of_table += 1
                    if states_of_table >= count:
                        break
        finally:
            process.kill()
            process.wait(timeout=30)
    assert states_of_table >= count, f"the sync ended before {table} emitted {count} states"
    return seen


def discover_streams(config: Mapping[str, Any]) -> List[Dict[str, Any]]:
    code, messages, stderr = run_connector("discover", config)
    assert code == 0, stderr
    (catalog,) = [m["catalog"] for m in messages if m["type"] == "CATALOG"]
    return catalog["streams"]


def control_messages(captured_stdout: str) -> List[Dict[str, Any]]:
    """Config updates are printed straight to stdout (as the CDK does), not yielded."""
    messages = [json.loads(line) for line in captured_stdout.splitlines() if line.startswith("{")]
    return [m["control"] for m in messages if m.get("type") == "CONTROL"]


def records_by_table(messages: Iterable[Mapping[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
    tables: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for message in messages:
        if message["type"] == "RECORD":
            tables[message["record"]["stream"]].append(message["record"]["data"])
    return tables


def primary_keys(records: Iterable[Mapping[str, Any]], key_fields: List[List[str]]) -> List[Tuple[Any, ...]]:
    return [tuple(record.get(path[0]) for path in key_fields) for record in records]


def compare_with_ground_truth(records: Mapping[str, List[Dict[str, Any]]], truth: Mapping[str, Any], keys: Mapping[str, List[List[str]]]) -> Dict[str, str]:
    """Per table, what differs from the ground truth (empty when every record arrived exactly once)."""
    problems = {}
    for table, expected in truth["tables"].items():
        got = primary_keys(records.get(table, []), keys[table])
        duplicates = [key for key, count in Counter(got).items() if count > 1]
        expected_keys = {tuple(key) for key in expected["primary_keys"]}
        missing = expected_keys - set(got)
        extra = set(got) - expected_keys
        if duplicates or missing or extra or len(got) != expected["count"]:
            problems[table] = f"got {len(got)} expected {expected['count']}; duplicates {duplicates[:3]}; missing {sorted(missing, key=str)[:3]}; extra {sorted(extra, key=str)[:3]}"
    return problems


def load_schema(table: str) -> Dict[str, Any]:
    return json.loads((SCHEMAS / f"{table}.json").read_text())


# --- Whole-record comparison -------------------------------------------------------------------

# Arrays whose order Zoom does not define (sets of ids, countries, numbers, files, key/value
# pairs, a registrant's answers keyed by title): compared as multisets. Every other array is
# compared in order, because its order carries meaning (a poll's questions and answer choices,
# a registration form's questions, a recurring meeting's occurrences, a respondent's answers in
# question order). Paths are dotted, "[]" stands for "each element of the array".
ORDER_FREE_ARRAYS: Dict[str, frozenset] = {
    "users": frozenset({"group_ids", "im_group_ids"}),
    "meetings": frozenset({"settings.global_dial_in_countries", "settings.global_dial_in_numbers", "tracking_fields"}),
    "webinars": frozenset({"settings.global_dial_in_countries", "settings.global_dial_in_numbers", "tracking_fields"}),
    "report_meetings": frozenset({"tracking_fields", "custom_keys"}),
    "report_webinars": frozenset({"tracking_fields", "custom_keys"}),
    "meeting_registrants": frozenset({"custom_questions"}),
    "webinar_registrants": frozenset({"custom_questions"}),
    "webinar_absentees": frozenset({"custom_questions"}),
    "cloud_recordings": frozenset({"recording_files"}),
}

MAX_DIFFERENCES_PER_TABLE = 5


class _Missing:
    """Stands for a field or record that is absent (distinct from a JSON null)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()


class Difference(NamedTuple):
    key: Any  # the record's primary-key tuple, or None for a table-level problem
    field: str  # dotted path inside the record; "(record)" for a whole record; "(table)" for the table
    expected: Any
    got: Any


def record_key(record: Mapping[str, Any], key_fields: List[List[str]]) -> Tuple[Any, ...]:
    values = []
    for path in key_fields:
        value: Any = record
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        values.append(value)
    return tuple(values)


def compare_records(
    records_by_table: Mapping[str, List[Dict[str, Any]]], truth: Mapping[str, Any], keys: Mapping[str, List[List[str]]]
) -> Dict[str, List[Difference]]:
    """Per table, the first differences between the emitted records and the truth's full records.

    Records are matched by primary key; matched records are compared field by field (nested
    objects recursively, ints and floats and bools never equal to one another, arrays in
    ORDER_FREE_ARRAYS as multisets). A table whose truth holds no `records` is itself a
    difference: a comparison that cannot be made must not read as a pass. Empty when equal.
    """
    problems: Dict[str, List[Difference]] = {}
    for table in sorted(set(truth["tables"]) | set(records_by_table)):
        differences = _compare_table(table, records_by_table.get(table, []), truth["tables"].get(table), keys.get(table))
        if differences:
            problems[table] = differences[:MAX_DIFFERENCES_PER_TABLE]
    return problems


def format_differences(problems: Mapping[str, List[Difference]]) -> str:
    """One line per difference, grouped by table, for an assertion message."""
    lines = []
    for table, differences in problems.items():
        for d in differences:
            lines.append(f"{table} {d.key} {d.field}: expected {_short(d.expected)}, got {_short(d.got)}")
    return "\n".join(lines)


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _compare_table(
    table: str, emitted: List[Dict[str, Any]], expected_table: Optional[Mapping[str, Any]], key_fields: Optional[List[List[str]]]
) -> List[Difference]:
    if expected_table is None:
        return [Difference(None, "(table)", "no such table in the ground truth", f"{len(emitted)} records")]
    if "records" not in expected_table:
        return [Difference(None, "(table)", "full records in the ground truth", "the ground truth of this table has no `records`: nothing was compared")]
    if key_fields is None:
        return [Difference(None, "(table)", "a primary key", "no primary key given for this table")]
    expected_by_key: Dict[Tuple[Any, ...], Dict[str, Any]] = {}
    for record in expected_table["records"]:
        expected_by_key[_hashable(record_key(record, key_fields))] = record
    differences: List[Difference] = []
    seen: set = set()
    for record in emitted:
        key = _hashable(record_key(record, key_fields))
        if key in seen:
            differences.append(Difference(key, "(record)", "once", "emitted again"))
            continue
        seen.add(key)
        if key not in expected_by_key:
            differences.append(Difference(key, "(record)", MISSING, record))
            continue
        differences.extend(_compare_value(table, key, "", expected_by_key[key], record))
    for key, record in expected_by_key.items():
        if key not in seen:
            differences.append(Difference(key, "(record)", record, MISSING))
    return differences


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _compare_value(table: str, key: Any, path: str, expected: Any, got: Any) -> List[Difference]:
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        differences = []
        for field in list(expected) + [f for f in got if f not in expected]:
            child = f"{path}.{field}" if path else field
            differences.extend(_compare_value(table, key, child, expected.get(field, MISSING), got.get(field, MISSING)))
        return differences
    if isinstance(expected, list) and isinstance(got, list):
        if _element_path(path) in _order_free_paths(table):
            if sorted(map(_canonical, expected)) != sorted(map(_canonical, got)):
                return [Difference(key, path, expected, got)]
            return []
        if len(expected) != len(got):
            return [Difference(key, path, expected, got)]
        differences = []
        for index, (e, g) in enumerate(zip(expected, got)):
            differences.extend(_compare_value(table, key, f"{path}[{index}]", e, g))
        return differences
    if type(expected) is not type(got) or expected != got:
        return [Difference(key, path, expected, got)]
    return []


def _order_free_paths(table: str) -> frozenset:
    return ORDER_FREE_ARRAYS.get(table, frozenset())


def _element_path(path: str) -> str:
    """`questions[2].answers` -> `questions[].answers`: the path as ORDER_FREE_ARRAYS names it."""
    return re.sub(r"\[\d+\]", "[]", path)


def _canonical(value: Any) -> str:
    """A text that tells 1 from 1.0 from True and ignores key order: the multiset sort key."""
    return json.dumps(_typed(value), sort_keys=True)


def _typed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return [type(value).__name__, value]


# --- Non-ASCII data ------------------------------------------------------------------------------

# Two-byte Latin letters, CJK, and a character outside the Basic Multilingual Plane (a JSON
# surrogate pair when escaped): each breaks a different wrong assumption about encodings.
NON_ASCII_FIRST_NAME = "Zoë"
NON_ASCII_LAST_NAME = "Ødegård-Nuñez"
NON_ASCII_TOPIC = "Réunion 東京 📅"
NON_ASCII_PARTICIPANT = "Jürgen Groß 🎤"


class PlantedValue(NamedTuple):
    table: str
    match: Dict[str, Any]  # fields that pick the record out
    field: str
    value: str


def plant_non_ascii_names(server: Any, start_date: str) -> List[PlantedValue]:
    """Rewrites, in the running fake's memory, one host's names, one of their meetings' topic
    (wherever Zoom shows it) and one participant's name of an instance the sync reads; returns
    where each value must arrive. The fake's generated data is ASCII only."""
    dataset = server.fake.dataset
    for user in dataset.users:
        for meeting in user.meetings:
            instances = [i for i in meeting.instances if i.start_time >= start_date and not i.too_old(dataset.today) and i.participants]
            if not meeting.deleted and instances:
                break
        else:
            continue
        break
    else:
        raise AssertionError("the fake has no fetchable meeting with a past instance after the start date")
    user.record["first_name"], user.record["last_name"] = NON_ASCII_FIRST_NAME, NON_ASCII_LAST_NAME
    meeting.detail["topic"] = meeting.list_item["topic"] = NON_ASCII_TOPIC
    for instance in meeting.instances:  # the report rows take the topic from the meeting's detail
        if instance.recording is not None:
            instance.recording["topic"] = NON_ASCII_TOPIC
    participant = instances[0].participants[0]
    participant["name"] = NON_ASCII_PARTICIPANT
    return [
        PlantedValue("users", {"id": user.id}, "first_name", NON_ASCII_FIRST_NAME),
        PlantedValue("users", {"id": user.id}, "last_name", NON_ASCII_LAST_NAME),
        PlantedValue("meetings", {"uuid": meeting.detail["uuid"]}, "topic", NON_ASCII_TOPIC),
        PlantedValue("report_meeting_participants", {"meeting_uuid": instances[0].uuid, "join_time": participant.get("join_time")}, "name", NON_ASCII_PARTICIPANT),
    ]


def planted_values_found(records: Mapping[str, List[Mapping[str, Any]]], planted: Iterable[PlantedValue]) -> Dict[str, List[Any]]:
    """Per planted value, what the records matching it hold in that field (one value when it arrived)."""
    found = {}
    for p in planted:
        matching = [r for r in records.get(p.table, []) if all(r.get(k) == v for k, v in p.match.items())]
        found[f"{p.table}.{p.field}"] = sorted({r.get(p.field) for r in matching}, key=str)
    return found


def planted_values_expected(planted: Iterable[PlantedValue]) -> Dict[str, List[Any]]:
    return {f"{p.table}.{p.field}": [p.value] for p in planted}


# --- services some tests need ---------------------------------------------------------------------

POSTGRES_DSN_VARIABLE = "SOURCE_ZOOM_POSTGRES_DSN"


def postgres_dsn_or_skip() -> str:
    """A PostgreSQL server: the one SOURCE_ZOOM_POSTGRES_DSN names, else (as root) the one
    scripts/postgres_server.sh starts, once per test run, when a test first needs it. Without one
    the test is skipped, loudly; under CI=true a missing server fails it instead."""
    import os
    import subprocess
    import sys

    import pytest

    from integration_tests.once_per_run import once_per_run, run_directory

    dsn = os.environ.get(POSTGRES_DSN_VARIABLE)
    if dsn:
        return dsn
    why = f"{POSTGRES_DSN_VARIABLE} is not set and scripts/postgres_server.sh needs root to start one"
    if os.geteuid() == 0:

        def start() -> Dict[str, Any]:
            log = run_directory() / "postgres_server.log"
            with open(log, "w") as output:
                started = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "postgres_server.sh")], stdout=subprocess.PIPE, stderr=output, text=True, cwd=REPO_ROOT)
            return {"code": started.returncode, "dsn": started.stdout.strip(), "log_tail": log.read_text()[-2000:]}

        started = once_per_run("postgres_server", start)
        if started["code"] == 0:
            return started["dsn"]
        why = f"scripts/postgres_server.sh could not start one (exit {started['code']}): {started['log_tail']}"
    message = f"NO POSTGRESQL SERVER: {why}"
    print(f"\n{'!' * 100}\n{message}\n{'!' * 100}", file=sys.stderr, flush=True)
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
