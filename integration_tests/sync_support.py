"""Runs the connector against the fake Zoom API and compares what it emits with the fake's ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = REPO_ROOT / "source_zoom" / "schemas"


def run_connector(command: str, config: Mapping[str, Any], catalog: Optional[Mapping[str, Any]] = None, state: Any = None, timeout: int = 600, debug: bool = False) -> Tuple[int, List[Dict[str, Any]], str]:
    """`python main.py <command>` as a subprocess, as Airbyte runs it; returns (exit code, messages, stderr)."""
    with tempfile.TemporaryDirectory() as directory:
        args = [sys.executable, str(REPO_ROOT / "main.py"), command]
        if command != "spec":
            config_path = Path(directory) / "config.json"
            config_path.write_text(json.dumps(config))
            args += ["--config", str(config_path)]
        if catalog is not None:
            catalog_path = Path(directory) / "catalog.json"
            catalog_path.write_text(json.dumps(catalog))
            args += ["--catalog", str(catalog_path)]
        if state is not None:
            state_path = Path(directory) / "state.json"
            state_path.write_text(json.dumps(state))
            args += ["--state", str(state_path)]
        if debug:
            args.append("--debug")
        finished = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT)
    messages = []
    for line in finished.stdout.splitlines():
        line = line.strip()
        if line:
            messages.append(json.loads(line))  # every stdout line must be an Airbyte message
    return finished.returncode, messages, finished.stderr


def full_catalog(discovered_streams: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    return {
        "streams": [
            {"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite", "primary_key": stream.get("source_defined_primary_key")}
            for stream in discovered_streams
        ]
    }


def discover_streams(config: Mapping[str, Any]) -> List[Dict[str, Any]]:
    code, messages, stderr = run_connector("discover", config)
    assert code == 0, stderr
    (catalog,) = [m["catalog"] for m in messages if m["type"] == "CATALOG"]
    return catalog["streams"]


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
