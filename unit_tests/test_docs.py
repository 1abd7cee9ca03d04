"""docs/zoom.md agrees with the code where the code can say it: the tables and their keys, which
registrants a registrant table holds, and what each Zoom code in the troubleshooting table does
(the error table in errors.py, the token endpoint's advice in auth.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

from source_zoom.auth import REAUTHORIZE, REFRESH_TOKEN, SERVER_TO_SERVER, TOKEN_ERROR_ADVICE
from source_zoom.errors import Outcome, classify
from source_zoom.declarations import registrant_statuses
from source_zoom.streams import TABLES

DOCS = (Path(__file__).resolve().parent.parent / "docs" / "zoom.md").read_text()


def section(title: str) -> str:
    return DOCS.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def table_rows(text: str, first_header: str) -> List[List[str]]:
    """The rows of the Markdown table whose first column is headed `first_header`."""
    lines = text.split(f"| {first_header} |", 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def keys_of(stream) -> List[str]:
    key = stream.primary_key
    return [key] if isinstance(key, str) else [part if isinstance(part, str) else part[0] for part in key]


def test_given_the_tables_section_then_it_lists_every_table_with_the_connectors_primary_key():
    documented: Dict[str, List[str]] = {row[0]: [key.strip() for key in row[1].split(",")] for row in table_rows(section("Tables"), "table")}

    assert documented == {stream.stream_name(): keys_of(stream) for stream in TABLES}


def test_given_the_registrant_tables_then_the_docs_name_every_status_the_connector_lists():
    rows = {row[0]: row[2] for row in table_rows(section("Tables"), "table")}
    statuses = registrant_statuses({"approval_type": 1})  # manual approval: every status Zoom keeps

    for table in ("meeting_registrants", "webinar_registrants"):
        assert all(status in rows[table] for status in statuses), (table, rows[table])


def codes_of(cell: str) -> List[int]:
    return [int(code) for code in re.findall(r"\b\d{3,5}\b", cell)]


def test_given_the_troubleshooting_codes_then_each_does_what_the_error_table_does():
    rows = {tuple(codes_of(row[0])): row for row in table_rows(section("Troubleshooting"), "Zoom code") if codes_of(row[0])}
    for codes, (_, meaning, action) in rows.items():
        for code in codes:
            outcomes = {error.outcome for status in (400, 401, 403, 404) for error in [classify(status, code)] if error is not None}
            if "skips" in action:
                assert outcomes == {Outcome.SKIP_RESOURCE}, (code, outcomes)
            if "scope" in meaning:
                assert outcomes == {Outcome.STREAM_UNAVAILABLE}, (code, outcomes)
    assert (4700, 4711, 104) in rows and "scope" in rows[(4700, 4711, 104)][1]


def test_given_the_token_endpoint_codes_then_the_docs_say_what_auth_advises():
    said = section("Troubleshooting").split("At the token endpoint", 1)[1].split("\n\n", 1)[0]

    assert "4711 and 4733 a refresh token Zoom no longer takes" in " ".join(said.split())
    assert TOKEN_ERROR_ADVICE[REFRESH_TOKEN]["4711"] == TOKEN_ERROR_ADVICE[REFRESH_TOKEN]["4733"] == REAUTHORIZE
    assert "client_id" in TOKEN_ERROR_ADVICE[SERVER_TO_SERVER]["4702"] and "account_id" in TOKEN_ERROR_ADVICE[SERVER_TO_SERVER]["4740"]
