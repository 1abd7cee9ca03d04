"""Zoom Phone against Zoom's own Phone API description (../shared/zoom-openapi/ZoomPhoneAPISpec.json):

1. every request the connector sends for the nine Phone tables goes to a path Zoom's spec has, with
   only query parameters the spec declares for it, each valid by the spec's definition (type,
   format, enum, maximum), and every required one present;
2. every answer the fake serves for those endpoints, in both shapes of the call history, fits the
   spec's response schema (no field the spec lacks, no other JSON type), and its records carry
   every field the spec declares for them.

The spec is not copied into the repository; it is read from ../shared when the test runs and the
test is skipped, saying so, where that file is absent (CI has it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import requests

from fake_zoom import FakeZoomConfig, FakeZoomServer
from fake_zoom.horizons import add_months
from unit_tests.conftest import API, JWT_CREDENTIALS, config_with, read_tables
from unit_tests.test_tables import mock_phone

SPEC = Path(__file__).resolve().parent.parent.parent / "shared" / "zoom-openapi" / "ZoomPhoneAPISpec.json"
PHONE_TABLES = ("phone_users", "phone_sites", "phone_numbers", "phone_call_queues", "phone_call_history",
                "phone_call_elements", "phone_recordings", "phone_voicemails", "phone_sms_sessions")
# Where each listing's records sit, per spec path.
RECORDS_KEYS = {"/phone/users": ["users"], "/phone/sites": ["sites"], "/phone/numbers": ["phone_numbers"],
                "/phone/call_queues": ["call_queues"], "/phone/call_history": ["call_history", "call_logs"],
                "/phone/call_history/{callHistoryUuid}": ["call_elements", "call_path"], "/phone/recordings": ["recordings"],
                "/phone/voice_mails": ["voice_mails"], "/phone/sms/sessions": ["sms_sessions"]}


@pytest.fixture(scope="module")
def spec() -> Dict[str, Any]:
    if not SPEC.is_file():
        pytest.skip(f"Zoom's Phone spec is not at {SPEC}: the connector's Phone requests and the fake's answers are NOT checked against it here")
    return json.loads(SPEC.read_text(encoding="utf-8"))


def operation_for(spec: Mapping[str, Any], path: str) -> Tuple[str, Mapping[str, Any]]:
    """The spec's GET operation whose path template fits `path` (literal segments before placeholders)."""
    parts = path.strip("/").split("/")
    candidates = []
    for template, operations in spec["paths"].items():
        segments = template.strip("/").split("/")
        if len(segments) == len(parts) and "get" in operations and all(s.startswith("{") or s == p for s, p in zip(segments, parts)):
            candidates.append((sum(s.startswith("{") for s in segments), template, operations["get"]))
    assert candidates, f"{path}: no GET in Zoom's Phone spec"
    _, template, operation = min(candidates)
    return template, operation


def value_errors(name: str, value: str, schema: Mapping[str, Any]) -> List[str]:
    """Why a query value does not fit its parameter's schema (empty when it does)."""
    errors = []
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return [f"{name}={value!r} is not an integer"]
        if "maximum" in schema and int(value) > schema["maximum"]:
            errors.append(f"{name}={value} is above the spec's maximum {schema['maximum']}")
        if "minimum" in schema and int(value) < schema["minimum"]:
            errors.append(f"{name}={value} is below the spec's minimum {schema['minimum']}")
    elif kind == "boolean" and value not in ("true", "false"):
        errors.append(f"{name}={value!r} is not a boolean")
    elif kind == "string" and schema.get("format") == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            errors.append(f"{name}={value!r} is not a yyyy-mm-dd date")
    elif kind == "array":
        return [e for item in value.split(",") for e in value_errors(name, item, schema.get("items", {}))]
    if "enum" in schema and value not in [str(v) for v in schema["enum"]]:
        errors.append(f"{name}={value!r} is not one of {schema['enum']}")
    return errors


@pytest.fixture(scope="module")
def sent() -> List[str]:
    """Every URL the connector requested while reading the nine Phone tables of a mocked account."""
    import requests_mock

    with requests_mock.Mocker() as zoom_api:
        zoom_api.post(re.compile(r"https://zoom\.us/oauth/token.*"), json={"access_token": "t", "expires_in": 3600})
        zoom_api.get(f"{API}/users?page_size=1", json={"users": [], "next_page_token": ""})
        mock_phone(zoom_api.get)
        output = read_tables(config_with(JWT_CREDENTIALS), PHONE_TABLES)
        assert not output.errors, [e.trace.error.message for e in output.errors]
        return [request.url for request in zoom_api.request_history if "/v2/phone/" in request.url]


