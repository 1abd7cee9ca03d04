"""Full sync of every table of the catalog against the bundled fake Zoom API, printed as a per-table summary.

Runs the connector exactly as Airbyte does (`python main.py discover`, then `read` as a
subprocess) and checks every table against the fake's ground truth.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Dict, Mapping

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fake_zoom.config import FakeZoomConfig  # noqa: E402
from fake_zoom.server import FakeZoomServer  # noqa: E402
from integration_tests.sync_support import (  # noqa: E402
    compare_records,
    compare_with_ground_truth,
    format_differences,
    discover_streams,
    full_catalog,
    records_by_table,
    run_connector,
)
from source_zoom.declarations import FILES  # noqa: E402
from source_zoom.errors import ZOOM_ERRORS  # noqa: E402
from source_zoom.streams import ALL_STREAMS  # noqa: E402

# The connector's own lines (http_stream.account_for_skip; SourceZoom's Sync summary).
UNAVAILABLE_LINE = re.compile(r"^(\w+): not available on this Zoom account \((.*?); Zoom code (\d+): (.*)\); this table ends here")
SKIPPED = re.compile(r"(\w+) (\d+) \(code (\w+)\)")
SCOPE_CODES = ("4700", "4711", "104")


def counted_as(stream) -> str:
    """The key the fake counts a stream's requests under: its declared endpoint as Zoom names it
    (a file download: its path on Zoom's file host), and the report_type that makes the history
    path two listings (fake_zoom.routing.Route.counted_by)."""
    endpoint = stream.endpoint
    path = f"/{endpoint.path}" if endpoint.api == FILES else f"/v2{endpoint.zoom_name}"
    report_type = (stream.extra_params or {}).get("report_type")
    return f"GET {path}" + (f"?report_type={report_type}" if report_type else "")


def requests_per_stream(requests_by_endpoint: Mapping[str, int]) -> Dict[str, int]:
    return {stream.stream_name(): requests_by_endpoint.get(counted_as(stream), 0) for stream in ALL_STREAMS}


def seconds_per_table(messages) -> Dict[str, float]:
    started, ended = {}, {}
    for message in messages:
        if message["type"] == "TRACE" and message["trace"]["type"] == "STREAM_STATUS":
            name = message["trace"]["stream_status"]["stream_descriptor"]["name"]
            status = message["trace"]["stream_status"]["status"]
            when = message["trace"]["emitted_at"] / 1000
            if status == "STARTED":
                started[name] = when
            elif status in ("COMPLETE", "INCOMPLETE"):
                ended[name] = when
    return {name: ended[name] - started[name] for name in ended if name in started}


def meaning_of(code: str, tables: Mapping[str, int]) -> str:
    """What the connector's error table says a Zoom code means for these tables: a table's own rows
    (e.g. the removed files endpoints) first, then the shared table's first row with that code."""
    streams = {stream.stream_name(): stream for stream in ALL_STREAMS}
    own_rows = [stream.endpoint.errors for name in tables if (stream := streams.get(name)) is not None]
    for rows in (*own_rows, ZOOM_ERRORS):
        for (_, known), error in rows.items():
            if known is None and rows is not ZOOM_ERRORS or str(known) == code:
                return error.meaning
    return "not in the error table"


def skip_classes(logs) -> Dict[str, Dict[str, int]]:
    """Zoom code -> {table: resources skipped}, from the connector's Sync summary line."""
    summary = next((line for line in logs if line.startswith("Sync summary")), "")
    listed = summary.split("skipped resources: ", 1)[-1].split("; unavailable tables:", 1)[0]
    classes: Dict[str, Dict[str, int]] = {}
    for table, count, code in SKIPPED.findall(listed):
        classes.setdefault(code, {})[table] = int(count)
    return classes


def empty_on_purpose(logs, missing_scopes) -> Dict[str, str]:
    """Tables Zoom would not serve here, and why: the fake does what Zoom does for such an account."""
    notes = {}
    for line in logs:
        found = UNAVAILABLE_LINE.match(line)
        if found is None:
            continue
        table, meaning, code, message = found.groups()
        if code in SCOPE_CODES:
            scopes = ", ".join(scope for scope in missing_scopes if scope in message) or message
            notes[table] = f"the fake's app lacks {scopes} (fake_zoom/config.py, DEFAULT_MISSING_SCOPES): Zoom's answer to such an app is code {code}"
        else:
            notes[table] = f"{meaning} (code {code}): the fake answers as Zoom does"
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="default", choices=["default", "benchmark"])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--rate-limit-plan", default=None, choices=[None, "free", "pro", "business"])
    args = parser.parse_args()

    config = FakeZoomConfig.named(args.dataset, scale=args.scale, latency_ms=args.latency_ms, rate_limit_plan=args.rate_limit_plan)
    with FakeZoomServer(config) as fake:
        print(f"Fake Zoom API at {fake.base_url} (dataset {args.dataset}, seed {config.seed})")
        connector_config = fake.connector_config()
        catalog = full_catalog(discover_streams(connector_config))
        keys = {entry["stream"]["name"]: entry["primary_key"] for entry in catalog["streams"]}
        fake.reset_stats()
        started = time.monotonic()
        code, messages, stderr = run_connector("read", connector_config, catalog)
        wall = time.monotonic() - started
        stats = fake.stats()
        truth = fake.ground_truth(connector_config["start_date"])

    records = records_by_table(messages)
    requests = requests_per_stream(stats["requests_by_endpoint"])
    seconds = seconds_per_table(messages)
    problems = compare_with_ground_truth(records, truth, keys)  # keys: each record once, none missing
    field_problems = compare_records(records, truth, keys)  # and every field as Zoom served it

    logs = [m["log"]["message"] for m in messages if m["type"] == "LOG"]
    on_purpose = empty_on_purpose(logs, config.missing_scopes)

    print(f"\n{'table':<30}{'records':>9}{'expected':>10}{'requests':>10}{'seconds':>9}  check")
    for table in sorted(truth["tables"]):
        status = "ok" if table not in problems and table not in field_problems else "MISMATCH"
        if table in on_purpose and not records.get(table):
            status += ", empty on purpose (below)"
        print(f"{table:<30}{len(records.get(table, [])):>9}{truth['tables'][table]['count']:>10}{requests.get(table, 0):>10}{seconds.get(table, 0):>9.2f}  {status}")
    hidden = [stream.stream_name() for stream in ALL_STREAMS if stream.hidden]
    for name in hidden:
        print(f"{'(parent) ' + name:<30}{'':>9}{'':>10}{requests.get(name, 0):>10}")

    if on_purpose:
        print("\nEmpty on purpose (the fake plays an account where Zoom would not serve them):")
        for table, why in sorted(on_purpose.items()):
            print(f"  {table:<28}{why}")
    classes = skip_classes(logs)
    if classes:
        print("\nSkipped resources, one class per line (Zoom's answers the connector skips, each logged once):")
        print(f"  {'code':<7}{'count':>6}  {'meaning':<62}tables")
        for zoom_code, tables in sorted(classes.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0):
            listed = ", ".join(f"{table} {count}" for table, count in sorted(tables.items()))
            print(f"  {zoom_code:<7}{sum(tables.values()):>6}  {meaning_of(zoom_code, tables):<62}{listed}")
    total_records = sum(len(r) for r in records.values())
    print(
        f"\n{total_records} records in {wall:.1f} s (the whole `read` process, start-up included); {stats['total_api_requests']} API requests "
        f"({', '.join(f'{k} {v}' for k, v in sorted(stats['requests_by_category'].items()))}), "
        f"{stats['token_requests']} token request(s), {stats['status_counts'].get('429', 0)} answered 429; exit code {code}."
    )
    if code != 0 or problems or field_problems:
        print("\nFAILED:", problems or format_differences(field_problems) or stderr[-2000:], file=sys.stderr)
        return 1
    print("Every table matches the fake's ground truth: each record once, none missing, every field as Zoom served it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
