"""Every mistake of a new user's first hour ends with the right fix, said last.

One row per case of integration_tests/first_hour.py (check and read; Server-to-Server, refresh-token
and JWT logins), each run as `python main.py` against the fake Zoom API: the last sentence the user
reads, its failure type, the exit code, the token requests Zoom saw, one error trace for a refused
login, no traceback in any message a user reads, and "scope" only where a scope is the cause.
"""

from __future__ import annotations

from typing import Dict

import pytest

from integration_tests.first_hour import ALL_TABLES, CASES, Case, Outcome, run_all

pytestmark = pytest.mark.integration

CASE_IDS = [f"{case.command} {case.name} ({case.auth})" for case in CASES]


@pytest.fixture(scope="module")
def outcomes() -> Dict[str, Outcome]:
    """All cases at once, a few in parallel: each is a subprocess against its own fake."""
    return {name: outcome for name, (_, outcome) in zip(CASE_IDS, run_all())}


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_given_a_first_hour_case_then_the_last_line_names_the_fix_with_its_failure_type(outcomes, case_id):
    case: Case = CASES[CASE_IDS.index(case_id)]
    outcome = outcomes[case_id]
    summary = f"{case_id}: exit {outcome.exit_code}, {outcome.failure_type}, last line: {outcome.last_line}"

    assert case.last in outcome.last_line, summary
    assert outcome.failure_type == case.failure_type, summary
    assert outcome.exit_code == case.exit_code, summary
    assert case.token_requests is None or outcome.token_requests == case.token_requests, summary
    assert outcome.tracebacks == [], summary
    assert "\n" not in outcome.last_line, summary
    # A refused login is said once: no table started, so no table repeats it.
    assert not case.one_error or outcome.error_traces == 1, summary
    # Only a missing scope sends the user to the app's scopes.
    assert ("scope" in outcome.last_line) == ("scope" in case.name), summary


def test_given_the_cases_that_read_all_tables_then_they_read_every_table_discover_names(outcomes, discovered):
    """The table's command column counts the catalog a read was given (issue 31.6: derived, not typed)."""
    read_all = [case_id for case_id, case in zip(CASE_IDS, CASES) if case.tables == ALL_TABLES]

    assert read_all and {case_id: outcomes[case_id].tables_read for case_id in read_all} == {case_id: len(discovered) for case_id in read_all}
    assert all(f"({len(discovered)} tables)" in CASES[CASE_IDS.index(case_id)].command_line(outcomes[case_id].tables_read) for case_id in read_all)
