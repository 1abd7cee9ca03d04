"""Checks on the JSON schemas in source_zoom/schemas/.

1. every schema file loads and is a valid draft-07 schema of the agreed shape;
2. exactly the catalog's tables have a schema file;
3. every field Stitch's Zoom table reference lists for its 21 tables is present with a
   compatible type, unless the type was deliberately corrected (TYPE_CORRECTIONS, mirrored from
   docs/table_reference.md);
4. every primary-key field and every stamped parent field of docs/contract.md is declared.

The seed is read from ../shared/seed/stitch-zoom-integration.txt (relative to the repo root) when
it is there, otherwise from the checked-in extract unit_tests/resources/seed_fields.json.
"""

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = REPO_ROOT / "source_zoom" / "schemas"
SEED_TEXT = REPO_ROOT.parent / "shared" / "seed" / "stitch-zoom-integration.txt"
SEED_JSON = Path(__file__).resolve().parent / "resources" / "seed_fields.json"
CONTRACT = REPO_ROOT / "docs" / "contract.md"

TABLES = [
    "users",
    "meetings",
    "meeting_registrants",
    "meeting_polls",
    "meeting_poll_results",
    "meeting_questions",
    "meeting_files",
    "webinars",
    "webinar_panelists",
    "webinar_registrants",
    "webinar_absentees",
    "webinar_polls",
    "webinar_poll_results",
    "webinar_qna_results",
    "webinar_questions",
    "webinar_tracking_sources",
    "webinar_files",
    "report_meetings",
    "report_meeting_participants",
    "report_webinars",
    "report_webinar_participants",
    "cloud_recordings",
    "meeting_summaries",
    "recording_transcript_segments",
    "meeting_qna_results",
    "report_sign_in_activities",
    "report_operation_logs",
    "groups",
    "group_members",
    "roles",
    "role_members",
    "meeting_survey_results",
    "webinar_survey_results",
    "report_daily_usage",
    "report_cloud_recording_usage",
    "phone_users",
    "phone_sites",
    "phone_numbers",
    "phone_call_queues",
    "phone_call_history",
    "phone_call_elements",
    "phone_recordings",
    "phone_voicemails",
    "phone_sms_sessions",
]


# (table, field path) -> the JSON type we declare instead of the seed's type, because Zoom returns
# that type. Paths use "." for object members and "[]." for members of array items.
# Keep in sync with "Deviations from Stitch's schema" in docs/table_reference.md.
TYPE_CORRECTIONS = {
    # meeting and webinar ids are 64-bit integers (stamped copies included)
    ("meetings", "meeting_id"): "integer",
    ("meeting_registrants", "meeting_id"): "integer",
    ("meeting_polls", "meeting_id"): "integer",
    ("meeting_questions", "meeting_id"): "integer",
    ("report_meetings", "meeting_id"): "integer",
    ("report_meeting_participants", "meeting_id"): "integer",
    ("webinars", "id"): "integer",
    ("webinar_registrants", "webinar_id"): "integer",
    ("webinar_polls", "webinar_id"): "integer",
    ("webinar_questions", "webinar_id"): "integer",
    ("report_webinars", "webinar_id"): "integer",
    ("report_webinar_participants", "webinar_id"): "integer",
    # dept is free text in Zoom
    ("report_meetings", "dept"): "string",
    ("report_webinars", "dept"): "string",
    # report participants' duration is a number of seconds
    ("report_meeting_participants", "duration"): "integer",
    ("report_webinar_participants", "duration"): "integer",
    # a meeting's pmi is a string in Zoom's meeting object (users.pmi stays integer)
    ("meetings", "pmi"): "string",
    # contact fields are an e-mail address and a name
    ("meetings", "settings.contact_email"): "string",
    ("meetings", "settings.contact_name"): "string",
    ("webinars", "settings.contact_email"): "string",
    ("webinars", "settings.contact_name"): "string",
    # weekly_days is a comma separated list of day numbers, e.g. "1,3"
    ("meetings", "recurrence.weekly_days"): "string",
    ("webinars", "recurrence.weekly_days"): "string",
}

