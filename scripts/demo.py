"""Full sync of every table of the catalog against the bundled fake Zoom API, printed as a per-table summary.

Runs the connector exactly as Airbyte does (`python main.py discover`, then `read` as a
subprocess) and checks every table against the fake's ground truth.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Tuple

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
from source_zoom.streams import ALL_STREAMS  # noqa: E402
from source_zoom.sync_report import ReportedSync, SkippedClass, reported_sync  # noqa: E402


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


def skip_classes(skipped: Iterable[SkippedClass]) -> Dict[Tuple[str, str], Dict[str, int]]:
    """(Zoom's code, meaning) -> {table: resources skipped}, from the connector's typed report:
    one class per answer, whatever its HTTP status."""
    classes: Dict[Tuple[str, str], Dict[str, int]] = {}
    for skip in skipped:
        tables = classes.setdefault(("-" if skip.code is None else str(skip.code), skip.meaning), {})
        tables[skip.table] = tables.get(skip.table, 0) + skip.count
    return classes


def empty_on_purpose(reported: ReportedSync) -> Dict[str, str]:
    """Tables Zoom would not serve here, and why: the fake does what Zoom does for such an account."""
    notes = {}
    for table in reported.unavailable:
        if table.scopes:
            notes[table.table] = (
                f"the fake's app lacks {', '.join(table.scopes)} (fake_zoom/config.py, DEFAULT_MISSING_SCOPES): "
                f"Zoom's answer to such an app is code {table.code}"
            )
        elif table.product is not None:
            notes[table.table] = f"{table.product}: {table.meaning} (code {table.code}): the fake answers as Zoom does"
        else:
            notes[table.table] = f"{table.meaning} (code {table.code}): the fake answers as Zoom does"
    return notes


def summary_lines(reported: ReportedSync) -> List[str]:
    """The demo's notes below the table: the tables empty on purpose, then the skipped classes."""
    lines: List[str] = []
    on_purpose = empty_on_purpose(reported)
    if on_purpose:
        lines += ["", "Empty on purpose (the fake plays an account where Zoom would not serve them):"]
        lines += [f"  {table:<28}{why}" for table, why in sorted(on_purpose.items())]
    classes = skip_classes(skip for skip in reported.skipped if not skip.download)
    if classes:
        lines += ["", "Skipped resources, one class per line (Zoom's answers the connector skips, each logged once):"]
        lines.append(f"  {'code':<7}{'count':>6}  {'meaning':<62}tables")
        for (zoom_code, meaning), tables in sorted(classes.items(), key=by_code):
            listed = ", ".join(f"{table} {count}" for table, count in sorted(tables.items()))
            lines.append(f"  {zoom_code:<7}{sum(tables.values()):>6}  {meaning:<62}{listed}")
    files = skip_classes(skip for skip in reported.skipped if skip.download)
    if files:
        lines += ["", "Files not downloaded, one reason per line (the connector's own reasons, each counted as a skipped resource):"]
        lines.append(f"  {'count':>6}  {'reason':<62}tables")
        for (_, reason), tables in sorted(files.items(), key=lambda item: item[0][1]):
            listed = ", ".join(f"{table} {count}" for table, count in sorted(tables.items()))
            lines.append(f"  {sum(tables.values()):>6}  {reason:<62}{listed}")
    return lines


def by_code(item: Tuple[Tuple[str, str], Iterable]) -> Tuple[int, str]:
    (zoom_code, meaning), _ = item
    return (int(zoom_code) if zoom_code.isdigit() else 0, meaning)


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

    reported = reported_sync(messages)
    on_purpose = empty_on_purpose(reported)

    print(f"\n{'table':<30}{'records':>9}{'expected':>10}{'requests':>10}{'seconds':>9}  check")
    for table in sorted(truth["tables"]):
        status = "ok" if table not in problems and table not in field_problems else "MISMATCH"
        if table in on_purpose and not records.get(table):
            status += ", empty on purpose (below)"
        print(f"{table:<30}{len(records.get(table, [])):>9}{truth['tables'][table]['count']:>10}{requests.get(table, 0):>10}{seconds.get(table, 0):>9.2f}  {status}")
    hidden = [stream.stream_name() for stream in ALL_STREAMS if stream.hidden]
    for name in hidden:
        print(f"{'(parent) ' + name:<30}{'':>9}{'':>10}{requests.get(name, 0):>10}")

    for line in summary_lines(reported):
        print(line)
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
