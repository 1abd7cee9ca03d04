"""The spec renders well in Airbyte's form and follows the Airbyte protocol's spec rules.

The CDK's own checks run first: its standard `test_spec` lint (one SPEC message, secrets marked
`airbyte_secret` where the runtime filter masks them) and its config validation. The connector
acceptance test's other spec rules are not in the CDK, so they are a table of rules here, each
shown to catch a broken spec, so none passes by looking at nothing.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, Iterator, List, Mapping, Tuple

import jsonschema
import pytest

from airbyte_cdk.sources.utils.schema_helpers import check_config_against_spec_or_exit
from airbyte_cdk.test.entrypoint_wrapper import _run_command
from airbyte_cdk.test.standard_tests._spec_lint import assert_spec_is_valid, find_secret_marking_errors, get_single_spec

from source_zoom import SourceZoom
from source_zoom.config_migrations import MigrateLegacyConfig
from unit_tests.conftest import JWT_CREDENTIALS, REFRESH_CREDENTIALS, S2S_CREDENTIALS, config_with

Spec = Mapping[str, Any]


@pytest.fixture(scope="module")
def connector_spec():
    output = _run_command(SourceZoom(None), ["spec"])
    return get_single_spec(output, connector_name="source-zoom")


def walk_properties(schema: Spec, path: str = "") -> Iterator[Tuple[str, str, Spec, Spec]]:
    """(path, name, property schema, the object schema declaring it) for every property, oneOf variants included."""
    for name, prop in (schema.get("properties") or {}).items():
        yield f"{path}.{name}", name, prop, schema
        yield from walk_properties(prop, f"{path}.{name}")
    for index, variant in enumerate(schema.get("oneOf") or []):
        yield from walk_properties(variant, f"{path}[{index}]")


def walk_objects(schema: Spec, path: str = "$") -> Iterator[Tuple[str, Spec]]:
    yield path, schema
    for name, prop in (schema.get("properties") or {}).items():
        yield from walk_objects(prop, f"{path}.{name}")
    for index, variant in enumerate(schema.get("oneOf") or []):
        yield from walk_objects(variant, f"{path}[{index}]")


def is_discriminator(prop: Spec) -> bool:
    return "const" in prop


def documentation_url(spec: Spec) -> List[str]:
    url = spec.get("documentationUrl") or ""
    return [] if re.match(r"^https://\S+$", url) else [f"documentationUrl {url!r} is not an https link"]


def valid_json_schema(spec: Spec) -> List[str]:
    try:
        jsonschema.Draft7Validator.check_schema(spec["connectionSpecification"])
    except jsonschema.SchemaError as error:
        return [f"not a draft-07 schema: {error.message}"]
    return []


def secrets_marked(spec: Spec) -> List[str]:
    return find_secret_marking_errors(spec["connectionSpecification"])


def top_level_is_an_open_object(spec: Spec) -> List[str]:
    # The platform adds keys of its own to a config; a closed object would reject them.
    root = spec["connectionSpecification"]
    problems = [] if root.get("type") == "object" else ["connectionSpecification is not an object"]
    return problems + ([] if root.get("additionalProperties", True) is True else ["additionalProperties is not true"])


def required_fields_exist(spec: Spec) -> List[str]:
    return [
        f"{path} requires {field!r}, which it does not declare"
        for path, schema in walk_objects(spec["connectionSpecification"])
        for field in schema.get("required") or []
        if field not in (schema.get("properties") or {})
    ]


def one_of_has_a_const_discriminator(spec: Spec) -> List[str]:
    """The UI picks a variant by a property that every variant fixes with `const` to its own value."""
    problems = []
    for path, schema in walk_objects(spec["connectionSpecification"]):
        variants = schema.get("oneOf")
        if not variants:
            continue
        if schema.get("type") != "object":
            problems.append(f"{path} has oneOf but is not of type object")
        untitled = [index for index, variant in enumerate(variants) if not variant.get("title") or variant.get("type") != "object"]
        if untitled:
            problems.append(f"{path} variants {untitled} lack a title or type object")
        common = set.intersection(*(set(name for name, prop in (v.get("properties") or {}).items() if is_discriminator(prop)) for v in variants))
        required_everywhere = [name for name in sorted(common) if all(name in (v.get("required") or []) for v in variants)]
        if not required_everywhere:
            problems.append(f"{path} has no const property that every variant declares and requires")
            continue
        values = [v["properties"][required_everywhere[0]]["const"] for v in variants]
        if len(set(values)) != len(values):
            problems.append(f"{path} variants share discriminator values {values}")
    return problems


def order_unique_per_object(spec: Spec) -> List[str]:
    problems = []
    for path, schema in walk_objects(spec["connectionSpecification"]):
        orders = [prop.get("order") for prop in (schema.get("properties") or {}).values() if "order" in prop]
        if any(not isinstance(order, int) for order in orders):
            problems.append(f"{path} has an order that is not an integer: {orders}")
        elif len(orders) != len(set(orders)):
            problems.append(f"{path} repeats an order: {sorted(orders)}")
    return problems


def titled_and_described(spec: Spec) -> List[str]:
    return [
        f"{path} lacks {'title' if not prop.get('title') else 'description'}"
        for path, _, prop, _ in walk_properties(spec["connectionSpecification"])
        if not is_discriminator(prop) and not (prop.get("title") and prop.get("description"))
    ]


def patterns_compile_and_are_described(spec: Spec) -> List[str]:
    problems = []
    for path, _, prop, _ in walk_properties(spec["connectionSpecification"]):
        if "pattern" not in prop:
            continue
        try:
            re.compile(prop["pattern"])
        except re.error as error:
            problems.append(f"{path} pattern does not compile: {error}")
        if not prop.get("pattern_descriptor"):
            problems.append(f"{path} has a pattern without a pattern_descriptor for the form")
    return problems


def date_times_have_a_pattern(spec: Spec) -> List[str]:
    return [
        f"{path} is a date-time without pattern and pattern_descriptor"
        for path, _, prop, _ in walk_properties(spec["connectionSpecification"])
        if prop.get("format") in ("date-time", "date") and not (prop.get("pattern") and prop.get("pattern_descriptor"))
    ]


def inputs_have_valid_examples(spec: Spec) -> List[str]:
    """Every field a person types (not a secret, not a choice) shows examples the field itself accepts."""
    problems = []
    for path, _, prop, _ in walk_properties(spec["connectionSpecification"]):
        if is_discriminator(prop) or prop.get("airbyte_secret") or prop.get("type") not in ("string", "integer", "number"):
            continue
        examples = prop.get("examples")
        if not examples:
            problems.append(f"{path} has no examples")
            continue
        validator = jsonschema.Draft7Validator(prop, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        problems += [f"{path} example {example!r}: {error.message}" for example in examples for error in validator.iter_errors(example)]
    return problems


def defaults_are_valid(spec: Spec) -> List[str]:
    problems = []
    for path, _, prop, _ in walk_properties(spec["connectionSpecification"]):
        if "default" in prop:
            problems += [f"{path} default: {error.message}" for error in jsonschema.Draft7Validator(prop).iter_errors(prop["default"])]
    return problems


SPEC_RULES: Dict[str, Callable[[Spec], List[str]]] = {
    "documentation_url": documentation_url,
    "valid_json_schema": valid_json_schema,
    "secrets_marked": secrets_marked,
    "top_level_is_an_open_object": top_level_is_an_open_object,
    "required_fields_exist": required_fields_exist,
    "one_of_has_a_const_discriminator": one_of_has_a_const_discriminator,
    "order_unique_per_object": order_unique_per_object,
    "titled_and_described": titled_and_described,
    "patterns_compile_and_are_described": patterns_compile_and_are_described,
    "date_times_have_a_pattern": date_times_have_a_pattern,
    "inputs_have_valid_examples": inputs_have_valid_examples,
    "defaults_are_valid": defaults_are_valid,
}


def broken(spec: Spec, change: Callable[[Dict[str, Any]], None]) -> Dict[str, Any]:
    copied = copy.deepcopy(spec)
    change(copied)
    return copied


def credentials(spec: Dict[str, Any]) -> Dict[str, Any]:
    return spec["connectionSpecification"]["properties"]["credentials"]


def start_date(spec: Dict[str, Any]) -> Dict[str, Any]:
    return spec["connectionSpecification"]["properties"]["start_date"]


# One way to break the spec that each rule must catch.
BREAKAGES: Dict[str, Callable[[Dict[str, Any]], None]] = {
    "documentation_url": lambda s: s.pop("documentationUrl"),
    "valid_json_schema": lambda s: start_date(s).update(type="date"),
    "secrets_marked": lambda s: credentials(s)["oneOf"][0]["properties"]["client_secret"].pop("airbyte_secret"),
    "top_level_is_an_open_object": lambda s: s["connectionSpecification"].update(additionalProperties=False),
    "required_fields_exist": lambda s: s["connectionSpecification"]["required"].append("api_key"),
    "one_of_has_a_const_discriminator": lambda s: credentials(s)["oneOf"][1]["properties"]["auth_type"].update(const="server_to_server_oauth"),
    "order_unique_per_object": lambda s: start_date(s).update(order=0),
    "titled_and_described": lambda s: start_date(s).pop("description"),
    "patterns_compile_and_are_described": lambda s: start_date(s).pop("pattern_descriptor"),
    "date_times_have_a_pattern": lambda s: start_date(s).pop("pattern"),
    "inputs_have_valid_examples": lambda s: start_date(s).update(examples=["2026-01-01"]),
    "defaults_are_valid": lambda s: s["connectionSpecification"]["properties"]["num_workers"].update(default=0),
}


def test_given_the_spec_command_then_the_cdks_standard_spec_lint_passes(connector_spec):
    assert_spec_is_valid(connector_spec, connector_name="source-zoom")


@pytest.mark.parametrize("rule", sorted(SPEC_RULES))
def test_given_the_spec_then_it_follows_the_rule(connector_spec, rule):
    spec = {"documentationUrl": connector_spec.documentationUrl, "connectionSpecification": connector_spec.connectionSpecification}

    assert SPEC_RULES[rule](spec) == []


@pytest.mark.parametrize("rule", sorted(SPEC_RULES))
def test_given_a_spec_broken_for_the_rule_then_the_rule_reports_it(connector_spec, rule):
    spec = {"documentationUrl": connector_spec.documentationUrl, "connectionSpecification": connector_spec.connectionSpecification}

    assert SPEC_RULES[rule](broken(spec, BREAKAGES[rule])) != []


@pytest.mark.parametrize(
    "config",
    [
        config_with(S2S_CREDENTIALS),
        config_with(REFRESH_CREDENTIALS, num_workers=20, api_base_url="https://api.zoomgov.com/v2", oauth_token_url="https://zoomgov.com/oauth/token"),
        config_with(JWT_CREDENTIALS),
        MigrateLegacyConfig.transform({"client_id": "c", "client_secret": "s", "refresh_token": "r", "start_date": "2026-01-01T00:00:00Z"}),
        MigrateLegacyConfig.transform({"account_id": "a", "client_id": "c", "client_secret": "s", "authorization_endpoint": "https://zoom.us/oauth/token"}),
    ],
    ids=["server_to_server", "refresh_token_zoomgov", "jwt", "migrated_stitch", "migrated_airbyte"],
)
def test_given_a_valid_or_migrated_config_then_the_cdks_config_validation_accepts_it(connector_spec, config):
    check_config_against_spec_or_exit(config, connector_spec)