# Fallback copy of the contract's primary keys and stamped fields (docs/contract.md is parsed
# when present and must agree with this copy).
CONTRACT_PRIMARY_KEYS = {
    "users": ["id"],
    "meetings": ["uuid"],
    "meeting_registrants": ["id", "meeting_id"],
    "meeting_questions": ["meeting_id"],
    "meeting_polls": ["id", "meeting_id"],
    "report_meetings": ["uuid"],
    "report_meeting_participants": ["id", "meeting_id", "meeting_uuid", "user_id", "join_time"],
    "meeting_poll_results": ["meeting_uuid", "email", "respondent_index"],
    "meeting_files": ["meeting_uuid", "file_name"],
    "webinars": ["uuid"],
    "webinar_panelists": ["id", "webinar_id"],
    "webinar_registrants": ["webinar_id", "id"],
    "webinar_questions": ["webinar_id"],
    "webinar_tracking_sources": ["id", "webinar_id"],
    "webinar_polls": ["id", "webinar_id"],
    "report_webinars": ["uuid"],
    "report_webinar_participants": ["id", "webinar_id", "webinar_uuid", "user_id", "join_time"],
    "webinar_absentees": ["id", "webinar_uuid"],
    "webinar_poll_results": ["webinar_uuid", "email", "respondent_index"],
    "webinar_qna_results": ["webinar_uuid", "email", "respondent_index"],
    "webinar_files": ["webinar_uuid", "file_name"],
    "cloud_recordings": ["uuid"],
    "meeting_summaries": ["meeting_uuid"],
    "recording_transcript_segments": ["recording_file_id", "cue_index"],
    "meeting_qna_results": ["meeting_uuid", "email", "respondent_index"],
    "report_sign_in_activities": ["email", "time", "type", "ip_address", "client_type", "version"],
    "report_operation_logs": ["time", "operator", "category_type", "action", "operation_detail"],
    "groups": ["id"],
    "group_members": ["group_id", "id"],
    "roles": ["id"],
    "role_members": ["role_id", "id"],
    "meeting_survey_results": ["meeting_uuid", "email", "respondent_index"],
    "webinar_survey_results": ["webinar_uuid", "email", "respondent_index"],
    "report_daily_usage": ["date"],
    "report_cloud_recording_usage": ["date"],
    "phone_users": ["id"],
    "phone_sites": ["id"],
    "phone_numbers": ["id"],
    "phone_call_queues": ["id"],
    "phone_call_history": ["id"],
    "phone_call_elements": ["call_element_id"],
    "phone_recordings": ["id"],
    "phone_voicemails": ["id"],
    "phone_sms_sessions": ["session_id"],
}
CONTRACT_STAMPED = {
    "meetings": ["meeting_id"],
    "meeting_registrants": ["meeting_id"],
    "meeting_questions": ["meeting_id"],
    "meeting_polls": ["meeting_id"],
    "report_meetings": ["meeting_id", "host_id"],
    "report_meeting_participants": ["meeting_id", "meeting_uuid", "meeting_start_time"],
    "meeting_poll_results": ["meeting_id", "meeting_uuid", "meeting_start_time"],
    "meeting_files": ["meeting_id", "meeting_uuid", "meeting_start_time"],
    "webinars": ["webinar_id"],
    "webinar_panelists": ["webinar_id"],
    "webinar_registrants": ["webinar_id"],
    "webinar_questions": ["webinar_id"],
    "webinar_tracking_sources": ["webinar_id"],
    "webinar_polls": ["webinar_id"],
    "report_webinars": ["webinar_id"],
    "report_webinar_participants": ["webinar_id", "webinar_uuid", "webinar_start_time"],
    "webinar_absentees": ["webinar_id", "webinar_uuid", "webinar_start_time"],
    "webinar_poll_results": ["webinar_id", "webinar_uuid", "webinar_start_time"],
    "webinar_qna_results": ["webinar_id", "webinar_uuid", "webinar_start_time"],
    "webinar_files": ["webinar_id", "webinar_uuid", "webinar_start_time"],
    "meeting_qna_results": ["meeting_id", "meeting_uuid", "meeting_start_time"],
    "group_members": ["group_id"],
    "role_members": ["role_id"],
    "meeting_survey_results": ["meeting_id", "meeting_uuid", "meeting_start_time"],
    "webinar_survey_results": ["webinar_id", "webinar_uuid", "webinar_start_time"],
    "recording_transcript_segments": ["meeting_uuid", "meeting_id", "meeting_start_time"],
    "phone_call_history": ["id", "call_history_uuid"],
    "phone_call_elements": ["call_history_id", "call_element_id", "id"],
}