def test_given_the_phone_tables_when_read_then_every_request_is_valid_against_zoom_s_phone_spec(spec, sent):
    problems = []
    asked = set()
    for url in sent:
        parts = urlsplit(url)
        path = unquote(parts.path.split("/v2", 1)[1])
        template, operation = operation_for(spec, path)
        asked.add(template)
        declared = {p["name"]: p for p in operation.get("parameters", []) if p.get("in", "").lower() == "query"}
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        for name, value in query.items():
            if name not in declared:
                problems.append(f"{path}: {name} is not a query parameter of {template} in Zoom's spec")
                continue
            problems += [f"{path}: {error}" for error in value_errors(name, value, declared[name].get("schema", {}))]
        for name, parameter in declared.items():
            if parameter.get("required") and name not in query:
                problems.append(f"{path}: the required {name} is missing")
        # The spec's own rule: `to` is required once `from` is sent, and the range is one month.
        if "from" in query:
            assert "to" in query, path
            start, end = dt.date.fromisoformat(query["from"]), dt.date.fromisoformat(query["to"])
            assert start <= end < add_months(start, 1), (path, query)
    assert not problems, "\n".join(problems)
    assert asked == set(RECORDS_KEYS), sorted(set(RECORDS_KEYS) - asked)
    assert not [url for url in sent if "/phone/call_logs" in url], "the retired call_logs endpoints were called"


JSON_TYPES = {type(None): "null", dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


def schema_of(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """allOf merged into one object schema (the spec writes some objects that way)."""
    if "allOf" not in node:
        return node
    merged: Dict[str, Any] = {"type": "object", "properties": {}}
    for part in node["allOf"]:
        merged["properties"].update(schema_of(part).get("properties", {}))
    return merged


def fit_errors(value: Any, node: Mapping[str, Any], path: str, seen: set) -> Iterator[str]:
    node = schema_of(node)
    kind = node.get("type")
    actual = JSON_TYPES[type(value)]
    if kind and not (actual == kind or (kind == "number" and actual == "integer")):
        yield f"{path or '$'} is {actual} ({value!r:.40}) in the fake, {kind} in Zoom's spec"
        return
    seen.add(path)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for name, child in value.items():
            child_path = f"{path}.{name}" if path else name
            if name not in properties:
                yield f"{child_path} is sent by the fake but is not in Zoom's spec"
            else:
                yield from fit_errors(child, properties[name], child_path, seen)
    elif isinstance(value, list):
        for item in value:
            yield from fit_errors(item, node.get("items", {}), f"{path}[]", seen)


def spec_fields(node: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for name, child in schema_of(node).get("properties", {}).items():
        yield f"{prefix}{name}"
        child = schema_of(child)
        if child.get("type") == "array" and isinstance(child.get("items"), dict):
            yield from spec_fields(child["items"], f"{prefix}{name}[].")
        elif child.get("properties"):
            yield from spec_fields(child, f"{prefix}{name}.")


@pytest.mark.parametrize("shape", ["call_history", "call_logs"])
def test_given_either_shape_then_every_phone_answer_of_the_fake_fits_zoom_s_phone_spec(spec, shape):
    with FakeZoomServer(FakeZoomConfig.default(missing_scopes=(), phone_shape=shape)) as server:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {server.config.jwt_token}"
        today = server.fake.dataset.today
        window = {"from": (today - dt.timedelta(days=27)).isoformat(), "to": today.isoformat()}
        asks = [("/phone/users", {"status": status}) for status in ("activate", "deactivate", "pending")] + [
            ("/phone/sites", {}), ("/phone/numbers", {"type": "all", "pending_numbers": "true"}), ("/phone/call_queues", {}),
            ("/phone/call_history", window), ("/phone/recordings", window), ("/phone/voice_mails", window),
            ("/phone/sms/sessions", {**window, "session_type": "all"})]
        asks += [(f"/phone/call_history/{call.row['id']}", {}) for call in server.fake.dataset.phone.calls[-40:]]
        bodies: Dict[str, List[Any]] = {}
        for path, query in asks:
            response = session.get(server.base_url + path, params={**query, "page_size": "100"}, timeout=30)
            assert response.status_code == 200, (path, response.text)
            template, _ = operation_for(spec, path)
            bodies.setdefault(template, []).append(response.json())
    problems = []
    for template, answers in bodies.items():
        schema = spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        seen: set = set()
        for body in answers:
            problems += [f"{template}: {e}" for e in fit_errors(body, schema, "", seen)]
        key = next(k for k in RECORDS_KEYS[template] if any(k in body for body in answers))
        if key in ("call_logs", "call_path") and shape == "call_history" or key in ("call_history", "call_elements") and shape == "call_logs":
            problems.append(f"{template}: answered {key} in the {shape} shape")
        items = schema_of(schema)["properties"][key]["items"]
        missing = [f for f in spec_fields(items) if f"{key}[].{f}" not in seen]
        problems += [f"{template}: {key}[].{field} is in Zoom's spec but in no record the fake serves" for field in missing]
    assert not problems, "\n".join(sorted(set(problems)))
