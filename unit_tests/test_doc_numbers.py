"""No number in the docs that the code can contradict (issue 31.6).

The catalog is what `discover` returns for the sample config (offline: discover asks Zoom
nothing). Checked against it:

- every count of tables ("all 27 tables", "five tables") in the README, docs/, the fake's README,
  scripts/, benchmarks/ and the integration tests' text is the catalog's count, unless it counts
  Stitch's tables ("the 21 tables of Stitch's", checked against Stitch's table reference) or is a
  figure of the past tied to the commit it was measured on ("22 tables at affc525");
- every list of the tables (the README's tables at a glance, docs/table_reference.md,
  docs/zoom.md, the stream graph of docs/contract.md) names each table of the catalog once and
  no other, with the catalog's primary key (and, in the README, its cursor);
- the changelog names every table that Stitch does not have.

A new table fails here until each of those lists it; the message names the table and the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
from airbyte_cdk.test.entrypoint_wrapper import discover

from source_zoom import SourceZoom

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = REPO_ROOT / "integration_tests" / "sample_config.json"
STITCH_TABLES = REPO_ROOT / "unit_tests" / "resources" / "seed_fields.json"  # Stitch's table reference, extracted
COUNTED_IN = [
    REPO_ROOT / "README.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
    REPO_ROOT / "fake_zoom" / "README.md",
    *sorted((REPO_ROOT / "scripts").glob("*.sh")),
    *sorted((REPO_ROOT / "scripts").glob("*.py")),
    *sorted((REPO_ROOT / "benchmarks").glob("*.py")),
    *sorted((REPO_ROOT / "integration_tests").glob("*.py")),
]
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
         "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
         "eighteen": 18, "nineteen": 19, "twenty": 20}
NUMBER = r"\d+|" + "|".join(WORDS)
# "27 tables", "five tables", "22 catalog tables", "the 21 tables of Stitch's", "27 streams".
COUNT = re.compile(rf"\b({NUMBER})\s+(?:\w+\s+)?(?:tables|streams)\b", re.IGNORECASE)
OF_STITCH = re.compile(r"\s*of Stitch's")
# A figure of the past: the commit it was measured on follows within the sentence.
AT_COMMIT = re.compile(r"^[^.;\n]{0,40}?\bat (?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b")


@pytest.fixture(scope="module")
def catalog() -> Dict[str, dict]:
    output = discover(SourceZoom(), json.loads(SAMPLE_CONFIG.read_text()))
    return {stream.name: stream for stream in output.catalog.catalog.streams}


def stitch_tables() -> List[str]:
    return sorted(json.loads(STITCH_TABLES.read_text()))


def as_number(text: str) -> int:
    return int(text) if text.isdigit() else WORDS[text.lower()]


def counts_in(path: Path) -> Iterator[Tuple[int, str, int, str]]:
    """(line, the phrase, its number, the text after it) of every count of tables in a file."""
    text = path.read_text()
    for found in COUNT.finditer(text):
        line = text.count("\n", 0, found.start()) + 1
        yield line, found.group(0), as_number(found.group(1)), text[found.end() : found.end() + 80]


def where(path: Path, line: Optional[int] = None) -> str:
    return str(path.relative_to(REPO_ROOT)) + (f":{line}" if line else "")


def test_given_a_count_of_tables_in_the_docs_then_it_is_the_catalogs(catalog):
    stitch = stitch_tables()
    wrong = []
    for path in COUNTED_IN:
        for line, phrase, number, after in counts_in(path):
            if OF_STITCH.match(after):
                if number != len(stitch):
                    wrong.append(f"{where(path, line)}: {phrase!r} of Stitch's, but Stitch's table reference has {len(stitch)}")
            elif AT_COMMIT.match(after):
                continue  # a figure of the past, tied to its commit
            elif number != len(catalog):
                wrong.append(
                    f"{where(path, line)}: {phrase!r}, but the catalog has {len(catalog)} tables: write the catalog's count, "
                    "count Stitch's as \"N tables of Stitch's\", or tie a figure of the past to its commit (\"22 tables at affc525\")"
                )
    assert wrong == []


def test_given_stitchs_tables_then_the_catalog_has_each(catalog):
    assert [table for table in stitch_tables() if table not in catalog] == []


def markdown_rows(path: Path, section: str, first_header: str) -> List[List[str]]:
    """The rows of the first Markdown table under `## section` whose first column is headed `first_header`."""
    text = path.read_text()
    assert f"\n## {section}\n" in text, f"{where(path)} has no section '## {section}'"
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    assert f"| {first_header} |" in body, f"{where(path)}, '## {section}': no table headed '{first_header}'"
    lines = body.split(f"| {first_header} |", 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def key_of(cell: str) -> List[str]:
    """`id`, `meeting_id` **(ext.)** -> ["id", "meeting_id"]."""
    cell = re.sub(r"\*\*\(.*?\)\*\*", "", cell).replace("`", "")
    return [part.strip() for part in cell.split(",") if part.strip()]


def catalog_key(stream) -> List[str]:
    return [path[0] for path in stream.source_defined_primary_key or []]


# (file, section, the header of the table's first column, the column of the primary key or None)
TABLE_LISTS = [
    ("README.md", "Tables at a glance", "table", 2),
    ("docs/table_reference.md", "Tables", "table", 2),
    ("docs/zoom.md", "Tables", "table", 1),
    ("docs/contract.md", "Stream graph", "table", 6),
]


@pytest.mark.parametrize("file, section, header, key_column", TABLE_LISTS, ids=[f"{f} {s}" for f, s, _, _ in TABLE_LISTS])
def test_given_a_list_of_the_tables_then_it_names_each_table_of_the_catalog_once_with_its_key(catalog, file, section, header, key_column):
    rows = [row for row in markdown_rows(REPO_ROOT / file, section, header) if "(hidden)" not in row[0]]
    listed = [row[0] for row in rows]
    problems = [f"{file}, '## {section}': no row for {table}, a table of the catalog" for table in catalog if table not in listed]
    problems += [f"{file}, '## {section}': a row for {name}, which is not a table of the catalog" for name in listed if name not in catalog]
    problems += [f"{file}, '## {section}': {name} is listed {listed.count(name)} times" for name in sorted(set(listed)) if listed.count(name) > 1]
    for row in rows:
        if row[0] in catalog and key_of(row[key_column]) != catalog_key(catalog[row[0]]):
            problems.append(f"{file}, '## {section}': {row[0]}'s key is written {key_of(row[key_column])}, the catalog's is {catalog_key(catalog[row[0]])}")
    assert problems == []


def test_given_the_readmes_tables_at_a_glance_then_each_says_how_the_catalog_syncs_it(catalog):
    problems = []
    for row in markdown_rows(REPO_ROOT / "README.md", "Tables at a glance", "table"):
        stream = catalog.get(row[0])
        if stream is None:
            continue  # said by the test above
        modes = {mode.value for mode in stream.supported_sync_modes}
        expected = f"`{stream.default_cursor_field[0]}`" if "incremental" in modes else "full refresh only"
        if row[3] != expected:
            problems.append(f"README.md, '## Tables at a glance': {row[0]} says {row[3]!r}, the catalog {expected!r}")
    assert problems == []


def test_given_the_changelog_then_it_names_every_table_stitch_does_not_have(catalog):
    changelog = (REPO_ROOT / "docs" / "zoom.md").read_text().split("\n## Changelog\n", 1)[1]
    unnamed = [f"docs/zoom.md, '## Changelog': no entry names `{table}`" for table in catalog if table not in stitch_tables() and f"`{table}`" not in changelog]

    assert unnamed == []


# A measured figure: decimal seconds, megabytes, or "about N minutes".
MEASURED = re.compile(r"\b\d+\.\d+ s\b|\b\d+(?:\.\d+)? MB\b|\babout \d+ (?:s|seconds|minutes)\b")
WHEN = re.compile(r"\b20\d\d-\d\d-\d\d\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b")
MACHINE = re.compile(r"\bcores?\b|-core\b")


def paragraphs(text: str) -> List[str]:
    """Paragraphs and list items of Markdown prose, code blocks and HTML comments left out."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    prose = re.sub(r"<!--.*?-->", "", prose, flags=re.DOTALL)
    found = []
    for block in re.split(r"\n\s*\n", prose):
        found += [item for item in re.split(r"\n(?=\s*(?:- |\d+\. ))", block) if item.strip()]
    return found


def test_given_a_measured_time_or_size_in_the_docs_then_it_says_when_and_on_what_machine():
    unsaid = []
    for path in [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        intro = text.split("\n## ", 1)[0]  # a file may say its machine once, before its sections
        for paragraph in paragraphs(text):
            figures = MEASURED.findall(paragraph)
            if not figures:
                continue
            if not WHEN.search(paragraph):
                unsaid.append(f"{where(path)}: {figures} without the date or commit it was measured on: {' '.join(paragraph.split())[:160]}")
            if not MACHINE.search(paragraph) and not MACHINE.search(intro):
                unsaid.append(f"{where(path)}: {figures} without the machine (its cores) it was measured on: {' '.join(paragraph.split())[:160]}")
    assert unsaid == []