RESPONDENT_INDEX_TABLES = {"meeting_poll_results", "webinar_poll_results", "webinar_qna_results", "meeting_qna_results",
                           "meeting_survey_results", "webinar_survey_results"}
# Tables whose own `id` is a meeting or webinar id (64-bit integer).
INTEGER_ID_TABLES = {"meetings", "webinars", "report_meetings", "report_webinars", "cloud_recordings"}

SEED_TYPES = {"STRING", "INTEGER", "NUMBER", "BOOLEAN", "DATE-TIME", "DATE", "ARRAY", "OBJECT"}
JSON_TYPE_OF_SEED = {
    "STRING": "string",
    "DATE-TIME": "string",
    "DATE": "string",
    "INTEGER": "integer",
    "NUMBER": "number",
    "BOOLEAN": "boolean",
    "ARRAY": "array",
    "OBJECT": "object",
}


# --------------------------------------------------------------------------- seed parsing


def parse_seed(text):
    """Parse Stitch's Zoom table reference into
    {table: {"endpoint": str, "primary_key": [..], "fields": {name: node}}}
    where node is {"type": T} for scalars, {"type": "OBJECT", "fields": {...}} for objects and
    {"type": "ARRAY", "items": node} for arrays (an array listing only `value` is an array of
    that scalar)."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    try:
        start = lines.index("Zoom table reference")
    except ValueError:
        raise AssertionError("seed text has no 'Zoom table reference' section")
    lines = lines[start + 1 :]

    tables = {}
    table = None
    stack = []  # [(attribute name or None, fields dict)]
    name_re = re.compile(r"^[a-z_][a-z0-9_]*$")
    close_re = re.compile(r"^([a-z0-9_]+) \(table\), ([a-z0-9_]+) \(attribute\)$")
    title_re = re.compile(r"^The ([a-z0-9_]+) (table|data|lists)\b")

    def finish(tbl):
        if tbl is None:
            return
        assert len(stack) == 1, f"unclosed attribute in {tbl.get('name')}: {stack[-1][0]}"
        assert tbl.get("name"), f"table without a name (endpoint {tbl.get('endpoint')})"
        tables[tbl.pop("name")] = tbl

    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.startswith("Questions? Feedback?"):
            break
        if line == "Replication Method :":
            finish(table)
            table = {"name": None, "endpoint": None, "primary_key": [], "fields": {}}
            stack = [(None, table["fields"])]
        elif table is None:
            pass
        elif line == "Primary Key :":
            table["primary_key"] = [part.strip() for part in nxt.split(" : ")]
            i += 1
        elif line == "API endpoint :":
            table["endpoint"] = nxt
            i += 1
        elif table["name"] is None and title_re.match(line):
            table["name"] = title_re.match(line).group(1)
        elif name_re.match(line) and nxt in SEED_TYPES:
            node = {"type": nxt}
            stack[-1][1][line] = node
            if nxt in ("ARRAY", "OBJECT"):
                node["fields"] = {}
                stack.append((line, node["fields"]))
            i += 1
        elif close_re.match(line):
            tbl_name, attr = close_re.match(line).groups()
            assert len(stack) > 1 and stack[-1][0] == attr, f"unexpected close of {attr} in {tbl_name}"
            stack.pop()
        i += 1
    finish(table)
    return {name: {**t, "fields": _normalise(t["fields"])} for name, t in tables.items()}


def _normalise(fields):
    out = {}
    for name, node in fields.items():
        if node["type"] == "OBJECT":
            out[name] = {"type": "OBJECT", "fields": _normalise(node["fields"])}
        elif node["type"] == "ARRAY":
            children = node["fields"]
            if list(children) == ["value"] and children["value"]["type"] not in ("ARRAY", "OBJECT"):
                out[name] = {"type": "ARRAY", "items": {"type": children["value"]["type"]}}
            else:
                out[name] = {"type": "ARRAY", "items": {"type": "OBJECT", "fields": _normalise(children)}}
        else:
            out[name] = {"type": node["type"]}
    return out


def load_seed():
    if SEED_TEXT.is_file():
        return parse_seed(SEED_TEXT.read_text(encoding="utf-8"))
    return json.loads(SEED_JSON.read_text(encoding="utf-8"))


# Tables of the catalog that Stitch's reference has no entry for: read from the reference itself,
# so a table is named once in this file (in TABLES).
NOT_IN_SEED = set(TABLES) - set(load_seed())


def parse_contract(text):
    """Rows of the stream-graph table: {table: (primary key list, stamped field list)}."""
    rows = {}
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith("| table") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 8 or "(hidden)" in cells[0]:
            continue
        table, pk_cell, stamped_cell = cells[0], cells[6], cells[7]
        pk = [p.strip().strip("`") for p in pk_cell.split(",") if p.strip()]
        stamped = []
        for part in stamped_cell.split(","):
            part = part.split("=")[0].strip().strip("`").strip()
            if part:
                stamped.append(part)
        rows[table] = (pk, stamped)
    return rows


# --------------------------------------------------------------------------- helpers


def load_schema(table):
    return json.loads((SCHEMAS_DIR / f"{table}.json").read_text(encoding="utf-8"))


def types_of(node):
    t = node.get("type")
    return set(t) if isinstance(t, list) else {t}


def walk(node, path="$"):
    """Yield (path, node) for the node and every property / items node below it."""
    yield path, node
    for name, child in (node.get("properties") or {}).items():
        yield from walk(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], f"{path}[]")


def compare_with_seed(table, schema_node, seed_fields, prefix=""):
    """Errors for seed fields missing from schema_node or declared with an incompatible type."""
    errors = []
    props = schema_node.get("properties") or {}
    for name, seed_node in seed_fields.items():
        path = f"{prefix}{name}"
        if name not in props:
            errors.append(f"{table}: missing {path}")
            continue
        errors.extend(_compare_node(table, props[name], seed_node, path))
    return errors


def _compare_node(table, node, seed_node, path):
    errors = []
    expected = TYPE_CORRECTIONS.get((table, path), JSON_TYPE_OF_SEED[seed_node["type"]])
    declared = types_of(node) - {"null"}
    if declared != {expected}:
        errors.append(f"{table}: {path} is {sorted(declared)}, expected {expected}")
        return errors
    if "null" not in types_of(node):
        errors.append(f"{table}: {path} is not nullable")
    if seed_node["type"] == "DATE-TIME" and (table, path) not in TYPE_CORRECTIONS:
        if node.get("format") != "date-time":
            errors.append(f"{table}: {path} lacks format date-time")
    if seed_node["type"] == "OBJECT":
        errors.extend(compare_with_seed(table, node, seed_node["fields"], prefix=f"{path}."))
    elif seed_node["type"] == "ARRAY":
        items = node.get("items")
        if not isinstance(items, dict):
            errors.append(f"{table}: {path} has no items schema")
        else:
            errors.extend(_compare_node(table, items, seed_node["items"], f"{path}[]"))
    return errors




# --------------------------------------------------------------------------- tests


def test_exactly_the_catalog_tables_have_schemas():
    files = sorted(p.stem for p in SCHEMAS_DIR.glob("*.json"))
    assert files == sorted(TABLES)
    assert len(TABLES) == len(set(TABLES))
    assert not [p.name for p in SCHEMAS_DIR.iterdir() if p.is_file() and p.suffix != ".json"]


@pytest.mark.parametrize("table", TABLES)
def test_schema_is_valid_draft7(table):
    schema = load_schema(table)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema.get("properties"), "no properties"


@pytest.mark.parametrize("table", TABLES)
def test_every_level_open_and_nullable(table):
    schema = load_schema(table)
    for path, node in walk(schema):
        types = types_of(node)
        assert "number" not in types, f"{path}: use integer (64-bit), not number"
        if "object" in types:
            assert node.get("additionalProperties") is True, f"{path}: additionalProperties must be true"
            assert isinstance(node.get("properties"), dict), f"{path}: object without properties"
        if "array" in types:
            assert isinstance(node.get("items"), dict), f"{path}: array without items"
        if path != "$":
            assert "null" in types, f"{path}: not nullable"
            assert types - {"null"}, f"{path}: no non-null type"
        if node.get("format") == "date-time":
            assert types == {"null", "string"}, f"{path}: date-time must be a nullable string"


@pytest.mark.parametrize("table", TABLES)
def test_all_null_record_is_valid(table):
    schema = load_schema(table)
    record = {name: None for name in schema["properties"]}
    Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).validate(record)


def test_seed_parses_into_21_tables():
    seed = load_seed()
    assert len(seed) == 21
    assert set(seed) <= set(TABLES)  # every table of Stitch's is one of ours
    assert {"cloud_recordings", "meeting_summaries"} <= NOT_IN_SEED
    assert seed["webinar_panelists"]["fields"] == {}
    assert seed["webinar_tracking_sources"]["fields"] == {}
    assert seed["meetings"]["fields"]["settings"]["fields"]["global_dial_in_countries"] == {
        "type": "ARRAY",
        "items": {"type": "STRING"},
    }


def test_checked_in_seed_extract_matches_seed_text():
    if not SEED_TEXT.is_file():
        pytest.skip(f"{SEED_TEXT} not present; the checked-in extract is used")
    assert parse_seed(SEED_TEXT.read_text(encoding="utf-8")) == json.loads(SEED_JSON.read_text(encoding="utf-8"))


@pytest.mark.parametrize("table", sorted(set(TABLES) - NOT_IN_SEED))
def test_seed_fields_present_with_compatible_types(table):
    seed = load_seed()[table]
    errors = compare_with_seed(table, load_schema(table), seed["fields"])
    assert not errors, "\n".join(errors)


def test_type_corrections_refer_to_seed_fields():
    seed = load_seed()

    def lookup(fields, path):
        head, _, rest = path.partition(".")
        node = fields[head]
        return lookup(node["fields"], rest) if rest else node

    for table, path in TYPE_CORRECTIONS:
        lookup(seed[table]["fields"], path)  # KeyError = stale correction


def test_contract_copy_matches_contract_doc():
    if not CONTRACT.is_file():
        pytest.skip("docs/contract.md not present")
    parsed = parse_contract(CONTRACT.read_text(encoding="utf-8"))
    assert set(parsed) == set(TABLES)
    assert {t: pk for t, (pk, _) in parsed.items()} == CONTRACT_PRIMARY_KEYS
    assert {t: st for t, (_, st) in parsed.items() if st} == CONTRACT_STAMPED


@pytest.mark.parametrize("table", TABLES)
def test_primary_key_and_stamped_fields_declared(table):
    props = load_schema(table)["properties"]
    for field in CONTRACT_PRIMARY_KEYS[table] + CONTRACT_STAMPED.get(table, []):
        assert field in props, f"{table}: {field} not declared"
        assert types_of(props[field]) - {"null"} <= {"string", "integer"}, f"{table}: {field} is not scalar"


@pytest.mark.parametrize("table", TABLES)
def test_meeting_and_webinar_ids_are_integers(table):
    props = load_schema(table)["properties"]
    for field in ("meeting_id", "webinar_id"):
        if field in props:
            assert types_of(props[field]) == {"null", "integer"}, f"{table}.{field}"
    if table in INTEGER_ID_TABLES:
        assert types_of(props["id"]) == {"null", "integer"}, f"{table}.id"
    for field in ("meeting_uuid", "webinar_uuid", "uuid"):
        if field in props:
            assert types_of(props[field]) == {"null", "string"}, f"{table}.{field}"


def test_stamped_id_columns_by_table():
    for table in ("meetings", "report_meetings"):
        assert "meeting_id" in load_schema(table)["properties"]
    for table in ("webinars", "report_webinars"):
        assert "webinar_id" in load_schema(table)["properties"]
    for table in RESPONDENT_INDEX_TABLES:
        assert types_of(load_schema(table)["properties"]["respondent_index"]) == {"null", "integer"}


@pytest.mark.parametrize("table", ["meetings", "webinars"])
def test_occurrences_in_both_spellings(table):
    props = load_schema(table)["properties"]
    zoom_item = props["occurrences"]["items"]["properties"]
    stitch_item = props["occurences"]["items"]["properties"]
    assert set(zoom_item) == {"occurrence_id", "start_time", "duration", "status"}
    assert set(stitch_item) == {"occurence_id", "start_time", "duration", "status"}
    assert zoom_item["occurrence_id"] == stitch_item["occurence_id"]
    for name in ("start_time", "duration", "status"):
        assert zoom_item[name] == stitch_item[name]


def test_users_pmi_stays_integer_and_meetings_pmi_is_string():
    assert types_of(load_schema("users")["properties"]["pmi"]) == {"null", "integer"}
    assert types_of(load_schema("meetings")["properties"]["pmi"]) == {"null", "string"}


def test_cloud_recording_files_meeting_id_is_instance_uuid():
    files = load_schema("cloud_recordings")["properties"]["recording_files"]["items"]["properties"]
    assert types_of(files["meeting_id"]) == {"null", "string"}
    assert types_of(files["file_size"]) == {"null", "integer"}


def test_sample_records_validate():
    big_id = 98765432109  # does not fit in 32 bits
    samples = {
        "meetings": {
            "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
            "id": big_id,
            "meeting_id": big_id,
            "pmi": "5551234567",
            "start_time": "2024-03-01T10:00:00Z",
            "recurrence": {"type": 2, "repeat_interval": 1, "weekly_days": "1,3"},
            "settings": {"contact_email": "host@example.com", "contact_name": "Host", "approval_type": 0},
            "occurrences": [{"occurrence_id": "1709287200000", "start_time": "2024-03-01T10:00:00Z",
                             "duration": 60, "status": "available"}],
            "occurences": [{"occurence_id": "1709287200000", "start_time": "2024-03-01T10:00:00Z",
                            "duration": 60, "status": "available"}],
            "brand_new_zoom_field": {"anything": [1, 2]},
        },
        "report_meeting_participants": {
            "id": "",
            "meeting_id": big_id,
            "meeting_uuid": "/ajXp112QmuoKj4854875==",
            "user_id": "16778240",
            "join_time": "2024-03-01T10:00:00Z",
            "duration": 3540,
            "attentiveness_score": "",
            "failover": False,
        },
        "meeting_poll_results": {
            "meeting_id": big_id,
            "meeting_uuid": "abc==",
            "email": "",
            "name": "Anonymous",
            "respondent_index": 0,
            "question_details": [{"question": "Q?", "answer": "A", "polling_id": "p1",
                                  "date_time": "2024-03-01T10:30:00Z"}],
        },
        "cloud_recordings": {
            "uuid": "abc==",
            "id": big_id,
            "recording_files": [{"id": "f1", "meeting_id": "abc==", "file_size": 5_000_000_000}],
        },
    }
    for table, record in samples.items():
        Draft7Validator(load_schema(table), format_checker=Draft7Validator.FORMAT_CHECKER).validate(record)


# --------------------------------------------------------------------------- documentation

TABLE_REFERENCE = REPO_ROOT / "docs" / "table_reference.md"


def added_fields(schema_node, seed_fields, prefix=""):
    """Paths declared in the schema that the seed does not list (nested ones included)."""
    out = []
    for name, node in (schema_node.get("properties") or {}).items():
        path = f"{prefix}{name}"
        seed_node = seed_fields.get(name)
        if seed_node is None:
            out.append(path)
        elif seed_node["type"] == "OBJECT":
            out.extend(added_fields(node, seed_node["fields"], f"{path}."))
        elif seed_node["type"] == "ARRAY" and "fields" in seed_node["items"]:
            out.extend(added_fields(node["items"], seed_node["items"]["fields"], f"{path}[]."))
    return out


def _doc_rows():
    rows = []
    for line in TABLE_REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            tables = {t.strip() for t in cells[0].split(",")}
            rows.append((tables, cells[1:]))
    return rows


def test_table_reference_lists_every_table():
    rows = _doc_rows()
    for table in TABLES:
        assert any(table in tables and cells and cells[0].startswith("`GET ") for tables, cells in rows), table


def test_table_reference_documents_every_correction():
    rows = _doc_rows()
    for (table, path), json_type in TYPE_CORRECTIONS.items():
        assert any(
            table in tables and cells[0] == f"`{path}`" and json_type in cells for tables, cells in rows
        ), f"docs/table_reference.md lacks the correction {table}.{path} -> {json_type}"


def test_table_reference_documents_every_added_field():
    seed = load_seed()
    rows = _doc_rows()
    text = TABLE_REFERENCE.read_text(encoding="utf-8")
    for table in TABLES:
        schema = load_schema(table)
        if table in NOT_IN_SEED:
            for name in schema["properties"]:
                assert f"`{name}`" in text, f"{table}.{name} not described"
            continue
        for path in added_fields(schema, seed[table]["fields"]):
            assert any(
                table in tables and cells[0] == f"`{path}`" for tables, cells in rows
            ), f"docs/table_reference.md lacks the added field {table}.{path}"


def test_given_the_fakes_records_when_a_value_is_an_empty_string_then_its_column_is_not_declared_a_date():
    """Zoom sends "" for a time that is not set (a voicemail never deleted: deleted_time ""). A column
    declared format date-time then breaks typed destinations (DuckDB: 'invalid timestamp field
    format'), so such a column is a plain string."""
    from fake_zoom.account import build_dataset
    from fake_zoom.config import FakeZoomConfig
    from fake_zoom.ground_truth import compute_ground_truth

    dated_but_empty = set()

    def check(record, schema, where):
        for field, value in record.items():
            declared = (schema.get("properties") or {}).get(field)
            if not isinstance(declared, dict):
                continue
            if value == "" and declared.get("format") in ("date-time", "date"):
                dated_but_empty.add(f"{where}{field}")
            if isinstance(value, dict):
                check(value, declared, f"{where}{field}.")
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        check(item, declared.get("items") or {}, f"{where}{field}[].")

    truth = compute_ground_truth(build_dataset(FakeZoomConfig()))
    for table, summary in truth["tables"].items():
        schema = json.loads((Path(__file__).resolve().parent.parent / "source_zoom" / "schemas" / f"{table}.json").read_text())
        for record in summary["records"]:
            check(record, schema, f"{table}.")
    assert sorted(dated_but_empty) == []
